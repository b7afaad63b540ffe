"""The import pages of a file of unknown layout, in both languages:

* changing 数据类型 on the mapping page shows the fields of the new kind for the same
  staged upload (it used to look up a saved mapping named 临时映射 and answer 404);
* a mapping given without a name is named in the reader's language on the preview;
* a rejected row's reason names the field and the accepted values in the reader's language;
* the language link of a page answering a POST (preview, mapping form, progress) leads to
  a GET page that answers 200, with the same staged upload;
* after an import, the follow-up link names the register imported;
* each column select of the mapping form is labelled by its field.
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ipcity_testing import csrf_of, login

from ipcity.registry import importing
from ipcity.registry.importers import KINDS
from ipcity.registry.importers.fields import KIND_NAMES

# A trademark list under headers no layout knows; the second row has a type no one accepts.
UNKNOWN_MARKS = "号码,名字,类别,种类\n8868023,淇河缠丝鸭蛋,29,普通\n8868024,鹤翔,29,鹤翔\n"
MARK_COLUMNS = {
    "field__registration_number": "号码",
    "field__mark": "名字",
    "field__nice_classes": "类别",
    "field__mark_type": "种类",
}


@pytest.fixture
def officer(client: Any, make_user: Callable[..., str]) -> Any:
    login(client, make_user("city_officer", username="city-officer"))
    return client


def upload(client: Any, path: Path, lang: str = "", **form: str) -> Any:
    query = f"?lang={lang}" if lang else ""
    return client.post(
        f"/import/preview{query}",
        data={"csrf_token": csrf_of(client), **form},
        files={"file": (path.name, path.read_bytes(), "text/csv")},
    )


def token_of(page: str) -> str:
    return re.findall(r'action="/import/([^/"]+)/(?:mapping|confirm)"', page)[0]


def language_link(page: str) -> str:
    found = re.search(r'<a href="([^"]*)" class="lang"', page)
    assert found, "the page has no language link"
    return html.unescape(found.group(1))


def staged_marks(officer: Any, tmp_path: Path, lang: str = "") -> str:
    """Upload the unknown trademark list: the mapping page (kind 专利 first), its token."""
    path = tmp_path / "marks.csv"
    path.write_text(UNKNOWN_MARKS, encoding="utf-8")
    page = upload(officer, path, lang=lang)
    assert page.status_code == 200 and 'name="field__application_number"' in page.text, page.text[:400]
    return token_of(page.text)


def map_as_marks(officer: Any, token: str, lang: str = "", **extra: str) -> Any:
    query = f"?lang={lang}" if lang else ""
    return officer.post(
        f"/import/{token}/mapping{query}",
        data={
            "csrf_token": csrf_of(officer),
            "kind": "trademarks",
            "shown_kind": "trademarks",
            **MARK_COLUMNS,
            **extra,
        },
    )


def test_changing_the_kind_shows_the_fields_of_the_new_kind(officer: Any, tmp_path: Path) -> None:
    token = staged_marks(officer, tmp_path)
    # What the form sends when 数据类型 changes: every select empty, no mapping name.
    fields = {f"field__{f.name}": "" for f in importing.canonical_fields("patents")}
    changed = officer.post(
        f"/import/{token}/mapping",
        data={
            "csrf_token": csrf_of(officer),
            "kind": "trademarks",
            "shown_kind": "patents",
            "mapping_name": "",
            **fields,
        },
    )
    assert changed.status_code == 200, changed.text[:400]
    assert "临时映射" not in changed.text
    assert 'name="field__mark"' in changed.text and 'name="field__application_number"' not in changed.text
    assert token_of(changed.text) == token and 'name="shown_kind" value="trademarks"' in changed.text
    assert re.search(r'<option value="trademarks"\s+selected>', changed.text)

    # Columns chosen while the form showed another kind are not read as the new kind's.
    again = officer.post(
        f"/import/{token}/mapping?lang=en",
        data={"csrf_token": csrf_of(officer), "kind": "patents", "shown_kind": "trademarks", **MARK_COLUMNS},
    )
    assert again.status_code == 200 and 'name="field__application_number"' in again.text

    # An empty form of the shown kind is incomplete, not a saved mapping's name.
    empty = officer.post(
        f"/import/{token}/mapping?lang=en",
        data={"csrf_token": csrf_of(officer), "kind": "trademarks", "shown_kind": "trademarks"},
    )
    assert empty.status_code == 400 and "Registration number" in empty.text, empty.text[:400]
    assert "No column mapping named" not in empty.text


def test_a_temporary_mapping_and_a_rejected_row_in_english(officer: Any, tmp_path: Path) -> None:
    token = staged_marks(officer, tmp_path, lang="en")
    page = map_as_marks(officer, token, lang="en")
    assert page.status_code == 200, page.text[:400]
    text = page.text
    assert 'Detected format: <strong id="layout-name">Column mapping given for this file</strong>' in text
    assert "临时" not in text
    rejected = text.split('id="rejected-rows"')[1].split("</table>")[0]
    assert (
        "“鹤翔” is not an accepted trademark type; expected one of: Ordinary trademark (“普通”, “普通商标”)"
        in (html.unescape(rejected))
    )
    assert "、" not in rejected and "商标类型" not in rejected

    chinese = map_as_marks(officer, token)
    assert "临时列映射（仅用于本文件）" in chinese.text
    assert "「鹤翔」不是可接受的商标类型；应为：普通、普通商标" in chinese.text


def test_choice_reasons_of_every_table_read_in_english() -> None:
    from ipcity.registry.importers import templates

    for table in (
        templates.HOLDER_KINDS,
        templates.HOLDER_TAGS,
        templates.HOLDER_TIERS,
        templates.TRADEMARK_TYPES,
        templates.TRADEMARK_STATUSES,
        templates.COPYRIGHT_CATEGORIES,
        templates.AWARD_LEVELS,
        templates.GI_KINDS,
    ):
        accepted = templates._accepted(table)
        assert str(accepted) == "、".join(table)
        outside_quotes = re.sub(r"“[^”]*”", "", accepted.en)
        assert not re.search(r"[\u4e00-\u9fff、]", outside_quotes), accepted.en
        assert all(f"“{spelling}”" in accepted.en for spelling in table)
    for label in templates.CHOICE_LABELS_EN.values():
        assert not re.search(r"[\u4e00-\u9fff]", label)


def test_language_links_of_the_import_pages_answer(officer: Any, tmp_path: Path) -> None:
    token = staged_marks(officer, tmp_path)
    mapping_page = officer.post(
        f"/import/{token}/mapping",
        data={"csrf_token": csrf_of(officer), "kind": "trademarks", "shown_kind": "patents"},
    ).text
    link = language_link(mapping_page)
    assert link.startswith(f"/import/{token}/mapping?") and "lang=en" in link
    english = officer.get(link)
    assert english.status_code == 200 and 'name="field__mark"' in english.text
    assert '<html lang="en">' in english.text
    assert token_of(english.text) == token

    # The preview (a POST's answer) links to the same preview read by GET, in English.
    preview = map_as_marks(officer, token).text
    link = language_link(preview)
    assert link.startswith(f"/import/{token}/preview?") and "lang=en" in link
    english = officer.get(link)
    assert english.status_code == 200, english.text[:400]
    assert "Column mapping given for this file" in english.text
    assert re.search(r'id="count-new">1<', english.text) and re.search(
        r'id="count-rejected">1<', english.text
    )
    # Its own language link (a GET page) stays on it.
    back = officer.get(language_link(english.text))
    assert back.status_code == 200 and "临时列映射" in back.text

    # Confirming from the page read by GET imports with the same mapping.
    form = english.text.split(f'action="/import/{token}/confirm"')[1].split("</form>")[0]
    fields = {
        html.unescape(n): html.unescape(v)
        for n, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)
    }
    started = officer.post(f"/import/{token}/confirm", data=fields)
    assert started.status_code == 200
    link = language_link(started.text)
    assert link.startswith(f"/import/{token}/progress?")
    for _ in range(600):
        done = officer.get(link)
        assert done.status_code == 200
        if 'id="import-done"' in done.text or 'id="import-failed"' in done.text:
            break
        time.sleep(0.05)
    assert 'id="import-done"' in done.text and "<html" in done.text, done.text[:400]
    assert 'href="/registers/trademarks" id="browse-imported">Open the register: Trademarks</a>' in done.text


def test_a_preview_from_the_upload_form_links_to_a_get_page(officer: Any, tmp_path: Path) -> None:
    path = tmp_path / "marks.csv"
    path.write_text(UNKNOWN_MARKS, encoding="utf-8")
    page = upload(officer, path, lang="en", kind="trademarks").text
    link = language_link(page)
    assert "lang=zh_CN" in link
    assert officer.get(link).status_code == 200


def test_a_posts_error_page_links_to_a_get_page(officer: Any, tmp_path: Path) -> None:
    path = tmp_path / "marks.csv"
    path.write_text(UNKNOWN_MARKS, encoding="utf-8")
    refused = upload(officer, path, kind="nonsense")
    assert refused.status_code == 400
    assert language_link(refused.text) == "/?lang=en"
    from_form = officer.post(
        "/import/preview",
        data={"csrf_token": csrf_of(officer), "kind": "nonsense"},
        files={"file": (path.name, path.read_bytes(), "text/csv")},
        headers={"Referer": "http://testserver/import?kind=trademarks"},
    )
    link = language_link(from_form.text)
    assert link == "/import?kind=trademarks&lang=en"
    assert officer.get(link).status_code == 200


def test_the_follow_up_link_names_each_kind() -> None:
    for kind in KINDS:
        zh, en = importing.browse_label(kind), importing.browse_label(kind, "en")
        assert zh != "去检索"
        assert en != "Search patents" or kind == "patents"
        if kind not in ("patents", "holders", "population"):
            assert KIND_NAMES[kind][0] in zh and KIND_NAMES[kind][1] in en
    assert importing.browse_label("patents", "en") == "Search patents"
    assert importing.browse_label("holders", "en") == "Browse holders"
    assert "population" in importing.browse_label("population", "en")
    assert importing.browse_url("population", "410600") == "/regions/410600"


def test_every_column_select_is_named_by_its_field(officer: Any, tmp_path: Path) -> None:
    token = staged_marks(officer, tmp_path)
    for kind in ("patents", "trademarks", "holders"):
        page = officer.get(f"/import/{token}/mapping?kind={kind}").text
        selects = re.findall(r'<select name="field__([^"]+)" id="([^"]+)"', page)
        assert len(selects) == len(importing.canonical_fields(kind))
        for name, element in selects:
            assert element == f"field-{name}"
            assert f'<label for="{element}">' in page
        assert "<label>数据类型" in page and '<select name="kind"' in page


def test_a_missing_saved_mapping_is_named_in_the_readers_language(session: Any) -> None:
    from ipcity.errors import NotFound
    from ipcity.registry.importing import saved_mapping

    with pytest.raises(NotFound) as missing:
        saved_mapping(session, "trademarks", "no-such-mapping")
    assert "商标" in missing.value.render("zh_CN")
    english = missing.value.render("en")
    assert "no-such-mapping" in english and "商标" not in english and "Trademarks" in english


def test_an_unknown_kind_is_refused_with_the_kinds_named(client: Any, make_user: Callable[..., str]) -> None:
    make_user("city_officer", "officer-kinds")
    login(client, "officer-kinds")
    chinese = client.get("/import/sometoken123/mapping", params={"kind": "widgets"})
    assert chinese.status_code == 400
    assert "专利（patents）" in chinese.text and "widgets" in chinese.text
    english = client.get("/import/sometoken123/mapping", params={"kind": "widgets", "lang": "en"})
    assert english.status_code == 400
    assert "Patents (patents)" in english.text and "专利（patents）" not in english.text
