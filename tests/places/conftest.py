"""Shared helpers for the places tests."""

from __future__ import annotations

from pathlib import Path

import pytest

# DESIGN: tests may read real public data from ../shared/data (CI has it there).
SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


@pytest.fixture(scope="session")
def admin_divisions_dir() -> Path:
    folder = SHARED_DATA / "admin_divisions"
    if not (folder / "areas.csv").exists():
        pytest.skip("../shared/data/admin_divisions is not available")
    return folder
