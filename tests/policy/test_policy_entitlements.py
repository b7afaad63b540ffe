"""Entitlements computed over the database (SQLite and PostgreSQL), the CLI JSON, the pages
and the JSON API."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from ipcity_testing import login
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from ipcity import clock
from ipcity.auth.roles import SYSTEM, Actor
from ipcity.cli import app as cli_app
from ipcity.policy import service
from ipcity.policy.models import (
    IpCertificate,
    PatentInsurancePolicy,
    PctApplication,
    PledgeLoan,
    PledgeLoanCost,
)
from ipcity.protection.models import CreditListing
from ipcity.registry.models import Holder, Patent, PatentHolder, PatentStatusEvent

NOW = datetime(2024, 1, 1, tzinfo=UTC)


def _holder(session: Session, name: str, region: str | None) -> Holder:
    row = Holder(
        name=name,
        normalized_name=name,
        kind="enterprise",
        region_code=region,
        tags=[],
        created_at=NOW,
        updated_at=NOW,
    )
    session.add(row)
    session.flush()
    return row


def _patent(
    session: Session,
    number: str,
    holders: list[Holder],
    granted: date,
    filed: date,
    paid: int | None = None,
    lapsed: date | None = None,
    ptype: str = "invention",
    office: str = "CN",
) -> None:
    row = Patent(
        application_number=number,
        jurisdiction=office,
        patent_type=ptype,
        title=f"专利{number}",
        filing_date=filed,
        grant_date=granted,
        first_holder_id=holders[0].id,
        annuities_paid_yuan=paid,
        content_hash="x" * 32,
        created_at=NOW,
        updated_at=NOW,
    )
    session.add(row)
    session.flush()
    for i, h in enumerate(holders):
        session.add(PatentHolder(patent_id=row.id, holder_id=h.id, position=i, name_as_filed=h.name))
    for status, when in [("filed", filed), ("granted", granted)] + (
        [("lapsed_unpaid_annuity", lapsed)] if lapsed else []
    ):
        session.add(PatentStatusEvent(patent_id=row.id, status=status, date=when))
    session.flush()


def build(session: Session) -> dict[str, Holder]:
    """A small registry for 2019 covering each rule's reading."""
    outside = _holder(session, "北京合作公司", "110108")
    tianhai = _holder(session, "鹤壁天海电器有限公司", "410611")
    xun = _holder(session, "浚县老企业", "410621")
    bad = _holder(session, "鹤壁失信公司", "410622")
    _patent(session, "CN201710123456.7", [outside, tianhai], date(2019, 5, 7), date(2017, 3, 1))
    _patent(session, "CN201210000001.1", [xun], date(2013, 3, 1), date(2011, 1, 5), paid=12600)
    _patent(
        session,
        "CN201210000002.6",
        [xun],
        date(2013, 4, 1),
        date(2011, 1, 5),
        paid=9000,
        lapsed=date(2018, 1, 1),
    )
    _patent(session, "CN201810000005.0", [bad], date(2019, 6, 1), date(2018, 1, 1))
    session.add(
        PctApplication(
            pct_number="PCT/CN2018/000123",
            holder_id=tianhai.id,
            filing_date=date(2018, 11, 1),
            search_report_date=date(2019, 3, 1),
            created_at=NOW,
        )
    )
    session.add(IpCertificate(holder_id=xun.id, certificate_number="165IP190001", issued_on=date(2019, 4, 1)))
    loan_a = PledgeLoan(holder_id=tianhai.id, contract_number="ZY2019-001", start_date=date(2019, 1, 1))
    loan_b = PledgeLoan(holder_id=tianhai.id, contract_number="ZY2019-002", start_date=date(2019, 2, 1))
    session.add_all([loan_a, loan_b])
    session.flush()
    session.add(PledgeLoanCost(loan_id=loan_a.id, year=2019, interest_yuan=300000))
    session.add(PledgeLoanCost(loan_id=loan_b.id, year=2019, interest_yuan=200000))
    session.add(
        PatentInsurancePolicy(
            holder_id=xun.id,
            policy_number="BD2019-01",
            patent_number="CN201210000001.1",
            premium_yuan=8000,
            start_date=date(2019, 3, 1),
        )
    )
    session.add(
        CreditListing(
            holder_id=bad.id,
            name=bad.name,
            reason="故意假冒专利",
            listed_on=date(2019, 1, 10),
            created_at=NOW,
        )
    )
    session.commit()
    return {"tianhai": tianhai, "xun": xun, "bad": bad, "outside": outside}


def _by_id(items: list[Any]) -> dict[str, Any]:
    return {e.id: e for e in items}


def test_entitlements_of_a_year_over_the_database(session: Session) -> None:
    build(session)
    found = _by_id(service.entitlements(session, SYSTEM, 2019))
    grant = found["2019:P2.1-a:CN201710123456.7"]
    assert (grant.holder, grant.amount, grant.status) == ("鹤壁天海电器有限公司", 4000, "eligible")
    assert grant.explanation_zh.startswith("依据P2.1-a：发明专利CN201710123456.7于2019-05-07授权，每件4000元")
    assert grant.parameters == {"invention_grant_subsidy": 4000}
    assert found["2019:P2.1-c:CN201210000001.1"].amount == 10000
    assert "2019:P2.1-c:CN201210000002.6" not in found  # lapsed before its 6th year
    assert found["2019:P2.1-d:PCT/CN2018/000123"].amount == 30000
    assert found["2019:P2.3-a:165IP190001"].amount == 50000
    loans = [found["2019:P2.7-a:ZY2019-001@2019"], found["2019:P2.7-a:ZY2019-002@2019"]]
    assert sum(e.amount for e in loans) == 200000  # 50 % of 500,000 capped at 200,000
    assert found["2019:P2.7-b:BD2019-01"].amount == 8000
    held = found["2019:P2.1-a:CN201810000005.0"]
    assert held.status == "held_back" and "故意假冒专利" in held.explanation_zh
    first = [e for e in found.values() if e.rule == "P2.1-b"]
    assert {e.holder for e in first if e.status == "eligible"} == {"鹤壁天海电器有限公司"}
    assert {e.holder for e in first if e.status == "not_local"} == {"北京合作公司"}
    assert all(e.status == "unset" and e.amount == 0 for e in found.values() if e.clause == "P2.1-e")
    # An unset parameter is named by what it is first, its code in brackets, in each language.
    unset = next(e for e in found.values() if e.rule == "P2.1-e.patents")
    assert "年度专利授权量奖励的门槛（件）；原文未规定（参数 top_grantee_min_grants）" in unset.explanation_zh
    assert "Threshold of the award for patents granted in the year" in unset.explanation_en


def test_what_falls_due_after_today_in_the_city_is_not_yet_owed(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Judged on 2019-04-15 (Beijing time): the 2013-03-01 grant reached its 6th year on
    # 2019-03-01 and is owed; the grant of 2019-05-07 has not happened as far as today knows.
    build(session)
    monkeypatch.setattr(clock, "today", lambda: date(2019, 4, 15))
    found = _by_id(service.entitlements(session, SYSTEM, 2019))
    assert (found["2019:P2.1-c:CN201210000001.1"].status, found["2019:P2.1-c:CN201210000001.1"].amount) == (
        "eligible",
        10000,
    )
    later = found["2019:P2.1-a:CN201710123456.7"]
    assert (later.status, later.amount, later.data["amount_when_due"]) == ("not_due", 0, 4000)
    assert "参考日期2019-05-07尚未到来（今天是2019-04-15）" in later.explanation_zh
    assert "has not come yet (today is 2019-04-15)" in later.explanation_en
    # A year wholly in the future owes nothing yet: nothing in it can be proposed.
    monkeypatch.setattr(clock, "today", lambda: date(2018, 12, 31))
    assert not [e for e in service.entitlements(session, SYSTEM, 2019) if e.status == "eligible"]


def test_one_rule_reads_only_its_data_and_gives_the_same_entitlements(session: Session) -> None:
    """Evaluating one rule loads only what it reads; its entitlements are those of the whole
    evaluation. P2.1-b with an earlier grant: 鹤壁失信公司 was granted an invention in 2015
    (shared with 浚县老企业), so its 2019 grant is not its first."""
    holders = build(session)
    _patent(session, "CN201310000003.X", [holders["bad"], holders["xun"]], date(2015, 2, 1), date(2013, 1, 8))
    session.commit()
    whole = [e.to_json() for e in service.entitlements(session, SYSTEM, 2019)]
    first = [e for e in whole if e["rule"] == "P2.1-b"]
    assert {e["holder"] for e in first} == {"鹤壁天海电器有限公司", "北京合作公司"}
    for rule in service.current_policy().rules:
        alone = [e.to_json() for e in service.entitlements(session, SYSTEM, 2019, rule.id)]
        assert alone == [e for e in whole if e["rule"] == rule.id], rule.id


def test_scope_enterprise_sees_only_its_own(session: Session) -> None:
    holders = build(session)
    own = Actor(username="firm", role="enterprise", holder_id=holders["xun"].id)
    assert {e.holder for e in service.entitlements(session, own, 2019)} == {"浚县老企业"}
    county = Actor(username="c", role="county_officer", region_code="410611")
    assert {e.holder for e in service.entitlements(session, county, 2019)} == {"鹤壁天海电器有限公司"}


def test_cli_evaluate_json_and_explain(session: Session, database_url: str) -> None:
    build(session)
    result = CliRunner().invoke(
        cli_app, ["--db", database_url, "policy", "evaluate", "--year", "2019", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert isinstance(data, list) and data
    for item in data:
        assert {"holder", "rule", "object", "amount", "status", "explanation"} <= set(item)
    grant = next(d for d in data if d["object"] == "CN201710123456.7" and d["rule"] == "P2.1-a")
    assert grant["amount"] == 4000 and grant["reference_date"] == "2019-05-07"
    explained = CliRunner().invoke(
        cli_app, ["--db", database_url, "policy", "explain", "2019:P2.1-a:CN201710123456.7"]
    )
    assert explained.exit_code == 0 and "每件4000元" in explained.stdout
    missing = CliRunner().invoke(cli_app, ["--db", database_url, "policy", "explain", "2019:P2.1-a:CN000"])
    assert missing.exit_code != 0


def test_cli_evaluate_table_speaks_the_readers_language(
    session: Session, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(session)
    chinese = CliRunner().invoke(cli_app, ["--db", database_url, "policy", "evaluate", "--year", "2019"])
    assert chinese.exit_code == 0 and "应享受" in chinese.stdout and "eligible" not in chinese.stdout
    monkeypatch.setenv("IPCITY_DEFAULT_LOCALE", "en")
    english = CliRunner().invoke(
        cli_app, ["--db", database_url, "policy", "evaluate", "--year", "2019"], env={"COLUMNS": "200"}
    )
    assert english.exit_code == 0, english.output
    # The status by its English label, the explanation in English.
    assert "Eligible" in english.stdout and "Under P2.1-a" in english.stdout
    assert "依据P2.1-a" not in english.stdout


def test_cli_policy_test_runs_the_scenarios() -> None:
    result = CliRunner().invoke(cli_app, ["policy", "test"])
    assert result.exit_code == 0, result.output
    assert "场景通过" in result.stdout


def test_rule_pages_and_api(client: Any) -> None:
    page = client.get("/policy")
    assert page.status_code == 200 and "P2.1-a" in page.text and "资助奖励规则" in page.text
    rule = client.get("/policy/rules/P2.1-c")
    assert rule.status_code == 200
    assert (
        "根据其实际缴纳年费情况" in rule.text
        and "annuity_support_cap" in rule.text
        and "授权满6年仍有效" in rule.text
    )
    english = client.get("/policy/rules/P2.1-c?lang=en").text
    assert "Parameters over time" in english
    assert "Building of a Strong IP City" in client.get("/policy?lang=en").text
    # The reading, the formula and the parameters in English; the quote stays the text's own.
    assert "Amount = min(annuities actually paid in total, 10,000)" in english
    assert "min(annuities actually paid, cap)" in english and "Years in force after the grant" in english
    assert "根据其实际缴纳年费情况" in english and "年费支持上限" not in english
    # Each scenario is run on the page: its input as written (the patent that lapsed before
    # its sixth anniversary among them) and the three results it expects, each marked so.
    assert "2018-05-01" in rule.text and rule.text.count("符合预期") == 8 and "未预期" not in rule.text
    # A scenario that sets parameters of its own shows them (the span lengthened to 7 years),
    # and one judged on a given day names it.
    assert "本场景设定的参数" in rule.text and "2020-01-01" in rule.text
    assert "评估之日" in rule.text and "2019-04-15" in rule.text
    # The input's columns are named in the page's language beside the file's own field
    # names, and coded values are in words (the code kept in the title).
    heads = rule.text.split('class="data compact scenario-input"')[2].split("</thead>")[0]
    assert "授权日 <code" in heads and ">granted</code>" in heads and "实际缴纳年费（元）" in heads
    grants = client.get("/policy/rules/P2.1-a").text
    assert (
        '<span title="invention">发明</span>' in grants
        and '<span title="utility_model">实用新型</span>' in grants
    )
    english_heads = english.split('class="data compact scenario-input"')[2].split("</thead>")[0]
    assert "Grant date <code" in english_heads and not re.search("[\u4e00-\u9fff]", english_heads)
    assert '<span title="invention">Invention</span>' in client.get("/policy/rules/P2.1-a?lang=en").text
    assert client.get("/policy/rules/P9").status_code == 404


def test_a_clause_id_leads_to_its_rules_or_says_why_it_has_none(client: Any) -> None:
    """P2.1-e is served by two rules: its page lists both, the API names them; P2.1-f pays no
    money; P3.2 (enforcement) is not a money clause; a clause with one rule is that rule."""
    clause = client.get("/policy/rules/P2.1-e")
    assert clause.status_code == 200 and "条款 P2.1-e 的规则" in clause.text
    assert 'href="/policy/rules/P2.1-e.patents"' in clause.text
    assert 'href="/policy/rules/P2.1-e.software"' in clause.text
    assert "对年度专利授权量较大的企业" in clause.text
    assert 'href="/policy/rules/P2.1-a"' not in clause.text
    assert "Rules of clause P2.1-e" in client.get("/policy/rules/P2.1-e?lang=en").text
    api = client.get("/api/v1/policy/rules/P2.1-e")
    assert api.status_code == 404
    assert api.json()["error"] == "“P2.1-e”是条款编号，本策略按它设有规则 P2.1-e.patents、P2.1-e.software"
    priority = client.get("/api/v1/policy/rules/P2.1-f?lang=en").json()["error"]
    assert priority.startswith("Clause “P2.1-f” pays no money") and "incubators" in priority
    enforcement = client.get("/policy/rules/P3.2")
    assert enforcement.status_code == 404 and "只有资助奖励条款（如 P2.1-a）设有计算规则" in enforcement.text
    filtered = client.get("/policy/entitlements", params={"rule": "P3.2"})
    assert filtered.status_code == 404 and "只有资助奖励条款" in filtered.text
    api = client.get("/api/v1/policy/rules/P2.1-a").json()
    assert (
        api["quote"].startswith("对获得国内发明专利授权")
        and api["parameters"]["amount"]["values"][0]["value"] == 4000
    )
    assert (
        api["parameters"]["amount"]["description_en"]
        == "Subsidy per domestic invention patent granted (yuan)"
    )
    assert api["reading_en"].startswith("Counted in the year the grant is published")
    assert len(client.get("/api/v1/policy/rules").json()["rules"]) == 11


def test_entitlement_pages_need_a_login(client: Any, session: Session, make_user: Any) -> None:
    build(session)
    assert client.get("/api/v1/policy/entitlements?year=2019").status_code == 401
    login(client, make_user("city_officer"))
    api = client.get("/api/v1/policy/entitlements?year=2019").json()
    assert api["ok"] and api["year"] == 2019 and api["total_payable"] > 0
    page = client.get("/policy/entitlements?year=2019")
    assert page.status_code == 200 and "CN201710123456.7" in page.text and "故意假冒专利" in page.text
    one = client.get("/policy/explain", params={"id": "2019:P2.1-d:PCT/CN2018/000123"})
    assert one.status_code == 200 and "30,000" in one.text
    # The parameter with its description and value, the data with its labels.
    assert _table_rows(one.text, "parameters") == [["pct_subsidy", "每件PCT国际专利申请补贴（元）", "30,000"]]
    assert "国际检索报告日" in one.text and "2019-03-01" in one.text
    english = client.get("/policy/explain", params={"id": "2019:P2.1-d:PCT/CN2018/000123", "lang": "en"}).text
    assert "Subsidy per PCT international application (yuan)" in english
    assert "International search report date" in english
    en = client.get("/api/v1/policy/explain?id=2019:P2.1-a:CN201710123456.7&lang=en").json()
    assert en["explanation"].startswith(
        "Under P2.1-a: invention patent CN201710123456.7 granted on 2019-05-07"
    )
    assert client.get("/api/v1/policy/entitlements?year=1900").status_code == 400
    # An id whose year is ² (a digit to Python's isdigit, not a number): the id's format is
    # refused in one sentence, not a server error.
    odd = client.get("/api/v1/policy/explain", params={"id": "²:P2.1-a:CN201710123456.7"})
    assert odd.status_code == 400 and "格式不对" in odd.json()["error"]


def test_an_earlier_grant_shared_by_two_of_the_years_grantees_counts_for_both(session: Session) -> None:
    """P2.1-b over the database: one 2016 invention co-owned by two holders who are both
    granted an invention in 2019 makes neither 2019 grant a first; a grantee with no
    history is paid; the 2016 patent itself pays no P2.1-a in 2019."""
    a = _holder(session, "鹤壁甲公司", "410611")
    b = _holder(session, "鹤壁乙公司", "410602")
    c = _holder(session, "鹤壁丙公司", "410603")
    _patent(session, "CN201410000001.6", [a, b], date(2016, 8, 1), date(2014, 1, 6))
    _patent(session, "CN201710000002.4", [a], date(2019, 3, 1), date(2017, 2, 1))
    _patent(session, "CN201710000003.9", [b], date(2019, 4, 1), date(2017, 2, 2))
    _patent(session, "CN201710000004.3", [c], date(2019, 5, 1), date(2017, 2, 3))
    session.commit()
    found = service.entitlements(session, SYSTEM, 2019)
    first = {e.holder: e.amount for e in found if e.rule == "P2.1-b"}
    assert first == {
        "鹤壁丙公司": service.current_policy().parameters["first_invention_award"].value_on(date(2019, 5, 1))
    }
    assert sorted(e.object for e in found if e.rule == "P2.1-a") == [
        "CN201710000002.4",
        "CN201710000003.9",
        "CN201710000004.3",
    ]


def test_the_grant_ranking_counts_every_type_and_office_once_per_holder(session: Session) -> None:
    """P2.1-e over the database (the counts are made in SQL): every patent granted in the
    year counts, of any type and office, once for each of its holders; holders outside the
    city and individuals are not ranked; ties share a rank."""
    a = _holder(session, "鹤壁甲公司", "410611")
    b = _holder(session, "鹤壁乙公司", "410602")
    c = _holder(session, "鹤壁丙公司", "410603")
    d = _holder(session, "鹤壁丁公司", "410621")
    far = _holder(session, "北京戊公司", "110108")
    person = _holder(session, "张三", "410611")
    person.kind = "individual"
    in_2019 = date(2019, 6, 1)
    for number, ptype, office, holders in [
        ("CN-T1", "invention", "CN", [a]),
        ("CN-T2", "utility_model", "CN", [a]),
        ("CN-T3", "design", "CN", [a]),
        ("CN-T4", "utility_model", "CN", [a, b]),
        ("CN-T5", "invention", "CN", [b]),
        ("US-T6", "invention", "US", [c]),
        ("CN-T7", "utility_model", "CN", [d]),
        ("CN-T8", "invention", "CN", [far]),
        ("CN-T9", "invention", "CN", [far]),
        ("CN-T10", "invention", "CN", [far]),
        ("CN-T11", "utility_model", "CN", [person]),
    ]:
        _patent(session, number, holders, in_2019, date(2018, 1, 1), ptype=ptype, office=office)
    _patent(session, "CN-T12", [c], date(2018, 6, 1), date(2017, 1, 1))  # another year
    session.commit()
    ranked = sorted(
        (e.data["rank"], e.holder, e.data["count"])
        for e in service.entitlements(session, SYSTEM, 2019, "P2.1-e")
        if e.object.endswith("-grants")
    )
    assert ranked == [(1, "鹤壁甲公司", 4), (2, "鹤壁乙公司", 2), (3, "鹤壁丁公司", 1), (3, "鹤壁丙公司", 1)]


def test_the_grant_ranking_read_from_the_database_stops_at_the_listed_rank_with_its_ties(
    session: Session, tmp_path: Path
) -> None:
    """The database gives the ranking only the holders it can list (the counts are cut in
    SQL at the rule's lowest rank): with the top 2 listed, the three holders tied at rank 2
    all come back, the holder below them does not, and neither does an individual with more
    grants than anyone."""
    from ipcity.policy.engine import evaluate
    from ipcity.policy.loader import load_policy
    from ipcity.policy.sources import load_snapshot

    shipped = Path(load_policy.__globals__["DEFAULT_POLICY"]).read_text(encoding="utf-8")
    listed_10 = "      - {from: 2017-09-30, value: 10}\n"
    start = shipped.index("  top_grantee_listed:")
    at = shipped.index(listed_10, start)
    (tmp_path / "top2.yaml").write_text(
        shipped[:at] + "      - {from: 2017-09-30, value: 2}\n" + shipped[at + len(listed_10) :],
        encoding="utf-8",
    )
    policy = load_policy(tmp_path / "top2.yaml")
    counts = {"鹤壁甲公司": 3, "鹤壁乙公司": 2, "鹤壁丙公司": 2, "鹤壁丁公司": 2, "鹤壁戊公司": 1}
    serial = 0
    for name, n in counts.items():
        holder = _holder(session, name, "410611")
        for _ in range(n):
            serial += 1
            _patent(session, f"CN-R{serial}", [holder], date(2019, 3, 1), date(2018, 1, 1), ptype="design")
    person = _holder(session, "李四", "410611")
    person.kind = "individual"
    for _ in range(5):
        serial += 1
        _patent(session, f"CN-R{serial}", [person], date(2019, 3, 1), date(2018, 1, 1), ptype="design")
    session.commit()
    snapshot = load_snapshot(session, 2019, policy, ["P2.1-e.patents"])
    assert snapshot.grant_counts is not None
    assert {snapshot.holders[h].name: n for h, n in snapshot.grant_counts.items()} == {
        "鹤壁甲公司": 3,
        "鹤壁乙公司": 2,
        "鹤壁丙公司": 2,
        "鹤壁丁公司": 2,
    }
    ranked = sorted((e.data["rank"], e.holder) for e in evaluate(policy, snapshot, 2019, ["P2.1-e.patents"]))
    assert ranked == [(1, "鹤壁甲公司"), (2, "鹤壁丁公司"), (2, "鹤壁丙公司"), (2, "鹤壁乙公司")]
    # A city that lists nobody (0) gets no ranking, on every database (not an OFFSET -1).
    at = shipped.index(listed_10, start)
    (tmp_path / "none.yaml").write_text(
        shipped[:at] + "      - {from: 2017-09-30, value: 0}\n" + shipped[at + len(listed_10) :],
        encoding="utf-8",
    )
    nobody = load_policy(tmp_path / "none.yaml")
    assert load_snapshot(session, 2019, nobody).grant_counts == {}
    assert [
        e for e in evaluate(nobody, load_snapshot(session, 2019, nobody), 2019) if e.rule == "P2.1-e.patents"
    ] == []
    # The same rule and registry under the shipped policy (top 10): all five enterprises, not
    # the cut kept for the top-2 policy (the listed rank is part of what the kept read is for).
    shipped_policy = load_policy()
    again = load_snapshot(session, 2019, shipped_policy, ["P2.1-e.patents"])
    assert again.grant_counts is not None and len(again.grant_counts) == 5
    # A caller changing its snapshot changes no later one (each takes copies of the kept part).
    again.grant_counts.clear()
    again.holders.clear()
    again.patents.append(again.patents[0] if again.patents else None)  # type: ignore[arg-type]
    fresh = load_snapshot(session, 2019, shipped_policy, ["P2.1-e.patents"])
    assert fresh.grant_counts is not None and len(fresh.grant_counts) == 5 and len(fresh.holders) == 5
    assert fresh.patents == []


def test_the_registry_part_of_a_snapshot_is_kept_until_the_registry_changes(
    session_factory: Any, engine: Any
) -> None:
    """A second evaluation of the year reads no patent again; a committed grant, or one in
    the caller's own open transaction, is seen at once; a rolled-back one is not kept."""
    from sqlalchemy import event

    from ipcity.policy import sources

    def granted(found: list[Any]) -> set[str]:
        return {e.object for e in found if e.rule == "P2.1-a" and e.status == "eligible"}

    sources.forget_registry_parts()
    with session_factory() as s:
        owner = _holder(s, "鹤壁缓存测试有限公司", "410611")
        _patent(s, "CN201910000001.2", [owner], date(2019, 5, 7), date(2017, 3, 1))
        s.commit()
        owner_id = owner.id

    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        with session_factory() as s:
            first = service.entitlements(s, SYSTEM, 2019)
            assert granted(first) == {"CN201910000001.2"}
            read_patents = sum("FROM patents" in q for q in statements)
            assert read_patents > 0
            again = service.entitlements(s, SYSTEM, 2019)
            assert [e.to_json() for e in again] == [e.to_json() for e in first]
            assert sum("FROM patents" in q for q in statements) == read_patents, "the kept part is used"

        with session_factory() as s:  # a grant committed by someone else
            _patent(s, "CN201910000002.7", [s.get(Holder, owner_id)], date(2019, 8, 1), date(2017, 4, 1))
            s.commit()
        with session_factory() as s:
            assert granted(service.entitlements(s, SYSTEM, 2019)) == {"CN201910000001.2", "CN201910000002.7"}
            # The caller's own uncommitted grant is part of what it sees, and is not kept.
            _patent(s, "CN201910000003.1", [s.get(Holder, owner_id)], date(2019, 9, 1), date(2017, 5, 1))
            assert len(granted(service.entitlements(s, SYSTEM, 2019))) == 3
            s.rollback()
        with session_factory() as s:
            assert len(granted(service.entitlements(s, SYSTEM, 2019))) == 2
    finally:
        event.remove(engine, "before_cursor_execute", record)
        sources.forget_registry_parts()


_LINK_INDEX = re.compile(
    r"USING (COVERING )?INDEX (ix_patent_holders_\w+|sqlite_autoindex_patent_holders_\d+)"
)


def test_the_years_reads_walk_the_holder_links_by_index_alone(session_factory: Any, engine: Any) -> None:
    """Every statement of a year's evaluation that reads the holder links does so from an
    index holding both ends (migration 0009), never from the links' table rows: at a
    million patents these walks are most of the policy's database time."""
    from sqlalchemy import event

    from ipcity.policy import sources

    if engine.dialect.name != "sqlite":
        pytest.skip("the plans asked for are SQLite's; PostgreSQL plans from its statistics")
    with session_factory() as s:
        build(s)
    statements: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        if "patent_holders" in statement and statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append((statement, parameters))

    sources.forget_registry_parts()
    event.listen(engine, "before_cursor_execute", record)
    try:
        with session_factory() as s:
            found = service.entitlements(s, SYSTEM, 2019)
    finally:
        event.remove(engine, "before_cursor_execute", record)
        sources.forget_registry_parts()
    assert {e.rule for e in found} >= {"P2.1-a", "P2.1-b", "P2.1-c"}
    # The grants with their holders, each grantee's earlier grant and the ranking's counts.
    assert len(statements) == 3
    with engine.connect() as connection:
        for statement, parameters in statements:
            plan = [
                row[-1] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            ]
            walks = [m for m in map(_LINK_INDEX.search, plan) if m]
            assert walks, plan
            assert all(m.group(1) for m in walks), plan
            assert not any(re.match(r"SCAN (patent_holders|ph|g)\b", step) for step in plan), plan


def test_a_rule_page_shows_a_failing_scenario_open_with_its_problems(
    client: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    """A scenario whose expectation the engine does not meet is shown failed, opened, with
    the result it did not expect and the line of the file that expected otherwise."""
    from ipcity.policy import service as policy_service

    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(
        """scenarios:
  - name: 错误的预期
    year: 2019
    rules: [P2.1-a]
    input:
      holders:
        - {name: 鹤壁天海电器有限公司, region: "410611"}
      patents:
        - {number: CN201710123456.0, filed: 2017-03-01, granted: 2019-05-07, holders: [鹤壁天海电器有限公司]}
    expect:
      - {rule: P2.1-a, object: CN201710123456.0, amount: 5000}
""",
        encoding="utf-8",
    )
    monkeypatch.setattr(policy_service, "scenario_files", lambda: [wrong])
    page = client.get("/policy/rules/P2.1-a").text
    assert '<details class="card scenario" open>' in page
    assert "不通过" in page and "第11行：P2.1-a / CN201710123456.0 的 amount 应为 5000，实际为 4000" in page
    # The row of that result says it differs (not "as expected"): the badge and the verdict agree.
    assert "与预期不符" in page and "符合预期" not in page
    english = client.get("/policy/rules/P2.1-a?lang=en").text
    assert "Line 11: amount of P2.1-a / CN201710123456.0 should be 5000, it is 4000" in english


def test_the_entitlements_page_sums_by_rule_filters_and_pages(
    client: Any, session: Session, make_user: Any, monkeypatch: Any
) -> None:
    """The year's page: one summary line per rule with items (P2.1-a: the co-owned patent
    paid, the listed holder's held back), then the items of a rule and result, a page at a
    time; a result that does not exist is one clear sentence, an unknown rule a 404."""
    from ipcity.policy import routes as policy_routes

    build(session)
    login(client, make_user("city_officer"))
    page = client.get("/policy/entitlements?year=2019")
    assert page.status_code == 200
    summary = _table_rows(page.text, "summary")
    grants = next(r for r in summary if r[0] == "P2.1-a")
    assert grants[2:] == ["2", "1", "4,000", "1"]
    held = client.get("/policy/entitlements?year=2019&rule=P2.1-a&status=held_back").text
    rows = _table_rows(held, "entitlements")
    assert [r[:2] + r[4:6] for r in rows] == [["P2.1-a", "鹤壁失信公司", "4,000", "暂缓（失信名单）"]]
    assert "共 1 项" in held

    monkeypatch.setattr(policy_routes, "PER_PAGE", 2)
    everything = _table_rows(client.get("/policy/entitlements?year=2019").text, "summary")
    total = sum(int(r[2]) for r in everything)
    second = client.get("/policy/entitlements?year=2019&page=2").text
    assert len(_table_rows(second, "entitlements")) == min(2, total - 2)
    assert f"2 / {-(-total // 2)}" in second and f"共 {total} 项" in second

    wrong = client.get("/policy/entitlements?year=2019&status=paid_twice")
    assert wrong.status_code == 400 and "状态“paid_twice”无效" in wrong.text
    assert client.get("/policy/entitlements?year=2019&rule=P9.9").status_code == 404


def _table_rows(html: str, table_id: str) -> list[list[str]]:
    """The cell texts of each body row of the table with id ``table_id``."""
    from lxml import html as lxml_html

    table = lxml_html.fromstring(html).get_element_by_id(table_id)
    return [[" ".join(td.text_content().split()) for td in tr.findall("td")] for tr in table.find("tbody")]


def test_two_rules_reading_the_same_candidates_get_data_of_their_own(tmp_path: Path) -> None:
    """A city may pay twice for one kind of object (a second rule on the same formula, a
    district top-up, say): each rule's entitlement keeps its own copy of the object's data,
    so that a caller changing one changes nothing of the other."""
    from ipcity.policy.engine import evaluate
    from ipcity.policy.loader import load_policy
    from ipcity.policy.snapshot import HolderRec, PatentRec, Snapshot

    shipped = Path(load_policy.__globals__["DEFAULT_POLICY"]).read_text(encoding="utf-8")
    rule_a = shipped.index("  - id: P2.1-a\n")
    top_up = shipped[rule_a : shipped.index("  - id: P2.1-b\n")].replace("id: P2.1-a", "id: P2.1-a.top-up")
    (tmp_path / "two.yaml").write_text(shipped + "\n" + top_up, encoding="utf-8")
    policy = load_policy(tmp_path / "two.yaml")
    snapshot = Snapshot()
    snapshot.holders = {1: HolderRec(1, "鹤壁甲公司", "410611")}
    snapshot.patents = [
        PatentRec(
            1, "CN201710000001.6", "invention", "CN", "一种镁合金", date(2017, 1, 3), date(2019, 5, 7), (1,)
        )
    ]
    found = evaluate(policy, snapshot, 2019, ["P2.1-a", "P2.1-a.top-up"])
    assert [(e.rule, e.amount) for e in found] == [("P2.1-a", 4000), ("P2.1-a.top-up", 4000)]
    first, second = found
    first.data["number"] = "changed"
    assert second.data["number"] == "CN201710000001.6"
    # One rule alone: its entitlement carries the data the formula read.
    (alone,) = evaluate(policy, snapshot, 2019, ["P2.1-a.top-up"])
    assert alone.data == {
        "number": "CN201710000001.6",
        "title": "一种镁合金",
        "grant_date": "2019-05-07",
        "holders": ["鹤壁甲公司"],
    }
