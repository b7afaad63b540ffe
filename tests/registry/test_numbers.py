"""Tests of ipcity.registry.numbers: CNIPA application numbers, publication numbers,
application numbers of other offices and unified social credit codes.

Real numbers come from the exports in ``../shared/data/patents_cn`` (read in place, never
copied) and from codes printed on business licences.
"""

from __future__ import annotations

import csv
import doctest
import gzip
import os
import re
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipcity.errors import InvalidNumber
from ipcity.i18n import gettext
from ipcity.registry import numbers
from ipcity.registry.numbers import (
    APP_BAD_CHAR,
    APP_BAD_DOT,
    APP_EMPTY,
    APP_MISSING_CHECK,
    APP_TYPE,
    APP_WRONG_CHECK,
    APP_WRONG_LENGTH,
    APP_YEAR_8,
    APP_YEAR_12,
    NORM_BAD_CHAR,
    NORM_EMPTY,
    NORM_NO_OFFICE,
    NORM_OFFICE,
    PUB_CN_KIND,
    PUB_CN_NUMBER,
    PUB_EMPTY,
    PUB_FORMAT,
    PUB_MISSING_KIND,
    USCC_ALPHABET,
    USCC_BAD_CHAR,
    USCC_BODY_LENGTH,
    USCC_EMPTY,
    USCC_LENGTH,
    USCC_REGION,
    USCC_WRONG_CHECK,
    ApplicationNumber,
    PublicationNumber,
    check_digit,
    normalize_application_number,
    parse_application_number,
    parse_publication_number,
    parse_uscc,
    uscc_check_character,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
# DESIGN.md: real data lives in ../shared/data next to the repository (CI has it there).
SHARED_DATA = Path(os.environ.get("IPCITY_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))
PATENTS_CN = SHARED_DATA / "patents_cn"
CURRENT_YEAR = numbers._china_year()


def with_check(body: str) -> str:
    """A number with its correct check digit, for tests of the other rules."""
    return f"CN{body}.{check_digit(body)}"


def raises(message: str, func: Callable[..., object], *args: object) -> InvalidNumber:
    """Call ``func`` and return the InvalidNumber, asserting which message it carries."""
    with pytest.raises(InvalidNumber) as caught:
        func(*args)
    assert caught.value.message == message, str(caught.value)
    return caught.value


# --- real data -----------------------------------------------------------------------------


def _rows() -> Iterator[dict[str, str]]:
    for path in sorted(PATENTS_CN.glob("*.csv*")):
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8-sig", newline="") as fh:
            yield from csv.DictReader(fh)


@cache
def real_application_numbers() -> tuple[str, ...]:
    return tuple(row["申请号"] for row in _rows() if row.get("申请号"))


@cache
def real_publication_numbers() -> tuple[str, ...]:
    found: set[str] = set()
    for row in _rows():
        for column in ("公开（公告）号", "公开号", "授权公告号"):
            if row.get(column):
                found.add(row[column])
        # Family lists hold publication numbers of many offices: a good spread of formats.
        for column in ("简单同族", "同族专利"):
            found.update(part.strip() for part in re.split(r"[;|]", row.get(column) or "") if part.strip())
    return tuple(sorted(found))


needs_data = pytest.mark.skipif(not PATENTS_CN.is_dir(), reason=f"real data not found at {PATENTS_CN}")


@pytest.mark.slow
@needs_data
def test_every_cn_application_number_in_the_real_exports_passes_its_check_digit() -> None:
    cn = [number for number in real_application_numbers() if number.startswith("CN")]
    assert len(cn) > 27_000  # all five exports plus the Henan sample
    failures = []
    for number in cn:
        try:
            parsed = parse_application_number(number)
        except InvalidNumber as exc:
            failures.append(str(exc))
            continue
        if parsed.canonical != number:
            failures.append(f"{number} -> {parsed.canonical}")
    assert failures == []
    eight_digit = [number for number in cn if len(number) == 12]
    assert len(eight_digit) > 100  # the pre-2003 form is really exercised


@pytest.mark.slow
@needs_data
def test_every_application_number_in_the_real_exports_normalizes() -> None:
    for number in real_application_numbers():
        normalized = normalize_application_number(number)
        if number.startswith("WO"):
            # incoPat writes PCT numbers with a 2-digit year; the canonical form has four.
            assert re.fullmatch(r"WO[A-Z]{2}20\d{8}", normalized), number
        else:
            assert normalized == number


@pytest.mark.slow
@needs_data
def test_every_publication_number_in_the_real_exports_parses_to_itself() -> None:
    found = real_publication_numbers()
    assert len(found) > 20_000
    failures = []
    for number in found:
        try:
            parsed = parse_publication_number(number)
        except InvalidNumber as exc:
            failures.append(str(exc))
            continue
        if parsed.canonical != number:
            failures.append(f"{number} -> {parsed.canonical}")
    assert failures == []


# --- application numbers: accepted ---------------------------------------------------------


def test_worked_example_weighted_sum_is_260() -> None:
    digits = "201910593937"
    weights = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
    assert sum(int(d) * w for d, w in zip(digits, weights, strict=True)) == 260
    assert 260 % 11 == 7
    assert check_digit(digits) == "7"


@pytest.mark.parametrize(
    ("digits", "expected"),
    [
        ("201910593937", "7"),  # CN110298449A's application
        ("202121889167", "X"),  # 10 is written X
        ("202210016632", "1"),
        ("88109087", "5"),  # 8-digit form uses weights 2..9
        ("03819495", "3"),
        ("01816479", "X"),
    ],
)
def test_check_digit_of_real_numbers(digits: str, expected: str) -> None:
    assert check_digit(digits) == expected


@pytest.mark.parametrize(
    "text",
    [
        "CN201910593937.7",
        "201910593937.7",
        "2019105939377",
        "CN2019105939377",
        "ZL201910593937.7",
        "ZL 2019 1 0593937.7",
        "CN 201910593937.7",
        "  cn201910593937.7\n",
        "zl201910593937.7",
        "ＣＮ２０１９１０５９３９３７．７",
        "２０１９１０５９３９３７。７",
        "CN\u3000201910593937.7",
    ],
)
def test_accepted_spellings_of_one_number(text: str) -> None:
    assert parse_application_number(text).canonical == "CN201910593937.7"


def test_fields_of_a_12_digit_number() -> None:
    number = parse_application_number("CN202121889167.x")
    assert number == ApplicationNumber("CN", "202121889167", "X", 2021, 2, "1889167")
    assert number.canonical == "CN202121889167.X"
    assert number.patent_type == "utility_model"
    assert str(number) == "CN202121889167.X"


def test_fields_of_an_8_digit_number() -> None:
    number = parse_application_number("CN88109087.5")
    assert (number.digits, number.check, number.year, number.type_digit, number.serial) == (
        "88109087",
        "5",
        1988,
        1,
        "09087",
    )
    assert number.canonical == "CN88109087.5"
    assert parse_application_number("CN01816479.X").year == 2001
    assert parse_application_number("CN03819495.3").patent_type == "invention"  # type 8: PCT
    assert parse_application_number("8510638 53").year == 1985


@pytest.mark.parametrize(
    ("type_digit", "patent_type"),
    [(1, "invention"), (8, "invention"), (2, "utility_model"), (9, "utility_model"), (3, "design")],
)
def test_patent_type_from_type_digit(type_digit: int, patent_type: str) -> None:
    assert parse_application_number(with_check(f"2019{type_digit}0593937")).patent_type == patent_type
    assert parse_application_number(with_check(f"96{type_digit}00452")).patent_type == patent_type


def test_year_bounds_are_inclusive() -> None:
    assert parse_application_number(with_check("200310000001")).year == 2003
    assert parse_application_number(with_check(f"{CURRENT_YEAR}10000001")).year == CURRENT_YEAR
    assert parse_application_number(with_check("85100001")).year == 1985
    assert parse_application_number(with_check("03100001")).year == 2003


def test_application_number_is_frozen() -> None:
    number = parse_application_number("CN201910593937.7")
    with pytest.raises(AttributeError):
        number.check = "8"  # type: ignore[misc]


# --- application numbers: rejected ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", APP_EMPTY),
        ("   ", APP_EMPTY),
        ("CN", APP_WRONG_LENGTH),
        ("CN201910593937", APP_MISSING_CHECK),
        ("CN201910593937.", APP_MISSING_CHECK),
        ("ZL 2019 1 0593937", APP_MISSING_CHECK),
        ("CN88109087", APP_MISSING_CHECK),
        ("CN201910593937.8", APP_WRONG_CHECK),
        ("CN2019105939378", APP_WRONG_CHECK),
        ("CN201910593937.X", APP_WRONG_CHECK),
        ("CN88109087.6", APP_WRONG_CHECK),
        ("CN20191059393.7", APP_WRONG_LENGTH),
        ("CN2019105939371.7", APP_WRONG_LENGTH),
        ("CN1234567", APP_WRONG_LENGTH),
        ("CN12345678901234567", APP_WRONG_LENGTH),
        ("CN20191059393X", APP_WRONG_LENGTH),
        ("CN2019105939A7.7", APP_BAD_CHAR),
        ("CN20191059393X.7", APP_BAD_CHAR),
        ("CN201910593937.A", APP_BAD_CHAR),
        ("CN201910593937-7", APP_BAD_CHAR),
        ("US15950587", APP_BAD_CHAR),
        ("WOCN22122372", APP_BAD_CHAR),
        ("CN2019.10593937.7", APP_BAD_DOT),
        ("CN201910593937.77", APP_BAD_DOT),
        ("CN20191059393.77", APP_BAD_DOT),
    ],
)
def test_rejected_application_numbers(text: str, message: str) -> None:
    error = raises(message, parse_application_number, text)
    if text.strip():
        assert text.strip() in str(error)  # the sentence shows what was received


def test_wrong_check_digit_names_expected_and_actual() -> None:
    error = raises(APP_WRONG_CHECK, parse_application_number, "CN201910593937.8")
    assert error.params["expected"] == "7" and error.params["actual"] == "8"
    assert str(error) == "申请号 CN201910593937.8 的校验位应为 7，实际为 8"
    assert error.render("en") == "The check digit of application number CN201910593937.8 should be 7 but is 8"
    assert isinstance(error, ValueError)


@pytest.mark.parametrize(
    "body",
    [
        f"{CURRENT_YEAR + 1}10000001",  # the future
        "209910593937",
        "200210000001",  # 12-digit form before it existed
        "198810000001",
        "000010000001",
    ],
)
def test_12_digit_year_outside_2003_to_now(body: str) -> None:
    error = raises(APP_YEAR_12, parse_application_number, with_check(body))
    assert error.params["year"] == int(body[:4]) and error.params["last"] == CURRENT_YEAR


@pytest.mark.parametrize("body", ["84100001", "04100001", "50100001", "20100001"])
def test_8_digit_year_outside_1985_to_2003(body: str) -> None:
    error = raises(APP_YEAR_8, parse_application_number, with_check(body))
    assert error.params["year"] == body[:2]


@pytest.mark.parametrize("type_digit", [0, 4, 5, 6, 7])
def test_impossible_type_digit(type_digit: int) -> None:
    raises(APP_TYPE, parse_application_number, with_check(f"2019{type_digit}0593937"))
    raises(APP_TYPE, parse_application_number, with_check(f"96{type_digit}00452"))


@pytest.mark.parametrize(
    ("digits", "message"),
    [
        ("2019105939", APP_WRONG_LENGTH),
        ("20191059393a", APP_BAD_CHAR),
        ("２０１９１０５９３９３７", APP_BAD_CHAR),
    ],
)
def test_check_digit_wants_8_or_12_ascii_digits(digits: str, message: str) -> None:
    raises(message, check_digit, digits)


# --- publication numbers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "canonical", "kind", "patent_type"),
    [
        ("CN110298449A", "CN110298449A", "A", "invention"),
        ("CN110298449B", "CN110298449B", "B", "invention"),
        ("CN107295441B", "CN107295441B", "B", "invention"),
        ("cn 110298449 a", "CN110298449A", "A", "invention"),
        ("ＣＮ１１０２９８４４９Ａ", "CN110298449A", "A", "invention"),
        ("CN1328842C", "CN1328842C", "C", "invention"),
        ("CN218751475U", "CN218751475U", "U", "utility_model"),
        ("CN200956265Y", "CN200956265Y", "Y", "utility_model"),
        ("CN308051751S", "CN308051751S", "S", "design"),
        ("CN3492224D", "CN3492224D", "D", "design"),
        ("CN105807763B8", "CN105807763B8", "B8", "invention"),
        ("US20190320115A1", "US20190320115A1", "A1", None),
        ("US 2019/0320115 A1", "US20190320115A1", "A1", None),
        ("US 10,686,988 B2", "US10686988B2", "B2", None),
        ("WO2021000716A1", "WO2021000716A1", "A1", None),
        ("WO 2021/000716 a1", "WO2021000716A1", "A1", None),
        ("DE102019108599A1", "DE102019108599A1", "A1", None),
        ("JP2023000084U", "JP2023000084U", "U", None),
        ("JPWO2019026728A1", "JPWO2019026728A1", "A1", None),
        ("SG11201708516YA", "SG11201708516YA", "A", None),
        ("TWI762696B", "TWI762696B", "B", None),
    ],
)
def test_accepted_publication_numbers(text: str, canonical: str, kind: str, patent_type: str | None) -> None:
    number = parse_publication_number(text)
    assert number.canonical == canonical == str(number)
    assert number.kind == kind
    assert number.patent_type == patent_type


def test_publication_number_fields() -> None:
    assert parse_publication_number("US20190320115A1") == PublicationNumber("US", "20190320115", "A1")
    assert parse_publication_number("SG11201708516YA").number == "11201708516Y"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", PUB_EMPTY),
        (" / ", PUB_EMPTY),
        ("CN110298449", PUB_MISSING_KIND),
        ("US20190320115", PUB_MISSING_KIND),
        ("KR1020227042536", PUB_MISSING_KIND),
        ("110298449A", PUB_FORMAT),
        ("C110298449A", PUB_FORMAT),
        ("CNA", PUB_FORMAT),
        ("USABCA1", PUB_FORMAT),
        ("CN1102984#49A", PUB_FORMAT),
        ("CN110298449X", PUB_CN_KIND),
        ("CN110298449A1", PUB_CN_KIND),
        ("CN110298449U1", PUB_CN_KIND),
        ("CN110298A", PUB_CN_NUMBER),
        ("CN1102984490A", PUB_CN_NUMBER),
        ("CNWO2019026A", PUB_CN_NUMBER),
    ],
)
def test_rejected_publication_numbers(text: str, message: str) -> None:
    error = raises(message, parse_publication_number, text)
    if message != PUB_EMPTY:
        assert text in str(error)


# --- normalize_application_number ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "jurisdiction", "expected"),
    [
        ("CN201910593937.7", None, "CN201910593937.7"),
        ("ZL 2019 1 0593937.7", None, "CN201910593937.7"),
        ("201910593937.7", None, "CN201910593937.7"),
        ("2019105939377", "CN", "CN201910593937.7"),
        ("ｃｎ２０１９１０５９３９３７．７", "cn", "CN201910593937.7"),
        ("US15950587", None, "US15950587"),
        ("US15950587", "US", "US15950587"),
        ("15950587", "US", "US15950587"),
        ("15/950,587", "us", "US15950587"),
        ("DE102022120332", None, "DE102022120332"),
        ("10-2022-7042536", "KR", "KR1020227042536"),
        ("JP2022549416", None, "JP2022549416"),
        ("IN7305DELNP2014", None, "IN7305DELNP2014"),
        ("2019-123456", "JP", "JP2019123456"),
        ("PCT/CN2019/094567", "WO", "WOCN2019094567"),
        ("PCT/CN2019/094567", None, "WOCN2019094567"),
        ("WOCN2019094567", None, "WOCN2019094567"),
        ("WOCN19094567", None, "WOCN2019094567"),  # incoPat's 2-digit year
        ("CN2019/094567", "WO", "WOCN2019094567"),
        ("PCT/CN98/00123", None, "WOCN9800123"),  # pre-2004: kept, only compacted
    ],
)
def test_normalize_application_number(text: str, jurisdiction: str | None, expected: str) -> None:
    assert normalize_application_number(text, jurisdiction) == expected


@pytest.mark.parametrize(
    ("text", "jurisdiction", "message"),
    [
        ("", None, NORM_EMPTY),
        ("", "US", NORM_EMPTY),
        ("US", None, NORM_EMPTY),
        ("PCT//", None, NORM_EMPTY),
        ("", "CN", APP_EMPTY),
        ("15950587", "USA", NORM_OFFICE),
        ("15950587", "1", NORM_OFFICE),
        ("15950587", "", NORM_OFFICE),
        ("#15950587", None, NORM_NO_OFFICE),
        ("U15950587", None, NORM_NO_OFFICE),
        ("US15950587#", None, NORM_BAD_CHAR),
        ("15950587_1", "US", NORM_BAD_CHAR),
        ("CN201910593937", None, APP_MISSING_CHECK),
        ("201910593937.8", None, APP_WRONG_CHECK),
        ("201910593937.8", "CN", APP_WRONG_CHECK),
        ("15950587", None, APP_MISSING_CHECK),  # bare digits are read as CN
    ],
)
def test_normalize_rejects(text: str, jurisdiction: str | None, message: str) -> None:
    raises(message, normalize_application_number, text, jurisdiction)


# --- unified social credit codes -----------------------------------------------------------

# Codes as printed on business licences and published by the holders (Huawei
# 914403001922038216, Tencent 9144030071526726XG, Baidu 91110000802100433B …), the sample
# of GB 32100 (91350100M000100Y43), and codes from python-stdnum's published test list
# (a public-institution 12…, individual businesses 92…, an L in the organisation code).
REAL_USCC = [
    "91110000802100433B",
    "914403001922038216",
    "9144030071526726XG",
    "91330100716105852F",
    "91110108551385082Q",
    "91440300192317458F",
    "91350100M000100Y43",
    "121200004013590816",
    "91110000600037341L",
    "91310115MA1K3BTP2B",
    "92340603MA2PBQ16XJ",
    "91620105L015101280",
]


@pytest.mark.parametrize("code", REAL_USCC)
def test_real_uscc_codes_pass(code: str) -> None:
    assert parse_uscc(code) == code
    assert uscc_check_character(code[:17]) == code[17]


def test_uscc_weights_are_powers_of_three_mod_31() -> None:
    # GB 32100-2015's table; the task brief's list differed from the 11th weight on.
    assert numbers.USCC_WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    assert len(USCC_ALPHABET) == 31 and not set("IOZSV") & set(USCC_ALPHABET)


@pytest.mark.parametrize(
    "text",
    [
        "9111 0000 8021 0043 3B",
        "91110000802100433b",
        "９１１１００００８０２１００４３３Ｂ",
        " 91110000802100433B\t",
    ],
)
def test_uscc_accepted_spellings(text: str) -> None:
    assert parse_uscc(text) == "91110000802100433B"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", USCC_EMPTY),
        ("91110000802100433", USCC_LENGTH),
        ("91110000802100433BB", USCC_LENGTH),
        ("91110000802100433I", USCC_BAD_CHAR),
        ("9111000080210O433B", USCC_BAD_CHAR),
        ("911100008021004S3B", USCC_BAD_CHAR),
        ("91110000-802100433B", USCC_BAD_CHAR),
        ("91110000802100433C", USCC_WRONG_CHECK),
        ("914403001922038215", USCC_WRONG_CHECK),
        ("91AB0000802100433" + uscc_check_character("91AB0000802100433"), USCC_REGION),
    ],
)
def test_rejected_uscc(text: str, message: str) -> None:
    error = raises(message, parse_uscc, text)
    if text:
        assert text in str(error)


def test_uscc_wrong_check_names_expected_and_actual() -> None:
    error = raises(USCC_WRONG_CHECK, parse_uscc, "91110000802100433C")
    assert (error.params["expected"], error.params["actual"]) == ("B", "C")


@pytest.mark.parametrize(
    ("first17", "message"), [("9111000080210043", USCC_BODY_LENGTH), ("91110000802100433b", USCC_BODY_LENGTH)]
)
def test_uscc_check_character_wants_17_characters(first17: str, message: str) -> None:
    raises(message, uscc_check_character, first17)


def test_uscc_check_character_wants_canonical_characters() -> None:
    raises(USCC_BAD_CHAR, uscc_check_character, "91110000802100i33")


# --- messages and docs ---------------------------------------------------------------------


@pytest.mark.parametrize("message", numbers.MESSAGES)
def test_every_message_has_an_english_translation_with_the_same_placeholders(message: str) -> None:
    english = gettext(message, "en")
    assert english != message
    assert set(re.findall(r"\{(\w+)\}", english)) == set(re.findall(r"\{(\w+)\}", message))


def test_errors_render_in_english() -> None:
    error = raises(APP_TYPE, parse_application_number, with_check("201940593937"))
    english = error.render("en")
    assert "4" in english and "expected 1 or 8 (invention)" in english
    assert "统一社会信用代码" not in raises(USCC_LENGTH, parse_uscc, "9111").render("en")


def test_docstring_examples() -> None:
    result = doctest.testmod(numbers)
    assert result.attempted > 5 and result.failed == 0


# --- properties ----------------------------------------------------------------------------

TYPE_DIGITS = st.sampled_from("12389")
bodies_12 = st.builds(
    lambda year, type_digit, serial: f"{year}{type_digit}{serial:07d}",
    st.integers(2003, CURRENT_YEAR),
    TYPE_DIGITS,
    st.integers(0, 9_999_999),
)
bodies_8 = st.builds(
    lambda year_code, type_digit, serial: f"{year_code:02d}{type_digit}{serial:05d}",
    st.sampled_from([*range(85, 100), *range(4)]),
    TYPE_DIGITS,
    st.integers(0, 99_999),
)
bodies = st.one_of(bodies_12, bodies_8)


def full_width(char: str) -> str:
    if char == " ":
        return "\u3000"
    return chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char


@st.composite
def styled(draw: st.DrawFn, text: str) -> str:
    """``text`` written as a person might: case, full-width characters, spaces anywhere."""
    out = []
    for char in text:
        if char.isalpha() and draw(st.booleans()):
            char = char.lower()
        if draw(st.booleans()):
            char = full_width(char)
        out.append(char)
        if draw(st.integers(0, 5)) == 0:
            out.append(draw(st.sampled_from([" ", "\u3000", "\t"])))
    return "".join(out)


@st.composite
def written_application_numbers(draw: st.DrawFn) -> tuple[str, str]:
    """(canonical, a spelling of it)"""
    body = draw(bodies)
    check = check_digit(body)
    prefix = draw(st.sampled_from(["", "CN", "ZL", "CN "]))
    dot = draw(st.sampled_from(["", ".", "。"]))
    return f"CN{body}.{check}", draw(styled(prefix + body + dot + check))


@given(written_application_numbers())
def test_any_accepted_spelling_parses_back_to_the_canonical(case: tuple[str, str]) -> None:
    canonical, written = case
    assert parse_application_number(written).canonical == canonical
    assert normalize_application_number(written) == canonical
    assert parse_application_number(canonical).canonical == canonical


@given(bodies, st.data())
def test_any_single_character_error_is_caught(body: str, data: st.DataObject) -> None:
    # 11 is prime and every weight is non-zero mod 11, so a changed digit always changes the
    # weighted sum mod 11: one wrong digit is never another valid number.
    number = body + check_digit(body)
    position = data.draw(st.integers(0, len(number) - 1))
    alphabet = "0123456789X" if position == len(body) else "0123456789"
    replacement = data.draw(st.sampled_from(alphabet).filter(lambda c: c != number[position]))
    typo = number[:position] + replacement + number[position + 1 :]
    with pytest.raises(InvalidNumber):
        parse_application_number(typo)


@given(bodies, st.data())
def test_any_swap_of_neighbouring_digits_is_caught(body: str, data: st.DataObject) -> None:
    # Neighbouring weights differ by 1 (or 7 between the 9 and the 2), never by 0 mod 11.
    position = data.draw(st.integers(0, len(body) - 2))
    swapped = body[:position] + body[position + 1] + body[position] + body[position + 2 :]
    if swapped == body:
        return
    with pytest.raises(InvalidNumber):
        parse_application_number(swapped + check_digit(body))


USCC_CHARS = st.sampled_from(USCC_ALPHABET)
uscc_bodies = st.builds(
    lambda head, region, tail: "".join(head) + region + "".join(tail),
    st.lists(USCC_CHARS, min_size=2, max_size=2),
    st.integers(0, 999_999).map(lambda n: f"{n:06d}"),
    st.lists(USCC_CHARS, min_size=9, max_size=9),
)


@given(uscc_bodies, st.data())
def test_uscc_round_trip(body: str, data: st.DataObject) -> None:
    code = body + uscc_check_character(body)
    assert parse_uscc(code) == code
    assert parse_uscc(data.draw(styled(code))) == code


@given(uscc_bodies, st.data())
def test_any_single_uscc_character_error_is_caught(body: str, data: st.DataObject) -> None:
    # 31 is prime and no weight is 0 mod 31: one wrong character always breaks the check.
    code = body + uscc_check_character(body)
    position = data.draw(st.integers(0, 17))
    replacement = data.draw(USCC_CHARS.filter(lambda c: c != code[position]))
    with pytest.raises(InvalidNumber):
        parse_uscc(code[:position] + replacement + code[position + 1 :])


cn_publications = st.builds(
    lambda digits, kind: f"CN{digits}{kind}",
    st.from_regex(r"[1-3][0-9]{6,8}", fullmatch=True),
    st.sampled_from(["A", "B", "C", "U", "Y", "S", "D", "B8", "A9"]),
)
other_publications = st.builds(
    lambda office, serial, kind: f"{office}{serial}{kind}",
    st.from_regex(r"[A-Z]{2}", fullmatch=True).filter(lambda office: office != "CN"),
    st.from_regex(r"[A-Z0-9]{0,3}[0-9]{4,12}", fullmatch=True),
    st.from_regex(r"[A-Z][0-9]?", fullmatch=True),
)


@given(st.one_of(cn_publications, other_publications), st.data())
def test_publication_numbers_round_trip(canonical: str, data: st.DataObject) -> None:
    parsed = parse_publication_number(data.draw(styled(canonical)))
    assert parsed.canonical == canonical
    assert (parsed.patent_type is None) == (parsed.jurisdiction != "CN")
