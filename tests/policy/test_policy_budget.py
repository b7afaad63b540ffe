"""Budgets per year and item: when the money is short, approvals follow P2.1-f (incubated
SMEs first, then by date of confirmation) and the rest waits with its reason; the dishonesty
list is checked again on the day of approval; two approvals at once on PostgreSQL cannot
spend one budget twice."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from ipcity_testing import DONE, at_once, csrf_of, login
from policy_exports_world import make_holder, make_invention
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, sessionmaker

from ipcity import clock
from ipcity.audit import AuditEntry
from ipcity.audit import verify as verify_audit
from ipcity.auth.roles import Actor
from ipcity.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from ipcity.policy import budget, workflow
from ipcity.policy.loader import PolicyFileError, load_policy
from ipcity.policy.models import PolicyCase, PolicyPayment
from ipcity.protection.models import CreditListing
from ipcity.registry.numbers import check_digit

NOW = datetime(2024, 1, 1, tzinfo=UTC)
YEAR = 2019
TODAY = clock.today()
AFTER_NOTICE = TODAY + timedelta(days=30)
CITY = Actor(username="city-1", role="city_officer")
COUNTY = Actor(username="county-a", role="county_officer", region_code="410611")
INCUBATED = "孵化器在孵"  # a tag of the shipped policy's P2.1-f priority group


# Three holders of 淇滨区, each with one invention granted in 2019 (P2.1-a: 4,000 yuan each).
# 丙 is in an incubator; 甲 and 乙 are not. The first-invention award (P2.1-b) comes too.
NUMBERS = {"甲": "CN201710123456.7", "乙": "CN201810000005.0", "丙": "CN201910000003.3"}


@pytest.fixture
def world(session_factory: sessionmaker[Session]) -> dict[str, int]:
    """Holder ids by short name; the year proposed."""
    with session_factory() as s:
        rows = {
            "甲": make_holder(s, "鹤壁甲科技有限公司", "410611"),
            "乙": make_holder(s, "鹤壁乙材料有限公司", "410611"),
            "丙": make_holder(s, "鹤壁丙智能有限公司", "410611", [INCUBATED, "中小企业"]),
        }
        for short, number in NUMBERS.items():
            make_invention(s, number, rows[short], date(YEAR, 5, 7))
        ids = {short: row.id for short, row in rows.items()}
        s.commit()
        workflow.propose_year(s, CITY, YEAR)
    return ids


def _case_id(factory: sessionmaker[Session], short: str) -> int:
    with factory() as s:
        found = s.scalar(select(PolicyCase.id).where(PolicyCase.payment_key == f"P2.1-a:{NUMBERS[short]}"))
        assert found is not None
        return found


def _to_notice(factory: sessionmaker[Session], world: dict[str, int], order: list[str]) -> dict[str, int]:
    """Confirm in ``order`` (the date of confirmation decides within a priority group), then
    review and put on notice. Returns the case ids by short name."""
    ids = {short: _case_id(factory, short) for short in order}
    for short in order:
        with factory() as s:
            ent = Actor(username=f"ent-{short}", role="enterprise", holder_id=world[short])
            workflow.act(s, ent, ids[short], "confirm")
    for short in order:
        for actor, action in ((COUNTY, "county_review"), (CITY, "city_review"), (CITY, "notice")):
            with factory() as s:
                workflow.act(s, actor, ids[short], action, notice_days=7)
    return ids


def _status(factory: sessionmaker[Session], case_id: int) -> str:
    with factory() as s:
        case = s.get(PolicyCase, case_id)
        assert case is not None
        return case.status


def test_a_short_budget_approves_incubated_first_then_by_date(
    session_factory: sessionmaker[Session], world: dict[str, int]
) -> None:
    ids = _to_notice(session_factory, world, ["甲", "乙", "丙"])  # 丙 confirmed last
    with session_factory() as s:
        budget.set_budget(s, CITY, YEAR, "P2.1-a", 8000)  # two of the three
        line = next(b for b in budget.lines(s, CITY, YEAR) if b.rule == "P2.1-a")
        queue = [
            (q.case.holder_name, q.priority, q.covered)
            for q in budget.ordered_queue(s, YEAR, "P2.1-a", AFTER_NOTICE)
        ]
    assert (line.budget, line.approved, line.left) == (8000, 0, 8000)
    assert queue == [
        ("鹤壁丙智能有限公司", True, True),
        ("鹤壁甲科技有限公司", False, True),
        ("鹤壁乙材料有限公司", False, False),
    ]
    # 乙 may not jump the queue while 丙 and 甲 wait ahead of it and the budget covers two.
    with session_factory() as s, pytest.raises(Conflict) as short:
        workflow.act(s, CITY, ids["乙"], "approve", today=AFTER_NOTICE)
    assert "预算不足" in short.value.render("zh_CN") and "第 3 位" in short.value.render("zh_CN")
    assert short.value.render("en") == (
        "Budget short: P2.1-a has 8,000 yuan for 2019; this case is number 3 in the order of P2.1-f, "
        "0 yuan are left after the cases ahead and it needs 4,000 yuan, so it waits for more budget"
    )
    with session_factory() as s:
        run = workflow.approve_in_order(s, CITY, YEAR, "P2.1-a", today=AFTER_NOTICE)
        assert sorted(c.id for c in run.approved) == sorted([ids["丙"], ids["甲"]])
        assert [c.id for c, _ in run.waiting] == [ids["乙"]]
    assert _status(session_factory, ids["乙"]) == "in_notice"
    with session_factory() as s:
        waiting = s.get(PolicyCase, ids["乙"])
        assert waiting is not None and "预算不足" in (waiting.budget_note_text("zh_CN") or "")
        assert (waiting.budget_note_text("en") or "").startswith("Budget short")
        assert budget.approved_sum(s, YEAR, "P2.1-a") == 8000
        # A budget below what is approved is refused; raising it lets the last one through.
        with pytest.raises(Conflict):
            budget.set_budget(s, CITY, YEAR, "P2.1-a", 4000)
        budget.set_budget(s, CITY, YEAR, "P2.1-a", 12000)
        workflow.act(s, CITY, ids["乙"], "approve", today=AFTER_NOTICE)
    assert _status(session_factory, ids["乙"]) == "approved"
    with session_factory() as s:
        cleared = s.get(PolicyCase, ids["乙"])
        assert cleared is not None and cleared.budget_note is None
        assert budget.approved_sum(s, YEAR, "P2.1-a") == 12000
        assert verify_audit(s).ok
        actions = set(s.scalars(select(AuditEntry.action)))
        assert {"policy.budget.set", "policy.case.approve_queue", "policy.case.approve"} <= actions


def test_without_a_budget_every_approvable_case_is_approved(
    session_factory: sessionmaker[Session], world: dict[str, int]
) -> None:
    ids = _to_notice(session_factory, world, ["甲", "乙"])
    with session_factory() as s:
        run = workflow.approve_in_order(s, CITY, YEAR, today=AFTER_NOTICE)
    assert {c.id for c in run.approved} >= {ids["甲"], ids["乙"]}
    assert run.waiting == []
    with session_factory() as s:
        line = next(b for b in budget.lines(s, CITY, YEAR) if b.rule == "P2.1-a")
    assert line.budget is None and line.left is None and line.approved == 8000


def _list_丙_with_budget_for_one(session_factory: sessionmaker[Session], world: dict[str, int]) -> None:
    """丙 put on the dishonesty list ten days ago; P2.1-a's budget enough for one grant."""
    with session_factory() as s:
        s.add(
            CreditListing(
                holder_id=world["丙"],
                name="鹤壁丙智能有限公司",
                reason="恶意侵权",
                listed_on=TODAY - timedelta(days=10),
                created_at=NOW,
            )
        )
        budget.set_budget(s, CITY, YEAR, "P2.1-a", 4000)
        s.commit()


def test_a_holder_listed_as_dishonest_since_the_evaluation_is_held_at_approval(
    session_factory: sessionmaker[Session], world: dict[str, int]
) -> None:
    ids = _to_notice(session_factory, world, ["丙", "甲"])
    # Listed after the reference date of the entitlement (2019): the evaluation let it
    # through; the day of approval must not.
    _list_丙_with_budget_for_one(session_factory, world)
    with session_factory() as s, pytest.raises(Conflict) as held:
        workflow.act(s, CITY, ids["丙"], "approve", today=AFTER_NOTICE)
    assert "失信名单" in held.value.render("zh_CN") and "恶意侵权" in held.value.render("zh_CN")
    # The listed holder takes no place in the queue: 甲 behind it gets the budget.
    with session_factory() as s:
        run = workflow.approve_in_order(s, CITY, YEAR, "P2.1-a", today=AFTER_NOTICE)
    assert [c.id for c in run.approved] == [ids["甲"]]
    assert [c.id for c, _ in run.waiting] == [ids["丙"]]
    assert _status(session_factory, ids["丙"]) == "in_notice"


def test_setting_a_budget_is_checked(session_factory: sessionmaker[Session], world: dict[str, int]) -> None:
    with session_factory() as s:
        with pytest.raises(PermissionDenied):
            budget.set_budget(s, COUNTY, YEAR, "P2.1-a", 1000)
        with pytest.raises(NotFound):
            budget.set_budget(s, CITY, YEAR, "P9.9", 1000)
        with pytest.raises(ValidationFailed):
            budget.set_budget(s, CITY, YEAR, "P2.1-a", -1)
        budget.set_budget(s, CITY, YEAR, "P2.1-a", 1000)
        budget.set_budget(s, CITY, YEAR, "P2.1-a", None)  # removed: no limit again
        assert budget.budget_of(s, YEAR, "P2.1-a") is None
        # A county officer reads the budgets, an enterprise does not.
        assert len(budget.lines(s, COUNTY, YEAR)) == len(budget.lines(s, CITY, YEAR))
        with pytest.raises(PermissionDenied):
            budget.lines(s, Actor(username="e", role="enterprise", holder_id=world["甲"]), YEAR)


def test_concurrent_approvals_cannot_spend_one_budget_twice(
    session_factory: sessionmaker[Session], world: dict[str, int], concurrent_writers: None
) -> None:
    ids = _to_notice(session_factory, world, ["甲", "乙"])
    with session_factory() as s:
        budget.set_budget(s, CITY, YEAR, "P2.1-a", 4000)  # one of the two
    # Both are in the queue; each alone fits. Only the one ahead may go, and if the second
    # tried at the same moment, the locked budget row makes it see the first's payment.
    results = at_once(
        session_factory,
        [
            lambda s, c=c: workflow.act(s, CITY, c, "approve", today=AFTER_NOTICE)
            for c in (ids["甲"], ids["乙"])
        ],
        timeout=30,
    )
    assert results.count(DONE) == 1, results
    with session_factory() as s:
        total = s.scalar(
            select(func.sum(PolicyPayment.amount_yuan)).where(
                PolicyPayment.rule == "P2.1-a", PolicyPayment.year == YEAR
            )
        )
        assert total == 4000


def test_a_priority_section_with_a_bad_clause_or_no_tags_is_refused(tmp_path: Path) -> None:
    shipped = Path(load_policy.__globals__["DEFAULT_POLICY"]).read_text(encoding="utf-8")
    bad_clause = shipped.replace("  clause: P2.1-f\n", "  clause: P9.9-z\n", 1)
    (tmp_path / "a.yaml").write_text(bad_clause, encoding="utf-8")
    with pytest.raises(PolicyFileError) as refused:
        load_policy(tmp_path / "a.yaml")
    line = bad_clause.splitlines().index("  clause: P9.9-z") + 1
    assert refused.value.line == line and "P9.9-z" in refused.value.render("zh_CN")
    no_tags = shipped.replace("holder_tags: [孵化器在孵, 众创空间]", "holder_tags: []", 1)
    (tmp_path / "b.yaml").write_text(no_tags, encoding="utf-8")
    with pytest.raises(PolicyFileError) as empty:
        load_policy(tmp_path / "b.yaml")
    assert "holder_tags" in empty.value.render("zh_CN")


def test_budget_page_and_api_with_real_logins(
    client: Any, session_factory: sessionmaker[Session], world: dict[str, int], make_user: Any
) -> None:
    ids = _to_notice(session_factory, world, ["甲", "丙"])
    with session_factory() as s:  # both notices ended yesterday
        for case_id in ids.values():
            case = s.get(PolicyCase, case_id)
            assert case is not None
            case.notice_until = TODAY - timedelta(days=1)
        s.commit()
    make_user("city_officer", "city-budget")
    login(client, "city-budget")
    page = client.get(f"/policy/budgets?year={YEAR}")
    assert page.status_code == 200 and "预算与批准顺序" in page.text
    english = client.get(f"/policy/budgets?year={YEAR}&lang=en").text
    assert "Subsidy per invention patent granted" in english and "发明专利授权资助" not in english
    token = csrf_of(client)
    saved = client.post(
        "/policy/budgets",
        data={"year": str(YEAR), "rule": "P2.1-a", "amount": "4,000", "csrf_token": token},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    bad = client.post(
        "/policy/budgets", data={"year": str(YEAR), "rule": "P2.1-a", "amount": "四千", "csrf_token": token}
    )
    assert bad.status_code == 400 and "整数元" in bad.text.split('id="budget-error"')[1].split("</p>")[0]
    # The page again, the amount typed in its rule's field (marked), the budget unchanged.
    assert _marked_amount(bad.text) == "四千" and "预算与批准顺序" in bad.text
    # ² and ① are digits to Python's isdigit, not numbers: refused the same way, not a 500.
    for odd in ("²", "①②③"):
        refused = client.post(
            "/policy/budgets", data={"year": str(YEAR), "rule": "P2.1-a", "amount": odd, "csrf_token": token}
        )
        assert refused.status_code == 400 and _marked_amount(refused.text) == odd
    too_big = client.post(
        "/policy/budgets?lang=en",
        data={"year": str(YEAR), "rule": "P2.1-b", "amount": "9" * 12, "csrf_token": token},
    )
    assert too_big.status_code == 400 and _marked_amount(too_big.text) == "9" * 12
    assert "P2.1-b" in too_big.text.split('id="budget-error"')[1].split("</p>")[0]
    items = client.get(f"/api/v1/policy/budgets?year={YEAR}").json()["items"]
    line = next(i for i in items if i["rule"] == "P2.1-a")
    assert line["budget"] == 4000 and line["queue"][0]["holder"] == "鹤壁丙智能有限公司"
    assert [(q["priority"], q["covered"]) for q in line["queue"]] == [(True, True), (False, False)]
    assert "预算不足" in line["queue"][1]["reason"]
    run = client.post(
        f"/api/v1/policy/cases/approve-queue?year={YEAR}&rule=P2.1-a", headers={"X-CSRF-Token": token}
    )
    assert run.status_code == 200, run.text
    assert [c["holder"] for c in run.json()["approved"]] == ["鹤壁丙智能有限公司"]
    assert [c["holder"] for c in run.json()["waiting"]] == ["鹤壁甲科技有限公司"]
    # The waiting case's page shows why it waits.
    assert "预算不足" in client.get(f"/policy/cases/{ids['甲']}").text
    assert "Budget short" in client.get(f"/policy/cases/{ids['甲']}?lang=en").text


def _marked_amount(page: str) -> str:
    """The value of the one budget field a refused page marks invalid."""
    (field,) = [tag for tag in page.split("<input")[1:] if 'aria-invalid="true"' in tag.split(">")[0]]
    return field.split('value="')[1].split('"')[0]


def _queue_of(factory: sessionmaker[Session], holders: int, start: int) -> None:
    """``holders`` more holders of 淇滨区 with a 2019 invention each, their P2.1-a cases on
    public notice (put there directly: this is about the queue, not the steps before it)."""
    with factory() as s:
        for i in range(start, start + holders):
            digits = f"2017100{i:05d}"
            holder = make_holder(s, f"鹤壁排队{i}号有限公司", "410611")
            make_invention(s, f"CN{digits}.{check_digit(digits)}", holder, date(YEAR, 5, 7))
        s.commit()
        workflow.propose_year(s, CITY, YEAR)
        for case in s.scalars(select(PolicyCase).where(PolicyCase.status == "proposed")):
            case.status, case.notice_until, case.confirmed_at = "in_notice", TODAY, NOW
        s.commit()


def test_the_queue_costs_the_same_few_queries_however_long_it_is(
    engine: Any, session_factory: sessionmaker[Session]
) -> None:
    """Working out the queue asks the database a fixed number of questions (the dishonesty
    list and the approved amounts of all its holders at once), and the queue's run approves
    each case without working the queue out again: a year's thousands of cases stay linear."""
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    def queries_of_queue() -> int:
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            with session_factory() as s:
                queue = budget.ordered_queue(s, YEAR, "P2.1-a", AFTER_NOTICE)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert queue and all(q.covered for q in queue)
        return len(statements)

    _queue_of(session_factory, 2, 0)
    short = queries_of_queue()
    _queue_of(session_factory, 10, 2)
    assert queries_of_queue() == short

    statements.clear()
    event.listen(engine, "before_cursor_execute", count)
    try:
        with session_factory() as s:
            budget.set_budget(s, CITY, YEAR, "P2.1-a", 11 * 4000)
            run = workflow.approve_in_order(s, CITY, YEAR, "P2.1-a", today=AFTER_NOTICE)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(run.approved) == 11 and len(run.waiting) == 1
    # One working-out of the queue, then a bounded number of statements per case.
    queue_runs = sum(1 for sql in statements if "policy_cases.notice_until IS NOT NULL" in sql)
    assert queue_runs == 1
    with session_factory() as s:
        waiting = s.scalar(
            select(PolicyCase).where(PolicyCase.rule == "P2.1-a", PolicyCase.status == "in_notice")
        )
        assert waiting is not None and (waiting.budget_note_text("en") or "").startswith("Budget short")


def test_a_waiting_case_s_place_counts_only_the_cases_holding_one(
    session_factory: sessionmaker[Session], world: dict[str, int]
) -> None:
    """丙 is first by P2.1-f but its holder is on the dishonesty list: it holds no place in
    the queue. With budget for one, 甲 is covered and 乙 waits as number 2, not 3."""
    ids = _to_notice(session_factory, world, ["丙", "甲", "乙"])
    _list_丙_with_budget_for_one(session_factory, world)
    with session_factory() as s:
        queue = budget.ordered_queue(s, YEAR, "P2.1-a", AFTER_NOTICE)
        assert [(q.case.id, q.position, q.covered) for q in queue] == [
            (ids["丙"], None, False),
            (ids["甲"], 1, True),
            (ids["乙"], 2, False),
        ]
        assert [q.to_json()["position"] for q in queue] == [None, 1, 2]
    with session_factory() as s, pytest.raises(Conflict) as short:
        workflow.act(s, CITY, ids["乙"], "approve", today=AFTER_NOTICE)
    assert "本项排第 2 位" in short.value.render("zh_CN")
    assert "number 2 in the order" in short.value.render("en")
