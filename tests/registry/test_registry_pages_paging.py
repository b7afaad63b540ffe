"""The registry's pages as a browser gets them: a page past the last shows the last (the
rule of web.paging.Pager) on the patent search, the holder list and the registers; the
search finds a patent by its number and filters by words of a holder's name with a plain
form; the registers show their categories by label in the page's language; the icon."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import date
from typing import Any

import pytest
from ipcity_testing import shared_file
from registry_testkit import OFFICER, raw_rows
from sqlalchemy.orm import Session, sessionmaker

from ipcity.demo.loader import load_sample
from ipcity.registry.importing import run_import
from ipcity.registry.numbers import normalize_application_number

HENAN = "henan_sample_10_62cols.csv"
PAGE_OF = re.compile(r"第 ([\d,]+) / ([\d,]+) 页")
ROW_LINK = re.compile(r'<td class="nowrap"><a href="/patents/([^"]+)">')


@pytest.fixture
def registry(session_factory: sessionmaker[Session]) -> list[str]:
    """The sample registry (50 patents and every other register) and the real 62-column
    export; returns the export's application numbers."""
    with session_factory() as session:
        load_sample(session, patents=50)
        session.commit()
        run_import(session, OFFICER, shared_file("patents_cn", HENAN), observed_on=date(2024, 6, 30))
    return [normalize_application_number(c["申请号"]) for _, c in raw_rows(shared_file("patents_cn", HENAN))]


def _page_of(text: str) -> tuple[int, int]:
    found = PAGE_OF.search(text)
    assert found, text[-1500:]
    return int(found.group(1).replace(",", "")), int(found.group(2).replace(",", ""))


def test_a_search_page_past_the_last_shows_the_last(client: Any, registry: list[str]) -> None:
    first = client.get("/patents", params={"sort": "application_number"})
    _, pages = _page_of(first.text)
    assert pages == 3  # 60 patents, 20 a page
    last = client.get("/patents", params={"sort": "application_number", "page": pages})
    beyond = client.get("/patents", params={"sort": "application_number", "page": 999})
    assert beyond.status_code == 200
    assert _page_of(beyond.text) == (pages, pages)
    rows = ROW_LINK.findall(beyond.text)
    assert rows and rows == ROW_LINK.findall(last.text)
    assert 'rel="next"' not in beyond.text and f"page={pages - 1}" in beyond.text
    # The results block htmx asks for follows the same rule.
    block = client.get("/patents", params={"q": "无人机", "page": 50}, headers={"HX-Request": "true"})
    assert _page_of(block.text) == (1, 1) and ROW_LINK.findall(block.text)


def test_holder_and_register_pages_past_the_last_show_the_last(client: Any, registry: list[str]) -> None:
    _, pages = _page_of(client.get("/holders").text)
    assert pages > 1
    beyond = client.get("/holders", params={"page": 9999})
    assert _page_of(beyond.text) == (pages, pages)
    assert beyond.text.count('<a href="/holders/') > 0

    _, pages = _page_of(client.get("/registers/trademarks").text)
    assert pages > 1
    beyond = client.get("/registers/trademarks", params={"page": 9999})
    assert _page_of(beyond.text) == (pages, pages)
    assert re.search(r"<tbody>\s*<tr>", beyond.text)
    english = client.get("/registers/trademarks", params={"page": 9999, "lang": "en"}).text
    assert f"Page {pages} of {pages}" in english


def test_the_search_box_takes_a_number(client: Any, registry: list[str]) -> None:
    for spelling in ("CN202121635235.X", "202121635235x", "CN217546176U"):
        page = client.get("/patents", params={"q": spelling})
        assert ROW_LINK.findall(page.text) == ["CN202121635235.X"], spelling


def test_the_search_form_filters_by_a_holder_name(client: Any, registry: list[str]) -> None:
    form = client.get("/patents").text
    assert re.search(r'<input type="search" name="holder"', form)
    page = client.get("/patents", params={"holder": "中科大数据"})
    assert sorted(ROW_LINK.findall(page.text)) == sorted(registry)
    assert 'value="中科大数据"' in page.text  # the box keeps what was typed
    # The export link carries the filter: the file holds the same ten patents.
    link = re.search(r'href="(/patents/export\.csv\?[^"]*)"', page.text)
    assert link and "holder=" in link.group(1)
    exported = client.get(html.unescape(link.group(1)))
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"), newline="")))
    assert sorted(r[0] for r in rows[1:]) == sorted(registry)
    # Words of no holder: nothing, said as such.
    assert "没有符合条件的专利" in client.get("/patents", params={"holder": "没有这个权利人"}).text


def test_register_categories_show_by_label(client: Any, registry: list[str]) -> None:
    chinese = client.get("/registers/trademarks").text
    assert "普通商标" in chinese and ">ordinary<" not in chinese
    english = client.get("/registers/trademarks", params={"lang": "en"}).text
    assert "Ordinary trademark" in english and ">ordinary<" not in english


def test_the_browser_icon_is_served(client: Any) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert response.content == client.get("/static/favicon.svg").content
