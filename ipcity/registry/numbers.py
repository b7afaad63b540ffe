"""Patent application and publication numbers, and unified social credit codes.

Pure functions: text in, a canonical value out, or :class:`~ipcity.errors.InvalidNumber`
with one Chinese sentence that says what was received and what was expected. A check
digit that is wrong or missing is reported, never repaired: it exists to catch a typo in
the other digits, and "fixing" it would hide that typo.

* CNIPA application numbers (申请号): ``CN201710123456.0`` (12 digits, from 1 October
  2003: year, type digit, 7-digit serial) and ``CN88109087.5`` (8 digits, before: 2-digit
  year, type digit, 5-digit serial), each with a mod-11 check digit.
* Publication numbers (公开/公告号) with kind codes: ``CN110298449A``, ``US20190320115A1``.
* Application numbers of other offices, made comparable by :func:`normalize_application_number`.
* Unified social credit codes (统一社会信用代码, GB 32100-2015) with their mod-31 check.

Input may carry full-width characters (``ＣＮ２０１７…``), lower case and spaces, as
people copy it from Chinese web pages and office documents.
"""

from __future__ import annotations

import operator
import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from ipcity.errors import InvalidNumber
from ipcity.registry.records import PatentType

__all__ = [
    "USCC_ALPHABET",
    "USCC_WEIGHTS",
    "ApplicationNumber",
    "PublicationNumber",
    "application_number_and_type",
    "canonical_application_number",
    "canonical_cn_publication",
    "check_digit",
    "half_width",
    "normalize_application_number",
    "parse_application_number",
    "parse_publication_number",
    "parse_uscc",
    "publication_number_parts",
    "registration_number",
    "uscc_check_character",
]

# --- messages (gettext ids; English in ipcity/i18n/en.po) ---------------------------------

APP_EMPTY = "申请号为空，应为形如 CN201710123456.0 的号码"
APP_BAD_CHAR = "申请号 {value} 含有无效字符“{char}”，应只含数字、CN 或 ZL 前缀、校验位前的小数点和校验位"
APP_BAD_DOT = "申请号 {value} 的小数点位置不对，应只在最后一位校验位之前有一个小数点"
APP_MISSING_CHECK = (
    "申请号 {value} 缺少校验位，应在 {length} 位数字后加上校验位（0–9 或 X），如 CN201710123456.0"
)
APP_WRONG_LENGTH = (
    "申请号 {value} 去掉前缀后有 {length} 位，应为 12 位（2003 年 10 月起）或 8 位（此前）数字加 1 位校验位"
)
APP_WRONG_CHECK = "申请号 {value} 的校验位应为 {expected}，实际为 {actual}"
APP_YEAR_12 = "申请号 {value} 的申请年份为 {year}，12 位申请号的年份应在 2003 至 {last} 年之间"
APP_YEAR_8 = (
    "申请号 {value} 的年份代码为 {year}，8 位申请号的年份代码应为 85–99 或 00–03（即 1985 至 2003 年）"
)
APP_TYPE = "申请号 {value} 的专利类型位为 {type_digit}，应为 1、8（发明）、2、9（实用新型）或 3（外观设计）"
PUB_EMPTY = "公开号为空，应为形如 CN110298449A 的号码"
PUB_FORMAT = (
    "公开号 {value} 格式无效，"
    "应为两位字母的国家或地区代码、号码和文献种类代码，如 CN110298449A 或 US20190320115A1"
)
PUB_MISSING_KIND = "公开号 {value} 缺少文献种类代码，应在号码后加上种类代码，如 A、B、U 或 A1"
PUB_CN_KIND = "中国公开号 {value} 的文献种类代码为 {kind}，应为 A、B、C、U、Y、S 或 D，可带更正标记 8 或 9"
PUB_CN_NUMBER = "中国公开号 {value} 的号码部分为 {number}，应为 7 至 9 位数字"
NORM_EMPTY = "申请号为空，应为带国家或地区代码的申请号，如 CN201710123456.0 或 US15950587"
NORM_OFFICE = "国家或地区代码 {value} 无效，应为两个字母，如 CN、US 或 WO"
NORM_NO_OFFICE = "申请号 {value} 没有国家或地区代码，应以 US、EP、WO 等两个字母开头，或另行指明国家或地区"
NORM_BAD_CHAR = "申请号 {value} 含有无效字符“{char}”，应只含字母和数字"
USCC_EMPTY = "统一社会信用代码为空，应为 18 位数字或大写字母"
USCC_LENGTH = "统一社会信用代码 {value} 有 {length} 位，应为 18 位"
USCC_BODY_LENGTH = "计算统一社会信用代码校验码需要前 17 位，收到的 {value} 有 {length} 位"
USCC_BAD_CHAR = "统一社会信用代码 {value} 含有无效字符“{char}”，应只含数字和除 I、O、Z、S、V 以外的大写字母"
USCC_REGION = "统一社会信用代码 {value} 的第 3 至 8 位为 {region}，应为 6 位数字的行政区划代码"
USCC_WRONG_CHECK = "统一社会信用代码 {value} 的校验码应为 {expected}，实际为 {actual}"

MESSAGES: tuple[str, ...] = (
    APP_EMPTY,
    APP_BAD_CHAR,
    APP_BAD_DOT,
    APP_MISSING_CHECK,
    APP_WRONG_LENGTH,
    APP_WRONG_CHECK,
    APP_YEAR_12,
    APP_YEAR_8,
    APP_TYPE,
    PUB_EMPTY,
    PUB_FORMAT,
    PUB_MISSING_KIND,
    PUB_CN_KIND,
    PUB_CN_NUMBER,
    NORM_EMPTY,
    NORM_OFFICE,
    NORM_NO_OFFICE,
    NORM_BAD_CHAR,
    USCC_EMPTY,
    USCC_LENGTH,
    USCC_BODY_LENGTH,
    USCC_BAD_CHAR,
    USCC_REGION,
    USCC_WRONG_CHECK,
)
"""Every message id this module raises; a test checks each has an English translation."""

# --- text folding --------------------------------------------------------------------------

# Full-width ASCII (U+FF01–FF5E) to ASCII, the ideographic space to a space, and the
# ideographic full stop to a dot: what a Chinese input method types instead of the ASCII
# characters. Deliberately not NFKC, which would also accept ①, ² or Ⅻ as digits.
_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FOLD[0x3000] = 0x20
_FOLD[0x3002] = ord(".")

_DIGITS = frozenset("0123456789")


def half_width(text: str) -> str:
    """Full-width ASCII and the ideographic space and full stop made ASCII, nothing else
    changed: what a Chinese input method typed, read as the ASCII it stands for.

    >>> half_width("２０１８－０６－０１　ＳＲ")
    '2018-06-01 SR'
    """
    return text.translate(_FOLD)


def _fold(text: str | None) -> str:
    """Half-width, upper case, no whitespace."""
    return "".join(half_width(text or "").split()).upper()


def registration_number(text: str) -> str:
    """A registration number of a trademark, copyright, plant-variety right or
    geographical indication as the registry keys it: half-width, upper case, without
    spaces. The registers give these numbers in no one form the platform could check, but
    ``８０１２３４５６``, ``2019sr0123456`` and ``CNA 2019 1235.6`` are the numbers
    ``80123456``, ``2019SR0123456`` and ``CNA20191235.6``: kept as typed, a second import
    of the same right would add it again under another spelling.

    >>> registration_number(" ８０１２３４５６ "), registration_number("2019sr0123456")
    ('80123456', '2019SR0123456')
    """
    return _fold(text)


def _shown(text: str | None) -> str:
    """The input as the person typed it, for an error message (trimmed, not folded)."""
    shown = (text or "").strip()
    return shown if len(shown) <= 40 else shown[:39] + "…"


_BEIJING = timezone(timedelta(hours=8))
_year_cache: list[float] = [0.0, 0.0]  # [valid until (monotonic seconds), year]


def _china_year() -> int:
    # The filing year is the year in Beijing (UTC+8, no daylight saving), not the server's;
    # a fixed offset needs no tz database on the machine. Read the clock at most once a
    # minute: imports call this for every row.
    now = time.monotonic()
    if now >= _year_cache[0]:
        _year_cache[0] = now + 60.0
        _year_cache[1] = float(datetime.now(_BEIJING).year)
    return int(_year_cache[1])


# --- CNIPA application numbers -------------------------------------------------------------

# Weights of the public mod-11 rule, left to right; the 8-digit form uses the first eight.
_APP_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)

_TYPE_BY_DIGIT: dict[int, PatentType] = {
    1: "invention",
    8: "invention",  # PCT application entering the Chinese national phase
    2: "utility_model",
    9: "utility_model",  # PCT, national phase
    3: "design",
}

_FIRST_YEAR = 1985  # the Chinese Patent Law took effect on 1 April 1985
_LAST_SHORT_YEAR = 2003  # the 12-digit form replaced the 8-digit one on 1 October 2003


def check_digit(digits: str) -> str:
    """Return the check digit of a CNIPA application number body (12 or 8 ASCII digits).

    Each digit is multiplied by its weight (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5 from the
    left), the products are summed, and the sum modulo 11 is the check; 10 is written ``X``.
    Because 11 is prime and no weight is 0 modulo 11, changing any single digit always
    changes the check, and so does swapping two different neighbouring digits.

    >>> check_digit("201910593937")
    '7'
    >>> check_digit("88109087")
    '5'
    >>> check_digit("202121889167")
    'X'
    """
    for char in digits:
        if char not in _DIGITS:
            raise InvalidNumber(APP_BAD_CHAR, value=_shown(digits), char=char)
    if len(digits) not in (8, 12):
        raise InvalidNumber(APP_WRONG_LENGTH, value=_shown(digits), length=len(digits))
    remainder = sum(map(operator.mul, map(int, digits), _APP_WEIGHTS)) % 11
    return "X" if remainder == 10 else str(remainder)


@dataclass(frozen=True, slots=True)
class ApplicationNumber:
    """A CNIPA application number that passed every check. Build it with
    :func:`parse_application_number`, which guarantees the fields agree."""

    jurisdiction: str  # always "CN"
    digits: str  # the 12 (or 8) digits before the check digit
    check: str  # "0"–"9" or "X"
    year: int  # four digits: 1988 for 88…, 2017 for 2017…
    type_digit: int  # 1/8 invention, 2/9 utility model, 3 design
    serial: str  # 7 digits (12-digit form) or 5 digits (8-digit form)

    @property
    def canonical(self) -> str:
        """``CN201710123456.0`` / ``CN88109087.5``: the form the registry stores and shows."""
        return f"{self.jurisdiction}{self.digits}.{self.check}"

    @property
    def patent_type(self) -> PatentType:
        """``invention``, ``utility_model`` or ``design``, read from the type digit."""
        return _TYPE_BY_DIGIT[self.type_digit]

    def __str__(self) -> str:
        return self.canonical


def _split_check(text: str, compact: str) -> tuple[str, str]:
    """Split ``compact`` (folded, prefix removed) into body digits and check character."""
    shown = _shown(text)
    if compact.count(".") > 1:
        raise InvalidNumber(APP_BAD_DOT, value=shown)
    body, dot, check = compact.partition(".")
    if not dot:
        # Without a dot the last character is the check digit, if there is one.
        body, check = compact[:-1], compact[-1:]
    for char in body:
        if char not in _DIGITS:
            raise InvalidNumber(APP_BAD_CHAR, value=shown, char=char)
    for char in check:
        if char not in _DIGITS and char != "X":
            raise InvalidNumber(APP_BAD_CHAR, value=shown, char=char)
    if dot and len(check) > 1:
        raise InvalidNumber(APP_BAD_DOT, value=shown)
    if not dot and len(compact) in (8, 12) and check != "X":
        # 8 or 12 digits and nothing after them: the body without its check digit.
        body, check = compact, ""
    if len(body) not in (8, 12):
        raise InvalidNumber(APP_WRONG_LENGTH, value=shown, length=len(body) + len(check))
    if not check:
        raise InvalidNumber(APP_MISSING_CHECK, value=shown, length=len(body))
    return body, check


_CHECK_CHARS = "0123456789X"
# sum(weight * ord("0")) of the 12- and 8-digit forms: the check sum over the ASCII codes
# of the digits, less this, is the sum over the digits (one C-level pass over bytes).
_ZERO_OFFSET = {length: 48 * sum(_APP_WEIGHTS[:length]) for length in (8, 12)}


def canonical_application_number(text: str) -> tuple[str, PatentType] | None:
    """``(text, patent type)`` when ``text`` is already a valid CN application number in
    canonical form (``CN201710123456.0``: what exports and our own files hold); None for
    anything else, which :func:`parse_application_number` then reads and explains.

    The fast path of bulk imports, which call it for every row: no folding, splitting or
    object (a quarter of the cost of the full reader).

    >>> canonical_application_number("CN201910593937.7")
    ('CN201910593937.7', 'invention')
    >>> canonical_application_number("CN201910593937.8") is None  # wrong check digit
    True
    """
    length = len(text)
    if (length != 16 and length != 12) or text[-2] != "." or not text.startswith("CN") or not text.isascii():
        return None
    body = text[2:-2]
    check = text[-1]
    if not body.isdecimal() or check not in _CHECK_CHARS:
        return None
    if length == 16:
        year = int(body[:4])
        # The year last read from the clock bounds the current one from below.
        if year < _LAST_SHORT_YEAR or (year > _year_cache[1] and year > _china_year()):
            return None
        patent_type = _TYPE_BY_DIGIT.get(ord(body[4]) - 48)
    else:
        year_code = int(body[:2])
        if _LAST_SHORT_YEAR % 100 < year_code < _FIRST_YEAR % 100:
            return None
        patent_type = _TYPE_BY_DIGIT.get(ord(body[2]) - 48)
    if patent_type is None:
        return None
    remainder = (sum(map(operator.mul, body.encode(), _APP_WEIGHTS)) - _ZERO_OFFSET[length - 4]) % 11
    if _CHECK_CHARS[remainder] != check:
        return None
    return text, patent_type


def application_number_and_type(text: str) -> tuple[str, PatentType]:
    """``(canonical, patent type)`` of a CNIPA application number: what
    :func:`parse_application_number` gives as ``.canonical`` and ``.patent_type``, with the
    same checks and errors, at a fraction of the cost for a number already canonical.

    >>> application_number_and_type("CN201910593937.7")
    ('CN201910593937.7', 'invention')
    >>> application_number_and_type("zl 2019 1 0593937.7")
    ('CN201910593937.7', 'invention')
    """
    fast = canonical_application_number(text)
    if fast is not None:
        return fast
    number = parse_application_number(text)
    return number.canonical, number.patent_type


def parse_application_number(text: str) -> ApplicationNumber:
    """Read a CNIPA application number (申请号) and verify its check digit.

    Accepts the ``CN`` or ``ZL`` prefix or none, spaces, full-width characters, a lower-case
    ``x`` and the dot before the check digit or none. Raises
    :class:`~ipcity.errors.InvalidNumber` when the check digit is missing or wrong, the
    length is neither form, a character is not a digit, the year is outside 1985 to the
    current year (2003 onwards for the 12-digit form, up to 2003 for the 8-digit form) or
    the type digit is not 1, 2, 3, 8 or 9.

    >>> number = parse_application_number("ZL 2019 1 0593937.7")
    >>> number.canonical, number.year, number.patent_type
    ('CN201910593937.7', 2019, 'invention')
    >>> parse_application_number("ＣＮ２０２１２１８８９１６７ｘ").canonical
    'CN202121889167.X'
    >>> parse_application_number("CN88109087.5").year
    1988
    """
    fast = canonical_application_number(text)
    if fast is not None:
        body = text[2:-2]
        if len(body) == 12:
            return ApplicationNumber("CN", body, text[-1], int(body[:4]), ord(body[4]) - 48, body[5:])
        year_code = int(body[:2])
        year = 1900 + year_code if year_code >= _FIRST_YEAR % 100 else 2000 + year_code
        return ApplicationNumber("CN", body, text[-1], year, ord(body[2]) - 48, body[3:])
    compact = _fold(text)
    if not compact:
        raise InvalidNumber(APP_EMPTY)
    if compact.startswith(("CN", "ZL")):  # ZL (专利) prefixes the number of a granted patent
        compact = compact[2:]
    if not compact:
        raise InvalidNumber(APP_WRONG_LENGTH, value=_shown(text), length=0)
    body, check = _split_check(text, compact)
    shown = _shown(text)

    if len(body) == 12:
        year, type_digit, serial = int(body[:4]), int(body[4]), body[5:]
        last = _china_year()
        if not _LAST_SHORT_YEAR <= year <= last:
            raise InvalidNumber(APP_YEAR_12, value=shown, year=year, last=last)
    else:
        year_code, type_digit, serial = int(body[:2]), int(body[2]), body[3:]
        if year_code >= _FIRST_YEAR % 100:
            year = 1900 + year_code
        elif year_code <= _LAST_SHORT_YEAR % 100:
            year = 2000 + year_code
        else:
            raise InvalidNumber(APP_YEAR_8, value=shown, year=body[:2])
    if type_digit not in _TYPE_BY_DIGIT:
        raise InvalidNumber(APP_TYPE, value=shown, type_digit=type_digit)

    expected = check_digit(body)
    if check != expected:
        raise InvalidNumber(APP_WRONG_CHECK, value=shown, expected=expected, actual=check)
    return ApplicationNumber("CN", body, check, year, type_digit, serial)


# --- publication numbers -------------------------------------------------------------------

# CN kind codes: A, C, Y, D are the pre-2010 scheme (invention publication and grant,
# utility-model grant, design grant), B, U, S the current one; C and Y also mark a patent
# amended after invalidation. A trailing 8 or 9 marks a corrected republication
# (CN105807763B8). D and the correction digits go beyond the brief, but they occur in the
# real exports (family lists), and a published number must not be rejected.
_CN_KINDS: dict[str, PatentType] = {
    "A": "invention",
    "B": "invention",
    "C": "invention",
    "U": "utility_model",
    "Y": "utility_model",
    "S": "design",
    "D": "design",
}

# Separators people write inside publication and foreign application numbers:
# "US 2019/0320115 A1", "US 10,686,988 B2", "15/950,587", "10-2022-7042536".
_SEPARATORS = re.compile(r"[/,.\-]")
_PUB_SHAPE = re.compile(r"([A-Z]{2})([A-Z0-9]+)")


@dataclass(frozen=True, slots=True)
class PublicationNumber:
    """A publication (公开/公告) number: office, number and kind code. Build it with
    :func:`parse_publication_number`."""

    jurisdiction: str  # two letters: "CN", "US", "WO", "EP" …
    number: str  # the serial between office and kind: "110298449", "20190320115"
    kind: str  # "A", "B", "U", "S", "A1", "B2" …

    @property
    def canonical(self) -> str:
        """``CN110298449A``, ``US20190320115A1``: office, number and kind, no spaces."""
        return f"{self.jurisdiction}{self.number}{self.kind}"

    @property
    def patent_type(self) -> PatentType | None:
        """For a CN number the patent type its kind code implies; ``None`` elsewhere, where
        kind codes do not say it (a US ``B2`` may be any utility patent)."""
        if self.jurisdiction != "CN":
            return None
        return _CN_KINDS[self.kind[0]]

    def __str__(self) -> str:
        return self.canonical


def canonical_cn_publication(text: str) -> tuple[str, str] | None:
    """``(serial, kind)`` when ``text`` is already a valid CN publication number in
    canonical form (``CN110298449A``, ``CN105807763B8``); None for anything else, which
    :func:`parse_publication_number` then reads (the fast path of bulk imports).

    >>> canonical_cn_publication("CN105807763B8")
    ('105807763', 'B8')
    """
    if not text.startswith("CN") or not text.isascii():
        return None
    last = text[-1]
    if last in _CN_KINDS:
        number, kind = text[2:-1], last
    elif (last == "8" or last == "9") and text[-2:-1] in _CN_KINDS:
        number, kind = text[2:-2], text[-2:]
    else:
        return None
    if 7 <= len(number) <= 9 and number.isdecimal():
        return number, kind
    return None


def publication_number_parts(text: str) -> tuple[str, str, str]:
    """``(canonical, office, kind)`` of a publication number: what
    :func:`parse_publication_number` gives, with the same checks and errors, without
    building the object for a CN number that is already canonical.

    >>> publication_number_parts("CN110298449A")
    ('CN110298449A', 'CN', 'A')
    >>> publication_number_parts("US 2019/0320115 A1")
    ('US20190320115A1', 'US', 'A1')
    """
    fast = canonical_cn_publication(text)
    if fast is not None:
        return text, "CN", fast[1]
    number = parse_publication_number(text)
    return number.canonical, number.jurisdiction, number.kind


def parse_publication_number(text: str) -> PublicationNumber:
    """Read a publication number: two-letter office, serial, kind code (a letter and an
    optional digit).

    Spaces, ``/``, ``,``, ``.`` and ``-`` inside the number are dropped; full-width and
    lower-case input is accepted. A missing kind code is an error, because the same serial
    names different documents (``CN110298449A`` is the application, ``CN110298449B`` the
    grant). For CN the kind must be A, B, C, U, Y, S or D, optionally followed by the
    correction mark 8 or 9, and the number 7–9 digits.

    >>> parse_publication_number("cn 110298449 a").canonical
    'CN110298449A'
    >>> parse_publication_number("US 2019/0320115 A1").kind
    'A1'
    >>> parse_publication_number("CN308051751S").patent_type
    'design'
    """
    fast = canonical_cn_publication(text)
    if fast is not None:
        return PublicationNumber("CN", fast[0], fast[1])
    compact = _SEPARATORS.sub("", _fold(text))
    shown = _shown(text)
    if not compact:
        raise InvalidNumber(PUB_EMPTY)
    shape = _PUB_SHAPE.fullmatch(compact)
    if shape is None:
        raise InvalidNumber(PUB_FORMAT, value=shown)
    office, rest = shape.groups()
    # The kind code is the trailing letter, or a letter and one digit ("A1"). A serial may
    # itself end in a letter (Singapore SG11201708516YA: serial …516Y, kind A).
    if len(rest) >= 2 and rest[-1] in _DIGITS and rest[-2].isalpha():
        number, kind = rest[:-2], rest[-2:]
    elif rest[-1].isalpha():
        number, kind = rest[:-1], rest[-1]
    else:
        raise InvalidNumber(PUB_MISSING_KIND, value=shown)
    if not any(char in _DIGITS for char in number):
        raise InvalidNumber(PUB_FORMAT, value=shown)
    if office == "CN":
        if kind[0] not in _CN_KINDS or kind[1:] not in ("", "8", "9"):
            raise InvalidNumber(PUB_CN_KIND, value=shown, kind=kind)
        # 7 digits 1989–2007 ("CN1835075A"), 9 digits since; the first publications reused
        # the 8-digit application number.
        if not (number.isdecimal() and 7 <= len(number) <= 9):
            raise InvalidNumber(PUB_CN_NUMBER, value=shown, number=number)
    return PublicationNumber(office, number, kind)


# --- application numbers of any office -----------------------------------------------------

_OFFICE = re.compile(r"[A-Z]{2}")
_ALNUM = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
# PCT/CN2019/094567 (4-digit year, 6-digit serial since 2004) and the 2-digit-year
# spelling databases such as incoPat use for the same application (WOCN19094567).
_PCT_SHORT_YEAR = re.compile(r"([A-Z]{2})(\d{2})(\d{6})")


def normalize_application_number(text: str, jurisdiction: str | None = None) -> str:
    """Return the canonical application number, CN or any other office.

    CN (``jurisdiction="CN"``, or, when ``jurisdiction`` is None, a text that starts with
    ``CN``, ``ZL`` or a digit): :func:`parse_application_number`'s canonical form, with its
    checks. Another office: the office code followed by the serial in upper case with
    spaces, ``/``, ``,``, ``.`` and ``-`` removed (a leading copy of the office code is not
    doubled). Without ``jurisdiction`` the office is the text's first two letters.

    PCT applications (office ``WO``, or a text starting with ``PCT``) are written ``WO`` +
    receiving office + 4-digit year + 6-digit serial, and the 2-digit-year spelling of
    patent databases is widened to it, so ``PCT/CN2022/122372`` and ``WOCN22122372`` meet
    as ``WOCN2022122372``. Older PCT numbers (2-digit year, 5-digit serial, before 2004)
    are only compacted.

    >>> normalize_application_number("ZL201910593937.7")
    'CN201910593937.7'
    >>> normalize_application_number("15/950,587", "US")
    'US15950587'
    >>> normalize_application_number("PCT/CN2019/094567")
    'WOCN2019094567'
    """
    compact = _fold(text)
    if jurisdiction is not None:
        office = _fold(jurisdiction)
        if not _OFFICE.fullmatch(office):
            raise InvalidNumber(NORM_OFFICE, value=_shown(jurisdiction))
    elif not compact:
        raise InvalidNumber(NORM_EMPTY)
    elif compact.startswith(("CN", "ZL")) or compact[0] in _DIGITS:
        office = "CN"
    elif compact.startswith("PCT"):
        office = "WO"
    elif _OFFICE.match(compact):
        office = compact[:2]
    else:
        raise InvalidNumber(NORM_NO_OFFICE, value=_shown(text))

    if office == "CN":
        return parse_application_number(text).canonical

    serial = _SEPARATORS.sub("", compact)
    for prefix in ("PCT", "WO") if office == "WO" else (office,):
        if serial.startswith(prefix):
            serial = serial[len(prefix) :]
            break
    if not serial:
        raise InvalidNumber(NORM_EMPTY)
    for char in serial:
        if char not in _ALNUM:
            raise InvalidNumber(NORM_BAD_CHAR, value=_shown(text), char=char)
    if office == "WO" and (short := _PCT_SHORT_YEAR.fullmatch(serial)):
        receiving_office, year, number = short.groups()
        serial = f"{receiving_office}20{year}{number}"
    return office + serial


# --- unified social credit codes (GB 32100-2015) -------------------------------------------

# 31 characters: digits and capital letters without I, O, Z, S, V (too easily read as
# 1, 0, 2, 5, U); a character's value is its index.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {char: value for value, char in enumerate(USCC_ALPHABET)}
# W_i = 3^(i-1) mod 31, as GB 32100-2015 tabulates them. (The task brief listed
# 1,3,9,27,19,26,16,17,20,29,24,13,25,10,2,6,4,12, which agrees only on the first ten
# weights and fails real codes such as 91110000802100433B.)
USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))


def uscc_check_character(first17: str) -> str:
    """Return the check character (18th) of a unified social credit code.

    ``first17`` is the canonical first 17 characters (upper case, from
    :data:`USCC_ALPHABET`). The check is ``31 - (Σ value(cᵢ)·wᵢ mod 31)``, 31 read as 0,
    mapped back through the alphabet; the weights are 3^(i-1) mod 31. As 31 is prime and no
    weight is 0, any single wrong character changes the check.

    >>> uscc_check_character("91110000802100433")
    'B'
    >>> uscc_check_character("91350100M000100Y4")
    '3'
    """
    if len(first17) != 17:
        raise InvalidNumber(USCC_BODY_LENGTH, value=_shown(first17), length=len(first17))
    total = 0
    for char, weight in zip(first17, USCC_WEIGHTS, strict=True):
        if char not in _USCC_VALUE:
            raise InvalidNumber(USCC_BAD_CHAR, value=_shown(first17), char=char)
        total += _USCC_VALUE[char] * weight
    return USCC_ALPHABET[(31 - total % 31) % 31]


def parse_uscc(text: str) -> str:
    """Validate a unified social credit code (统一社会信用代码) and return it canonical.

    Accepts spaces, full-width characters and lower case. Raises
    :class:`~ipcity.errors.InvalidNumber` unless the code has 18 characters from
    :data:`USCC_ALPHABET`, digits in positions 3–8 (the GB/T 2260 region of the
    registering authority) and the right check character.

    >>> parse_uscc("9111 0000 8021 0043 3b")
    '91110000802100433B'
    """
    code = _fold(text)
    shown = _shown(text)
    if not code:
        raise InvalidNumber(USCC_EMPTY)
    for char in code:
        if char not in _USCC_VALUE:
            raise InvalidNumber(USCC_BAD_CHAR, value=shown, char=char)
    if len(code) != 18:
        raise InvalidNumber(USCC_LENGTH, value=shown, length=len(code))
    if not code[2:8].isdecimal():
        raise InvalidNumber(USCC_REGION, value=shown, region=code[2:8])
    expected = uscc_check_character(code[:17])
    if code[17] != expected:
        raise InvalidNumber(USCC_WRONG_CHECK, value=shown, expected=expected, actual=code[17])
    return code


PCT_SHAPE = "PCT国际申请号「{value}」应形如 PCT/CN2019/123456（受理局代码、年份、六位序号）。"
_PCT = re.compile(r"^PCT/([A-Z]{2})(\d{4})/(\d{6})$")


def parse_pct_number(text: str) -> str:
    """Read a PCT international application number and return it canonical
    (``PCT/CN2019/123456``: receiving office, year, six-digit serial).

    Accepts spaces, full-width characters and lower case. Raises
    :class:`~ipcity.errors.InvalidNumber` for anything else.

    >>> parse_pct_number("pct / cn2019 / 123456")
    'PCT/CN2019/123456'
    """
    code = _fold(text).replace(" ", "")
    if not _PCT.match(code):
        raise InvalidNumber(PCT_SHAPE, value=_shown(text))
    return code
