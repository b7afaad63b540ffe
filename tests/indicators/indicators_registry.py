"""A registry built by hand for the indicator tests, where every right value is known.

Hebi counties used: 410611 淇滨区, 410621 浚县; zone hebi_etdz (鹤壁经济技术开发区).

Known values at the end of 2018 (city 410600):
  invention patents in force = 15: the lapsing one (granted 2015, lapsed 2019), the
  co-owned one (first holder in 淇滨区), one granted in 2006, 11 of the big enterprise in
  浚县, one of a holder in the development zone (co-owned with the big enterprise). Not counted: the same-day grant+lapse, a utility model, a
  foreign patent, a patent whose first holder has no address, one whose term ended (filed
  1997), a patent of a holder outside Hebi, one granted in 2019.

IP-pledge loans (P2.7), by start date: 2017 one of 浚县大企业 (1,000万元); 2018 two of
淇滨甲公司 (500 + 300万元) and one of 浚县大企业 without a recorded amount; 2019 one of the
zone's holder (200万元). End of 2018, city: 3 loans, 2 enterprises, amount not assessable;
淇滨区: 2 loans, 1 enterprise, 800万元.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from itertools import count

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipcity.places.models import Population, Zone
from ipcity.policy.models import PledgeLoan
from ipcity.registry.models import (
    Copyright,
    GeographicalIndication,
    Holder,
    HolderTier,
    Patent,
    PatentHolder,
    PatentStatusEvent,
    PlantVariety,
    Trademark,
)

NOW = datetime(2024, 1, 1, tzinfo=UTC)
_serial = count(1)


def holder(
    session: Session, name: str, region: str | None, kind: str = "enterprise", zone: str | None = None
) -> Holder:
    """A holder in a region (None: no address) and optionally a zone (by code)."""
    zone_id = session.scalar(select(Zone.id).where(Zone.code == zone)) if zone else None
    row = Holder(
        name=name,
        normalized_name=name,
        kind=kind,
        region_code=region,
        zone_id=zone_id,
        address=None if region is None else f"{name}地址",
        tags=[],
        created_at=NOW,
        updated_at=NOW,
    )
    session.add(row)
    session.flush()
    return row


def patent(
    session: Session,
    holders: list[Holder],
    events: list[tuple[str, date]],
    *,
    patent_type: str = "invention",
    filed: date = date(2012, 3, 1),
    jurisdiction: str = "CN",
    pct: str | None = None,
    family: str | None = None,
) -> Patent:
    """A patent held by ``holders`` in order, with its status history."""
    n = next(_serial)
    granted = next((d for s, d in events if s == "granted"), None)
    row = Patent(
        application_number=f"{jurisdiction}{filed.year}1{n:07d}.X",
        jurisdiction=jurisdiction,
        patent_type=patent_type,
        title=f"测试专利{n}",
        filing_date=filed,
        grant_date=granted,
        first_holder_id=holders[0].id if holders else None,
        pct_application_number=pct,
        family=family,
        content_hash="x" * 32,
        created_at=NOW,
        updated_at=NOW,
    )
    session.add(row)
    session.flush()
    for position, h in enumerate(holders):
        session.add(PatentHolder(patent_id=row.id, holder_id=h.id, position=position, name_as_filed=h.name))
    for status, when in [("filed", filed), *events]:
        session.add(PatentStatusEvent(patent_id=row.id, status=status, date=when))
    session.flush()
    return row


def build(session: Session) -> dict[str, Holder]:
    """The registry described in the module docstring; returns its holders by role."""
    qibin = holder(session, "淇滨甲公司", "410611")
    xun_big = holder(session, "浚县大企业", "410621")
    partner = holder(session, "浚县合作企业", "410621")
    nowhere = holder(session, "无地址企业", None)
    outside = holder(session, "郑州企业", "410102")
    in_zone = holder(session, "经开区企业", "410671", zone="hebi_etdz")
    granted = [("granted", date(2014, 6, 1))]

    patent(session, [qibin], [("granted", date(2015, 5, 1)), ("lapsed_unpaid_annuity", date(2019, 3, 1))])
    patent(session, [qibin, partner], granted)  # co-owned: counts for 淇滨区 only
    for _ in range(11):
        patent(session, [xun_big], granted)
    patent(session, [in_zone, xun_big], granted, family="WO2014000001A1|US9999999B2")  # zone, overseas
    patent(session, [qibin], [("granted", date(2016, 1, 1)), ("invalidated", date(2016, 1, 1))])  # same day
    patent(session, [qibin], granted, patent_type="utility_model")
    patent(session, [qibin], granted, jurisdiction="US")
    patent(session, [nowhere], granted)
    patent(session, [outside], granted)
    patent(session, [qibin], [("granted", date(2000, 1, 1))], filed=date(1997, 6, 1))  # term ended 2017
    patent(session, [qibin], [("granted", date(2019, 4, 1))], filed=date(2017, 1, 1))
    # Granted 2006, filed 2005: in force at the end of 2018 and maintained > 10 years (high value).
    patent(session, [qibin], [("granted", date(2006, 2, 1))], filed=date(2005, 1, 1))
    # PCT: a CN patent with its PCT number (2018), applications in 2017 and 2018.
    patent(session, [qibin], [], filed=date(2017, 5, 1), pct="PCT/CN2018/000123")
    patent(session, [qibin], [], filed=date(2016, 5, 1), pct="PCT/CN2017/000045")
    patent(session, [qibin], [], filed=date(2017, 2, 1), pct="PCT/CN2018/000200")

    for mark, mark_type, registered, expiry, well_known, status in (
        ("甲", "ordinary", date(2010, 1, 1), date(2019, 12, 31), date(2017, 5, 1), "registered"),
        ("乙", "ordinary", date(2010, 1, 1), date(2017, 12, 31), None, "expired"),
        ("丙", "gi_certification", date(2012, 1, 1), date(2021, 12, 31), None, "registered"),
        ("丁", "ordinary", date(2012, 1, 1), date(2021, 12, 31), None, "cancelled"),
    ):
        session.add(
            Trademark(
                registration_number=f"TM{mark}",
                mark=mark,
                nice_classes=[29],
                mark_type=mark_type,
                holder_id=qibin.id,
                registration_date=registered,
                expiry_date=expiry,
                well_known_date=well_known,
                status=status,
                content_hash="x" * 32,
            )
        )
    session.add(
        GeographicalIndication(
            name="浚县示例",
            kind="gi_certification_mark",
            region_code="410621",
            holder_id=None,
            registration_number="GI001",
            registration_date=date(2016, 1, 1),
            content_hash="x" * 32,
        )
    )
    session.add(
        GeographicalIndication(
            name="丙",
            kind="gi_certification_mark",
            region_code="410611",
            holder_id=qibin.id,
            registration_number="TM丙",
            registration_date=date(2012, 1, 1),
            content_hash="x" * 32,
        )
    )
    for i, (category, when) in enumerate(
        (("software", date(2018, 3, 1)), ("work", date(2018, 7, 1)), ("software", date(2017, 3, 1)))
    ):
        session.add(
            Copyright(
                registration_number=f"C{i}",
                title="t",
                category=category,
                holder_id=qibin.id,
                registration_date=when,
                content_hash="x" * 32,
            )
        )
    session.add(
        PlantVariety(
            right_number="CNA1",
            crop="小麦",
            variety="鹤麦1号",
            holder_id=xun_big.id,
            grant_date=date(2016, 1, 1),
            content_hash="x" * 32,
        )
    )
    for h, tier, year in (
        (xun_big, "国家知识产权优势企业", 2017),  # the demo's label
        (qibin, "national_ip_advantage", 2019),  # the importer's id: not yet in 2018
        (qibin, "gbt29490", 2016),
        (partner, "贯标认证", 2018),
        (in_zone, "市知识产权示范企业", 2018),
    ):
        session.add(HolderTier(holder_id=h.id, tier=tier, year=year))
    for h, number, principal, start in (
        (xun_big, "ZY2017-01", 10_000_000, date(2017, 5, 1)),
        (qibin, "ZY2018-01", 5_000_000, date(2018, 3, 1)),
        (qibin, "ZY2018-02", 3_000_000, date(2018, 9, 1)),
        (xun_big, "ZY2018-03", 0, date(2018, 6, 1)),  # no amount given: stored as 0
        (in_zone, "ZY2019-01", 2_000_000, date(2019, 2, 1)),
    ):
        session.add(
            PledgeLoan(
                holder_id=h.id,
                contract_number=number,
                pledge_registration=f"Y{number}",
                lender="鹤壁测试银行",
                principal_yuan=principal,
                start_date=start,
                end_date=date(start.year + 1, start.month, 1),
            )
        )
    session.add(Population(area_code="410611", year=2018, residents=200_000, source="测试"))
    session.add(Population(area_code="hebi_etdz", year=2018, residents=10_000, source="测试"))
    session.commit()
    return {"qibin": qibin, "xun_big": xun_big, "partner": partner, "nowhere": nowhere, "in_zone": in_zone}
