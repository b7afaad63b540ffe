"""The users API (``/api/v1/users``): the admin creates, lists, reads, changes, disables and
enables accounts and resets passwords through JSON, with the same rules as the pages (they
live in the service), the same one-sentence errors as JSON, the CSRF header, and never a
password hash in an answer."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from ipcity_testing import PASSWORD, csrf_of, login
from policy_exports_world import make_holder
from sqlalchemy import select

from ipcity.audit import AuditEntry
from ipcity.auth.models import User
from ipcity.web.security import SESSION_COOKIE, new_session

HIDDEN_KEYS = {"password_hash", "sessions_valid_after"}


def _holder(session_factory: Any, name: str = "鹤壁市接口测试科技有限公司") -> int:
    with session_factory() as session:
        holder = make_holder(session, name, "410611")
        session.commit()
        return holder.id


def _send(client: Any, method: str, path: str, body: Any = None) -> Any:
    """A JSON request with the session's CSRF token in the header (how API clients send it)."""
    response = client.request(method, path, json=body, headers={"X-CSRF-Token": csrf_of(client)})
    # Whatever the answer, no password hash and no session cut-off leak into it.
    assert "$argon2" not in response.text
    if response.headers.get("content-type", "").startswith("application/json"):
        _no_hidden_keys(response.json())
    return response


def _no_hidden_keys(data: Any) -> None:
    if isinstance(data, dict):
        assert not HIDDEN_KEYS & set(data), data
        for value in data.values():
            _no_hidden_keys(value)
    elif isinstance(data, list):
        for value in data:
            _no_hidden_keys(value)


def _error(response: Any, status: int, message: str, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.json() == {"ok": False, "error": message, "code": code, "status": status}


def _as(app: Any, username: str, password: str = PASSWORD) -> TestClient:
    client = TestClient(app)
    assert login(client, username, password).status_code == 303
    return client


def _earlier_session(app: Any, user_id: int) -> TestClient:
    """A client whose session began a minute ago (minted: one begun in the same second as a
    password reset would still count, see ``service._end_sessions``)."""
    data = new_session(user_id)
    data["at"] -= 60_000  # a minute, in milliseconds
    client = TestClient(app)
    client.cookies.set(SESSION_COOKIE, app.state.session_codec.dump(data), domain="testserver.local")
    return client


def _audit_actions(session_factory: Any) -> list[tuple[str, str, str | None]]:
    with session_factory() as session:
        return [
            (e.actor, e.action, e.object_id)
            for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]


@pytest.fixture
def admin(client: Any, make_user: Any) -> str:
    """The test client logged in as an admin; returns the admin's username."""
    name = make_user("admin", "admin-api")
    login(client, name)
    return name


def test_a_county_officer_created_through_the_api_needs_a_county_and_then_logs_in(
    client: Any, admin: str, session_factory: Any
) -> None:
    body = {"username": " Qibin.API ", "password": "long-enough-password", "role": "county_officer"}
    no_county = _send(client, "POST", "/api/v1/users", body)
    _error(no_county, 400, "县区账号必须指定所属县区的行政区划代码", "validation_failed")
    outside = _send(client, "POST", "/api/v1/users", {**body, "region_code": "110101"})
    assert outside.status_code == 400 and "应为本市的县级行政区划之一" in outside.json()["error"]

    created = _send(
        client, "POST", "/api/v1/users", {**body, "region_code": "410611", "display_name": "淇滨区张伟"}
    )
    assert created.status_code == 201, created.text
    user = created.json()
    assert user["username"] == "qibin.api"  # trimmed, lower case
    assert (user["role"], user["role_label"], user["role_label_en"]) == (
        "county_officer",
        "县区知识产权管理人员",
        "County IP officer",
    )
    assert (user["region_code"], user["region_name"], user["region_name_en"]) == (
        "410611",
        "淇滨区",
        "Qibin District",
    )
    assert user["display_name"] == "淇滨区张伟" and user["active"] is True and user["last_login_at"] is None
    assert user["holder_id"] is None and user["holder_name"] is None
    assert user["created_at"].endswith("+08:00")
    assert "password" not in user
    assert ("admin-api", "user.create", str(user["id"])) in _audit_actions(session_factory)

    # The new account logs in with the password it was given and acts as a county officer.
    officer = _as(client.app, "Qibin.API", "long-enough-password")
    me = officer.get("/api/v1/me").json()
    assert (me["username"], me["role"], me["region_code"]) == ("qibin.api", "county_officer", "410611")
    # ... and its login is on its record.
    again = _send(client, "GET", f"/api/v1/users/{user['id']}").json()
    assert again["last_login_at"] is not None and again["last_login_at"].endswith("+08:00")

    # A second account of the same name (in any spelling) is refused.
    twice = _send(client, "POST", "/api/v1/users", {**body, "username": "QIBIN.api", "region_code": "410611"})
    _error(twice, 409, "用户名 qibin.api 已存在", "conflict")


def test_an_enterprise_user_needs_an_existing_holder_and_may_not_use_the_api(
    client: Any, admin: str, session_factory: Any
) -> None:
    body = {"username": "firm-api", "password": "long-enough-password", "role": "enterprise"}
    _error(
        _send(client, "POST", "/api/v1/users", body), 400, "企业用户必须绑定一个权利人", "validation_failed"
    )
    _error(
        _send(client, "POST", "/api/v1/users", {**body, "holder_id": 999_999}),
        404,
        "未找到权利人：999999",
        "not_found",
    )
    holder_id = _holder(session_factory)
    created = _send(client, "POST", "/api/v1/users", {**body, "holder_id": holder_id})
    assert created.status_code == 201
    assert (created.json()["holder_id"], created.json()["holder_name"]) == (
        holder_id,
        "鹤壁市接口测试科技有限公司",
    )

    firm = _as(client.app, "firm-api", "long-enough-password")
    denied = "当前账号（企业用户）无权执行此操作"
    user_id = created.json()["id"]
    for method, path, json_body in (
        ("GET", "/api/v1/users", None),
        ("GET", f"/api/v1/users/{user_id}", None),
        ("POST", "/api/v1/users", {**body, "username": "firm-api-2", "holder_id": holder_id}),
        ("PATCH", f"/api/v1/users/{user_id}", {"display_name": "自己改"}),
        ("POST", f"/api/v1/users/{user_id}/active", {"active": False}),
        ("POST", f"/api/v1/users/{user_id}/password", {}),
        ("GET", "/api/v1/audit", None),
    ):
        _error(_send(firm, method, path, json_body), 403, denied, "permission_denied")
    # The public is asked to log in.
    _error(_send(TestClient(client.app), "GET", "/api/v1/users"), 401, "请先登录", "not_authenticated")
    with client.app.state.session_factory() as session:
        assert session.scalar(select(User).where(User.username == "firm-api-2")) is None


def test_the_last_admin_cannot_be_disabled_or_demoted(client: Any, admin: str, session_factory: Any) -> None:
    with session_factory() as session:
        admin_id = session.scalar(select(User.id).where(User.username == admin))
    message = "admin-api 是最后一个启用中的系统管理员，不能停用或改为其他角色"
    _error(
        _send(client, "POST", f"/api/v1/users/{admin_id}/active", {"active": False}), 409, message, "conflict"
    )
    _error(
        _send(client, "PATCH", f"/api/v1/users/{admin_id}", {"role": "city_officer"}),
        409,
        message,
        "conflict",
    )
    assert client.get("/api/v1/me").json()["role"] == "admin"
    # With a second admin, the first may be disabled (by the second).
    second = _send(
        client,
        "POST",
        "/api/v1/users",
        {"username": "admin-two", "password": "long-enough-password", "role": "admin"},
    )
    assert second.status_code == 201
    other = _as(client.app, "admin-two", "long-enough-password")
    disabled = _send(other, "POST", f"/api/v1/users/{admin_id}/active", {"active": False})
    assert disabled.status_code == 200 and disabled.json()["active"] is False
    # Its session has ended and it cannot log in any more.
    assert client.get("/api/v1/me").json()["role"] == "public"
    assert login(TestClient(client.app), admin).status_code == 401
    # Now admin-two is the last one.
    own_id = second.json()["id"]
    _error(
        _send(other, "POST", f"/api/v1/users/{own_id}/active", {"active": False}),
        409,
        "admin-two 是最后一个启用中的系统管理员，不能停用或改为其他角色",
        "conflict",
    )
    enabled = _send(other, "POST", f"/api/v1/users/{admin_id}/active", {"active": True})
    assert enabled.json()["active"] is True
    assert login(TestClient(client.app), admin).status_code == 303


def test_patch_changes_only_the_fields_sent(
    client: Any, admin: str, make_user: Any, session_factory: Any
) -> None:
    make_user("city_officer", "city-api", region_code=None)
    with session_factory() as session:
        user_id = session.scalar(select(User.id).where(User.username == "city-api"))
    named = _send(client, "PATCH", f"/api/v1/users/{user_id}", {"display_name": "市局李明"})
    assert named.status_code == 200
    assert (named.json()["display_name"], named.json()["role"], named.json()["username"]) == (
        "市局李明",
        "city_officer",
        "city-api",
    )
    # A county officer needs its county: refused without, nothing changed.
    _error(
        _send(client, "PATCH", f"/api/v1/users/{user_id}", {"role": "county_officer"}),
        400,
        "县区账号必须指定所属县区的行政区划代码",
        "validation_failed",
    )
    assert _send(client, "GET", f"/api/v1/users/{user_id}").json()["role"] == "city_officer"
    moved = _send(
        client, "PATCH", f"/api/v1/users/{user_id}", {"role": "county_officer", "region_code": "410621"}
    )
    assert (moved.json()["role"], moved.json()["region_code"], moved.json()["region_name_en"]) == (
        "county_officer",
        "410621",
        "Xun County",
    )
    assert moved.json()["display_name"] == "市局李明"  # not sent: kept
    # Back to the city: the county must be cleared, not silently dropped.
    _error(
        _send(client, "PATCH", f"/api/v1/users/{user_id}", {"role": "city_officer"}),
        400,
        "只有县区账号才指定所属县区，请为该角色清空县区",
        "validation_failed",
    )
    back = _send(client, "PATCH", f"/api/v1/users/{user_id}", {"role": "city_officer", "region_code": None})
    assert (back.json()["role"], back.json()["region_code"]) == ("city_officer", None)
    cleared = _send(client, "PATCH", f"/api/v1/users/{user_id}", {"display_name": None})
    assert cleared.json()["display_name"] is None
    with session_factory() as session:
        updates = list(
            session.scalars(
                select(AuditEntry).where(
                    AuditEntry.action == "user.update", AuditEntry.object_id == str(user_id)
                )
            )
        )
    assert len(updates) == 4
    assert updates[1].detail["changes"]["role"] == ["city_officer", "county_officer"]
    # Bad input is one sentence; an unknown user is not found.
    bad = _send(client, "PATCH", f"/api/v1/users/{user_id}", {"holder_id": 0})
    assert bad.status_code == 400 and bad.json()["code"] == "bad_input" and "holder_id" in bad.json()["error"]
    _error(
        _send(client, "PATCH", "/api/v1/users/999999", {"display_name": "x"}),
        404,
        "未找到用户：999999",
        "not_found",
    )
    _error(_send(client, "GET", "/api/v1/users/999999"), 404, "未找到用户：999999", "not_found")


def test_password_reset_given_or_generated(
    client: Any, admin: str, make_user: Any, session_factory: Any
) -> None:
    make_user("city_officer", "reset-api")
    with session_factory() as session:
        user_id = session.scalar(select(User.id).where(User.username == "reset-api"))
    officer = _earlier_session(client.app, user_id)
    assert officer.get("/api/v1/me").json()["username"] == "reset-api"
    too_short = _send(client, "POST", f"/api/v1/users/{user_id}/password", {"password": "short"})
    _error(too_short, 400, "密码至少需要8个字符", "validation_failed")
    for weak in ("reset-api", "12345678"):  # the username itself, a top-10 password
        guessed = _send(client, "POST", f"/api/v1/users/{user_id}/password", {"password": weak})
        assert guessed.status_code == 400 and guessed.json()["error"].startswith("密码太容易被猜到")

    given = _send(client, "POST", f"/api/v1/users/{user_id}/password", {"password": "a-new-long-password"})
    assert given.status_code == 200 and given.headers["cache-control"] == "no-store"
    assert given.json()["generated"] is False and given.json()["password"] is None
    assert officer.get("/api/v1/me").json()["role"] == "public"  # its session ended
    assert login(TestClient(client.app), "reset-api").status_code == 401
    assert login(TestClient(client.app), "reset-api", "a-new-long-password").status_code == 303

    generated = _send(client, "POST", f"/api/v1/users/{user_id}/password")
    assert generated.status_code == 200 and generated.json()["generated"] is True
    secret = generated.json()["password"]
    assert isinstance(secret, str) and len(secret) >= 8
    assert login(TestClient(client.app), "reset-api", secret).status_code == 303
    with session_factory() as session:
        entry = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == "user.password_reset")
            .order_by(AuditEntry.id.desc())
        ).first()
    assert entry is not None and entry.detail == {"username": "reset-api", "generated": True}
    assert secret not in str(entry.detail)

    # The admin's own password: this session goes on (with the same CSRF token), others end.
    with session_factory() as session:
        admin_id = session.scalar(select(User.id).where(User.username == admin))
    elsewhere = _earlier_session(client.app, admin_id)
    assert elsewhere.get("/api/v1/me").json()["username"] == admin
    token = csrf_of(client)
    own = _send(client, "POST", f"/api/v1/users/{admin_id}/password", {"password": "admins-new-password"})
    assert own.status_code == 200
    assert client.get("/api/v1/me").json()["username"] == admin and csrf_of(client) == token
    assert elsewhere.get("/api/v1/me").json()["role"] == "public"


def test_the_list_pages_like_every_list(client: Any, admin: str, make_user: Any) -> None:
    for i in range(4):
        make_user("city_officer", f"paged-{i}")
    first = _send(client, "GET", "/api/v1/users", None)
    assert first.status_code == 200
    data = first.json()
    assert (data["total"], data["page"], data["per_page"], data["pages"]) == (5, 1, 50, 1)
    assert [u["username"] for u in data["items"]] == ["admin-api", "paged-0", "paged-1", "paged-2", "paged-3"]
    second = client.get("/api/v1/users", params={"per_page": 2, "page": 2}).json()
    assert (second["page"], second["pages"]) == (2, 3)
    assert [u["username"] for u in second["items"]] == ["paged-1", "paged-2"]
    # Past the last page: the last.
    past = client.get("/api/v1/users", params={"per_page": 2, "page": 99}).json()
    assert past["page"] == 3 and [u["username"] for u in past["items"]] == ["paged-3"]
    bad = client.get("/api/v1/users", params={"per_page": 500})
    assert bad.status_code == 400 and bad.json()["code"] == "bad_input"


def test_state_changes_need_the_csrf_header(client: Any, admin: str, session_factory: Any) -> None:
    body = {"username": "no-token", "password": "long-enough-password", "role": "city_officer"}
    refused = client.post("/api/v1/users", json=body)
    _error(refused, 403, "请求缺少有效的CSRF令牌，请刷新页面后重试", "permission_denied")
    with session_factory() as session:
        assert session.scalar(select(User).where(User.username == "no-token")) is None


def test_errors_in_english(client: Any, admin: str) -> None:
    body = {"username": "en-officer", "password": "long-enough-password", "role": "county_officer"}
    response = client.post("/api/v1/users?lang=en", json=body, headers={"X-CSRF-Token": csrf_of(client)})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error.isascii() and "county" in error.lower()
