"""Bulk writers of the registry: turn records into rows, deciding new / changed / unchanged.

Imports run through here in one transaction per file (the caller owns it), so a crash or a
``kill -9`` mid-way leaves the database as it was before the file. The writers use Core
``executemany`` inserts with ids assigned in the process: an import of a million rows must
not pay for an ORM object or a round trip per row. Imports are serialised (SQLite: the
write lock taken by the first write; PostgreSQL: an advisory lock), which is what makes
assigning ids here safe; sequences are moved past them at the end on PostgreSQL.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Table, bindparam, delete, func, select, text, update
from sqlalchemy.orm import Session

from ipcity import clock
from ipcity.db import bulk_insert
from ipcity.errors import Conflict
from ipcity.registry.models import (
    Holder,
    HolderName,
    Patent,
    PatentHolder,
    PatentPublication,
    PatentStatusEvent,
)
from ipcity.registry.normalize import display_name, infer_holder_kind, normalize_name
from ipcity.registry.records import TERMINAL_STATUSES, PatentRecord, PublicationRecord
from ipcity.registry.search import index_text

Progress = Callable[[str, int, int], None]
CHUNK = 5000


def _fts_table() -> Any:
    from sqlalchemy import Column, Integer, MetaData, Table, Text

    return Table(
        "patent_fts", MetaData(), Column("rowid", Integer), Column("title", Text), Column("abstract", Text)
    )


def _noop(_stage: str, _done: int, _total: int) -> None:
    return None


@dataclass
class WriteCounts:
    """What a write changed, in records (patents, holders …), not file rows."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    changed_ids: list[int] = field(default_factory=list)


def lock_for_import(session: Session) -> None:
    """Serialise imports: take the database write lock (SQLite) or an advisory lock (PostgreSQL)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(20171930)"))
    else:
        # Any write takes SQLite's single write lock for the rest of the transaction.
        session.execute(text("UPDATE audit_head SET last_id = last_id WHERE id = 1"))


def next_id(session: Session, table: Table) -> int:
    """The next free primary key of ``table`` (call after :func:`lock_for_import`)."""
    return int(session.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0) + 1


def advance_sequences(session: Session, tables: Iterable[Table]) -> None:
    """On PostgreSQL, move each table's id sequence past the ids assigned here."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table.name}), 1))"
            )
        )


def content_hash(values: Sequence[Any]) -> str:
    """A short stable hash of a record's content (compare a re-import without every column)."""
    # repr of lists, strings, ints and dates is stable and several times cheaper than JSON.
    return hashlib.md5(repr(values).encode("utf-8"), usedforsecurity=False).hexdigest()


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


LOOKUP_CHUNK = 50_000


def _member_of(session: Session, column: Any, values: Sequence[Any]) -> Any:
    """``column IN values`` as one bound parameter (a JSON array on SQLite, an array on
    PostgreSQL): ``in_()`` with thousands of values compiles one parameter per value,
    which cost more than the query itself."""
    name = f"{column.table.name}.{column.name}"
    if session.get_bind().dialect.name == "sqlite":
        return text(f"{name} IN (SELECT value FROM json_each(:members))").bindparams(
            members=json.dumps(list(values), ensure_ascii=False)
        )
    return text(f"{name} = ANY(:members)").bindparams(members=list(values))


# --------------------------------------------------------------------------- holders


@dataclass
class HolderSeed:
    """What a patent file tells about a holder: its name and, for the first applicant of a
    row with an address column, the address."""

    name: str
    address: str | None = None
    uscc: str | None = None  # kept on a holder created from the seed (evidence lists give it)


def ensure_holders(
    session: Session,
    seeds: Iterable[HolderSeed],
    now: datetime,
    locate_address: Callable[[str], tuple[str | None, int | None]] | None = None,
    is_sample: bool = False,
) -> tuple[dict[str, int], int]:
    """Make sure a holder exists for every name; return ``{normalized name: id}`` and the
    number of holders created. Existing holders keep what officers set; a holder with no
    address gets the first address a file gives, and its region and zone from it."""
    wanted: dict[str, HolderSeed] = {}
    for seed in seeds:
        key = normalize_name(seed.name)
        if not key:
            continue
        known = wanted.get(key)
        if known is None:
            wanted[key] = seed
        elif known.address is None and seed.address:
            wanted[key] = HolderSeed(known.name, seed.address, known.uscc)
    ids: dict[str, int] = {}
    addressless: set[int] = set()
    keys = list(wanted)
    for chunk in _chunks(keys, LOOKUP_CHUNK):
        for hid, norm, address in session.execute(
            select(Holder.id, Holder.normalized_name, Holder.address).where(
                _member_of(session, Holder.normalized_name, chunk)
            )
        ):
            ids[norm] = hid
            if address is None:
                addressless.add(hid)
    # A name a holder bore before its present one (曾用名) is that holder, not a new one.
    for chunk in _chunks([k for k in keys if k not in ids], LOOKUP_CHUNK):
        for hid, norm, address in session.execute(
            select(Holder.id, HolderName.normalized_name, Holder.address)
            .join(HolderName, HolderName.holder_id == Holder.id)
            .where(_member_of(session, HolderName.normalized_name, chunk))
        ):
            ids[norm] = hid
            if address is None:
                addressless.add(hid)
    new_rows: list[dict[str, Any]] = []
    codes_given: set[str] = set()
    hid = next_id(session, Holder.__table__)  # type: ignore[arg-type]
    for key, seed in wanted.items():
        if key in ids:
            continue
        # A credit code is unique: two new names with one code keep it on the first only.
        uscc = seed.uscc if seed.uscc and seed.uscc not in codes_given else None
        if uscc:
            codes_given.add(uscc)
        region, zone = (None, None)
        if seed.address and locate_address is not None:
            region, zone = locate_address(seed.address)
        shown = display_name(seed.name)
        new_rows.append(
            {
                "id": hid,
                "name": shown,
                "normalized_name": key,
                "kind": infer_holder_kind(shown),
                "uscc": uscc,
                "region_code": region,
                "zone_id": zone,
                "zone_explicit": False,
                "address": seed.address,
                "tags": [],
                "is_sample": is_sample,
                "created_at": now,
                "updated_at": now,
            }
        )
        ids[key] = hid
        hid += 1
    bulk_insert(session, Holder.__table__, new_rows)
    if new_rows:
        # Ids were assigned here: PostgreSQL's sequence must not hand them out again.
        advance_sequences(session, [Holder.__table__])  # type: ignore[list-item]
    # Fill in an address for known holders that had none (first address wins; never overwrite).
    if locate_address is not None:
        for key, seed in wanted.items():
            known_id = ids[key]
            if seed.address and known_id in addressless:
                region, zone = locate_address(seed.address)
                session.execute(
                    update(Holder)
                    .where(Holder.id == known_id, Holder.address.is_(None))
                    .values(address=seed.address, region_code=region, zone_id=zone, updated_at=now)
                )
    return ids, len(new_rows)


def holders_named(session: Session, keys: Iterable[str]) -> dict[str, int]:
    """The holder of each normalized name among ``keys`` that a holder bears now or bore
    before (its 曾用名, ``holder_names``): ``{normalized name: holder id}``."""
    wanted = sorted(set(keys))
    found: dict[str, int] = {}
    for chunk in _chunks(wanted, LOOKUP_CHUNK):
        found.update(
            (norm, hid)
            for norm, hid in session.execute(
                select(Holder.normalized_name, Holder.id).where(
                    _member_of(session, Holder.normalized_name, chunk)
                )
            )
        )
    for chunk in _chunks([k for k in wanted if k not in found], LOOKUP_CHUNK):
        found.update(
            (norm, hid)
            for norm, hid in session.execute(
                select(HolderName.normalized_name, HolderName.holder_id).where(
                    _member_of(session, HolderName.normalized_name, chunk)
                )
            )
        )
    return found


MSG_NAME_OF_ANOTHER_HOLDER = (
    "名称“{name}”已是另一权利人“{other}”（编号 {id}）的现用名或曾用名，不能用作本权利人的名称"
)


def renaming_conflict(session: Session, holder_id: int, name: str) -> Conflict | None:
    """Why ``holder_id`` may not take ``name``: the normalized name is another holder's,
    present or former (two holders would answer to one name); None when it may."""
    other = holders_named(session, [normalize_name(name)]).get(normalize_name(name))
    if other is None or other == holder_id:
        return None
    holder = session.get(Holder, other)
    return Conflict(MSG_NAME_OF_ANOTHER_HOLDER, name=name, other=holder.name if holder else "", id=other)


def rename_holder(session: Session, holder: Holder, name: str, now: datetime | None = None) -> None:
    """Give ``holder`` the name ``name`` (as shown); where its normalized name changes, the
    name it bore becomes a former name (曾用名), so that files naming it still find this
    holder, and a former name taken up again is present again. Raises :class:`Conflict`
    when the name is another holder's (see :func:`renaming_conflict`)."""
    key = normalize_name(name)
    if key == holder.normalized_name:
        holder.name = name
        return
    refused = renaming_conflict(session, holder.id, name)
    if refused is not None:
        raise refused
    session.execute(
        delete(HolderName).where(HolderName.holder_id == holder.id, HolderName.normalized_name == key)
    )
    session.add(
        HolderName(
            holder_id=holder.id,
            name=holder.name,
            normalized_name=holder.normalized_name,
            replaced_at=now or datetime.now(UTC),
        )
    )
    holder.name, holder.normalized_name = name, key


# --------------------------------------------------------------------------- patents


def _publication_keys(publications: list[PublicationRecord]) -> list[tuple[str, str, date | None]]:
    if len(publications) == 1:  # most applications: no generator, no sort
        only = publications[0]
        return [(only.number, only.kind, only.date)]
    return sorted((p.number, p.kind, p.date) for p in publications)


def patent_content(record: PatentRecord) -> list[Any]:
    """The bibliographic content compared on re-import (the status history is compared apart)."""
    return [
        record.jurisdiction,
        record.patent_type,
        record.title,
        record.title_en,
        record.abstract,
        record.filing_date,
        record.publication_date,
        record.grant_date,
        record.ipc_main,
        record.ipc_all,
        record.applicants,
        record.inventors,
        _publication_keys(record.publications),
        record.pct_application_number,
        record.pct_publication_number,
        record.family,
        record.claims_count,
    ]


def _new_status_events(
    record: PatentRecord, existing: list[tuple[str, date | None, bool]], observed_on: date | None = None
) -> list[tuple[str, date | None, bool]]:
    """Events of ``record`` not yet in the history.

    A dated event is new unless the same status with the same date is known. An undated
    (observed) status is new only when it differs from the latest status, so re-importing
    an export on another day adds nothing. When the status the file shows as current is
    not the registry's latest (无效, then 有效 again), the file's status is recorded as
    observed on ``observed_on`` — as ``restored`` when an ended right is in force again.
    Exports are taken to be imported in the order they were made.
    """
    from ipcity.registry.legal_status import IN_FORCE_STATUSES, _sort_key, term_end

    known = {(s, d) for s, d, _ in existing}
    history = [(s, d) for s, d, _ in existing]
    out: list[tuple[str, date | None, bool]] = []

    def latest() -> str | None:
        return max(history, key=_sort_key)[0] if history else None

    def same(a: str | None, b: str | None) -> bool:
        return a == b or (a in IN_FORCE_STATUSES and b in IN_FORCE_STATUSES)

    # A right in force by its history whose legal term has run out is shown as expired (the
    # registry's reading, registry.service._shown_status): a file saying so, undated, tells
    # nothing new, and is not dated by the day of its export.
    end = term_end(record.patent_type, record.filing_date)
    term_over = end is not None and (observed_on or clock.today()) >= end

    def told_by_the_term(status: str) -> bool:
        return status == "expired" and term_over and latest() in IN_FORCE_STATUSES

    for event in record.statuses:
        if event.date_observed:
            if same(event.status, latest()) or told_by_the_term(event.status):
                continue
        elif (event.status, event.date) in known:
            continue
        out.append((event.status, event.date, event.date_observed))
        known.add((event.status, event.date))
        history.append((event.status, event.date))
    if record.statuses and existing and record.status_shown:
        shown = max(((e.status, e.date) for e in record.statuses), key=_sort_key)[0]
        now = latest()
        if not same(shown, now) and not told_by_the_term(shown):
            day = observed_on or max(
                (e.date for e in record.statuses if e.date_observed and e.date), default=clock.today()
            )
            status = "restored" if shown in IN_FORCE_STATUSES and now in TERMINAL_STATUSES else shown
            out.append((status, day, True))
    return out


# Fields a later export may lack (Patentics has no abstract, incoPat no claims count …):
# an empty value in the file keeps what the registry holds, so a poorer export never
# erases data and two exports of the same patent do not undo each other.
_KEPT_FIELDS = (
    "title_en",
    "abstract",
    "filing_date",
    "publication_date",
    "grant_date",
    "ipc_main",
    "pct_application_number",
    "pct_publication_number",
    "claims_count",
    "patent_type",
)
_KEPT_LISTS = ("ipc_all", "inventors", "family")


def _stored_patents(session: Session, ids: list[int]) -> dict[int, dict[str, Any]]:
    """The stored bibliographic fields and publications of existing patents."""
    names = ("id", "title", *_KEPT_FIELDS, *_KEPT_LISTS)
    columns = [getattr(Patent, name) for name in names]
    out: dict[int, dict[str, Any]] = {}
    for chunk in _chunks(ids, LOOKUP_CHUNK):
        for row in session.execute(select(*columns).where(_member_of(session, Patent.id, chunk))):
            data = dict(zip(names, row, strict=True))
            for name in _KEPT_LISTS:
                data[name] = [v for v in (data[name] or "").split("|") if v]
            data["publications"] = []
            data["applicants"] = []
            out[data["id"]] = data
        for pid, number, kind, when in session.execute(
            select(
                PatentPublication.patent_id,
                PatentPublication.number,
                PatentPublication.kind,
                PatentPublication.date,
            ).where(_member_of(session, PatentPublication.patent_id, chunk))
        ):
            out[pid]["publications"].append(PublicationRecord(number, kind, when))
        for pid, name in session.execute(
            select(PatentHolder.patent_id, PatentHolder.name_as_filed)
            .where(_member_of(session, PatentHolder.patent_id, chunk))
            .order_by(PatentHolder.patent_id, PatentHolder.position)
        ):
            out[pid]["applicants"].append(name)
    return out


def _keep_what_the_file_lacks(record: PatentRecord, stored: dict[str, Any]) -> None:
    """Fill ``record`` from the stored patent where the file says nothing: a layout without
    a column (an export of this platform has only the main IPC and the first holder; a
    short list has no applicants) must not erase what an earlier, fuller file gave."""
    if not record.title and stored["title"]:
        record.title = stored["title"]
    known = stored["applicants"]
    if known and (
        not record.applicants
        or (len(record.applicants) == 1 and normalize_name(record.applicants[0]) == normalize_name(known[0]))
    ):
        # No applicant column or an empty cell, or the first applicant alone (this
        # platform's export): the holders stay, co-owners included, and with them the first
        # holder the indicators and the policy attribute the patent to.
        record.applicants = list(known)
    ipc = record.ipc_all
    if (
        len(ipc) == 1
        and ipc[0] == record.ipc_main
        and len(stored["ipc_all"]) > 1
        and ipc[0] in stored["ipc_all"]
    ):
        # The list is only the main class the file gave (no list column): the stored
        # full list, which holds it, stays.
        record.ipc_all = list(stored["ipc_all"])
    for name in _KEPT_FIELDS:
        if getattr(record, name) is None and stored[name] is not None:
            setattr(record, name, stored[name])
    for name in _KEPT_LISTS:
        if not getattr(record, name) and stored[name]:
            setattr(record, name, stored[name])
    known = {p.number for p in record.publications}
    record.publications.extend(p for p in stored["publications"] if p.number not in known)


def publication_owners(session: Session, numbers: Sequence[str]) -> dict[str, str]:
    """Publication number -> application number of the patent that holds it, for the
    ``numbers`` the registry already has (a publication belongs to one application)."""
    owners: dict[str, str] = {}
    for chunk in _chunks(list(numbers), LOOKUP_CHUNK):
        for number, application in session.execute(
            select(PatentPublication.number, Patent.application_number)
            .join(Patent, Patent.id == PatentPublication.patent_id)
            .where(_member_of(session, PatentPublication.number, chunk))
        ):
            owners[number] = application
    return owners


@dataclass
class PatentPlan:
    """The outcome of comparing records with the registry, before anything is written.

    ``replaced`` holds the ids of sample patents (demo data) that a file describes: the
    file's record replaces them whole (content, publications, status history) and they
    are no longer samples, so a real patent never carries invented data."""

    new: list[PatentRecord] = field(default_factory=list)
    changed: list[tuple[int, PatentRecord, bool]] = field(default_factory=list)  # id, record, biblio changed
    unchanged: int = 0
    new_events: dict[str, list[tuple[str, date | None, bool]]] = field(default_factory=dict)
    digests: dict[str, str] = field(default_factory=dict)
    replaced: set[int] = field(default_factory=set)


def plan_patents(
    session: Session,
    records: Sequence[PatentRecord],
    progress: Progress = _noop,
    observed_on: date | None = None,
    replace_samples: bool = True,
) -> PatentPlan:
    """Compare merged records with the registry: new, changed (content or status), unchanged.

    ``observed_on`` is the day the export describes (the import day by default). With
    ``replace_samples`` (a real import), a sample patent with the same application number
    is replaced by the record rather than merged with it (see :class:`PatentPlan`)."""
    plan = PatentPlan()
    existing: dict[str, tuple[int, str]] = {}
    samples: set[int] = set()
    numbers = [r.application_number for r in records]
    for chunk in _chunks(numbers, LOOKUP_CHUNK):
        for pid, number, digest, is_sample in session.execute(
            select(Patent.id, Patent.application_number, Patent.content_hash, Patent.is_sample).where(
                _member_of(session, Patent.application_number, chunk)
            )
        ):
            existing[number] = (pid, digest)
            if is_sample and replace_samples:
                samples.add(pid)
    events: dict[int, list[tuple[str, date | None, bool]]] = {}
    known_ids = [pid for pid, _ in existing.values()]
    stored = _stored_patents(session, known_ids)
    for chunk in _chunks(known_ids, LOOKUP_CHUNK):
        for pid, status, when, observed in session.execute(
            select(
                PatentStatusEvent.patent_id,
                PatentStatusEvent.status,
                PatentStatusEvent.date,
                PatentStatusEvent.date_observed,
            ).where(_member_of(session, PatentStatusEvent.patent_id, chunk))
        ):
            events.setdefault(pid, []).append((status, when, observed))
    total = len(records)
    for i, record in enumerate(records):
        found = existing.get(record.application_number)
        if found is not None and found[0] in samples:
            # Invented data is not kept beside real data: the file's record replaces the
            # sample whole, its status history included.
            plan.digests[record.application_number] = content_hash(patent_content(record))
            plan.replaced.add(found[0])
            plan.changed.append((found[0], record, True))
            plan.new_events[record.application_number] = [
                (e.status, e.date, e.date_observed) for e in record.statuses
            ]
            continue
        if found is not None and found[0] in stored:
            _keep_what_the_file_lacks(record, stored[found[0]])
        digest = content_hash(patent_content(record))
        plan.digests[record.application_number] = digest
        if found is None:
            plan.new.append(record)
            plan.new_events[record.application_number] = [
                (e.status, e.date, e.date_observed) for e in record.statuses
            ]
        else:
            pid, old_digest = found
            fresh = _new_status_events(record, events.get(pid, []), observed_on)
            if fresh:
                plan.new_events[record.application_number] = fresh
            if old_digest != digest or fresh:
                plan.changed.append((pid, record, old_digest != digest))
            else:
                plan.unchanged += 1
        if i % 20000 == 0:
            progress("compare", i, total)
    progress("compare", total, total)
    return plan


# Column order of the patent rows :func:`write_patents` builds; an update of a changed
# patent sets all of them but the id, ``created_at`` and ``is_sample``.
_PATENT_COLUMNS = (
    "id",
    "application_number",
    "jurisdiction",
    "patent_type",
    "title",
    "title_en",
    "abstract",
    "filing_date",
    "publication_date",
    "grant_date",
    "ipc_main",
    "ipc_all",
    "inventors",
    "first_holder_id",
    "pct_application_number",
    "pct_publication_number",
    "family",
    "claims_count",
    "content_hash",
    "updated_at",
    "created_at",
    "is_sample",
)
_UPDATED_COLUMNS = _PATENT_COLUMNS[1:-2]
_PUBLICATION_COLUMNS = ("patent_id", "number", "kind", "date")
_LINK_COLUMNS = ("patent_id", "holder_id", "position", "name_as_filed")
_EVENT_COLUMNS = ("patent_id", "status", "date", "date_observed", "batch_id")
_FTS_COLUMNS = ("rowid", "title", "abstract")
WRITE_CHUNK = 50_000
# A bulk load at least this large that at least doubles a table rebuilds its secondary
# indexes afterwards (SQLite), see :func:`_indexes_built_after`.
REBUILD_MIN_ROWS = 20_000


class _HolderIds(dict[str, int | None]):
    """Applicant name as filed -> holder id, each name normalised once."""

    def __init__(self, ids: dict[str, int]) -> None:
        super().__init__()
        self.ids = ids

    def __missing__(self, name: str) -> int | None:
        found = self[name] = self.ids.get(normalize_name(name))
        return found


def _patent_values(
    record: PatentRecord, digest: str, first_holder: int | None, now: datetime
) -> tuple[Any, ...]:
    """A patent's columns in ``_UPDATED_COLUMNS`` order."""
    return (
        record.application_number,
        record.jurisdiction,
        record.patent_type,
        record.title,
        record.title_en,
        record.abstract,
        record.filing_date,
        record.publication_date,
        record.grant_date,
        record.ipc_main,
        "|".join(record.ipc_all) or None,
        "|".join(record.inventors) or None,
        first_holder,
        record.pct_application_number,
        record.pct_publication_number,
        "|".join(record.family) or None,
        record.claims_count,
        digest,
        now,
    )


class _SecondaryIndexes:
    """On SQLite, for a load that at least doubles a table: its secondary (non-unique)
    indexes, to drop before the load and build again after it.

    Building an index sorts its keys once; keeping it during the load inserts every row
    into every B-tree at a random place, which took most of the time of writing a new
    registry (patents have six such indexes). DDL is transactional in SQLite: the drop and
    the rebuild belong to the import's transaction, so a failure or a ``kill -9`` leaves
    the indexes as they were, and other connections never see the table without them.
    Unique indexes stay, so a duplicate is refused at its row as before. Statistics kept
    by ``ANALYZE`` for these indexes are restored with them. For a small load, a big
    table or PostgreSQL there are none, and both steps do nothing.
    """

    def __init__(self, session: Session, table: Any, incoming: int) -> None:
        self.indexes: list[tuple[str, str]] = []
        self.stats: list[Any] = []
        self.connection = session.connection()
        if incoming < REBUILD_MIN_ROWS or self.connection.dialect.name != "sqlite":
            return
        existing = self.connection.exec_driver_sql(
            f"SELECT coalesce(max(rowid), 0) FROM {table.name}"
        ).scalar()
        if (existing or 0) > incoming:
            return
        self.indexes = [
            (name, sql)
            for name, sql in self.connection.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
                (table.name,),
            )
            if not sql.lstrip().upper().startswith("CREATE UNIQUE")
        ]

    def drop(self) -> None:
        if not self.indexes:
            return
        names = [name for name, _ in self.indexes]
        if self.connection.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first():
            marks = ", ".join("?" * len(names))
            self.stats = [
                tuple(row)
                for row in self.connection.exec_driver_sql(
                    f"SELECT tbl, idx, stat FROM sqlite_stat1 WHERE idx IN ({marks})", tuple(names)
                )
            ]
        for name in names:
            self.connection.exec_driver_sql(f'DROP INDEX "{name}"')

    def build(self) -> None:
        for _, sql in self.indexes:
            self.connection.exec_driver_sql(sql)
        if self.stats:
            self.connection.exec_driver_sql(
                "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?, ?, ?)", self.stats
            )


@contextmanager
def _indexes_built_after(session: Session, table: Any, incoming: int) -> Iterator[_SecondaryIndexes]:
    """Drop ``table``'s secondary indexes for a big load in the block, build them after it
    (see :class:`_SecondaryIndexes`); an error in the block leaves them to the rollback."""
    indexes = _SecondaryIndexes(session, table, incoming)
    indexes.drop()
    yield indexes
    indexes.build()


def write_patents(
    session: Session,
    plan: PatentPlan,
    holder_ids: dict[str, int],
    batch_id: int | None,
    now: datetime | None = None,
    is_sample: bool = False,
    progress: Progress = _noop,
) -> WriteCounts:
    """Write a :class:`PatentPlan`: insert new patents, update changed ones, append status
    events, and keep the search index in step."""
    now = now or datetime.now(UTC)
    counts = WriteCounts(inserted=len(plan.new), updated=len(plan.changed), unchanged=plan.unchanged)
    sqlite = session.get_bind().dialect.name == "sqlite"
    holder_of = _HolderIds(holder_ids)
    digests = plan.digests
    pid = next_id(session, Patent.__table__)  # type: ignore[arg-type]
    ids: dict[str, int] = {}
    # Rows are built as tuples in column order: a dict per row cost more than its insert.
    patent_rows: list[tuple[Any, ...]] = []
    add_patent = patent_rows.append
    for record in plan.new:
        number = record.application_number
        applicants = record.applicants
        first = holder_of[applicants[0]] if applicants else None
        add_patent((pid, *_patent_values(record, digests[number], first, now), now, is_sample))
        ids[number] = pid
        pid += 1
    total = len(patent_rows)
    patents = Patent.__table__
    with _indexes_built_after(session, patents, total):
        for done, chunk in enumerate(_chunks(patent_rows, WRITE_CHUNK)):
            bulk_insert(session, patents, chunk, _PATENT_COLUMNS)  # type: ignore[arg-type]
            progress("write", min((done + 1) * WRITE_CHUNK, total), total)
    del patent_rows

    # Changed patents: update the row, replace publications and holder links.
    changed_ids: list[int] = []
    updates: list[dict[str, Any]] = []
    for patent_id, record, biblio_changed in plan.changed:
        ids[record.application_number] = patent_id
        if biblio_changed:
            applicants = record.applicants
            first = holder_of[applicants[0]] if applicants else None
            values = _patent_values(record, digests[record.application_number], first, now)
            updates.append(
                {"_id": patent_id, **{f"_{c}": v for c, v in zip(_UPDATED_COLUMNS, values, strict=True)}}
            )
            changed_ids.append(patent_id)
    pub_rows: list[tuple[Any, ...]] = []
    link_rows: list[tuple[Any, ...]] = []
    fts_rows: list[tuple[Any, ...]] = []
    add_pub, add_link, add_fts = pub_rows.append, link_rows.append, fts_rows.append
    seen_pubs: set[str] = set()
    for record in itertools.chain(plan.new, (r for _, r, changed in plan.changed if changed)):
        patent_id = ids[record.application_number]
        for pub in record.publications:
            if pub.number in seen_pubs:
                continue
            seen_pubs.add(pub.number)
            add_pub((patent_id, pub.number, pub.kind, pub.date))
        for position, name in enumerate(record.applicants):
            holder = holder_of[name]
            if holder is not None:
                add_link((patent_id, holder, position, name))
        add_fts((patent_id, index_text(record.title), index_text(record.abstract)))
    event_rows: list[tuple[Any, ...]] = []
    add_event = event_rows.append
    for number, events in plan.new_events.items():
        patent_id = ids[number]
        for status, when, observed in events:
            add_event((patent_id, status, when, observed, batch_id))

    if updates:
        statement = (
            update(patents)  # type: ignore[arg-type]
            .where(patents.c.id == bindparam("_id"))
            .values({c: bindparam(f"_{c}") for c in _UPDATED_COLUMNS})
        )
        for chunk in _chunks(updates):
            session.connection().execute(statement, list(chunk))
    publications: Table = PatentPublication.__table__  # type: ignore[assignment]
    links: Table = PatentHolder.__table__  # type: ignore[assignment]
    for chunk in _chunks(changed_ids, LOOKUP_CHUNK):
        session.execute(delete(publications).where(_member_of(session, publications.c.patent_id, chunk)))
        session.execute(delete(links).where(_member_of(session, links.c.patent_id, chunk)))
    for chunk in _chunks(changed_ids):
        if sqlite:
            session.execute(text(f"DELETE FROM patent_fts WHERE rowid IN ({','.join(map(str, chunk))})"))
        else:
            session.execute(text("DELETE FROM patent_fts WHERE rowid = ANY(:ids)"), {"ids": list(chunk)})
    counts.changed_ids = changed_ids
    if plan.replaced:
        # Sample patents a file describes: their invented history and annuities go, and
        # they take the flag of this write (a real import: no longer samples).
        replaced = sorted(plan.replaced)
        events_table: Table = PatentStatusEvent.__table__  # type: ignore[assignment]
        for chunk in _chunks(replaced, LOOKUP_CHUNK):
            session.execute(delete(events_table).where(_member_of(session, events_table.c.patent_id, chunk)))
            session.execute(
                update(patents)  # type: ignore[arg-type]
                .where(_member_of(session, patents.c.id, chunk))
                .values(is_sample=is_sample, annuities_paid_yuan=None)
            )
    # A publication held by another application is refused before the write
    # (importing.run_import rejects its row), so every publication written here is free.
    for table, columns, rows in (
        (PatentPublication.__table__, _PUBLICATION_COLUMNS, pub_rows),
        (PatentHolder.__table__, _LINK_COLUMNS, link_rows),
        (PatentStatusEvent.__table__, _EVENT_COLUMNS, event_rows),
    ):
        with _indexes_built_after(session, table, len(rows)):
            bulk_insert(session, table, rows, columns)
    if sqlite:
        if fts_rows:
            session.connection().exec_driver_sql(
                "INSERT INTO patent_fts (rowid, title, abstract) VALUES (?, ?, ?)",
                fts_rows,
            )
    else:
        bulk_insert(session, _fts_table(), fts_rows, _FTS_COLUMNS)
    advance_sequences(
        session,
        [
            Patent.__table__,  # type: ignore[list-item]
            Holder.__table__,  # type: ignore[list-item]
            PatentPublication.__table__,  # type: ignore[list-item]
            PatentHolder.__table__,  # type: ignore[list-item]
            PatentStatusEvent.__table__,  # type: ignore[list-item]
        ],
    )
    return counts
