"""The English catalogue covers the whole interface and stays loadable.

Message ids are Chinese; ``scripts/extract_messages.py`` finds them in templates and Python.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from babel.messages.pofile import denormalize, read_po

from ipcity.i18n import gettext, pgettext

REPO = Path(__file__).resolve().parents[1]
CATALOGUE = REPO / "ipcity" / "i18n" / "en.po"
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _load_extractor() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "extract_messages", REPO / "scripts" / "extract_messages.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("extract_messages", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def extractor() -> ModuleType:
    return _load_extractor()


@pytest.fixture(scope="module")
def catalogue() -> dict[str, str]:
    with CATALOGUE.open("rb") as fh:
        catalog = read_po(fh, locale="en")
    return {f"{m.context}\x04{m.id}" if m.context else str(m.id): str(m.string) for m in catalog if m.id}


def _msgids(path: Path) -> list[str]:
    """Every msgid of a .po file as written (multi-line ids joined), obsolete ones left out;
    an id with a ``msgctxt`` as gettext joins them (context, EOT, id)."""
    ids: list[str] = []
    context = ""
    current: list[str] | None = None

    def close() -> None:
        nonlocal context
        if current is not None:
            text = denormalize("\n".join(current))
            ids.append(f"{context}\x04{text}" if context else text)
            context = ""

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("msgctxt "):
            close()
            current = None
            context = denormalize(line[len("msgctxt ") :])
        elif line.startswith("msgid "):
            current = [line[len("msgid ") :]]
        elif current is not None and line.startswith('"'):
            current.append(line)
        else:
            close()
            current = None
    close()
    return [i for i in ids if i]


def test_extractor_finds_messages_of_every_kind(extractor: ModuleType) -> None:
    found = extractor.extract(REPO)
    assert "专利检索" in found  # template _("…")
    assert "哈希链完整：共 {n} 条记录。" in found  # template _("…{n}…", n=…)
    assert "高等院校" in found  # literal in a {% for %} list shown through _(label)
    assert "用户名或密码不正确" in found  # raise NotAuthenticated/ValidationFailed("…")
    assert "页面不存在" in found  # dict fed to gettext()
    assert "驳回" in found and "外观设计" in found  # STATUS_LABELS, PATENT_TYPE_LABELS
    assert "系统管理员" in found  # ROLE_LABELS
    assert "申请日（新→旧）" in found  # SORT_LABELS
    assert all(CJK.search(text) for text in found)


def test_every_message_is_translated(extractor: ModuleType, catalogue: dict[str, str]) -> None:
    found = extractor.extract(REPO)
    missing = {text: sorted(places) for text, places in found.items() if not catalogue.get(text)}
    assert not missing, "untranslated (run scripts/extract_messages.py --po):\n" + "\n".join(
        f"{text}  ({', '.join(places)})" for text, places in missing.items()
    )
    assert extractor.main(["--check"]) == 0


def test_translations_keep_placeholders(catalogue: dict[str, str]) -> None:
    wrong = {
        msgid: text
        for msgid, text in catalogue.items()
        if text and set(PLACEHOLDER.findall(msgid)) != set(PLACEHOLDER.findall(text))
    }
    assert not wrong


def test_catalogue_has_no_duplicate_ids_and_loads() -> None:
    ids = _msgids(CATALOGUE)
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates
    with CATALOGUE.open("rb") as fh:
        catalog = read_po(fh, locale="en", abort_invalid=True)
    assert len([m for m in catalog if m.id]) == len(ids)


def test_gettext_english_and_fallback() -> None:
    assert gettext("专利检索", "en") == "Patent search"
    assert gettext("未缴年费终止", "en") == "Lapsed (annuity unpaid)"
    assert gettext("申请号", "en-US") == "Application number"
    assert gettext("专利检索", "zh_CN") == "专利检索"
    assert gettext("这句话没有翻译", "en") == "这句话没有翻译"


def test_one_chinese_word_with_two_english_ones_is_told_by_its_context(client: Any) -> None:
    """权利人 heads a column of one holder per row ("Holder") and names the list of them
    ("Holders", context 复数): the menu says the one, a register's column the other."""
    assert (pgettext("复数", "权利人", "en"), gettext("权利人", "en")) == ("Holders", "Holder")
    assert pgettext("没有这个语境", "专利检索", "en") == "Patent search"  # no entry: as gettext
    html = client.get("/holders?lang=en").text
    assert '<a href="/holders">Holders</a>' in html and "<h1>Holders</h1>" in html
    assert "<th>Holder</th>" in client.get("/registers/trademarks?lang=en").text


def test_home_page_in_english(client: Any) -> None:
    response = client.get("/?lang=en")
    assert response.status_code == 200
    html = response.text
    for label in ("Patent search", "Holders", "Log in", "Invention patents", "Zone", "About"):
        assert label in html
    assert '<html lang="en">' in html
    # Data: county and zone names (links), and the language switch that names Chinese in Chinese.
    chrome = re.sub(r'<a href="/(?:regions/\d+|patents\?zone=[^"]*)"[^>]*>[^<]*</a>', "", html)
    chrome = re.sub(r'<a [^>]*class="lang"[^>]*>中文</a>', "", chrome)
    leftovers = sorted(set(CJK.findall(chrome)))
    assert not leftovers, [line.strip() for line in chrome.splitlines() if CJK.search(line)]


def test_home_page_in_chinese_by_default(client: Any) -> None:
    html = client.get("/").text
    assert "专利检索" in html and "Patent search" not in html
