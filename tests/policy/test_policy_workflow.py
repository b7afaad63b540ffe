"""From entitlement to payment (免申即享): the whole path with real role checks, the refusals,
the cap across applications, and "never twice" down to the database (SQLite and PostgreSQL;
two concurrent transactions on PostgreSQL)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from ipcity_testing import DONE, at_once, csrf_of, login
from policy_exports_world import make_holder, make_invention
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ipcity import clock
from ipcity.audit import ACTION_LABELS, AuditEntry
from ipcity.audit import verify as verify_audit
from ipcity.auth.roles import PUBLIC, Actor
from ipcity.errors import Conflict, NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
from ipcity.policy import workflow
from ipcity.policy.models import PledgeLoan, PledgeLoanCost, PolicyCase, PolicyCaseStep, PolicyPayment
from ipcity.registry.models import Holder

NOW = datetime(2024, 1, 1, tzinfo=UTC)
YEAR = 2019
AFTER_NOTICE = clock.today() + timedelta(days=365)
CITY = Actor(username="city-1", role="city_officer")
COUNTY_A = Actor(username="county-a", role="county_officer", region_code="410611")
COUNTY_B = Actor(username="county-b", role="county_officer", region_code="410621")


_holder, _patent = make_holder, make_invention


def _loan(session: Session, holder: Holder, contract: str, interest: int) -> None:
    loan = PledgeLoan(holder_id=holder.id, contract_number=contract, start_date=date(YEAR, 1, 1))
    session.add(loan)
    session.flush()
    session.add(PledgeLoanCost(loan_id=loan.id, year=YEAR, interest_yuan=interest))
    session.flush()


@pytest.fixture
def holders(session_factory: sessionmaker[Session]) -> dict[str, int]:
    """Holder A (淇滨区, incubated) and B (浚县), each with an invention granted in 2019; A with
    two pledge loans whose 50 % shares (150,000 + 100,000) meet the 200,000 cap."""
    with session_factory() as session:
        a = _holder(session, "鹤壁甲科技有限公司", "410611", ["incubated"])
        b = _holder(session, "浚县乙农业有限公司", "410621", [])
        _patent(session, "CN201710123456.7", a, date(YEAR, 5, 7))
        _patent(session, "CN201810000005.0", b, date(YEAR, 6, 1))
        _loan(session, a, "ZY2019-001", 300000)
        _loan(session, a, "ZY2019-002", 200000)
        session.commit()
        return {"a": a.id, "b": b.id}


def _enterprise(holder_id: int, name: str = "ent") -> Actor:
    return Actor(username=name, role="enterprise", holder_id=holder_id)


def _case(session: Session, key: str) -> PolicyCase:
    case = session.scalar(
        select(PolicyCase).where(PolicyCase.payment_key == key, PolicyCase.status != "rejected")
    )
    assert case is not None, key
    return case


def _form_of(page: str, action: str) -> str:
    """The HTML of the form of ``page`` that posts to ``action``."""
    return page.split(f'action="{action}"')[1].split("</form>")[0]


def _to_notice(factory: sessionmaker[Session], case_id: int, holder_id: int, county: Actor) -> None:
    """Confirm, county review, city review, notice: each by the role that may do it."""
    for actor, action in (
        (_enterprise(holder_id), "confirm"),
        (county, "county_review"),
        (CITY, "city_review"),
        (CITY, "notice"),
    ):
        with factory() as s:
            workflow.act(s, actor, case_id, action, notice_days=7)


def test_the_whole_path_with_real_role_checks(
    session_factory: sessionmaker[Session], holders: dict[str, int]
) -> None:
    with session_factory() as s:
        created = workflow.propose_year(s, CITY, YEAR)
        keys = {c.payment_key for c in created}
    assert "P2.1-a:CN201710123456.7" in keys and "P2.1-a:CN201810000005.0" in keys
    assert "P2.7-a:ZY2019-001@2019" in keys  # yearly rules carry the year in the key
    # Proposing again creates nothing (idempotent).
    with session_factory() as s:
        assert workflow.propose_year(s, CITY, YEAR) == []
        case_id = _case(s, "P2.1-a:CN201710123456.7").id

    ent_a = _enterprise(holders["a"])
    with session_factory() as s:
        assert workflow.case_view(s, ent_a, case_id).actions == ["confirm"]
    _to_notice(session_factory, case_id, holders["a"], COUNTY_A)
    with session_factory() as s:
        view = workflow.case_view(s, CITY, case_id)
        # Seven days of notice, today the first: the last is today + 6.
        last_day = clock.today() + timedelta(days=6)
        assert view.case.status == "in_notice" and view.case.notice_until == last_day
        assert "approve" not in view.actions  # the notice has not ended
        assert [c.id for c in workflow.notices(s)] == [case_id]
        with pytest.raises(Conflict):
            workflow.act(s, CITY, case_id, "approve")
        # On its last day the notice still runs: no approval, while an objection is heard.
        with pytest.raises(Conflict, match="公示期满后才能批准"):
            workflow.act(s, CITY, case_id, "approve", today=last_day)
    # A public objection, with a reason, during the notice; dismissed by the city with one.
    with session_factory() as s, pytest.raises(ValidationFailed):
        workflow.object_to(s, PUBLIC, case_id, "  ")
    with session_factory() as s:
        assert workflow.object_to(s, PUBLIC, case_id, "该专利已转让给外地企业").status == "objected"
    # A second objector is heard too while the notice runs: its reason is a step of its own.
    with session_factory() as s:
        assert workflow.object_to(s, PUBLIC, case_id, "发明人非本市人员").status == "objected"
        reasons = [st.reason for st in workflow.case_view(s, CITY, case_id).steps if st.action == "object"]
        assert reasons == ["该专利已转让给外地企业", "发明人非本市人员"]
    with session_factory() as s, pytest.raises(Conflict):
        workflow.act(s, CITY, case_id, "approve", today=AFTER_NOTICE)
    with session_factory() as s, pytest.raises(ValidationFailed):
        workflow.act(s, CITY, case_id, "dismiss")
    with session_factory() as s:
        workflow.act(s, CITY, case_id, "dismiss", "核实：转让登记在授权后，权利人仍为本市企业")
    with session_factory() as s:
        assert workflow.act(s, CITY, case_id, "approve", today=AFTER_NOTICE).status == "approved"
    with session_factory() as s, pytest.raises(ValidationFailed):
        workflow.act(s, CITY, case_id, "pay")
    with session_factory() as s:
        assert workflow.act(s, CITY, case_id, "pay", payment_reference="HB-2020-0001").status == "paid"
    with session_factory() as s:
        view = workflow.case_view(s, ent_a, case_id)
        assert view.actions == []
        assert view.payment is not None and view.payment.reference == "HB-2020-0001"
        assert [(st.action, st.actor, st.to_status) for st in view.steps] == [
            ("propose", "city-1", "proposed"),
            ("confirm", "ent", "confirmed"),
            ("county_review", "county-a", "county_reviewed"),
            ("city_review", "city-1", "city_reviewed"),
            ("notice", "city-1", "in_notice"),
            ("object", "public", "objected"),
            ("object", "public", "objected"),
            ("dismiss", "city-1", "in_notice"),
            ("approve", "city-1", "approved"),
            ("pay", "city-1", "paid"),
        ]
        actions = [
            e.action for e in s.scalars(select(AuditEntry).where(AuditEntry.object_type == "policy_case"))
        ]
        assert actions == [f"policy.case.{st.action}" for st in view.steps[1:]]
        assert verify_audit(s).ok
        # The audit page names every action the workflow logged.
        logged = set(s.scalars(select(AuditEntry.action)))
        assert logged >= {"policy.case.propose", "policy.case.object"}
        assert logged <= ACTION_LABELS.keys()
        # Paid: nothing more may happen to it, and the key is not proposed again.
        with pytest.raises(Conflict):
            workflow.act(s, CITY, case_id, "reject", "迟到的理由")
    with session_factory() as s:
        assert workflow.propose_year(s, CITY, YEAR) == []


def test_refusals_of_role_scope_and_reason(
    session_factory: sessionmaker[Session], holders: dict[str, int]
) -> None:
    with session_factory() as s:
        workflow.propose_year(s, CITY, YEAR)
        case_a = _case(s, "P2.1-a:CN201710123456.7").id
    refused: list[tuple[Actor, str, type[Exception]]] = [
        (PUBLIC, "confirm", NotAuthenticated),
        # Another holder's enterprise: the same answer as for a case that does not exist.
        (_enterprise(holders["b"]), "confirm", NotFound),
        (CITY, "confirm", PermissionDenied),  # only the enterprise confirms
        (COUNTY_A, "county_review", Conflict),  # not confirmed yet
    ]
    for actor, action, error in refused:
        with session_factory() as s, pytest.raises(error):
            workflow.act(s, actor, case_a, action)
    with session_factory() as s, pytest.raises(PermissionDenied):
        workflow.propose_year(s, COUNTY_A, YEAR)
    with session_factory() as s:
        workflow.act(s, _enterprise(holders["a"]), case_a, "confirm")
    for actor, action, error in [
        (COUNTY_B, "county_review", NotFound),  # the wrong county: not even told it exists
        (CITY, "county_review", PermissionDenied),  # the county reviews first
        (COUNTY_A, "city_review", PermissionDenied),
        (COUNTY_A, "reject", ValidationFailed),  # no reason
    ]:
        with session_factory() as s, pytest.raises(error):
            workflow.act(s, actor, case_a, action)
    with session_factory() as s, pytest.raises(NotFound):
        workflow.case_view(s, _enterprise(holders["b"]), case_a)
    with session_factory() as s:
        assert [c.id for c in workflow.cases(s, COUNTY_B)] == [
            c.id for c in workflow.cases(s, CITY) if c.region_code == "410621"
        ]
        assert case_a not in {c.id for c in workflow.cases(s, COUNTY_B)}
        steps = s.scalar(
            select(func.count()).select_from(PolicyCaseStep).where(PolicyCaseStep.case_id == case_a)
        )
        assert steps == 2  # propose, confirm: the refusals changed nothing
    with session_factory() as s:
        workflow.act(s, COUNTY_A, case_a, "reject", "专利权属存在争议")
    with session_factory() as s:
        view = workflow.case_view(s, CITY, case_a)
        assert view.case.status == "rejected" and view.steps[-1].reason == "专利权属存在争议"
    # The rejection stands: proposing the year again brings the key back in no new case.
    with session_factory() as s:
        assert workflow.propose_year(s, CITY, YEAR) == []
        assert (
            s.scalar(
                select(func.count())
                .select_from(PolicyCase)
                .where(PolicyCase.payment_key == "P2.1-a:CN201710123456.7")
            )
            == 1
        )


def test_a_rejected_case_is_reopened_by_a_city_officer_and_starts_over(
    session_factory: sessionmaker[Session], holders: dict[str, int]
) -> None:
    key = "P2.1-a:CN201710123456.7"
    with session_factory() as s:
        workflow.propose_year(s, CITY, YEAR)
        case_a = _case(s, key).id
    enterprise = _enterprise(holders["a"])
    with session_factory() as s:
        workflow.act(s, enterprise, case_a, "confirm")
        workflow.act(s, COUNTY_A, case_a, "county_review")
        workflow.act(s, CITY, case_a, "reject", "权属待核实")
    with session_factory() as s:
        assert "reopen" in workflow.case_view(s, CITY, case_a).actions
        assert "reopen" not in workflow.case_view(s, COUNTY_A, case_a).actions
        assert "reopen" not in workflow.case_view(s, enterprise, case_a).actions
    for actor, reason, error in [
        (COUNTY_A, "县区想重新受理", PermissionDenied),  # the city's decision
        (enterprise, "请重新审核", PermissionDenied),
        (CITY, "   ", ValidationFailed),  # a reason is needed
    ]:
        with session_factory() as s, pytest.raises(error):
            workflow.act(s, actor, case_a, "reopen", reason)
    with session_factory() as s:
        case = workflow.act(s, CITY, case_a, "reopen", "权属争议已经法院判决解决")
        # Back to where it began: the enterprise confirms again, the county reviews again.
        assert case.status == "proposed" and case.confirmed_at is None
        view = workflow.case_view(s, CITY, case_a)
        assert [(st.action, st.from_status, st.to_status) for st in view.steps[-2:]] == [
            ("reject", "county_reviewed", "rejected"),
            ("reopen", "rejected", "proposed"),
        ]
        assert view.steps[-1].reason == "权属争议已经法院判决解决"
        assert (
            s.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc()).limit(1))
            == "policy.case.reopen"
        )
    with session_factory() as s, pytest.raises(Conflict):
        workflow.act(s, COUNTY_A, case_a, "county_review")  # not confirmed again yet
    with session_factory() as s:
        workflow.act(s, enterprise, case_a, "confirm")
        assert workflow.act(s, COUNTY_A, case_a, "county_review").status == "county_reviewed"
        assert workflow.propose_year(s, CITY, YEAR) == []  # still one case of the key
    with session_factory() as s, pytest.raises(Conflict):
        workflow.act(s, CITY, case_a, "reopen", "不是被驳回的案件")  # only a rejected case


def test_a_rejected_case_is_not_reopened_beside_a_live_one(
    session_factory: sessionmaker[Session], holders: dict[str, int]
) -> None:
    key = "P2.1-a:CN201710123456.7"
    with session_factory() as s:
        workflow.propose_year(s, CITY, YEAR)
        case_a = _case(s, key).id
        workflow.act(s, CITY, case_a, "reject", "材料不全")
    # Another case of the key is live (as when the enterprise applied again after the
    # rejection): reopening the old one would make two.
    twin = _twin(session_factory, case_a)
    with session_factory() as s, pytest.raises(Conflict, match=rf"编号 {twin}"):
        workflow.act(s, CITY, case_a, "reopen", "重新审核")
    with session_factory() as s:
        assert workflow.case_view(s, CITY, case_a).case.status == "rejected"


def test_two_rejected_cases_of_one_key_reopened_at_once_make_one_live_case(
    session_factory: sessionmaker[Session], holders: dict[str, int], concurrent_writers: None
) -> None:
    """Two officers reopen the two rejected cases of one key (the proposal, and the
    enterprise's later application) at the same moment: each passes the service's check
    before the other commits, and the database's live-case index lets one through."""
    key = "P2.1-a:CN201710123456.7"
    with session_factory() as s:
        workflow.propose_year(s, CITY, YEAR)
        first = _case(s, key).id
        workflow.act(s, CITY, first, "reject", "材料不全")
    second = _twin(session_factory, first, status="rejected")
    results = at_once(
        session_factory,
        [lambda s, c=c: workflow.act(s, CITY, c, "reopen", "重新审核") for c in (first, second)],
    )
    assert results.count(DONE) == 1, results
    assert any("不能重新受理本案件" in r for r in results), results
    with session_factory() as s:
        live = s.scalars(select(PolicyCase.status).where(PolicyCase.payment_key == key)).all()
        assert sorted(live) == ["proposed", "rejected"]
        assert verify_audit(s).ok


def test_approving_the_same_key_twice_fails(
    session_factory: sessionmaker[Session], holders: dict[str, int]
) -> None:
    with session_factory() as s:
        workflow.propose_year(s, CITY, YEAR)
        case_b = _case(s, "P2.1-a:CN201810000005.0").id
    _to_notice(session_factory, case_b, holders["b"], COUNTY_B)
    with session_factory() as s:
        workflow.act(s, CITY, case_b, "approve", today=AFTER_NOTICE)
    with session_factory() as s, pytest.raises(Conflict):
        workflow.act(s, CITY, case_b, "approve", today=AFTER_NOTICE)
    # A second live case of the key cannot be written past the service's checks.
    with pytest.raises(IntegrityError):
        _twin(session_factory, case_b)
    # And the database itself refuses a second payment row of the key.
    with session_factory() as s:
        first = s.scalar(select(PolicyPayment).where(PolicyPayment.case_id == case_b))
        assert first is not None
        s.add(
            PolicyPayment(
                payment_key=first.payment_key,
                case_id=case_b,
                holder_id=first.holder_id,
                rule=first.rule,
                year=first.year,
                amount_yuan=first.amount_yuan,
                approved_at=NOW,
                approved_by="sql",
            )
        )
        with pytest.raises(IntegrityError):
            s.flush()


def _twin(factory: sessionmaker[Session], case_id: int, status: str = "in_notice") -> int:
    """A second case with the same payment key (written directly), in ``status``."""
    with factory() as s:
        c = s.get(PolicyCase, case_id)
        assert c is not None
        twin = PolicyCase(
            **{k: getattr(c, k) for k in ("payment_key", "entitlement_id", "year", "rule", "clause")},
            object_label=c.object_label,
            holder_id=c.holder_id,
            holder_name=c.holder_name,
            region_code=c.region_code,
            amount_yuan=c.amount_yuan,
            status=status,
            notice_until=clock.today() if status == "in_notice" else None,
            created_at=NOW,
            updated_at=NOW,
        )
        s.add(twin)
        s.commit()
        return twin.id


def test_concurrent_approvals_of_one_key_pay_once(
    session_factory: sessionmaker[Session], holders: dict[str, int], concurrent_writers: None
) -> None:
    with session_factory() as s:
        workflow.propose_year(s, CITY, YEAR)
        case_b = _case(s, "P2.1-a:CN201810000005.0").id
    _to_notice(session_factory, case_b, holders["b"], COUNTY_B)
    officers = [Actor(username=name, role="city_officer") for name in ("city-1", "city-2")]
    results = at_once(
        session_factory,
        [lambda s, o=o: workflow.act(s, o, case_b, "approve", today=AFTER_NOTICE) for o in officers],
        timeout=30,
    )
    assert results.count(DONE) == 1, results
    # The case's row lock takes the second after the first: it finds the case approved.
    assert "该项目当前状态为“已批准待拨付”，不能执行“批准”" in results, results
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(PolicyPayment)) == 1
        assert verify_audit(s).ok


def test_two_clicks_on_pay_at_once_pay_once(
    session_factory: sessionmaker[Session], holders: dict[str, int]
) -> None:
    """Eight requests to pay one approved case at the same moment (on SQLite and PostgreSQL
    alike): one pays, seven are told it is paid; one pay step on the timeline, one in the
    audit log."""
    with session_factory() as s:
        workflow.propose_year(s, CITY, YEAR)
        case_id = _case(s, "P2.1-a:CN201710123456.7").id
    _to_notice(session_factory, case_id, holders["a"], COUNTY_A)
    with session_factory() as s:
        workflow.act(s, CITY, case_id, "approve", today=AFTER_NOTICE)
    results = at_once(
        session_factory,
        [
            lambda s, n=n: workflow.act(s, CITY, case_id, "pay", payment_reference=f"BANK-{n}")
            for n in range(8)
        ],
    )
    assert sorted(results) == [DONE] + ["该项目当前状态为“已拨付”，不能执行“拨付”"] * 7, results
    with session_factory() as s:
        steps = s.scalars(select(PolicyCaseStep).where(PolicyCaseStep.case_id == case_id)).all()
        assert [st.action for st in steps].count("pay") == 1
        entries = s.scalars(select(AuditEntry).where(AuditEntry.action == "policy.case.pay")).all()
        assert len(entries) == 1 and verify_audit(s).ok


def test_the_cap_holds_across_applications(
    session_factory: sessionmaker[Session], holders: dict[str, int]
) -> None:
    """P2.7-a: 200,000 per holder and year over all approved cases, not one evaluation."""
    from ipcity.policy import service

    with session_factory() as s:
        workflow.propose_year(s, CITY, YEAR)
        first, second = _case(s, "P2.7-a:ZY2019-001@2019"), _case(s, "P2.7-a:ZY2019-002@2019")
        assert (first.amount_yuan, second.amount_yuan) == (150000, 50000)
        ids = [first.id, second.id]
    # A loan reported while those are still in review, whose number sorts first: nothing is
    # approved yet, so the evaluation gives it room and a case is opened for it.
    with session_factory() as s:
        holder = s.get(Holder, holders["a"])
        assert holder is not None
        _loan(s, holder, "ZY2019-000", 100000)
        s.commit()
    with session_factory() as s:
        late = [c for c in workflow.propose_year(s, CITY, YEAR) if c.rule == "P2.7-a"]
        assert [(c.payment_key, c.amount_yuan) for c in late] == [("P2.7-a:ZY2019-000@2019", 50000)]
        late_id = late[0].id
    for case_id in ids:
        _to_notice(session_factory, case_id, holders["a"], COUNTY_A)
        with session_factory() as s:
            workflow.act(s, CITY, case_id, "approve", today=AFTER_NOTICE)
    # The approvals hold the cap, whatever an evaluation said when the case was opened.
    _to_notice(session_factory, late_id, holders["a"], COUNTY_A)
    with session_factory() as s, pytest.raises(Conflict) as refused:
        workflow.act(s, CITY, late_id, "approve", today=AFTER_NOTICE)
    assert "上限 200,000 元" in str(refused.value.render("zh_CN"))
    # And now the evaluation gives the approved loans the room first: the late one is cut to 0.
    with session_factory() as s:
        owed = {
            e.object: e for e in service.entitlements(s, CITY, YEAR, "P2.7-a") if e.holder_id == holders["a"]
        }
        assert [owed[k].amount for k in ("ZY2019-001@2019", "ZY2019-002@2019", "ZY2019-000@2019")] == [
            150000,
            50000,
            0,
        ]
        assert "核减为0元" in owed["ZY2019-000@2019"].explanation_zh


def test_pages_and_api_with_real_logins(
    client: Any, app: Any, session_factory: sessionmaker[Session], holders: dict[str, int], make_user: Any
) -> None:
    make_user("city_officer", "city-web")
    make_user("enterprise", "ent-a-web", holder_id=holders["a"])
    make_user("enterprise", "ent-b-web", holder_id=holders["b"])
    from fastapi.testclient import TestClient

    login(client, "city-web")
    token = csrf_of(client)
    proposed = client.post(
        "/policy/cases/propose", data={"year": YEAR, "csrf_token": token}, follow_redirects=False
    )
    assert proposed.status_code == 303
    told = client.get(proposed.headers["location"]).text
    assert re.search(rf"已按{YEAR}年度的评估结果生成 \d+ 件新案件", told), told
    again = client.post("/policy/cases/propose", data={"year": YEAR, "csrf_token": token})
    assert f"{YEAR}年度没有新的案件可生成" in again.text
    listing = client.get("/policy/cases", params={"status": "proposed"})
    assert listing.status_code == 200 and "鹤壁甲科技有限公司" in listing.text
    # A hundred a page (one here): the second page of the proposed ones, its links keeping the filter.
    import ipcity.policy.workflow_routes as routes_module

    proposed_count = listing.text.count('<td class="nowrap"><a href="/policy/cases/')
    assert proposed_count >= 2
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(routes_module, "CASES_PER_PAGE", 1)
        second = client.get("/policy/cases", params={"status": "proposed", "year": YEAR, "page": 2}).text
    assert second.count('<td class="nowrap"><a href="/policy/cases/') == 1
    assert f"2 / {proposed_count}" in second and f"?status=proposed&amp;year={YEAR}&amp;page=3" in second
    with session_factory() as s:
        case_a = _case(s, "P2.1-a:CN201710123456.7").id
    # The enterprise of another holder may not confirm; the holder's own may, from its page.
    other = TestClient(app)
    login(other, "ent-b-web")
    refused = other.post(
        f"/api/v1/policy/cases/{case_a}/confirm", json={}, headers={"X-CSRF-Token": csrf_of(other)}
    )
    # Answered as for a case that does not exist: trying ids reveals nothing.
    assert refused.status_code == 404 and refused.json()["code"] == "not_found"
    own = TestClient(app)
    login(own, "ent-a-web")
    mine = own.get("/policy/mine")
    assert mine.status_code == 200 and f"/policy/cases/{case_a}/confirm" in mine.text
    assert f"/policy/cases/{case_a}/confirm" in own.get(f"/policy/cases/{case_a}").text
    done = own.post(
        f"/policy/cases/{case_a}/confirm", data={"csrf_token": csrf_of(own)}, follow_redirects=False
    )
    assert done.status_code == 303
    page = client.get(f"/policy/cases/{case_a}")
    assert page.status_code == 200 and "企业确认" in page.text  # the timeline
    assert (
        f"/policy/cases/{case_a}/reject" in page.text and f"/policy/cases/{case_a}/confirm" not in page.text
    )
    # A reason is required to reject: one sentence, nothing changed.
    no_reason = client.post(f"/api/v1/policy/cases/{case_a}/reject", json={}, headers={"X-CSRF-Token": token})
    assert no_reason.status_code == 400 and no_reason.json()["ok"] is False
    # Through the page, a reason of spaces only: the case page again, the reason for the
    # refusal above the reject form and the text kept in it (English: the page's language).
    spaces = client.post(
        f"/policy/cases/{case_a}/reject?lang=en",
        data={"reason": "   ", "csrf_token": token},
        follow_redirects=False,
    )
    assert spaces.status_code == 400
    form = _form_of(spaces.text, f"/policy/cases/{case_a}/reject")
    assert (
        'id="action-error"' in form
        and "needs a reason" in form.split('id="action-error"')[1].split("</p>")[0]
    )
    assert 'aria-invalid="true"' in form and ">   </textarea>" in form
    api = client.get(f"/api/v1/policy/cases/{case_a}").json()
    assert api["status"] == "confirmed" and api["actions"] == ["reject"]
    # A step the case's state refuses (confirmed once already; the button is gone): the case
    # page again, the reason at its top, not a bare error page.
    twice = own.post(
        f"/policy/cases/{case_a}/confirm", data={"csrf_token": csrf_of(own)}, follow_redirects=False
    )
    assert twice.status_code == 409 and "<h1>" in twice.text and 'id="action-error"' in twice.text
    assert "可执行的操作" not in twice.text or f"/policy/cases/{case_a}/confirm" not in twice.text
    # Rejected through the page, the case offers the city officer to reopen it, with a
    # reason; reopened, it waits for the enterprise's confirmation again.
    rejected = client.post(
        f"/policy/cases/{case_a}/reject",
        data={"reason": "权属待核实", "csrf_token": token},
        follow_redirects=False,
    )
    assert rejected.status_code == 303
    page = client.get(f"/policy/cases/{case_a}").text
    reopen_form = _form_of(page, f"/policy/cases/{case_a}/reopen")
    assert '<textarea name="reason" required' in reopen_form and "重新受理" in reopen_form
    reopened = client.post(
        f"/policy/cases/{case_a}/reopen",
        data={"reason": "权属已核实无误", "csrf_token": token},
        follow_redirects=False,
    )
    assert reopened.status_code == 303
    api = client.get(f"/api/v1/policy/cases/{case_a}").json()
    assert api["status"] == "proposed" and api["steps"][-1]["reason"] == "权属已核实无误"
    # The public notice is public.
    assert TestClient(app).get("/api/v1/policy/notices").json() == {"ok": True, "notices": []}
    assert TestClient(app).get("/policy/notices").status_code == 200


def test_the_last_day_of_the_notice_hears_objections_and_approval_comes_the_day_after(
    session_factory: sessionmaker[Session], holders: dict[str, int]
) -> None:
    """``notice_until`` is the notice's last day: an objection is heard on it and approval
    is refused; the next day objections are refused and the case may be approved. With no
    notice days the case may be approved at once."""
    with session_factory() as s:
        workflow.propose_year(s, CITY, YEAR)
        first = _case(s, "P2.1-a:CN201710123456.7").id
        second = _case(s, "P2.1-a:CN201810000005.0").id
    _to_notice(session_factory, first, holders["a"], COUNTY_A)
    with session_factory() as s:
        last_day = s.get(PolicyCase, first).notice_until  # type: ignore[union-attr]
    assert last_day == clock.today() + timedelta(days=6)
    with session_factory() as s, pytest.raises(Conflict):
        workflow.act(s, CITY, first, "approve", today=last_day)
    with session_factory() as s:
        # Shown as in notice to its last day, then as waiting for approval.
        case = s.get(PolicyCase, first)
        assert case is not None and case.shown_status(last_day) == "in_notice"
        assert case.shown_status(last_day + timedelta(days=1)) == "notice_over"
    with session_factory() as s, pytest.raises(Conflict, match="不在公示期内"):
        workflow.object_to(s, PUBLIC, first, "过了公示期才提出", today=last_day + timedelta(days=1))
    with session_factory() as s:
        assert workflow.object_to(s, PUBLIC, first, "最后一天提出异议", today=last_day).status == "objected"
    with session_factory() as s:
        workflow.act(s, CITY, first, "dismiss", "核实无误")
    with session_factory() as s:
        approved = workflow.act(s, CITY, first, "approve", today=last_day + timedelta(days=1))
        assert approved.status == "approved"
    # No notice days: the notice ended yesterday, approval today.
    for actor, action in (
        (_enterprise(holders["b"]), "confirm"),
        (COUNTY_B, "county_review"),
        (CITY, "city_review"),
    ):
        with session_factory() as s:
            workflow.act(s, actor, second, action)
    with session_factory() as s:
        workflow.act(s, CITY, second, "notice", notice_days=0)
    with session_factory() as s:
        assert workflow.act(s, CITY, second, "approve").status == "approved"


def test_an_objection_of_spaces_comes_back_on_the_notice_with_its_reason(
    app: Any, session_factory: sessionmaker[Session], holders: dict[str, int]
) -> None:
    """The public's objection form: a reason of spaces only is refused beside that case's
    form, the text kept, and the case stays in notice."""
    from fastapi.testclient import TestClient

    with session_factory() as s:
        workflow.propose_year(s, CITY, YEAR)
        case_id = _case(s, "P2.1-a:CN201710123456.7").id
    _to_notice(session_factory, case_id, holders["a"], COUNTY_A)
    public = TestClient(app)
    token = csrf_of(public)
    refused = public.post(
        f"/policy/notices/{case_id}/objection",
        data={"reason": "   ", "csrf_token": token},
        follow_redirects=False,
    )
    assert refused.status_code == 400
    form = _form_of(refused.text, f"/policy/notices/{case_id}/objection")
    assert "需要填写理由" in form.split('id="objection-error"')[1].split("</p>")[0]
    assert 'value="   "' in form and 'aria-invalid="true"' in form
    with session_factory() as s:
        assert s.get(PolicyCase, case_id).status == "in_notice"  # type: ignore[union-attr]
    # Too long: said above the form in words, the text kept (not an error page).
    long = public.post(
        f"/policy/notices/{case_id}/objection",
        data={"reason": "异" * 2001, "csrf_token": token},
        follow_redirects=False,
    )
    assert long.status_code == 400
    form = _form_of(long.text, f"/policy/notices/{case_id}/objection")
    assert "理由不能超过 2000 个字符，实际为 2001" in form and "异" * 2001 in form
    heard = public.post(
        f"/policy/notices/{case_id}/objection",
        data={"reason": "该专利已转让给外地企业", "csrf_token": token},
        follow_redirects=False,
    )
    assert heard.status_code == 303
    with session_factory() as s:
        assert s.get(PolicyCase, case_id).status == "objected"  # type: ignore[union-attr]


def test_an_objection_to_a_case_never_on_notice_is_told_as_an_unknown_case(
    app: Any, session_factory: sessionmaker[Session], holders: dict[str, int]
) -> None:
    """The public form must not tell that a case exists in review, or its state: a case not
    yet on notice answers as an id that does not exist; one whose notice is over says so."""
    from fastapi.testclient import TestClient

    with session_factory() as s:
        workflow.propose_year(s, CITY, YEAR)
        proposed = _case(s, "P2.1-a:CN201710123456.7").id
    public = TestClient(app)
    token = csrf_of(public)

    def objection(case_id: int) -> Any:
        return public.post(
            f"/api/v1/policy/notices/{case_id}/objection",
            json={"reason": "该专利已转让给外地企业"},
            headers={"X-CSRF-Token": token},
        )

    hidden, unknown = objection(proposed), objection(999999)
    assert (hidden.status_code, unknown.status_code) == (404, 404)
    assert hidden.json()["error"] == f"没有编号为 {proposed} 的资助案件"
    _to_notice(session_factory, proposed, holders["a"], COUNTY_A)
    with session_factory() as s:
        case = s.get(PolicyCase, proposed)
        assert case is not None and case.notice_until is not None
        case.notice_until = case.notice_until - timedelta(days=30)
        s.commit()
    over = objection(proposed)
    assert over.status_code == 409 and "不在公示期内" in over.json()["error"]


def test_one_step_on_many_cases_checks_each_as_on_its_own(
    session_factory: sessionmaker[Session], holders: dict[str, int]
) -> None:
    """The enterprise confirms its cases at once; the county reviews its county's; a case
    out of scope or in another status is refused with its reason and stops none of the
    others; a rejection without a reason changes nothing."""
    with session_factory() as s:
        workflow.propose_year(s, CITY, YEAR)
        own = [c.id for c in workflow.cases(s, _enterprise(holders["a"]))]
        other = [c.id for c in workflow.cases(s, _enterprise(holders["b"]))]
    assert len(own) >= 3 and other
    with session_factory() as s:
        run = workflow.act_on_many(s, _enterprise(holders["a"]), [*own, other[0]], "confirm")
        assert sorted(c.id for c in run.done) == sorted(own)
        assert [(case_id, type(error)) for case_id, error in run.refused] == [(other[0], NotFound)]
    with session_factory() as s:
        assert {c.status for c in workflow.cases(s, CITY) if c.id in own} == {"confirmed"}
        assert s.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "policy.case.confirm")
        ) == len(own)
    # The county reviews what waits for it: B's case is not confirmed yet (refused), and
    # taking the same step again refuses the cases already moved, changing nothing.
    with session_factory() as s:
        run = workflow.act_on_many(s, COUNTY_A, [own[0], own[1]], "county_review")
        assert [c.status for c in run.done] == ["county_reviewed", "county_reviewed"]
        again = workflow.act_on_many(s, COUNTY_A, [own[0]], "county_review")
        assert again.done == [] and isinstance(again.refused[0][1], Conflict)
        assert "当前状态为“待市级审核”" in again.refused[0][1].render("zh_CN")
    for actor, ids, action, reason, error in [
        (CITY, own, "reject", "  ", ValidationFailed),  # a reason, once for all
        (CITY, [], "city_review", None, ValidationFailed),  # nothing ticked
        (COUNTY_A, own, "city_review", None, PermissionDenied),  # the city's step
        (CITY, own, "approve", None, ValidationFailed),  # approval has its own queue
        (CITY, list(range(1, workflow.MAX_BULK_CASES + 2)), "city_review", None, ValidationFailed),
    ]:
        with session_factory() as s, pytest.raises(error):
            workflow.act_on_many(s, actor, ids, action, reason)
    with session_factory() as s:
        assert [c.status for c in workflow.cases(s, CITY) if c.id in own[:2]] == ["county_reviewed"] * 2
        run = workflow.act_on_many(s, CITY, own, "reject", "材料不实")
        assert len(run.done) == len(own)


def test_the_list_and_the_enterprise_page_take_a_step_on_many_cases(
    client: Any, app: Any, session_factory: sessionmaker[Session], holders: dict[str, int], make_user: Any
) -> None:
    from fastapi.testclient import TestClient

    with session_factory() as s:
        workflow.propose_year(s, CITY, YEAR)
        own = [c.id for c in workflow.cases(s, _enterprise(holders["a"]))]
    make_user("enterprise", "ent-bulk", holder_id=holders["a"])
    login(client, "ent-bulk")
    mine = client.get("/policy/mine", params={"year": YEAR}).text
    form = _form_of(mine, "/policy/cases/bulk")
    assert f"全部确认（{len(own)} 项）" in form and form.count('name="case_id"') == len(own)
    # Posted as the browser posts the form: its hidden fields, the year viewed among them.
    fields: dict[str, Any] = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form))
    done = client.post("/policy/cases/bulk", data={**fields, "case_id": own})
    assert done.status_code == 200 and f"已确认 {len(own)} 个项目。" in done.text
    assert f"{YEAR}年度尚无案件的项目" in done.text  # the same year's page again
    assert 'id="confirm-all"' not in done.text  # nothing left to confirm

    make_user("county_officer", "county-bulk", region_code="410611")
    county = TestClient(app)
    login(county, "county-bulk")
    listing = county.get("/policy/cases", params={"status": "confirmed"}).text
    bulk = _form_of(listing, "/policy/cases/bulk")
    assert '<option value="county_review"' in bulk and '<option value="reject"' in bulk
    assert '<option value="city_review"' not in bulk and 'data-check-all="case_id"' in bulk
    assert listing.count('form="bulk-form"') == len(own)
    refused = county.post(
        "/policy/cases/bulk",
        data={
            "action": "reject",
            "case_id": own[:1],
            "reason": " ",
            "status": "confirmed",
            "csrf_token": csrf_of(county),
        },
    )
    assert (
        refused.status_code == 400
        and "需要填写理由" in refused.text.split('id="bulk-error"')[1].split("</p>")[0]
    )
    reviewed = county.post(
        "/policy/cases/bulk?lang=en",
        data={
            "action": "county_review",
            "case_id": own,
            "status": "confirmed",
            "csrf_token": csrf_of(county),
        },
    )
    assert reviewed.status_code == 200 and f"done on {len(own)} cases" in reviewed.text
    api = county.post(
        "/api/v1/policy/cases/bulk",
        json={"action": "county_review", "case_ids": own[:1]},
        headers={"X-CSRF-Token": csrf_of(county)},
    ).json()
    assert api["ok"] is True and api["done"] == []
    assert api["refused"][0]["id"] == own[0] and "当前状态为“待市级审核”" in api["refused"][0]["error"]


def test_a_batch_payment_records_one_voucher_on_each_case(
    session_factory: sessionmaker[Session], holders: dict[str, int]
) -> None:
    """批量代发: the approved cases paid together carry the batch's voucher number each; one
    not approved is refused with its reason; no voucher, nothing paid."""
    with session_factory() as s:
        workflow.propose_year(s, CITY, YEAR)
        first = _case(s, "P2.1-a:CN201710123456.7").id
        second = _case(s, "P2.1-a:CN201810000005.0").id
    _to_notice(session_factory, first, holders["a"], COUNTY_A)
    _to_notice(session_factory, second, holders["b"], COUNTY_B)
    with session_factory() as s:
        workflow.act(s, CITY, first, "approve", today=AFTER_NOTICE)
    with session_factory() as s:
        workflow.act(s, CITY, second, "approve", today=AFTER_NOTICE)
    with session_factory() as s, pytest.raises(ValidationFailed):
        workflow.act_on_many(s, CITY, [first, second], "pay", payment_reference="  ")
    with session_factory() as s:
        assert (
            s.scalar(
                select(func.count()).select_from(PolicyPayment).where(PolicyPayment.paid_at.is_not(None))
            )
            == 0
        )
        not_approved = _case(s, "P2.7-a:ZY2019-001@2019").id
        run = workflow.act_on_many(
            s, CITY, [first, second, not_approved], "pay", payment_reference="PZ2020-0315-07"
        )
        assert sorted(c.id for c in run.done) == sorted([first, second])
        assert [case_id for case_id, _ in run.refused] == [not_approved]
        paid = s.scalars(select(PolicyPayment.reference).where(PolicyPayment.paid_at.is_not(None))).all()
        assert paid == ["PZ2020-0315-07", "PZ2020-0315-07"]


def test_a_step_on_many_cases_stopped_by_a_locked_database_keeps_what_it_did(
    session_factory: sessionmaker[Session], holders: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database locked in the middle of a step on many cases: the cases done before stay
    done and are told so; that case and the rest are refused with the condition in the
    reader's language (a 503 page would say nothing was changed)."""
    import sqlite3

    from sqlalchemy.exc import OperationalError

    with session_factory() as s:
        workflow.propose_year(s, CITY, YEAR)
        own = [c.id for c in workflow.cases(s, _enterprise(holders["a"]))]
    assert len(own) >= 3
    real_act = workflow.act

    def locked_on_second(session: Session, actor: Actor, case_id: int, *args: Any, **kwargs: Any) -> Any:
        if case_id == own[1]:
            raise OperationalError(
                "UPDATE policy_cases …", {}, sqlite3.OperationalError("database is locked")
            )
        return real_act(session, actor, case_id, *args, **kwargs)

    monkeypatch.setattr(workflow, "act", locked_on_second)
    with session_factory() as s:
        run = workflow.act_on_many(s, _enterprise(holders["a"]), own, "confirm")
    assert [c.id for c in run.done] == own[:1]
    assert [case_id for case_id, _ in run.refused] == own[1:]
    assert "locked by another process" in run.refused[0][1].render("en")
    assert "已锁定" in run.to_json()["refused"][-1]["error"]
    with session_factory() as s:
        assert [s.get(PolicyCase, i).status for i in own] == ["confirmed"] + ["proposed"] * (len(own) - 1)  # type: ignore[union-attr]
    # Any other operational error is a fault for the error page.
    monkeypatch.setattr(
        workflow,
        "act",
        lambda *a, **k: (_ for _ in ()).throw(
            OperationalError("SELECT", {}, sqlite3.OperationalError("no such column: x"))
        ),
    )
    with session_factory() as s, pytest.raises(OperationalError):
        workflow.act_on_many(s, CITY, own, "reject", "材料不实")


def test_a_holder_listed_after_approval_is_not_paid_while_listed(
    session_factory: sessionmaker[Session], holders: dict[str, int]
) -> None:
    """P3.2: put on the dishonesty list between approval and payment, the holder is not
    paid (alone or in a batch) while the listing holds; taken off, it is."""
    from ipcity.protection import service as credit

    with session_factory() as s:
        workflow.propose_year(s, CITY, YEAR)
        case_id = _case(s, "P2.1-a:CN201710123456.7").id
    _to_notice(session_factory, case_id, holders["a"], COUNTY_A)
    with session_factory() as s:
        workflow.act(s, CITY, case_id, "approve", today=AFTER_NOTICE)
    with session_factory() as s:
        listing = credit.add_listing(s, CITY, holders["a"], "故意侵犯专利权", clock.today())
    with (
        session_factory() as s,
        pytest.raises(Conflict, match="列入知识产权失信名单（故意侵犯专利权），暂停批准和拨付"),
    ):
        workflow.act(s, CITY, case_id, "pay", payment_reference="PZ-1")
    with session_factory() as s:
        run = workflow.act_on_many(s, CITY, [case_id], "pay", payment_reference="PZ-1")
        assert run.done == [] and "失信名单" in run.refused[0][1].render("zh_CN")
        assert s.scalar(select(PolicyPayment.paid_at).where(PolicyPayment.case_id == case_id)) is None
    with session_factory() as s:
        credit.remove_listing(s, CITY, listing.id, clock.today(), "信用修复")
    with session_factory() as s:
        assert workflow.act(s, CITY, case_id, "pay", payment_reference="PZ-1").status == "paid"


def test_a_refused_step_on_many_cases_keeps_the_ticks(
    client: Any, session_factory: sessionmaker[Session], holders: dict[str, int], make_user: Any
) -> None:
    """The list shown again after a refusal keeps the cases ticked that were not moved (all
    of them when the step was refused as a whole); a case moved is not ticked again."""
    with session_factory() as s:
        workflow.propose_year(s, CITY, YEAR)
        own = [c.id for c in workflow.cases(s, _enterprise(holders["a"]))]
        workflow.act_on_many(s, _enterprise(holders["a"]), own, "confirm")
    assert len(own) >= 3
    make_user("county_officer", "county-ticks", region_code="410611")
    login(client, "county-ticks")

    def ticked(page: str) -> set[int]:
        return {int(x) for x in re.findall(r'name="case_id" value="(\d+)" form="bulk-form" checked', page)}

    listing = client.get("/policy/cases", params={"status": "confirmed"}).text
    assert ticked(listing) == set()
    refused = client.post(
        "/policy/cases/bulk",
        data={
            "action": "reject",
            "case_id": own[:2],
            "reason": " ",
            "status": "confirmed",
            "csrf_token": csrf_of(client),
        },
    )
    assert refused.status_code == 400 and ticked(refused.text) == set(own[:2])
    with session_factory() as s:
        workflow.act(s, COUNTY_A, own[0], "county_review")
    # own[0] has moved on meanwhile: refused; own[1] is reviewed and not ticked again.
    partly = client.post(
        "/policy/cases/bulk",
        data={"action": "county_review", "case_id": own[:2], "csrf_token": csrf_of(client)},
    )
    assert partly.status_code == 200 and f"/policy/cases/{own[0]}" in partly.text.split('id="bulk-form"')[0]
    assert own[1] not in ticked(partly.text)  # moved on: not ticked for the next step
    done = client.post(
        "/policy/cases/bulk",
        data={"action": "county_review", "case_id": own[2:3], "csrf_token": csrf_of(client)},
    )
    assert done.status_code == 200 and ticked(done.text) == set()
