"""Browser tests of the layout every page shares (base.html, ipcity.css), on the demo's
sample data: on a phone (390×844) the top bar stays two short rows (the menu is a row of
its own that scrolls sideways), the account link stays on the screen and no page is wider
than the screen, logged out and logged in; a list shows each row as a card of labelled lines
(on a tablet it scrolls in its own box, its title column readable). At 1366 px an officer's menu is one line in English and Chinese,
and the tab's title ends with the platform's name as the header shows it. Screenshots
under ``test-artifacts/screenshots/``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ipcity_testing import PASSWORD
from ipcity_testing import browser_log_in as _log_in
from sqlalchemy.orm import Session, sessionmaker

from ipcity.auth.roles import SYSTEM
from ipcity.auth.service import create_user
from ipcity.demo.loader import load_sample

Shot = Callable[[Any, str], Path]
PHONE = {"width": 390, "height": 844}
TABLET = {"width": 800, "height": 1000}
PAGES = {"home": "/", "patents-vr": "/patents?q=虚拟现实", "indicators": "/indicators"}
OFFICER = "city-layout"
# The demo officer's display name: the longest thing in the account corner.
OFFICER_NAME = "市知识产权局（示例）"

# What a test reads of the page: its width against the window's, the top bar's height, where
# the account link (log in / log out) is, and the top of every menu link.
MEASURE = """() => {
  const bar = document.querySelector('header.topbar').getBoundingClientRect();
  const account = document.querySelector('.account a[href="/login"], .account button');
  const box = account.getBoundingClientRect();
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    bar: bar.height,
    account: [box.left, box.right, box.top, box.bottom],
    navTops: [...document.querySelectorAll('nav.mainnav a')].map(a => a.offsetTop),
  };
}"""


@pytest.fixture
def sample(session_factory: sessionmaker[Session]) -> None:
    """A small sample registry (holders, patents, the scoreboard's inputs) and a city officer
    with the demo officer's display name."""
    with session_factory() as s:
        load_sample(s, patents=600)
        create_user(s, SYSTEM, OFFICER, PASSWORD, "city_officer", display_name=OFFICER_NAME)
        s.commit()


def _phone_checks(page: Any, screenshot: Shot, state: str) -> None:
    for name, path in PAGES.items():
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("networkidle")
        m = page.evaluate(MEASURE)
        assert m["scrollWidth"] <= m["innerWidth"] + 1, (path, m)
        assert m["bar"] < 120, (path, m)  # not a column of one character per line
        left, right, top, bottom = m["account"]
        assert left >= 0 and top >= 0, (path, m)
        assert right <= m["innerWidth"] and bottom <= PHONE["height"], (path, m)
        # The menu is one row (it scrolls sideways), whatever the number of links.
        assert len(set(m["navTops"])) == 1, (path, m)
        screenshot(page, f"90-phone-{state}-{name}")


def _list_rows_are_cards_on_a_phone(page: Any, screenshot: Shot, state: str) -> None:
    page.set_viewport_size(PHONE)
    page.goto("/patents")
    table = page.locator("#patent-table")
    rows = table.locator("tbody tr")
    assert rows.count() > 0
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    # Nothing scrolls sideways: the table is no wider than its box, its header row is not shown
    # (it stays for screen readers) and each row is a card as wide as the screen allows.
    assert table.evaluate("t => t.scrollWidth <= t.clientWidth + 1")
    assert table.locator("thead").bounding_box()["height"] <= 1  # type: ignore[index]
    first = rows.first
    card = first.bounding_box()
    assert card is not None and card["width"] >= PHONE["width"] - 60, card
    # Every cell is a line of its own, named by its column (the header's text) ...
    cells = first.locator("td")
    boxes = [cells.nth(i).bounding_box() for i in range(cells.count())]
    lines = [b for b in boxes if b is not None and b["height"] > 0]
    tops = [b["y"] for b in lines]
    assert tops == sorted(tops) and len(set(tops)) == len(tops), tops
    headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    labels = [cells.nth(i).get_attribute("data-label") for i in range(cells.count())]
    assert labels == headers and headers[:2] == ["申请号", "名称"], (labels, headers)
    label = cells.nth(0).evaluate("td => getComputedStyle(td, '::before').content")
    assert label == '"申请号"', label
    # ... and a screen reader still reads a table of rows and cells.
    assert table.get_attribute("role") == "table" and first.get_attribute("role") == "row"
    assert cells.nth(1).get_attribute("role") == "cell"
    screenshot(page, f"90-phone-{state}-patents")
    # A search replaces the list in place (htmx): the new list is made of cards too.
    table.evaluate("t => { t.dataset.before = 'search'; }")
    page.fill("input[name=q]", "镁合金")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_selector("#patent-table.stacked:not([data-before])")
    found = table.locator("tbody tr")
    assert found.count() > 0 and "镁合金" in found.first.inner_text()
    assert found.first.locator("td").first.get_attribute("data-label") == "申请号"
    page.goto("/patents")
    # On a tablet the same list keeps its columns, scrolling in its own box, its title
    # column readable (not one character per line).
    page.set_viewport_size(TABLET)
    assert table.locator("thead").bounding_box()["height"] > 10  # type: ignore[index]
    assert table.evaluate("t => t.scrollWidth > t.clientWidth && getComputedStyle(t).overflowX == 'auto'")
    title = table.locator("tbody tr td:nth-child(2)").first.bounding_box()
    assert title is not None and title["width"] >= 120, title
    screenshot(page, f"90-tablet-{state}-patents")
    page.set_viewport_size(PHONE)


def test_pages_fit_a_phone_logged_out_and_in(page: Any, screenshot: Shot, sample: None) -> None:
    page.set_viewport_size(PHONE)
    _phone_checks(page, screenshot, "public")
    assert page.locator(".account a[href='/login']").is_visible()
    _list_rows_are_cards_on_a_phone(page, screenshot, "public")

    _log_in(page, OFFICER)
    _phone_checks(page, screenshot, "officer")
    assert page.locator(".account button", has_text="退出").is_visible()
    _list_rows_are_cards_on_a_phone(page, screenshot, "officer")
    # The officer's menu is longer than the screen: its last links are reached by scrolling it.
    nav = page.locator("nav.mainnav")
    assert nav.evaluate("n => n.scrollWidth > n.clientWidth")
    page.locator("nav.mainnav a[href='/audit']").scroll_into_view_if_needed()
    audit = page.locator("nav.mainnav a[href='/audit']").bounding_box()
    assert audit is not None and audit["x"] + audit["width"] <= PHONE["width"]
    screenshot(page, "90-phone-officer-menu-scrolled")
    assert page.js_errors == []


def test_an_officers_menu_is_one_line_at_1366_in_both_languages(
    page: Any, screenshot: Shot, sample: None
) -> None:
    page.set_viewport_size({"width": 1366, "height": 900})
    _log_in(page, OFFICER)
    for lang, suffix, regions in (
        ("en", " · Hebi Strong IP City Platform", "Regions"),
        ("zh_CN", " · 鹤壁市知识产权强市平台", "各地区"),
    ):
        page.goto(f"/audit?lang={lang}")
        m = page.evaluate(MEASURE)
        assert len(m["navTops"]) >= 9  # the officer's menu: data import and audit log included
        assert len(set(m["navTops"])) == 1, (lang, m)
        assert m["bar"] < 64, (lang, m)
        assert m["scrollWidth"] <= m["innerWidth"], (lang, m)
        # The tab's title ends with the platform's name as the header spells it.
        brand = page.locator("header .brand").evaluate("b => b.firstChild.textContent.trim()")
        assert page.title().endswith(suffix) and suffix.endswith(brand), (page.title(), brand)
        # The menu item opening the city's page with its counties and districts.
        assert page.locator("nav.mainnav a[href='/regions/410600']").inner_text().strip() == regions
        screenshot(page, f"91-officer-menu-1366-{lang}")
    page.goto("/?lang=en")
    assert page.title() == "Hebi Strong IP City Platform"
    assert page.js_errors == []


def test_the_patent_filters_fold_behind_one_button_on_a_phone(
    page: Any, screenshot: Shot, sample: None
) -> None:
    page.set_viewport_size(PHONE)
    page.goto("/patents?patent_type=invention")
    toggle = page.locator("form.filters .fold-toggle")
    kind = page.locator("select[name=patent_type]")
    # Folded: the search box, the button (naming how many filters are set) and the search
    # button; the results begin on the first screen.
    assert toggle.is_visible() and toggle.inner_text() == "筛选条件 (1)"
    assert toggle.get_attribute("aria-expanded") == "false"
    assert page.locator("input[name=q]").is_visible() and not kind.is_visible()
    first_row = page.locator("#patent-table tbody tr").first.bounding_box()
    assert first_row is not None and first_row["y"] < PHONE["height"], first_row
    screenshot(page, "92-phone-patent-filters-folded")
    # A folded filter still applies: a search keeps to inventions.
    page.fill("input[name=q]", "镁合金")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url("**q=*")
    page.wait_for_selector("#patent-table.stacked")
    types = page.locator("#patent-table tbody td:nth-child(3)").all_inner_texts()
    assert types and set(types) == {"发明"}, types
    # Unfolded: every field, the count following a change.
    toggle.click()
    assert kind.is_visible() and toggle.get_attribute("aria-expanded") == "true"
    page.select_option("select[name=status]", "in_force")
    assert toggle.inner_text() == "筛选条件 (2)"
    screenshot(page, "92-phone-patent-filters-open")
    # On a wider screen there is nothing to fold.
    page.set_viewport_size({"width": 1280, "height": 800})
    assert not toggle.is_visible() and kind.is_visible()
    assert page.js_errors == []
