"""Exports of the policy's money over cases driven through the real workflow: the payment
list per county and per item (XLSX with totals, page, JSON) in each officer's scope, the
public notice as XLSX, and a holder's statement (page and Word) with its held-back item and
reason; English with the English UI. SQLite and PostgreSQL."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from ipcity_testing import login
from policy_exports_world import (
    CITY,
    COUNTY_A,
    COUNTY_B,
    GRANT_A,
    GRANT_C,
    REASON,
    YEAR,
    build_world,
    enterprise,
)
from sqlalchemy.orm import Session, sessionmaker

from ipcity import clock
from ipcity.auth.roles import PUBLIC
from ipcity.errors import NotAuthenticated, NotFound, PermissionDenied
from ipcity.policy import exports, workflow


@pytest.fixture
def world(session_factory: sessionmaker[Session]) -> dict[str, int]:
    """See :func:`policy_exports_world.build_world`."""
    return build_world(session_factory)


def _book(data: bytes) -> Any:
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(data))


def _rows(sheet: Any) -> list[list[Any]]:
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def _docx_text(data: bytes) -> str:
    from docx import Document

    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def test_payment_list_per_county_and_item_with_totals(
    session_factory: sessionmaker[Session], world: dict[str, int]
) -> None:
    with session_factory() as s:
        plist = exports.payments(s, CITY, YEAR)
    got = {(x.holder, x.rule, x.amount, x.status) for x in plist.lines}
    assert got == {
        ("鹤壁甲科技有限公司", "P2.1-a", 4000, "paid"),
        ("鹤壁甲科技有限公司", "P2.7-a", 150000, "approved"),
        ("浚县乙农业有限公司", "P2.1-a", 4000, "paid"),
    }
    assert (plist.total, plist.paid_total) == (158000, 8000)
    paid_a = next(x for x in plist.lines if x.case_id == world["case_a"])
    assert paid_a.reference == f"HB-{YEAR + 1}-{world['case_a']:04d}" and paid_a.paid_on is not None

    book = _book(exports.payments_xlsx(plist, "zh_CN"))
    assert book.sheetnames == [
        "汇总",
        "已拨付汇总",
        "淇滨区",
        "浚县",
        "P2.1-a 发明专利授权资助",
        "P2.7-a 知识产权质押融资费用补助",
    ]
    header = [
        "县区",
        "权利人",
        "统一社会信用代码",
        "项目",
        "对象",
        "金额（元）",
        "状态",
        "批准日期",
        "拨付日期",
        "支付凭证号",
        "户名",
        "开户银行",
        "银行账号",
    ]
    for name, expected_total, expected_paid in (
        ("淇滨区", 154000, 4000),
        ("浚县", 4000, 4000),
        ("P2.1-a 发明专利授权资助", 8000, 8000),
    ):
        rows = _rows(book[name])
        assert rows[0] == header
        body, total, paid = rows[1:-2], rows[-2], rows[-1]
        assert total[0] == "合计" and total[5] == expected_total == sum(r[5] for r in body), name
        assert total[1] == f"{len(body)} 笔", name
        # Below the total, the part of it already paid out.
        assert paid[0] == "其中已拨付" and paid[5] == expected_paid == sum(
            r[5] for r in body if r[6] == "已拨付"
        )
    qibin = _rows(book["淇滨区"])[1:-2]
    assert {(r[0], r[1], r[3], r[5], r[6]) for r in qibin} == {
        ("淇滨区", "鹤壁甲科技有限公司", "P2.1-a 发明专利授权资助", 4000, "已拨付"),
        ("淇滨区", "鹤壁甲科技有限公司", "P2.7-a 知识产权质押融资费用补助", 150000, "已批准待拨付"),
    }
    paid_row = next(r for r in qibin if r[6] == "已拨付")
    assert paid_row[2] == paid_a.uscc  # what the finance office pays against (None when unknown)
    assert GRANT_A in paid_row[4] and paid_row[9] == paid_a.reference
    assert isinstance(paid_row[7], datetime) and paid_row[7].date() == paid_a.approved_on
    summary = _rows(book["汇总"])
    assert summary[0] == [
        "县区",
        "P2.1-a 发明专利授权资助",
        "P2.7-a 知识产权质押融资费用补助",
        "合计",
    ]
    assert summary[1:] == [
        ["淇滨区", 4000, 150000, 154000],
        ["浚县", 4000, 0, 4000],
        ["合计", 8000, 150000, 158000],
    ]
    assert _rows(book["已拨付汇总"])[1:] == [
        ["淇滨区", 4000, 0, 4000],
        ["浚县", 4000, 0, 4000],
        ["合计", 8000, 0, 8000],  # the page's "of which paid"
    ]


def test_each_officer_sees_its_scope_only(
    session_factory: sessionmaker[Session], world: dict[str, int]
) -> None:
    with session_factory() as s:
        county_b = exports.payments(s, COUNTY_B, YEAR)
    assert county_b.region_code == "410621"
    assert {x.holder for x in county_b.lines} == {"浚县乙农业有限公司"} and county_b.total == 4000
    book = _book(exports.payments_xlsx(county_b, "zh_CN"))
    assert book.sheetnames == ["汇总", "已拨付汇总", "浚县", "P2.1-a 发明专利授权资助"]
    cells = {str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row}
    assert "淇滨区" not in cells and "鹤壁甲科技有限公司" not in cells and "150000" not in cells
    assert _rows(book["汇总"])[1:] == [["浚县", 4000, 4000], ["合计", 4000, 4000]]
    with session_factory() as s:
        assert {x.region_code for x in exports.payments(s, COUNTY_A, YEAR).lines} == {"410611"}
        assert exports.payments(s, CITY, YEAR + 1).lines == []
        with pytest.raises(PermissionDenied):
            exports.payments(s, enterprise(world["a"]), YEAR)
        with pytest.raises(NotAuthenticated):
            exports.payments(s, PUBLIC, YEAR)


def test_english_headers_and_labels(session_factory: sessionmaker[Session], world: dict[str, int]) -> None:
    with session_factory() as s:
        plist = exports.payments(s, CITY, YEAR)
        st = exports.statement(s, CITY, world["c"], YEAR)
    book = _book(exports.payments_xlsx(plist, "en"))
    assert book.sheetnames[0] == "Summary"
    # Excel's sheet names hold 31 characters: the item is cut at the last whole word.
    # Item titles longer than a sheet name allows: the rule id alone, never a cut title.
    assert book.sheetnames[4:] == ["P2.1-a", "P2.7-a"]
    # The county's sheet and column carry its English name (淇滨区).
    assert "Qibin District" in book.sheetnames and "淇滨区" not in book.sheetnames
    rows = _rows(book["Qibin District"])
    assert {r[0] for r in rows[1:-2]} == {"Qibin District"} and rows[-1][0] == "Of which paid"
    assert rows[0] == [
        "County/district",
        "Holder",
        "Unified social credit code",
        "Item",
        "Object",
        "Amount (yuan)",
        "Status",
        "Approved on",
        "Paid on",
        "Payment reference",
        "Account name",
        "Bank",
        "Account number",
    ]
    assert {r[6] for r in rows[1:-2]} == {"Paid", "Approved, awaiting payment"} and rows[-2][0] == "Total"
    assert rows[-2][1] == f"payments: {len(rows) - 3}" and rows[-1][1] == "payments: 1"
    # The objects in English too: the patent with its (Chinese) title, the loan with its year.
    assert {r[4] for r in rows[1:-2]} == {
        f"invention patent {GRANT_A} “专利{GRANT_A}”",
        "pledge loan ZY2019-001 (2019)",
    }
    assert {r[4] for r in _rows(_book(exports.payments_xlsx(plist, "zh_CN"))["淇滨区"])[1:-2]} == {
        f"发明专利{GRANT_A}《专利{GRANT_A}》",
        "质押贷款ZY2019-001（2019年）",
    }
    text = _docx_text(exports.statement_docx(st, "en"))
    assert "statement of subsidies and awards for 2019" in text
    assert (
        "Held back (dishonesty list)" in text
        and "held back" in text
        and REASON in text
        and "held back (dishonesty list) | Payment deferred" in text.replace("Held back", "held back")
    )
    assert "依据" not in text  # the English explanation, not the Chinese one
    assert f"invention patent {GRANT_C}" in text and "发明专利" not in text


def test_a_case_page_names_its_object_in_the_readers_language(
    client: Any, make_user: Any, world: dict[str, int]
) -> None:
    login(client, make_user("city_officer", "city-objects"))
    case = f"/policy/cases/{world['case_a']}"
    assert f"invention patent {GRANT_A} “专利{GRANT_A}”" in client.get(f"{case}?lang=en").text
    assert f"发明专利{GRANT_A}《专利{GRANT_A}》" in client.get(f"{case}?lang=zh_CN").text
    data = client.get(f"/api/v1/policy/cases/{world['case_a']}").json()
    assert data["object_en"] == f"invention patent {GRANT_A} “专利{GRANT_A}”"


def test_statement_lists_the_held_back_item_with_its_reason(
    session_factory: sessionmaker[Session], world: dict[str, int]
) -> None:
    with session_factory() as s:
        st = exports.statement(s, COUNTY_A, world["c"], YEAR)
    held = [i for i in st.items if i.status == "held_back"]
    assert held and all(i.case is None and i.payment is None for i in held)
    grant = next(i for i in held if i.rule == "P2.1-a")
    assert grant.amount == 4000 and REASON in grant.explanation("zh_CN")
    # Deferred while the holder is listed (P3.2), not lost: the case column says so.
    assert (grant.case_label("zh_CN"), grant.case_label("en")) == ("暂缓支付", "Payment deferred")
    assert (st.owed, st.approved, st.paid) == (0, 0, 0) and st.withheld == sum(i.amount for i in held)
    text = _docx_text(exports.statement_docx(st, "zh_CN"))
    assert "鹤壁失信科技有限公司2019年度资助奖励对账单" in text
    assert "暂缓（失信名单）" in text and REASON in text and "暂缓（失信名单） | 暂缓支付" in text


def test_statement_shows_cases_and_payments(
    session_factory: sessionmaker[Session], world: dict[str, int]
) -> None:
    with session_factory() as s:
        st = exports.statement(s, enterprise(world["a"]), world["a"], YEAR)
    by_rule = {i.rule: i for i in st.items if i.case is not None}
    assert by_rule["P2.1-a"].case_label("zh_CN") == "已拨付"
    assert by_rule["P2.7-a"].case_label("zh_CN") == "已批准待拨付"
    assert (st.approved, st.paid) == (154000, 4000)
    assert st.owed == sum(i.amount for i in st.items if i.status == "eligible")
    unproposed = [i for i in st.items if i.payable and i.case is None]
    assert all(i.case_label("zh_CN") == "尚未生成案件" for i in unproposed)
    text = _docx_text(exports.statement_docx(st, "zh_CN"))
    assert f"凭证号 HB-{YEAR + 1}-{world['case_a']:04d}" in text and "150,000" in text
    # Nobody else's statement: another enterprise, the other county; the public must log in.
    for actor in (enterprise(world["b"]), COUNTY_B):
        with session_factory() as s, pytest.raises(NotFound):
            exports.statement(s, actor, world["a"], YEAR)
    with session_factory() as s, pytest.raises(NotAuthenticated):
        exports.statement(s, PUBLIC, world["a"], YEAR)
    with session_factory() as s, pytest.raises(NotFound):
        exports.statement(s, CITY, 999999, YEAR)


def test_a_case_rejected_in_review_is_not_counted_as_owed(
    session_factory: sessionmaker[Session], world: dict[str, int]
) -> None:
    with session_factory() as s:
        before = exports.statement(s, CITY, world["a"], YEAR)
        workflow.propose_year(s, CITY, YEAR)
    with session_factory() as s:
        open_items = [i for i in exports.statement(s, CITY, world["a"], YEAR).items if i.payable and i.case]
        victim = next(i for i in open_items if i.case is not None and i.case.status == "proposed")
        assert victim.case is not None
        workflow.act(s, COUNTY_A, victim.case.id, "reject", "专利权属存在争议")
    with session_factory() as s:
        after = exports.statement(s, CITY, world["a"], YEAR)
    rejected = next(i for i in after.items if i.case is not None and i.case.id == victim.case.id)
    assert not rejected.payable and rejected.case_label("zh_CN") == "未通过"
    # Its result says so too (the data alone would say eligible).
    assert rejected.status_label("zh_CN") == "审核未通过，不予支付"
    assert rejected.status_label("en") == "rejected in review: not paid"
    assert after.owed == before.owed - victim.amount
    assert after.withheld == before.withheld + victim.amount
    assert "免申即享：无需申请。" in after.introduction("zh_CN")


def test_the_statement_says_when_documents_are_still_needed(
    session_factory: sessionmaker[Session], world: dict[str, int]
) -> None:
    with session_factory() as s:
        st = exports.statement(s, CITY, world["a"], YEAR)
    first = st.items[0]
    assert first.entitlement is not None
    waiting = replace(first, entitlement=replace(first.entitlement, status="needs_evidence", amount=0))
    st = replace(st, items=[waiting, *st.items[1:]])
    assert st.introduction("zh_CN").endswith(
        "其中 1 项须由企业补充证明材料后办理（见该项说明）；其余免申即享，无需申请。"
    )
    assert "1 of the items wait for documents" in st.introduction("en")
    assert "须由企业补充证明材料" in _docx_text(exports.statement_docx(st, "zh_CN"))


def test_notice_list_as_xlsx(session_factory: sessionmaker[Session], world: dict[str, int]) -> None:
    with session_factory() as s:
        data = exports.notices_xlsx(s, "zh_CN")
    sheet = _book(data)["资助奖励公示"]
    rows = _rows(sheet)
    assert rows[0] == ["编号", "年度", "权利人", "项目", "对象", "金额（元）", "公示截止", "状态"]
    assert len(rows) == 3
    # The totals row, bold: the number of cases and the sum of their amounts.
    assert rows[2] == ["合计", None, "1 笔", None, None, rows[1][5], None, None]
    assert sheet.cell(row=3, column=6).font.bold
    row = rows[1]
    assert row[0] == world["notice_b"] and row[2] == "浚县乙农业有限公司" and row[7] == "公示中"
    assert row[3].startswith("P2.1-b ") and row[6].date() == clock.today() + timedelta(
        days=6
    )  # 7 days, today the first


def test_pages_files_and_api_with_real_logins(
    app: Any, session_factory: sessionmaker[Session], world: dict[str, int], make_user: Any
) -> None:
    from fastapi.testclient import TestClient

    make_user("city_officer", "city-web")
    make_user("county_officer", "county-b-web", region_code="410621")
    make_user("enterprise", "ent-a-web", holder_id=world["a"])
    city, county, firm, public = TestClient(app), TestClient(app), TestClient(app), TestClient(app)
    login(city, "city-web")
    login(county, "county-b-web")
    login(firm, "ent-a-web")

    page = city.get("/policy/payments", params={"year": YEAR})
    assert page.status_code == 200 and "158,000" in page.text and "淇滨区" in page.text
    assert f"/policy/payments.xlsx?year={YEAR}" in page.text
    xlsx = city.get("/policy/payments.xlsx", params={"year": YEAR})
    assert xlsx.status_code == 200 and xlsx.headers["content-type"].startswith(exports_media("xlsx"))
    assert _rows(_book(xlsx.content)["汇总"])[-1] == ["合计", 8000, 150000, 158000]
    own = county.get("/policy/payments.xlsx", params={"year": YEAR})
    assert "淇滨区" not in _book(own.content).sheetnames
    assert "鹤壁甲科技有限公司" not in county.get("/policy/payments", params={"year": YEAR}).text
    api = county.get("/api/v1/policy/payments", params={"year": YEAR}).json()
    assert api["ok"] and api["total"] == 4000 and [c["county"] for c in api["counties"]] == ["浚县"]
    assert firm.get("/api/v1/policy/payments").status_code == 403
    english = city.get("/policy/payments.xlsx", params={"year": YEAR, "lang": "en"})
    assert _rows(_book(english.content)["Summary"])[0][0] == "County/district"

    notices = public.get("/policy/notices.xlsx")
    assert notices.status_code == 200 and _rows(_book(notices.content).active)[1][2] == "浚县乙农业有限公司"
    assert "/policy/notices.xlsx" in public.get("/policy/notices").text

    mine = firm.get("/policy/mine")
    assert f"/policy/statement/{world['a']}" in mine.text
    # The year's items without a case are listed with why, each once.
    with session_factory() as s:
        without_case = [i for i in exports.statement(s, CITY, world["a"], YEAR).items if i.case is None]
    waiting = firm.get("/policy/mine", params={"year": YEAR}).text
    table = waiting[waiting.index('id="waiting-items"') :]
    table = table[: table.index("</table>")]
    assert without_case and table.count('<tr><td><a href="/policy/rules/') == len(without_case)
    for item in without_case:
        assert item.explanation("zh_CN") in table
    case_page = firm.get(f"/policy/cases/{world['case_a']}")
    assert f"/policy/statement/{world['a']}?year={YEAR}" in case_page.text
    statement = firm.get(f"/policy/statement/{world['a']}", params={"year": YEAR})
    assert statement.status_code == 200 and "已拨付" in statement.text and "154,000" in statement.text
    word = firm.get(f"/policy/statement/{world['a']}.docx", params={"year": YEAR})
    assert word.status_code == 200 and "鹤壁甲科技有限公司" in _docx_text(word.content)
    assert firm.get(f"/policy/statement/{world['b']}", params={"year": YEAR}).status_code == 404
    assert county.get(f"/api/v1/policy/statement/{world['a']}", params={"year": YEAR}).status_code == 404
    held = city.get(f"/api/v1/policy/statement/{world['c']}", params={"year": YEAR, "lang": "en"}).json()
    assert any(i["status"] == "held_back" and REASON in i["explanation"] for i in held["items"])
    assert public.get(f"/policy/statement/{world['a']}", follow_redirects=False).status_code == 303
    assert public.get(f"/api/v1/policy/statement/{world['a']}").status_code == 401


def exports_media(kind: str) -> str:
    """The media type of an office file."""
    from ipcity.policy.export_routes import DOCX, XLSX

    return XLSX if kind == "xlsx" else DOCX


def test_the_statement_counts_what_the_enterprise_applied_for(
    session_factory: sessionmaker[Session], world: dict[str, int]
) -> None:
    # "Nothing needs to be applied for" must not stand above items the enterprise applied
    # for with documents: the sentence says how many were.
    with session_factory() as s:
        st = exports.statement(s, CITY, world["a"], YEAR)
    assert replace(st, applied=0).introduction("zh_CN").endswith("免申即享：无需申请。")
    applied = replace(st, applied=2)
    assert applied.introduction("zh_CN").endswith("其中 2 项由企业提交证明材料申请；其余免申即享，无需申请。")
    assert "2 were applied for by the enterprise with documents; the others need no application." in (
        applied.introduction("en")
    )


def test_a_title_stored_with_a_control_character_still_makes_the_word_statement(
    session_factory: sessionmaker[Session], world: dict[str, int]
) -> None:
    """A record imported before the importers dropped control characters: the statement's
    explanation quotes its title, and Word's XML cannot hold the character."""
    from sqlalchemy import select

    from ipcity.policy.sources import forget_registry_parts
    from ipcity.registry.models import Patent, PatentHolder

    with session_factory() as s:
        patent = s.scalars(
            select(Patent)
            .join(PatentHolder, PatentHolder.patent_id == Patent.id)
            .where(PatentHolder.holder_id == world["a"], Patent.patent_type == "invention")
            .limit(1)
        ).one()
        patent.title = "一种\x07鹤壁\x1b装置"
        s.commit()
    forget_registry_parts()
    with session_factory() as s:
        st = exports.statement(s, enterprise(world["a"]), world["a"], YEAR)
    assert any("\x07" in i.explanation("zh_CN") + i.object_text("zh_CN") for i in st.items)
    text = _docx_text(exports.statement_docx(st, "zh_CN"))
    assert "一种鹤壁装置" in text and "\x07" not in text
