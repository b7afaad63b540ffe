"""The admin's users pages: the list (county and holder by name, active, last login), the
add form (least powerful role first, strict names and bindings), the edit page (role and
binding, rename, disable / enable, password reset) and the last-admin guard; each change
audited, each rule checked in the service as well as the page."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from lxml import html
from policy_exports_world import make_holder
from sqlalchemy import select
from web_support import PASSWORD, csrf_of, login

from ipcity.audit import AuditEntry
from ipcity.auth import service
from ipcity.auth.models import User
from ipcity.auth.roles import SYSTEM, Actor
from ipcity.errors import Conflict, PermissionDenied, ValidationFailed
from ipcity.web.security import SESSION_COOKIE, new_session

ACCEPTED = "410602, 410603, 410611, 410621, 410622, 410671"


def _alerts(page: str) -> list[str]:
    """The error sentences of a page: the form's alert, or the error page's message."""
    return re.findall(r'<p class="(?:flash bad" role="alert|message)">([^<]*)</p>', page)


def _holder(session_factory: Any, name: str = "鹤壁市测试科技有限公司") -> int:
    with session_factory() as session:
        holder = make_holder(session, name, "410611")
        session.commit()
        return holder.id


def _user(session_factory: Any, username: str) -> User:
    with session_factory() as session:
        user = session.scalar(select(User).where(User.username == username))
        assert user is not None, username
        session.expunge(user)
        return user


def _audit(session_factory: Any, since: int = 0) -> list[AuditEntry]:
    with session_factory() as session:
        entries = list(
            session.scalars(select(AuditEntry).where(AuditEntry.id > since).order_by(AuditEntry.id))
        )
        for entry in entries:
            session.expunge(entry)
        return entries


def _last_audit_id(session_factory: Any) -> int:
    with session_factory() as session:
        return session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1)) or 0


def _post(client: Any, path: str, **data: str) -> Any:
    return client.post(path, data={**data, "csrf_token": csrf_of(client)}, follow_redirects=False)


def _create(client: Any, **fields: str) -> Any:
    return _post(client, "/users", **{"password": "long-enough-password", **fields})


def _as(app: Any, username: str) -> TestClient:
    client = TestClient(app)
    login(client, username)
    return client


def _me(client: Any) -> dict[str, Any]:
    data: dict[str, Any] = client.get("/api/v1/me").json()
    return data


@pytest.fixture
def admin(client: Any, make_user: Any) -> str:
    """The test client logged in as an admin; returns the admin's username."""
    name = make_user("admin", "admin-users")
    login(client, name)
    return name


# ---------------------------------------------------------------------------- the list (2, 3)


def test_the_list_names_the_county_and_the_holder_and_shows_state_and_last_login(
    client: Any, admin: str, make_user: Any, session_factory: Any
) -> None:
    holder_id = _holder(session_factory)
    make_user("county_officer", "qibin-officer", region_code="410611")
    make_user("enterprise", "firm-user", holder_id=holder_id)
    make_user("city_officer", "city-idle")
    login(TestClient(client.app), "firm-user")
    with session_factory() as session:
        session.get(User, _user(session_factory, "city-idle").id).active = False  # type: ignore[union-attr]
        session.commit()

    def rows(lang: str) -> dict[str, list[str]]:
        table = html.fromstring(client.get("/users", params={"lang": lang}).text).get_element_by_id("users")
        head = [th.text_content().strip() for th in table.find("thead").iter("th")]
        out = {}
        for tr in table.find("tbody"):
            cells = [" ".join(td.text_content().split()) for td in tr]
            out[cells[1]] = cells
        out["head"] = head
        return out

    zh = rows("zh_CN")
    assert zh["head"][:9] == [
        "ID",
        "用户名",
        "显示名称",
        "角色",
        "县区",
        "绑定权利人",
        "状态",
        "最近登录",
        "创建时间",
    ]
    assert zh["qibin-officer"][4] == "淇滨区 410611"
    assert zh["firm-user"][5] == "鹤壁市测试科技有限公司"
    assert zh["firm-user"][6] == "启用" and zh["city-idle"][6] == "已停用"
    assert zh["city-idle"][7] == "从未登录"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", zh["firm-user"][7]), zh["firm-user"]
    en = rows("en")
    assert en["qibin-officer"][4] == "Qibin District 410611"
    assert en["city-idle"][6] == "Disabled" and en["city-idle"][7] == "Never"
    page = html.fromstring(client.get("/users").text)
    assert page.xpath("//table[@id='users']//a[@href=$h]/text()", h=f"/holders/{holder_id}") == [
        "鹤壁市测试科技有限公司"
    ]


def test_the_add_form_offers_the_least_powerful_role_first_and_admin_last(client: Any, admin: str) -> None:
    form = html.fromstring(client.get("/users").text).get_element_by_id("add-user")
    options = form.xpath(".//select[@name='role']/option")
    assert [o.get("value") for o in options] == ["enterprise", "county_officer", "city_officer", "admin"]
    assert not any(o.get("selected") is not None for o in options)  # the browser picks the first
    assert form.xpath(".//select[@name='region_code']/option/@value") == ["", *ACCEPTED.split(", ")]


# --------------------------------------------------------------------------- validation (4)


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        (
            {"username": "county-city", "role": "county_officer", "region_code": "410600"},
            400,
            f"县区账号的所属县区应为本市的县级行政区划之一（{ACCEPTED}），收到：410600",
        ),
        (
            {"username": "county-beijing", "role": "county_officer", "region_code": "110101"},
            400,
            f"县区账号的所属县区应为本市的县级行政区划之一（{ACCEPTED}），收到：110101",
        ),
        (
            {"username": "<b>x</b>", "role": "city_officer"},
            400,
            "用户名应为3到64个字符（含汉字时可为2个字符），只能包含英文字母（A–Z）、数字、汉字和 . _ -，收到：<b>x</b>",
        ),
        ({"username": "ab", "role": "city_officer"}, 400, "用户名应为3到64个字符"),
        ({"username": "张", "role": "city_officer"}, 400, "用户名应为3到64个字符"),
        ({"username": "a" * 65, "role": "city_officer"}, 400, "用户名应为3到64个字符"),
        ({"username": "a b c", "role": "city_officer"}, 400, "用户名应为3到64个字符"),
        ({"username": "System", "role": "city_officer"}, 400, "用户名 system 为系统保留名称，请换一个"),
        (
            {"username": "city-region", "role": "city_officer", "region_code": "410611"},
            400,
            "只有县区账号才指定所属县区，请为该角色清空县区",
        ),
        (
            {"username": "admin-holder", "role": "admin", "holder_id": "1"},
            400,
            "只有企业用户才绑定权利人，请为该角色清空权利人ID",
        ),
        (
            {
                "username": "county-holder",
                "role": "county_officer",
                "region_code": "410611",
                "holder_id": "1",
            },
            400,
            "只有企业用户才绑定权利人，请为该角色清空权利人ID",
        ),
        ({"username": "OFFICER", "role": "city_officer"}, 409, "用户名 officer 已存在"),
    ],
)
def test_bad_accounts_are_refused_with_one_sentence(
    client: Any,
    admin: str,
    make_user: Any,
    session_factory: Any,
    fields: dict[str, str],
    status: int,
    message: str,
) -> None:
    make_user("city_officer", "officer")
    before = _last_audit_id(session_factory)
    with session_factory() as session:
        users_before = session.scalars(select(User.username).order_by(User.id)).all()
    response = _create(client, **fields)
    assert response.status_code == status
    alerts = [html.fromstring(a).text_content() for a in _alerts(response.text)]
    assert len(alerts) == 1 and alerts[0].startswith(message), alerts
    with session_factory() as session:
        assert session.scalars(select(User.username).order_by(User.id)).all() == users_before
    assert _audit(session_factory, before) == []
    # The form keeps what was typed (not the password) and the role chosen.
    form = html.fromstring(response.text).get_element_by_id("add-user")
    assert form.xpath(".//input[@name='username']/@value") == [fields["username"]]
    assert form.xpath(".//select[@name='role']/option[@selected]/@value") == [fields["role"]]


def test_the_region_error_lists_the_counties_in_english_too(client: Any, admin: str) -> None:
    response = client.post(
        "/users?lang=en",
        data={
            "username": "county-x",
            "password": "long-enough-password",
            "role": "county_officer",
            "region_code": "110101",
            "csrf_token": csrf_of(client),
        },
    )
    assert [html.fromstring(a).text_content() for a in _alerts(response.text)] == [
        f"A county officer's county must be one of the city's county-level divisions ({ACCEPTED}); got 110101"
    ]


def test_good_accounts_are_stored_with_lower_case_names(
    client: Any, admin: str, session_factory: Any, app: Any
) -> None:
    holder_id = _holder(session_factory)
    assert (
        _create(client, username="Qibin.Officer", role="county_officer", region_code="410611").status_code
        == 303
    )
    assert (
        _create(client, username="张晓伟", role="city_officer", display_name="张晓伟（市局）").status_code
        == 303
    )
    assert _create(client, username="firm_1", role="enterprise", holder_id=str(holder_id)).status_code == 303
    qibin = _user(session_factory, "qibin.officer")
    assert (qibin.role, qibin.region_code, qibin.holder_id) == ("county_officer", "410611", None)
    assert _user(session_factory, "张晓伟").display_name == "张晓伟（市局）"
    assert _user(session_factory, "firm_1").holder_id == holder_id
    # Names are unique whatever their case, and a login may type any case.
    assert _create(client, username="QIBIN.officer", role="city_officer").status_code == 409
    officer = TestClient(app)
    response = officer.post(
        "/login",
        data={
            "username": "QIBIN.Officer",
            "password": "long-enough-password",
            "csrf_token": csrf_of(officer),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303 and _me(officer)["username"] == "qibin.officer"


def test_a_two_character_chinese_name_and_a_full_width_login(
    client: Any, admin: str, session_factory: Any, app: Any
) -> None:
    """Most Chinese personal names have two characters: 张伟 is a username. A name typed in
    full-width letters (an input method in full-width mode) is the same name."""
    assert _create(client, username="张伟", role="city_officer").status_code == 303
    assert _user(session_factory, "张伟").role == "city_officer"
    assert _create(client, username="Ｑｉｂｉｎ２", role="city_officer").status_code == 303
    assert _user(session_factory, "qibin2").role == "city_officer"
    assert _create(client, username="qibin2", role="city_officer").status_code == 409
    for typed, stored in (("张伟", "张伟"), ("ＱＩＢＩＮ２", "qibin2")):
        person = TestClient(app)
        response = person.post(
            "/login",
            data={"username": typed, "password": "long-enough-password", "csrf_token": csrf_of(person)},
            follow_redirects=False,
        )
        assert response.status_code == 303 and _me(person)["username"] == stored
    english = client.get("/users?lang=en").text
    assert "3 to 64 characters (2 for a name with Chinese characters)" in english


def test_a_legacy_capitalised_name_still_collides_and_logs_in(
    client: Any, admin: str, session_factory: Any, app: Any
) -> None:
    """An account stored before names were lower-cased keeps working and keeps its name."""
    password_hash = _user(session_factory, admin).password_hash  # PASSWORD's
    with session_factory() as session:
        session.add(
            User(
                username="OldBoss",
                password_hash=password_hash,
                role="city_officer",
                active=True,
                created_at=datetime.now(UTC),
            )
        )
        session.commit()
    assert _create(client, username="oldboss", role="city_officer").status_code == 409
    assert _me(_as(app, "oldboss"))["username"] == "OldBoss"


# ----------------------------------------------------------------- role and binding (1, 4)


def test_the_admin_changes_a_role_and_its_binding_and_it_applies_at_once(
    client: Any, admin: str, make_user: Any, session_factory: Any, app: Any
) -> None:
    holder_id = _holder(session_factory)
    name = make_user("city_officer", "city-moving")
    uid = _user(session_factory, name).id
    officer = _as(app, name)
    before = _last_audit_id(session_factory)

    response = _post(client, f"/users/{uid}", username=name, role="county_officer", region_code="410621")
    assert response.status_code == 303 and response.headers["location"] == f"/users/{uid}?done=saved"
    assert "已保存对该用户的修改。" in client.get(response.headers["location"]).text
    # The officer's next request acts with the new role and county.
    assert (_me(officer)["role"], _me(officer)["region_code"]) == ("county_officer", "410621")

    response = _post(
        client,
        f"/users/{uid}",
        username="Firm-Moved",
        role="enterprise",
        holder_id=str(holder_id),
        display_name="企业",
    )
    assert response.status_code == 303
    moved = _user(session_factory, "firm-moved")
    assert (moved.role, moved.region_code, moved.holder_id, moved.display_name) == (
        "enterprise",
        None,
        holder_id,
        "企业",
    )
    assert _me(officer) == {
        "username": "firm-moved",
        "role": "enterprise",
        "region_code": None,
        "holder_id": holder_id,
    }

    entries = _audit(session_factory, before)
    assert [(e.actor, e.action, e.object_id) for e in entries] == [(admin, "user.update", str(uid))] * 2
    assert entries[0].detail == {
        "username": name,
        "changes": {"role": ["city_officer", "county_officer"], "region_code": [None, "410621"]},
    }
    assert entries[1].detail["changes"] == {
        "username": [name, "firm-moved"],
        "display_name": [None, "企业"],
        "role": ["county_officer", "enterprise"],
        "region_code": ["410621", None],
        "holder_id": [None, holder_id],
    }
    # Saving what is already there changes nothing and records nothing.
    same = _post(
        client,
        f"/users/{uid}",
        username="firm-moved",
        role="enterprise",
        holder_id=str(holder_id),
        display_name="企业",
    )
    assert same.status_code == 303 and len(_audit(session_factory, before)) == 2
    assert client.get("/api/v1/audit/verify").json()["ok"] is True
    # The audit page names the county beside its code, in either language.
    page = client.get(f"/audit?user={admin}&action=user.update").text
    assert "地区：（空） → 浚县（410621）" in page and "地区：浚县（410621） → （空）" in page
    english = client.get(f"/audit?user={admin}&action=user.update&lang=en").text
    assert "Region: Xun County (410621) → (none)" in english
    # One user's page is titled in the singular (the menu's 用户 is "Users").
    assert "<title>User firm-moved" in client.get(f"/users/{uid}?lang=en").text
    assert "<title>用户 firm-moved" in client.get(f"/users/{uid}").text


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        (
            {"role": "county_officer", "region_code": "410600"},
            400,
            "县区账号的所属县区应为本市的县级行政区划之一",
        ),
        ({"role": "city_officer", "region_code": "410611"}, 400, "只有县区账号才指定所属县区"),
        ({"role": "admin", "holder_id": "1"}, 400, "只有企业用户才绑定权利人"),
        ({"role": "enterprise", "holder_id": "987654"}, 404, "未找到权利人：987654"),
        ({"role": "emperor"}, 400, "角色应为"),
        ({"role": "city_officer", "username": "ADMIN-users"}, 409, "用户名 admin-users 已存在"),
        ({"role": "city_officer", "username": "<script>"}, 400, "用户名应为3到64个字符"),
    ],
)
def test_a_bad_edit_changes_nothing(
    client: Any,
    admin: str,
    make_user: Any,
    session_factory: Any,
    fields: dict[str, str],
    status: int,
    message: str,
) -> None:
    name = make_user("city_officer", "city-stays")
    before = _user(session_factory, name)
    last = _last_audit_id(session_factory)
    response = _post(client, f"/users/{before.id}", **{"username": name, **fields})
    assert response.status_code == status
    alerts = [html.fromstring(a).text_content() for a in _alerts(response.text)]
    assert len(alerts) == 1 and alerts[0].startswith(message), alerts
    after = _user(session_factory, name)
    assert (after.username, after.role, after.region_code, after.holder_id) == (
        name,
        "city_officer",
        None,
        None,
    )
    assert _audit(session_factory, last) == []
    # The edit form shows again what was typed.
    form = html.fromstring(response.text).get_element_by_id("edit-user")
    assert form.xpath(".//select[@name='role']/option[@selected]/@value") in ([fields["role"]], [])


def test_an_unknown_user_is_not_found(client: Any, admin: str) -> None:
    assert client.get("/users/99999").status_code == 404
    assert _post(client, "/users/99999/active", active="false").status_code == 404
    assert _post(client, "/users/99999", username="nobody", role="city_officer").status_code == 404
    assert _post(client, "/users/99999/password").status_code == 404


# ----------------------------------------------------------------- disable and enable (1)


def test_a_disabled_account_cannot_log_in_and_its_sessions_end(
    client: Any, admin: str, make_user: Any, session_factory: Any, app: Any
) -> None:
    name = make_user("county_officer", "county-leaving", region_code="410611")
    uid = _user(session_factory, name).id
    officer = _as(app, name)
    assert _me(officer)["username"] == name
    # A session that began a minute ago (minted: one begun in the same second as the
    # disable would count, see service._end_sessions).
    earlier = new_session(uid)
    earlier["at"] -= 60_000  # a minute, in milliseconds
    old_cookie = app.state.session_codec.dump(earlier)
    before = _last_audit_id(session_factory)

    response = _post(client, f"/users/{uid}/active", active="false")
    assert response.status_code == 303 and response.headers["location"] == f"/users/{uid}?done=disabled"
    assert _me(officer)["role"] == "public"  # the next request: no longer logged in
    refused = TestClient(app)
    answer = refused.post(
        "/login",
        data={"username": name, "password": PASSWORD, "csrf_token": csrf_of(refused)},
        follow_redirects=False,
    )
    assert answer.status_code == 401 and _alerts(answer.text) == ["用户名或密码不正确"]

    response = _post(client, f"/users/{uid}/active", active="true")
    assert response.status_code == 303
    # Enabled again: a fresh login works; the session from before the disable stays ended.
    assert _me(_as(app, name))["username"] == name
    stale = TestClient(app)
    stale.cookies.set(SESSION_COOKIE, old_cookie, domain="testserver.local")
    assert _me(stale)["role"] == "public"

    actions = [(e.actor, e.action) for e in _audit(session_factory, before)]
    assert actions == [
        (admin, "user.disable"),
        ("public", "user.login_failed"),
        (admin, "user.enable"),
        (name, "user.login"),
    ]
    page = client.get(f"/users/{uid}").text
    assert 'id="disable-user"' in page and 'id="enable-user"' not in page


def test_the_last_active_admin_cannot_be_disabled_or_demoted(
    client: Any, admin: str, make_user: Any, session_factory: Any
) -> None:
    uid = _user(session_factory, admin).id
    before = _last_audit_id(session_factory)
    message = f"{admin} 是最后一个启用中的系统管理员，不能停用或改为其他角色"
    disable = _post(client, f"/users/{uid}/active", active="false")
    demote = _post(client, f"/users/{uid}", username=admin, role="city_officer")
    for response in (disable, demote):
        assert response.status_code == 409 and _alerts(response.text) == [message]
    assert _me(client)["role"] == "admin" and _audit(session_factory, before) == []
    # A disabled second admin does not count; an active one does.
    other = make_user("admin", "admin-second")
    other_id = _user(session_factory, other).id
    assert _post(client, f"/users/{other_id}/active", active="false").status_code == 303
    assert _post(client, f"/users/{uid}", username=admin, role="city_officer").status_code == 409
    assert _post(client, f"/users/{other_id}/active", active="true").status_code == 303
    assert _post(client, f"/users/{uid}", username=admin, role="city_officer").status_code == 303
    assert _me(client)["role"] == "city_officer"
    assert client.get("/users").status_code == 403  # no longer an admin, from this request on


def test_the_service_guards_the_last_admin_and_refuses_non_admins(
    make_user: Any, session_factory: Any
) -> None:
    """The rules live in the service, not only in the pages."""
    boss = make_user("admin", "admin-only")
    city = make_user("city_officer", "city-actor")
    boss_id, city_id = _user(session_factory, boss).id, _user(session_factory, city).id
    with session_factory() as session:
        with pytest.raises(Conflict):
            service.set_active(session, SYSTEM, boss_id, False)
        with pytest.raises(Conflict):
            service.update_user(session, SYSTEM, boss_id, username=boss, role="city_officer")
    officer = Actor(username=city, role="city_officer", user_id=city_id)
    with session_factory() as session:
        for call in (
            lambda: service.set_active(session, officer, boss_id, False),
            lambda: service.update_user(session, officer, city_id, username=city, role="admin"),
            lambda: service.reset_password(session, officer, boss_id, "a-new-password"),
            lambda: service.list_users(session, officer),
            lambda: service.create_user(session, officer, "sneaky", "long-enough-1", "admin"),
        ):
            with pytest.raises(PermissionDenied):
                call()
        with pytest.raises(ValidationFailed):
            service.create_user(session, SYSTEM, "county-far", "long-enough-1", "county_officer", "110101")
    assert _user(session_factory, boss).active is True


# ------------------------------------------------------------------------ passwords (1)


def test_a_generated_password_is_shown_once_and_ends_the_old_sessions(
    client: Any, admin: str, make_user: Any, session_factory: Any, app: Any
) -> None:
    name = make_user("city_officer", "city-forgot")
    uid = _user(session_factory, name).id
    # A session that began a minute ago (minted: a reset in the same second as a login keeps it).
    data = new_session(uid)
    data["at"] -= 60_000  # a minute, in milliseconds
    old = TestClient(app)
    old.cookies.set(SESSION_COOKIE, app.state.session_codec.dump(data), domain="testserver.local")
    assert _me(old)["username"] == name
    before = _last_audit_id(session_factory)

    response = _post(client, f"/users/{uid}/password", password="")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    shown = html.fromstring(response.text).get_element_by_id("new-password").findtext(".//code")
    assert shown and len(shown) >= 8
    assert "已设置新密码，该用户已登录的会话已失效。" in response.text
    assert shown not in client.get(f"/users/{uid}").text  # once
    assert _me(old)["role"] == "public"
    fresh = TestClient(app)
    assert login(fresh, name, shown).status_code == 303
    wrong = TestClient(app)
    answer = wrong.post(
        "/login",
        data={"username": name, "password": PASSWORD, "csrf_token": csrf_of(wrong)},
        follow_redirects=False,
    )
    assert answer.status_code == 401

    entries = _audit(session_factory, before)
    assert (entries[0].actor, entries[0].action) == (admin, "user.password_reset")
    assert entries[0].detail == {"username": name, "generated": True}
    assert all(shown not in str(e.detail) for e in entries)


def test_a_typed_password_follows_the_length_rule(
    client: Any, admin: str, make_user: Any, session_factory: Any, app: Any
) -> None:
    name = make_user("city_officer", "city-typed")
    uid = _user(session_factory, name).id
    hash_before = _user(session_factory, name).password_hash
    short = _post(client, f"/users/{uid}/password", password="short")
    assert short.status_code == 400 and _alerts(short.text) == ["密码至少需要8个字符"]
    blank = _post(client, f"/users/{uid}/password", password=" " * 8)
    assert blank.status_code == 400 and _alerts(blank.text) == [
        "密码不能只由空格组成，请包含字母、数字或符号"
    ]
    assert _user(session_factory, name).password_hash == hash_before
    typed = _post(client, f"/users/{uid}/password", password="typed-by-admin")
    assert typed.status_code == 303 and typed.headers["location"] == f"/users/{uid}?done=password"
    assert login(TestClient(app), name, "typed-by-admin").status_code == 303
    entry = _audit(session_factory)[-2]  # the reset, then the login
    assert (entry.action, entry.detail) == ("user.password_reset", {"username": name, "generated": False})
