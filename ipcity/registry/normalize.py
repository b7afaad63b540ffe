"""Holder names: splitting applicant fields, the matching key, the display form, the kind.

Pure functions on strings (no database or web import). The registry service calls
:func:`split_applicants` on an imported applicant field, looks a holder up by
:func:`normalize_name`, and, when the holder is new, stores :func:`display_name` and
:func:`infer_holder_kind`.

Decisions (each one is a rule for every name, never a list of particular names):

- The key merges only *spellings* of one name: full-/half-width, bracket shapes, spacing,
  case, punctuation, Latin diacritics, the English article "the", a US governing-board
  prefix ("Regents of", "Trustees of"), ``&`` = "and", and the
  abbreviation of the *same* word (Inc = Incorporated, Corp = Corporation, Co = Company,
  Ltd = Limited, Univ = University, GmbH = Gesellschaft mit beschränkter Haftung …).
- Different legal forms are never merged: 有限公司 ≠ 股份有限公司 ≠ 有限责任公司 (the real
  files hold both "通用电气航空系统有限公司" and "…有限责任公司": the translations of two
  different companies, a Ltd and an LLC); "Inc" ≠ "Corp" ≠ "Co" ≠ "LLC"; and a name with a
  legal form ≠ the same name without one ("Yazaki North America" ≠ "…, Inc."), because
  a key that merges two holders can't be undone by the officer who sees only one.
- ``、`` does not separate applicants: no real export uses it between applicants, and it
  does occur inside one name ("宁夏回族自治区人民医院(宁夏眼科医院、西北民族大学第一附属医院)").
- Hospitals are ``other``: they are neither research institutes nor universities (also
  "XX大学附属医院", a legal person of its own); the kind of a Chinese name is decided by
  the *last* organisation word in it, so "XX大学附属医院" is a hospital and
  "中国科学院大学" a university.
- A name with no recognisable signal is ``other`` (an officer corrects it); a personal
  name needs its shape (2–4 Han characters, or "Firstname Lastname" with no organisation word).
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

from ipcity.registry.records import HolderKind

__all__ = [
    "display_name",
    "infer_holder_kind",
    "legal_form",
    "normalize_name",
    "split_applicants",
]

# ---------------------------------------------------------------------------------------------
# Character-level repair shared by all functions
# ---------------------------------------------------------------------------------------------

# Zero-width and formatting characters that exports leave inside names; invisible, so two
# names that differ only by them look identical to an officer and must be one holder.
_INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\ufeff\u00ad\u180e"
# Control characters other than tab and line breaks (which are blanks): incoPat's export
# holds "\x7fkabushiki Kaisha Toyota Jidoshokki". Invisible too, and a page cannot show
# them. The C1 range is removed only after _repair, which reads it as mojibake bytes.
_INVISIBLE += "".join(
    chr(code) for code in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0))
)
_INVISIBLE_RE = re.compile(f"[{_INVISIBLE}]")
# UTF-8 read as cp1252/Latin-1 ("UniversitÃ©") starts with one of these lead characters.
_MOJIBAKE_HINT = re.compile("[ÃÂâÅÄ]")
_ENTITY_RE = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]+\d*);")
# A quote entity that lost its "&" ("ldquo;HORBACHEVSKYI …" in a Lens record): its ";" is
# no separator. Only quote names: "AMP; Intel" is two applicants.
_BARE_QUOTE_ENTITY_RE = re.compile(r"\b(?:ldquo|rdquo|lsquo|rsquo|bdquo|quot);")


def _mojibake_bytes(text: str) -> bytes | None:
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1252")
        except UnicodeEncodeError:
            # cp1252 leaves 0x81, 0x8d, 0x8f, 0x90, 0x9d undefined; decoders pass them through.
            if ord(char) < 256:
                out.append(ord(char))
            else:
                return None
    return bytes(out)


def _repair(text: str) -> str:
    """Undo HTML entities ("Universit&eacute;", "ldquo;") and UTF-8 decoded as cp1252, up to
    twice ("UniversitÃƒÂ©" → "Université"); all occur in real assignee names."""
    if "&" in text and _ENTITY_RE.search(text):
        text = html.unescape(text)
    if "quo" in text:
        text = _BARE_QUOTE_ENTITY_RE.sub(lambda match: html.unescape("&" + match.group(0)), text)
    for _ in range(3):
        if not _MOJIBAKE_HINT.search(text):
            break
        raw = _mojibake_bytes(text)
        if raw is None:
            break
        try:
            fixed = raw.decode("utf-8")
        except UnicodeDecodeError:
            break
        if fixed == text:
            break
        text = fixed
    return text


def _nfkc(text: str) -> str:
    """Repaired, then NFKC (full-width → half-width). Mojibake must be undone before NFKC,
    which rewrites some of its characters ("²" → "2"); an entity written in full-width
    letters ("＆ａｍｐ；") only appears after NFKC, so entities are looked for again."""
    text = unicodedata.normalize("NFKC", _repair(text))
    if "&" in text or "quo" in text:
        text = unicodedata.normalize("NFKC", _repair(text))
    return text


# ---------------------------------------------------------------------------------------------
# split_applicants
# ---------------------------------------------------------------------------------------------

# Separators seen in the real exports: incoPat "; ", the 62-column export ";", Patentics
# " | ", hand-made Excel "；" and line breaks inside a cell.
_SEPARATORS = frozenset(";；|｜\n\r")
_SEPARATOR_RE = re.compile("[;；|｜\n\r]")
_OPEN = "([（【［〔〖{｛"
_CLOSE = ")]）】］〕〗}｝"


def _matching_close(text: str, start: int) -> int:
    """Index of the bracket closing the one at ``start`` (any bracket shape), or -1."""
    depth = 0
    for index in range(start, len(text)):
        char = text[index]
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth -= 1
            if depth == 0:
                return index
    return -1


def _unwrap_square(text: str) -> str:
    """Drop one pair of square brackets around the whole text (incoPat's 标准化申请人
    wraps the field: "[丰田公司-C; 协同油脂-C]")."""
    text = text.strip()
    while len(text) >= 2 and text[0] in "[［" and _matching_close(text, 0) == len(text) - 1:
        text = text[1:-1].strip()
    return text


def _split_top_level(text: str) -> list[str] | None:
    """Split at separators outside brackets; None when the brackets don't balance."""
    parts: list[str] = []
    depth = 0
    start = 0
    for index, char in enumerate(text):
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth = max(depth - 1, 0)  # a stray closer must not block every later split
        elif char in _SEPARATORS and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    if depth != 0:
        return None
    parts.append(text[start:])
    return parts


def split_applicants(text: str | None) -> list[str]:
    """Split one applicant field into names, in the order filed (the first holder matters).

    Separators are ``;``, ``；``, ``|`` and line breaks, but only outside brackets, so a
    name holding a separator inside brackets stays whole. incoPat's 标准化申请人 form,
    ``[A; B]`` or ``[A]; [B]``, loses its brackets. ``,`` and ``、`` never split: English
    names contain commas ("Toyota Motor Co., Ltd.", "Choi, Kil Woong") and Chinese names
    contain ``、``. Empty parts are dropped, and so is a repeat of a name already in the
    field (same :func:`normalize_name` key), keeping the first spelling. Names come back
    trimmed, with HTML entities and mojibake repaired, otherwise as written;
    :func:`display_name` tidies them.

    >>> split_applicants("[丰田公司-C; 协同油脂-C]")
    ['丰田公司-C', '协同油脂-C']
    >>> split_applicants("京东方科技集团股份有限公司 | 北京京东方光电科技有限公司")
    ['京东方科技集团股份有限公司', '北京京东方光电科技有限公司']
    >>> split_applicants("Ho,  Bong Sik; Ho,  Sung Woong")
    ['Ho,  Bong Sik', 'Ho,  Sung Woong']
    """
    if not text:
        return []
    # Entities first: "AT&amp;T" holds a ";" that is no separator.
    text = _unwrap_square(_repair(text))
    parts = _split_top_level(text)
    if parts is None:
        # Unbalanced brackets (a typo in the source): splitting at every separator is the
        # lesser harm than keeping several applicants glued into one name.
        parts = _SEPARATOR_RE.split(text)
    names: list[str] = []
    seen: set[str] = set()
    for part in parts:
        name = _unwrap_square(part)
        if not name:
            continue
        key = normalize_name(name)
        if not key or key in seen:
            continue
        seen.add(key)
        names.append(name)
    return names


# ---------------------------------------------------------------------------------------------
# normalize_name
# ---------------------------------------------------------------------------------------------


def _latin_fold_table() -> dict[int, str | None]:
    """Latin letters with diacritics → base letters ("Universität" = "Universitat"): US
    and many Chinese databases drop diacritics. Built only for the Latin blocks: folding
    Japanese kana the same way would turn ガ into カ. Applied after case-folding, so the
    letters without a decomposition need only their lower case."""
    table: dict[int, str | None] = {}
    for code in range(0xC0, 0x250):
        char = chr(code)
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        if base != char and base.isascii() and base:
            table[code] = base
    extra = {"ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ł": "l", "þ": "th", "ı": "i"}
    table.update({ord(char): base for char, base in extra.items()})
    table[0x0307] = None  # "İ".casefold() leaves a combining dot above
    return table


def _key_table() -> dict[int, str | None]:
    table = _latin_fold_table()
    for char in _INVISIBLE:
        table[ord(char)] = None
    for char in "([{（【［〔〖｛<《〈「『":
        table[ord(char)] = "("
    for char in ")]}）】］〕〗｝>》〉」』":
        table[ord(char)] = ")"
    # Separating punctuation becomes a space, so "Co.,Ltd." tokenises as "co ltd" and
    # "U.S.A." as "u s a"; spaces are removed at the end, so it also vanishes.
    for char in ".,，、;；:：·・•‧∙-‐‑‒–—―~～/\\_!?！？*\t\n\r\u3000\u00a0":
        table[ord(char)] = " "
    # Quotes and apostrophes join ("Int'l" = "Intl", "Hawai'i" = "Hawaii").
    for char in "'\"`´‘’‚‛“”„‟«»":
        table[ord(char)] = None
    table[ord("&")] = " and "
    table[ord("＆")] = " and "
    return table


_KEY_TABLE = _key_table()

# Abbreviations of the *same* word (never of a different legal form). Multi-word forms
# first, so "limited liability company" becomes "llc" before "limited" becomes "ltd".
_WORD_EQUIVALENTS: dict[str, str] = {
    "gesellschaft mit beschrankter haftung": "gmbh",
    "limited liability company": "llc",
    "limited liability partnership": "llp",
    "limited partnership": "lp",
    "public limited company": "plc",
    "kabushiki kaisha": "kk",
    "kabushikikaisha": "kk",
    "aktiengesellschaft": "ag",
    "incorporated": "inc",
    "corporation": "corp",
    "company": "co",
    "compagnie": "cie",
    "limited": "ltd",
    "univ": "university",
    "mfg": "manufacturing",
    "intl": "international",
    "natl": "national",
    "assn": "association",
    "dept": "department",
    "centre": "center",
    "ctr": "center",
    "bros": "brothers",
}
_WORD_RE = re.compile(
    r"\b(?:"
    + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(_WORD_EQUIVALENTS, key=len, reverse=True))
    + r")\b"
)
# The article carries nothing ("The University of Bradford" = "University of Bradford",
# "Secretary of the Navy" = "Secretary of Navy").
_THE_RE = re.compile(r"\bthe\b")
# A US university or trust holds property in the name of its governing board: "The Regents
# of the University of California" *is* the University of California in law, as "Trustees
# of Princeton University" is Princeton University, so the board prefix is not part of the key.
_GOVERNING_BOARD_RE = re.compile(
    r"^\s*(?:the\s+)?(?:board\s+of\s+(?:regents|trustees|governors|supervisors)|regents|trustees"
    r"|president\s+and\s+fellows)\s+(?:of\s+)?(?=[a-z0-9])"
)
_SPACES_RE = re.compile(r"\s+")
_ASCII_LETTER_RE = re.compile(r"[a-z]")
# Keys end on a letter, digit, CJK character or ")": trailing "." "-" "," are noise.
_EDGE_PUNCT_RE = re.compile(r"^[^\w(]+|[^\w)]+$")


def _word_equivalent(match: re.Match[str]) -> str:
    return _WORD_EQUIVALENTS[_SPACES_RE.sub(" ", match.group(0))]


@lru_cache(maxsize=1 << 18)
def normalize_name(name: str) -> str:
    """The matching key of a holder name: one key = one holder.

    Merges spellings only: NFKC (full-width → half-width), every bracket shape → ``()``,
    no spaces or invisible characters, case-folded and diacritic-free Latin, punctuation
    dropped ("Co., Ltd." = "Co Ltd"), ``&`` = "and", the English article "the" and a
    governing-board prefix ("The Regents of …", "Trustees of …") dropped, and
    same-word abbreviations (Inc/Incorporated, Corp/Corporation, Co/Company, Ltd/Limited,
    GmbH, KK, Univ/University …). Different legal forms keep different keys.

    >>> normalize_name("海创时代（深圳）医疗科技有限公司") == normalize_name("海创时代(深圳)医疗科技有限公司")
    True
    >>> normalize_name("Toyota Motor Co., Ltd.") == normalize_name("TOYOTA MOTOR COMPANY LIMITED")
    True
    >>> normalize_name("鹤壁市XX有限公司") == normalize_name("鹤壁市XX股份有限公司")
    False
    >>> normalize_name("The General Electric Company")
    'generalelectricco'
    """
    key = _key_once(name)
    # The key must be a fixed point (normalize_name(key) == key), but removing spaces can
    # make a new word ("uni v" → "univ") or put a combining mark next to a letter it now
    # composes with ("e \u0301"); then one more pass. Cheap checks keep this off the common path.
    for _ in range(3):
        if unicodedata.is_normalized("NFKC", key) and not (
            _ASCII_LETTER_RE.search(key) and (_WORD_RE.search(key) or _THE_RE.search(key))
        ):
            break
        again = _key_once(key)
        if again == key:
            break
        key = again
    return key


def _key_once(name: str) -> str:
    text = _nfkc(name).casefold().translate(_KEY_TABLE)
    if _ASCII_LETTER_RE.search(text):
        text = _GOVERNING_BOARD_RE.sub("", text)
        text = _THE_RE.sub(" ", text)
        text = _WORD_RE.sub(_word_equivalent, text)
    return _EDGE_PUNCT_RE.sub("", _SPACES_RE.sub("", text))


# ---------------------------------------------------------------------------------------------
# display_name
# ---------------------------------------------------------------------------------------------

_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN_RE = re.compile(f"[{_HAN}]")
# Han, kana and Hangul: names in these scripts put the head noun last.
_CJK_SCRIPT_RE = re.compile(f"[{_HAN}\u3040-\u30ff\u31f0-\u31ff\uac00-\ud7a3]")
_CJK_PAREN_TABLE = str.maketrans({"(": "（", ")": "）"})


def display_name(name: str) -> str:
    """The name as shown: trimmed, inner whitespace collapsed to one space, invisible
    characters removed, full-width Latin letters and digits made half-width; parentheses
    full-width （） in Chinese names and half-width () in the others. Spaces between
    Chinese characters stay (they separate the parts of a transliterated personal name,
    "菲利普 诺比劳"), and so do case and the rest of the punctuation as filed (a Chinese
    name keeps its "，").

    >>> display_name("  海创时代(深圳)医疗科技有限公司 ")
    '海创时代（深圳）医疗科技有限公司'
    >>> display_name("Lg Display Co.,  Ltd.")
    'Lg Display Co., Ltd.'
    >>> display_name("ＳＯＮＹ（ＣＨＩＮＡ）")
    'SONY(CHINA)'
    """
    text = _repair(name).translate(_DISPLAY_TABLE)
    text = _SPACES_RE.sub(" ", text).strip()
    if _HAN_RE.search(text):
        text = text.translate(_CJK_PAREN_TABLE)
        # "（ 深圳 ）" → "（深圳）": a space inside full-width brackets is an artefact, and so
        # is one between them and a Chinese character ("…股份有限公司 (日本)" of incoPat).
        text = text.replace("（ ", "（").replace(" ）", "）")
        text = _SPACE_AT_CJK_BRACKET_RE.sub("", text)
    else:
        text = text.translate(_LATIN_PAREN_TABLE)
    return text


# Full-width ASCII letters and digits (U+FF10…U+FF5A) → ASCII; U+3000 → space; invisible → gone.
_DISPLAY_TABLE: dict[int, str | None] = {
    **{code: chr(code - 0xFEE0) for code in range(0xFF10, 0xFF5B) if chr(code - 0xFEE0).isalnum()},
    0x3000: " ",
    **{ord(char): None for char in _INVISIBLE},
}
_LATIN_PAREN_TABLE = str.maketrans({"（": "(", "）": ")"})
_SPACE_AT_CJK_BRACKET_RE = re.compile(f"(?<=[{_HAN}）]) (?=（)|(?<=）) (?=[{_HAN}（])")


# ---------------------------------------------------------------------------------------------
# legal_form
# ---------------------------------------------------------------------------------------------

# Chinese legal forms, tested in order on the end of the name (brackets included:
# "（有限合伙）"). Longer forms first: 股份有限公司 also ends in 有限公司.
_CN_LEGAL_FORMS: tuple[tuple[str, str], ...] = (
    (r"\(特殊普通合伙\)$", "特殊普通合伙"),
    (r"\(普通合伙\)$", "普通合伙"),
    (r"\(有限合伙\)$", "有限合伙"),
    (r"有限责任合伙企业$", "有限责任合伙企业"),
    (r"有限合伙企业?$", "有限合伙"),
    (r"普通合伙企业?$", "普通合伙"),
    (r"合伙企业$", "合伙企业"),
    (r"个人独资企业$", "个人独资企业"),
    (r"分公司$", "分公司"),
    (r"股份有限公司$", "股份有限公司"),
    (r"股份公司$", "股份公司"),
    (r"有限责任公司$", "有限责任公司"),
    (r"有限公司$", "有限公司"),
    (r"合作社$", "合作社"),
    (r"(?:^株式会社|株式会社$|^\(株\))", "株式会社"),
    (r"有限会社$", "有限会社"),
    (r"公司$", "公司"),
)
_CN_LEGAL_RES = tuple((re.compile(pattern), form) for pattern, form in _CN_LEGAL_FORMS)

# Latin legal-form words, as they read after normalisation (lower case, no dots), with
# the label legal_form() returns. A chain at the end is one form: "Co., Ltd." → "Co Ltd".
_LATIN_LEGAL_LABEL_TEXT = (
    "Inc Corp Co Ltd LLC LLP LP LC PLC GmbH mbH AG KG KGaA eV SA SAS SARL SRL SpA BV NV BVBA SPRL "
    "AB AS ASA ApS Oy Oyj KK Pty Pte SE SL Ltda Bhd Sdn publ CV sro doo Zrt Kft"
)
_LATIN_LEGAL_LABELS: dict[str, str] = {label.casefold(): label for label in _LATIN_LEGAL_LABEL_TEXT.split()}
# Cyrillic transliterations of English forms in Russian filings ("… ко лтд").
_LATIN_LEGAL_LABELS.update({"ко": "Co", "лтд": "Ltd", "инк": "Inc", "корп": "Corp", "гмбх": "GmbH"})
# Words that are legal forms only at the very end (elsewhere they are ordinary words:
# "as represented by", "Co" inside "Co-operative" is split off already).
_LATIN_TRAILING_ONLY = frozenset({"as", "se", "sa", "ag", "ab", "sl", "cv", "ev", "lc"})
# Connectors inside a chain: "GmbH & Co. KG", "S.A. de C.V.".
_LATIN_CHAIN_GLUE = frozenset({"and", "de"})
_LATIN_TOKEN_RE = re.compile(r"[^\W_]+")  # any script's letters: Cyrillic names too


def _latin_tokens(name: str) -> list[str]:
    """Lower-case words of a name after the key's spelling rules, with runs of single
    letters glued ("B V" → "bv", "S R L" → "srl": exports often lose the dots of "B.V.")."""
    text = _nfkc(name).casefold().translate(_KEY_TABLE)
    text = _WORD_RE.sub(_word_equivalent, text)
    tokens: list[str] = []
    in_letter_run = False
    for token in _LATIN_TOKEN_RE.findall(text):
        single = len(token) == 1 and token.isalpha()
        if single and in_letter_run:
            tokens[-1] += token
        else:
            tokens.append(token)
        in_letter_run = single
    return tokens


def _latin_chain(tokens: list[str]) -> list[str]:
    """The legal-form words that end a name, in order ("co ltd", "gmbh and co kg")."""
    chain: list[str] = []
    for index in range(len(tokens) - 1, 0, -1):  # index 0 is the name itself, never a form
        token = tokens[index]
        is_form = token in _LATIN_LEGAL_LABELS and (
            token not in _LATIN_TRAILING_ONLY or not chain or chain[0] in _LATIN_CHAIN_GLUE
        )
        is_glue = token in _LATIN_CHAIN_GLUE and bool(chain) and tokens[index - 1] in _LATIN_LEGAL_LABELS
        if not (is_form or is_glue):
            break
        chain.insert(0, token)
    if len(chain) == len(tokens) - 1 and tokens[0] in _LATIN_LEGAL_LABELS:
        return []  # nothing but legal words ("Co Ltd"): no name, so no form either
    return chain


@lru_cache(maxsize=1 << 16)
def legal_form(name: str) -> str | None:
    """The legal form a name ends in (or starts with, for 株式会社 / Kabushiki Kaisha),
    or None. Names whose forms differ are different holders; :func:`normalize_name` keeps
    them apart.

    Chinese forms come back as written in law (有限公司, 有限责任公司, 股份有限公司,
    股份公司, 有限合伙, 普通合伙, 合伙企业, 个人独资企业, 合作社, 分公司, 株式会社, 公司).
    Latin forms come back as a canonical chain: "Co., Ltd." → ``"Co Ltd"``,
    "Incorporated" → ``"Inc"``, "GmbH & Co. KG" → ``"GmbH and Co KG"``.

    >>> legal_form("鹤壁天海电子信息系统股份有限公司")
    '股份有限公司'
    >>> legal_form("Lg Display Co.,  Ltd.")
    'Co Ltd'
    >>> legal_form("张三") is None
    True
    """
    cleaned = _cjk_core(name)
    if _HAN_RE.search(cleaned):
        for pattern, form in _CN_LEGAL_RES:
            if pattern.search(cleaned):
                return form
    tokens = _latin_tokens(name)
    if tokens[:2] == ["kabushiki", "kaisha"] or tokens[:1] == ["kk"]:
        return "KK"
    chain = _latin_chain(tokens)
    if not chain:
        return None
    return " ".join(_LATIN_LEGAL_LABELS.get(token, token) for token in chain)


def _cjk_core(name: str) -> str:
    """NFKC, brackets unified to (), no spaces, trailing punctuation gone."""
    text = _nfkc(name).translate(_BRACKET_TABLE)
    return _EDGE_PUNCT_RE.sub("", _SPACES_RE.sub("", text))


_BRACKET_TABLE = str.maketrans(
    {
        **{c: "(" for c in "([{（【［〔〖｛"},
        **{c: ")" for c in ")]}）】］〕〗｝"},
        **{c: None for c in _INVISIBLE},
    }
)


# ---------------------------------------------------------------------------------------------
# infer_holder_kind
# ---------------------------------------------------------------------------------------------

# Chinese organisation words and the kind each one signals. A Chinese name puts its head
# noun last, so the word that ends last decides ("XX大学附属医院" is a hospital,
# "XX研究院有限公司" a company). At one position the earlier alternative wins, so longer
# words come first ("科学院" before "学院", "研究生院" before "研究…中心").
_CN_KIND_WORDS: tuple[tuple[str, HolderKind | None], ...] = (
    # university (with the boards that hold a foreign university's patents: "伊利诺伊大学理事会")
    ("大学[^()]{0,2}?(?:董事会|理事会|评议会|评议委员会|托管委员会|管理处)", "university"),
    ("研究生院", "university"),
    ("大学校", "university"),
    ("大学", "university"),
    ("科学院", "institute"),
    ("工程院", "institute"),
    ("学院", "university"),
    ("学校", "university"),
    ("中学", "university"),
    ("小学", "university"),
    ("学园", "university"),
    ("分校", "university"),
    # institute
    ("研究院", "institute"),
    ("研究所", "institute"),
    ("研究总院", "institute"),
    ("研究组织", "institute"),
    ("研发中心", "institute"),
    ("研究[^()]{0,8}?中心", "institute"),
    ("实验室", "institute"),
    ("设计院", "institute"),
    ("检验所", "institute"),
    ("检测所", "institute"),
    ("检验院", "institute"),
    ("检测院", "institute"),
    ("计量院", "institute"),
    # enterprise
    ("公司", "enterprise"),
    ("集团", "enterprise"),
    ("企业", "enterprise"),
    ("合伙", "enterprise"),
    ("合作社", "enterprise"),
    ("事务所", "enterprise"),
    ("株式会社", "enterprise"),
    ("会社", "enterprise"),
    ("制作所", "enterprise"),
    ("商行", "enterprise"),
    ("商店", "enterprise"),
    ("工作室", "enterprise"),
    ("工作坊", "enterprise"),
    ("经营部", "enterprise"),
    # shops and workshops registered as 个体工商户: "XX五金门市部", "XX家电维修服务部"
    ("(?:门市|服务|加工|经销|销售|批发|维修)部", "enterprise"),
    ("门诊部", "enterprise"),
    ("营业部", "enterprise"),
    ("银行", "enterprise"),
    ("农场", "enterprise"),
    ("林场", "enterprise"),
    ("牧场", "enterprise"),
    ("养殖场", "enterprise"),
    ("出版社", "enterprise"),
    ("报社", "enterprise"),
    ("杂志社", "enterprise"),
    ("旅行社", "enterprise"),
    ("个体工商户", "enterprise"),
    ("厂", "enterprise"),
    ("店", "enterprise"),
    # other: public bodies, associations, military units, hospitals
    ("委员会", "other"),
    ("理事会", "other"),
    ("联合会", "other"),
    ("基金会", "other"),
    ("协会", "other"),
    ("学会", "other"),
    ("商会", "other"),
    ("研究会", "other"),
    ("政府", "other"),
    ("部队", "other"),
    ("解放军", "other"),
    ("武警", "other"),
    ("医院", "other"),
    ("卫生院", "other"),
    ("法院", "other"),
    ("检察院", "other"),
    ("公安", "other"),
    ("海关", "other"),
    ("筹备处", "other"),
    ("厅", "other"),
    ("队", "other"),
    # Weak words (None): a unit named by them takes the kind of the body named before it
    # ("中国科学院国家空间科学中心" is an institute, "广东电网有限责任公司佛山供电局" a company's
    # branch); alone they are public bodies ("建德市疾病预防控制中心", "苏州市公安局").
    ("中心", None),
    ("局", None),
    ("站", None),
    ("馆", None),
    ("台", None),
    ("办公室", None),
    ("办事处", None),
    ("管理处", None),
    # Japanese katakana and Korean Hangul names
    (
        "インコーポレ[イー]テ[ッィ]?ド|コーポレーション|カンパニー|リミテッド|エルエルシー|エルエルピー",
        "enterprise",
    ),
    (
        "ゲゼルシャフト|ゲーエムベーハー|ホールディングス|ソシエテアノニム|エスアー|ベーフェー|アーゲー",
        "enterprise",
    ),
    ("ユニ[バヴ]ーシティ|ウニベルシテ", "university"),
    ("インスティテュート|インスティチュート|アンスティトゥート|ラボラトリー|ルシ[ェャ]ルシュ", "institute"),
    ("주식회사|유한회사|회사|그룹|아이앤씨|인코포레이티드|코포레이션|엘엘씨|리미티드|게엠베하", "enterprise"),
    ("대학교|대학|학교", "university"),
    ("연구원|연구소|연구센터", "institute"),
    ("병원|재단|협회", "other"),
)
_CN_KIND_RE = re.compile("|".join(f"(?P<k{i}>{word})" for i, (word, _) in enumerate(_CN_KIND_WORDS)))
_CN_BRACKETED_RE = re.compile(r"\([^()]*\)")
_LATIN_WORD_RE = re.compile(r"[A-Za-z]{2,}")
# Pieces of a personal name: "菲利普 诺比劳", "迈克尔·J·舒斯特", "马修.艾伦-泰施.佩尔".
_NAME_PIECE_SPLIT_RE = re.compile(r"[\s·•・‧∙.]+")
_HAN_ONLY_RE = re.compile(f"[{_HAN}]+")
_HANGUL_ONLY_RE = re.compile(r"[\uac00-\ud7a3]{2,4}")
_NAME_PIECE_RE = re.compile(
    f"[{_HAN}]{{1,8}}|[{_HAN}]+-[{_HAN}]+|[A-Za-z]{{1,12}}|[\u30a0-\u30ff]{{1,12}}|[\uac00-\ud7a3]{{1,8}}"
)

# Latin-script signals, matched on the lower-case words joined by single spaces. The
# steps run in this order because an earlier one is the stronger evidence.
_LATIN_UNIVERSITY_RE = re.compile(
    r"\b(?:universit\w*|universidad\w*|univerz\w*|университет\w*|college|colleges|polytechnic\w*"
    r"|politecnico|polytechnique"
    r"|hochschule\w*|fachhochschule|school|ecole|daigaku|institute of technology)\b"
)
_LATIN_INSTITUTE_RE = re.compile(
    r"\b(?:institut\w*|istituto|inst|институт\w*|laboratory|laboratorio|laboratorium|research"
    r"|academ\w*|akadem\w*|acad|академи\w*|forschung\w*|wissenschaft\w*|rech|recherche|cnrs"
    r"|energie atomique)\b"
)
_LATIN_HOSPITAL_RE = re.compile(
    r"\b(?:hospital\w*|hosp|hopita\w*|clinic|clinics|klinik\w*|medical center|cancer center)\b"
)
_LATIN_OTHER_RE = re.compile(
    r"\b(?:government|gov|govt|secretary|department|ministry|minister\w*|ministero|ministerium|agency"
    r"|administration|commission|council|association|assoc|society|foundation|federation"
    r"|united states|usa|us|army|navy|air force|military"
    r"|republic|kingdom|city of|state of|county|office|bureau|authority|trust|health|commissariat"
    r"|found|fondazione|fundacion|fondation|stiftung|kyokai)\b"
)
_LATIN_ENTERPRISE_RE = re.compile(
    r"\b(?:inc|corp|co|ltd|llc|llp|lp|plc|gmbh|mbh|kg|kgaa|sarl|srl|spa|bv|nv|kk|pty|pte|ltda|bhd|sdn"
    r"|publ|oy|oyj|holding|holdings|group|groupe|industr\w*|enterprises?|technolog\w*|tech|solutions?"
    r"|systems?|electronic\w*|electric\w*|motors?|automotive|pharma\w*|chemic\w*|chemie|chimie"
    r"|biotech\w*|bioscience\w*|therapeutics?|labs?|laboratories|manufacturing|products?|works"
    r"|werke?|trading|partners|ventures|capital|networks?|software|semiconductors?|communications?"
    r"|telecom\w*|devices?|instruments?|engineering|energy|aerospace|aviation|airlines?|medical"
    r"|foods?|textiles?|steel|metals?|plastics?|packaging|mobile|digital|media|studios?|design"
    r"|bank|insurance|consulting|services?|gesellschaft|kogyo|seisakusho|denki|denko|shoji|sangyo"
    r"|seiki|kagaku|yakuhin|kaisha|obshchestvo|aktsionernoe|общество|bvba|diagnostics|genomics"
    r"|biologics|robotics|dynamics|optics|photonics|analytics|logistics|sciences|healthcare|coatings"
    r"|materials|machinery|marine|shipbuilding|property|patents?|licensing|innovations?)\b|aktiebolag"
)
# Company forms that are no ordinary word anywhere in a name.
_LATIN_COMPANY_FORMS = frozenset({"inc", "corp", "co", "ltd", "llc", "llp", "plc", "gmbh", "mbh", "kk"}) | {
    *("pty", "pte", "ltda", "bhd", "sdn", "bvba", "srl", "sarl", "kgaa", "oyj")
}
# A legal form that opens the name: "SIA Fixar Aero", "OOO Rosneft", "PT Astra".
_LATIN_LEADING_FORMS = frozenset({"sia", "ooo", "zao", "oao", "pao", "pt", "kk", "ao", "ооо", "ао", "пао"})
# Honorifics and generational suffixes: part of a person's name, never of an organisation.
_PERSON_WORDS = frozenset({"dr", "mr", "mrs", "ms", "miss", "prof", "jr", "sr", "ii", "iii", "iv"})


def _infer_cjk_kind(core: str) -> HolderKind | None:
    """Kind of a Chinese, Japanese or Korean name, or None when it holds no organisation word."""
    text = core.replace("(株)", "株式会社").replace("(주)", "주식회사")
    # Bracketed parts qualify the name ("科大讯飞(北京)…", "…医院(…大学第一附属医院)").
    unbracketed = _CN_BRACKETED_RE.sub("", text)
    for candidate in (unbracketed, text):
        kinds: list[HolderKind | None] = []
        best_end = -1
        for match in _CN_KIND_RE.finditer(candidate):
            if match.lastgroup is not None and match.end() > best_end:
                best_end = match.end()
                kinds.append(_CN_KIND_WORDS[int(match.lastgroup[1:])][1])
        if not kinds:
            continue
        # The last word decides; a weak last word defers to the last strong one before it.
        strong = [kind for kind in kinds if kind is not None]
        return strong[-1] if kinds[-1] is None and strong else (kinds[-1] or "other")
    return None


def _looks_like_cjk_person(name: str) -> bool:
    pieces = [piece for piece in _NAME_PIECE_SPLIT_RE.split(name.strip()) if piece]
    if not pieces:
        return False
    if len(pieces) == 1:
        piece = pieces[0]
        return bool(
            (_HAN_ONLY_RE.fullmatch(piece) and 2 <= len(piece) <= 4) or _HANGUL_ONLY_RE.fullmatch(piece)
        )
    cjk = sum(len(piece) for piece in pieces if _CJK_SCRIPT_RE.search(piece))
    return len(pieces) <= 5 and 1 <= cjk <= 24 and all(_NAME_PIECE_RE.fullmatch(piece) for piece in pieces)


def _infer_latin_kind(name: str) -> HolderKind:
    tokens = _latin_tokens(name)
    if not tokens:
        return "other"
    if (
        _latin_chain(tokens)
        or tokens[0] in _LATIN_LEADING_FORMS
        or not _LATIN_COMPANY_FORMS.isdisjoint(tokens)
    ):
        # A legal form is the strongest evidence: "Dana Farber Cancer Institute Inc",
        # "Yamaha Motor Corporation USA" and "Yissum Research Development Co. of the Hebrew
        # University" are companies.
        return "enterprise"
    words = " ".join(tokens)
    if _LATIN_HOSPITAL_RE.search(words):
        # As in Chinese names, a hospital is a hospital even when a university runs it
        # ("First Affiliated Hospital of Guangzhou Medical College", "Universitätsklinikum").
        return "other"
    if _LATIN_UNIVERSITY_RE.search(words):
        return "university"
    if _LATIN_INSTITUTE_RE.search(words):
        return "institute"
    if _LATIN_OTHER_RE.search(words):
        return "other"
    if _LATIN_ENTERPRISE_RE.search(words):
        return "enterprise"
    name_tokens = [token for token in tokens if token not in _PERSON_WORDS]
    if (
        1 <= len(name_tokens) <= 6
        and len(tokens) >= 2
        and all(token.isalpha() for token in tokens)
        and any(len(token) >= 2 for token in name_tokens)
    ):
        return "individual"
    return "other"


def infer_holder_kind(name: str) -> HolderKind:
    """Guess the kind of holder from its name alone (an officer may correct it).

    - ``enterprise``: 公司, 集团, 企业, 厂, 合作社, 事务所, 株式会社, 合伙 …; a Latin legal form
      (Inc, Co., Ltd., Corp, GmbH, AG, S.A., LLC, K.K. …) or a trade word (Pharma, Industries …);
    - ``university``: 大学, 学院, 学校, 研究生院, 中学 …; University, College, School,
      "Institute of Technology" (MIT and Caltech are universities);
    - ``institute``: 研究院, 研究所, 科学院, 实验室, 研究…中心 …; Institute, Laboratory,
      Academy, Forschung;
    - ``individual``: 2–4 Han characters (or a Hangul name) with no organisation word, a
      transliterated name in pieces ("迈克尔·J·舒斯特"), a Latin "Firstname Lastname";
    - ``other``: government bodies (局, 委员会, 政府), associations (协会, 学会), military
      units (部队), hospitals (医院), and every name without a recognisable signal.

    A Chinese name's kind comes from its last organisation word; a Latin name's from its
    legal form first, then university, institute, public-body and trade words.

    >>> infer_holder_kind("中国科学院宁波材料技术与工程研究所")
    'institute'
    >>> infer_holder_kind("上海交通大学医学院附属瑞金医院")
    'other'
    >>> infer_holder_kind("Massachusetts Institute of Technology")
    'university'
    >>> infer_holder_kind("戴建荣")
    'individual'
    """
    text = _repair(name)
    core = _cjk_core(text)
    if _CJK_SCRIPT_RE.search(core):
        kind = _infer_cjk_kind(core)
        if kind is not None:
            return kind
        if _looks_like_cjk_person(unicodedata.normalize("NFKC", text)):
            return "individual"
        if not _LATIN_WORD_RE.search(core):
            return "other"
        # A Latin name with a Chinese gloss ("Sony 索尼"): the Latin part may still tell.
    return _infer_latin_kind(text)
