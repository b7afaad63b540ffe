"""What gathers :class:`~ipcity.indicators.facts.RegistryFacts` from the registry for a set
of dates, in few passes: the patent counts from the DuckDB column copy of
:mod:`ipcity.indicators.columnar`, the small lists (trademarks, copyrights, plant
varieties, GI marks, recognitions, pledge loans, population) by SQL. The lists of records
behind a count are in :mod:`ipcity.indicators.records`, which uses the SQL form of "in
force" kept here.

"In force" follows :mod:`ipcity.registry.legal_status` exactly: the status on a date is
the latest event dated on or before it, ordered by date, then same-day rank (a lapse
recorded on its grant's day comes after the grant), then the order recorded; events
without a date are ignored. Instead of one correlated sub-query per patent and date (as
``registry.service._latest_status`` does for one date), each event becomes an interval
``[its date, the next event's date)`` with ``LEAD()``: the status on day D is that of the
one interval containing D, so all dates are answered by one range join in one pass.
The legal term is a per-date threshold on the filing date computed with
``legal_status.term_end`` itself (no date arithmetic in SQL, so every engine agrees).

Read-only over the registry's tables (and the policy area's pledge loans, P2.7): this is
the analytics side of the registry, kept here so that the registry's service does not grow
a second idea (see docs/indicators.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Date, and_, case, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from ipcity.indicators import columnar
from ipcity.indicators.facts import (
    DatedRow,
    HolderCount,
    LoanRow,
    RegistryFacts,
    TierRow,
    TrademarkRow,
    tier_id,
)
from ipcity.places.models import Population, Zone
from ipcity.policy.models import PledgeLoan
from ipcity.registry.legal_status import IN_FORCE_STATUSES, SAME_DAY_LAST, SAME_DAY_ORDER, term_end
from ipcity.registry.models import (
    Copyright,
    GeographicalIndication,
    Holder,
    HolderTier,
    Patent,
    PatentStatusEvent,
    PlantVariety,
    Trademark,
)
from ipcity.registry.service import asset_region

PATENT_TYPES = ("invention", "utility_model", "design")
ENTERPRISE_MINIMUM = 10
_PCT_YEAR = re.compile(r"PCT/?[A-Z]{2}(\d{4})")


def filing_threshold(patent_type: str, on: date) -> date:
    """The latest filing day whose legal term has ended by ``on``: a patent of this type
    filed after it is within its term on ``on`` (``term_end(filed) > on``).

    >>> filing_threshold("invention", date(2020, 12, 31))
    datetime.date(2000, 12, 31)
    >>> filing_threshold("invention", date(2020, 2, 28))  # filed 2000-02-29: term ends 2020-02-29
    datetime.date(2000, 2, 28)
    """
    years = 20 if patent_type == "invention" else 10
    guess = date(on.year - years, on.month, min(on.day, 28))
    day = guess + timedelta(days=5)
    while True:
        end = term_end(patent_type, day)
        assert end is not None
        if end <= on:
            return day
        day -= timedelta(days=1)


def years_before(on: date, years: int) -> date:
    """The same day ``years`` earlier (28 February for 29 February)."""
    try:
        return on.replace(year=on.year - years)
    except ValueError:
        return on.replace(year=on.year - years, day=28)


def date_rows(dates: Iterable[date]) -> list[columnar.DateRow]:
    """What the counts need of each date (sorted, once each): its year's first day, the
    invention filing threshold of the legal term, the day ten years before."""
    return [
        columnar.DateRow(on, date(on.year, 1, 1), filing_threshold("invention", on), years_before(on, 10))
        for on in sorted(set(dates))
    ]


def dates_cte(dates: Iterable[date]) -> Any:
    """:func:`date_rows` as a SQL CTE called ``dates`` (columns on, year_start, inv_min,
    filed_before)."""
    rows = [
        select(
            literal(d.on, Date).label("on"),
            literal(d.year_start, Date).label("year_start"),
            literal(d.inv_min, Date).label("inv_min"),
            literal(d.filed_before, Date).label("filed_before"),
        )
        for d in date_rows(dates)
    ]
    return (union_all(*rows) if len(rows) > 1 else rows[0]).cte("dates")


def status_intervals(*only: Any) -> Any:
    """Each status event of a CN invention patent as ``[start, stop)``: the status holds
    from its date until the next event's (NULL: still holds). ``only``: further conditions
    on the patent, so that the window runs over those patents' events alone."""
    event = PatentStatusEvent.__table__
    same_day = case(SAME_DAY_ORDER, value=event.c.status, else_=SAME_DAY_LAST)
    stop = func.lead(event.c.date).over(
        partition_by=event.c.patent_id, order_by=(event.c.date, same_day, event.c.id)
    )
    return (
        select(event.c.patent_id, event.c.status, event.c.date.label("start"), stop.label("stop"))
        .join(Patent, Patent.id == event.c.patent_id)
        .where(
            event.c.date.is_not(None), Patent.jurisdiction == "CN", Patent.patent_type == "invention", *only
        )
        .cte("intervals")
    )


def in_force_join(stmt: Any, intervals: Any, dates: Any) -> Any:
    """Join intervals to dates where the patent is in force on the date."""
    return (
        stmt.join(
            dates,
            and_(
                intervals.c.start <= dates.c.on,
                or_(intervals.c.stop.is_(None), intervals.c.stop > dates.c.on),
            ),
        )
        .join(Patent, Patent.id == intervals.c.patent_id)
        .where(
            intervals.c.status.in_(IN_FORCE_STATUSES),
            or_(Patent.filing_date.is_(None), Patent.filing_date > dates.c.inv_min),
        )
    )


def overseas_family(family: str | None) -> bool:
    """Whether a family list ("|"-joined numbers) has a member of an office other than CN
    or WO (a WO publication is an international application, not a right abroad).

    >>> overseas_family("WO2019123456A1|US10234567B2"), overseas_family("WO2019123456A1"), overseas_family(None)
    (True, False, False)
    """
    for member in (family or "").split("|"):
        office = member.strip().upper()[:2]
        if len(office) == 2 and office.isalpha() and office not in ("CN", "WO"):
            return True
    return False


def gather_facts(session: Session, dates: Iterable[date]) -> RegistryFacts:
    """Every count and list the indicators need, for ``dates``."""
    wanted = tuple(sorted(set(dates)))
    facts = RegistryFacts(dates=wanted)
    if not wanted:
        return facts
    with columnar.one_copy(session):
        _patent_stock(session, facts)
        _patent_flows(session, facts)
        for load in PARTS.values():
            load(session, facts)
    facts.population = {
        (code, year): n
        for code, year, n in session.execute(
            select(Population.area_code, Population.year, Population.residents)
        )
    }
    return facts


def gather_parts(session: Session, dates: Iterable[date], parts: Iterable[str]) -> RegistryFacts:
    """Only the parts of the facts named (field names of :class:`RegistryFacts` that
    :data:`PARTS` loads), for ``dates``: what a list of records needs, nothing more."""
    facts = RegistryFacts(dates=tuple(sorted(set(dates))))
    with columnar.one_copy(session):
        for part in dict.fromkeys(parts):
            PARTS[part](session, facts)
    return facts


def _patent_stock(session: Session, facts: RegistryFacts) -> None:
    copy = columnar.copy_for(session)
    dates = date_rows(facts.dates)
    in_force = facts.counts("invention_in_force")
    kept = facts.counts("invention_in_force_maintained_10y")
    high = facts.counts("invention_in_force_high_value")
    overseas = facts.counts("invention_in_force_overseas_family")
    for on, region, zone, n, n_maintained in copy.invention_stock(dates):
        in_force.add(on, region, zone, n)
        kept.add(on, region, zone, n_maintained or 0)
        high.add(on, region, zone, n_maintained or 0)
    # Patents with a family list are few: the overseas test is done here, in Python.
    for on, region, zone, members, was_maintained in copy.invention_families(dates):
        if overseas_family(members):
            overseas.add(on, region, zone, 1)
            if not was_maintained:
                high.add(on, region, zone, 1)


def _patent_flows(session: Session, facts: RegistryFacts) -> None:
    for name, on, ptype, region, zone, n in columnar.copy_for(session).flows(date_rows(facts.dates)):
        if ptype in PATENT_TYPES:
            facts.counts(f"{name}_{ptype}").add(on, region, zone, n)


def _enterprises(session: Session, facts: RegistryFacts) -> None:
    rows = columnar.copy_for(session).enterprises(date_rows(facts.dates), ENTERPRISE_MINIMUM)
    for on, holder_id, region, zone, n in rows:
        facts.enterprise_inventions.setdefault(on, []).append(HolderCount(holder_id, region, zone, n))


def pct_date(pct_number: str, cn_filing: date | None) -> date | None:
    """When a CN patent's PCT application was filed, as far as the data tells: in the year
    its number names, one year after the CN filing (kept inside that year).

    >>> pct_date("PCT/CN2018/123456", date(2017, 9, 1))
    datetime.date(2018, 9, 1)
    >>> pct_date("PCT/CN2018/123456", date(2018, 3, 1))
    datetime.date(2018, 12, 31)
    """
    match = _PCT_YEAR.search(pct_number.replace(" ", "").upper())
    if match is None:
        return None
    year = int(match.group(1))
    if cn_filing is None:
        return date(year, 12, 31)
    later = years_before(cn_filing, -1)
    return min(max(later, date(year, 1, 1)), date(year, 12, 31))


def _pct(session: Session, facts: RegistryFacts) -> None:
    for patent_id, jurisdiction, number, pct_number, filed, region, zone in columnar.copy_for(
        session
    ).pct_rows():
        if jurisdiction == "WO":
            key, on = number.replace(" ", "").upper(), filed
        elif pct_number:
            key, on = pct_number.replace(" ", "").upper(), pct_date(pct_number, filed)
        else:
            continue
        facts.pct_applications.append(DatedRow(key, region, zone, on, jurisdiction, "pct", patent_id))


def _owned(session: Session, model: Any, *columns: Any) -> Any:
    return session.execute(
        select(*columns, Holder.region_code, Zone.code)
        .select_from(model)
        .outerjoin(Holder, Holder.id == model.holder_id)
        .outerjoin(Zone, Zone.id == Holder.zone_id)
    )


def _trademarks(session: Session, facts: RegistryFacts) -> None:
    facts.trademarks = [
        TrademarkRow(number, region, zone, mark_type, registered, expiry, well_known, status, row_id)
        for row_id, number, mark_type, registered, expiry, well_known, status, region, zone in _owned(
            session,
            Trademark,
            Trademark.id,
            Trademark.registration_number,
            Trademark.mark_type,
            Trademark.registration_date,
            Trademark.expiry_date,
            Trademark.well_known_date,
            Trademark.status,
        )
    ]


def _copyrights(session: Session, facts: RegistryFacts) -> None:
    facts.copyrights = [
        DatedRow(number, region, zone, on, category, "copyright", row_id)
        for row_id, number, on, category, region, zone in _owned(
            session,
            Copyright,
            Copyright.id,
            Copyright.registration_number,
            Copyright.registration_date,
            Copyright.category,
        )
    ]


def _plant_varieties(session: Session, facts: RegistryFacts) -> None:
    facts.plant_varieties = [
        DatedRow(number, region, zone, on, "", "plant_variety", row_id)
        for row_id, number, on, region, zone in _owned(
            session, PlantVariety, PlantVariety.id, PlantVariety.right_number, PlantVariety.grant_date
        )
    ]


def _gi_marks(session: Session, facts: RegistryFacts) -> None:
    # A GI without a holder counts for the region it names.
    gi_region = asset_region(GeographicalIndication)
    facts.gi_marks = [
        DatedRow(number, region, zone, on, "", "gi", row_id)
        for row_id, number, on, region, zone in session.execute(
            select(
                GeographicalIndication.id,
                GeographicalIndication.registration_number,
                GeographicalIndication.registration_date,
                gi_region,
                Zone.code,
            )
            .outerjoin(Holder, Holder.id == GeographicalIndication.holder_id)
            .outerjoin(Zone, Zone.id == Holder.zone_id)
            .where(GeographicalIndication.kind == "gi_certification_mark")
        )
    ]


def _tiers(session: Session, facts: RegistryFacts) -> None:
    facts.tiers = [
        TierRow(holder_id, region, zone, tid, year)
        for holder_id, stored, year, region, zone in session.execute(
            select(HolderTier.holder_id, HolderTier.tier, HolderTier.year, Holder.region_code, Zone.code)
            .join(Holder, Holder.id == HolderTier.holder_id)
            .outerjoin(Zone, Zone.id == Holder.zone_id)
        )
        if (tid := tier_id(stored)) is not None
    ]


def _pledge_loans(session: Session, facts: RegistryFacts) -> None:
    # The import stores a loan without an amount as 0: no loan is made for nothing, so 0
    # means "not recorded" (the amount indicator says so rather than summing it as 0).
    facts.pledge_loans = [
        LoanRow(row_id, number, holder_id, region, zone, start, principal or None)
        for row_id, number, holder_id, start, principal, region, zone in _owned(
            session,
            PledgeLoan,
            PledgeLoan.id,
            PledgeLoan.contract_number,
            PledgeLoan.holder_id,
            PledgeLoan.start_date,
            PledgeLoan.principal_yuan,
        )
    ]


# The lists of the facts, each loaded by one function (by field name of RegistryFacts).
PARTS: dict[str, Callable[[Session, RegistryFacts], None]] = {
    "enterprise_inventions": _enterprises,
    "pct_applications": _pct,
    "trademarks": _trademarks,
    "copyrights": _copyrights,
    "plant_varieties": _plant_varieties,
    "gi_marks": _gi_marks,
    "tiers": _tiers,
    "pledge_loans": _pledge_loans,
}
