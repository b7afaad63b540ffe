"""RegistryReadCache (db.py): a read is shared by the requests that need the same value, and a
slow read of one key holds up neither the reads of other keys nor the values already kept.
read_beside and rows_as_one_value (db.py): a read on a second connection, where one sees
what the caller's sees."""

from __future__ import annotations

import threading
from typing import Any

from ipcity.db import RegistryReadCache, note_registry_change


def test_a_slow_read_holds_up_only_the_requests_for_its_own_key(session_factory: Any) -> None:
    cache: RegistryReadCache[str] = RegistryReadCache(kept=4)
    with session_factory() as s:
        note_registry_change(s.connection())  # a registry state the log can vouch for
        s.commit()
    with session_factory() as s:
        assert cache.get(s, "kept", lambda _c: "kept value") == "kept value"
    release = threading.Event()
    started = threading.Event()
    reads: list[str] = []

    def slow(_connection: Any) -> str:
        reads.append("slow")
        started.set()
        assert release.wait(10)
        return "slow value"

    results: dict[str, str] = {}

    def ask(name: str) -> None:
        with session_factory() as s:
            results[name] = cache.get(s, "slow", slow)

    first = threading.Thread(target=ask, args=("first",))
    second = threading.Thread(target=ask, args=("second",))
    first.start()
    assert started.wait(10)
    second.start()  # the same key: waits for the first read, does not read again
    with session_factory() as s:
        # Meanwhile: a kept value and another key's read go through at once.
        assert cache.get(s, "kept", lambda _c: "read again") == "kept value"
        assert cache.get(s, "other", lambda _c: "other value") == "other value"
    assert "first" not in results
    release.set()
    first.join(10)
    second.join(10)
    assert results == {"first": "slow value", "second": "slow value"}
    assert reads == ["slow"]


def _holder(name: str) -> Any:
    from datetime import UTC, datetime

    from ipcity.registry.models import Holder

    now = datetime(2024, 1, 1, tzinfo=UTC)
    return Holder(name=name, normalized_name=name, kind="enterprise", created_at=now, updated_at=now)


def _holder_names(connection: Any) -> tuple[int, list[str]]:
    from sqlalchemy import select

    from ipcity.registry.models import Holder

    names = connection.execute(select(Holder.name).order_by(Holder.name)).scalars().all()
    return threading.get_ident(), list(names)


def test_a_read_beside_runs_in_another_thread_and_sees_the_last_commit(session_factory: Any) -> None:
    from ipcity.db import read_beside

    with session_factory() as s:
        s.add_all([_holder("甲公司"), _holder("乙公司")])
        s.commit()
    with session_factory() as s:
        thread, names = read_beside(s.connection(), _holder_names).result()
    assert thread != threading.get_ident()
    assert sorted(names) == ["乙公司", "甲公司"]


def test_a_read_beside_sees_the_registry_changes_of_its_own_transaction(session_factory: Any) -> None:
    """A holder added and not committed is seen by its transaction alone: the read runs on
    that transaction's connection, here, and counts it."""
    from ipcity.db import read_beside

    with session_factory() as s:
        s.add(_holder("丙公司"))
        s.flush()
        thread, names = read_beside(s.connection(), _holder_names).result()
        s.rollback()
    assert thread == threading.get_ident()
    assert names == ["丙公司"]


def test_a_read_beside_an_in_memory_database_runs_on_its_one_connection() -> None:
    from sqlalchemy import text

    from ipcity.db import make_engine, read_beside

    engine = make_engine("sqlite://")
    try:
        with engine.connect() as connection:
            connection.execute(text("CREATE TABLE t (n INTEGER)"))
            connection.execute(text("INSERT INTO t VALUES (7)"))

            def read(c: Any) -> tuple[int, int]:
                return threading.get_ident(), c.execute(text("SELECT n FROM t")).scalar_one()

            assert read_beside(connection, read).result() == (threading.get_ident(), 7)
    finally:
        engine.dispose()


def test_rows_as_one_value_gives_each_row_as_a_list_with_dates_as_iso_text(session_factory: Any) -> None:
    from datetime import date

    from sqlalchemy import Date, literal, select

    from ipcity.db import rows_as_one_value
    from ipcity.registry.models import Holder

    with session_factory() as s:
        s.add_all([_holder("甲公司"), _holder("乙公司")])
        s.commit()
        query = select(Holder.name, Holder.kind, literal(date(2020, 2, 29), Date).label("day")).order_by(
            Holder.name.desc()
        )
        rows = rows_as_one_value(s.connection(), query)
        assert sorted(rows) == [
            ["乙公司", "enterprise", "2020-02-29"],
            ["甲公司", "enterprise", "2020-02-29"],
        ]
        assert rows_as_one_value(s.connection(), query.where(Holder.name == "无此公司")) == []
