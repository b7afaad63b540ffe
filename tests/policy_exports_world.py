"""A world for the tests of the policy (tests/policy, tests/e2e): builders of holders and
inventions, and for the exports: holders in two
counties, patents, a pledge loan and a dishonesty listing, with cases driven through the
real workflow to paid, approved and in notice. A module with a unique name, so any test can
import it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ipcity import clock
from ipcity.auth.roles import Actor
from ipcity.policy import workflow
from ipcity.policy.models import PledgeLoan, PledgeLoanCost, PolicyCase
from ipcity.protection.models import CreditListing
from ipcity.registry.models import Holder, Patent, PatentHolder, PatentStatusEvent

NOW = datetime(2024, 1, 1, tzinfo=UTC)
YEAR = 2019
AFTER_NOTICE = clock.today() + timedelta(days=365)
CITY = Actor(username="city-1", role="city_officer")
COUNTY_A = Actor(username="county-a", role="county_officer", region_code="410611")  # 淇滨区
COUNTY_B = Actor(username="county-b", role="county_officer", region_code="410621")  # 浚县
GRANT_A, GRANT_B, GRANT_C = "CN201710123456.7", "CN201810000005.0", "CN201910000007.6"
REASON = "故意假冒专利"


def make_holder(session: Session, name: str, region: str, tags: list[str] | None = None) -> Holder:
    """An enterprise holder of ``region`` (flushed); ``tags`` such as 孵化器在孵 (P2.1-f)."""
    row = Holder(
        name=name,
        normalized_name=name,
        kind="enterprise",
        region_code=region,
        tags=list(tags or []),
        created_at=NOW,
        updated_at=NOW,
    )
    session.add(row)
    session.flush()
    return row


def make_invention(session: Session, number: str, holder: Holder, granted: date) -> None:
    """A CN invention filed 2017-03-01 and granted on ``granted``, ``holder`` its only holder."""
    row = Patent(
        application_number=number,
        jurisdiction="CN",
        patent_type="invention",
        title=f"专利{number}",
        filing_date=date(2017, 3, 1),
        grant_date=granted,
        first_holder_id=holder.id,
        content_hash="x" * 32,
        created_at=NOW,
        updated_at=NOW,
    )
    session.add(row)
    session.flush()
    session.add(PatentHolder(patent_id=row.id, holder_id=holder.id, position=0, name_as_filed=holder.name))
    session.add(PatentStatusEvent(patent_id=row.id, status="filed", date=date(2017, 3, 1)))
    session.add(PatentStatusEvent(patent_id=row.id, status="granted", date=granted))
    session.flush()


def _key(session: Session, key: str) -> int:
    case = session.scalar(select(PolicyCase).where(PolicyCase.payment_key == key))
    assert case is not None, key
    return case.id


def enterprise(holder_id: int) -> Actor:
    """The enterprise user bound to ``holder_id``."""
    return Actor(username=f"ent-{holder_id}", role="enterprise", holder_id=holder_id)


def _drive(factory: sessionmaker[Session], case_id: int, holder_id: int, county: Actor, until: str) -> None:
    """Take a case through the real workflow, each step by the role that may take it."""
    steps: list[tuple[Actor, str, dict[str, Any]]] = [
        (enterprise(holder_id), "confirm", {}),
        (county, "county_review", {}),
        (CITY, "city_review", {}),
        (CITY, "notice", {"notice_days": 7}),
        (CITY, "approve", {"today": AFTER_NOTICE}),
        (CITY, "pay", {"payment_reference": f"HB-{YEAR + 1}-{case_id:04d}"}),
    ]
    for actor, action, kwargs in steps:
        with factory() as s:
            workflow.act(s, actor, case_id, action, **kwargs)
        if workflow.TRANSITIONS[action][2] == until:
            return


def build_world(session_factory: sessionmaker[Session]) -> dict[str, int]:
    """Holders in two counties with 2019 grants: A (淇滨区, also a pledge loan: 150,000 of
    P2.7-a) and B (浚县) paid or approved through the workflow; C (淇滨区) on the dishonesty
    list, so its entitlements are held back with the listing's reason. B's first-invention
    award is in public notice. Returns the holder ids, A's paid P2.1-a case and B's case in
    notice."""
    with session_factory() as s:
        a = make_holder(s, "鹤壁甲科技有限公司", "410611")
        b = make_holder(s, "浚县乙农业有限公司", "410621")
        c = make_holder(s, "鹤壁失信科技有限公司", "410611")
        make_invention(s, GRANT_A, a, date(YEAR, 5, 7))
        make_invention(s, GRANT_B, b, date(YEAR, 6, 1))
        make_invention(s, GRANT_C, c, date(YEAR, 7, 1))
        loan = PledgeLoan(holder_id=a.id, contract_number="ZY2019-001", start_date=date(YEAR, 1, 1))
        s.add(loan)
        s.flush()
        s.add(PledgeLoanCost(loan_id=loan.id, year=YEAR, interest_yuan=300000))
        s.add(
            CreditListing(
                holder_id=c.id, name=c.name, reason=REASON, listed_on=date(YEAR, 1, 10), created_at=NOW
            )
        )
        s.commit()
        ids = {"a": a.id, "b": b.id, "c": c.id}
    with session_factory() as s:
        created = workflow.propose_year(s, CITY, YEAR)
        assert all(case.holder_id != ids["c"] for case in created)  # held back: never proposed
        keys = {k: _key(s, k) for k in (f"P2.1-a:{GRANT_A}", f"P2.1-a:{GRANT_B}", "P2.7-a:ZY2019-001@2019")}
        first_b = _key(s, f"P2.1-b:H{ids['b']}")
    _drive(session_factory, keys[f"P2.1-a:{GRANT_A}"], ids["a"], COUNTY_A, "paid")
    _drive(session_factory, keys["P2.7-a:ZY2019-001@2019"], ids["a"], COUNTY_A, "approved")
    _drive(session_factory, keys[f"P2.1-a:{GRANT_B}"], ids["b"], COUNTY_B, "paid")
    _drive(session_factory, first_b, ids["b"], COUNTY_B, "in_notice")
    return {**ids, "case_a": keys[f"P2.1-a:{GRANT_A}"], "notice_b": first_b}
