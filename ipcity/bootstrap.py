"""Setting up a database: migrate, load places; and the demo (sample data + officer account)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from ipcity.config import Settings
from ipcity.db import make_engine, make_session_factory, transaction
from ipcity.migrations import upgrade


def initialize(settings: Settings) -> None:
    """Create or migrate the schema, then load the GB/T 2260 table, zones and population."""
    from ipcity.places.service import load_places

    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            load_places(session)
    finally:
        engine.dispose()


@dataclass
class DemoResult:
    """What ``ipcity demo`` made: counts of sample records and the officer account."""

    username: str
    password: str
    counts: dict[str, int] = field(default_factory=dict)


def _sqlite_path(url: str) -> Path | None:
    if url.startswith("sqlite:///") and ":memory:" not in url:
        return Path(url[len("sqlite:///") :])
    return None


def build_demo(settings: Settings, patents: int = 5000, progress: Any = None) -> DemoResult:
    """A fresh database with places, the generated Hebi sample data set and an officer account.

    On SQLite the database file is recreated; another database must be empty of patents."""
    from ipcity.auth.passwords import generate_password
    from ipcity.auth.roles import SYSTEM
    from ipcity.auth.service import create_user
    from ipcity.demo.loader import load_sample
    from ipcity.errors import Conflict
    from ipcity.registry.models import Patent
    from ipcity.registry.service import registry_stats

    path = _sqlite_path(settings.database_url)
    if path is not None:
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    initialize(settings)
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    try:
        with transaction(factory) as session:
            if (session.scalar(select(func.count()).select_from(Patent)) or 0) > 0:
                raise Conflict("数据库中已有专利数据，示例数据只能写入空数据库（SQLite文件会被重建）")
            task = progress.add_task("生成示例数据", total=None) if progress is not None else None
            load_sample(session, patents=patents)
            if progress is not None and task is not None:
                progress.update(task, total=1, completed=1)
            password = generate_password()
            create_user(
                session, SYSTEM, "officer", password, "city_officer", display_name="市知识产权局（示例）"
            )
        with factory() as session:
            counts = registry_stats(session)
    finally:
        engine.dispose()
    return DemoResult(username="officer", password=password, counts=counts)
