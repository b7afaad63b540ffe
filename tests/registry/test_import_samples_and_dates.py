"""What an import does with data that is not quite what it seems:

* a sample record (demo data) that a real file describes is replaced by the file's record
  whole and is no longer a sample: no invented abstract, publication, status event or
  annuity stays beside real data (patents and the other registers);
* Patentics' 法律状态 其他 records the filing, dated by 申请日, not a blank status;
* dates that contradict each other (registered before filed, a loan ending before it
  starts, a grant before the filing …) reject the row, with the later date's column.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

from ipcity_testing import shared_file
from registry_testkit import OFFICER, fill_template, raw_rows
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ipcity.registry.importing import render_row_error, run_import
from ipcity.registry.models import Patent, PatentPublication, PatentStatusEvent, Trademark
from ipcity.registry.numbers import normalize_application_number
from ipcity.registry.records import PatentRecord, PublicationRecord, StatusEvent, TrademarkRecord
from ipcity.registry.store import HolderSeed, ensure_holders, plan_patents, write_patents
from ipcity.registry.store_assets import plan_assets, write_assets

OBSERVED = date(2024, 6, 30)
REAL = "CN202110695249.9"  # 基于虚拟现实的实验箱, row 672 of the Patentics VR export: 公开


def events_of(session: Session, number: str) -> list[tuple[str, date | None, bool]]:
    return [
        (e.status, e.date, e.date_observed)
        for e in session.scalars(
            select(PatentStatusEvent)
            .join(Patent, Patent.id == PatentStatusEvent.patent_id)
            .where(Patent.application_number == number)
            .order_by(PatentStatusEvent.date)
        )
    ]


# --------------------------------------------------------------------------- samples


def test_a_real_file_replaces_a_sample_patent_whole(session: Session) -> None:
    sample = PatentRecord(
        1,
        "CN",
        REAL,
        "invention",
        "一种示例实验箱",
        abstract="本发明公开了一种示例实验箱，示例数据。",
        filing_date=date(2019, 3, 1),
        applicants=["鹤壁市示例科技有限公司"],
        publications=[PublicationRecord("CN190123456A", "A", date(2020, 9, 1))],
        statuses=[StatusEvent("filed", date(2019, 3, 1)), StatusEvent("granted", date(2020, 5, 5))],
        grant_date=date(2020, 5, 5),
        claims_count=7,
    )
    now = datetime.now(UTC)
    holders, _ = ensure_holders(session, [HolderSeed(n) for n in sample.applicants], now, is_sample=True)
    write_patents(session, plan_patents(session, [sample], replace_samples=False), holders, None, now, True)
    session.execute(update(Patent).where(Patent.application_number == REAL).values(annuities_paid_yuan=1800))
    session.commit()

    path = shared_file("patents_cn", "patentics_cn_virtual_reality_7805.csv.gz")
    preview = run_import(session, OFFICER, path, confirm=False, observed_on=OBSERVED)
    assert (preview.updated, preview.rejected) == (1, 0)
    run_import(session, OFFICER, path, observed_on=OBSERVED)
    session.expire_all()

    patent = session.scalars(select(Patent).where(Patent.application_number == REAL)).one()
    assert not patent.is_sample
    assert (patent.title, patent.abstract, patent.filing_date) == (
        "基于虚拟现实的实验箱",
        None,
        date(2021, 6, 23),
    )
    assert (patent.grant_date, patent.annuities_paid_yuan, patent.claims_count) == (None, None, 9)
    numbers = session.scalars(
        select(PatentPublication.number).where(PatentPublication.patent_id == patent.id)
    )
    assert list(numbers) == ["CN113299133A"]
    # The file's status (公开: pending since the filing), none of the invented history.
    assert events_of(session, REAL) == [("filed", date(2021, 6, 23), False)]


def test_a_real_file_makes_a_sample_trademark_real(session: Session, tmp_path: Path) -> None:
    sample = TrademarkRecord(1, "8868023", "淇河缠丝鸭蛋", [29], "gi_certification", "鹤壁市淇滨区禽业协会")
    write_assets(session, plan_assets(session, "trademarks", [sample]), is_sample=True)
    session.commit()
    row = {"注册号": "8868023", "商标名称": "淇河缠丝鸭蛋", "尼斯分类": "29", "商标类型": "地理标志证明商标"}
    row |= {"权利人": "鹤壁市淇滨区禽业协会"}
    result = run_import(session, OFFICER, fill_template("trademarks", [row], tmp_path / "商标.xlsx"))
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 0)
    session.expire_all()
    assert (
        session.scalar(select(Trademark.is_sample).where(Trademark.registration_number == "8868023")) is False
    )


# --------------------------------------------------------------------------- 其他


def test_patentics_other_records_the_filing(session: Session) -> None:
    path = shared_file("patents_cn", "patentics_cn_augmented_reality_4483.csv.gz")
    rows = raw_rows(path)
    other = {normalize_application_number(c["申请号"]): c for _, c in rows if c["法律状态"] == "其他"}
    assert len(other) == 1741
    run_import(session, OFFICER, path, observed_on=OBSERVED)
    events: dict[str, list[tuple[str, date | None, bool]]] = {}
    for number, status, when, observed in session.execute(
        select(
            Patent.application_number,
            PatentStatusEvent.status,
            PatentStatusEvent.date,
            PatentStatusEvent.date_observed,
        ).join(PatentStatusEvent, PatentStatusEvent.patent_id == Patent.id)
    ):
        events.setdefault(number, []).append((status, when, observed))
    for number, cells in other.items():
        filed = date.fromisoformat(f"{cells['申请日'][:4]}-{cells['申请日'][4:6]}-{cells['申请日'][6:]}")
        assert events[number] == [("filed", filed, False)], number
    # Every patent of the file has a status now; none is dated by the import day unless the
    # export gives no date for it (无效, 撤回, 驳回: the file says when it was seen, not when).
    assert set(events) == {normalize_application_number(c["申请号"]) for _, c in rows}
    observed = Counter(s for history in events.values() for s, _, seen in history if seen)
    assert set(observed) <= {"ceased", "withdrawn", "rejected"}


# --------------------------------------------------------------------------- dates in order


def test_trademark_registered_before_filed_is_rejected(session: Session, tmp_path: Path) -> None:
    rows = [
        {
            "注册号": "30000001",
            "商标名称": "甲",
            "尼斯分类": "9",
            "申请日": "2021-01-01",
            "注册日": "2020-01-01",
        },
        {
            "注册号": "30000002",
            "商标名称": "乙",
            "尼斯分类": "9",
            "注册日": "2020-01-01",
            "专用权期限至": "2019-12-31",
        },
        {
            "注册号": "30000003",
            "商标名称": "丙",
            "尼斯分类": "9",
            "申请日": "2019-01-01",
            "注册日": "2020-01-01",
        },
    ]
    result = run_import(session, OFFICER, fill_template("trademarks", rows, tmp_path / "商标.xlsx"))
    assert (result.inserted, result.rejected) == (1, 2)
    assert [(e.row, e.column, e.value) for e in result.errors] == [
        (3, "注册日", "2020-01-01"),
        (4, "专用权期限至", "2019-12-31"),
    ]
    reason = render_row_error(result.errors[0], "zh_CN")
    assert "申请日" in reason and "2021-01-01" in reason
    assert "cannot be earlier" in render_row_error(result.errors[0], "en")


def test_other_templates_refuse_dates_out_of_order(session: Session, tmp_path: Path) -> None:
    holder = "鹤壁市示例科技有限公司"
    cases = (
        (
            "pledge-loans",
            {"合同编号": "DK-1", "权利人": holder, "放款日期": "2020-03-01", "到期日期": "2019-03-01"},
        ),
        (
            "pct-applications",
            {
                "PCT申请号": "PCT/CN2019/123456",
                "权利人": holder,
                "国际申请日": "2019-04-02",
                "国际检索报告日期": "2019-01-20",
            },
        ),
        (
            "patents",
            {
                "申请号": REAL,
                "标题": "基于虚拟现实的实验箱",
                "申请日": "2021-06-23",
                "授权公告日": "2020-01-07",
            },
        ),
    )
    for kind, row in cases:
        result = run_import(session, OFFICER, fill_template(kind, [row], tmp_path / f"{kind}.xlsx"))
        later = list(row)[-1]
        assert [(e.row, e.column, e.value) for e in result.errors] == [(3, later, row[later])], kind
        assert list(row)[-2] in render_row_error(result.errors[0], "zh_CN"), kind
