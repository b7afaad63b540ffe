"""Address -> GB/T 2260 region: which province, city and county a Chinese address names.

Chinese addresses are written from the largest unit down ("河南省鹤壁市淇滨区九州路…"),
often without the province or the city, with short names ("河南鹤壁淇滨区"), with a
postcode in front, or with a development zone where the county should be
("鹤壁经济技术开发区…"). :func:`parse_address` reads the administrative prefix token by
token, each time taking the longest name from a matching index built once from the
table; :func:`locate` returns the county code it found.

Rules that keep it from guessing:

* A name shared by several divisions (朝阳区: Beijing, Changchun …) is only accepted when the
  province or city read before it leaves exactly one; otherwise the answer is ``None``.
* Short names without their suffix ("淇滨" for 淇滨区) are only read inside the city (or
  municipality) already named, and never when a road word follows ("中山路" is a road,
  not 中山市).
* Reading stops at the first county, or at the first text that is no division name
  ("郑东新区" is a part of Zhengzhou without a county code, so that address gets no county).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from ipcity.places.divisions import Division, all_divisions, get_division

AliasKind = Literal["full", "short", "relative", "variant"]

# The 55 minority nationalities as they appear in names of autonomous areas, longest first
# so that 柯尔克孜 is tried before 土 and 哈萨克 before 哈尼. Some names drop the 族
# (巴音郭楞蒙古自治州, 伊犁哈萨克自治州), hence "族?" in the pattern.
_NATIONALITIES = sorted(
    [
        *("蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白"),
        *("土家", "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡"),
        *("纳西", "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬"),
        *("锡伯", "阿昌", "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安"),
        *("裕固", "京", "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺"),
    ],
    key=len,
    reverse=True,
)
_NATION_NAMES = "(?:" + "|".join(_NATIONALITIES) + ")"
_NATION_RUN = f"(?:{_NATION_NAMES}族?)+"
# Every nationality followed by 族: tried first, because a proper name may end in the
# name of a nationality (长白 of 长白朝鲜族自治县 ends in 白, 融水 in 水, 西藏 in 藏), and
# the loose run would cut it there (长 + 白朝鲜族).
_STRICT_NATION_RUN = f"(?:{_NATION_NAMES}族)+"
_AUTONOMOUS = {"province": "自治区", "city": "自治州", "county": "自治[县旗]"}

# Suffixes whose removal gives the name people write without them.
_PROVINCE_SUFFIX = re.compile(r"^(.+?)(?:自治区|特别行政区|省|市)$")
_CITY_SUFFIX = re.compile(r"^(.+?)(?:自治州|地区|盟|市)$")
_COUNTY_SUFFIX = re.compile(r"^(.+?)(?:自治[县旗]|新区|林区|特区|矿区|区|县|市|旗)$")
_AUTONOMOUS_PREFECTURE = re.compile(rf"^(.+?)(?:{_NATION_RUN})自治州$")

# The suffixes a county-level name changes between when a county becomes a district or a
# county-level city (长垣县 -> 长垣市 in 2019, 偃师市 -> 偃师区 in 2021): addresses written
# before the change, and people who mix them up, still use the other one.
_COUNTY_VARIANT_SUFFIXES = ("县", "区", "市")

# Words that make a short name part of a street name: "中山路", "淇滨大道", "河南街".
_ROAD_WORDS = ("路", "街", "道", "大道", "大街", "巷", "胡同", "弄")
# Those that make even a county's full name part of a street name ("淇县路" is a road,
# wherever it lies). Not 道 alone (滑县道口镇) nor 街 (鹤山区街道, a sub-district).
_FULL_NAME_ROAD_WORDS = ("路", "大道", "大街")

# Abbreviations officers and applicants write for the kinds of development zone.
_ZONE_ABBREVIATIONS = {
    "经济技术开发区": "经开区",
    "高新技术产业开发区": "高新区",
}

_LEADING_NOISE = re.compile(r"^[\d\W_]+")
# Labels a form or an export puts before the address or its postcode ("邮编：458000 …",
# "地址：河南省…").
_LEADING_LABEL = re.compile(r"^(?:通讯地址|联系地址|邮政编码|地址|邮编)")
_COUNTRY = re.compile(r"^(?:中华人民共和国|中国|中國)")
# Punctuation people put between the parts ("河南省,鹤壁市,淇滨区", "河南省-鹤壁市"): skipped
# between two division names, kept in the rest.
_SEPARATOR = re.compile(r"[\W_]+")
_WHITESPACE = re.compile(r"\s+")

_DEPTH = {"province": 0, "city": 1, "county": 2}


@dataclass(frozen=True, slots=True)
class _Alias:
    division: Division
    kind: AliasKind


@dataclass(frozen=True, slots=True)
class AddressMatch:
    """What :func:`parse_address` read from an address.

    ``province``/``city``/``county`` are GB/T 2260 codes or ``None``. A municipality
    (北京市 …) is a province without a city. ``rest`` is the text after the last division
    name read; ``ambiguous`` is True when reading stopped on a name that fits several
    divisions.
    """

    province: str | None = None
    city: str | None = None
    county: str | None = None
    rest: str = ""
    ambiguous: bool = False

    @property
    def code(self) -> str | None:
        """The most precise code read (county, else city, else province)."""
        return self.county or self.city or self.province


def normalize_address(address: str) -> str:
    """Return ``address`` with full-width forms folded, blanks removed and a leading
    postcode or country name dropped.

    >>> normalize_address("　４５８０００ 中国河南省 鹤壁市")
    '河南省鹤壁市'
    """
    text = unicodedata.normalize("NFKC", address)
    text = _WHITESPACE.sub("", text)
    text = _LEADING_NOISE.sub("", text)
    text = _LEADING_LABEL.sub("", text)
    text = _LEADING_NOISE.sub("", text)
    text = _COUNTRY.sub("", text)
    return _LEADING_NOISE.sub("", text)


def _short_name(division: Division) -> str | None:
    """The name people write without the suffix: 河南 of 河南省, 广西 of 广西壮族自治区,
    长白 of 长白朝鲜族自治县, 内蒙古 of 内蒙古自治区; ``None`` for one character."""
    autonomous = _AUTONOMOUS[division.level]
    plain = {"province": _PROVINCE_SUFFIX, "city": _CITY_SUFFIX, "county": _COUNTY_SUFFIX}[division.level]
    patterns = (
        re.compile(rf"^(.+?){_STRICT_NATION_RUN}{autonomous}$"),
        re.compile(rf"^(.+?){_NATION_RUN}{autonomous}$"),
        plain,
    )
    for pattern in patterns:
        match = pattern.match(division.name)
        short = match.group(1) if match else None
        # One character ("浚" of 浚县, "内" of 内蒙古自治区 cut before 蒙古) is too weak a
        # signal to read as a place name: 内蒙古自治区 is named after no nationality.
        if short and len(short) >= 2 and short != division.name:
            return short
    return None


def _suffix_variants(division: Division) -> list[str]:
    """The county's name with another county suffix: 长垣县 for 长垣市, 偃师市 for 偃师区."""
    if division.level != "county" or _is_development_zone(division):
        return []
    match = re.fullmatch(r"(.{2,}?)([县区市])", division.name)
    if match is None or "自治" in division.name:
        return []
    return [match.group(1) + suffix for suffix in _COUNTY_VARIANT_SUFFIXES if suffix != match.group(2)]


def _is_development_zone(division: Division) -> bool:
    # 统计用区划代码 gives development zones county codes 7x (x71, x72 …), never used by
    # administrative counties.
    return division.level == "county" and division.code[4] == "7"


@dataclass(frozen=True, slots=True)
class _Index:
    aliases: dict[str, tuple[_Alias, ...]]
    longest: int


@lru_cache(maxsize=1)
def _index() -> _Index:
    entries: dict[str, dict[tuple[str, AliasKind], _Alias]] = {}

    def add(name: str, division: Division, kind: AliasKind) -> None:
        if len(name) >= 2:
            entries.setdefault(name, {})[(division.code, kind)] = _Alias(division, kind)

    for division in all_divisions():
        add(division.name, division, "full")
        short = _short_name(division)
        if short:
            add(short, division, "short")
        prefecture = _AUTONOMOUS_PREFECTURE.match(division.name)
        if division.level == "city" and prefecture:
            add(prefecture.group(1) + "州", division, "full")  # 海南州, 延边州, 黔东南州
        if _is_development_zone(division):
            for relative in _zone_relative_names(division):
                add(relative, division, "relative")
                city = get_division(division.parent_code or "")
                city_short = _short_name(city) if city else None
                if city_short and not division.name.startswith(city_short + relative):
                    add(city_short + relative, division, "full")  # 鹤壁经开区
    # A suffix variant is only an alias where no division has that name: 朝阳县 is
    # Liaoning's county, never Beijing's 朝阳区 misspelt.
    for division in all_divisions():
        for variant in _suffix_variants(division):
            if not any(a.kind == "full" for a in entries.get(variant, {}).values()):
                add(variant, division, "variant")
    aliases = {name: tuple(found.values()) for name, found in entries.items()}
    return _Index(aliases=aliases, longest=max(len(name) for name in aliases))


def _zone_relative_names(zone: Division) -> list[str]:
    """Names of a development zone without its city ("经济技术开发区" of 鹤壁经济技术开发区),
    read only after that city was named."""
    city = get_division(zone.parent_code or "")
    if city is None:
        return []
    province = get_division(city.parent_code or "")
    prefixes = [city.name, _short_name(city) or city.name]
    if province is not None:
        prefixes += [p + c for p in (province.name, _short_name(province) or "") for c in prefixes[:2]]
        prefixes += [province.name, _short_name(province) or province.name]
    rest = zone.name
    for prefix in sorted(set(prefixes), key=len, reverse=True):
        if prefix and rest.startswith(prefix):
            rest = rest[len(prefix) :]
            break
    if rest == zone.name or len(rest) < 2:
        return []
    names = [rest]
    if rest in _ZONE_ABBREVIATIONS:
        names.append(_ZONE_ABBREVIATIONS[rest])
    return names


@dataclass(slots=True)
class _State:
    province: Division | None = None
    city: Division | None = None
    county: Division | None = None

    @property
    def deepest(self) -> Division | None:
        return self.county or self.city or self.province


def _is_within(division: Division, container: Division) -> bool:
    parent = get_division(division.parent_code or "")
    while parent is not None:
        if parent.code == container.code:
            return True
        parent = get_division(parent.parent_code or "")
    return False


def _fits(alias: _Alias, state: _State, following: str) -> bool:
    division = alias.division
    context = state.deepest
    if context is not None and (
        _DEPTH[division.level] <= _DEPTH[context.level] or not _is_within(division, context)
    ):
        return False
    if alias.kind == "short":
        # "中山路" is a road, but in "唐山路南区" the 路 starts the next division's name.
        if following.startswith(_ROAD_WORDS) and not _starts_with_name(following):
            return False
        # A county's short name is only read under the city (or municipality) just named.
        if division.level == "county" and (context is None or division.parent_code != context.code):
            return False
    elif (
        division.level == "county"
        and following.startswith(_FULL_NAME_ROAD_WORDS)
        and not _starts_with_name(following)
    ):
        # "淇县路100号" names a road called after the county, which may lie anywhere.
        return False
    if alias.kind == "variant" and _starts_with_name(following):
        # "山东省莱芜市钢城区": 莱芜市 was a city (now 莱芜区), named here above a county;
        # read as a variant of 莱芜区 it would hide the county that follows.
        return False
    if alias.kind == "relative":
        return context is not None and context.level == "city" and division.parent_code == context.code
    return True


def _starts_with_name(text: str) -> bool:
    index = _index()
    return any(
        any(a.kind == "full" for a in index.aliases.get(text[:length], ()))
        for length in range(min(index.longest, len(text)), 1, -1)
    )


def _options(text: str, position: int, state: _State) -> list[tuple[int, list[Division]]]:
    """Every name at ``position`` that fits ``state``, longest first, each with the
    divisions it may mean."""
    index = _index()
    found: list[tuple[int, list[Division]]] = []
    for length in range(min(index.longest, len(text) - position), 1, -1):
        aliases = index.aliases.get(text[position : position + length])
        if not aliases:
            continue
        following = text[position + length :]
        fitting = {a.division.code: a.division for a in aliases if _fits(a, state, following)}
        if fitting:
            # A name that is both a province and a prefecture ("海南": 海南省, 海南藏族
            # 自治州) is read as the larger unit, the order in which addresses are written.
            top = min(_DEPTH[d.level] for d in fitting.values())
            found.append((length, [d for d in fitting.values() if _DEPTH[d.level] == top]))
    return found


def _settled(state: _State, division: Division) -> _State:
    new = _State(state.province, state.city, state.county)
    for item in [*_ancestors(division), division]:
        if item.level == "province":
            new.province = item
        elif item.level == "city":
            new.city = item
        else:
            new.county = item
    return new


def _ancestors(division: Division) -> list[Division]:
    chain: list[Division] = []
    parent = get_division(division.parent_code or "")
    while parent is not None:
        chain.append(parent)
        parent = get_division(parent.parent_code or "")
    return chain[::-1]


def parse_address(address: str) -> AddressMatch:
    """Read the province, city and county an address names.

    >>> m = parse_address("河南省鹤壁市淇滨区九州路1号")
    >>> (m.province, m.city, m.county, m.rest)
    ('410000', '410600', '410611', '九州路1号')
    >>> parse_address("河南省鹤壁市").code
    '410600'
    >>> parse_address("朝阳区建国路").ambiguous
    True
    """
    if not isinstance(address, str):
        return AddressMatch()
    text = normalize_address(address)
    return _read(text, 0, _State())


def _read(text: str, position: int, state: _State) -> AddressMatch:
    # Depth-first over the names that fit at each step, longest first. The longest reading
    # wins unless it ends without a county and a shorter one reaches one: "济南市中区" is
    # 济南 + 市中区, not 济南市 + "中区…". At most three steps, so the search stays tiny.
    if state.county is None:
        fallback: AddressMatch | None = None
        for length, divisions in _options(text, position, state):
            if len(divisions) > 1:
                result = _match(text, position, state, ambiguous=True)
            else:
                result = _read(
                    text, _after_separators(text, position + length), _settled(state, divisions[0])
                )
            if result.county is not None:
                return result
            fallback = fallback or result
        if fallback is not None:
            return fallback
    return _match(text, position, state)


def _after_separators(text: str, position: int) -> int:
    """The position after any punctuation at ``position`` ("河南省,鹤壁市" reads on at 鹤)."""
    separators = _SEPARATOR.match(text, position)
    return separators.end() if separators else position


def _match(text: str, position: int, state: _State, ambiguous: bool = False) -> AddressMatch:
    return AddressMatch(
        province=state.province.code if state.province else None,
        city=state.city.code if state.city else None,
        county=state.county.code if state.county else None,
        rest=text[position:],
        ambiguous=ambiguous,
    )


def locate(address: str) -> str | None:
    """Return the six-digit county code of a Chinese address, or ``None`` when the
    address does not decide it.

    >>> locate("河南省鹤壁市淇滨区九州路")
    '410611'
    >>> locate("淇县朝歌街道")
    '410622'
    >>> locate("河南省鹤壁市经济技术开发区渤海路")
    '410671'
    >>> locate("450000河南省郑州市郑东新区金水东路") is None  # 郑东新区 has no county code
    True
    >>> locate("朝阳区建国路") is None  # Beijing or Changchun?
    True
    """
    return parse_address(address).county
