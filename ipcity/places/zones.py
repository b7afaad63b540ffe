"""Zones, parks and clusters (园区): not administrative divisions, but the units clause P2.1
sets targets for. Defined in ``data/zones.yaml``; a holder belongs to a zone by its
address (keywords) or by an explicit list.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal, cast

import yaml

from ipcity.errors import ValidationFailed
from ipcity.places.divisions import ancestors, city_of, is_valid_region_code
from ipcity.places.locate import normalize_address, parse_address

ZoneKind = Literal[
    "development_zone", "agricultural_park", "high_tech_zone", "demonstration_zone", "industrial_cluster"
]
ZONE_KINDS: tuple[str, ...] = (
    "development_zone",
    "agricultural_park",
    "high_tech_zone",
    "demonstration_zone",
    "industrial_cluster",
)
_REQUIRED = ("code", "name", "name_en", "kind", "region_code", "keywords", "clause")

MSG_BAD_FILE = "园区定义文件的格式不对：应为含 zones 列表的 YAML。"
MSG_MISSING_FIELD = "园区定义第 {index} 项缺少字段“{field}”。"
MSG_BAD_KIND = (
    "园区“{zone}”的类型“{kind}”无效：应为 development_zone、agricultural_park、"
    "high_tech_zone、demonstration_zone 或 industrial_cluster。"
)
MSG_BAD_REGION = "园区“{zone}”的所在行政区划代码“{code}”不在 GB/T 2260 行政区划表中。"
MSG_DUPLICATE_ZONE = "园区代码“{zone}”重复出现。"
MSG_NO_KEYWORDS = "园区“{zone}”没有地址关键词：应至少给出一个。"


@dataclass(frozen=True, slots=True)
class ZoneDef:
    """One zone of ``zones.yaml``. ``region_code`` is the county-level division the zone
    lies in (its own statistical code for 410671), or the city where that is not known."""

    code: str
    name: str
    name_en: str
    kind: ZoneKind
    region_code: str
    keywords: tuple[str, ...]
    clause: str
    note: str | None = None


def load_zones(path: str | Path | None = None) -> list[ZoneDef]:
    """Read and check zone definitions; the shipped ``data/zones.yaml`` by default.

    Raises :class:`ValidationFailed` for a malformed file, an unknown kind or region code,
    a repeated zone code or a zone without keywords.

    >>> [z.code for z in load_zones()][:2]
    ['hebi_etdz', 'hebi_agri_park']
    """
    if path is None:
        text = resources.files("ipcity.places").joinpath("data/zones.yaml").read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValidationFailed(MSG_BAD_FILE) from exc
    if not isinstance(document, dict) or not isinstance(document.get("zones"), list):
        raise ValidationFailed(MSG_BAD_FILE)

    zones: list[ZoneDef] = []
    seen: set[str] = set()
    for index, entry in enumerate(document["zones"], start=1):
        zone = _zone_from(entry, index)
        if zone.code in seen:
            raise ValidationFailed(MSG_DUPLICATE_ZONE, zone=zone.code)
        seen.add(zone.code)
        zones.append(zone)
    return zones


def _zone_from(entry: Any, index: int) -> ZoneDef:
    if not isinstance(entry, dict):
        raise ValidationFailed(MSG_BAD_FILE)
    for field in _REQUIRED:
        if entry.get(field) in (None, "", []):
            raise ValidationFailed(MSG_MISSING_FIELD, index=index, field=field)
    code = str(entry["code"])
    kind = str(entry["kind"])
    if kind not in ZONE_KINDS:
        raise ValidationFailed(MSG_BAD_KIND, zone=code, kind=kind)
    # YAML reads an unquoted 410671 as a number: accept it, the code is what matters.
    region_code = str(entry["region_code"])
    if not is_valid_region_code(region_code):
        raise ValidationFailed(MSG_BAD_REGION, zone=code, code=region_code)
    raw_keywords = entry["keywords"]
    if isinstance(raw_keywords, str):
        raw_keywords = [raw_keywords]
    keywords = tuple(k for k in (normalize_address(str(k)) for k in raw_keywords) if k)
    if not keywords:
        raise ValidationFailed(MSG_NO_KEYWORDS, zone=code)
    note = entry.get("note")
    return ZoneDef(
        code=code,
        name=str(entry["name"]),
        name_en=str(entry["name_en"]),
        kind=cast(ZoneKind, kind),
        region_code=region_code,
        keywords=keywords,
        clause=str(entry["clause"]),
        note=str(note) if note else None,
    )


def _city(zone: ZoneDef) -> tuple[str, str | None]:
    """(name people write for the zone's city, its code): ("鹤壁", "410600")."""
    city = city_of(zone.region_code)
    if city is None:
        return ("", None)
    name = city.name[:-1] if city.name.endswith("市") and len(city.name) > 2 else city.name
    return (name, city.code)


def _compatible(region_code: str | None, city_code: str | None) -> bool:
    # The region read from the address may be the city itself, a province or county around
    # or inside it (fine), or somewhere else (the zone cannot be meant).
    if region_code is None or city_code is None or region_code == city_code:
        return True
    return region_code in {d.code for d in ancestors(city_code)} or city_code in {
        d.code for d in ancestors(region_code)
    }


def _zone_matches(zone: ZoneDef, text: str, address_region: str | None, address_city: str | None) -> bool:
    city_name, city_code = _city(zone)
    if not _compatible(address_region, city_code):
        return False  # "上海市宝山区…" is not Hebi's 宝山 cluster
    # A keyword that does not name the city ("城乡一体化示范区") proves nothing on its own:
    # several cities have such a zone. It needs the address to read as ours.
    address_is_ours = city_code is not None and address_city == city_code
    return any(
        keyword in text and (not city_name or city_name in keyword or address_is_ours)
        for keyword in zone.keywords
    )


def zone_for_address(address: str, zones: list[ZoneDef]) -> str | None:
    """Return the code of the one zone whose keywords the address contains, or ``None``
    when no zone or more than one matches.

    >>> zones = load_zones()
    >>> zone_for_address("河南省鹤壁市经济技术开发区渤海路", zones)
    'hebi_etdz'
    >>> zone_for_address("鹤壁市城乡一体化示范区兴鹤大街", zones)
    'hebi_urban_rural_demo'
    >>> zone_for_address("焦作市城乡一体化示范区", zones) is None
    True
    """
    if not isinstance(address, str):
        return None
    text = normalize_address(address)
    if not text:
        return None
    parsed = parse_address(text)
    matched = {z.code for z in zones if _zone_matches(z, text, parsed.code, parsed.city)}
    return matched.pop() if len(matched) == 1 else None
