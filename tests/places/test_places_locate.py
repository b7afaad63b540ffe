"""ipcity.places.locate: address -> county code, with real addresses and a loop over
every county of the table."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ipcity.places
from ipcity.places.divisions import Division, all_divisions, ancestors
from ipcity.places.locate import AddressMatch, _short_name, locate, normalize_address, parse_address

COUNTIES = [d for d in all_divisions() if d.level == "county"]
NAME_COUNT = Counter(d.name for d in COUNTIES)
HEBI_COUNTIES = [d for d in COUNTIES if d.parent_code == "410600"]


def test_reexported_from_the_package() -> None:
    assert ipcity.places.locate is locate
    assert ipcity.places.locate("鹤壁市淇滨区九州路") == "410611"


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        # Hebi, written in full, without the province, without the city
        ("河南省鹤壁市淇滨区九州路与黄山路交叉口", "410611"),
        ("鹤壁市淇滨区长江路南段", "410611"),
        ("淇滨区九州路", "410611"),
        ("河南省鹤壁市山城区红旗街", "410603"),
        ("鹤壁市鹤山区中山北路", "410602"),
        ("河南省鹤壁市浚县黎阳路", "410621"),
        ("浚县卫溪街道", "410621"),
        ("淇县朝歌街道", "410622"),
        ("河南省淇县铁西区", "410622"),
        # a postcode in front, full-width forms and blanks
        ("458000河南省鹤壁市淇滨区华夏南路", "410611"),
        ("４５８０３０　河南省　鹤壁市　淇滨区", "410611"),
        ("458000 河南省鹤壁市", None),
        ("中国河南省鹤壁市淇县", "410622"),
        # development zones named instead of a county
        ("鹤壁经济技术开发区渤海路", "410671"),
        ("河南省鹤壁市经济技术开发区海河路", "410671"),
        ("河南鹤壁经开区", "410671"),
        ("450001河南省郑州市高新技术产业开发区科学大道100号", "410172"),
        ("河南省郑州市高新区莲花街", "410172"),
        ("河南省郑州市郑州航空港经济综合实验区", "410173"),
        # zones without a county code: no guess
        ("鹤壁市城乡一体化示范区兴鹤大街", None),
        ("450000河南省郑州市郑东新区金水东路", None),
        ("450000河南省郑州市金水区花园路", "410105"),
        # short names inside the city named
        ("鹤壁市淇滨黎阳路", "410611"),
        ("河南鹤壁山城红旗街", "410603"),
        ("北京朝阳建国路", "110105"),
        ("山东省济南市中区", "370103"),  # 济南 + 市中区
        # a road named like a district is not the district
        ("鹤壁淇滨大道", None),
        ("中山路1号", None),
        # ambiguous or too little
        ("朝阳区建国路", None),
        ("北京市朝阳区建国路", "110105"),
        ("吉林省长春市朝阳区", "220104"),
        ("河南省", None),
        ("河南省鹤壁市", None),
        ("", None),
        ("   ", None),
        ("不是地址", None),
        # elsewhere in China
        ("北京市海淀区清华园1号", "110108"),
        ("上海市宝山区", "310113"),
        ("广东省深圳市南山区粤海街道", "440305"),
        ("深圳市南山区", "440305"),
        ("广西壮族自治区南宁市青秀区", "450103"),
        ("广西南宁青秀区", "450103"),
        ("新疆维吾尔自治区伊犁哈萨克自治州伊宁市", "654002"),
        ("海南州共和县", "632521"),
        ("吉林省吉林市船营区", "220204"),
        ("湖北省仙桃市", "429004"),
        ("河南省济源市", "419001"),
        ("广东省东莞市松山湖", None),  # a city without counties
    ],
)
def test_real_addresses(address: str, expected: str | None) -> None:
    assert locate(address) == expected


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        # 内蒙古 and 西藏 are no nationality's names cut short (内 + 蒙古, 西 + 藏)
        ("内蒙古呼和浩特市新城区", "150102"),
        ("内蒙古包头市昆都仑区", "150203"),
        ("西藏拉萨市城关区", "540102"),
        ("内蒙古自治区呼和浩特市新城区", "150102"),
        # a proper name ending in a nationality's name: 长白, 融水, 陵水, 彭水
        ("吉林省白山市长白朝鲜族自治县", "220623"),
        ("吉林省白山市长白县", "220623"),
        ("广西柳州融水县", "450225"),
        ("重庆市彭水县", "500243"),
    ],
)
def test_names_that_end_in_a_nationality(address: str, expected: str) -> None:
    assert locate(address) == expected


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("河南省-鹤壁市-淇滨区", "410611"),
        ("河南省,鹤壁市,淇滨区,九州路", "410611"),
        ("河南省、鹤壁市、淇滨区", "410611"),
        ("河南省／鹤壁市／淇滨区", "410611"),
        ("河南省鹤壁市（淇滨区）", "410611"),
        ("邮编：458000 河南省鹤壁市淇滨区", "410611"),
        ("地址：河南省鹤壁市浚县黎阳路", "410621"),
        ("中國河南省鹤壁市淇县", "410622"),
        ("河南省,鹤壁市", None),
    ],
)
def test_punctuation_and_labels_between_the_parts(address: str, expected: str | None) -> None:
    assert locate(address) == expected
    assert parse_address("河南省,鹤壁市,淇滨区,九州路").rest == "九州路"


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("淇县路100号", None),
        ("河南省鹤壁市淇县路100号", None),
        ("浚县大道1号", None),
        ("河南省鹤壁市浚县大街", None),
        ("郑州市金水区淇县路", "410105"),  # the county comes first: the road is in it
        ("淇县朝歌路", "410622"),
        ("河南省安阳市滑县道口镇", "410526"),  # 道 alone starts a town's name
        ("鹤壁市鹤山区街道办事处", "410602"),
    ],
)
def test_a_road_named_after_a_county_is_not_the_county(address: str, expected: str | None) -> None:
    assert locate(address) == expected


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        # old names: a county that became a county-level city or a district
        ("河南省长垣县城关镇", "410783"),
        ("河南省新乡市长垣县", "410783"),
        ("河南省偃师市", "410307"),
        ("河南省洛阳市孟津县", "410308"),
        ("北京市昌平县", "110114"),
        # 县 for 区 and 区 for 县
        ("河南省鹤壁市淇滨县", "410611"),
        ("淇滨县九州路", "410611"),
        # a variant never hides a real division of that name …
        ("朝阳县", "211321"),
        ("鹤山市", "440784"),
        # … nor a county named after it (莱芜市 was a city until 2019)
        ("山东省莱芜市钢城区", None),
    ],
)
def test_county_suffix_variants(address: str, expected: str | None) -> None:
    assert locate(address) == expected


@pytest.mark.parametrize("value", [None, 410611, b"\xe6\xb7\x87"])
def test_non_text_is_none(value: object) -> None:
    assert locate(value) is None  # type: ignore[arg-type]


def test_parse_address_reports_what_it_read() -> None:
    assert parse_address("450000河南省郑州市郑东新区") == AddressMatch(
        "410000", "410100", None, "郑东新区", False
    )
    ambiguous = parse_address("朝阳区建国路")
    assert ambiguous.ambiguous and ambiguous.code is None
    assert parse_address("河南省鹤壁市").code == "410600"
    assert parse_address("北京市").code == "110000"
    assert parse_address("河南省鹤壁市淇滨区九州路1号").rest == "九州路1号"


def test_normalize_address() -> None:
    assert normalize_address("　４５８０００ 中国河南省 鹤壁市") == "河南省鹤壁市"
    assert normalize_address("中华人民共和国 北京市") == "北京市"


def _chain(division: Division, short: bool = False) -> str:
    return "".join((_short_name(d) or d.name) if short else d.name for d in ancestors(division.code))


# Property tests: every county of the table, in several written forms (about 11,000 addresses).


@pytest.mark.parametrize("province_code", sorted({d.code[:2] for d in COUNTIES}))
def test_every_county_with_province_and_city(province_code: str) -> None:
    wrong = []
    for county in (d for d in COUNTIES if d.code.startswith(province_code)):
        address = f"{_chain(county)}{county.name}某路1号"
        if locate(address) != county.code:
            wrong.append((address, locate(address)))
    assert wrong == []


@pytest.mark.parametrize("province_code", sorted({d.code[:2] for d in COUNTIES}))
def test_every_county_with_short_province_and_city(province_code: str) -> None:
    wrong = []
    for county in (d for d in COUNTIES if d.code.startswith(province_code)):
        address = f"{_chain(county, short=True)}{county.name}建设路88号"
        if locate(address) != county.code:
            wrong.append((address, locate(address)))
    assert wrong == []


def test_every_county_with_city_only() -> None:
    wrong = []
    for county in COUNTIES:
        chain = ancestors(county.code)
        if len(chain) < 2:
            continue
        address = f"{chain[1].name}{county.name}人民路1号"
        if locate(address) != county.code:
            wrong.append((address, locate(address)))
    assert wrong == []


def test_every_county_alone_is_located_only_when_its_name_is_unique() -> None:
    wrong = []
    for county in COUNTIES:
        expected = county.code if NAME_COUNT[county.name] == 1 else None
        address = f"{county.name}某路1号"
        if locate(address) != expected:
            wrong.append((address, locate(address), expected))
    assert wrong == []
    assert sum(1 for n in NAME_COUNT.values() if n > 1) > 10  # the rule is exercised


def test_every_county_by_its_short_name_inside_its_city() -> None:
    # A short name is read when exactly one county of the city has it (井陉矿区 and 井陉县
    # share 井陉: neither is chosen).
    wrong = []
    for county in COUNTIES:
        short = _short_name(county)
        if not short:
            continue
        siblings = [d for d in COUNTIES if d.parent_code == county.parent_code and _short_name(d) == short]
        expected = county.code if len(siblings) == 1 else None
        address = f"{_chain(county)}{short}某某1号"
        if locate(address) != expected:
            wrong.append((address, locate(address), expected))
    assert wrong == []


def test_result_is_always_inside_what_was_read() -> None:
    for county in COUNTIES[::7]:
        match = parse_address(f"{_chain(county)}{county.name}")
        assert match.county == county.code
        assert match.province == county.code[:2] + "0000"
        if match.city is not None:
            assert county.parent_code == match.city


@settings(max_examples=200, deadline=None)
@given(
    county=st.sampled_from(HEBI_COUNTIES),
    with_province=st.booleans(),
    with_city=st.booleans(),
    postcode=st.sampled_from(["", "458000", "458030 ", "456250"]),
    # A county's name followed by 路, 大道 or 大街 is a road named after it (淇县路), which
    # test_a_road_named_after_a_county_is_not_the_county covers.
    street=st.text(alphabet="人民路街道大号东西南北一二三四五六七八九十0123456789", max_size=12).filter(
        lambda street: not street.lstrip(" \u3000\t").startswith(("路", "大道", "大街"))
    ),
    blanks=st.lists(st.sampled_from([" ", "\u3000", "\t"]), max_size=3),
)
def test_hebi_addresses_in_any_form(
    county: Division, with_province: bool, with_city: bool, postcode: str, street: str, blanks: list[str]
) -> None:
    parts = [postcode, "河南省" if with_province else "", "鹤壁市" if with_city else "", county.name, street]
    address = "".join(p + (blanks[i] if i < len(blanks) else "") for i, p in enumerate(parts))
    assert locate(address) == county.code


@settings(max_examples=200, deadline=None)
@given(county=st.sampled_from(HEBI_COUNTIES))
def test_full_width_forms_do_not_matter(county: Division) -> None:
    half = f"458000河南省鹤壁市{county.name}1号"
    full = half.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    assert locate(full) == locate(half) == county.code
