"""The column copy the patent counts are computed from (indicators/columnar.py) and the
registry's change log that decides when it is read again, on SQLite and PostgreSQL.

A copy is kept while the log vouches for it and read for one call otherwise (changes not
yet committed): both must give the same facts, and those facts must agree with
``legal_status`` patent by patent — on a real export as well as on the hand-built registry.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import pytest
from indicators_registry import NOW, build, holder, patent
from ipcity_testing import shared_file
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from ipcity.auth.roles import SYSTEM
from ipcity.indicators import columnar, queries
from ipcity.indicators.facts import RegistryFacts
from ipcity.registry.importing import run_import
from ipcity.registry.legal_status import in_force_on
from ipcity.registry.models import Patent, RegistryChange

YEAR_ENDS = [date(y, 12, 31) for y in range(2014, 2025)]


def _log_length(factory: sessionmaker[Session]) -> int:
    with factory() as s:
        return int(s.scalar(select(func.count()).select_from(RegistryChange)) or 0)


def _plain(facts: RegistryFacts) -> dict[str, Any]:
    """Every patent fact as plain, ordered values (to compare two readings)."""
    return {
        "counts": {
            name: {on: sorted(bucket.items(), key=repr) for on, bucket in counts.data.items() if bucket}
            for name, counts in facts.patent_counts.items()
        },
        "enterprises": {on: sorted(rows, key=repr) for on, rows in facts.enterprise_inventions.items()},
        "pct": sorted(facts.pct_applications, key=repr),
    }


def _with_counts(session: Session, dates: list[date]) -> RegistryFacts:
    facts = queries.gather_parts(session, dates, ["enterprise_inventions", "pct_applications"])
    queries._patent_stock(session, facts)
    queries._patent_flows(session, facts)
    return facts


def test_the_change_log_has_one_row_per_transaction_that_writes_to_the_registry(
    session_factory: sessionmaker[Session],
) -> None:
    start = _log_length(session_factory)
    with session_factory() as s:  # two tables, several statements: one transaction, one row
        h = holder(s, "日志甲公司", "410611")
        patent(s, [h], [("granted", date(2019, 5, 7))])
        s.commit()
    assert _log_length(session_factory) == start + 1
    with session_factory() as s:  # reading writes nothing
        s.scalars(select(Patent)).all()
        s.commit()
    assert _log_length(session_factory) == start + 1
    with session_factory() as s:  # a rolled-back change leaves no row either
        holder(s, "日志乙公司", "410611")
        s.rollback()
    assert _log_length(session_factory) == start + 1
    with session_factory() as s:  # an UPDATE of a holder is a change
        s.execute(text("UPDATE holders SET region_code = '410621' WHERE name = '日志甲公司'"))
        s.commit()
    assert _log_length(session_factory) == start + 2


def test_a_real_import_is_logged_and_the_copy_is_read_again_after_it(
    session_factory: sessionmaker[Session],
) -> None:
    from registry_testkit import OFFICER

    columnar.forget_copies()
    with session_factory() as s:
        build(s)
    with session_factory() as s:
        first = columnar.copy_for(s)
        assert columnar.copy_for(s) is first  # nothing changed: the same copy
        before = queries.gather_facts(s, [date(2020, 12, 31)]).counts("invention_in_force")
        last_hand_built = s.scalar(select(func.max(Patent.id))) or 0
    start = _log_length(session_factory)
    path = shared_file("patents_cn", "patentics_cn_augmented_reality_4483.csv.gz")
    with session_factory() as s:
        run_import(s, OFFICER, path, observed_on=date(2024, 6, 30))  # COPY on PostgreSQL
        s.commit()
    assert _log_length(session_factory) == start + 1
    with session_factory() as s:
        again = columnar.copy_for(s)
        assert again is not first
        after = queries.gather_facts(s, [date(2020, 12, 31)]).counts("invention_in_force")
        total = sum(after.data[date(2020, 12, 31)].values()) - sum(before.data[date(2020, 12, 31)].values())
        imported = _in_force_by_legal_status(s, date(2020, 12, 31), after_id=last_hand_built)
    assert total == imported > 0


def _in_force_by_legal_status(session: Session, on: date, after_id: int = 0) -> int:
    """CN invention patents in force on ``on`` (of those with an id above ``after_id``),
    patent by patent with legal_status."""
    n = 0
    for p in session.scalars(
        select(Patent).where(
            Patent.jurisdiction == "CN", Patent.patent_type == "invention", Patent.id > after_id
        )
    ):
        n += in_force_on(p.patent_type, p.filing_date, [(e.status, e.date) for e in p.status_events], on)
    return n


def test_a_kept_copy_and_a_one_call_copy_give_the_same_facts_on_a_real_export(
    session_factory: sessionmaker[Session],
) -> None:
    from registry_testkit import OFFICER

    path = shared_file("patents_cn", "incopat_iflytek_cn_3816.csv.gz")
    with session_factory() as s:
        build(s)
        run_import(s, OFFICER, path, observed_on=date(2024, 6, 30))
        # Not committed yet: the copy is read through this session and not kept.
        uncommitted = _plain(_with_counts(s, YEAR_ENDS))
        s.commit()
    columnar.forget_copies()
    with session_factory() as s:
        committed = _plain(_with_counts(s, YEAR_ENDS))
        assert columnar._copies, "the copy of a committed state is kept"
        for on in (date(2016, 12, 31), date(2020, 12, 31), date(2024, 12, 31)):
            counted = sum(n for _key, n in dict(committed["counts"]["invention_in_force"]).get(on, []))
            assert counted == _in_force_by_legal_status(s, on), on
    assert committed == uncommitted
    assert sum(n for _k, n in committed["counts"]["applications_invention"][date(2018, 12, 31)]) > 0


def test_uncommitted_changes_are_counted_and_not_kept(session_factory: sessionmaker[Session]) -> None:
    columnar.forget_copies()
    on = date(2020, 12, 31)
    with session_factory() as s:
        build(s)
    with session_factory() as s:
        base = queries.gather_facts(s, [on]).counts("invention_in_force").data[on]
        kept = dict(columnar._copies)
        h = holder(s, "未提交公司", "410611")
        patent(s, [h], [("granted", date(2019, 5, 7))])
        now = queries.gather_facts(s, [on]).counts("invention_in_force").data[on]
        assert Counter(now) - Counter(base) == Counter({("410611", None): 1})
        assert dict(columnar._copies) == kept
        s.rollback()
        assert queries.gather_facts(s, [on]).counts("invention_in_force").data[on] == base


def test_a_scoreboard_after_a_change_shows_the_change(session_factory: sessionmaker[Session]) -> None:
    from ipcity.indicators import service

    on = date(2020, 12, 31)
    with session_factory() as s:
        build(s)
    with session_factory() as s:
        before = service.scoreboard(s, SYSTEM, [on]).value(on, "410611", "invention_patents_in_force")
    with session_factory() as s:
        h = holder(s, "后来公司", "410611")
        patent(s, [h], [("granted", date(2019, 5, 7))])
        s.commit()
    with session_factory() as s:
        after = service.scoreboard(s, SYSTEM, [on]).value(on, "410611", "invention_patents_in_force")
    assert before is not None and after is not None
    assert after.value == before.value + 1


@pytest.mark.parametrize(
    "statement, logged",
    [
        ("INSERT INTO patents (id) VALUES (1)", True),
        ('UPDATE "holders" SET kind = 1', True),
        ("DELETE FROM patent_status_events WHERE id = 1", True),
        ("INSERT OR IGNORE INTO zones (code) VALUES ('x')", True),
        ("TRUNCATE policy_cases, patent_holders RESTART IDENTITY", True),
        ("INSERT INTO patent_fts (rowid) VALUES (1)", False),
        ("UPDATE audit_head SET last_id = 1", False),
        ("SELECT * FROM patents", False),
    ],
)
def test_which_statements_are_registry_changes(statement: str, logged: bool) -> None:
    from ipcity.db import _writes_registry

    assert _writes_registry(statement) is logged


def test_one_gathering_reads_the_registry_once_even_when_the_copy_cannot_be_kept(
    session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[int] = []
    real_read = columnar._read
    monkeypatch.setattr(columnar, "_read", lambda connection: reads.append(1) or real_read(connection))
    columnar.forget_copies()
    with session_factory() as s:
        build(s)
        h = holder(s, "未提交公司", "410611")
        patent(s, [h], [("granted", date(2019, 5, 7))])  # this transaction wrote: not kept
        queries.gather_facts(s, YEAR_ENDS)
        assert len(reads) == 1
        queries.gather_facts(s, YEAR_ENDS)  # a second gathering reads again (it may follow a write)
        assert len(reads) == 2
        s.rollback()


def test_changes_not_yet_flushed_are_counted(session_factory: sessionmaker[Session]) -> None:
    from ipcity.registry.models import Holder as HolderRow
    from ipcity.registry.models import PatentStatusEvent

    on = date(2020, 12, 31)
    with session_factory() as s:
        build(s)
    with session_factory() as s:
        before = queries.gather_facts(s, [on]).counts("invention_in_force").data[on][("410611", None)]
        h = HolderRow(
            name="未刷新公司",
            normalized_name="未刷新公司",
            kind="enterprise",
            region_code="410611",
            tags=[],
            created_at=NOW,
            updated_at=NOW,
        )
        p = Patent(
            application_number="CN201910000099.9",
            jurisdiction="CN",
            patent_type="invention",
            title="未刷新的专利",
            filing_date=date(2018, 1, 2),
            grant_date=date(2019, 6, 1),
            content_hash="x" * 32,
            created_at=NOW,
            updated_at=NOW,
        )
        s.add_all([h, p])
        p.status_events = [
            PatentStatusEvent(status="filed", date=date(2018, 1, 2)),
            PatentStatusEvent(status="granted", date=date(2019, 6, 1)),
        ]
        s.flush()  # ids for the link; the events and the first holder stay pending
        p.first_holder_id = h.id
        # Counted for 淇滨区 only through its first holder, a change still pending.
        after = queries.gather_facts(s, [on]).counts("invention_in_force").data[on][("410611", None)]
        assert after == before + 1
        s.rollback()


def test_a_savepoint_rolled_back_does_not_leave_the_transaction_unlogged(
    session_factory: sessionmaker[Session],
) -> None:
    start = _log_length(session_factory)
    with session_factory() as s:
        nested = s.begin_nested()
        holder(s, "回滚公司", "410611")  # logs this transaction's row inside the savepoint …
        nested.rollback()  # … which takes it away
        holder(s, "留下公司", "410611")
        s.commit()
    assert _log_length(session_factory) == start + 1
