"""Browser tests of the layout every page shares (base.html, ipcity.css), on the demo's
sample data: on a phone (390×844) the top bar stays two short rows (the menu is a row of
its own that scrolls sideways), the account link stays on the screen and no page is wider
than the screen, logged out and logged in; a wide table scrolls in its own box with its
title column readable. At 1366 px an officer's menu is one line in English and Chinese,
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


def _wide_table_scrolls_in_its_box(page: Any, screenshot: Shot, state: str) -> None:
    page.goto("/patents")
    table = page.locator("#patent-table")
    assert table.locator("tbody tr").count() > 0
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    # The table is wider than the screen and scrolls inside its own box ...
    assert table.evaluate("t => t.scrollWidth > t.clientWidth && getComputedStyle(t).overflowX == 'auto'")
    # ... and its title column keeps a readable width (not one character per line).
    title = table.locator("tbody tr td:nth-child(2)").first.bounding_box()
    assert title is not None and title["width"] >= 120, title
    screenshot(page, f"90-phone-{state}-patents")


def test_pages_fit_a_phone_logged_out_and_in(page: Any, screenshot: Shot, sample: None) -> None:
    page.set_viewport_size(PHONE)
    _phone_checks(page, screenshot, "public")
    assert page.locator(".account a[href='/login']").is_visible()
    _wide_table_scrolls_in_its_box(page, screenshot, "public")

    _log_in(page, OFFICER)
    _phone_checks(page, screenshot, "officer")
    assert page.locator(".account button", has_text="退出").is_visible()
    _wide_table_scrolls_in_its_box(page, screenshot, "officer")
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
