"""Writers for the registry's other records: trademarks, copyrights, plant-variety rights,
geographical indications (P2.5) and holders from the holders template.

Each record is matched to the registry by its registration number (holders: by unified
social credit code, else by normalized name); a content hash decides changed or unchanged.
A cell left blank, or a column the file lacks (the templates let an officer delete
optional columns), keeps what the registry holds, as for patents and holders: a shorter
list never erases a registration date, a status or a holder.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from ipcity import audit
from ipcity.registry.models import (
    Copyright,
    GeographicalIndication,
    Holder,
    HolderTier,
    PlantVariety,
    Trademark,
)
from ipcity.registry.normalize import display_name, infer_holder_kind, normalize_name
from ipcity.registry.payee import audit_state, name_differs
from ipcity.registry.records import (
    CopyrightRecord,
    GIRecord,
    HolderRecord,
    PlantVarietyRecord,
    TrademarkRecord,
)
from ipcity.registry.store import HolderSeed, content_hash, ensure_holders, holders_named, rename_holder

AssetRecord = TrademarkRecord | CopyrightRecord | PlantVarietyRecord | GIRecord


@dataclass(frozen=True)
class AssetSpec:
    """How one kind of asset maps onto its table."""

    model: Any
    key: str  # the record's and the table's unique number
    row: Callable[[Any], dict[str, Any]]  # record -> column values (without holder)


def _trademark(r: TrademarkRecord) -> dict[str, Any]:
    return {
        "registration_number": r.registration_number,
        "mark": r.mark,
        "nice_classes": list(r.nice_classes),
        "mark_type": r.mark_type or "ordinary",  # blank in a new row: an ordinary mark
        "filing_date": r.filing_date,
        "registration_date": r.registration_date,
        "expiry_date": r.expiry_date,
        "well_known_date": r.well_known_date,
        "status": r.status,
    }


def _copyright(r: CopyrightRecord) -> dict[str, Any]:
    return {
        "registration_number": r.registration_number,
        "title": r.title,
        "category": r.category,
        "registration_date": r.registration_date,
    }


def _plant_variety(r: PlantVarietyRecord) -> dict[str, Any]:
    return {"right_number": r.right_number, "crop": r.crop, "variety": r.variety, "grant_date": r.grant_date}


def _gi(r: GIRecord) -> dict[str, Any]:
    return {
        "registration_number": r.registration_number,
        "name": r.name,
        "kind": r.kind,
        "region_code": r.region_code,
        "registration_date": r.registration_date,
    }


ASSET_SPECS: dict[str, AssetSpec] = {
    "trademarks": AssetSpec(Trademark, "registration_number", _trademark),
    "copyrights": AssetSpec(Copyright, "registration_number", _copyright),
    "plant-varieties": AssetSpec(PlantVariety, "right_number", _plant_variety),
    "gis": AssetSpec(GeographicalIndication, "registration_number", _gi),
}


@dataclass
class AssetPlan:
    """Records sorted into new, changed and unchanged before anything is written."""

    kind: str
    new: list[AssetRecord] = field(default_factory=list)
    changed: list[tuple[int, AssetRecord]] = field(default_factory=list)
    unchanged: int = 0
    digests: dict[str, str] = field(default_factory=dict)


def _digest(spec: AssetSpec, record: Any) -> str:
    values = spec.row(record)
    return content_hash([values[k] for k in sorted(values)] + [normalize_name(record.holder or "")])


def plan_assets(session: Session, kind: str, records: Sequence[AssetRecord]) -> AssetPlan:
    """Compare asset records with the registry by their number. A field the record leaves
    blank takes the registered value first (:func:`_keep_what_the_row_lacks`). A sample
    record (demo data) that a file describes counts as changed even with the same content:
    the write makes it a real record (every column is the file's; see :func:`write_assets`)."""
    spec = ASSET_SPECS[kind]
    column = getattr(spec.model, spec.key)
    plan = AssetPlan(kind=kind)
    if not records:
        return plan
    fields = list(spec.row(records[0]))  # the record's attributes its table stores
    numbers = [getattr(r, spec.key) for r in records]
    existing: dict[str, tuple[int, str, bool, dict[str, Any]]] = {}
    for start in range(0, len(numbers), 5000):
        chunk = numbers[start : start + 5000]
        for stored, holder in session.execute(
            select(spec.model, Holder.name)
            .outerjoin(Holder, Holder.id == spec.model.holder_id)
            .where(column.in_(chunk))
        ):
            values = {name: getattr(stored, name) for name in fields}
            values["holder"] = holder
            existing[getattr(stored, spec.key)] = (
                stored.id,
                stored.content_hash,
                bool(stored.is_sample),
                values,
            )
    for record in records:
        number = getattr(record, spec.key)
        found = existing.get(number)
        if found is not None and not found[2]:
            _keep_what_the_row_lacks(record, found[3])
        digest = _digest(spec, record)
        plan.digests[number] = digest
        if found is None:
            plan.new.append(record)
        elif found[1] != digest or found[2]:
            plan.changed.append((found[0], record))
        else:
            plan.unchanged += 1
    return plan


def _keep_what_the_row_lacks(record: Any, stored: dict[str, Any]) -> None:
    """Fill the record's blank fields (None, an empty list) from the registered entry, so
    that a blank cell or a missing optional column says nothing rather than "none": an
    export without the status column, or a list of numbers and holders only, must not
    erase the registration dates, types and statuses an earlier file gave. A sample entry
    is not kept from: a file describing it replaces it whole."""
    for name, value in stored.items():
        if value not in (None, []) and getattr(record, name) in (None, "", []):
            setattr(record, name, value)


def write_assets(
    session: Session,
    plan: AssetPlan,
    locate_address: Callable[[str], tuple[str | None, int | None]] | None = None,
    is_sample: bool = False,
) -> None:
    """Insert new and update changed assets; holders named by the records are created if unknown."""
    spec = ASSET_SPECS[plan.kind]
    now = datetime.now(UTC)
    records = list(plan.new) + [r for _, r in plan.changed]
    holder_ids, _ = ensure_holders(
        session, [HolderSeed(r.holder) for r in records if r.holder], now, locate_address, is_sample
    )

    def values(record: Any) -> dict[str, Any]:
        row = spec.row(record)
        row["holder_id"] = holder_ids.get(normalize_name(record.holder)) if record.holder else None
        row["content_hash"] = plan.digests[getattr(record, spec.key)]
        return row

    rows = []
    for record in plan.new:
        row = values(record)
        row["is_sample"] = is_sample
        rows.append(row)
    for start in range(0, len(rows), 5000):
        session.execute(insert(spec.model), rows[start : start + 5000])
    for rid, record in plan.changed:
        row = values(record)
        if not is_sample:
            row["is_sample"] = False  # a real file's record is no sample, whatever it replaced
        session.execute(update(spec.model).where(spec.model.id == rid).values(**row))


# --------------------------------------------------------------------------- holders template


@dataclass
class HolderPlan:
    """Holder rows sorted into new, changed and unchanged."""

    new: list[HolderRecord] = field(default_factory=list)
    changed: list[tuple[int, HolderRecord]] = field(default_factory=list)
    unchanged: int = 0


def _holder_state(holder: Holder | None, zone_codes: dict[int, str]) -> tuple[Any, ...]:
    if holder is None:
        return ()
    return (
        holder.name,
        holder.kind,
        holder.uscc,
        holder.region_code,
        zone_codes.get(holder.zone_id) if holder.zone_id else None,
        holder.address,
        sorted(holder.tags or []),
        sorted((t.tier, t.year) for t in holder.tiers),
        (holder.payee_name, holder.payee_bank, holder.payee_account),
    )


def _record_state(
    record: HolderRecord, current: Holder | None, current_zone: str | None = None
) -> tuple[Any, ...]:
    # Blank cells in the template leave what the registry holds (the zone too: a holder
    # placed in a zone by its address keeps it when the zone column is left blank).
    def keep(value: Any, attr: str) -> Any:
        return value if value not in (None, "", []) else (getattr(current, attr) if current else None)

    # The row renames the holder only where it names it by its credit code: a row found by a
    # former name (曾用名) says nothing of the present one.
    renames = current is None or (bool(record.uscc) and current.uscc == record.uscc)
    same_name = current is not None and normalize_name(record.name) == current.normalized_name
    return (
        current.name if current is not None and not (renames or same_name) else display_name(record.name),
        record.kind or (current.kind if current else infer_holder_kind(record.name)),
        keep(record.uscc, "uscc"),
        keep(record.region_code, "region_code"),
        record.zone_code or current_zone,
        keep(record.address, "address"),
        sorted(record.tags) if record.tags else sorted(current.tags or []) if current else [],
        sorted(record.tiers)
        if record.tiers
        else sorted((t.tier, t.year) for t in current.tiers)
        if current
        else [],
        # The receiving account: the row's three (checked together) or what is on record.
        (record.payee_name, record.payee_bank, record.payee_account)
        if record.payee_account
        else (current.payee_name, current.payee_bank, current.payee_account)
        if current
        else (None, None, None),
    )


def find_holder(session: Session, record: HolderRecord) -> Holder | None:
    """The registered holder a template row speaks of: by credit code, else by normalized
    name, present or former (曾用名)."""
    if record.uscc:
        coded = session.scalar(select(Holder).where(Holder.uscc == record.uscc))
        if coded is not None:
            return coded
    key = normalize_name(record.name)
    named = holders_named(session, [key]).get(key)
    return session.get(Holder, named) if named is not None else None


def plan_holders(session: Session, records: Sequence[HolderRecord], zone_ids: dict[str, int]) -> HolderPlan:
    """Compare holder template rows with the registry."""
    zone_codes = {v: k for k, v in zone_ids.items()}
    plan = HolderPlan()
    for record in records:
        current = find_holder(session, record)
        if current is None:
            plan.new.append(record)
        elif _holder_state(current, zone_codes) != _record_state(
            record, current, zone_codes.get(current.zone_id) if current.zone_id else None
        ):
            plan.changed.append((current.id, record))
        else:
            plan.unchanged += 1
    return plan


def write_holders(
    session: Session,
    plan: HolderPlan,
    zone_ids: dict[str, int],
    locate_address: Callable[[str], tuple[str | None, int | None]] | None = None,
    is_sample: bool = False,
    actor_name: str | None = None,
) -> None:
    """Create and update holders from template rows, tiers and receiving accounts included.

    With ``actor_name`` (an officer's import), each account set or changed is an audit
    entry ``holder.payee_account`` of its own, the numbers masked as the holder page's
    edits record them."""
    now = datetime.now(UTC)
    account_changes: list[tuple[Holder, tuple[Any, ...], tuple[Any, ...]]] = []
    for record in plan.new:
        region, zone = (None, None)
        if record.address and locate_address is not None:
            region, zone = locate_address(record.address)
        state = _record_state(record, None)
        holder = Holder(
            name=state[0],
            normalized_name=normalize_name(record.name),
            kind=state[1],
            uscc=record.uscc,
            region_code=record.region_code or region,
            zone_id=zone_ids.get(record.zone_code) if record.zone_code else zone,
            zone_explicit=bool(record.zone_code),
            address=record.address,
            tags=list(record.tags),
            payee_name=record.payee_name,
            payee_bank=record.payee_bank,
            payee_account=record.payee_account,
            is_sample=is_sample,
            created_at=now,
            updated_at=now,
        )
        holder.tiers = [HolderTier(tier=t, year=y) for t, y in sorted(set(record.tiers))]
        session.add(holder)
        if record.payee_account:
            account_changes.append((holder, (None, None, None), state[8]))
    for holder_id, record in plan.changed:
        found = session.get(Holder, holder_id)
        assert found is not None
        holder = found
        state = _record_state(record, holder)
        # Found by its credit code under another name: renamed, the old name kept as a
        # former one (importing checked that the new name is no other holder's).
        rename_holder(session, holder, state[0], now)
        holder.kind, holder.uscc, holder.region_code = state[1], state[2], state[3]
        if record.zone_code:
            holder.zone_id = zone_ids.get(record.zone_code)
            holder.zone_explicit = True
        if record.address and locate_address is not None and record.address != holder.address:
            # A new address places a holder the registry could not place: its county (when
            # the row gives no region code and none is known) and its zone (unless an
            # officer assigned one), as for a new holder.
            region, zone = locate_address(record.address)
            if holder.region_code is None and region is not None:
                holder.region_code = region
            if not holder.zone_explicit and zone is not None:
                holder.zone_id = zone
        holder.address = state[5]
        holder.tags = list(state[6])
        if record.tiers:
            holder.tiers.clear()
            session.flush()
            holder.tiers.extend(HolderTier(tier=t, year=y) for t, y in sorted(set(record.tiers)))
        before = (holder.payee_name, holder.payee_bank, holder.payee_account)
        if state[8] != before:
            holder.payee_name, holder.payee_bank, holder.payee_account = state[8]
            account_changes.append((holder, before, state[8]))
        holder.updated_at = now
    session.flush()
    if actor_name is not None:
        for holder, before, after in account_changes:
            audit.record(
                session,
                actor_name,
                "holder.payee_account",
                "holder",
                holder.id,
                {
                    "before": audit_state(*before),
                    "after": audit_state(*after),
                    "name_differs": name_differs(after[0], holder.name),
                    "source": "import",
                },
            )
