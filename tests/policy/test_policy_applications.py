"""Applications with evidence (the "applied" road): an enterprise fills in the facts the
registry lacks and uploads the documents; the policy computes the amount at once; a refused
application leaves nothing behind; officers in scope read the documents on the case."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from ipcity_testing import DONE, at_once, csrf_of, login
from policy_exports_world import make_holder, make_invention
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ipcity.audit import verify as verify_audit
from ipcity.auth.roles import Actor
from ipcity.errors import Conflict, PermissionDenied, ValidationFailed
from ipcity.policy import applications, workflow
from ipcity.policy.applications import Upload
from ipcity.policy.models import (
    IpCertificate,
    PatentAward,
    PledgeLoan,
    PledgeLoanCost,
    PolicyCase,
    PolicyCaseStep,
    PolicyEvidenceFile,
)

NOW = datetime(2024, 1, 1, tzinfo=UTC)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
COUNTY_A = Actor(username="county-a", role="county_officer", region_code="410611")


@pytest.fixture
def holders(session_factory: sessionmaker[Session]) -> dict[str, int]:
    """甲 in 淇滨区 (410611), 乙 outside the city (郑州市金水区 410105), each holding the
    invention patent its award applications name."""
    with session_factory() as s:
        jia = make_holder(s, "鹤壁甲科技有限公司", "410611")
        yi = make_holder(s, "郑州乙科技有限公司", "410105")
        make_invention(s, "CN201710123456.0", jia, date(2018, 6, 1))
        make_invention(s, "CN201710654321.7", yi, date(2018, 6, 1))
        s.commit()
        return {"甲": jia.id, "乙": yi.id}


def _ent(holder_id: int) -> Actor:
    return Actor(username=f"ent-{holder_id}", role="enterprise", holder_id=holder_id)


AWARD = {"patent_number": "ZL201710123456.0", "level": "provincial_first", "award_date": "2019-11-20"}
LOAN = {
    "contract_number": "ZY2019-001",
    "principal_yuan": "5,000,000",
    "start_date": "2019-01-10",
    "end_date": "2020-01-09",
    "year": "2019",
    "interest_yuan": "280000",
}


def _counts(session: Session) -> tuple[int, ...]:
    return tuple(
        session.scalar(select(func.count()).select_from(t)) or 0
        for t in (PatentAward, IpCertificate, PledgeLoan, PledgeLoanCost, PolicyCase, PolicyEvidenceFile)
    )


def test_an_award_application_computes_the_amount_and_keeps_the_documents(
    session_factory: sessionmaker[Session], holders: dict[str, int]
) -> None:
    with session_factory() as s:
        case = applications.apply(
            s, _ent(holders["甲"]), "award", AWARD, [Upload("获奖证书.pdf", PDF), Upload("照片.png", PNG)]
        )
        assert (case.status, case.rule, case.amount_yuan, case.year) == ("applied", "P2.2-b", 50000, 2019)
        assert case.region_code == "410611"
        step = s.scalar(select(PolicyCaseStep).where(PolicyCaseStep.case_id == case.id))
        # The step names what was applied for, shown in the reader's language; the amount's
        # reasons are the entitlement's explanation.
        assert step is not None and step.action == "apply" and step.reason == "专利获奖奖励（P2.2）"
        view = workflow.case_view(s, _ent(holders["甲"]), case.id)
        assert view.step_note(step, "en") == "Award for patent prizes (P2.2)"
        files = applications.files_of(s, case.id)
        assert [(f.filename, f.content_type, f.size) for f in files] == [
            ("获奖证书.pdf", "application/pdf", len(PDF)),
            ("照片.png", "image/png", len(PNG)),
        ]
        case_id = case.id
        s.commit()
    with session_factory() as s:
        # The holder's statement counts it as applied for, not as 免申即享.
        from ipcity.policy import exports

        st = exports.statement(s, _ent(holders["甲"]), holders["甲"], 2019)
        assert st.applied == 1 and "其中 1 项由企业提交证明材料申请" in st.introduction("zh_CN")
    # The enterprise confirms the computed amount; the county officer reviews with the files.
    with session_factory() as s:
        assert workflow.case_view(s, _ent(holders["甲"]), case_id).actions == ["confirm"]
        workflow.act(s, _ent(holders["甲"]), case_id, "confirm")
        workflow.act(s, COUNTY_A, case_id, "county_review")
        row = applications.evidence_file(
            s, COUNTY_A, case_id, files[0].id, lambda: workflow.case_view(s, COUNTY_A, case_id)
        )
        assert row.content == PDF
        assert verify_audit(s).ok
    # The same award again is refused: one sentence, nothing written; so is the same patent
    # with another prize of the same list on another day (P2.2 rewards a patent's award once).
    with session_factory() as s:
        before = _counts(s)
        for again_fields in (AWARD, {**AWARD, "level": "provincial_second", "award_date": "2020-11-20"}):
            with pytest.raises(Conflict) as again:
                applications.apply(s, _ent(holders["甲"]), "award", again_fields, [Upload("a.pdf", PDF)])
            assert "同一专利的同类奖项只奖励一次" in again.value.render("zh_CN")
            assert "2019-11-20" in again.value.render("zh_CN")
        assert _counts(s) == before


def test_an_award_or_insurance_names_a_patent_the_applicant_holds(
    session_factory: sessionmaker[Session], holders: dict[str, int]
) -> None:
    with session_factory() as s:
        before = _counts(s)
        # 乙's patent, claimed by 甲: refused, naming the patent's holders.
        with pytest.raises(PermissionDenied) as not_own:
            applications.apply(
                s,
                _ent(holders["甲"]),
                "award",
                {**AWARD, "patent_number": "CN201710654321.7"},
                [Upload("a.pdf", PDF)],
            )
        assert "郑州乙科技有限公司" in not_own.value.render("zh_CN")
        assert "an enterprise may only apply for its own patents" in not_own.value.render("en")
        # A patent the registry does not hold: refused until it is imported.
        with pytest.raises(ValidationFailed) as unknown:
            applications.apply(
                s,
                _ent(holders["甲"]),
                "insurance_policy",
                {
                    "policy_number": "PICC-2019-1",
                    "patent_number": "CN201810000077.7",
                    "premium_yuan": "8000",
                    "start_date": "2019-03-01",
                },
                [Upload("a.pdf", PDF)],
            )
        assert "不在本市专利登记簿中" in unknown.value.render("zh_CN")
        assert _counts(s) == before


@pytest.mark.parametrize(
    ("kind", "fields", "files", "expected"),
    [
        ("award", {**AWARD, "award_date": ""}, [Upload("a.pdf", PDF)], "获奖日期"),
        ("award", {**AWARD, "award_date": "2019/11/20"}, [Upload("a.pdf", PDF)], "获奖日期"),
        ("award", {**AWARD, "level": "nobel"}, [Upload("a.pdf", PDF)], "奖项"),
        # A wrong check digit is refused, never fixed: the number's own reason.
        ("award", {**AWARD, "patent_number": "ZL201710123456.7"}, [Upload("a.pdf", PDF)], "校验位应为 0"),
        ("award", {**AWARD, "award_date": "2999-01-01"}, [Upload("a.pdf", PDF)], "不能晚于今天"),
        ("award", AWARD, [], "证明材料"),
        ("award", AWARD, [Upload("证书.pdf", b"just text, renamed")], "证书.pdf"),
        ("award", AWARD, [Upload("big.pdf", PDF + b"0" * applications.MAX_FILE_BYTES)], "big.pdf"),
        (
            "loan_year",
            {"contract_number": "ZY1", "principal_yuan": "一百万"},
            [Upload("a.pdf", PDF)],
            "贷款本金",
        ),
        ("award", {**AWARD, "award_date": "1800-05-01"}, [Upload("a.pdf", PDF)], "不能早于 1985-01-01"),
        # ² and ① are digits to Python's isdigit, not numbers: refused as any other non-number.
        (
            "loan_year",
            {**LOAN, "interest_yuan": "²"},
            [Upload("a.pdf", PDF)],
            "“当年利息（元）”应为不小于0的整数",
        ),
        ("loan_year", {**LOAN, "principal_yuan": "①②③"}, [Upload("a.pdf", PDF)], "“贷款本金（元）”应为"),
        ("loan_year", {**LOAN, "interest_yuan": "9" * 12}, [Upload("a.pdf", PDF)], "不能超过 2,147,483,647"),
        (
            "loan_year",
            {**LOAN, "start_date": "2019-01-10", "end_date": "2018-01-09"},
            [Upload("a.pdf", PDF)],
            "“到期日期”（2018-01-09）不能早于“起始日期”（2019-01-10）",
        ),
        ("loan_year", {**LOAN, "year": "2018"}, [Upload("a.pdf", PDF)], "应在贷款期内（2019 至 2020 年）"),
        ("loan_year", {**LOAN, "year": "2099"}, [Upload("a.pdf", PDF)], "不能晚于今年"),
        (
            "pct_application",
            {"pct_number": "PCT/CN19/1", "filing_date": "2019-01-02", "search_report_date": "2019-06-01"},
            [Upload("a.pdf", PDF)],
            "PCT申请号",
        ),
        ("lottery", {}, [Upload("a.pdf", PDF)], "申请类别"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_changes_nothing(
    session_factory: sessionmaker[Session],
    holders: dict[str, int],
    kind: str,
    fields: dict[str, str],
    files: list[Upload],
    expected: str,
) -> None:
    with session_factory() as s:
        before = _counts(s)
        with pytest.raises(ValidationFailed) as refused:
            applications.apply(s, _ent(holders["甲"]), kind, fields, files)
        assert expected in refused.value.render("zh_CN")
        assert _counts(s) == before


def test_evidence_that_gives_nothing_is_rolled_back_with_the_engines_reason(
    session_factory: sessionmaker[Session], holders: dict[str, int]
) -> None:
    with session_factory() as s:
        before = _counts(s)
        # A holder outside the city's counties gets nothing (P2: the city's own enterprises).
        with pytest.raises(Conflict) as outside:
            applications.apply(
                s,
                _ent(holders["乙"]),
                "award",
                {**AWARD, "patent_number": "CN201710654321.7"},
                [Upload("a.pdf", PDF)],
            )
        assert "不在本市" in outside.value.render("zh_CN")
        english = outside.value.render("en")  # the engine's reason in English too
        assert "is registered in the city" in english and "不在本市" not in english
        assert _counts(s) == before
        # GB/T 29490 is once per holder ever: a second certificate is refused with the reason.
        first = applications.apply(
            s,
            _ent(holders["甲"]),
            "certificate",
            {
                "certificate_number": "165IP180123R0S",
                "certifier": "中知（北京）认证有限公司",
                "issued_on": "2018-04-02",
            },
            [Upload("证书.pdf", PDF)],
        )
        assert (first.rule, first.amount_yuan) == ("P2.3-a", 50000)
        after_first = _counts(s)
        with pytest.raises(Conflict) as twice:
            applications.apply(
                s,
                _ent(holders["甲"]),
                "certificate",
                {"certificate_number": "165IP210999R1S", "issued_on": "2021-04-02"},
                [Upload("证书.pdf", PDF)],
            )
        assert "每个权利人仅一次" in twice.value.render("zh_CN")
        assert _counts(s) == after_first
        # Officers do not apply for an enterprise.
        with pytest.raises(PermissionDenied):
            applications.apply(s, COUNTY_A, "award", AWARD, [Upload("a.pdf", PDF)])


LOAN_2019 = {
    "principal_yuan": "5,000,000",
    "start_date": "2019-01-10",
    "year": "2019",
    "lender": "中国银行鹤壁分行",
}


def _loan_costs(s: Session, holder_id: int, contract: str, interest: str, **costs: str) -> PolicyCase:
    """甲's application for P2.7-a: a 2019 pledge loan's costs (its contract attached)."""
    return applications.apply(
        s,
        _ent(holder_id),
        "loan_year",
        {**LOAN_2019, **costs, "contract_number": contract, "interest_yuan": interest},
        [Upload("合同.pdf", PDF)],
    )


def test_pledge_costs_of_two_loans_meet_the_yearly_cap(
    session_factory: sessionmaker[Session], holders: dict[str, int]
) -> None:
    """P2.7-a: 50 % of the year's costs, at most 200,000 per enterprise and year over all loans."""
    with session_factory() as s:
        a = _loan_costs(s, holders["甲"], "ZY2019-101", "280000", valuation_yuan="20000")
        assert a.amount_yuan == 150000  # (280,000 + 20,000) × 50 %
        b = _loan_costs(s, holders["甲"], "ZY2019-102", "180000", valuation_yuan="20000")
        assert b.amount_yuan == 50000  # 100,000 asked, 50,000 left under the 200,000 cap
        assert s.scalar(select(func.count()).select_from(PledgeLoanCost)) == 2


def test_an_approved_loan_takes_the_cap_first_and_a_later_loan_gets_what_is_left(
    session_factory: sessionmaker[Session], holders: dict[str, int]
) -> None:
    """P2.7-a's cap of 200,000 per enterprise and year: a loan approved at 150,000 keeps its
    amount when a loan whose contract number sorts before it is applied for later; the new
    one gets the 50,000 left, and the entitlements list both so."""
    from ipcity.auth.roles import SYSTEM
    from ipcity.policy import service

    with session_factory() as s:
        first = _loan_costs(s, holders["甲"], "ZY2019-B", "300000")
        assert first.amount_yuan == 150000
        first.status = "approved"  # reviewed, noticed and approved
        s.commit()
        later = _loan_costs(s, holders["甲"], "ZY2019-A", "200000")
        assert later.amount_yuan == 50000  # 100,000 asked, 50,000 left beside the approved loan
        owed = {
            e.object: e.amount
            for e in service.entitlements(s, SYSTEM, 2019, "P2.7-a")
            if e.holder_id == holders["甲"]
        }
        assert owed == {"ZY2019-B@2019": 150000, "ZY2019-A@2019": 50000}


def test_the_form_through_the_browser_route_and_who_reads_the_documents(
    client: Any, app: Any, session_factory: sessionmaker[Session], holders: dict[str, int], make_user: Any
) -> None:
    make_user("enterprise", "ent-apply", holder_id=holders["甲"])
    login(client, "ent-apply")
    page = client.get("/policy/apply?kind=pct_application")
    assert page.status_code == 200 and "国际检索报告日期" in page.text
    sent = client.post(
        "/policy/apply",
        data={
            "csrf_token": csrf_of(client),
            "kind": "pct_application",
            "pct_number": "pct/cn2019/123456",
            "title": "一种镁合金压铸方法",
            "filing_date": "2019-03-01",
            "search_report_date": "2019-07-15",
        },
        files=[("files", ("检索报告.pdf", PDF, "application/pdf"))],
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    case_url = sent.headers["location"]
    shown = client.get(case_url)
    assert "检索报告.pdf" in shown.text and "30,000" in shown.text and "已申请待确认" in shown.text
    file_url = shown.text.split('href="' + case_url + "/files/")[1].split('"')[0]
    got = client.get(f"{case_url}/files/{file_url}")
    assert (
        got.status_code == 200 and got.content == PDF and "attachment" in got.headers["content-disposition"]
    )
    # Another enterprise and the public do not get the document.
    make_user("enterprise", "ent-other", holder_id=holders["乙"])
    client.post("/logout", data={"csrf_token": csrf_of(client)})
    anonymous = client.get(f"{case_url}/files/{file_url}", follow_redirects=False)
    assert anonymous.status_code in (401, 303)
    login(client, "ent-other")
    assert client.get(f"{case_url}/files/{file_url}").status_code == 404
    # A refused form says why in one sentence, and the API answers the same in JSON.
    bad = client.post(
        "/api/v1/policy/applications",
        data={"kind": "award", **AWARD},
        headers={"X-CSRF-Token": csrf_of(client)},
    )
    assert bad.status_code == 400 and "证明材料" in bad.json()["error"]
    with session_factory() as s:
        case = s.scalar(select(PolicyCase).where(PolicyCase.payment_key == "P2.1-d:PCT/CN2019/123456"))
        assert case is not None and case.status == "applied" and case.amount_yuan == 30000
        assert date(2019, 7, 15).year == case.year


def test_the_enterprise_sees_why_its_case_was_rejected_in_its_list(
    client: Any, session_factory: sessionmaker[Session], holders: dict[str, int], make_user: Any
) -> None:
    with session_factory() as s:
        case = applications.apply(s, _ent(holders["甲"]), "award", AWARD, [Upload("获奖证书.pdf", PDF)])
        workflow.act(s, _ent(holders["甲"]), case.id, "confirm")
        workflow.act(s, COUNTY_A, case.id, "reject", reason="获奖证书与专利号不符")
        assert workflow.rejection_reasons(s, [case]) == {case.id: "获奖证书与专利号不符"}
    make_user("enterprise", "ent-rejected", holder_id=holders["甲"])
    login(client, "ent-rejected")
    page = client.get("/policy/mine").text
    assert '<div class="muted reason">获奖证书与专利号不符</div>' in page


def test_a_refused_form_comes_back_with_its_reason_and_what_was_typed(
    client: Any, session_factory: sessionmaker[Session], holders: dict[str, int], make_user: Any
) -> None:
    """The browser form, refused (no document; then a PCT application applied for twice):
    the same form again, the reason above it in the page's language, every value typed
    still in its field, and nothing saved."""
    make_user("enterprise", "ent-typed", holder_id=holders["甲"])
    login(client, "ent-typed")
    with session_factory() as s:
        before = _counts(s)
    award = client.post(
        "/policy/apply",
        data={"csrf_token": csrf_of(client), "kind": "award", **AWARD},
        follow_redirects=False,
    )
    assert award.status_code == 400
    page = award.text
    assert 'id="apply-error"' in page and "证明材料" in page.split('id="apply-error"')[1].split("</p>")[0]
    assert 'value="ZL201710123456.0"' in page and 'value="2019-11-20"' in page
    assert '<option value="provincial_first" selected>' in page
    assert "证明材料请重新选择" in page
    pct = {
        "csrf_token": csrf_of(client),
        "kind": "pct_application",
        "pct_number": "PCT/CN2019/654321",
        "title": "一种镁合金压铸方法",
        "filing_date": "2019-03-01",
        "search_report_date": "2019-07-15",
    }

    def send(query: str = "") -> Any:
        report = ("files", ("检索报告.pdf", PDF, "application/pdf"))
        return client.post(f"/policy/apply{query}", data=pct, files=[report], follow_redirects=False)

    assert send().status_code == 303
    with session_factory() as s:
        before = _counts(s)
    again = send("?lang=en")
    assert again.status_code == 409
    reason = again.text.split('id="apply-error"')[1].split("</p>")[0]
    assert "PCT/CN2019/654321” is already registered" in reason
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in reason)
    assert 'value="PCT/CN2019/654321"' in again.text and 'value="2019-07-15"' in again.text
    with session_factory() as s:
        assert _counts(s) == before
    # An award for a patent the enterprise does not hold (乙's): refused (403) on the same
    # form, the reason naming the patent's holder, the number and date typed kept.
    foreign = client.post(
        "/policy/apply",
        data={"csrf_token": csrf_of(client), "kind": "award", **AWARD, "patent_number": "CN201710654321.7"},
        files=[("files", ("获奖证书.pdf", PDF, "application/pdf"))],
        follow_redirects=False,
    )
    assert foreign.status_code == 403
    reason = foreign.text.split('id="apply-error"')[1].split("</p>")[0]
    assert "郑州乙科技有限公司" in reason and "只能为本企业持有的专利申请" in reason
    assert 'value="CN201710654321.7"' in foreign.text and 'value="2019-11-20"' in foreign.text
    with session_factory() as s:
        assert _counts(s) == before


def test_one_application_sent_twice_at_once_makes_one_case(
    session_factory: sessionmaker[Session], holders: dict[str, int], concurrent_writers: None
) -> None:
    """A double click on submit: two requests with the same award at the same moment. Both
    pass the checks before either commits; the database lets one through, and the other is
    told in one sentence, with nothing of it kept."""
    send = [
        lambda s: applications.apply(s, _ent(holders["甲"]), "award", AWARD, [Upload("获奖证书.pdf", PDF)])
    ] * 2
    results = at_once(session_factory, send, timeout=30)
    assert results.count(DONE) == 1, results
    refused = next(r for r in results if r != DONE)
    assert "提交过" in refused or "同类奖项只奖励一次" in refused, refused
    with session_factory() as s:
        assert _counts(s) == (1, 0, 0, 0, 1, 1)
        assert verify_audit(s).ok


def test_an_award_dated_after_the_city_s_today_is_refused_naming_the_field(
    session_factory: sessionmaker[Session], holders: dict[str, int]
) -> None:
    with session_factory() as s:
        before = _counts(s)
        with pytest.raises(ValidationFailed) as future:
            applications.apply(
                s, _ent(holders["甲"]), "award", {**AWARD, "award_date": "2099-11-20"}, [Upload("a.pdf", PDF)]
            )
        from ipcity import clock

        assert future.value.render("zh_CN") == f"“获奖日期”不能晚于今天（{clock.today()}）"
        assert _counts(s) == before
