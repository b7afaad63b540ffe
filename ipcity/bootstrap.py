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


# The registry tables whose rows say whether the demo made them.
_SAMPLE_FLAGGED = (
    "patents",
    "holders",
    "trademarks",
    "copyrights",
    "plant_varieties",
    "geographical_indications",
)


def _data_not_from_a_demo(path: Path) -> tuple[int, int, int]:
    """What the SQLite file at ``path`` holds that ``ipcity demo`` did not make: the number
    of imports, of records not marked sample and of users besides the demo's officer. All
    zero when the file is absent, is not a database of this schema, or holds only what a
    demo made (then it may be made again)."""
    import sqlite3

    if not path.is_file():
        return 0, 0, 0
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return 0, 0, 0
    imports = records = users = 0
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "import_batches" in tables:
            imports = con.execute("SELECT count(*) FROM import_batches").fetchone()[0]
        for table in _SAMPLE_FLAGGED:
            if table in tables:
                records += con.execute(f"SELECT count(*) FROM {table} WHERE is_sample = 0").fetchone()[0]
        if "users" in tables:
            users = con.execute("SELECT count(*) FROM users WHERE username != 'officer'").fetchone()[0]
    except sqlite3.Error:
        return 0, 0, 0  # not this platform's database: nothing of ours to protect in it
    finally:
        con.close()
    return imports, records, users


def build_demo(settings: Settings, patents: int = 5000, progress: Any = None) -> DemoResult:
    """A fresh database with places, the generated Hebi sample data set and an officer account.

    On SQLite the database file is recreated, unless it holds data the demo did not make
    (an import, a record not marked sample, another user): then it is refused and left as
    it is. Another database must be empty of patents."""
    from ipcity.auth.passwords import generate_password
    from ipcity.auth.roles import SYSTEM
    from ipcity.auth.service import create_user
    from ipcity.demo.loader import load_sample
    from ipcity.errors import Conflict
    from ipcity.registry.models import Patent
    from ipcity.registry.service import registry_stats

    path = _sqlite_path(settings.database_url)
    if path is not None:
        imports, records, users = _data_not_from_a_demo(path)
        if imports or records or users:
            raise Conflict(
                "数据库文件 {path} 中已有非示例数据（导入 {imports} 次、非示例记录 {records} 条、"
                "示例账号以外的用户 {users} 个），示例数据不会覆盖它；请用另一个数据库文件（--db），"
                "或确认不再需要后自行删除该文件",
                path=str(path),
                imports=imports,
                records=records,
                users=users,
            )
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
