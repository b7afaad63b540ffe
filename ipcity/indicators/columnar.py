"""The patent counts of the indicators, computed by DuckDB over a column copy of the
registry tables they read (the rest of the facts come from SQL in
:mod:`ipcity.indicators.queries`).

Why a copy: the invention patents in force on ten year-ends over a million patents is a
window over every status event of every invention patent and a range join with the dates.
SQLite runs that row by row (about nine seconds at a million patents); DuckDB runs it in
columns in a few hundredths of a second. So the rows the patent counts read are copied, as
Arrow columns, into an in-process DuckDB database, reduced there once (the in-force
intervals, the enterprise holders of each, the daily filings and grants by holder place),
and the counts for any set of dates are asked of that copy.

When the copy is read again: the registry's change log (``registry_changes``, written by
the engine for every transaction that touches a patent, a holder link, a status event, a
holder or a zone: ``ipcity.db.note_registry_change``) labels each copy with the log's
state it was read with (in the same transaction), and a copy is used while the log is
unchanged. Where the log cannot vouch for a copy — it is empty, or the caller's own
transaction holds registry changes (a later write of it would not be logged again) — the
copy is read for that call and not kept.

"In force" is the same rule as :mod:`ipcity.registry.legal_status` and the SQL of
:func:`ipcity.indicators.queries.status_intervals`: the status on a day is that of the
latest dated event on or before it (same-day rank, then the order recorded), in force when
granted or restored and the patent is within its legal term.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb
import pyarrow as pa
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ipcity.db import RegistryReadCache
from ipcity.memory import paused_gc
from ipcity.registry.legal_status import IN_FORCE_STATUSES, SAME_DAY_LAST, SAME_DAY_ORDER

# What is read of each table (through the caller's connection: the same transaction as the
# change log's state that labels the copy).
_SOURCES: dict[str, str] = {
    "patents": "SELECT id, jurisdiction, patent_type, filing_date, grant_date, first_holder_id, family FROM patents",
    "pct": (
        "SELECT id, jurisdiction, application_number, pct_application_number, filing_date, first_holder_id"
        " FROM patents WHERE jurisdiction = 'WO' OR pct_application_number IS NOT NULL"
    ),
    # Only what the in-force intervals and the enterprises' counts use (a third of the events).
    "events": (
        "SELECT id, patent_id, status, date FROM patent_status_events WHERE date IS NOT NULL AND patent_id IN"
        " (SELECT id FROM patents WHERE jurisdiction = 'CN' AND patent_type = 'invention')"
    ),
    "links": (
        "SELECT patent_id, holder_id FROM patent_holders"
        " WHERE holder_id IN (SELECT id FROM holders WHERE kind = 'enterprise')"
    ),
    "holders": "SELECT id, kind, region_code, zone_id FROM holders",
    "zones": "SELECT id, code FROM zones",
}

_CHUNK = 250_000  # rows read at once


def _text(column: str) -> str:
    return f"NULLIF(CAST({column} AS VARCHAR), '')"


def _day(column: str) -> str:
    return f"TRY_CAST({_text(column)} AS DATE)"


def _same_day_rank(column: str) -> str:
    ranks = " ".join(f"WHEN '{status}' THEN {rank}" for status, rank in SAME_DAY_ORDER.items())
    return f"CASE {column} {ranks} ELSE {SAME_DAY_LAST} END"


_IN_FORCE = ", ".join(f"'{status}'" for status in sorted(IN_FORCE_STATUSES))

# The reduced tables a copy keeps, built from the tables read (src_*).
_BUILD = [
    f"""CREATE TABLE holder AS
        SELECT h.id, {_text("h.kind")} AS kind, {_text("h.region_code")} AS region, {_text("z.code")} AS zone
        FROM src_holders h LEFT JOIN src_zones z ON z.id = h.zone_id""",
    f"""CREATE TABLE patent AS
        SELECT p.id, {_text("p.jurisdiction")} AS jurisdiction, {_text("p.patent_type")} AS patent_type,
               {_day("p.filing_date")} AS filing_date, {_day("p.grant_date")} AS grant_date,
               {_text("p.family")} AS family, h.region, h.zone
        FROM src_patents p LEFT JOIN holder h ON h.id = p.first_holder_id""",
    # Each event of a CN invention patent as [start, stop); only the in-force ones are kept.
    f"""CREATE TABLE in_force AS
        SELECT * FROM (
          SELECT e.patent_id, e.status, e.day AS start,
                 lead(e.day) OVER (PARTITION BY e.patent_id ORDER BY e.day, {_same_day_rank("e.status")}, e.id)
                   AS stop,
                 p.filing_date, p.grant_date, p.family, p.region, p.zone
          FROM (SELECT id, patent_id, {_text("status")} AS status, {_day("date")} AS day FROM src_events) e
          JOIN patent p ON p.id = e.patent_id AND p.jurisdiction = 'CN' AND p.patent_type = 'invention'
          WHERE e.day IS NOT NULL)
        WHERE status IN ({_IN_FORCE})""",
    # The same intervals for each enterprise holding the patent (any position): one row per
    # holder and interval, so that a count of rows on a day is a count of patents.
    """CREATE TABLE enterprise_in_force AS
        SELECT l.holder_id, h.region, h.zone, i.start, i.stop, i.filing_date
        FROM in_force i
        JOIN (SELECT DISTINCT patent_id, holder_id FROM src_links) l ON l.patent_id = i.patent_id
        JOIN holder h ON h.id = l.holder_id AND h.kind = 'enterprise'""",
    """CREATE TABLE flow AS
        SELECT 'applications' AS what, patent_type, region, zone, filing_date AS day, count(*) AS n
        FROM patent WHERE jurisdiction = 'CN' AND filing_date IS NOT NULL GROUP BY ALL
        UNION ALL
        SELECT 'grants', patent_type, region, zone, grant_date, count(*)
        FROM patent WHERE jurisdiction = 'CN' AND grant_date IS NOT NULL GROUP BY ALL""",
    f"""CREATE TABLE pct AS
        SELECT p.id, {_text("p.jurisdiction")} AS jurisdiction, {_text("p.application_number")} AS number,
               {_text("p.pct_application_number")} AS pct_number, {_day("p.filing_date")} AS filing_date,
               h.region, h.zone
        FROM src_pct p LEFT JOIN holder h ON h.id = p.first_holder_id""",
    "DROP TABLE patent",
    "DROP TABLE holder",
]


@dataclass(frozen=True)
class DateRow:
    """What the counts need of one date (see :func:`ipcity.indicators.queries.dates_cte`)."""

    on: date
    year_start: date
    inv_min: date  # the latest filing day whose legal term has ended by ``on``
    # Ten years before ``on``: an invention filed before it and in force on ``on`` has been
    # maintained over 10 years (CNIPA counts the years of maintenance from the filing date,
    # the start of the term; the grant date stands in where no filing date is known).
    filed_before: date


class Copy:
    """One column copy of the registry, and the counts asked of it."""

    def __init__(self, tables: dict[str, pa.Table]) -> None:
        self._db = duckdb.connect()
        for name, table in tables.items():
            self._db.register(f"src_{name}", table)
        for statement in _BUILD:
            self._db.execute(statement)
        for name in tables:
            self._db.unregister(f"src_{name}")

    @contextmanager
    def _cursor(self) -> Iterator[Any]:
        # A DuckDB connection is not safe across threads; a cursor of it is its own
        # connection to the same database (web requests run in a thread pool).
        cursor = self._db.cursor()
        try:
            yield cursor
        finally:
            cursor.close()

    def _query(self, sql: str, dates: Iterable[DateRow]) -> list[tuple[Any, ...]]:
        values = ", ".join(
            f"(DATE '{d.on}', DATE '{d.year_start}', DATE '{d.inv_min}', DATE '{d.filed_before}')"
            for d in dates
        )
        if not values:
            return []
        with self._cursor() as cursor:
            return list(
                cursor.execute(
                    f"WITH d(on_, year_start, inv_min, filed_before) AS (VALUES {values}) {sql}"
                ).fetchall()
            )

    _HELD = "JOIN d ON i.start <= d.on_ AND (i.stop IS NULL OR i.stop > d.on_) " + (
        "WHERE (i.filing_date IS NULL OR i.filing_date > d.inv_min)"
    )

    def invention_stock(self, dates: Iterable[DateRow]) -> list[tuple[Any, ...]]:
        """(date, region, zone, in force, of those maintained over 10 years: filed before ``filed_before``)."""
        return self._query(
            "SELECT d.on_, i.region, i.zone, count(*),"
            " count(*) FILTER (WHERE coalesce(i.filing_date, i.grant_date) < d.filed_before)"
            f" FROM in_force i {self._HELD} GROUP BY ALL",
            dates,
        )

    def invention_families(self, dates: Iterable[DateRow]) -> list[tuple[Any, ...]]:
        """(date, region, zone, family list, maintained over 10 years) of each
        invention patent in force on the date that has a family list."""
        return self._query(
            "SELECT d.on_, i.region, i.zone, i.family,"
            " coalesce(coalesce(i.filing_date, i.grant_date) < d.filed_before, false)"
            f" FROM in_force i {self._HELD} AND i.family IS NOT NULL",
            dates,
        )

    def flows(self, dates: Iterable[DateRow]) -> list[tuple[Any, ...]]:
        """(what, date, patent type, region, zone, count): CN applications and grants from
        1 January of the date's year to the date."""
        return self._query(
            "SELECT f.what, d.on_, f.patent_type, f.region, f.zone, sum(f.n)::BIGINT"
            " FROM flow f JOIN d ON f.day BETWEEN d.year_start AND d.on_ GROUP BY ALL",
            dates,
        )

    def enterprises(self, dates: Iterable[DateRow], minimum: int) -> list[tuple[Any, ...]]:
        """(date, holder id, region, zone, invention patents in force) of each enterprise
        holding at least ``minimum`` on the date (in any position)."""
        return self._query(
            f"SELECT d.on_, i.holder_id, i.region, i.zone, count(*) AS n FROM enterprise_in_force i {self._HELD}"
            f" GROUP BY ALL HAVING count(*) >= {int(minimum)}",
            dates,
        )

    def pct_rows(self) -> list[tuple[Any, ...]]:
        """(patent id, office, application number, PCT number, filing date, region, zone)
        of WO applications and of patents with a PCT application number."""
        with self._cursor() as cursor:
            return list(
                cursor.execute(
                    "SELECT id, jurisdiction, number, pct_number, filing_date, region, zone FROM pct ORDER BY id"
                ).fetchall()
            )


# The copies kept in the process, by database and change-log state: the current one and the
# one before it.
_COPIES: RegistryReadCache[Copy] = RegistryReadCache(kept=2)
_copies = _COPIES.entries


_ONE_COPY = "indicators.one_copy"  # session.info key: the copy of the current gathering


@contextmanager
def one_copy(session: Session) -> Iterator[None]:
    """Within, every :func:`copy_for` of ``session`` gives the same copy: one gathering of
    facts (several parts, no write between them) reads the registry at most once, also
    where the copy cannot be kept."""
    if _ONE_COPY in session.info:
        yield
        return
    session.info[_ONE_COPY] = None
    try:
        yield
    finally:
        session.info.pop(_ONE_COPY, None)


def copy_for(session: Session) -> Copy:
    """The column copy of the registry as ``session`` sees it, read again only when the
    registry's change log says it changed."""
    memo = session.info.get(_ONE_COPY)
    if memo is not None:
        return memo
    copy = _copy_for(session)
    if _ONE_COPY in session.info:
        session.info[_ONE_COPY] = copy
    return copy


def _copy_for(session: Session) -> Copy:
    return _COPIES.get(session, "copy", lambda connection: Copy(_read(connection)))


def forget_copies() -> None:
    """Drop every copy kept in the process (the next counts read the registry again)."""
    _COPIES.clear()


def _read(connection: Connection) -> dict[str, pa.Table]:
    """Every source table as Arrow columns, read through ``connection``'s own driver
    connection (its transaction): plain tuples, no SQLAlchemy row per row, in chunks (a
    million rows of tuples at once would need hundreds of megabytes)."""
    driver = connection.connection.driver_connection
    assert driver is not None
    out = {}
    cursor = driver.cursor()
    try:
        with paused_gc():  # millions of tuples: no collection pass can free any of them
            for name, sql in _SOURCES.items():
                cursor.execute(sql)
                names = [d[0] for d in cursor.description]
                chunks = []
                while rows := cursor.fetchmany(_CHUNK):
                    columns = zip(*rows, strict=True)
                    chunks.append(pa.table({n: pa.array(c) for n, c in zip(names, columns, strict=True)}))
                # A column all NULL in one chunk has no type there: "permissive" takes the others'.
                out[name] = (
                    pa.concat_tables(chunks, promote_options="permissive")
                    if chunks
                    else pa.table({n: pa.array([]) for n in names})
                )
    finally:
        cursor.close()
    return out
