"""values and status: the memoised cell normalisers and the legal-status table."""

from __future__ import annotations

import datetime as dt

import pytest

from ipcity.registry.importers.status import STATUS_TEXTS, UnknownStatus, accepted_status_texts, lookup_status
from ipcity.registry.importers.values import (
    jurisdiction_of_country,
    normalize_ipc,
    parse_count,
    parse_date,
    parse_ipc_list,
    split_family,
    split_names,
    split_people,
)
from ipcity.registry.records import LegalStatus


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20220311", dt.date(2022, 3, 11)),
        ("2019-10-01", dt.date(2019, 10, 1)),
        ("2019/10/1", dt.date(2019, 10, 1)),
        ("2019.10.01", dt.date(2019, 10, 1)),
        ("2019年10月1日", dt.date(2019, 10, 1)),
        ("2019-10-01 00:00:00", dt.date(2019, 10, 1)),
        ("2019-10-01T00:00:00", dt.date(2019, 10, 1)),
        ("44621", dt.date(2022, 3, 1)),  # an Excel serial that lost its date format
        (" 20220311 ", dt.date(2022, 3, 11)),
        ("", None),
        ("0", None),  # the 62-column export writes 0 for "no date"
        ("-", None),
    ],
)
def test_dates(text: str, expected: dt.date | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["2022-02-30", "20221301", "2019/10", "yesterday", "1850-01-01", "123"])
def test_bad_dates(text: str) -> None:
    with pytest.raises(ValueError):
        parse_date(text)
    with pytest.raises(ValueError):  # the memo remembers the failure, and still raises
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("G06F  3/01", "G06F3/01"),
        ("G06F3/01", "G06F3/01"),
        ("g06f 9/451", "G06F9/451"),
        ("H04N0005232000", "H04N5/232"),
        ("G06F0003010000", "G06F3/01"),
        ("G06F 3/01(2006.01)", "G06F3/01"),
        ("B60W30/188I", "B60W30/188"),  # incoPat's inventive-information flag
        ("G09B", "G09B"),
    ],
)
def test_ipc_symbols(text: str, expected: str) -> None:
    assert normalize_ipc(text) == expected


def test_ipc_lists() -> None:
    assert parse_ipc_list("G06F  3/01 | G06F  9/451") == ("G06F3/01", "G06F9/451")
    assert parse_ipc_list("B64U20/80;B64U101/30") == ("B64U20/80", "B64U101/30")
    assert parse_ipc_list("G06F3/01; G06F3/01") == ("G06F3/01",)
    assert parse_ipc_list("G05B 19/418 | Y02P 90/02") == ("G05B19/418",)  # CPC Y tag dropped
    assert parse_ipc_list("") == ()
    with pytest.raises(ValueError):
        parse_ipc_list("B60R/; B60R21/00")


def test_names_people_family_counts() -> None:
    assert split_names("[丰田公司-C; 协同油脂-C]") == ["丰田公司-C", "协同油脂-C"]
    assert split_names("") == []
    first = split_names("郑州大学")
    first.append("x")  # callers get their own list, the memo is untouched
    assert split_names("郑州大学") == ["郑州大学"]
    assert split_people("谈敦铭 | 杜晓伟 | 谈敦铭") == ["谈敦铭", "杜晓伟"]
    assert split_people("刘迪;刘敏") == ["刘迪", "刘敏"]
    assert split_family("CN110298449B; US20220404779A1") == ["CN110298449B", "US20220404779A1"]
    assert parse_count("8") == 8
    assert parse_count("8.0") == 8
    assert parse_count("") is None
    with pytest.raises(ValueError):
        parse_count("八")


def test_countries() -> None:
    assert jurisdiction_of_country("中国") == "CN"
    assert jurisdiction_of_country("世界知识产权组织") == "WO"
    assert jurisdiction_of_country("中国台湾") == "TW"
    assert jurisdiction_of_country("us") == "US"
    assert jurisdiction_of_country("火星") is None


# Every status text that occurs in the real exports, and what it means.
REAL_STATUS_TEXTS: dict[str, str | None] = {
    # Patentics 法律状态
    "有效": "granted",
    "公开": "filed",
    "驳回": "rejected",
    "无效": "ceased",
    "撤回": "withdrawn",
    "其他": None,
    # incoPat 当前法律状态
    "授权": "granted",
    "实质审查": "examination",
    "未缴年费": "lapsed_unpaid_annuity",
    "期限届满": "expired",
    "放弃": "withdrawn",
    "权利终止": "ceased",
    "未进入国家阶段-PCT有效期内": "filed",
    "进入国家阶段-PCT有效期内": "filed",
    "未进入国家阶段-PCT有效期满": "ceased",
    "进入国家阶段-PCT有效期满": "ceased",
    # incoPat 专利有效性
    "审中": "filed",
    "失效": "ceased",
    "PCT-有效期内": "filed",
    "PCT-有效期满": "ceased",
    # 62-column export 法律状态
    "有权-审定授权": "granted",
    "审中-实质审查": "examination",
    # the rest of the brief's list
    "全部无效": "invalidated",
    "权利恢复": "restored",
    "无权-未缴年费终止": "lapsed_unpaid_annuity",
    "无权-视为撤回": "withdrawn",
    "无权-某种新说法": "ceased",  # unknown detail: the prefix decides
}


@pytest.mark.parametrize(("text", "expected"), REAL_STATUS_TEXTS.items())
def test_status_texts(text: str, expected: str | None) -> None:
    assert lookup_status(text) == expected


def test_status_vocabulary_is_the_records_one() -> None:
    vocabulary = set(LegalStatus.__args__)  # type: ignore[attr-defined]
    assert {v for v in STATUS_TEXTS.values() if v is not None} <= vocabulary


def test_unknown_status() -> None:
    with pytest.raises(UnknownStatus):
        lookup_status("神秘状态")
    assert "实质审查" in accepted_status_texts()
    assert lookup_status("") is None
