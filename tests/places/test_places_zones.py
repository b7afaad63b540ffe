"""ipcity.places.zones: the zones of clause P2.1 and address -> zone."""

from __future__ import annotations

from pathlib import Path

import pytest

from ipcity.errors import ValidationFailed
from ipcity.places.divisions import ancestors, get_division
from ipcity.places.zones import ZONE_KINDS, ZoneDef, load_zones, zone_for_address


@pytest.fixture(scope="module")
def zones() -> list[ZoneDef]:
    return load_zones()


def test_the_five_zones_of_p2_1(zones: list[ZoneDef]) -> None:
    # P2.1: 国家经济技术开发区、国家农业科技园区、省高新技术开发区、市城乡一体化示范区、宝山循环经济集聚区
    kinds = {z.kind: z for z in zones}
    assert set(kinds) == set(ZONE_KINDS)
    assert kinds["development_zone"].name == "鹤壁经济技术开发区"
    assert kinds["development_zone"].region_code == "410671"
    assert kinds["agricultural_park"].name == "鹤壁国家农业科技园区"
    assert kinds["agricultural_park"].region_code == "410621"  # 浚县
    assert kinds["demonstration_zone"].name == "鹤壁市城乡一体化示范区"
    assert "宝山" in kinds["industrial_cluster"].name
    assert kinds["high_tech_zone"].note and "UNVERIFIED" in kinds["high_tech_zone"].note


def test_every_zone_is_complete_and_in_hebi(zones: list[ZoneDef]) -> None:
    codes = [z.code for z in zones]
    assert len(codes) == len(set(codes)) >= 5
    for zone in zones:
        assert zone.clause == "P2.1"
        assert zone.name and zone.name_en and zone.keywords
        region = get_division(zone.region_code)
        assert region is not None
        assert zone.region_code == "410600" or "410600" in {d.code for d in ancestors(zone.region_code)}


def test_each_zone_is_found_by_its_own_keywords(zones: list[ZoneDef]) -> None:
    for zone in zones:
        for keyword in zone.keywords:
            assert zone_for_address(f"河南省鹤壁市{keyword}1号", zones) == zone.code, keyword


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("河南省鹤壁市经济技术开发区渤海路", "hebi_etdz"),
        ("鹤壁经济技术开发区海河路", "hebi_etdz"),
        ("河南省鹤壁经开区", "hebi_etdz"),
        ("河南省浚县鹤壁国家农业科技园区", "hebi_agri_park"),
        ("鹤壁市浚县国家农业科技园区", "hebi_agri_park"),
        ("鹤壁市城乡一体化示范区兴鹤大街", "hebi_urban_rural_demo"),
        ("河南省鹤壁市城乡一体化示范区", "hebi_urban_rural_demo"),
        ("鹤壁市宝山循环经济产业集聚区", "baoshan_cluster"),
        ("鹤壁高新区", "hebi_high_tech_zone"),
        # other cities' zones of the same kind, or no city at all: not ours
        ("河南省焦作市城乡一体化示范区", None),
        ("城乡一体化示范区", None),
        ("宝山循环经济产业集聚区", None),
        ("上海市宝山区", None),
        ("北京市国家农业科技园区", None),
        # no zone
        ("鹤壁市淇滨区九州路", None),
        ("", None),
    ],
)
def test_zone_for_address(zones: list[ZoneDef], address: str, expected: str | None) -> None:
    assert zone_for_address(address, zones) == expected


def test_two_zones_matching_is_none(tmp_path: Path) -> None:
    path = tmp_path / "zones.yaml"
    path.write_text(
        """zones:
  - {code: a, name: 甲园区, name_en: A, kind: development_zone, region_code: "410611",
     keywords: [鹤壁甲园区], clause: P2.1}
  - {code: b, name: 乙园区, name_en: B, kind: industrial_cluster, region_code: 410611,
     keywords: [鹤壁甲园区北区], clause: P2.1}
""",
        encoding="utf-8",
    )
    zones = load_zones(path)
    assert zones[1].region_code == "410611"  # an unquoted code is read as text
    assert zone_for_address("鹤壁甲园区南区", zones) == "a"
    assert zone_for_address("鹤壁甲园区北区", zones) is None  # both: do not choose
    assert zone_for_address("鹤壁市淇滨区", []) is None


_VALID = (
    'code: a, name: 甲, name_en: A, kind: development_zone, region_code: "410611", '
    "keywords: [甲园区], clause: P2.1"
)


@pytest.mark.parametrize(
    ("text", "english"),
    [
        ("- 1\n", 'The zone definition file is malformed: expected YAML with a "zones" list.'),
        ("zones: [1]\n", 'The zone definition file is malformed: expected YAML with a "zones" list.'),
        ("zones: [: :\n", 'The zone definition file is malformed: expected YAML with a "zones" list.'),
        (
            "zones:\n  - {code: a, name: 甲}\n",
            'Zone definition no. 1 lacks the field "name_en".',
        ),
        (
            "zones:\n  - {" + _VALID.replace("development_zone", "park") + "}\n",
            'Zone "a" has the invalid kind "park": expected development_zone, agricultural_park, '
            "high_tech_zone, demonstration_zone or industrial_cluster.",
        ),
        (
            "zones:\n  - {" + _VALID.replace("410611", "410699") + "}\n",
            'Zone "a" lies in region "410699", which is not in the GB/T 2260 table.',
        ),
        (
            "zones:\n  - {" + _VALID + "}\n  - {" + _VALID + "}\n",
            'Zone code "a" appears more than once.',
        ),
        (
            "zones:\n  - {" + _VALID.replace("[甲园区]", "['  ']") + "}\n",
            'Zone "a" has no address keywords: give at least one.',
        ),
    ],
)
def test_bad_zone_files(tmp_path: Path, text: str, english: str) -> None:
    path = tmp_path / "zones.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationFailed) as caught:
        load_zones(path)
    assert caught.value.render("en") == english
    assert caught.value.status == 400
