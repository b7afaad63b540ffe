"""Shared fixtures: a migrated database per test on SQLite (default) or PostgreSQL.

Set ``IPCITY_TEST_DATABASE_URL=postgresql://…`` to run the whole suite on PostgreSQL: each
pytest-xdist worker gets its own schema, migrated once; every test starts from emptied
tables with the places loaded. On SQLite each test gets a copy of a migrated template file.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from ipcity_testing import PASSWORD, SHARED_DATA, csrf_of, login, shared_file
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from ipcity.auth.roles import SYSTEM
from ipcity.config import Settings
from ipcity.db import make_engine, make_session_factory

__all__ = ["PASSWORD", "SHARED_DATA", "csrf_of", "login", "shared_file"]

PG_URL = os.environ.get("IPCITY_TEST_DATABASE_URL")
KEEP_TABLES = {"alembic_version", "regions", "zones", "population"}


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _run_id() -> str:
    # Unique per test run, so two runs on one PostgreSQL database never share a schema.
    return (os.environ.get("PYTEST_XDIST_TESTRUNUID") or f"{os.getpid()}")[:10]


@pytest.fixture(scope="session")
def _template_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from ipcity.bootstrap import initialize

    if PG_URL:
        schema = f"ipcity_test_{_worker()}_{_run_id()}".lower()
        admin = make_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        admin.dispose()
        sep = "&" if "?" in PG_URL else "?"
        url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
        initialize(Settings(database_url=url, environment="test"))
        yield url
        admin = make_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()
        return
    path = tmp_path_factory.mktemp("template") / "template.db"
    initialize(Settings(database_url=f"sqlite:///{path}", environment="test"))
    yield str(path)


def _reset_postgres(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        tables = [
            r[0]
            for r in conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"))
            if r[0] not in KEEP_TABLES
        ]
        if tables:
            conn.execute(text("TRUNCATE " + ", ".join(tables) + " RESTART IDENTITY CASCADE"))
        conn.execute(
            text("INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, 0, :h)"), {"h": "0" * 64}
        )
    engine.dispose()


@pytest.fixture
def database_url(_template_database: str, tmp_path: Path) -> str:
    """A migrated database with the places loaded, empty of everything else."""
    if PG_URL:
        _reset_postgres(_template_database)
        return _template_database
    target = tmp_path / "ipcity.db"
    shutil.copyfile(_template_database, target)
    return f"sqlite:///{target}"


@pytest.fixture
def fresh_url(tmp_path: Path) -> Iterator[str]:
    """An empty database of this run's kind, for migration tests: a SQLite file, or a schema
    of its own on PostgreSQL (dropped afterwards)."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    schema = f"ipcity_fresh_{_worker()}_{os.getpid()}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()


@pytest.fixture
def is_postgres() -> bool:
    """True when the suite runs on PostgreSQL."""
    return bool(PG_URL)


@pytest.fixture
def concurrent_writers() -> None:
    """Skip (with the reason) where two write transactions cannot run at once: SQLite."""
    if not PG_URL:
        pytest.skip(
            "SQLite serialises writers on one file lock: two concurrent write transactions need PostgreSQL"
        )


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Settings for a test app (its own upload folder)."""
    return Settings(
        database_url=database_url,
        environment="test",
        secret_key="test-secret-key",
        upload_dir=tmp_path / "files",
        login_max_attempts=5,
    )


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    """The engine of the test database."""
    eng = make_engine(settings.database_url)
    yield eng
    eng.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions on the test database."""
    return make_session_factory(engine)


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """One session for a test."""
    with session_factory() as s:
        yield s


@pytest.fixture
def app(settings: Settings) -> Any:
    """The web application on the test database."""
    from ipcity.web.app import create_app

    application = create_app(settings)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def client(app: Any) -> Iterator[Any]:
    """A test client (keeps cookies)."""
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        yield c


@pytest.fixture
def make_user(session_factory: sessionmaker[Session]) -> Callable[..., str]:
    """Create a user of a role; returns the username (password: ``PASSWORD``)."""
    from ipcity.auth.service import create_user

    def _make(
        role: str, username: str | None = None, region_code: str | None = None, holder_id: int | None = None
    ) -> str:
        name = username or f"{role}-user"
        with session_factory() as s:
            create_user(s, SYSTEM, name, PASSWORD, role, region_code=region_code, holder_id=holder_id)
            s.commit()
        return name

    return _make
