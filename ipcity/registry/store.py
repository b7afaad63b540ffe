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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Table, delete, func, select, text, update
from sqlalchemy.orm import Session

from ipcity.db import bulk_insert
from ipcity.registry.models import (
    Holder,
    Patent,
    PatentHolder,
    PatentPublication,
    PatentStatusEvent,
)
from ipcity.registry.normalize import display_name, infer_holder_kind, normalize_name
from ipcity.registry.records import PatentRecord, PublicationRecord
from ipcity.registry.search import index_text

Progress = Callable[[str, int, int], None]
CHUNK = 5000


def _fts_table() -> Any:
    from sqlalchemy import Column, Integer, MetaData, Table, Text

    return Table("patent_fts", MetaData(), Column("rowid", Integer), Column("title", Text), Column("abstract", Text))


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


# --------------------------------------------------------------------------- holders


@dataclass
class HolderSeed:
    """What a patent file tells about a holder: its name and, for the first applicant of a
    row with an address column, the address."""

    name: str
    address: str | None = None


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
            wanted[key] = HolderSeed(known.name, seed.address)
    ids: dict[str, int] = {}
    addressless: set[int] = set()
    keys = list(wanted)
    for chunk in _chunks(keys):
        for hid, norm, address in session.execute(
            select(Holder.id, Holder.normalized_name, Holder.address).where(Holder.normalized_name.in_(chunk))
        ):
            ids[norm] = hid
            if address is None:
                addressless.add(hid)
    new_rows: list[dict[str, Any]] = []
    hid = next_id(session, Holder.__table__)  # type: ignore[arg-type]
    for key, seed in wanted.items():
        if key in ids:
            continue
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
                "uscc": None,
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


# --------------------------------------------------------------------------- patents


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
        sorted((p.number, p.kind, p.date) for p in record.publications),
        record.pct_application_number,
        record.pct_publication_number,
        record.family,
        record.claims_count,
    ]


def _patent_row(record: PatentRecord, digest: str, first_holder: int | None, now: datetime) -> dict[str, Any]:
    return {
        "application_number": record.application_number,
        "jurisdiction": record.jurisdiction,
        "patent_type": record.patent_type,
        "title": record.title,
        "title_en": record.title_en,
        "abstract": record.abstract,
        "filing_date": record.filing_date,
        "publication_date": record.publication_date,
        "grant_date": record.grant_date,
        "ipc_main": record.ipc_main,
        "ipc_all": "|".join(record.ipc_all) or None,
        "inventors": "|".join(record.inventors) or None,
        "first_holder_id": first_holder,
        "pct_application_number": record.pct_application_number,
        "pct_publication_number": record.pct_publication_number,
        "family": "|".join(record.family) or None,
        "claims_count": record.claims_count,
        "content_hash": digest,
        "updated_at": now,
    }


def _new_status_events(
    record: PatentRecord, existing: list[tuple[str, date | None, bool]]
) -> list[tuple[str, date | None, bool]]:
    """Events of ``record`` not yet in the history. A dated event is new unless the same
    status with the same date is known; an undated (observed) status is new only when it
    differs from the latest known status, so re-importing an export on another day adds nothing."""
    from ipcity.registry.legal_status import _sort_key

    known = {(s, d) for s, d, _ in existing}
    known_statuses = {s for s, _, _ in existing}
    latest = max(existing, key=lambda e: _sort_key((e[0], e[1])))[0] if existing else None
    out: list[tuple[str, date | None, bool]] = []
    for event in record.statuses:
        if event.date_observed:
            if event.status == latest or event.status in known_statuses:
                continue
        elif (event.status, event.date) in known:
            continue
        out.append((event.status, event.date, event.date_observed))
        known.add((event.status, event.date))
        known_statuses.add(event.status)
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
    columns = [Patent.id, Patent.title, *(getattr(Patent, f) for f in _KEPT_FIELDS + _KEPT_LISTS)]
    out: dict[int, dict[str, Any]] = {}
    for chunk in _chunks(ids):
        for row in session.execute(select(*columns).where(Patent.id.in_(chunk))):
            data = row._asdict()
            for name in _KEPT_LISTS:
                data[name] = [v for v in (data[name] or "").split("|") if v]
            data["publications"] = []
            out[data["id"]] = data
        for pid, number, kind, when in session.execute(
            select(
                PatentPublication.patent_id, PatentPublication.number, PatentPublication.kind, PatentPublication.date
            ).where(PatentPublication.patent_id.in_(chunk))
        ):
            out[pid]["publications"].append(PublicationRecord(number, kind, when))
    return out


def _keep_what_the_file_lacks(record: PatentRecord, stored: dict[str, Any]) -> None:
    if not record.title and stored["title"]:
        record.title = stored["title"]
    for name in _KEPT_FIELDS:
        if getattr(record, name) is None and stored[name] is not None:
            setattr(record, name, stored[name])
    for name in _KEPT_LISTS:
        if not getattr(record, name) and stored[name]:
            setattr(record, name, stored[name])
    known = {p.number for p in record.publications}
    record.publications.extend(p for p in stored["publications"] if p.number not in known)


@dataclass
class PatentPlan:
    """The outcome of comparing records with the registry, before anything is written."""

    new: list[PatentRecord] = field(default_factory=list)
    changed: list[tuple[int, PatentRecord, bool]] = field(default_factory=list)  # id, record, biblio changed
    unchanged: int = 0
    new_events: dict[str, list[tuple[str, date | None, bool]]] = field(default_factory=dict)
    digests: dict[str, str] = field(default_factory=dict)


def plan_patents(session: Session, records: Sequence[PatentRecord], progress: Progress = _noop) -> PatentPlan:
    """Compare merged records with the registry: new, changed (content or status), unchanged."""
    plan = PatentPlan()
    existing: dict[str, tuple[int, str]] = {}
    numbers = [r.application_number for r in records]
    for chunk in _chunks(numbers):
        for pid, number, digest in session.execute(
            select(Patent.id, Patent.application_number, Patent.content_hash).where(
                Patent.application_number.in_(chunk)
            )
        ):
            existing[number] = (pid, digest)
    events: dict[int, list[tuple[str, date | None, bool]]] = {}
    known_ids = [pid for pid, _ in existing.values()]
    stored = _stored_patents(session, known_ids)
    for chunk in _chunks(known_ids):
        for pid, status, when, observed in session.execute(
            select(
                PatentStatusEvent.patent_id,
                PatentStatusEvent.status,
                PatentStatusEvent.date,
                PatentStatusEvent.date_observed,
            ).where(PatentStatusEvent.patent_id.in_(chunk))
        ):
            events.setdefault(pid, []).append((status, when, observed))
    total = len(records)
    for i, record in enumerate(records):
        found = existing.get(record.application_number)
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
            fresh = _new_status_events(record, events.get(pid, []))
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
    pid = next_id(session, Patent.__table__)  # type: ignore[arg-type]
    ids: dict[str, int] = {}
    patent_rows: list[dict[str, Any]] = []
    for record in plan.new:
        first = holder_ids.get(normalize_name(record.applicants[0])) if record.applicants else None
        row = _patent_row(record, plan.digests[record.application_number], first, now)
        row["id"] = pid
        row["created_at"] = now
        row["is_sample"] = is_sample
        patent_rows.append(row)
        ids[record.application_number] = pid
        pid += 1
    total = len(patent_rows)
    for done, chunk in enumerate(_chunks(patent_rows, 50_000)):
        bulk_insert(session, Patent.__table__, list(chunk))
        progress("write", min((done + 1) * 50_000, total), total)

    # Changed patents: update the row, replace publications and holder links.
    changed_ids: list[int] = []
    for patent_id, record, biblio_changed in plan.changed:
        ids[record.application_number] = patent_id
        if biblio_changed:
            first = holder_ids.get(normalize_name(record.applicants[0])) if record.applicants else None
            session.execute(
                update(Patent)
                .where(Patent.id == patent_id)
                .values(**_patent_row(record, plan.digests[record.application_number], first, now))
            )
            changed_ids.append(patent_id)
    for chunk in _chunks(changed_ids):
        session.execute(delete(PatentPublication).where(PatentPublication.patent_id.in_(chunk)))
        session.execute(delete(PatentHolder).where(PatentHolder.patent_id.in_(chunk)))
        if sqlite:
            session.execute(text(f"DELETE FROM patent_fts WHERE rowid IN ({','.join(map(str, chunk))})"))
        else:
            session.execute(text("DELETE FROM patent_fts WHERE rowid = ANY(:ids)"), {"ids": list(chunk)})
    counts.changed_ids = changed_ids

    rewrite = list(plan.new) + [r for p, r, changed in plan.changed if changed]
    pub_rows: list[dict[str, Any]] = []
    link_rows: list[dict[str, Any]] = []
    fts_rows: list[dict[str, Any]] = []
    seen_pubs: set[str] = set()
    for record in rewrite:
        patent_id = ids[record.application_number]
        for pub in record.publications:
            if pub.number in seen_pubs:
                continue
            seen_pubs.add(pub.number)
            pub_rows.append(
                {"patent_id": patent_id, "number": pub.number, "kind": pub.kind, "date": pub.date}
            )
        for position, name in enumerate(record.applicants):
            holder = holder_ids.get(normalize_name(name))
            if holder is None:
                continue
            link_rows.append(
                {"patent_id": patent_id, "holder_id": holder, "position": position, "name_as_filed": name}
            )
        fts_rows.append(
            {"rowid": patent_id, "title": index_text(record.title), "abstract": index_text(record.abstract)}
        )
    # A publication number moved from one application to another by a corrected export:
    # drop the stale link first (publication numbers are unique).
    for chunk in _chunks(list(seen_pubs)):
        if plan.changed:
            session.execute(delete(PatentPublication).where(PatentPublication.number.in_(chunk)))
    event_rows: list[dict[str, Any]] = []
    for number, events in plan.new_events.items():
        patent_id = ids[number]
        for status, when, observed in events:
            event_rows.append(
                {
                    "patent_id": patent_id,
                    "status": status,
                    "date": when,
                    "date_observed": observed,
                    "batch_id": batch_id,
                }
            )
    for table, rows in (
        (PatentPublication.__table__, pub_rows),
        (PatentHolder.__table__, link_rows),
        (PatentStatusEvent.__table__, event_rows),
    ):
        bulk_insert(session, table, rows)
    if sqlite:
        session.connection().exec_driver_sql(
            "INSERT INTO patent_fts (rowid, title, abstract) VALUES (?, ?, ?)",
            [(r["rowid"], r["title"], r["abstract"]) for r in fts_rows],  # type: ignore[arg-type]
        )
    else:
        bulk_insert(session, _fts_table(), fts_rows)
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
