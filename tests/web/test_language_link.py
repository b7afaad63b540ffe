"""The top bar's link to the other language: the same page for a page read with GET, and a
page that answers GET for the answer of a POST (never an address that answers 405)."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import urlencode

from ipcity_testing import csrf_of


def language_link(page: str) -> str:
    found = re.search(r'<a href="([^"]*)" class="lang"', page)
    assert found, "the page has no language link"
    return html.unescape(found.group(1))


def test_a_get_page_keeps_its_address_and_query(client: Any) -> None:
    page = client.get("/patents?q=镁合金&page=1")
    link = language_link(page.text)
    assert link == "/patents?" + urlencode({"q": "镁合金", "page": "1", "lang": "en"})
    english = client.get(link)
    assert english.status_code == 200 and language_link(english.text).endswith("lang=zh_CN")
    assert "lang=en" not in language_link(english.text)


def test_a_refused_login_links_to_the_login_page(client: Any) -> None:
    refused = client.post(
        "/login", data={"username": "nobody", "password": "wrong", "csrf_token": csrf_of(client), "next": "/"}
    )
    assert refused.status_code >= 400
    link = language_link(refused.text)
    assert link.startswith("/login?") and link.endswith("lang=en")
    assert client.get(link).status_code == 200


def test_a_post_to_an_address_without_a_page_links_home(client: Any) -> None:
    refused = client.post("/import/preview", data={"csrf_token": csrf_of(client)})
    assert refused.status_code >= 400
    assert language_link(refused.text) == "/?lang=en"
    elsewhere = client.post(
        "/import/preview",
        data={"csrf_token": csrf_of(client)},
        headers={"Referer": "http://elsewhere.example/about"},
    )
    assert language_link(elsewhere.text) == "/?lang=en"
