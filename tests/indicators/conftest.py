"""Fixtures of the indicator tests: population rows a test adds are removed afterwards
(PostgreSQL keeps the population table between tests, as it keeps the places)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from ipcity.places.models import Population

TEST_SOURCE = "测试"


@pytest.fixture(autouse=True)
def _remove_test_population(session_factory: sessionmaker[Session]) -> Iterator[None]:
    yield
    with session_factory() as s:
        s.execute(delete(Population).where(Population.source == TEST_SOURCE))
        s.commit()
