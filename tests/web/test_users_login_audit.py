"""Logins in the audit log: each failed password check is recorded (the username tried, the
reason, the address; never the password), attempts the rate limit refuses are not; a
successful login sets the last-login time; sessions end when an admin resets a password
(but the admin's own session goes on)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from lxml import html
from sqlalchemy import select
from web_support import PASSWORD, csrf_of, login

from ipcity.audit import AuditEntry
from ipcity.auth import service
from ipcity.auth.models import User
from ipcity.config import Settings
from ipcity.web.security import SESSION_COOKIE, new_session


def _post_login(client: Any, username: str, password: str) -> Any:
    data = {"username": username, "password": password, "csrf_token": csrf_of(client)}
    return client.post("/login", data=data, follow_redirects=False)


def _failed_logins(session_factory: Any) -> list[tuple[str, str | None, dict[str, Any]]]:
    with session_factory() as session:
        query = select(AuditEntry).where(AuditEntry.action == "user.login_failed").order_by(AuditEntry.id)
        return [(e.actor, e.object_id, e.detail) for e in session.scalars(query)]


def _user_id(session_factory: Any, username: str) -> int:
    with session_factory() as session:
        uid = session.scalar(select(User.id).where(User.username == username))
        assert uid is not None
        return uid


def test_each_failed_login_is_audited_with_its_reason_and_never_the_password(
    client: Any, make_user: Any, session_factory: Any
) -> None:
    name = make_user("city_officer", "city-tried")
    gone = make_user("city_officer", "city-gone")
    with session_factory() as session:
        user = session.get(User, _user_id(session_factory, gone))
        assert user is not None
        user.active = False
        session.commit()

    assert _post_login(client, "CITY-Tried", "guess-number-one").status_code == 401
    assert _post_login(client, "nobody-at-all", "guess-number-two").status_code == 401
    assert _post_login(client, gone, PASSWORD).status_code == 401
    assert _post_login(client, "x" * 150, "guess-number-three").status_code == 401

    assert _failed_logins(session_factory) == [
        (
            "public",
            str(_user_id(session_factory, name)),
            {"username": "CITY-Tried", "reason": "wrong_password", "client": "testclient"},
        ),
        ("public", None, {"username": "nobody-at-all", "reason": "unknown_user", "client": "testclient"}),
        (
            "public",
            str(_user_id(session_factory, gone)),
            {"username": gone, "reason": "disabled", "client": "testclient"},
        ),
        ("public", None, {"username": "x" * 64, "reason": "unknown_user", "client": "testclient"}),
    ]
    with session_factory() as session:
        stored = " ".join(str(e.detail) for e in session.scalars(select(AuditEntry)))
    assert "guess-number" not in stored and PASSWORD not in stored
    assert client.get("/api/v1/audit/verify").status_code == 401  # (the public may not read it)


def test_attempts_refused_by_the_rate_limit_add_nothing_to_the_log(
    client: Any, make_user: Any, session_factory: Any, settings: Settings
) -> None:
    name = make_user("city_officer", "city-hammered")
    for _ in range(settings.login_max_attempts):
        assert _post_login(client, name, "wrong-password").status_code == 401
    for _ in range(20):
        assert _post_login(client, name, "wrong-password").status_code == 429
    assert len(_failed_logins(session_factory)) == settings.login_max_attempts


def test_new_usernames_from_one_address_cannot_grow_the_log_without_end(
    client: Any, session_factory: Any
) -> None:
    """No per-username limit stops a client that tries a new name each time: its audited
    failures stop at AUDITED_FAILURES_PER_CLIENT in the window; every try is still refused."""
    from ipcity.auth.service import AUDITED_FAILURES_PER_CLIENT

    for n in range(AUDITED_FAILURES_PER_CLIENT + 15):
        assert _post_login(client, f"nobody-{n}", "wrong-password").status_code == 401
    logged = _failed_logins(session_factory)
    assert len(logged) == AUDITED_FAILURES_PER_CLIENT
    assert [d["username"] for _, _, d in logged] == [
        f"nobody-{n}" for n in range(AUDITED_FAILURES_PER_CLIENT)
    ]


def test_the_audit_page_names_failed_logins_and_shows_chinese_as_it_is(
    client: Any, make_user: Any, session_factory: Any
) -> None:
    make_user("admin", "admin-reads")
    assert _post_login(TestClient(client.app), "张晓伟", "whatever-it-was").status_code == 401
    login(client, "admin-reads")
    page = html.fromstring(client.get("/audit", params={"action": "user.login_failed"}).text)
    rows = [
        [" ".join(td.text_content().split()) for td in tr]
        for tr in page.get_element_by_id("audit").find("tbody")
    ]
    assert len(rows) == 1
    assert rows[0][2:4] == ["公众", "登录失败 user.login_failed"]  # the anonymous public, by its name
    assert rows[0][5] == "用户名：张晓伟 · 理由：用户名不存在 · 客户端地址：testclient"
    english = html.fromstring(client.get("/audit", params={"action": "user.login_failed", "lang": "en"}).text)
    detail = " ".join(english.get_element_by_id("audit").find("tbody")[0][5].text_content().split())
    assert detail == "Username: 张晓伟 · Reason: No such username · Client address: testclient"


def test_a_login_sets_the_last_login_time(client: Any, make_user: Any, session_factory: Any) -> None:
    name = make_user("city_officer", "city-returns")
    with session_factory() as session:
        assert session.scalar(select(User.last_login_at).where(User.username == name)) is None
    started = datetime.now(UTC)
    login(client, name)
    with session_factory() as session:
        last = session.scalar(select(User.last_login_at).where(User.username == name))
    assert last is not None
    assert (last if last.tzinfo else last.replace(tzinfo=UTC)) >= started.replace(microsecond=0)


def test_an_admin_resetting_its_own_password_stays_logged_in(
    make_user: Any, session_factory: Any, app: Any
) -> None:
    name = make_user("admin", "admin-self")
    uid = _user_id(session_factory, name)

    def session_begun_a_minute_ago() -> TestClient:
        # Minted: a session begun in the same second as the reset would count anyway
        # (see service._end_sessions).
        earlier = new_session(uid)
        earlier["at"] -= 60_000  # a minute, in milliseconds
        tab = TestClient(app)
        tab.cookies.set(SESSION_COOKIE, app.state.session_codec.dump(earlier), domain="testserver.local")
        return tab

    this_tab, other_tab = session_begun_a_minute_ago(), session_begun_a_minute_ago()
    assert other_tab.get("/api/v1/me").json()["username"] == name
    token = csrf_of(this_tab)
    for password in ("my-own-new-one", "and-another-one"):
        # The second post carries the token of the page before the first: it still holds.
        response = this_tab.post(
            f"/users/{uid}/password", data={"password": password, "csrf_token": token}, follow_redirects=False
        )
        assert response.status_code == 303
        assert this_tab.get("/api/v1/me").json()["username"] == name
    assert other_tab.get("/api/v1/me").json()["role"] == "public"
    assert login(TestClient(app), name, "and-another-one").status_code == 303


def test_a_session_begun_before_the_cut_off_no_longer_resolves(make_user: Any, session_factory: Any) -> None:
    """service.get_user, which the session middleware calls on every request."""
    name = make_user("city_officer", "city-cut")
    uid = _user_id(session_factory, name)
    cutoff = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=30)
    with session_factory() as session:
        user = session.get(User, uid)
        assert user is not None
        user.sessions_valid_after = cutoff
        session.commit()
    at = int(cutoff.timestamp()) * 1000  # a session's start, in milliseconds
    with session_factory() as session:
        assert service.get_user(session, uid, at - 1) is None
        assert service.get_user(session, uid, None) is None
        # A cookie of the older form (seconds since the epoch) began, by its count, long ago.
        assert service.get_user(session, uid, at // 1000) is None
        found = service.get_user(session, uid, at)
        assert found is not None and found.username == name
        assert service.get_user(session, uid, at + 60_000) is not None


def test_a_cookie_kept_from_before_logout_no_longer_logs_in(make_user: Any, app: Any) -> None:
    """Logging out ends the session on the server, not only in the browser: a copy of the
    cookie taken before (kept in another tab, or stolen) is refused afterwards."""
    name = make_user("city_officer", "city-logout")
    browser = TestClient(app)
    login(browser, name)
    kept = browser.cookies.get(SESSION_COOKIE)
    assert kept and browser.get("/api/v1/me").json()["username"] == name
    response = browser.post("/logout", data={"csrf_token": csrf_of(browser)}, follow_redirects=False)
    assert response.status_code == 303
    assert browser.get("/api/v1/me").json()["role"] == "public"
    copy = TestClient(app)
    copy.cookies.set(SESSION_COOKIE, kept, domain="testserver.local")
    assert copy.get("/api/v1/me").json()["role"] == "public"
    # Logging in again works at once.
    again = TestClient(app)
    login(again, name)
    assert again.get("/api/v1/me").json()["username"] == name


def test_the_sample_datas_counts_are_named_in_the_readers_language(
    client: Any, make_user: Any, session_factory: Any
) -> None:
    from ipcity.demo.loader import load_sample

    with session_factory() as s:
        summary = load_sample(s, patents=300)
        s.commit()
    make_user("admin", "admin-reads")
    login(client, "admin-reads")
    for lang, invention, designs, seed in (
        ("zh_CN", "发明专利件数", "外观设计专利件数", "随机种子"),
        ("en", "Invention patents", "Design patents", "Seed"),
    ):
        page = html.fromstring(client.get("/audit", params={"action": "demo.load", "lang": lang}).text)
        detail = " ".join(page.get_element_by_id("audit").find("tbody")[0][5].text_content().split())
        separator = ": " if lang == "en" else "："
        assert detail.startswith(f"{seed}{separator}"), detail
        assert f"{invention}{separator}{summary['patents.invention']}" in detail, detail
        assert f"{designs}{separator}{summary['patents.design']}" in detail, detail
        # No key of the stored JSON shows through.
        assert "patents." not in detail and "holders." not in detail and "plant_varieties" not in detail
        # The counts are longer than a line: their start is shown, the whole opens in place.
        more = page.get_element_by_id("audit").find("tbody")[0].find_class("audit-more")
        assert len(more) == 1 and more[0].tag == "details"
        assert f"{invention}{separator}{summary['patents.invention']}" in more[0].text_content()
