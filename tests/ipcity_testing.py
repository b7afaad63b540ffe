"""Helpers shared by the tests (a module with a unique name, so any test can import it).

Real public data is read in place from ``../shared/data`` (or ``IPCITY_SHARED_DATA``),
never copied into the repository.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

SHARED_DATA = Path(
    os.environ.get("IPCITY_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)
PASSWORD = "correct-horse-battery"


def shared_file(*parts: str) -> Path:
    """A file of the real public data set; the test is skipped where it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data file not available: {path}")
    return path


def csrf_of(client: Any) -> str:
    """The CSRF token of the client's session (loads a page first to get a session)."""
    from ipcity.web.security import SESSION_COOKIE

    if SESSION_COOKIE not in client.cookies:
        client.get("/login")
    codec = client.app.state.session_codec
    return str(codec.load(client.cookies.get(SESSION_COOKIE))["csrf"])


def login(client: Any, username: str, password: str = PASSWORD) -> Any:
    """Log a test client in through the real form."""
    token = csrf_of(client)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token, "next": "/"},
        follow_redirects=False,
    )


def browser_log_in(page: Any, username: str, password: str = PASSWORD) -> None:
    """Log a Playwright page in through the real login form; waits for the home page."""
    import re

    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
