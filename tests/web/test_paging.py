"""Paging of the list pages: one rule (ipcity.web.paging.Pager) and one pager on every page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from ipcity_testing import login

from ipcity.web.paging import Pager


@pytest.mark.parametrize(
    ("asked", "total", "per_page", "page", "pages", "offset", "previous", "following"),
    [
        (1, 0, 20, 1, 1, 0, False, False),  # an empty list is one empty page
        (1, 20, 20, 1, 1, 0, False, False),
        (1, 21, 20, 1, 2, 0, False, True),
        (2, 21, 20, 2, 2, 20, True, False),
        (9, 250, 100, 3, 3, 200, True, False),  # past the last page: the last
        (0, 250, 100, 1, 3, 0, False, True),
    ],
)
def test_pager_places_a_page_in_the_list(
    asked: int,
    total: int,
    per_page: int,
    page: int,
    pages: int,
    offset: int,
    previous: bool,
    following: bool,
) -> None:
    pager = Pager.of(asked, total=total, per_page=per_page)
    assert (pager.page, pager.pages, pager.offset) == (page, pages, offset)
    assert (pager.has_previous, pager.has_next) == (previous, following)


def test_pager_slices_the_page_out_of_the_list() -> None:
    items = list(range(1, 251))
    assert Pager.of(3, total=250, per_page=100).slice(items) == list(range(201, 251))
    assert Pager.of(2, total=250, per_page=100).slice(items) == list(range(101, 201))


def test_a_page_asked_past_the_end_of_a_service_page_links_back_to_the_last() -> None:
    # The registry's services answer the page asked for (empty past the end): the link
    # back goes to the last page with rows, not to the page before the one asked.
    pager = Pager(page=40, per_page=20, total=45)
    assert pager.pages == 3 and pager.previous == 3 and not pager.has_next


def _pager_of(html: str) -> str:
    found = re.search(r'<p class="pager">.*?</p>', html, re.S)
    assert found, "the page has no pager"
    return found.group(0)


def test_audit_page_counts_its_entries_and_pages_through_them(
    client: Any, make_user: Any, session_factory: Any
) -> None:
    from ipcity import audit

    admin = make_user("admin", "admin-pages")
    with session_factory() as session:
        for i in range(60):
            audit.record(session, "officer-x", "holder.update", "holder", i, {"n": i})
        session.commit()
    login(client, admin)
    # 1 user.create + 1 login + 60 entries of officer-x: 62 in all, 50 a page.
    first = _pager_of(client.get("/audit").text)
    assert "共 62 条" in first and "第 1 / 2 页" in first
    assert 'href="/audit?page=2"' in first and "上一页" not in first
    # The filters travel with the page links, and a page past the end shows the last.
    filtered = client.get("/audit?user=officer-x&action=holder.update&page=9").text
    pager = _pager_of(filtered)
    assert "共 60 条" in pager and "第 2 / 2 页" in pager
    assert 'href="/audit?user=officer-x&amp;action=holder.update&amp;page=1"' in pager
    rows = re.findall(r"<tr><td>(\d+)</td>", filtered)
    assert len(rows) == 10  # entries 11-60 on the first page, the ten oldest on the last
    english = _pager_of(client.get("/audit?lang=en").text)
    assert "62 records" in english and "Page 1 of 2" in english and "Next" in english
