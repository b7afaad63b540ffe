"""ipcity.places.divisions: lookups over the GB/T 2260 table."""

from __future__ import annotations

from collections import Counter

import pytest

from ipcity.errors import ValidationFailed
from ipcity.places.divisions import (
    Division,
    all_divisions,
    ancestors,
    children,
    city_of,
    counties_of,
    full_name,
    get_division,
    is_valid_region_code,
    province_of,
    require_division,
)


def test_get_division_returns_a_frozen_record() -> None:
    qibin = get_division("410611")
    assert qibin == Division("410611", "淇滨区", "county", "410600", "Qibin District")
    with pytest.raises(AttributeError):
        qibin.name = "x"  # type: ignore[misc]


@pytest.mark.parametrize("code", ["999999", "410699", "", "41061", "abcdef"])
def test_get_division_unknown_is_none(code: str) -> None:
    assert get_division(code) is None


def test_province_has_no_parent() -> None:
    henan = get_division("410000")
    assert henan is not None and henan.level == "province" and henan.parent_code is None


def test_children_of_hebi() -> None:
    assert [d.name for d in children("410600")] == [
        "鹤山区",
        "山城区",
        "淇滨区",
        "浚县",
        "淇县",
        "鹤壁经济技术开发区",
    ]
    assert children("410611") == []


def test_children_of_henan_are_its_cities_and_jiyuan() -> None:
    kids = children("410000")
    assert len([d for d in kids if d.level == "city"]) == 17
    assert [d.code for d in kids if d.level == "county"] == ["419001"]


def test_ancestors_province_first() -> None:
    assert [d.name for d in ancestors("410671")] == ["河南省", "鹤壁市"]
    assert [d.code for d in ancestors("410600")] == ["410000"]
    assert ancestors("410000") == []
    assert [d.code for d in ancestors("110108")] == ["110000"]


def test_counties_of() -> None:
    assert [d.name for d in counties_of("410600")] == [
        "鹤山区",
        "山城区",
        "淇滨区",
        "浚县",
        "淇县",
        "鹤壁经济技术开发区",
    ]
    assert len(counties_of("110000")) == 16  # Beijing's districts
    assert [d.code for d in counties_of("410000")] == ["419001"]
    assert counties_of("441900") == []  # 东莞市 has no counties


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("410611", True),
        ("410671", True),
        ("410600", True),
        ("110000", True),
        ("410699", False),
        ("4106", False),
    ],
)
def test_is_valid_region_code(code: str, expected: bool) -> None:
    assert is_valid_region_code(code) is expected


@pytest.mark.parametrize("value", [410611, None, b"410611", ["410611"]])
def test_is_valid_region_code_never_raises(value: object) -> None:
    assert is_valid_region_code(value) is False


@pytest.mark.parametrize("func", [children, ancestors, counties_of, full_name, require_division, province_of])
def test_malformed_code_is_bad_input(func: object) -> None:
    with pytest.raises(ValidationFailed) as caught:
        func("4106")  # type: ignore[operator]
    assert caught.value.status == 400
    assert "4106" in caught.value.render("zh_CN")
    assert caught.value.render("en") == 'Region code "4106" is malformed: expected 6 digits, e.g. 410611.'


def test_unknown_code_is_bad_input() -> None:
    with pytest.raises(ValidationFailed) as caught:
        children("410699")
    assert caught.value.render("en") == (
        'Region code "410699" is not in the GB/T 2260 table of administrative divisions.'
    )


def test_full_name_city_and_province() -> None:
    assert full_name("410671") == "河南省鹤壁市鹤壁经济技术开发区"
    assert full_name("110105") == "北京市朝阳区"
    city = city_of("410622")
    assert city is not None and city.code == "410600"
    assert city_of("410000") is None and city_of("419001") is None
    assert province_of("410600").code == "410000" and province_of("410000").code == "410000"


def test_table_invariants() -> None:
    divisions = all_divisions()
    assert [d.code for d in divisions] == sorted(d.code for d in divisions)
    levels = Counter(d.level for d in divisions)
    assert levels["province"] == 34 and levels["city"] > 300 and levels["county"] > 2800
    # Siblings never share a name: a name plus its parent identifies a division.
    siblings = Counter((d.parent_code, d.name) for d in divisions)
    assert [k for k, n in siblings.items() if n > 1] == []
    for d in divisions:
        assert len(d.code) == 6 and d.code.isdigit()


def test_table_is_read_once() -> None:
    assert get_division("410611") is get_division("410611")
