"""Helpers shared by the tests (a module with a unique name, so any test can import it).

Real public data is read in place from ``../shared/data`` (or ``IPCITY_SHARED_DATA``),
never copied into the repository.
"""

from __future__ import annotations

import os
import sys
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


DONE = "done"


def at_once(session_factory: Any, actions: list[Any], timeout: float = 60) -> list[str]:
    """Run each of ``actions`` (a callable taking a session) in its own thread and session,
    all released together once every connection is open, as requests arriving at the same
    moment. Returns, in the order given, :data:`DONE` for an action that returned, or the
    Chinese sentence of the platform error (:class:`ipcity.errors.IPCityError`) it raised;
    any other exception is raised here."""
    import threading

    from ipcity.errors import IPCityError

    barrier = threading.Barrier(len(actions))
    outcomes: list[str | None] = [None] * len(actions)
    crashes: list[BaseException] = []

    def run(place: int) -> None:
        with session_factory() as session:
            session.connection().exec_driver_sql("SELECT 1")  # open the connection before the race
            barrier.wait()
            try:
                actions[place](session)
                outcomes[place] = DONE
            except IPCityError as exc:
                outcomes[place] = exc.render("zh_CN")
            except BaseException as exc:
                crashes.append(exc)

    threads = [threading.Thread(target=run, args=(place,)) for place in range(len(actions))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    if crashes:
        raise crashes[0]
    assert all(o is not None for o in outcomes), f"an action did not finish in {timeout} s: {outcomes}"
    return [o for o in outcomes if o is not None]


def run_cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str, str]:
    """``ipcity ARGS…`` through ``main()``, as the console script runs it: (exit code, stdout,
    stderr); a traceback in either stream fails the test (the CLI's errors are one line)."""
    from ipcity.cli import main

    capsys.readouterr()
    monkeypatch.setattr(sys, "argv", ["ipcity", *args])
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err
