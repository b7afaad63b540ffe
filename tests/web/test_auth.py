"""Login, sessions and passwords: cookie flags, wrong passwords, rate limiting, logout,
session fixation, Argon2id storage, the production secret, forged cookies, audit entries."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import select, update
from web_support import PASSWORD, csrf_of, login

from ipcity.audit import AuditEntry
from ipcity.auth.models import LoginAttempt, User
from ipcity.config import Settings
from ipcity.web.security import SESSION_COOKIE, SessionCodec, new_session


def _me(client: Any) -> dict[str, Any]:
    response = client.get("/api/v1/me")
    assert response.status_code == 200
    return response.json()


def _post_login(client: Any, username: str, password: str, **extra: str) -> Any:
    data = {"username": username, "password": password, "csrf_token": csrf_of(client), **extra}
    return client.post("/login", data=data, follow_redirects=False)


def _alerts(html: str) -> list[str]:
    """The error sentences of a page: the form's alert, or the error page's message."""
    return re.findall(r'<p class="(?:flash bad" role="alert|message)">([^<]*)</p>', html)


def test_login_sets_an_http_only_same_site_cookie(client: Any, make_user: Any) -> None:
    name = make_user("city_officer", "city-login")
    response = _post_login(client, name, PASSWORD)
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    flags = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in flags
    assert "samesite=lax" in flags
    assert "secure" not in flags  # only behind HTTPS (secure_cookies)
    assert _me(client)["username"] == name and _me(client)["role"] == "city_officer"


def test_secure_flag_behind_https(settings: Settings, make_user: Any) -> None:
    from ipcity.web.app import create_app

    app = create_app(settings.model_copy(update={"secure_cookies": True}))
    try:
        with TestClient(app, base_url="https://testserver") as client:
            name = make_user("admin", "admin-https")
            response = _post_login(client, name, PASSWORD)
            flags = [part.strip().lower() for part in response.headers["set-cookie"].split(";")]
            assert "secure" in flags and "httponly" in flags
    finally:
        app.state.engine.dispose()


@pytest.mark.parametrize(
    ("query", "headers", "message"),
    [
        ("", {}, "用户名或密码不正确"),
        ("?lang=en", {}, "Incorrect username or password"),
        ("", {"Accept-Language": "en-GB,en;q=0.8"}, "Incorrect username or password"),
    ],
)
def test_wrong_password_gives_one_sentence_and_no_session(
    client: Any, make_user: Any, query: str, headers: dict[str, str], message: str
) -> None:
    from ipcity.i18n import gettext

    expected = gettext("用户名或密码不正确", "en" if message[0].isascii() else "zh_CN")
    assert expected == message
    name = make_user("admin", "admin-wrong")
    data = {"username": name, "password": "not-the-password", "csrf_token": csrf_of(client)}
    response = client.post(f"/login{query}", data=data, headers=headers, follow_redirects=False)
    assert response.status_code == 401
    assert _alerts(response.text) == [message]
    assert "Traceback" not in response.text
    assert _me(client)["role"] == "public"
    session = client.app.state.session_codec.load(client.cookies.get(SESSION_COOKIE))
    assert "uid" not in session
    # The username typed is kept in the form; the password is not.
    assert f'value="{name}"' in response.text and "not-the-password" not in response.text


def test_unknown_user_gets_the_same_answer(client: Any, make_user: Any) -> None:
    make_user("admin", "admin-real")
    unknown = _post_login(client, "nobody-here", "whatever-password")
    wrong = _post_login(client, "admin-real", "whatever-password")
    assert unknown.status_code == wrong.status_code == 401
    assert _alerts(unknown.text) == _alerts(wrong.text)


def test_rate_limit_refuses_even_the_right_password_until_the_window_passes(
    client: Any, make_user: Any, settings: Settings, session_factory: Any
) -> None:
    name = make_user("city_officer", "city-limited")
    other = make_user("city_officer", "city-other")
    for _ in range(settings.login_max_attempts):
        assert _post_login(client, name, "wrong-password").status_code == 401
    refused = _post_login(client, name, PASSWORD)
    assert refused.status_code == 429
    assert _alerts(refused.text) == ["登录失败次数过多，请 5 分钟后再试"]
    assert _me(client)["role"] == "public"
    # The limit is per user and address: another account from the same address still works.
    assert _post_login(TestClient(client.app), other, PASSWORD).status_code == 303
    # The window passes (the failures are aged past it): the right password works again.
    with session_factory() as session:
        session.execute(
            update(LoginAttempt).values(
                at=LoginAttempt.at - timedelta(seconds=settings.login_window_seconds + 1)
            )
        )
        session.commit()
    assert _post_login(client, name, PASSWORD).status_code == 303
    assert _me(client)["username"] == name
    with session_factory() as session:  # a successful login clears the count
        assert session.scalars(select(LoginAttempt)).all() == []


def test_rate_limit_lifts_when_the_window_has_passed(
    settings: Settings, make_user: Any, session_factory: Any
) -> None:
    from datetime import timedelta

    from ipcity.auth.models import LoginAttempt
    from ipcity.web.app import create_app

    app = create_app(settings.model_copy(update={"login_max_attempts": 2, "login_window_seconds": 60}))
    try:
        client = TestClient(app)
        name = make_user("admin", "admin-window")
        assert [_post_login(client, name, "bad-password").status_code for _ in range(2)] == [401, 401]
        assert _post_login(client, name, PASSWORD).status_code == 429
        # The window passes: the failures are dated back past it (no sleeping on a clock that
        # a loaded machine makes unreliable).
        with session_factory() as session:
            attempts = list(session.scalars(select(LoginAttempt)))
            assert len(attempts) == 2
            for attempt in attempts:
                attempt.at -= timedelta(seconds=61)
            session.commit()
        assert _post_login(client, name, PASSWORD).status_code == 303
    finally:
        app.state.engine.dispose()


def test_logout_clears_the_user(client: Any, make_user: Any) -> None:
    login(client, make_user("admin", "admin-out"))
    assert _me(client)["role"] == "admin"
    token = csrf_of(client)
    response = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert _me(client)["role"] == "public"
    assert csrf_of(client) != token
    assert client.get("/users", follow_redirects=False).status_code == 303


def test_session_fixation_a_new_session_at_login(client: Any, make_user: Any) -> None:
    name = make_user("admin", "admin-fixed")
    before_cookie = client.get("/login").cookies.get(SESSION_COOKIE) or client.cookies.get(SESSION_COOKIE)
    before = csrf_of(client)
    login(client, name)
    after = csrf_of(client)
    assert before != after
    # The cookie a visitor had before logging in (planted by someone else, say) stays anonymous.
    planted = TestClient(client.app)
    planted.cookies.set(SESSION_COOKIE, before_cookie, domain="testserver.local")
    assert _me(planted)["role"] == "public"
    assert _me(client)["username"] == name


def test_passwords_are_stored_as_argon2id(
    make_user: Any, session_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = make_user("admin", "admin-hash")
    with session_factory() as session:
        stored = session.scalar(select(User.password_hash).where(User.username == name))
    assert stored is not None and stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    # The production hasher (test costs undone) is Argon2id too, salted: two hashes differ.
    monkeypatch.undo()
    from ipcity.auth.passwords import hash_password, verify_password

    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first.startswith("$argon2id$") and first != second
    assert verify_password(first, PASSWORD) and not verify_password(first, PASSWORD + "x")
    assert not verify_password("not-a-hash", PASSWORD)


def test_production_refuses_the_default_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IPCITY_ENVIRONMENT", "production")
    monkeypatch.delenv("IPCITY_SECRET_KEY", raising=False)
    with pytest.raises(ValidationError, match="IPCITY_SECRET_KEY"):
        Settings()
    from ipcity.web.app import create_app

    with pytest.raises(ValidationError):
        create_app()
    monkeypatch.setenv("IPCITY_SECRET_KEY", "a-real-secret-from-the-vault")
    assert Settings().environment == "production"


def test_a_development_install_signs_with_its_own_key_not_the_published_one(
    database_url: str, tmp_path: Path, make_user: Any
) -> None:
    """The shipped default key is in the source: on a development or demo install a random
    key is made once (upload_dir/.secret_key, owner-only) and kept, so that a cookie signed
    with the published key is a stranger's, not an admin's."""
    import stat

    from ipcity.config import _DEVELOPMENT_SECRET
    from ipcity.web.app import create_app
    from ipcity.web.security import SessionCodec

    settings = Settings(database_url=database_url, environment="development", upload_dir=tmp_path / "files")
    key = settings.session_secret()
    assert key != _DEVELOPMENT_SECRET and len(key) >= 48
    assert settings.session_secret() == key  # the same key on every start of this install
    kept = tmp_path / "files" / ".secret_key"
    assert kept.read_text(encoding="ascii") == key
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    # A key set, or the test environment, is used as given.
    assert (
        Settings(secret_key="from-the-vault", environment="development").session_secret() == "from-the-vault"
    )
    assert Settings(environment="test").session_secret() == _DEVELOPMENT_SECRET

    app = create_app(settings)
    client = TestClient(app)
    login(client, make_user("admin", "admin-dev"))
    assert _me(client)["role"] == "admin"
    admin_id = app.state.session_codec.load(client.cookies.get(SESSION_COOKIE))["uid"]
    forged = TestClient(app)
    cookie = SessionCodec(_DEVELOPMENT_SECRET, 3600).dump(new_session(admin_id))
    forged.cookies.set(SESSION_COOKIE, cookie, domain="testserver.local")
    assert _me(forged)["role"] == "public"


@pytest.mark.parametrize("forgery", ["altered", "other_key", "garbage", "no_csrf"])
def test_forged_or_altered_cookie_is_anonymous(app: Any, make_user: Any, forgery: str) -> None:
    client = TestClient(app)
    login(client, make_user("admin", "admin-forged"))
    genuine = client.cookies.get(SESSION_COOKIE)
    assert genuine is not None
    admin_id = app.state.session_codec.load(genuine)["uid"]
    if forgery == "altered":
        cookie = genuine[:-3] + ("AAA" if not genuine.endswith("AAA") else "BBB")
    elif forgery == "other_key":
        cookie = SessionCodec("guessed-secret", 3600).dump(new_session(admin_id))
    elif forgery == "garbage":
        cookie = "x" * 40 + ".eyJ1aWQiOjF9.garbage"
    else:  # signed with the right key but missing the CSRF token: not a session of ours
        cookie = app.state.session_codec.dump({"uid": admin_id})
    forged = TestClient(app)
    forged.cookies.set(SESSION_COOKIE, cookie, domain="testserver.local")
    assert _me(forged)["role"] == "public"
    assert forged.get("/users", follow_redirects=False).status_code == 303
    # The answer gives the visitor a fresh anonymous session in place of the forged one.
    fresh = forged.cookies.get(SESSION_COOKIE)
    assert fresh != cookie and "uid" not in app.state.session_codec.load(fresh)


def test_a_deactivated_user_is_logged_out(client: Any, make_user: Any, session_factory: Any) -> None:
    name = make_user("admin", "admin-leaving")
    login(client, name)
    with session_factory() as session:
        session.execute(update(User).where(User.username == name).values(active=False))
        session.commit()
    assert _me(client)["role"] == "public"
    assert _post_login(client, name, PASSWORD).status_code == 401


def test_login_and_user_creation_are_audited(client: Any, make_user: Any, session_factory: Any) -> None:
    admin = make_user("admin", "admin-audit")
    login(client, admin)
    response = client.post(
        "/users",
        data={
            "username": "new-officer",
            "password": "long-enough-password",
            "role": "county_officer",
            "region_code": "410621",
            "csrf_token": csrf_of(client),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    with session_factory() as session:
        entries = [(e.actor, e.action) for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
        created = session.scalar(select(User).where(User.username == "new-officer"))
    assert entries == [
        ("system", "user.create"),  # make_user (the setup account)
        (admin, "user.login"),
        (admin, "user.create"),
    ]
    assert created is not None and created.region_code == "410621"
    verify = client.get("/api/v1/audit/verify").json()
    assert verify["ok"] is True and verify["entries"] == 3


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"username": "", "role": "admin"}, "参数 用户名（username） 的值不合规"),
        ({"username": "   ", "role": "admin"}, "用户名应为3到64个字符"),
        ({"username": "x", "role": "public"}, "角色应为 企业用户（enterprise）、县区知识产权管理人员"),
        ({"username": "x", "role": "county_officer"}, "县区账号必须指定所属县区的行政区划代码"),
        ({"username": "x", "role": "county_officer", "region_code": "999999"}, "不在 GB/T 2260 行政区划表中"),
        ({"username": "x", "role": "enterprise", "holder_id": "123456"}, "未找到权利人：123456"),
        ({"username": "x", "role": "enterprise", "holder_id": "99999999999999999999"}, "未找到权利人"),
        ({"username": "x", "role": "enterprise", "holder_id": "abc"}, "权利人ID应为数字"),
        ({"username": "x", "role": "admin", "password": "short"}, "密码至少需要8个字符"),
        ({"username": "x", "role": "admin", "password": " " * 8}, "密码不能只由空格组成"),
        # Easy to guess, on an admin above all: a common password, a repeat, the username.
        ({"username": "weak-a", "role": "admin", "password": "12345678"}, "密码太容易被猜到"),
        ({"username": "weak-b", "role": "admin", "password": "password"}, "密码太容易被猜到"),
        ({"username": "weak-c", "role": "admin", "password": "aaaaaaaa"}, "密码太容易被猜到"),
        ({"username": "qibin2024", "role": "admin", "password": "qibin2024"}, "密码太容易被猜到"),
        ({"username": "admin-form", "role": "admin"}, "用户名 admin-form 已存在"),
    ],
)
def test_bad_user_form_creates_nothing(
    client: Any, make_user: Any, session_factory: Any, fields: dict[str, str], message: str
) -> None:
    login(client, make_user("admin", "admin-form"))
    with session_factory() as session:
        users_before = session.scalars(select(User.username).order_by(User.id)).all()
        audit_before = session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
    data = {"password": "long-enough-password", **fields, "csrf_token": csrf_of(client)}
    response = client.post("/users", data=data, follow_redirects=False)
    assert 400 <= response.status_code < 500
    alerts = _alerts(response.text)
    assert len(alerts) == 1 and message in alerts[0], response.text[-600:]
    with session_factory() as session:
        assert session.scalars(select(User.username).order_by(User.id)).all() == users_before
        assert session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1)) == audit_before


@pytest.mark.parametrize(
    ("target", "lands_on"),
    [
        ("/patents?q=1", "/patents?q=1"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("/\t/evil.example", "/"),
        ("https://evil.example", "/"),
    ],
)
def test_login_never_redirects_off_site(client: Any, make_user: Any, target: str, lands_on: str) -> None:
    name = make_user("admin", "admin-next")
    response = _post_login(client, name, PASSWORD, next=target)
    assert response.status_code == 303 and response.headers["location"] == lands_on


def test_login_returns_to_the_page_asked_for(client: Any, make_user: Any) -> None:
    asked = client.get("/audit?page=2&x=a%26b", follow_redirects=False)
    assert asked.status_code == 303
    assert asked.headers["location"] == "/login?next=/audit%3Fpage%3D2%26x%3Da%2526b"
    form = client.get(asked.headers["location"]).text
    assert 'name="next" value="/audit?page=2&amp;x=a%26b"' in form
    response = _post_login(client, make_user("admin", "admin-back"), PASSWORD, next="/audit?page=2&x=a%26b")
    assert response.headers["location"] == "/audit?page=2&x=a%26b"


def _signed_ago(app: Any, data: dict[str, Any], seconds: float, monkeypatch: pytest.MonkeyPatch) -> str:
    """A genuine session cookie of this app, signed ``seconds`` ago."""
    import time

    now = time.time()
    with monkeypatch.context() as m:
        m.setattr(time, "time", lambda: now - seconds)
        return str(app.state.session_codec.dump(data))


def test_a_visitors_session_is_signed_again_before_its_form_token_runs_out(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A login form opened long after the first visit must still be sendable: a visitor's
    session past half its age is signed again (a fresh one is left as it is)."""
    max_age = app.state.session_codec.max_age
    for age, refreshed in ((max_age * 0.6, True), (5, False)):
        client = TestClient(app)
        client.cookies.set(
            SESSION_COOKIE, _signed_ago(app, new_session(), age, monkeypatch), domain="testserver.local"
        )
        page = client.get("/login")
        assert page.status_code == 200
        assert (SESSION_COOKIE in page.headers.get("set-cookie", "")) is refreshed, age


def test_a_form_sent_after_the_login_expired_says_so(
    app: Any, make_user: Any, monkeypatch: pytest.MonkeyPatch, session_factory: Any
) -> None:
    """The login ran out while the form was open: 401 "登录已过期" with a way to log in, not a
    CSRF error; nothing is written."""
    client = TestClient(app)
    login(client, make_user("admin", "admin-expired"))
    data = app.state.session_codec.load(client.cookies.get(SESSION_COOKIE))
    expired = _signed_ago(app, data, app.state.session_codec.max_age + 60, monkeypatch)
    late = TestClient(app)
    late.cookies.set(SESSION_COOKIE, expired, domain="testserver.local")
    with session_factory() as session:
        before = session.scalars(select(User.username)).all()
    sent = late.post(
        "/users",
        data={
            "username": "late-user",
            "role": "admin",
            "password": "long-enough-password",
            "csrf_token": data["csrf"],
        },
        follow_redirects=False,
    )
    assert sent.status_code == 401
    assert "登录已过期，本次提交未保存；请重新登录后再提交" in sent.text and 'id="error-login"' in sent.text
    with session_factory() as session:
        assert session.scalars(select(User.username)).all() == before


def test_the_api_docs_send_the_sessions_csrf_token_with_their_requests(app: Any, make_user: Any) -> None:
    """ "Try it out" on a POST in /docs carries the token of the session the page was served
    in (a request interceptor), so that writing through the docs works for a logged-in user."""
    client = TestClient(app)
    login(client, make_user("admin", "admin-docs"))
    page = client.get("/docs").text
    token = app.state.session_codec.load(client.cookies.get(SESSION_COOKIE))["csrf"]
    found = re.search(r"req\.headers\['X-CSRF-Token'\] = \"([^\"]+)\"", page)
    assert found and found.group(1) == token
    assert "/static/vendor/swagger-ui-bundle.js" in page and "cdn." not in page
    sent = client.post(
        "/api/v1/users",
        json={"username": "from-docs", "role": "admin", "password": "long-enough-password"},
        headers={"X-CSRF-Token": found.group(1)},
    )
    assert sent.status_code == 201, sent.text
