"""IP pledge financing (P2.7): loans secured by an IP pledge, the enterprises they financed
and the amount, from the loans the policy area records for the interest subsidy (P2.7-a:
``PledgeLoan``, from subsidy applications and lenders' lists).

A loan counts in the year it was paid out (its start date), for the region and zone of
the borrowing enterprise. Only the loans registered on the platform are known: every value
says so in its note, and while the platform holds no loan at all every value is *not
assessable* (no data is not zero). The amount needs every loan's principal: where a loan of
the year has none recorded, the amount is *not assessable* and the reason names those loans.
"""

from __future__ import annotations

from datetime import date

from ipcity.indicators.definitions.base import (
    EVERYWHERE,
    MSG_NO_LOAN_AMOUNT,
    MSG_NO_LOANS_REGISTERED,
    MSG_PLEDGE_COVERAGE,
    FactList,
    Indicator,
    Numerator,
    Value,
    year_start,
)
from ipcity.indicators.facts import Area, LoanRow, RegistryFacts

YUAN_PER_UNIT = 10_000  # the amount is shown in 万元 (the policy's 15亿元 = 150,000万元)
MAX_CONTRACTS_NAMED = 5  # a reason names at most this many loans without an amount


def loans_in_year(facts: RegistryFacts, area: Area, on: date) -> list[LoanRow]:
    """The area's pledge loans paid out from 1 January of ``on``'s year to ``on``, by date."""
    start = year_start(on)
    chosen = [
        loan
        for loan in facts.pledge_loans
        if start <= loan.start_date <= on and area.holds(loan.region_code, loan.zone_code)
    ]
    return sorted(chosen, key=lambda loan: (loan.start_date, loan.id))


PLEDGE_LOANS = FactList(("pledge_loans",), loans_in_year, shows="loans", date_label="loan_start")


def _loans(facts: RegistryFacts, area: Area, on: date) -> Value:
    if not facts.pledge_loans:
        return Value(None, MSG_NO_LOANS_REGISTERED)
    return Value(len(loans_in_year(facts, area, on)), note=MSG_PLEDGE_COVERAGE)


def _enterprises(facts: RegistryFacts, area: Area, on: date) -> Value:
    if not facts.pledge_loans:
        return Value(None, MSG_NO_LOANS_REGISTERED)
    holders = {loan.holder_id for loan in loans_in_year(facts, area, on)}
    return Value(len(holders), note=MSG_PLEDGE_COVERAGE)


def _amount(facts: RegistryFacts, area: Area, on: date) -> Value:
    if not facts.pledge_loans:
        # An empty table means nothing was imported yet, not that no loan was made.
        return Value(None, MSG_NO_LOANS_REGISTERED)
    loans = loans_in_year(facts, area, on)
    unknown = [loan for loan in loans if loan.principal_yuan is None]
    if unknown:
        # A sum without these loans would understate the amount by an unknown sum: no guess.
        named = [loan.contract_number for loan in unknown[:MAX_CONTRACTS_NAMED]]
        more = "…" if len(unknown) > MAX_CONTRACTS_NAMED else ""
        params = {"n": len(unknown), "total": len(loans), "contracts": ", ".join(named) + more}
        return Value(None, MSG_NO_LOAN_AMOUNT, note=MSG_PLEDGE_COVERAGE, params=params)
    yuan = sum(loan.principal_yuan or 0 for loan in loans)
    return Value(yuan / YUAN_PER_UNIT, note=MSG_PLEDGE_COVERAGE, params={"yuan": yuan})


INDICATORS: tuple[Indicator, ...] = (
    Indicator(  # P2.7
        "pledge_loans",
        "知识产权质押贷款笔数",
        "IP pledge loans",
        "当年1月1日至该日放款的知识产权质押贷款笔数（按放款日期），按借款企业所在地归属。"
        "数据为平台登记的质押贷款（质押贷款贴息申请与出借机构清单导入）。",
        "IP-pledge loans paid out from 1 January of the year to the date (by start date), attributed "
        "to the borrowing enterprise's region. The loans are those registered on the platform "
        "(interest-subsidy applications and lenders' lists).",
        "P2.7",
        "笔",
        "loans",
        _loans,
        EVERYWHERE,
        records=PLEDGE_LOANS,
        group="finance",
        attribution="borrower",
    ),
    Indicator(  # P2.7
        "pledge_financed_enterprises",
        "知识产权质押融资企业数",
        "Enterprises financed by IP pledge",
        "当年1月1日至该日获得知识产权质押贷款的企业家数（同一企业多笔贷款计一家），按企业所在地归属；"
        "数据为平台登记的质押贷款。",
        "Enterprises that obtained an IP-pledge loan from 1 January of the year to the date (one "
        "enterprise with several loans counts once), by the enterprise's region; from the loans "
        "registered on the platform.",
        "P2.7",
        "家",
        "enterprises",
        _enterprises,
        EVERYWHERE,
        records=Numerator("pledge_loans"),
        group="finance",
        attribution="borrower",
    ),
    Indicator(  # P2.7
        "pledge_financing_amount",
        "知识产权质押融资额",
        "IP pledge financing amount",
        "当年1月1日至该日放款的知识产权质押贷款金额合计（万元），按借款企业所在地归属；"
        "数据为平台登记的质押贷款。有贷款未登记金额时为“无法评估”，不做估算。",
        "Total principal of the IP-pledge loans paid out from 1 January of the year to the date "
        "(10,000 yuan), by the borrowing enterprise's region; from the loans registered on the "
        "platform. 'Not assessable' where a loan has no recorded amount, never an estimate.",
        "P2.7",
        "万元",
        "10,000 yuan",
        _amount,
        EVERYWHERE,
        records=Numerator("pledge_loans"),
        group="finance",
        attribution="borrower",
    ),
)
