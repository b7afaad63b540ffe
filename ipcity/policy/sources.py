"""Fill a :class:`~ipcity.policy.snapshot.Snapshot` from the database for one year: only the
rows the rules of that year read (the year's invention grants, the grants N years back for
P2.1-c, one earlier invention grant of each of the year's grantees for P2.1-b, each holder's
count of the year's grants of every type for P2.1-e, the evidence tables). Status
events are read only for the grants N years back: P2.1-c is the one rule that asks whether
a patent is in force on a date; the other patents carry no events.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    bindparam,
    column,
    distinct,
    false,
    func,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.orm import Session

from ipcity.db import RegistryReadCache, read_beside, rows_as_one_value
from ipcity.memory import paused_gc
from ipcity.policy.candidates import RANKED_KINDS, listed_rank
from ipcity.policy.loader import Policy
from ipcity.policy.models import (
    IpCertificate,
    PatentAward,
    PatentInsurancePolicy,
    PctApplication,
    PledgeLoan,
    PledgeLoanCost,
)
from ipcity.policy.snapshot import (
    AwardRec,
    CertificateRec,
    CreditRec,
    HolderRec,
    InsuranceRec,
    LoanCostRec,
    PatentRec,
    PctRec,
    Snapshot,
    SoftwareRec,
)
from ipcity.protection.models import CreditListing
from ipcity.registry.models import Copyright, Holder, Patent, PatentHolder, PatentStatusEvent

CHUNK = 500


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    items = sorted(set(ids))
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]


def _read(needed: bool) -> ColumnElement[bool]:
    # A table no chosen rule reads is asked for nothing (the query stays one shape).
    return true() if needed else false()


def _year_range(column: Any, year: int) -> Any:
    return column.between(date(year, 1, 1), date(year, 12, 31))


def _inventions_granted_in_years(years: Iterable[int]) -> Any:
    """The invention patents granted in any of ``years``: the type once, then the years'
    ranges, each one range of ix_patents_type_grant_date (patent_type, grant_date). Written as one OR of (type AND range) terms, SQLite takes the common type term
    alone and walks every invention of ix_patents_type_grant_date; factored, it searches
    one range of the index per year (MULTI-INDEX OR)."""
    ranges = [_year_range(Patent.grant_date, y) for y in sorted(set(years))]
    if len(ranges) == 1:
        return (Patent.patent_type == "invention") & ranges[0]
    return (Patent.patent_type == "invention") & or_(*ranges)


_PATENT_COLUMNS = (
    Patent.id,
    Patent.application_number,
    Patent.patent_type,
    Patent.jurisdiction,
    Patent.title,
    Patent.filing_date,
    Patent.grant_date,
    Patent.annuities_paid_yuan,
)

# For each of the year's invention grantees that was granted an invention before :start,
# one such earlier invention patent (its holder and its columns): a walk over the holder's
# links that stops at the first earlier grant. The grantees come from the year's range of
# ix_patents_type_grant_date (patent_type, grant_date), so that this read needs nothing of
# the year's grants read first and runs beside them (db.read_beside). CROSS JOIN fixes
# SQLite's join order and the unary + keeps the earlier patent's columns off their indexes,
# so that SQLite, without statistics, cannot drive the sub-query from every earlier
# invention instead: each grantee costs a few probes. PostgreSQL plans it from its
# statistics.
_EARLIER_GRANT_SQL = """
SELECT grantee.holder_id, p.id, p.application_number, p.patent_type, p.jurisdiction, p.title,
       p.filing_date, p.grant_date, p.annuities_paid_yuan
FROM (
  SELECT DISTINCT ph.holder_id FROM patents y {join} patent_holders ph ON ph.patent_id = y.id
  WHERE y.patent_type = 'invention' AND y.grant_date BETWEEN :start AND :end
) grantee {join} patents p ON p.id = (
  SELECT ph.patent_id FROM patent_holders ph {join} patents e ON e.id = ph.patent_id
  WHERE ph.holder_id = grantee.holder_id AND {plus}e.patent_type = 'invention'
    AND {plus}e.grant_date < :start LIMIT 1)
"""


def _day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def _events_of_inventions_granted_in(
    connection: Any, years: Iterable[int]
) -> list[tuple[int, str, date | None]]:
    """The status events (patent id, status, date) of the invention patents granted in
    ``years`` (each year a range of ix_patents_type_grant_date, then the events' (patent_id,
    date) index), read as one value (a read beside the main one)."""
    chosen = sorted(set(years))
    if not chosen:
        return []
    query = (
        select(PatentStatusEvent.patent_id, PatentStatusEvent.status, PatentStatusEvent.date)
        .select_from(Patent)
        .join(PatentStatusEvent, PatentStatusEvent.patent_id == Patent.id)
        .where(_inventions_granted_in_years(chosen))
    )
    return [(pid, status, _day(when)) for pid, status, when in rows_as_one_value(connection, query)]


def _earlier_grants(connection: Any, year: int) -> list[list[Any]]:
    """Rows of [holder id, *patent columns] of :data:`_EARLIER_GRANT_SQL` for ``year``, read as
    one value (a read beside the main one)."""
    sqlite = connection.dialect.name == "sqlite"
    sql = _EARLIER_GRANT_SQL.format(join="CROSS JOIN" if sqlite else "JOIN", plus="+" if sqlite else "")
    query = (
        text(sql)
        .bindparams(
            bindparam("start", date(year, 1, 1), type_=Date), bindparam("end", date(year, 12, 31), type_=Date)
        )
        .columns(column("holder_id", Integer), *(column(c.key, c.type) for c in _PATENT_COLUMNS))
    )
    rows = rows_as_one_value(connection, query)
    keys = [c.key for c in _PATENT_COLUMNS]
    filed, granted = 1 + keys.index("filing_date"), 1 + keys.index("grant_date")
    for row in rows:
        row[filed], row[granted] = _day(row[filed]), _day(row[granted])
    return rows


def _top_grantees(policy: Policy, year: int) -> Any:
    """P2.1-e: the holders a ranking by the year's grants (every type, every office) can
    list, with their counts: local holders of the ranked kinds, down to the lowest rank the
    rule can pay (ties at that rank included; every such holder when that rank is unset).

    Counted, filtered and cut in SQL: the year's grants are tens of thousands of holders,
    of whom the ranking lists ten; only those come back (the same filter as
    :func:`ipcity.policy.candidates._ranked`, which ranks what it is given).
    """
    # Counted per holder first, then the counted holders (one row each, not one per grant)
    # filtered by their kind and place.
    counts = (
        select(PatentHolder.holder_id.label("holder_id"), func.count(distinct(Patent.id)).label("n"))
        .select_from(Patent)
        .join(PatentHolder, PatentHolder.patent_id == Patent.id)
        .where(_year_range(Patent.grant_date, year))
        .group_by(PatentHolder.holder_id)
        .cte("grant_counts")
    )
    ranked = (
        select(counts.c.holder_id, counts.c.n)
        .join(Holder, Holder.id == counts.c.holder_id)
        .where(Holder.kind.in_(sorted(RANKED_KINDS)), Holder.region_code.like(f"{policy.city[:4]}%"))
        .cte("ranked_counts")
    )
    query = select(ranked.c.holder_id, Holder.name, Holder.region_code, Holder.kind, ranked.c.n).join(
        Holder, Holder.id == ranked.c.holder_id
    )
    limit = listed_rank(policy, "top_patent_grantee")
    if limit is not None and limit < 1:
        return query.where(false())  # nobody is listed (and OFFSET -1 is an error on PostgreSQL)
    if limit is not None:
        # Competition ranking: rank <= limit  <=>  count >= the count at position ``limit``.
        lowest = select(ranked.c.n).order_by(ranked.c.n.desc()).limit(1).offset(limit - 1).scalar_subquery()
        query = query.where(ranked.c.n >= func.coalesce(lowest, 0))
    return query


def _grants_with_holders(years: list[int]) -> Any:
    """The invention patents granted in any of ``years`` with their holders, one row per holder link
    (:data:`_PATENT_COLUMNS`, then the link's holder id and position and the holder's name,
    region code and kind); a patent without holders comes once, with nulls."""
    return (
        select(*_PATENT_COLUMNS, PatentHolder.holder_id, PatentHolder.position, Holder.name)
        .add_columns(Holder.region_code, Holder.kind)
        .outerjoin(PatentHolder, PatentHolder.patent_id == Patent.id)
        .outerjoin(Holder, Holder.id == PatentHolder.holder_id)
        .where(_inventions_granted_in_years(years))
    )


_GRANT_DATE = [c.key for c in _PATENT_COLUMNS].index("grant_date")


def _patent(
    row: Any, links: dict[int, list[tuple[int, int]]], events: tuple[tuple[str, date | None], ...]
) -> PatentRec:
    """The :class:`PatentRec` of a row of :data:`_PATENT_COLUMNS` (a longer row: its first
    columns), its holders in order of position from ``links``. The columns are taken by
    place, in the order of :data:`_PATENT_COLUMNS` (id, number, type, office, title, filing,
    grant, annuities paid)."""
    held = links.get(row[0], ())
    return PatentRec(
        row[0],
        row[1],
        row[2],
        row[3],
        row[4] or "",
        row[5],
        row[6],
        (held[0][1],) if len(held) == 1 else tuple(h for _, h in sorted(held)),
        events,
        row[7],
    )


def _read_registry_part(
    connection: Any, year: int, policy: Policy, sources: frozenset[str], annuity_years: frozenset[int]
) -> _RegistryPart:
    """The :class:`_RegistryPart` of ``year`` for ``sources``, read through ``connection``."""
    # Three reads need nothing of the year's grants read first: they run beside the main
    # read (on a second connection, in a thread, where one sees what this one sees), which
    # takes its Python work, while SQL does theirs.
    # P2.1-b: a holder's first invention grant (any office). The year's grants are loaded
    # below; of the earlier history, one earlier invention grant per grantee is enough to
    # show that the holder's first grant is not of this year (the whole history of the
    # year's grantees is most of the registry, and no rule reads the rest of it).
    earlier = (
        read_beside(connection, lambda beside: _earlier_grants(beside, year))
        if "first_invention_grants" in sources
        else None
    )
    # P2.1-c: status events, only of the inventions granted N years back (in force on the
    # N-th anniversary of the grant); the other patents are most of the rows.
    history = (
        read_beside(connection, lambda beside: _events_of_inventions_granted_in(beside, annuity_years))
        if annuity_years
        else None
    )
    # P2.1-e: the ranking's counts, needed last (the two worker threads take the reads in
    # the order they are asked for).
    ranking = (
        read_beside(connection, lambda beside: beside.execute(_top_grantees(policy, year)).all())
        if "top_patent_grantees" in sources
        else None
    )
    grant_years = sorted(
        annuity_years | ({year} if sources & {"invention_grants", "first_invention_grants"} else set())
    )
    holders: dict[int, HolderRec] = {}
    links: dict[int, list[tuple[int, int]]] = defaultdict(list)
    first_row: dict[int, Any] = {}  # patent id -> its first row of the main read
    # Plain column rows (no ORM row processing for tens of thousands of patents and their
    # links and events). The patents in the order read: the main read's, then the earlier
    # grants'. Only the grants of the years N back carry status events (the events are read
    # only for them): every other patent is made while the reads beside are still going on.
    patents: list[PatentRec | None] = []
    awaiting_events: list[tuple[int, Any]] = []  # (place in patents, row)
    if grant_years:
        # The year's invention grants (and those N years back) by their years, each a
        # range of ix_patents_type_grant_date (patent_type, grant_date), with their holders
        # in the same pass (one row per link): no list of ids sent back and forth.
        width = len(_PATENT_COLUMNS)
        for row in connection.execute(_grants_with_holders(grant_years)).all():
            pid, hid = row[0], row[width]
            if pid not in first_row:
                first_row[pid] = row
            if hid is not None:
                links[pid].append((row[width + 1], hid))
                if hid not in holders:
                    holders[hid] = HolderRec(hid, row[width + 2], row[width + 3], row[width + 4])
        for row in first_row.values():
            granted = row[_GRANT_DATE]
            if granted is not None and granted.year in annuity_years:
                awaiting_events.append((len(patents), row))
                patents.append(None)
            else:
                patents.append(_patent(row, links, ()))
    if earlier is not None:
        # The earlier grant carries only the grantees it was found for (each grantee is
        # asked on its own): enough for "first", and no other rule reads these patents.
        # None is of a year N back: those are all in the main read.
        earlier_rows: dict[int, list[Any]] = {}
        for hid, *patent in earlier.result():
            pid = patent[0]
            if pid not in first_row:
                earlier_rows.setdefault(pid, patent)
                links[pid].append((len(links[pid]), hid))
        patents.extend(_patent(row, links, ()) for row in earlier_rows.values())
    if awaiting_events:
        events: dict[int, list[tuple[str, date | None]]] = defaultdict(list)
        for pid, status, when in history.result() if history is not None else ():
            events[pid].append((status, when))
        for place, row in awaiting_events:
            patents[place] = _patent(row, links, tuple(events.get(row[0], ())))
    grant_counts: dict[int, int] | None = None
    if ranking is not None:
        grant_counts = {}
        for hid, name, region, kind, n in ranking.result():
            grant_counts[hid] = n
            if hid not in holders:
                holders[hid] = HolderRec(hid, name, region, kind)
    return _RegistryPart(tuple(p for p in patents if p is not None), holders, grant_counts)


def load_snapshot(
    session: Session, year: int, policy: Policy, rules: Iterable[str] | None = None
) -> Snapshot:
    """The registry data of ``year`` that the rules of ``policy`` read (all rules, or only
    those named: a single rule's evaluation reads only what that rule needs)."""
    with paused_gc():
        return _load_snapshot(session, year, policy, rules)


# The candidate sources read from the change-logged registry tables (patents, their holder
# links and status events, holders): the expensive part of a snapshot, see _RegistryPart.
REGISTRY_SOURCES = frozenset(
    {"invention_grants", "first_invention_grants", "inventions_in_force_after_years", "top_patent_grantees"}
)


@dataclass(frozen=True, slots=True)
class _RegistryPart:
    """What a year's snapshot reads from the registry: the patents (the year's invention
    grants, those N years back with their events, one earlier grant of each grantee),
    their holders and the ranking's grant counts. Shared by the snapshots built from it:
    each takes copies of the containers (the records are immutable)."""

    patents: tuple[PatentRec, ...]
    holders: dict[int, HolderRec]
    grant_counts: dict[int, int] | None


# Kept while the registry's change log is unchanged: the policy's pages, the holders'
# statements and the payment workflow evaluate the same year again and again, and over a
# million patents this part is most of the second an evaluation takes. The small evidence
# tables (PCT, awards, certificates, loans, insurance, software, the dishonesty list) are
# not change-logged and are read every time. Four parts (a few years, or a year's rule pages)
# at some 25 MB each over a million patents.
_REGISTRY_PARTS: RegistryReadCache[_RegistryPart] = RegistryReadCache(kept=4)


_NO_REGISTRY_PART = _RegistryPart((), {}, None)


def forget_registry_parts() -> None:
    """Drop the registry parts kept in the process (the next snapshot reads them again)."""
    _REGISTRY_PARTS.clear()


def _load_snapshot(session: Session, year: int, policy: Policy, rules: Iterable[str] | None) -> Snapshot:
    end = date(year, 12, 31)
    sources = policy.sources(rules)
    annuity_years: frozenset[int] = frozenset()
    if "inventions_in_force_after_years" in sources:
        annuity_years = frozenset(year - n for n in policy.values_of_input("annuity_support", "years"))
    read = frozenset(sources & REGISTRY_SOURCES)
    # Everything the part depends on besides the registry itself.
    key = (year, read, annuity_years, listed_rank(policy, "top_patent_grantee"), policy.city)
    part = (
        _REGISTRY_PARTS.get(
            session,
            key,
            lambda connection: _read_registry_part(connection, year, policy, read, annuity_years),
        )
        if read
        else _NO_REGISTRY_PART  # the evidence rules (P2.1-d, P2.2, P2.3, P2.7) read none
    )
    snapshot = Snapshot()
    snapshot.patents = list(part.patents)
    snapshot.holders = dict(part.holders)
    snapshot.grant_counts = None if part.grant_counts is None else dict(part.grant_counts)
    connection = session.connection()
    holder_ids: set[int] = set()
    for pct_id, number, pct_holder, filed, reported, pct_title in connection.execute(
        select(
            PctApplication.id,
            PctApplication.pct_number,
            PctApplication.holder_id,
            PctApplication.filing_date,
            PctApplication.search_report_date,
            PctApplication.title,
        ).where(
            _read("pct_applications" in sources),
            or_(
                _year_range(PctApplication.search_report_date, year),
                _year_range(PctApplication.filing_date, year),
            ),
        )
    ).all():
        snapshot.pct_applications.append(
            PctRec(pct_id, number, (pct_holder,), filed, reported, pct_title or "")
        )
    awards_read = bool(sources & {"china_patent_awards", "provincial_patent_awards"})
    for w in session.scalars(
        select(PatentAward).where(_read(awards_read), _year_range(PatentAward.award_date, year))
    ):
        snapshot.awards.append(AwardRec(w.id, w.holder_id, w.patent_number, w.level, w.award_date))
    for c in session.scalars(
        select(IpCertificate).where(_read("gbt29490_certificates" in sources), IpCertificate.issued_on <= end)
    ):
        snapshot.certificates.append(
            CertificateRec(
                c.id, c.holder_id, c.certificate_number, c.issued_on, c.certifier or "", c.standard
            )
        )
    for cost, loan in session.execute(
        select(PledgeLoanCost, PledgeLoan)
        .join(PledgeLoan)
        .where(_read("pledge_loan_costs" in sources), PledgeLoanCost.year == year)
    ):
        snapshot.loan_costs.append(
            LoanCostRec(
                cost.id,
                loan.holder_id,
                loan.contract_number,
                cost.year,
                cost.interest_yuan,
                cost.valuation_yuan,
                cost.guarantee_yuan,
                cost.insurance_yuan,
            )
        )
    for ins in session.scalars(
        select(PatentInsurancePolicy).where(
            _read("patent_insurance_policies" in sources), PatentInsurancePolicy.start_date <= end
        )
    ):
        snapshot.insurance_policies.append(
            InsuranceRec(
                ins.id, ins.holder_id, ins.policy_number, ins.patent_number, ins.premium_yuan, ins.start_date
            )
        )
    for row in session.execute(
        select(Copyright.holder_id, Copyright.registration_number, Copyright.registration_date).where(
            _read("top_software_registrants" in sources),
            Copyright.category == "software",
            Copyright.holder_id.is_not(None),
            _year_range(Copyright.registration_date, year),
        )
    ):
        if row.holder_id is not None and row.registration_date is not None:
            snapshot.software.append(
                SoftwareRec(row.holder_id, row.registration_number, row.registration_date)
            )
    for listing in session.scalars(select(CreditListing).where(CreditListing.holder_id.is_not(None))):
        assert listing.holder_id is not None
        snapshot.credit.append(
            CreditRec(
                listing.holder_id, listing.listed_on, listing.reason, listing.expires_on, listing.removed_on
            )
        )
    holder_ids |= {x.holder_ids[0] for x in snapshot.pct_applications}
    for group in (
        snapshot.awards,
        snapshot.certificates,
        snapshot.loan_costs,
        snapshot.insurance_policies,
        snapshot.software,
        snapshot.credit,
    ):
        holder_ids |= {x.holder_id for x in group}
    # The holders of the patents are loaded with them; the few others (PCT applicants,
    # award winners, ...) by id.
    holder_columns = (Holder.id, Holder.name, Holder.region_code, Holder.kind)
    for chunk in _chunks(holder_ids - snapshot.holders.keys()):
        for hid, name, region, kind in connection.execute(
            select(*holder_columns).where(Holder.id.in_(chunk))
        ).all():
            snapshot.holders[hid] = HolderRec(hid, name, region, kind)
    return snapshot
