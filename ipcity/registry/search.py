"""Full-text search over Chinese titles and abstracts.

Index: every CJK character stands as its own token (Latin words stay whole), so nothing is
lost to a segmentation that differs between document and query. Query: segmented by jieba
into words, each word matched as a phrase of consecutive characters, all words required.
This gives word-level precision ("虚拟现实" finds 虚拟现实, not 现实…虚拟) with the recall of a
character index, on SQLite FTS5 and on PostgreSQL's ``simple`` text search alike.
"""

from __future__ import annotations

import re
import unicodedata
from contextlib import suppress
from dataclasses import dataclass
from functools import lru_cache

from ipcity.errors import InvalidNumber
from ipcity.registry.numbers import check_digit, normalize_application_number, parse_publication_number

_CJK = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])")
_NON_WORD = re.compile(r"[^\w\s]+")
_SPACES = re.compile(r"\s+")
# A CN application number written without its check digit: 8 or 12 digits, perhaps after
# CN or ZL, with spaces or a trailing dot ("CN 2017 1 1494364", "201711494364.").
_BARE_CN_NUMBER = re.compile(r"(?:CN|ZL)?([0-9]{8}|[0-9]{12})\.?")
# A publication number written without its kind code, as people cite one: CN106896920,
# US7491489, TWI746128, WO2008/093173, US2006/0110758 (slashes and spaces dropped); a bare
# nine-digit number is a CN publication's.
_PUBLICATION_STEM = re.compile(r"([A-Z]{2}[A-Z]?)?([0-9]{6,13})")


def _spacing_table() -> dict[int, str]:
    # One str.translate pass (a C loop) instead of a regex substitution per character:
    # indexing a million titles is on the import's hot path.
    table: dict[int, str] = {}
    for start, end in ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF)):
        for code in range(start, end + 1):
            table[code] = f" {chr(code)} "
    for code in range(0x10000):
        char = chr(code)
        if code not in table and not (char.isalnum() or char == "_" or char.isspace()):
            table[code] = " "
    return table


_SPACING = _spacing_table()


def index_text(text: str | None) -> str:
    """The text as stored in the search index: CJK characters separated by spaces.

    >>> index_text("一种基于VR的头盔")
    '一 种 基 于 vr 的 头 盔'
    """
    if not text:
        return ""
    return " ".join(text.lower().translate(_SPACING).split())


@lru_cache(maxsize=1)
def _jieba() -> object:
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    return jieba


def warm_up() -> None:
    """Load jieba's dictionary now (about two seconds) so that no search waits for it;
    the web app calls this at startup."""
    _jieba()


def query_phrases(query: str) -> list[str]:
    """Segment a query with jieba into words, each given as the phrase to match in the index.

    >>> query_phrases("虚拟现实 头盔")
    ['虚 拟 现 实', '头 盔']
    """
    jieba = _jieba()
    phrases: list[str] = []
    for word in jieba.lcut(_NON_WORD.sub(" ", query.strip()), HMM=True):  # type: ignore[attr-defined]
        phrase = index_text(word)
        if phrase and phrase not in phrases:
            phrases.append(phrase)
    return phrases


def fts5_match_expression(phrases: list[str]) -> str:
    """An FTS5 MATCH expression requiring every phrase.

    >>> fts5_match_expression(['虚 拟', 'vr'])
    '"虚 拟" AND "vr"'
    """
    return " AND ".join('"' + p.replace('"', " ") + '"' for p in phrases)


@dataclass(frozen=True)
class NumberForms:
    """What a search text names when it is a patent number: an application number and/or a
    publication number, canonical (``CN201711494364.X``, ``CN108089334A``)."""

    application: str | None = None
    publication: str | None = None
    # A publication number without its kind code: any publication it begins, followed by a
    # kind code (``CN106896920`` finds ``CN106896920A``), names the patent.
    publication_stem: str | None = None

    def __bool__(self) -> bool:
        return bool(self.application or self.publication or self.publication_stem)


def number_forms(query: str) -> NumberForms:
    """The numbers a search text reads as, however written (prefix or none, spaces, dot,
    full-width, lower case); a CN application number without its check digit gets it.

    >>> number_forms("cn 201711494364.x")
    NumberForms(application='CN201711494364.X', publication=None, publication_stem=None)
    >>> number_forms("201711494364").application
    'CN201711494364.X'
    >>> number_forms("２０１７１１４９４３６４").application
    'CN201711494364.X'
    >>> number_forms("CN108089334A")
    NumberForms(application=None, publication='CN108089334A', publication_stem=None)
    >>> number_forms("WO 2008/093173").publication_stem, number_forms("106896920").publication_stem
    ('WO2008093173', 'CN106896920')
    >>> bool(number_forms("虚拟现实 头盔")), bool(number_forms("VR"))
    (False, False)
    """
    text = unicodedata.normalize("NFKC", query).strip()
    # Words are not numbers: only a text with a digit and no CJK character is tried.
    if not text or _CJK.search(text) or not any(c.isdecimal() for c in text) or len(text) > 40:
        return NumberForms()
    application = publication = None
    try:
        application = normalize_application_number(text)
    except InvalidNumber:
        bare = _BARE_CN_NUMBER.fullmatch(_SPACES.sub("", text).upper())
        if bare:
            digits = bare.group(1)
            with suppress(InvalidNumber):
                application = f"CN{digits}.{check_digit(digits)}"
    with suppress(InvalidNumber):
        publication = parse_publication_number(text).canonical
    stem = None
    if publication is None:
        bare = _PUBLICATION_STEM.fullmatch(re.sub(r"[\s/]", "", text).upper())
        if bare and (bare.group(1) or len(bare.group(2)) == 9):
            stem = f"{bare.group(1) or 'CN'}{bare.group(2)}"
    return NumberForms(application, publication, stem)
