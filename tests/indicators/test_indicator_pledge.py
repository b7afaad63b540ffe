"""IP pledge financing (P2.7) from the loans the policy area records for the interest
subsidy: loans, enterprises and amount per year and area, the loans listed behind them, and
an amount that is not assessable (never a partial sum) where a loan has no recorded amount."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from indicators_registry import build
from sqlalchemy.orm import Session

from ipcity.auth.roles import PUBLIC
from ipcity.indicators import service

CITY, QIBIN, XUN, ZONE = "410600", "410611", "410621", "hebi_etdz"
END_2017, END_2018, END_2019 = date(2017, 12, 31), date(2018, 12, 31), date(2019, 12, 31)
PLEDGE = ["pledge_loans", "pledge_financed_enterprises", "pledge_financing_amount"]


def test_loans_enterprises_and_amount_by_year_and_area(session: Session) -> None:
    build(session)
    board = service.scoreboard(session, PUBLIC, [END_2017, END_2018, END_2019], None, PLEDGE)

    def value(on: date, area: str, ident: str) -> Any:
        found = board.value(on, area, ident)
        assert found is not None
        return found

    # 2018, city: two loans of 淇滨甲公司 and one of 浚县大企业 → 3 loans, 2 enterprises.
    assert value(END_2018, CITY, "pledge_loans").value == 3
    assert value(END_2018, CITY, "pledge_financed_enterprises").value == 2
    assert value(END_2018, QIBIN, "pledge_loans").value == 2
    assert value(END_2018, QIBIN, "pledge_financed_enterprises").value == 1
    assert value(END_2018, QIBIN, "pledge_financing_amount").value == 800  # 万元: 5,000,000 + 3,000,000 yuan
    assert value(END_2017, CITY, "pledge_financing_amount").value == 1000  # the year's loans only
    assert value(END_2019, ZONE, "pledge_financing_amount").value == 200  # the zone, by its holder
    assert value(END_2019, QIBIN, "pledge_loans").value == 0
    # The coverage is said with every value: only loans registered on the platform count.
    assert "平台登记" in (value(END_2018, CITY, "pledge_loans").note_text() or "")


def test_amount_with_a_loan_without_its_amount_is_not_assessable(session: Session) -> None:
    build(session)
    board = service.scoreboard(session, PUBLIC, [END_2018], None, ["pledge_financing_amount"])
    city = board.value(END_2018, CITY, "pledge_financing_amount")
    assert city is not None and city.value is None  # not 800: that would hide 浚县's loan
    assert (
        city.reason_text() == "当年 3 笔质押贷款中有 1 笔未登记贷款金额（合同号：ZY2018-03），融资额无法评估"
    )
    english = city.reason_text("en") or ""
    assert "1 of the year's 3 pledge loans" in english and "ZY2018-03" in english
    assert not any(ch in english for ch in "：（），")
    assert city.as_json() == "not assessable: no loan amount recorded for 1 of 3 pledge loans (ZY2018-03)"
    xun = board.value(END_2018, XUN, "pledge_financing_amount")
    assert xun is not None and xun.value is None


def test_the_loans_are_listed_behind_each_pledge_indicator(session: Session) -> None:
    build(session)
    loans = service.records(session, PUBLIC, "pledge_loans", CITY, END_2018)
    assert loans.shows == "loans" and loans.total == 3
    assert [(r.contract_number, r.holder, r.principal_yuan, r.start_date) for r in loans.rows] == [
        ("ZY2018-01", "淇滨甲公司", 5_000_000, date(2018, 3, 1)),
        ("ZY2018-03", "浚县大企业", None, date(2018, 6, 1)),
        ("ZY2018-02", "淇滨甲公司", 3_000_000, date(2018, 9, 1)),
    ]
    assert loans.rows[0].lender == "鹤壁测试银行" and loans.rows[0].region == "淇滨区"
    for ident in ("pledge_financed_enterprises", "pledge_financing_amount"):
        found = service.records(session, PUBLIC, ident, QIBIN, END_2018)
        assert found.is_numerator and found.listed.id == "pledge_loans" and found.total == 2


def test_pages_and_downloads_of_the_pledge_indicators(client: Any, session: Session) -> None:
    build(session)
    page = client.get("/indicators/pledge_financing_amount?year=2018&area=410611")
    assert page.status_code == 200
    assert "尚未建设" not in page.text and "尚未填报" not in page.text
    assert "ZY2018-01" in page.text and "5,000,000" in page.text and "万元" in page.text
    city = client.get("/indicators/pledge_loans?year=2018")
    assert "ZY2018-03" in city.text and "金额未登记" in city.text
    rows = list(
        csv.reader(
            io.StringIO(client.get("/indicators/pledge_loans/records.csv?year=2018").text.lstrip("\ufeff"))
        )
    )
    assert rows[0][:5] == ["合同号", "借款企业", "出借机构", "质押登记号", "贷款金额（元）"]
    assert [r[0] for r in rows[1:]] == ["ZY2018-01", "ZY2018-03", "ZY2018-02"] and rows[2][4] == "金额未登记"
    english = client.get("/indicators/pledge_loans/records.csv?year=2018&lang=en").text.lstrip("\ufeff")
    assert english.startswith(
        "Contract number,Borrower,Lender,Pledge registration number,Principal (yuan),Loan date"
    )
    api = client.get("/api/v1/indicators?year=2018").json()
    assert api["regions"][QIBIN]["pledge_financing_amount"] == 800
    assert api["regions"][CITY]["pledge_financed_enterprises"] == 2


def test_no_loan_registered_at_all_is_not_assessable_not_zero(session: Session) -> None:
    board = service.scoreboard(session, PUBLIC, [END_2018], [CITY], PLEDGE)
    for ident in PLEDGE:
        value = board.value(END_2018, CITY, ident)
        assert value is not None and value.value is None, ident
        assert (
            value.reason_text() == "平台尚未登记任何知识产权质押贷款（由质押贷款贴息申请或出借机构清单导入）"
        )
        assert value.as_json() == "not assessable: no pledge loan registered on the platform"
    # So the 2020 targets of P2.7 read "not assessable", not "missed" against a zero.
    rows = {(r.target.indicator, r.area_code): r for r in service.target_progress(session, PUBLIC, END_2018)}
    assert rows[("pledge_financed_enterprises", CITY)].status == "not_assessable"
