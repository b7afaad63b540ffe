"""The policy area's own menu (policy/_nav.html): every policy page offers the pages the
reader's role may open, and no other (the dishonesty list, which holds payments back, is
public); the page open is marked."""

from __future__ import annotations

import re
from typing import Any

from ipcity_testing import login
from policy_exports_world import make_holder
from sqlalchemy.orm import Session, sessionmaker

MENU = re.compile(r'<nav class="subnav"[^>]*>(.*?)</nav>', re.S)


def menu(client: Any, path: str) -> tuple[list[str], list[str]]:
    """The menu's links on ``path``, and those marked as the page open."""
    page = client.get(path)
    assert page.status_code == 200, (path, page.status_code)
    found = MENU.search(page.text)
    assert found, path
    links = [link.split("?")[0] for link in re.findall(r'<a href="([^"]+)"', found.group(1))]
    current = [
        link.split("?")[0] for link in re.findall(r'<a href="([^"]+)" aria-current="page"', found.group(1))
    ]
    return links, current


def test_each_role_is_offered_its_own_policy_pages(
    client: Any, session_factory: sessionmaker[Session], make_user: Any
) -> None:
    assert menu(client, "/policy") == (["/policy", "/policy/notices", "/credit-list"], ["/policy"])
    assert menu(client, "/policy/notices?lang=en")[1] == ["/policy/notices"]

    with session_factory() as s:
        holder = make_holder(s, "鹤壁市菜单测试有限公司", "410611").id
        s.commit()
    login(client, make_user("enterprise", "ent-menu", holder_id=holder))
    links, current = menu(client, "/policy/mine")
    assert links == [
        "/policy",
        "/policy/mine",
        "/policy/apply",
        "/policy/entitlements",
        "/policy/cases",
        "/policy/notices",
        "/credit-list",
    ]
    assert current == ["/policy/mine"]

    client.cookies.clear()  # log out
    login(client, make_user("county_officer", "county-menu", region_code="410621"))
    links, current = menu(client, "/policy/cases")
    assert links == [
        "/policy",
        "/policy/entitlements",
        "/policy/cases",
        "/policy/notices",
        "/credit-list",
        "/policy/payments",
        "/policy/budgets",
    ]
    assert current == ["/policy/cases"]
    english = client.get("/policy/payments?lang=en&year=2024").text
    # A page of one year passes its year on to the pages of a year.
    assert 'href="/policy/cases?year=2024"' in english and 'href="/policy/budgets?year=2024"' in english
    assert ">Payments</a>" in english and ">Budgets</a>" in english and ">Rules</a>" in english
