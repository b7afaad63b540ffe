"""The fast paths of a bulk import give what the plain paths give.

* CN numbers already in canonical form skip the full reader: same values, same errors.
* A load that at least doubles a table rebuilds its secondary indexes afterwards (SQLite):
  the database ends up the same as with the indexes kept, ANALYZE statistics survive, and
  a failure mid-way rolls the indexes back with everything else.
* The collector paused for an import promotes its objects instead of scanning them all,
  and leaves objects frozen by the process alone.
"""

from __future__ import annotations

import gc
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ipcity_testing import shared_file
from registry_testkit import OFFICER, dump_database
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ipcity.db import make_engine, make_session_factory
from ipcity.errors import InvalidNumber
from ipcity.registry import store
from ipcity.registry.importers import paused_gc
from ipcity.registry.importing import run_import
from ipcity.registry.numbers import (
    application_number_and_type,
    canonical_application_number,
    canonical_cn_publication,
    check_digit,
    parse_application_number,
    parse_publication_number,
    publication_number_parts,
)

VR = "patentics_cn_virtual_reality_7805.csv.gz"
OBSERVED = date(2024, 6, 30)


# --------------------------------------------------------------------------- numbers


def _outcome(call: Any, text: str) -> Any:
    try:
        return ("ok", call(text))
    except InvalidNumber as exc:
        return ("error", exc.message, exc.params)


@st.composite
def application_texts(draw: st.DrawFn) -> str:
    """Canonical numbers, some with a wrong check digit, an odd year or type, or one
    character changed (full-width, lower-case x, a space, a letter)."""
    if draw(st.booleans()):
        body = (
            f"{draw(st.integers(1995, 2040))}{draw(st.integers(0, 9))}{draw(st.integers(0, 9_999_999)):07d}"
        )
    else:
        body = f"{draw(st.integers(0, 99)):02d}{draw(st.integers(0, 9))}{draw(st.integers(0, 99_999)):05d}"
    check = check_digit(body) if draw(st.booleans()) else draw(st.sampled_from("0123456789Xx"))
    text = f"{draw(st.sampled_from(['CN', 'CN', 'ZL', 'cn', '']))}{body}{draw(st.sampled_from(['.', '.', '']))}{check}"
    if draw(st.booleans()):
        at = draw(st.integers(0, len(text) - 1))
        text = text[:at] + draw(st.sampled_from("０１X x.AZ٣")) + text[at + 1 :]
    return text


@st.composite
def publication_texts(draw: st.DrawFn) -> str:
    serial = "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=5, max_size=11)))
    kind = draw(st.sampled_from(["A", "B", "C", "D", "S", "U", "Y", "B8", "A9", "A1", "E", "", "8", "b"]))
    text = f"{draw(st.sampled_from(['CN', 'CN', 'cn', 'US', 'C N']))}{serial}{kind}"
    if draw(st.booleans()):
        at = draw(st.integers(0, len(text) - 1))
        text = text[:at] + draw(st.sampled_from("０1A /-٣")) + text[at + 1 :]
    return text


@given(application_texts())
def test_the_application_number_fast_path_agrees_with_the_full_reader(text: str) -> None:
    full = _outcome(parse_application_number, text)
    both = _outcome(application_number_and_type, text)
    if full[0] == "ok":
        assert both == ("ok", (full[1].canonical, full[1].patent_type))
    else:
        assert both == full
    fast = canonical_application_number(text)
    if fast is not None:
        assert text == full[1].canonical and fast == (text, full[1].patent_type)


@given(publication_texts())
def test_the_publication_number_fast_path_agrees_with_the_full_reader(text: str) -> None:
    full = _outcome(parse_publication_number, text)
    parts = _outcome(publication_number_parts, text)
    if full[0] == "ok":
        number = full[1]
        assert parts == ("ok", (number.canonical, number.jurisdiction, number.kind))
    else:
        assert parts == full
    fast = canonical_cn_publication(text)
    if fast is not None:
        assert (text, fast) == (full[1].canonical, (full[1].number, full[1].kind))


def test_only_canonical_numbers_take_the_fast_path() -> None:
    assert canonical_application_number("CN202121889167.X") == ("CN202121889167.X", "utility_model")
    assert canonical_application_number("CN88109087.5") == ("CN88109087.5", "invention")
    for text in ("CN202121889167.x", "ZL201910593937.7", "CN 201910593937.7", "201910593937.7"):
        assert canonical_application_number(text) is None
        assert application_number_and_type(text)[0] in ("CN202121889167.X", "CN201910593937.7")
    assert canonical_cn_publication("CN110298449A") == ("110298449", "A")
    assert canonical_cn_publication("cn110298449a") is None
    assert publication_number_parts("cn 110298449 a") == ("CN110298449A", "CN", "A")


# --------------------------------------------------------------------------- index rebuild


def _schema(db: Path) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return sorted(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))
    finally:
        conn.close()


def _import(engine: Engine, name: str, observed: date = OBSERVED) -> Any:
    with make_session_factory(engine)() as session:
        return run_import(session, OFFICER, shared_file("patents_cn", name), observed_on=observed)


def test_a_load_that_doubles_a_table_rebuilds_its_indexes_to_the_same_database(
    engine: Engine, database_url: str, is_postgres: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if is_postgres:
        pytest.skip("the indexes are rebuilt on SQLite only")
    db = Path(database_url.removeprefix("sqlite:///"))
    _import(engine, "henan_sample_10_62cols.csv")
    engine.dispose()
    conn = sqlite3.connect(db)
    conn.execute("ANALYZE")
    conn.commit()
    stats_before = dict(conn.execute("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = 'patents'"))
    twin = tmp_path / "twin.db"
    with sqlite3.connect(twin) as copy:
        conn.backup(copy)
    copy.close()
    conn.close()
    assert "ix_patents_filing_date" in stats_before
    schema = _schema(db)

    dropped: list[str] = []
    real_drop = store._SecondaryIndexes.drop

    def spy(indexes: Any) -> None:
        dropped.extend(name for name, _ in indexes.indexes)
        real_drop(indexes)

    monkeypatch.setattr(store._SecondaryIndexes, "drop", spy)
    monkeypatch.setattr(store, "REBUILD_MIN_ROWS", 1)
    result = _import(engine, VR)
    assert result.inserted == 7805
    assert {
        "ix_patents_filing_date",
        "ix_patents_ipc_main",
        "ix_patent_publications_patent_id",
        "ix_patent_holders_holder_patent",
        "ix_patent_holders_patent_position_holder",
        "ix_patent_status_events_patent_date",
    } <= set(dropped)
    assert _schema(db) == schema
    conn = sqlite3.connect(db)
    stats_after = dict(conn.execute("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = 'patents'"))
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()
    assert stats_after == stats_before

    monkeypatch.setattr(store, "REBUILD_MIN_ROWS", 10**9)
    twin_engine = make_engine(f"sqlite:///{twin}")
    _import(twin_engine, VR)
    assert _dumped(engine) == _dumped(twin_engine)
    twin_engine.dispose()


def _dumped(engine: Engine) -> dict[str, Any]:
    dump = dump_database(engine)
    # Timestamps are the import's own "now"; everything else must be the same.
    dump.pop("audit_log", None)
    dump.pop("audit_head", None)
    dump.pop("import_batches", None)
    for table in ("patents", "holders"):
        dump[table] = [row[:-2] for row in dump[table]]
    return dump


def test_a_failed_load_leaves_the_indexes_as_they_were(
    engine: Engine, database_url: str, is_postgres: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if is_postgres:
        pytest.skip("the indexes are rebuilt on SQLite only")
    db = Path(database_url.removeprefix("sqlite:///"))
    schema = _schema(db)
    real_insert = store.bulk_insert

    def failing(session: Session, table: Any, rows: Any, columns: Any = None) -> None:
        real_insert(session, table, rows, columns)
        if table.name == "patent_holders":
            raise RuntimeError("disk full")

    monkeypatch.setattr(store, "REBUILD_MIN_ROWS", 1)
    monkeypatch.setattr(store, "bulk_insert", failing)
    with pytest.raises(RuntimeError):
        _import(engine, VR)
    engine.dispose()
    assert _schema(db) == schema
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM patents").fetchone() == (0,)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()


def test_a_failed_index_build_fails_the_import(
    engine: Engine, database_url: str, is_postgres: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if is_postgres:
        pytest.skip("the indexes are rebuilt on SQLite only")
    db = Path(database_url.removeprefix("sqlite:///"))
    schema = _schema(db)
    real_build = store._SecondaryIndexes.build

    def failing(indexes: Any) -> None:
        if any(name.startswith("ix_patents_") for name, _ in indexes.indexes):
            raise RuntimeError("no space left for the index")
        real_build(indexes)

    monkeypatch.setattr(store, "REBUILD_MIN_ROWS", 1)
    monkeypatch.setattr(store._SecondaryIndexes, "build", failing)
    with pytest.raises(RuntimeError, match="no space left"):
        _import(engine, VR)
    engine.dispose()
    assert _schema(db) == schema


# --------------------------------------------------------------------------- collector


def test_objects_made_while_the_collector_is_paused_are_promoted() -> None:
    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
        made = [[i] for i in range(50_000)]
    assert gc.isenabled()
    # Promoted to the oldest generation, not left for the next young collection to scan.
    assert gc.get_count()[0] < 1_000
    assert made[-1] == [49_999]


def test_objects_frozen_by_the_process_stay_frozen() -> None:
    sentinel = [object()]  # a container the collector tracks
    gc.freeze()
    try:
        with paused_gc():
            [[i] for i in range(1_000)]
        # Still in the permanent generation: none of the collector's generations lists it.
        # (Not a count of frozen objects: another thread freeing one of its own changes it.)
        assert not any(o is sentinel for o in gc.get_objects())
    finally:
        gc.unfreeze()
    assert any(o is sentinel for o in gc.get_objects())  # back with the collector, and seen
