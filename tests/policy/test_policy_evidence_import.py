"""Officers import the policy's evidence lists (award winners, GB/T 29490 certificates,
pledge loans with their yearly costs, patent insurance policies) through the import front
door: preview, confirm, a second import that changes nothing, rejected rows with row,
column and reason, strict mode, role checks — and the rules then propose the entitlements
from the imported rows (免申即享). SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from policy_exports_world import CITY, COUNTY_A, make_holder
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ipcity.auth.roles import SYSTEM
from ipcity.errors import PermissionDenied
from ipcity.policy import service
from ipcity.policy.models import IpCertificate, PatentAward, PatentInsurancePolicy, PledgeLoan, PledgeLoanCost
from ipcity.registry.importers import write_template_xlsx
from ipcity.registry.importing import render_row_error, run_import
from ipcity.registry.models import Holder

YEAR = 2019
NOW = datetime(2024, 1, 1, tzinfo=UTC)
QIBIN_FIRM, XUN_FIRM = "鹤壁甲科技有限公司", "浚县乙农业有限公司"
AWARD_HEADER = ["序号", "专利号", "奖项", "授奖日期", "权利人", "证明材料"]
AWARD_ROWS = [
    ["1", "ZL201710123456.0", "河南省专利奖一等奖", "2019-11-20", QIBIN_FIRM, "豫政〔2019〕1号"],
    ["2", "CN201810000005.2", "中国专利优秀奖", "2019/12/10", XUN_FIRM, ""],
]


def _csv(tmp_path: Path, name: str, header: list[str], rows: list[list[str]]) -> Path:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    path = tmp_path / name
    path.write_text(out.getvalue(), encoding="utf-8-sig")
    return path


def _import(factory: sessionmaker[Session], path: Path, **kwargs: Any) -> Any:
    with factory() as s:
        return run_import(s, kwargs.pop("actor", CITY), path, errors_dir=path.parent, **kwargs)


def _count(factory: sessionmaker[Session], model: Any) -> int:
    with factory() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
def holders(session_factory: sessionmaker[Session]) -> dict[str, int]:
    with session_factory() as s:
        ids = {
            name: make_holder(s, name, region).id
            for name, region in ((QIBIN_FIRM, "410611"), (XUN_FIRM, "410621"))
        }
        s.commit()
    return ids


def _evidence_entitlements(factory: sessionmaker[Session], rule: str) -> list[Any]:
    with factory() as s:
        return [e for e in service.entitlements(s, SYSTEM, YEAR) if e.rule == rule]


def test_an_award_list_is_previewed_imported_once_and_proposed(
    session_factory: sessionmaker[Session], holders: dict[str, int], tmp_path: Path
) -> None:
    path = _csv(tmp_path, "2019年专利奖获奖名单.csv", AWARD_HEADER, AWARD_ROWS)
    preview = _import(session_factory, path, confirm=False)
    assert (preview.kind, preview.rows_read, preview.inserted, preview.rejected) == ("awards", 2, 2, 0)
    assert _count(session_factory, PatentAward) == 0  # a preview writes nothing
    done = _import(session_factory, path)
    assert done.confirmed and (done.inserted, done.updated, done.unchanged) == (2, 0, 0)
    with session_factory() as s:
        stored = {
            (w.patent_number, w.level, w.award_date, w.holder_id) for w in s.scalars(select(PatentAward))
        }
    assert stored == {
        ("CN201710123456.0", "provincial_first", date(2019, 11, 20), holders[QIBIN_FIRM]),  # ZL read as CN
        ("CN201810000005.2", "china_excellence", date(2019, 12, 10), holders[XUN_FIRM]),
    }
    again = _import(session_factory, path)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)
    assert _count(session_factory, PatentAward) == 2
    # The rules read the imported rows: both awards are owed without an application.
    provincial = _evidence_entitlements(session_factory, "P2.2-b")
    assert [(e.holder_id, e.amount, e.status) for e in provincial] == [
        (holders[QIBIN_FIRM], 50000, "eligible")
    ]
    assert "CN201710123456.0" in provincial[0].explanation_zh
    assert [e.holder_id for e in _evidence_entitlements(session_factory, "P2.2-a")] == [holders[XUN_FIRM]]


def test_bad_rows_come_back_with_row_column_and_reason_and_strict_changes_nothing(
    session_factory: sessionmaker[Session], holders: dict[str, int], tmp_path: Path
) -> None:
    rows = [
        *AWARD_ROWS,
        ["3", "CN201710123456.8", "省专利奖一等奖", "2019-11-20", QIBIN_FIRM, ""],  # wrong check digit
        ["4", "CN201810000005.2", "市长奖", "2019-11-20", XUN_FIRM, ""],  # no such award
        ["5", "CN201810000005.2", "省专利奖三等奖", "", XUN_FIRM, ""],  # no date
    ]
    path = _csv(tmp_path, "awards-bad.csv", AWARD_HEADER, rows)
    strict = _import(session_factory, path, strict=True)
    assert strict.aborted_strict and _count(session_factory, PatentAward) == 0
    result = _import(session_factory, path)
    assert (result.inserted, result.rejected) == (2, 3)
    by_row = {e.row: e for e in result.errors}
    assert by_row[4].column == "专利号" and by_row[4].value == "CN201710123456.8"
    assert by_row[5].column == "奖项" and "市长奖" in render_row_error(by_row[5], "zh_CN")
    assert "省专利奖一等奖" in render_row_error(by_row[5], "zh_CN")
    assert by_row[6].column == "授奖日期" and "必须填写" in render_row_error(by_row[6], "zh_CN")
    with open(result.errors_file, encoding="utf-8-sig") as fh:
        listed = list(csv.reader(fh))
    assert {row[0] for row in listed[1:]} == {"4", "5", "6"}


def test_certificates_from_the_downloadable_template(
    session_factory: sessionmaker[Session], holders: dict[str, int], tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(write_template_xlsx("certificates")))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["序号", "证书编号", "权利人", "统一社会信用代码"]
    values = {"序号": "1", "证书编号": "165IP190001R0M", "权利人": QIBIN_FIRM, "发证日期": "2019-06-18"}
    sheet.append([values.get(h, "") for h in header])
    path = tmp_path / "贯标证书.xlsx"
    book.save(path)
    result = _import(session_factory, path)
    assert (result.kind, result.rows_read, result.inserted, result.rejected) == ("certificates", 1, 1, 0)
    with session_factory() as s:
        cert = s.scalars(select(IpCertificate)).one()
    assert (cert.holder_id, cert.issued_on, cert.standard) == (
        holders[QIBIN_FIRM],
        date(2019, 6, 18),
        "GB/T 29490",
    )
    owed = _evidence_entitlements(session_factory, "P2.3-a")
    assert [(e.holder_id, e.amount) for e in owed] == [(holders[QIBIN_FIRM], 50000)]


def test_pledge_loans_with_yearly_costs_and_a_changed_row(
    session_factory: sessionmaker[Session], holders: dict[str, int], tmp_path: Path
) -> None:
    header = [
        "合同编号",
        "权利人",
        "贷款机构",
        "贷款金额（元）",
        "放款日期",
        "费用年度",
        "利息（元）",
        "评估费（元）",
    ]
    rows = [
        ["ZY2019-001", QIBIN_FIRM, "中国银行鹤壁分行", "5,000,000", "2019-03-01", "2019", "300000", "20000"],
        ["ZY2019-002", QIBIN_FIRM, "中原银行", "3000000", "2019-05-01", "2019", "160000", ""],
        ["ZY2019-003", XUN_FIRM, "中原银行", "1000000", "2019-06-01", "", "50000", ""],  # costs, no year
    ]
    result = _import(session_factory, _csv(tmp_path, "loans.csv", header, rows))
    assert (result.inserted, result.rejected) == (2, 1)
    assert result.errors[0].column == "利息（元）" and "费用年度" in render_row_error(
        result.errors[0], "zh_CN"
    )
    assert "year" in render_row_error(result.errors[0], "en")
    assert (_count(session_factory, PledgeLoan), _count(session_factory, PledgeLoanCost)) == (2, 2)
    # P2.7-a: half the costs of the year, capped at 200,000 per enterprise and year, summed
    # over its loans: (320,000 + 160,000) / 2 = 240,000 → 200,000.
    owed = _evidence_entitlements(session_factory, "P2.7-a")
    assert sum(e.amount for e in owed if e.status == "eligible") == 200000
    # The bank corrects a cost: the next import changes that row only.
    rows[1][6] = "100000"
    again = _import(session_factory, _csv(tmp_path, "loans-2.csv", header, rows[:2]))
    assert (again.inserted, again.updated, again.unchanged) == (0, 1, 1)
    with session_factory() as s:
        costs = {c.interest_yuan for c in s.scalars(select(PledgeLoanCost))}
    assert costs == {300000, 100000}
    assert (
        sum(e.amount for e in _evidence_entitlements(session_factory, "P2.7-a") if e.status == "eligible")
        == 200000
    )


def test_insurance_policies_and_an_unknown_holder(
    session_factory: sessionmaker[Session], holders: dict[str, int], tmp_path: Path
) -> None:
    header = ["保单号", "权利人", "统一社会信用代码", "专利号", "保费（元）", "起保日期", "保险公司"]
    rows = [
        ["PICC-2019-0001", QIBIN_FIRM, "", "CN201710123456.0", "12000", "2019-05-01", "人保财险"],
        ["PICC-2019-0002", "新来的示例有限公司", "", "CN201810000005.2", "8000", "2019-06-01", ""],
        ["PICC-2019-0003", XUN_FIRM, "91410600MA00000000", "CN201810000005.2", "-5", "2019-06-01", ""],
    ]
    result = _import(session_factory, _csv(tmp_path, "insurance.csv", header, rows))
    assert (result.inserted, result.rejected) == (2, 1)
    assert {e.column for e in result.errors} == {"统一社会信用代码", "保费（元）"}
    with session_factory() as s:
        newcomer = s.scalars(select(Holder).where(Holder.name == "新来的示例有限公司")).one()
        policies = {p.policy_number: p.holder_id for p in s.scalars(select(PatentInsurancePolicy))}
    assert policies == {"PICC-2019-0001": holders[QIBIN_FIRM], "PICC-2019-0002": newcomer.id}
    # A holder the registry did not know has no place yet: not in the city, nothing paid.
    by_holder = {e.holder_id: e.status for e in _evidence_entitlements(session_factory, "P2.7-b")}
    assert by_holder[holders[QIBIN_FIRM]] == "eligible"
    assert newcomer.id not in by_holder or by_holder[newcomer.id] == "not_local"


def test_pct_applications_are_paid_once_their_search_report_is_in(
    session_factory: sessionmaker[Session], holders: dict[str, int], tmp_path: Path
) -> None:
    header = ["PCT申请号", "权利人", "国际申请日", "国际检索报告日期"]
    rows = [
        ["PCT/CN2019/000101", QIBIN_FIRM, "2019-03-01", "2019-07-15"],
        ["pct/cn2019/000102", QIBIN_FIRM, "2019-04-01", ""],
        ["PCT/CN19/000103", QIBIN_FIRM, "2019-04-01", ""],  # not a PCT number
    ]
    result = _import(session_factory, _csv(tmp_path, "pct.csv", header, rows))
    assert (result.inserted, result.rejected) == (2, 1)
    assert result.errors[0].column == "PCT申请号" and "PCT/CN2019/123456" in render_row_error(
        result.errors[0], "en"
    )
    owed = {e.object: (e.amount, e.status) for e in _evidence_entitlements(session_factory, "P2.1-d")}
    assert owed["PCT/CN2019/000101"][1] == "eligible" and owed["PCT/CN2019/000101"][0] > 0
    assert owed["PCT/CN2019/000102"] == (0, "needs_evidence")
    # The report arrives: the next list says so, and the application is owed its amount.
    rows[1][3] = "2019-09-30"
    again = _import(session_factory, _csv(tmp_path, "pct-2.csv", header, rows[:2]))
    assert (again.inserted, again.updated, again.unchanged) == (0, 1, 1)
    owed = {e.object: (e.amount, e.status) for e in _evidence_entitlements(session_factory, "P2.1-d")}
    assert owed["PCT/CN2019/000102"] == owed["PCT/CN2019/000101"]


def test_a_county_officer_may_not_import_evidence(
    session_factory: sessionmaker[Session], holders: dict[str, int], tmp_path: Path
) -> None:
    path = _csv(tmp_path, "awards.csv", AWARD_HEADER, AWARD_ROWS)
    with pytest.raises(PermissionDenied):
        _import(session_factory, path, actor=COUNTY_A)
    assert _count(session_factory, PatentAward) == 0


def test_an_award_an_enterprise_entered_with_zl_is_the_same_award_on_the_list(
    session_factory: sessionmaker[Session], holders: dict[str, int], tmp_path: Path
) -> None:
    from ipcity.policy import applications

    typed = {"patent_number": "ZL 2017 1012 3456.0", "level": "provincial_first", "award_date": "2019-11-20"}
    assert applications._clean(applications.KINDS["award"], typed)["patent_number"] == "CN201710123456.0"
    with session_factory() as s:  # a row an application stored before numbers were made canonical
        s.add(
            PatentAward(
                holder_id=holders[QIBIN_FIRM],
                patent_number="ZL201710123456.0",
                level="provincial_first",
                award_date=date(2019, 11, 20),
                evidence="豫政〔2019〕1号",
            )
        )
        s.commit()
    result = _import(session_factory, _csv(tmp_path, "awards.csv", AWARD_HEADER, AWARD_ROWS[:1]))
    assert (result.inserted, result.updated, result.unchanged) == (0, 0, 1)
    assert _count(session_factory, PatentAward) == 1
    assert len(_evidence_entitlements(session_factory, "P2.2-b")) == 1  # paid once


def test_holders_found_by_code_or_name_stay_unchanged_and_new_ones_get_their_code(
    session_factory: sessionmaker[Session], holders: dict[str, int], tmp_path: Path
) -> None:
    with session_factory() as s:
        firm = s.get(Holder, holders[QIBIN_FIRM])
        assert firm is not None
        firm.uscc = "91110000802100433B"
        s.commit()
    header = ["证书编号", "权利人", "统一社会信用代码", "发证日期"]
    rows = [
        # A code the registry does not know, a name it knows: the named holder.
        ["C-1", QIBIN_FIRM, "91410600MA3X5U5H20", "2019-06-18"],
        # A new holder with its code.
        ["C-2", "鹤壁新证书有限公司", "91410611MA44GR0L1X", "2019-06-18"],
        ["C-3", "-", "", "2019-06-18"],  # a placeholder, not a name
    ]
    first = _import(session_factory, _csv(tmp_path, "certs.csv", header, rows))
    assert (first.inserted, first.rejected) == (2, 1) and first.errors[0].column == "权利人"
    again = _import(session_factory, _csv(tmp_path, "certs-2.csv", header, rows[:2]))
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)
    with session_factory() as s:
        owners = {c.certificate_number: c.holder_id for c in s.scalars(select(IpCertificate))}
        created = s.scalars(select(Holder).where(Holder.name == "鹤壁新证书有限公司")).one()
        # A holder created by an import does not block the next holder written one by one
        # (PostgreSQL's id sequence is moved past the ids the import assigned).
        s.add(
            Holder(
                name="之后的公司",
                normalized_name="之后的公司",
                kind="enterprise",
                tags=[],
                created_at=NOW,
                updated_at=NOW,
            )
        )
        s.commit()
    assert owners == {"C-1": holders[QIBIN_FIRM], "C-2": created.id}
    assert created.uscc == "91410611MA44GR0L1X"


def test_amounts_written_with_decimals_are_whole_yuan(
    session_factory: sessionmaker[Session], holders: dict[str, int], tmp_path: Path
) -> None:
    header = ["保单号", "权利人", "专利号", "保费（元）", "起保日期"]
    rows = [
        ["P-1", QIBIN_FIRM, "CN201710123456.0", "12,000.00", "2019-05-01"],
        ["P-2", QIBIN_FIRM, "CN201710123456.0", "12000.50", "2019-05-01"],  # fen: not whole yuan
    ]
    result = _import(session_factory, _csv(tmp_path, "ins.csv", header, rows))
    assert (result.inserted, result.rejected) == (1, 1) and result.errors[0].column == "保费（元）"
    with session_factory() as s:
        assert s.scalars(select(PatentInsurancePolicy.premium_yuan)).all() == [12000]
