"""Fixtures of the import-layer tests."""

from __future__ import annotations

import datetime as dt

import pytest
from importer_data import OBSERVED_ON


@pytest.fixture
def observed_on() -> dt.date:
    """The day the exports are 'imported' in these tests."""
    return OBSERVED_ON
