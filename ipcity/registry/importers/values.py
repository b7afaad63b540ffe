"""Cell values shared by every layout: dates, IPC codes, name lists, counts, countries.

Exports repeat the same few thousand dates, IPC strings and applicant fields over and over
(a 7,805-row Patentics file has ~2,000 distinct filing dates and ~4,000 distinct IPC
fields), so every normaliser here is memoised: the second time a value is seen it costs
one dict lookup. The caches are bounded so that a million distinct values cannot grow
memory without limit.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import TypeVar

from ipcity.registry.normalize import split_applicants
from ipcity.registry.numbers import half_width

__all__ = [
    "COUNTRY_CODES",
    "DATES",
    "IPC_LISTS",
    "IPC_LISTS_LENIENT",
    "NAMES",
    "PATENT_TYPE_TEXTS",
    "PEOPLE",
    "Memo",
    "date_out_of_range",
    "jurisdiction_of_country",
    "normalize_ipc",
    "parse_count",
    "parse_date",
    "parse_ipc_list",
    "split_family",
    "split_names",
    "split_people",
]

K = TypeVar("K")
V = TypeVar("V")

_EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0 (with its 1900 leap-year quirk absorbed)
_EMPTY_DATES = frozenset({"", "0", "-", "--", "—", "无", "00000000", "0000-00-00", "null", "NULL", "None"})
_DATE_SEPARATORS = str.maketrans({"/": "-", ".": "-", "年": "-", "月": "-", "日": None, " ": None})


class Memo(dict[K, V]):
    """A memo table: ``memo[key]`` returns the cached value, computing it on a miss.

    A hit is a plain dict lookup in C (no Python call), which is what makes repeated dates,
    IPC strings and applicant fields nearly free. The table is emptied when it reaches
    ``maxsize`` rather than evicting one entry at a time.
    """

    def __init__(self, fn: Callable[[K], V], maxsize: int = 200_000) -> None:
        super().__init__()
        self.fn = fn
        self.maxsize = maxsize

    def __missing__(self, key: K) -> V:
        value = self.fn(key)
        if len(self) >= self.maxsize:
            self.clear()
        self[key] = value
        return value


class _BadValue:
    """Marker cached for a value that failed to parse (exceptions can't be memoised)."""

    __slots__ = ()


BAD = _BadValue()


def _date_or_bad(text: str) -> dt.date | _BadValue | None:
    try:
        return _parse_date_uncached(text)
    except ValueError:
        return BAD


class DateOutOfRange(ValueError):
    """A date written right whose year lies outside 1900–2100 (a typo such as 2999-03-05)."""


def date_out_of_range(text: str) -> bool:
    """Whether ``text``, refused as a date, is a date of a year outside 1900–2100 (so that the
    refusal can say so instead of "not recognised"). Asked only for refused cells.

    >>> date_out_of_range("2999-03-05"), date_out_of_range("2019-13-05"), date_out_of_range("abc")
    (True, False, False)
    """
    try:
        _parse_date_uncached(text)
    except DateOutOfRange:
        return True
    except ValueError:
        return False
    return False


def _parse_date_uncached(text: str) -> dt.date | None:
    # Full-width digits and separators (２０１８－０６－０１, ２０１８／６／１) are what a Chinese
    # input method types; read as the ASCII they stand for, never NFKC (² is no digit).
    s = half_width(text).strip()
    if s in _EMPTY_DATES:
        return None
    if s.isdecimal():
        if len(s) == 8:
            year, month, day = int(s[:4]), int(s[4:6]), int(s[6:])
        elif 4 <= len(s) <= 5 and 10_000 <= int(s) <= 80_000:
            # An Excel date serial that lost its format (cell typed as General): 1927..2119.
            return _EXCEL_EPOCH + dt.timedelta(days=int(s))
        else:
            raise ValueError(text)
    else:
        if ":" in s:
            # "2019-10-01 00:00:00" / "2019-10-01T00:00:00": the time says nothing here.
            s = s.replace("T", " ").split(" ", 1)[0]
        parts = s.translate(_DATE_SEPARATORS).split("-")
        if len(parts) != 3 or not all(p.isdecimal() for p in parts) or len(parts[0]) != 4:
            raise ValueError(text)
        year, month, day = int(parts[0]), int(parts[1]), int(parts[2])
    if not 1900 <= year <= 2100:
        dt.date(year, month, day)  # a month or day that cannot be is "not a date" first
        raise DateOutOfRange(text)
    return dt.date(year, month, day)


DATES: Memo[str, dt.date | _BadValue | None] = Memo(_date_or_bad)


def parse_date(text: str) -> dt.date | None:
    """Parse a date as exports write it; empty, ``0`` and ``-`` mean "no date" (None).

    Accepted: ``20220311``, ``2019-10-01``, ``2019/10/1``, ``2019.10.01``, ``2019年10月1日``,
    ``2019-10-01 00:00:00`` and an Excel serial number (``44621``), in full-width
    characters too (``２０１９－１０－０１``).

    >>> parse_date("2019/10/1"), parse_date("0")
    (datetime.date(2019, 10, 1), None)

    Raises ``ValueError`` for anything else (an impossible day included).
    """
    value = DATES[text]
    if value is BAD:
        raise ValueError(text)
    return value  # type: ignore[return-value]


def parse_date_or_bad(text: str) -> dt.date | _BadValue | None:
    """:func:`parse_date` for hot loops: returns :data:`BAD` instead of raising."""
    return DATES[text]


# --- IPC --------------------------------------------------------------------------------------

# "G06F  3/01", "G06F3/01", "G06F 3/01(2006.01)", WIPO 14-character "G06F0003010000", "G06F".
# A trailing I/N (DOCDB: inventive / additional information) or A/C (IPC 8: advanced /
# core level), as incoPat writes "B60W30/188I", qualifies the symbol and is not part of it.
_IPC_FULL = re.compile(r"([A-H])\s*(\d{2})\s*([A-Z])\s*(\d{1,4})\s*/\s*(\d{1,6})\s*[INAC]?")
_IPC_WIPO14 = re.compile(r"([A-H]\d{2}[A-Z])(\d{4})(\d{6})")
_IPC_SUBCLASS = re.compile(r"([A-H])\s*(\d{2})\s*([A-Z])")
_IPC_SEPARATORS = re.compile(r"[|;；,，\n]")
_IPC_EDITION = re.compile(r"\s*[(（][^)）]*[)）]\s*$")


def normalize_ipc(text: str) -> str:
    """One IPC symbol in CNIPA style, without spaces or edition.

    >>> normalize_ipc("G06F  3/01"), normalize_ipc("H04N0005232000"), normalize_ipc("g09b")
    ('G06F3/01', 'H04N5/232', 'G09B')

    A subclass alone is kept as a subclass. Raises ``ValueError`` for anything that is not
    an IPC symbol.
    """
    s = _IPC_EDITION.sub("", text.strip().upper())
    match = _IPC_FULL.fullmatch(s)
    if match:
        section, klass, subclass, group, subgroup = match.groups()
        return f"{section}{klass}{subclass}{int(group)}/{subgroup}"
    match = _IPC_WIPO14.fullmatch(s)
    if match:
        sub, group, subgroup = match.groups()
        subgroup = subgroup.rstrip("0")
        return f"{sub}{int(group)}/{subgroup.ljust(2, '0')}"
    match = _IPC_SUBCLASS.fullmatch(s)
    if match:
        return "".join(match.groups())
    raise ValueError(text)


def _ipc_list_or_bad(text: str) -> tuple[str, ...] | _BadValue:
    codes: list[str] = []
    for part in _IPC_SEPARATORS.split(text):
        part = part.strip()
        if not part:
            continue
        if part[0] in "Yy":
            # CPC's Y section (Y02P 90/02: climate-change tagging) has no IPC counterpart;
            # Patentics lists it among the IPC symbols. It is a tag, not a classification.
            continue
        try:
            code = normalize_ipc(part)
        except ValueError:
            return BAD
        if code not in codes:
            codes.append(code)
    return tuple(codes)


IPC_LISTS: Memo[str, tuple[str, ...] | _BadValue] = Memo(_ipc_list_or_bad)


def _ipc_list_lenient(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    codes: list[str] = []
    dropped: list[str] = []
    for part in _IPC_SEPARATORS.split(text):
        part = part.strip()
        if not part or part[0] in "Yy":  # empty, or a CPC Y-section tag (see above)
            continue
        try:
            code = normalize_ipc(part)
        except ValueError:
            dropped.append(part)
            continue
        if code not in codes:
            codes.append(code)
    return tuple(codes), tuple(dropped)


IPC_LISTS_LENIENT: Memo[str, tuple[tuple[str, ...], tuple[str, ...]]] = Memo(_ipc_list_lenient)
"""A list cell → (the valid codes, the parts that are not IPC symbols): a list of secondary
classifications keeps its good codes when one is malformed (incoPat's truncated "B60R/")."""


def parse_ipc_list(text: str) -> tuple[str, ...]:
    """A list of IPC symbols as one cell holds it (``|``, ``;`` or ``,`` separated), in
    order, duplicates dropped.

    >>> parse_ipc_list("G06F  3/01 | G06F  9/451")
    ('G06F3/01', 'G06F9/451')

    Raises ``ValueError`` if any part is not an IPC symbol.
    """
    value = IPC_LISTS[text]
    if isinstance(value, _BadValue):
        raise ValueError(text)
    return value


def parse_ipc_list_or_bad(text: str) -> tuple[str, ...] | _BadValue:
    """:func:`parse_ipc_list` for hot loops: :data:`BAD` instead of raising."""
    return IPC_LISTS[text]


def main_ipc(main_text: str, all_codes: tuple[str, ...]) -> str | _BadValue | None:
    """The main IPC symbol from a main-classification cell and the full list.

    Patentics' 国际主分类 holds only the subclass ("G09B"); the main symbol is then the first
    full symbol of the list in that subclass. An empty main cell takes the list's first.
    """
    s = main_text.strip()
    if not s:
        return all_codes[0] if all_codes else None
    value = IPC_LISTS[s]
    if isinstance(value, _BadValue) or len(value) != 1:
        return BAD
    code = value[0]
    if len(code) == 4:
        for candidate in all_codes:
            if candidate.startswith(code):
                return candidate
    return code


# --- names, family, counts -------------------------------------------------------------------


def _names(text: str) -> tuple[str, ...]:
    return tuple(split_applicants(text))


NAMES: Memo[str, tuple[str, ...]] = Memo(_names, maxsize=100_000)


def split_names(text: str) -> list[str]:
    """Applicant or inventor names of one cell, in order (see
    :func:`ipcity.registry.normalize.split_applicants`); a fresh list for each call."""
    return list(NAMES[text]) if text else []


_PEOPLE_SEPARATORS = re.compile(r"[;；|｜\n\r]")
_BRACKETS = frozenset("[［(（")


def _people(text: str) -> tuple[str, ...]:
    if any(ch in _BRACKETS for ch in text):
        return _names(text)  # incoPat's bracketed forms need the full splitter
    seen: list[str] = []
    for part in _PEOPLE_SEPARATORS.split(text):
        name = part.strip()
        if name and name not in seen:
            seen.append(name)
    return tuple(seen)


PEOPLE: Memo[str, tuple[str, ...]] = Memo(_people, maxsize=100_000)


def split_people(text: str) -> list[str]:
    """Inventor names of one cell, in order: split at ``;``, ``；``, ``|`` and line
    breaks, exact repeats dropped. Cheaper than :func:`split_names` (no name keys): inventor
    cells are nearly all distinct, so their split is paid once per row.

    >>> split_people("谈敦铭 | 杜晓伟 | 孙锋山")
    ['谈敦铭', '杜晓伟', '孙锋山']
    """
    return list(PEOPLE[text]) if text else []


_FAMILY_SEPARATORS = re.compile(r"[;；|,，\s]+")


def _family(text: str) -> tuple[str, ...]:
    seen: list[str] = []
    for part in _FAMILY_SEPARATORS.split(text.upper()):
        if part and part not in seen:
            seen.append(part)
    return tuple(seen)


FAMILIES: Memo[str, tuple[str, ...]] = Memo(_family)


def split_family(text: str) -> list[str]:
    """Publication numbers of a simple-family cell (incoPat 简单同族), in order.

    >>> split_family("CN110298449B; US20220404779A1")
    ['CN110298449B', 'US20220404779A1']
    """
    return list(FAMILIES[text]) if text else []


def parse_count(text: str) -> int | None:
    """A non-negative whole number (``"8"``, ``"8.0"`` from Excel); empty → None.

    Raises ``ValueError`` otherwise.
    """
    s = text.strip()
    if not s:
        return None
    if s.isdecimal():
        return int(s)
    if s.endswith(".0") and s[:-2].isdecimal():
        return int(s[:-2])
    raise ValueError(text)


# --- countries and patent types ---------------------------------------------------------------

# incoPat 公开国别 and similar columns: Chinese office names → WIPO ST.3 codes.
COUNTRY_CODES: dict[str, str] = {
    "中国": "CN",
    "中国大陆": "CN",
    "中华人民共和国": "CN",
    "美国": "US",
    "世界知识产权组织": "WO",
    "WIPO": "WO",
    "PCT": "WO",
    "欧洲专利局": "EP",
    "欧洲": "EP",
    "欧专局": "EP",
    "日本": "JP",
    "韩国": "KR",
    "中国台湾": "TW",
    "台湾": "TW",
    "中国香港": "HK",
    "香港": "HK",
    "中国澳门": "MO",
    "澳门": "MO",
    "德国": "DE",
    "法国": "FR",
    "英国": "GB",
    "印度": "IN",
    "加拿大": "CA",
    "俄罗斯": "RU",
    "俄罗斯联邦": "RU",
    "巴西": "BR",
    "比利时": "BE",
    "奥地利": "AT",
    "澳大利亚": "AU",
    "新西兰": "NZ",
    "新加坡": "SG",
    "马来西亚": "MY",
    "泰国": "TH",
    "越南": "VN",
    "印度尼西亚": "ID",
    "菲律宾": "PH",
    "以色列": "IL",
    "土耳其": "TR",
    "沙特阿拉伯": "SA",
    "南非": "ZA",
    "埃及": "EG",
    "墨西哥": "MX",
    "阿根廷": "AR",
    "智利": "CL",
    "哥伦比亚": "CO",
    "秘鲁": "PE",
    "西班牙": "ES",
    "葡萄牙": "PT",
    "意大利": "IT",
    "荷兰": "NL",
    "瑞士": "CH",
    "瑞典": "SE",
    "挪威": "NO",
    "丹麦": "DK",
    "芬兰": "FI",
    "波兰": "PL",
    "捷克": "CZ",
    "匈牙利": "HU",
    "爱尔兰": "IE",
    "卢森堡": "LU",
    "希腊": "GR",
    "乌克兰": "UA",
    "罗马尼亚": "RO",
    "欧亚专利组织": "EA",
    "欧亚专利局": "EA",
    "非洲地区知识产权组织": "AP",
    "非洲知识产权组织": "OA",
    "海湾阿拉伯国家合作委员会专利局": "GC",
}


def jurisdiction_of_country(text: str) -> str | None:
    """The office code for a 公开国别 value (``中国`` → ``CN``; two-letter codes pass);
    None when unknown."""
    s = text.strip()
    code = COUNTRY_CODES.get(s)
    if code is None and len(s) == 2 and s.isascii() and s.isalpha():
        code = s.upper()
    return code


# 专利类型 / 公开类型 values → patent type. incoPat tells application from grant in the same
# column (发明申请/发明授权); the 62-column export joins both ("发明公开;发明授权").
PATENT_TYPE_TEXTS: dict[str, str] = {
    "发明": "invention",
    "发明专利": "invention",
    "发明申请": "invention",
    "发明公开": "invention",
    "发明授权": "invention",
    "发明专利申请": "invention",
    "实用新型": "utility_model",
    "实用新型专利": "utility_model",
    "新型": "utility_model",
    "外观设计": "design",
    "外观设计专利": "design",
    "外观": "design",
    "invention": "invention",
    "utility_model": "utility_model",
    "utility model": "utility_model",
    "design": "design",
}
