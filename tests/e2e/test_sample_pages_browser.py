"""Browser walk over the pages no other browser test opens, on the demo's sample data: the
four registers besides patents, the users and the audit log (admin), and the policy's year
of entitlements, one entitlement explained and the case list (city officer). Each page must
load, throw no script error, fit the window (wide tables scroll in their own box) and show
rows. Screenshots under ``test-artifacts/screenshots/``."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ipcity_testing import browser_log_in as _log_in
from sqlalchemy.orm import Session, sessionmaker

from ipcity.auth.roles import Actor
from ipcity.demo.loader import load_sample
from ipcity.policy import workflow

Shot = Callable[[Any, str], Path]
YEAR = 2020


@pytest.fixture
def sample(session_factory: sessionmaker[Session]) -> None:
    """The demo's sample registry (1,500 patents and the other registers) and the policy's
    cases of 2020 proposed from it."""
    with session_factory() as s:
        load_sample(s, patents=1500)
        s.commit()
    with session_factory() as s:
        assert workflow.propose_year(s, Actor(username="city-sample", role="city_officer"), YEAR)


def _open(page: Any, path: str, screenshot: Shot, name: str) -> int:
    """Open ``path``; the number of rows of its first data table."""
    response = page.goto(path)
    assert response is not None and response.status == 200, path
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
    rows = int(page.locator("table.data").first.locator("tbody tr").count())
    screenshot(page, name)
    return rows


def test_the_other_registers_users_audit_and_policy_pages(
    page: Any, browser: Any, live_server: str, screenshot: Shot, make_user: Any, sample: None
) -> None:
    _log_in(page, make_user("admin", "admin-walk"))
    for kind in ("trademarks", "copyrights", "plant-varieties", "gis"):
        assert _open(page, f"/registers/{kind}", screenshot, f"80-register-{kind}") > 0, kind
    assert _open(page, "/users", screenshot, "81-users") >= 1
    assert _open(page, "/audit", screenshot, "82-audit") > 0
    assert "哈希链完整" in page.inner_text("main")
    assert page.js_errors == []

    officer = browser.new_context(
        base_url=live_server, locale="zh-CN", viewport={"width": 1280, "height": 800}
    )
    tab = officer.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    _log_in(tab, make_user("city_officer", "city-walk"))
    assert _open(tab, f"/policy/entitlements?year={YEAR}", screenshot, "83-policy-entitlements") > 0
    # The summary's P2.1-b line: its items are what the filter by that rule lists.
    first_grants = tab.locator("#summary tbody tr", has_text="P2.1-b").locator("td").all_inner_texts()
    tab.select_option("select[name=rule]", "P2.1-b")
    tab.click("form.filters button")
    tab.wait_for_url(re.compile(r"rule=P2.1-b"))
    listed = tab.locator("#entitlements tbody tr td:first-child").all_inner_texts()
    assert set(listed) == {"P2.1-b"} and len(listed) == int(first_grants[2].replace(",", ""))
    screenshot(tab, "83-policy-entitlements-p21b")
    first = tab.locator("table.data tbody tr a[href^='/policy/explain']").first
    first.click()
    tab.wait_for_url(re.compile(r"/policy/explain\?id="))
    assert "依据P2." in tab.inner_text("main")
    screenshot(tab, "84-policy-explain")
    assert _open(tab, f"/policy/cases?year={YEAR}", screenshot, "85-policy-cases") > 0
    assert errors == []
    officer.close()
