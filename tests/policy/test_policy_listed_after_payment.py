"""A holder put on the dishonesty list after some of its items were paid (P3.2): what was
paid stays paid, on the statement (page, Word, JSON) and in the entitlements; only what is
still to pay is held back, with the listing's reason. SQLite and PostgreSQL."""

from __future__ import annotations

import io
from typing import Any

import pytest
from ipcity_testing import login
from policy_exports_world import CITY, GRANT_A, YEAR, build_world
from sqlalchemy.orm import Session, sessionmaker

from ipcity import clock
from ipcity.policy import exports, service
from ipcity.protection import service as credit

LATER_REASON = "拒不履行行政处罚决定"


@pytest.fixture
def world(session_factory: sessionmaker[Session]) -> dict[str, int]:
    """The exports' world (A: P2.1-a paid 4,000, P2.7-a approved 150,000, not yet paid),
    then A put on the list today, after its payment."""
    ids = build_world(session_factory)
    with session_factory() as s:
        credit.add_listing(s, CITY, ids["a"], LATER_REASON, clock.today())
    return ids


def test_the_statement_keeps_paid_items_paid_and_holds_back_the_rest(
    session_factory: sessionmaker[Session], world: dict[str, int]
) -> None:
    from docx import Document

    with session_factory() as s:
        st = exports.statement(s, CITY, world["a"], YEAR)
    by_rule = {i.rule: i for i in st.items if i.amount}
    paid, approved = by_rule["P2.1-a"], by_rule["P2.7-a"]
    assert paid.payment is not None and paid.payment.paid_at is not None
    assert (paid.status, paid.payable) == ("eligible", True)
    assert "拨付" in paid.explanation("zh_CN") and "不影响已拨付的款项" in paid.explanation("zh_CN")
    assert "does not touch what was paid" in paid.explanation("en")
    assert (approved.status, approved.payable) == ("held_back", False)
    assert LATER_REASON in approved.explanation("zh_CN")
    # The totals agree with the payments: the 4,000 paid is owed and paid; what is held back
    # (the approved 150,000 and what had no payment yet) holds nothing that was paid.
    held = [i for i in st.items if i.status == "held_back"]
    assert all(i.payment is None or i.payment.paid_at is None for i in held)
    assert (st.owed, st.paid) == (4000, 4000)
    assert st.withheld == sum(i.amount for i in held) >= 150000
    data = st.to_json("zh_CN")
    assert (data["owed"], data["withheld"], data["paid"]) == (4000, st.withheld, 4000)
    doc = Document(io.BytesIO(exports.statement_docx(st, "zh_CN")))
    lines = [p.text for p in doc.paragraphs]
    assert "应享受合计：4,000 元" in lines and "已拨付合计：4,000 元" in lines
    assert f"暂缓或不予支付合计：{st.withheld:,} 元" in lines
    rows = [" | ".join(cell.text for cell in row.cells) for table in doc.tables for row in table.rows]
    paid_row = next(r for r in rows if r.startswith("P2.1-a"))
    assert "应享受" in paid_row and "已拨付" in paid_row and "暂缓" not in paid_row


def test_the_entitlements_and_the_pages_say_the_same(
    client: Any, make_user: Any, session_factory: sessionmaker[Session], world: dict[str, int]
) -> None:
    with session_factory() as s:
        mine = {e.rule: e for e in service.entitlements(s, CITY, YEAR) if e.holder_id == world["a"]}
    assert mine["P2.1-a"].status == "eligible" and mine["P2.7-a"].status == "held_back"
    login(client, make_user("city_officer", "city-listed"))
    held = client.get(f"/policy/entitlements?year={YEAR}&rule=P2.1-a&status=held_back").text
    assert GRANT_A not in held  # paid: not held back
    eligible = client.get(f"/policy/entitlements?year={YEAR}&rule=P2.1-a&status=eligible").text
    assert GRANT_A in eligible and "不影响已拨付的款项" in eligible
    loans = client.get(f"/policy/entitlements?year={YEAR}&rule=P2.7-a&status=held_back").text
    assert "ZY2019-001" in loans and LATER_REASON in loans
    page = client.get(f"/policy/statement/{world['a']}?year={YEAR}")
    assert page.status_code == 200
    assert "150,000" in page.text and LATER_REASON in page.text
