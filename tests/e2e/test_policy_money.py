"""Browser tests of the policy's money pages: a city officer sets a short budget and approves
in the order of P2.1-f (the incubated enterprise first, the other waits with its reason); an
enterprise applies for a provincial patent award with its certificate and sees the computed
amount on its new case. Screenshots under ``test-artifacts/screenshots/``."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from ipcity_testing import browser_log_in as _log_in
from policy_exports_world import make_holder, make_invention
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ipcity import clock
from ipcity.auth.roles import Actor
from ipcity.policy import workflow
from ipcity.policy.models import PolicyCase
from ipcity.registry.numbers import check_digit

Shot = Callable[[Any, str], Path]
NOW = datetime(2024, 1, 1, tzinfo=UTC)
CITY = Actor(username="city-e2e", role="city_officer")
COUNTY = Actor(username="county-e2e", role="county_officer", region_code="410611")


@pytest.fixture
def money_world(session_factory: sessionmaker[Session]) -> dict[str, int]:
    """Two holders of 淇滨区 with an invention granted in 2019, their P2.1-a cases through
    the notice (ended yesterday); 丙 is incubated, 甲 confirmed first."""
    with session_factory() as s:
        rows = {
            "甲": make_holder(s, "鹤壁甲科技有限公司", "410611"),
            "丙": make_holder(s, "鹤壁丙智能有限公司", "410611", ["孵化器在孵"]),
        }
        make_invention(s, "CN201710123456.7", rows["甲"], date(2019, 5, 7))
        make_invention(s, "CN201910000003.3", rows["丙"], date(2019, 5, 7))
        # 甲's patent with a provincial award (granted before the year: no 2019 subsidy of its own).
        make_invention(s, "CN201710123456.0", rows["甲"], date(2018, 6, 1))
        ids = {short: row.id for short, row in rows.items()}
        s.commit()
        created = {c.holder_id: c.id for c in workflow.propose_year(s, CITY, 2019) if c.rule == "P2.1-a"}
    for short in ("甲", "丙"):
        case_id = created[ids[short]]
        ent = Actor(username=f"ent-{short}", role="enterprise", holder_id=ids[short])
        for actor, action in (
            (ent, "confirm"),
            (COUNTY, "county_review"),
            (CITY, "city_review"),
            (CITY, "notice"),
        ):
            with session_factory() as s:
                workflow.act(s, actor, case_id, action, notice_days=7)
    with session_factory() as s:
        for case_id in created.values():
            case = s.get(PolicyCase, case_id)
            assert case is not None
            case.notice_until = clock.today() - timedelta(days=1)
        s.commit()
    return ids


def test_officer_sets_a_short_budget_and_approves_in_priority_order(
    page: Any, screenshot: Shot, make_user: Any, money_world: dict[str, int]
) -> None:
    make_user("city_officer", "city-budget-e2e")
    _log_in(page, "city-budget-e2e")
    page.goto("/policy/budgets?year=2019")
    row = page.locator("tr", has=page.locator("a", has_text="P2.1-a")).first
    row.locator("input[name=amount]").fill("4000")
    row.locator("button").click()
    page.wait_for_url(re.compile(r"/policy/budgets\?year=2019$"))
    queue = page.locator("table.data").nth(1)
    assert "鹤壁丙智能有限公司" in queue.locator("tbody tr").nth(0).inner_text()
    assert "预算不足" in queue.locator("tbody tr").nth(1).inner_text()
    screenshot(page, "policy-budgets-queue")
    page.click("form[action='/policy/budgets/approve'] button")
    page.wait_for_url(re.compile(r"approved=1&waiting=1"))
    assert "本次批准 1 项，等待 1 项" in page.inner_text("main")
    screenshot(page, "policy-budgets-approved")
    # The case left waiting says why, in the reader's language.
    waiting = page.locator("table.data").nth(1).locator("tbody tr a").first.get_attribute("href")
    page.goto(f"{waiting}?lang=en")
    reason = page.locator("tr", has=page.locator("th", has_text="Why it waits")).inner_text()
    assert "Budget short" in reason and "P2.1-a" in reason
    screenshot(page, "policy-case-waiting-en")
    assert page.js_errors == []


def test_enterprise_applies_for_an_award_with_its_certificate(
    page: Any, screenshot: Shot, make_user: Any, money_world: dict[str, int], tmp_path: Path
) -> None:
    make_user("enterprise", "ent-apply-e2e", holder_id=money_world["甲"])
    _log_in(page, "ent-apply-e2e")
    page.goto("/policy/mine")
    page.click("a[href='/policy/apply']")
    page.click("a[href='/policy/apply?kind=award']")
    # 甲's own patent (an award names a patent the applicant holds).
    page.fill("input[name=patent_number]", "ZL201710123456.0")
    page.select_option("select[name=level]", "provincial_first")
    page.fill("input[name=award_date]", "2019-11-20")
    certificate = tmp_path / "省专利奖一等奖证书.pdf"
    certificate.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    page.set_input_files("input[name=files]", str(certificate))
    screenshot(page, "policy-apply-award")
    page.click("form[action='/policy/apply'] button")
    page.wait_for_url(re.compile(r"/policy/cases/\d+$"))
    text = page.inner_text("main")
    assert "50,000" in text and "已申请待确认" in text and "省专利奖一等奖证书.pdf" in text
    screenshot(page, "policy-applied-case")
    assert page.js_errors == []


def test_anyone_objects_to_a_case_in_public_notice(
    page: Any, screenshot: Shot, session_factory: sessionmaker[Session], money_world: dict[str, int]
) -> None:
    """The public notice in English, without logging in: an objection with its reason puts
    the case on hold, and the page says so."""
    with session_factory() as s:
        case = s.scalars(
            select(PolicyCase).where(PolicyCase.holder_id == money_world["甲"], PolicyCase.rule == "P2.1-a")
        ).one()
        case.notice_until = clock.today() + timedelta(days=3)
        s.commit()
    page.goto("/policy/notices?lang=en")
    row = page.locator("tbody tr", has_text="鹤壁甲科技有限公司")
    assert row.locator("button").inner_text() == "Raise an objection"
    # The other case's notice ended yesterday: no form (an objection would be refused), and why.
    ended = page.locator("tbody tr", has_text="鹤壁丙智能有限公司")
    assert ended.locator("button").count() == 0 and "notice period over" in ended.inner_text()
    row.locator("input[name=reason]").fill("该专利已于2019年转让给外地企业")
    screenshot(page, "policy-notices-en")
    row.locator("button").click()
    page.wait_for_url(re.compile(r"/policy/notices\?objected=1$"))
    assert page.inner_text("#objection-received").startswith("Objection received: the case is on hold")
    row = page.locator("tbody tr", has_text="鹤壁甲科技有限公司")
    # Objected, and still open to further objections while its notice runs.
    assert "Objected during notice" in row.inner_text() and row.locator("button").count() == 1
    screenshot(page, "policy-notice-objected-en")
    assert page.js_errors == []


def test_a_proposed_case_goes_from_confirmation_to_payment_in_the_browser(
    page: Any,
    browser: Any,
    live_server: str,
    screenshot: Shot,
    make_user: Any,
    session_factory: sessionmaker[Session],
) -> None:
    """免申即享 end to end through the pages: the enterprise confirms on its own page, the
    county and the city review, the city puts the case on notice, approves it once the
    notice is over and records the payment; the timeline shows every step and who took it."""
    with session_factory() as s:
        holder = make_holder(s, "鹤壁丁新材料有限公司", "410611")
        make_invention(s, "CN201810000005.0", holder, date(2019, 6, 1))
        s.commit()
        holder_id = holder.id
        proposed = workflow.propose_year(s, CITY, 2019)
        (case_id,) = [c.id for c in proposed if c.holder_id == holder_id and c.rule == "P2.1-a"]

    def as_user(username: str) -> tuple[Any, Any]:
        context = browser.new_context(
            base_url=live_server, locale="zh-CN", viewport={"width": 1280, "height": 800}
        )
        tab = context.new_page()
        _log_in(tab, username)
        return context, tab

    def act(tab: Any, action: str, **fields: str) -> None:
        form = tab.locator(f"form[action='/policy/cases/{case_id}/{action}']")
        for name, value in fields.items():
            form.locator(f"[name={name}]").fill(value)
        form.locator("button").click()
        tab.wait_for_url(re.compile(rf"/policy/cases/{case_id}$"))

    def status(tab: Any) -> str:
        return str(tab.locator("h1 .muted").inner_text())

    # The enterprise confirms what the registry already shows (no application).
    firm, own = as_user(make_user("enterprise", "ent-丁", holder_id=holder_id))
    own.goto("/policy/mine")
    row = own.locator("tbody tr", has_text="CN201810000005.0").filter(has_text="P2.1-a")
    assert "待企业确认" in row.inner_text()
    row.locator("button").click()
    own.goto(f"/policy/cases/{case_id}")
    assert status(own) == "待县区审核" and own.locator(".card form").count() == 0  # nothing more for it
    firm.close()

    county, tab = as_user(make_user("county_officer", "county-丁", region_code="410611"))
    tab.goto(f"/policy/cases/{case_id}")
    act(tab, "county_review", reason="材料齐全")
    assert status(tab) == "待市级审核"
    county.close()

    _log_in(page, make_user("city_officer", "city-丁"))
    page.goto(f"/policy/cases/{case_id}")
    act(page, "city_review")
    act(page, "notice")
    assert status(page) == "公示中"
    assert page.locator(f"form[action='/policy/cases/{case_id}/approve']").count() == 0  # notice runs
    with session_factory() as s:
        case = s.get(PolicyCase, case_id)
        assert case is not None
        case.notice_until = clock.today() - timedelta(days=1)
        s.commit()
    page.goto(f"/policy/cases/{case_id}")
    act(page, "approve")
    assert status(page) == "已批准待拨付"
    act(page, "pay", payment_reference="HB-2019-0042")
    assert status(page) == "已拨付"
    timeline = page.locator("table.data").last.locator("tbody tr").all_inner_texts()
    steps = [(row.split("\t")[1], row.split("\t")[2]) for row in timeline]
    assert steps == [
        ("city-e2e", "生成"),
        ("ent-丁", "企业确认"),
        ("county-丁", "县区审核通过"),
        ("city-丁", "市级审核通过"),
        ("city-丁", "公示"),
        ("city-丁", "批准"),
        ("city-丁", "拨付"),
    ]
    assert "HB-2019-0042" in page.inner_text("main") and "材料齐全" in timeline[2]
    screenshot(page, "policy-case-paid")
    assert page.js_errors == []


def test_a_county_officer_reviews_the_ticked_cases_at_once(
    page: Any, live_server: str, screenshot: Shot, make_user: Any, session_factory: sessionmaker[Session]
) -> None:
    """The list's step on many cases: "select all on this page" ticks every case the officer
    may act on (the script), one review moves them all, and the page says how many."""
    with session_factory() as s:
        ids = []
        for n, name in enumerate(("鹤壁戊科技有限公司", "鹤壁己电子有限公司", "鹤壁庚材料有限公司")):
            holder = make_holder(s, name, "410611")
            digits = f"20181000000{n}"
            make_invention(s, f"CN{digits}.{check_digit(digits)}", holder, date(2019, 6, 1))
            ids.append(holder.id)
        s.commit()
        proposed = [c for c in workflow.propose_year(s, CITY, 2019) if c.holder_id in ids]
    for case in proposed:
        with session_factory() as s:
            workflow.act(
                s, Actor(username="ent", role="enterprise", holder_id=case.holder_id), case.id, "confirm"
            )
    _log_in(page, make_user("county_officer", "county-批量", region_code="410611"))
    page.goto("/policy/cases?status=confirmed")
    boxes = page.locator("input[name=case_id]")
    assert boxes.count() == len(proposed)
    page.locator("input[data-check-all]").check()
    assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))
    page.select_option("#bulk-form select[name=action]", "county_review")
    screenshot(page, "policy-cases-bulk-ticked")
    page.locator("#bulk-form button").click()
    page.wait_for_load_state()
    assert f"已对 {len(proposed)} 件案件执行“县区审核通过”。" in page.locator("#bulk-result").inner_text()
    screenshot(page, "policy-cases-bulk-done")
    with session_factory() as s:
        assert {s.get(PolicyCase, c.id).status for c in proposed} == {"county_reviewed"}  # type: ignore[union-attr]
