"""The records that make an indicator's number, for an area on a date: the patents behind a
patent count (SQL over the same definition as the count, :func:`patent_records`), and the
trademarks, GIs, copyrights, plant-variety rights, PCT applications, enterprises or
IP-pledge loans behind every other count (:func:`fact_records`: the selection the count is the length of, then
each selected row described from its table).

Read-only over the registry's tables (and the policy area's pledge loans), like
:mod:`ipcity.indicators.queries`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from ipcity.indicators import queries
from ipcity.indicators.definitions import FactList
from ipcity.indicators.facts import Area, DatedRow, HolderCount, LoanRow, Member, TierRow, TrademarkRow
from ipcity.places.models import Region, Zone
from ipcity.policy.models import PledgeLoan
from ipcity.registry.legal_status import IN_FORCE_STATUSES, status_at, term_end
from ipcity.registry.models import (
    Copyright,
    GeographicalIndication,
    Holder,
    Patent,
    PatentStatusEvent,
    PlantVariety,
    Trademark,
)
from ipcity.registry.service import asset_region

CHUNK = 1000

# Labels of the codes a list shows (message ids; English in en.po).
CATEGORY_LABELS = {
    "ordinary": "普通商标",
    "collective": "集体商标",
    "certification": "证明商标",
    "gi_certification": "地理标志证明商标",
    "gi_collective": "地理标志集体商标",
    "gi_certification_mark": "地理标志证明商标",
    "software": "计算机软件",
    "work": "作品",
    "pct": "PCT国际申请",
}
RECORD_STATUS_LABELS = {
    "in_force": "有效",
    "registered": "已登记",
    "granted": "已授权",
    "filed": "已提交",
}
TIER_LABELS = {
    "national_ip_advantage": "国家知识产权优势企业",
    "national_ip_demonstration": "国家知识产权示范企业",
    "provincial_ip_strong": "省知识产权强企",
    "municipal_ip_demonstration": "市知识产权示范企业",
    "gbt29490": "贯标认证",
}
MSG_VALID_UNTIL = "专用权期限至 {date}"
MSG_WELL_KNOWN_SINCE = "驰名商标认定日 {date}"
MSG_GI_RECORD = "地理标志登记（无对应商标记录）"
MSG_PCT_OF = "国内申请 {number}"
MSG_CROP = "作物：{crop}"


@dataclass(frozen=True)
class PatentRecord:
    """One patent in the list behind a count; ``status``: its legal status on the date."""

    id: int
    application_number: str
    patent_type: str | None
    title: str
    filing_date: date | None
    grant_date: date | None
    first_holder: str | None
    region_code: str | None
    zone_code: str | None
    holder_id: int | None = None
    region: str | None = None
    zone: str | None = None
    status: str | None = None


@dataclass(frozen=True)
class AssetRecord:
    """One trademark, GI, copyright, plant-variety right or PCT application behind a count.

    ``source``: ``trademark``, ``gi``, ``copyright``, ``plant_variety`` or ``pct``;
    ``category``: a key of :data:`CATEGORY_LABELS` (or a crop); ``on``: the date that made it
    count; ``status``: a key of :data:`RECORD_STATUS_LABELS` (its state on the date);
    ``notes``: message ids with their parameters; ``patent``: the registry's application
    number of a PCT application's patent.
    """

    source: str
    id: int
    number: str
    name: str
    category: str | None
    holder_id: int | None
    holder: str | None
    region_code: str | None
    region: str | None
    zone_code: str | None
    zone: str | None
    on: date | None
    status: str
    notes: tuple[tuple[str, dict[str, Any]], ...] = ()
    patent: str | None = None


@dataclass(frozen=True)
class HolderRecord:
    """One enterprise in the list behind an enterprise count, with the value counted for it:
    ``count`` (invention patents in force) or ``tier`` and ``year`` (its recognition)."""

    id: int
    name: str
    region_code: str | None
    zone_code: str | None
    count: int | None = None
    tier: str | None = None
    year: int | None = None
    region: str | None = None
    zone: str | None = None


@dataclass(frozen=True)
class LoanRecord:
    """One IP-pledge loan in the list behind the pledge indicators (P2.7): ``principal_yuan``
    is ``None`` where no amount was recorded."""

    id: int
    contract_number: str
    holder_id: int
    holder: str
    lender: str | None
    pledge_registration: str | None
    principal_yuan: int | None
    start_date: date
    end_date: date | None
    region_code: str | None
    region: str | None = None
    zone_code: str | None = None
    zone: str | None = None


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    unique = sorted(set(ids))
    for start in range(0, len(unique), CHUNK):
        yield unique[start : start + CHUNK]


def _area_condition(area: Area, holder: Any, zone: Any) -> Any:
    if area.kind == "zone":
        return zone.code == area.code
    if area.kind == "city":
        return holder.region_code.like(area.code[:4] + "%")
    return holder.region_code == area.code


def _patent_ids(kind: str, on: date) -> Any:
    if kind.startswith("invention_in_force"):
        dates = queries.dates_cte([on])
        intervals = queries.status_intervals()
        ids = queries.in_force_join(select(Patent.id).select_from(intervals), intervals, dates)
        if kind.endswith("high_value"):
            # Narrowed here; the overseas test of the family list is done in Python.
            ids = ids.where(
                or_(
                    func.coalesce(Patent.filing_date, Patent.grant_date) < dates.c.filed_before,
                    and_(Patent.family.is_not(None), Patent.family != ""),
                )
            )
        return ids
    name, _, ptype = kind.partition("_")
    if name not in ("applications", "grants"):
        raise ValueError(f"unknown patent list {kind!r}")
    column = Patent.filing_date if name == "applications" else Patent.grant_date
    types = (ptype,) if ptype else queries.PATENT_TYPES
    return select(Patent.id).where(
        Patent.jurisdiction == "CN",
        Patent.patent_type.in_(types),
        column >= date(on.year, 1, 1),
        column <= on,
    )


def _status_on(session: Session, rows: list[Any], on: date) -> dict[int, str | None]:
    """Each patent's legal status on ``on`` (:func:`legal_status.status_at`; a right past its
    term reads ``expired``)."""
    events: dict[int, list[tuple[str, date | None]]] = {}
    for chunk in _chunks([r.id for r in rows]):
        for patent_id, event, when in session.execute(
            select(PatentStatusEvent.patent_id, PatentStatusEvent.status, PatentStatusEvent.date)
            .where(PatentStatusEvent.patent_id.in_(chunk))
            .order_by(PatentStatusEvent.patent_id, PatentStatusEvent.id)
        ):
            events.setdefault(patent_id, []).append((event, when))
    out: dict[int, str | None] = {}
    for r in rows:
        status: str | None = status_at(events.get(r.id, []), on)
        end = term_end(r.patent_type, r.filing_date)
        if status in IN_FORCE_STATUSES and end is not None and end <= on:
            status = "expired"
        out[r.id] = status
    return out


def patent_records(
    session: Session, area: Area, on: date, kind: str, limit: int = 100_000, offset: int = 0
) -> tuple[int, list[PatentRecord]]:
    """``(total, page)`` of the patents behind a patent count of ``area`` on ``on``.

    ``kind``: ``invention_in_force``, ``invention_in_force_high_value``, ``applications``,
    ``grants`` or ``applications_<type>`` / ``grants_<type>`` — the counts of
    :func:`queries.gather_facts` of the same name (their sums for the plain ones).
    """
    holder, zone, region = aliased(Holder), aliased(Zone), aliased(Region)
    stmt = (
        select(
            Patent.id,
            Patent.application_number,
            Patent.patent_type,
            Patent.title,
            Patent.filing_date,
            Patent.grant_date,
            holder.name,
            holder.region_code,
            zone.code,
            holder.id,
            region.name,
            zone.name,
            Patent.family,
        )
        .join(holder, holder.id == Patent.first_holder_id)
        .outerjoin(zone, zone.id == holder.zone_id)
        .outerjoin(region, region.code == holder.region_code)
        .where(Patent.id.in_(_patent_ids(kind, on).scalar_subquery()), _area_condition(area, holder, zone))
        .order_by(Patent.filing_date, Patent.id)
    )
    rows = session.execute(stmt).all()
    if kind.endswith("high_value"):
        cutoff = queries.years_before(on, 10)

        def maintained_over_10_years(row: Any) -> bool:
            # From the filing date (row[4]), the grant date (row[5]) where none is known.
            start = row[4] or row[5]
            return start is not None and start < cutoff

        rows = [r for r in rows if maintained_over_10_years(r) or queries.overseas_family(r[12])]
    page = [PatentRecord(*_values(r)[:12]) for r in rows[offset : offset + limit]]
    statuses = _status_on(session, page, on)
    return len(rows), [replace(r, status=statuses.get(r.id)) for r in page]


def _values(row: Any) -> tuple[Any, ...]:
    return tuple(row)


# ---- records chosen from the facts ---------------------------------------------------------


def fact_records(session: Session, listing: FactList, area: Area, on: date) -> list[Any]:
    """The records ``listing`` selects for ``area`` on ``on`` — the same selection the
    count is the length of — each described from its table, in the selection's order."""
    facts = queries.gather_parts(session, [on], listing.needs)
    return describe(session, listing.select(facts, area, on), on)


def describe(session: Session, members: Sequence[Member], on: date) -> list[Any]:
    """:class:`AssetRecord`, :class:`HolderRecord` or :class:`LoanRecord` for each member,
    in order."""
    by_source: dict[str, list[int]] = {}
    holders: list[int] = []
    loans: list[int] = []
    for m in members:
        if isinstance(m, TrademarkRow):
            by_source.setdefault("trademark", []).append(m.id)
        elif isinstance(m, DatedRow):
            by_source.setdefault(m.source, []).append(m.id)
        elif isinstance(m, LoanRow):
            loans.append(m.id)
        else:
            holders.append(m.holder_id)
    found: dict[tuple[str, int], Any] = {}
    for source, ids in by_source.items():
        for key, record in _ASSETS[source](session, ids):
            found[(source, key)] = record
    names = _holders(session, holders) if holders else {}
    loan_records = _loans(session, loans) if loans else {}
    out: list[Any] = []
    for m in members:
        if isinstance(m, LoanRow):
            out.append(loan_records[m.id])
        elif isinstance(m, TrademarkRow):
            out.append(found[("trademark", m.id)])
        elif isinstance(m, DatedRow):
            record = found[(m.source, m.id)]
            if m.source == "pct":  # the PCT number and date the count used
                record = replace(record, number=m.key, on=m.on)
            out.append(record)
        elif isinstance(m, HolderCount):
            name, region, zone = names.get(m.holder_id, ("", None, None))
            out.append(
                HolderRecord(m.holder_id, name, m.region_code, m.zone_code, m.count, None, None, region, zone)
            )
        elif isinstance(m, TierRow):
            name, region, zone = names.get(m.holder_id, ("", None, None))
            out.append(
                HolderRecord(
                    m.holder_id, name, m.region_code, m.zone_code, None, m.tier, m.year, region, zone
                )
            )
    return out


def _loans(session: Session, ids: Sequence[int]) -> dict[int, LoanRecord]:
    out: dict[int, LoanRecord] = {}
    for chunk in _chunks(ids):
        for row in session.execute(
            select(
                PledgeLoan.id,
                PledgeLoan.contract_number,
                Holder.id,
                Holder.name,
                PledgeLoan.lender,
                PledgeLoan.pledge_registration,
                PledgeLoan.principal_yuan,
                PledgeLoan.start_date,
                PledgeLoan.end_date,
                Holder.region_code,
                Region.name,
                Zone.code,
                Zone.name,
            )
            .join(Holder, Holder.id == PledgeLoan.holder_id)
            .outerjoin(Zone, Zone.id == Holder.zone_id)
            .outerjoin(Region, Region.code == Holder.region_code)
            .where(PledgeLoan.id.in_(chunk))
        ):
            loan_id, number, holder_id, holder, lender, registration, principal, *rest = row
            # 0 is how the import stores "no amount given" (see queries._pledge_loans).
            out[loan_id] = LoanRecord(
                loan_id, number, holder_id, holder, lender, registration, principal or None, *rest
            )
    return out


def _holders(session: Session, ids: Sequence[int]) -> dict[int, tuple[str, str | None, str | None]]:
    out: dict[int, tuple[str, str | None, str | None]] = {}
    for chunk in _chunks(ids):
        for hid, name, region, zone in session.execute(
            select(Holder.id, Holder.name, Region.name, Zone.name)
            .outerjoin(Region, Region.code == Holder.region_code)
            .outerjoin(Zone, Zone.id == Holder.zone_id)
            .where(Holder.id.in_(chunk))
        ):
            out[hid] = (name, region, zone)
    return out


def _owned(
    session: Session, model: Any, ids: Sequence[int], *columns: Any, region: Any = None
) -> Iterator[Any]:
    """Rows of ``model`` with these ids: the columns, then holder id, name, region code and
    name, zone code and name."""
    region_code = region if region is not None else Holder.region_code
    for chunk in _chunks(ids):
        yield from session.execute(
            select(
                model.id,
                *columns,
                Holder.id,
                Holder.name,
                region_code,
                Region.name,
                Zone.code,
                Zone.name,
            )
            .select_from(model)
            .outerjoin(Holder, Holder.id == model.holder_id)
            .outerjoin(Zone, Zone.id == Holder.zone_id)
            .outerjoin(Region, Region.code == region_code)
            .where(model.id.in_(chunk))
        )


def _asset(
    source: str,
    row_id: int,
    number: str,
    name: str,
    category: str | None,
    owner: Sequence[Any],
    on: date | None,
    status: str,
    notes: tuple[tuple[str, dict[str, Any]], ...] = (),
    patent: str | None = None,
) -> AssetRecord:
    """An asset record; ``owner``: holder id, holder name, region code and name, zone code and name."""
    holder_id, holder, region_code, region, zone_code, zone = owner
    return AssetRecord(
        source,
        row_id,
        number,
        name,
        category,
        holder_id,
        holder,
        region_code,
        region,
        zone_code,
        zone,
        on,
        status,
        notes,
        patent,
    )


def _trademarks(session: Session, ids: Sequence[int]) -> Iterator[tuple[int, AssetRecord]]:
    for row in _owned(
        session,
        Trademark,
        ids,
        Trademark.registration_number,
        Trademark.mark,
        Trademark.mark_type,
        Trademark.registration_date,
        Trademark.expiry_date,
        Trademark.well_known_date,
    ):
        tid, number, mark, mark_type, registered, expiry, well_known, *owner = row
        notes: list[tuple[str, dict[str, Any]]] = []
        if expiry is not None:
            notes.append((MSG_VALID_UNTIL, {"date": expiry.isoformat()}))
        if well_known is not None:
            notes.append((MSG_WELL_KNOWN_SINCE, {"date": well_known.isoformat()}))
        yield (
            tid,
            _asset("trademark", tid, number, mark, mark_type, owner, registered, "in_force", tuple(notes)),
        )


def _gis(session: Session, ids: Sequence[int]) -> Iterator[tuple[int, AssetRecord]]:
    region = asset_region(GeographicalIndication)
    for row in _owned(
        session,
        GeographicalIndication,
        ids,
        GeographicalIndication.registration_number,
        GeographicalIndication.name,
        GeographicalIndication.kind,
        GeographicalIndication.registration_date,
        region=region,
    ):
        gid, number, name, kind, registered, *owner = row
        yield (
            gid,
            _asset("gi", gid, number, name, kind, owner, registered, "registered", ((MSG_GI_RECORD, {}),)),
        )


def _copyrights(session: Session, ids: Sequence[int]) -> Iterator[tuple[int, AssetRecord]]:
    for row in _owned(
        session,
        Copyright,
        ids,
        Copyright.registration_number,
        Copyright.title,
        Copyright.category,
        Copyright.registration_date,
    ):
        cid, number, title, category, registered, *owner = row
        yield cid, _asset("copyright", cid, number, title, category, owner, registered, "registered")


def _plant_varieties(session: Session, ids: Sequence[int]) -> Iterator[tuple[int, AssetRecord]]:
    for row in _owned(
        session,
        PlantVariety,
        ids,
        PlantVariety.right_number,
        PlantVariety.variety,
        PlantVariety.crop,
        PlantVariety.grant_date,
    ):
        pid, number, variety, crop, granted, *owner = row
        yield (
            pid,
            _asset(
                "plant_variety",
                pid,
                number,
                variety,
                None,
                owner,
                granted,
                "granted",
                ((MSG_CROP, {"crop": crop}),),
            ),
        )


def _pct_patents(session: Session, ids: Sequence[int]) -> Iterator[tuple[int, AssetRecord]]:
    for chunk in _chunks(ids):
        for row in session.execute(
            select(
                Patent.id,
                Patent.application_number,
                Patent.title,
                Patent.jurisdiction,
                Holder.id,
                Holder.name,
                Holder.region_code,
                Region.name,
                Zone.code,
                Zone.name,
            )
            .outerjoin(Holder, Holder.id == Patent.first_holder_id)
            .outerjoin(Zone, Zone.id == Holder.zone_id)
            .outerjoin(Region, Region.code == Holder.region_code)
            .where(Patent.id.in_(chunk))
        ):
            pid, number, title, jurisdiction, *owner = row
            notes = () if jurisdiction == "WO" else ((MSG_PCT_OF, {"number": number}),)
            yield pid, _asset("pct", pid, number, title, "pct", owner, None, "filed", notes, number)


_ASSETS = {
    "trademark": _trademarks,
    "gi": _gis,
    "copyright": _copyrights,
    "plant_variety": _plant_varieties,
    "pct": _pct_patents,
}
