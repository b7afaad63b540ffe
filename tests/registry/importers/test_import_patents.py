"""The patent row parser on small hand-made rows: every rule of the brief, one at a time."""

from __future__ import annotations

import datetime as dt

import pytest

from ipcity.errors import InvalidFile
from ipcity.registry.importers import detect_layout, get_layout
from ipcity.registry.records import PatentRecord, PublicationRecord, RowError, StatusEvent

PATENTICS_HEADER = [
    "公开号",
    "申请号",
    "标题",
    "申请日",
    "公开日",
    "授权公告日",
    "国际分类",
    "国际主分类",
    "美国分类",
    "美国主分类",
    "权利要求数",
    "申请人",
    "标准化申请人",
    "发明人",
    "第一发明人",
    "本文引用专利数",
    "引用本文专利数",
    "本文自引用专利数",
    "本文非自引用专利数",
    "自引用本文专利数",
    "非自引用本文专利数",
    "法律状态",
    "同族专利数",
    "技术特征",
]
INCOPAT_HEADER = [
    "序号",
    "标题 (中文)",
    "申请人",
    "公开（公告）号",
    "公开（公告）日",
    "申请号",
    "申请日",
    "公开类型",
    "专利类型",
    "公开国别",
    "IPC主分类",
    "标准化申请人",
    "国民经济分类",
    "新兴产业分类",
    "简单同族",
    "当前法律状态",
    "专利有效性",
]


def patentics_row(**values: str) -> list[str]:
    row = dict.fromkeys(PATENTICS_HEADER, "0")
    row.update(
        {
            "公开号": "CN216391212U",
            "申请号": "CN202123402459.9",
            "标题": "一种基于虚拟现实的全景摄像装置",
            "申请日": "20211230",
            "公开日": "20220426",
            "授权公告日": "20220426",
            "国际分类": "H04N  5/225 | H04N  5/232 | F16M 11/04",
            "国际主分类": "H04N",
            "美国分类": "",
            "美国主分类": "",
            "权利要求数": "8",
            "申请人": "郑州科技学院",
            "发明人": "梁飞 | 屈海朋",
            "法律状态": "有效",
            "技术特征": "",
        }
    )
    row.update(values)
    return [row[h] for h in PATENTICS_HEADER] + [""]  # Patentics ends every row with a comma


def incopat_row(**values: str) -> list[str]:
    row = dict.fromkeys(INCOPAT_HEADER, "")
    row.update(
        {
            "序号": "1",
            "标题 (中文)": "计算机进行通用学习的方法",
            "申请人": "成都天钥科技有限公司",
            "公开（公告）号": "CN110298449A",
            "公开（公告）日": "2019-10-01",
            "申请号": "CN201910593937.7",
            "申请日": "2019-07-03",
            "公开类型": "发明申请",
            "专利类型": "发明申请",
            "公开国别": "中国",
            "IPC主分类": "G06N20/00",
            "简单同族": "CN110298449B; US20220404779A1",
            "当前法律状态": "实质审查",
            "专利有效性": "审中",
        }
    )
    row.update(values)
    return [row[h] for h in INCOPAT_HEADER]


@pytest.fixture
def patentics(observed_on: dt.date):  # type: ignore[no-untyped-def]
    layout = get_layout("patentics-24")
    assert layout is not None
    return layout.parser(PATENTICS_HEADER, observed_on)


@pytest.fixture
def incopat(observed_on: dt.date):  # type: ignore[no-untyped-def]
    layout = detect_layout(INCOPAT_HEADER)
    assert layout is not None and layout.id == "incopat-17"
    return layout.parser(INCOPAT_HEADER, observed_on)


def test_patentics_utility_model(patentics) -> None:  # type: ignore[no-untyped-def]
    record = patentics(2, patentics_row())
    assert isinstance(record, PatentRecord)
    assert record.application_number == "CN202123402459.9"
    assert record.jurisdiction == "CN"
    assert record.patent_type == "utility_model"
    assert record.filing_date == dt.date(2021, 12, 30)
    assert record.grant_date == dt.date(2022, 4, 26)
    # 国际主分类 is a subclass only: the first full symbol of that subclass is the main one.
    assert record.ipc_main == "H04N5/225"
    assert record.ipc_all == ["H04N5/225", "H04N5/232", "F16M11/04"]
    assert record.applicants == ["郑州科技学院"]
    assert record.inventors == ["梁飞", "屈海朋"]
    assert record.claims_count == 8
    assert record.publications == [PublicationRecord("CN216391212U", "U", dt.date(2022, 4, 26))]
    assert record.statuses == [StatusEvent("granted", dt.date(2022, 4, 26))]


def test_invalid_check_digit_is_a_row_error_never_fixed(patentics) -> None:  # type: ignore[no-untyped-def]
    errors = patentics(7, patentics_row(申请号="CN202123402459.8"))
    assert isinstance(errors, list)
    [error] = errors
    assert (error.row, error.column, error.value) == (7, "申请号", "CN202123402459.8")
    assert "校验位" in error.reason
    assert dict(error.params)["expected"] == "9"


def test_terminal_status_without_date_is_observed(patentics, observed_on: dt.date) -> None:  # type: ignore[no-untyped-def]
    record = patentics(2, patentics_row(法律状态="无效"))
    assert record.statuses == [
        StatusEvent("granted", dt.date(2022, 4, 26)),
        StatusEvent("ceased", observed_on, True),
    ]
    record = patentics(3, patentics_row(公开号="CN114399933A", 授权公告日="", 法律状态="撤回"))
    assert record.grant_date is None
    assert record.statuses == [StatusEvent("withdrawn", observed_on, True)]


def test_pending_and_other(patentics) -> None:  # type: ignore[no-untyped-def]
    record = patentics(2, patentics_row(公开号="CN114399933A", 授权公告日="", 法律状态="公开"))
    assert record.patent_type == "utility_model"  # the number's type digit decides
    assert record.statuses == [StatusEvent("filed", dt.date(2021, 12, 30))]
    # 其他 says nothing definite: only the row's dated fact, the filing, is recorded.
    record = patentics(3, patentics_row(公开号="CN114399933A", 授权公告日="", 法律状态="其他"))
    assert record.statuses == [StatusEvent("filed", dt.date(2021, 12, 30))]


def test_unknown_status_lists_accepted_values(patentics) -> None:  # type: ignore[no-untyped-def]
    [error] = patentics(4, patentics_row(法律状态="神秘状态"))
    assert error.column == "法律状态"
    assert error.value == "神秘状态"
    assert "授权" in dict(error.params)["accepted"]


def test_bad_cells_are_all_reported(patentics) -> None:  # type: ignore[no-untyped-def]
    errors = patentics(5, patentics_row(申请日="2021-13-45", 国际主分类="xyz", 权利要求数="八"))
    assert {e.column for e in errors} == {"申请日", "国际主分类", "权利要求数"}
    assert all(isinstance(e, RowError) and e.row == 5 and e.reason for e in errors)


def test_short_row(patentics) -> None:  # type: ignore[no-untyped-def]
    [error] = patentics(9, patentics_row()[:10])
    assert error.row == 9
    assert error.column == "权利要求数"
    assert "截断" in error.reason


def test_empty_application_number(patentics) -> None:  # type: ignore[no-untyped-def]
    [error] = patentics(2, patentics_row(申请号=" "))
    assert error.column == "申请号"


def test_incopat_pending_invention(incopat, observed_on: dt.date) -> None:  # type: ignore[no-untyped-def]
    record = incopat(2, incopat_row())
    assert record.patent_type == "invention"
    assert record.publications == [PublicationRecord("CN110298449A", "A", dt.date(2019, 10, 1))]
    assert record.grant_date is None
    assert record.statuses == [StatusEvent("examination", observed_on, True)]
    assert record.family == ["CN110298449B", "US20220404779A1"]
    assert record.ipc_all == ["G06N20/00"]


def test_incopat_grant_row_dates_the_grant(incopat) -> None:  # type: ignore[no-untyped-def]
    row = incopat_row(
        **{"公开（公告）号": "CN110298449B", "公开（公告）日": "2021-05-07", "当前法律状态": "授权"}
    )
    record = incopat(3, row)
    assert record.grant_date == dt.date(2021, 5, 7)
    assert record.statuses == [StatusEvent("granted", dt.date(2021, 5, 7))]


def test_incopat_granted_a_row_is_observed(incopat, observed_on: dt.date) -> None:  # type: ignore[no-untyped-def]
    record = incopat(3, incopat_row(当前法律状态="授权", 专利有效性="有效"))
    assert record.statuses == [StatusEvent("granted", observed_on, True)]


def test_foreign_numbers_keep_their_office(incopat) -> None:  # type: ignore[no-untyped-def]
    row = incopat_row(
        申请号="US15950587",
        公开国别="美国",
        **{"公开（公告）号": "US20190320115A1", "公开（公告）日": "2019-10-17"},
    )
    record = incopat(4, row)
    assert (record.jurisdiction, record.application_number) == ("US", "US15950587")
    assert record.patent_type == "invention"  # from 专利类型
    row = incopat_row(
        申请号="WOCN22122372", 公开国别="世界知识产权组织", **{"公开（公告）号": "WO2023056875A1"}
    )
    assert incopat(5, row).application_number == "WOCN2022122372"
    # A bare number takes its office from 公开国别.
    row = incopat_row(申请号="15950587", 公开国别="美国", **{"公开（公告）号": "US20190320115A1"})
    assert incopat(6, row).application_number == "US15950587"


def test_unknown_country_for_a_bare_number(incopat) -> None:  # type: ignore[no-untyped-def]
    [error] = incopat(4, incopat_row(申请号="15950587", 公开国别="火星"))
    assert error.column == "公开国别"


def test_patent_type_column_when_the_number_has_no_type(incopat) -> None:  # type: ignore[no-untyped-def]
    row = incopat_row(
        申请号="JP2023000084U", 公开国别="日本", 专利类型="实用新型", **{"公开（公告）号": "JP3241220U"}
    )
    assert incopat(2, row).patent_type == "utility_model"
    [error] = incopat(3, incopat_row(申请号="JP2023000084U", 公开国别="日本", 专利类型="奇怪类型"))
    assert error.column == "专利类型"


CN_DB_HEADER = [
    "申请号",
    "公开号",
    "授权公告号",
    "专利名称",
    "申请日",
    "公开日",
    "授权公告日",
    "主分类号",
    "分类号",
    "法律状态",
    "申请人地址",
    "失效日期",
    "实质审查日",
    "国际申请号",
    "国际公开号",
    "专利类型",
]


def test_cn_db_dated_statuses_and_pct(observed_on: dt.date) -> None:
    layout = detect_layout(CN_DB_HEADER)
    assert layout is not None and layout.id == "cn-db-62"
    parse = layout.parser(CN_DB_HEADER, observed_on)
    row = [
        "CN202211287029.3",
        "CN115543475A",
        "CN115543475B",
        "一种方法",
        "20221020",
        "20221230",
        "20240405",
        "G06F9/445",
        "G06F9/445;G06F8/65",
        "无权-未缴年费终止",
        "450000河南省郑州市郑东新区",
        "20250101",
        "20230118",
        "PCT/CN2022/123456",
        "WO2024/012345A1",
        "发明公开;发明授权",
    ]
    record = parse(2, row)
    assert isinstance(record, PatentRecord), record
    assert [p.number for p in record.publications] == ["CN115543475A", "CN115543475B"]
    assert record.grant_date == dt.date(2024, 4, 5)
    assert record.statuses == [
        StatusEvent("granted", dt.date(2024, 4, 5)),
        StatusEvent("lapsed_unpaid_annuity", dt.date(2025, 1, 1)),
    ]
    assert record.pct_application_number == "WOCN2022123456"
    assert record.pct_publication_number == "WO2024012345A1"
    assert record.applicant_address == "450000河南省郑州市郑东新区"
    row[9], row[2], row[6] = "审中-实质审查", "", "0"
    record = parse(3, row)
    assert record.statuses == [StatusEvent("examination", dt.date(2023, 1, 18))]


def test_missing_signature_column_is_invalid_file(observed_on: dt.date) -> None:
    layout = get_layout("patentics-24")
    assert layout is not None
    with pytest.raises(InvalidFile, match="申请号"):
        layout.parser([h for h in PATENTICS_HEADER if h != "申请号"], observed_on)


def test_detection_tolerates_order_and_extra_columns() -> None:
    shuffled = [*reversed(PATENTICS_HEADER), "备注", "链接"]
    layout = detect_layout(shuffled)
    assert layout is not None and layout.id == "patentics-24"
    assert detect_layout(["名称", "金额"]) is None
    assert detect_layout(PATENTICS_HEADER, kind="trademarks") is None
