"""CSRF: every state-changing route of the app (found by walking ``app.routes``) refuses a
request without the session's token or with a wrong one — even from an admin — and
proceeds with the right token, given as the form field ``csrf_token`` or the header
``X-CSRF-Token``. A refused request changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from web_support import ROLES, World, client_as, csrf_of, request_for, route_methods

from ipcity.audit import AuditEntry
from ipcity.auth.models import User
from ipcity.registry.models import Holder, ImportBatch
from ipcity.web.security import UNSAFE_METHODS

CSRF_MESSAGE = "请求缺少有效的CSRF令牌，请刷新页面后重试"


def _unsafe_routes() -> list[tuple[str, str]]:
    from ipcity.config import Settings
    from ipcity.web.app import create_app

    app = create_app(Settings(database_url="sqlite://", environment="test"))
    routes = sorted((m, p) for m, p in route_methods(app) if m in UNSAFE_METHODS)
    app.state.engine.dispose()
    return routes


UNSAFE_ROUTES = _unsafe_routes()
# Routes only another role may use: the right token must let that role through.
ACTING_ROLE = {
    ("POST", "/policy/apply"): "enterprise",
    ("POST", "/api/v1/policy/applications"): "enterprise",
    ("POST", "/policy/mine/account"): "enterprise",
}


def _state(session_factory: Any) -> tuple[Any, ...]:
    """What a refused request must leave as it was."""
    with session_factory() as session:
        return (
            session.scalar(select(func.count()).select_from(AuditEntry)),
            tuple(session.scalars(select(User.username).order_by(User.id))),
            tuple(session.execute(select(Holder.id, Holder.address, Holder.kind).order_by(Holder.id))),
            session.scalar(select(func.count()).select_from(ImportBatch)),
        )


def _staged_files(world: World) -> set[str]:
    return {str(p.relative_to(world.upload_dir)) for p in world.upload_dir.rglob("*")}


def test_the_app_has_state_changing_routes() -> None:
    # Guards the walk below against an empty list (a router that stopped being found).
    assert {("POST", "/login"), ("POST", "/logout"), ("PATCH", "/api/v1/holders/{holder_id}")} <= set(
        UNSAFE_ROUTES
    )
    assert len(UNSAFE_ROUTES) >= 9


@pytest.mark.parametrize(("method", "template"), UNSAFE_ROUTES)
def test_refused_without_the_right_token(
    app: Any, world: World, session_factory: Any, method: str, template: str
) -> None:
    """No token, a wrong one, another session's, or one in the query string: 403, for an
    admin and for the public alike, and nothing changes."""
    before, files_before = _state(session_factory), _staged_files(world)
    for role in ("admin", "public"):
        for token in ("missing", "wrong", "other_session", "in_query"):
            client = client_as(app, world, role)
            me_before = client.get("/api/v1/me").json()
            path, kwargs = request_for(method, template, world, role)
            headers: dict[str, str] = {}
            if token == "wrong":
                headers["X-CSRF-Token"] = "not-the-token"
                if "data" in kwargs:
                    kwargs["data"] = {**kwargs["data"], "csrf_token": "not-the-token"}
            elif token == "other_session":
                # A real token, of another visitor's session (what a cross-site page could get).
                headers["X-CSRF-Token"] = csrf_of(client_as(app, world, "city_officer"))
            elif token == "in_query":
                path += ("&" if "?" in path else "?") + f"csrf_token={csrf_of(client)}"
            response = client.request(method, path, headers=headers, follow_redirects=False, **kwargs)
            where = f"{method} {path} as {role} with {token} token"
            assert response.status_code == 403, f"{where}: {response.text[:300]}"
            if path.startswith("/api/"):
                assert response.json() == {
                    "ok": False,
                    "error": CSRF_MESSAGE,
                    "code": "permission_denied",
                    "status": 403,
                }, where
            else:
                assert response.headers["content-type"].startswith("text/html"), where
                assert CSRF_MESSAGE in response.text, where
            assert client.get("/api/v1/me").json() == me_before, where  # no login, no logout
    assert _state(session_factory) == before
    assert _staged_files(world) == files_before


@pytest.mark.parametrize("how", ["header", "form_field"])
@pytest.mark.parametrize(("method", "template"), UNSAFE_ROUTES)
def test_proceeds_with_the_right_token(app: Any, world: World, method: str, template: str, how: str) -> None:
    role = ACTING_ROLE.get((method, template), "admin")
    client = client_as(app, world, role)
    path, kwargs = request_for(method, template, world, role)
    token = csrf_of(client)
    headers: dict[str, str] = {}
    if how == "header" or "json" in kwargs:
        headers["X-CSRF-Token"] = token  # a JSON body has no form field to carry it
    else:
        kwargs["data"] = {**kwargs.get("data", {}), "csrf_token": token}
    response = client.request(method, path, headers=headers, follow_redirects=False, **kwargs)
    assert response.status_code < 400, f"{response.status_code}: {response.text[:300]}"
    _wait_for_imports(app)


def _wait_for_imports(app: Any) -> None:
    import time

    jobs = getattr(app.state, "import_jobs", None)
    deadline = time.monotonic() + 30
    while jobs is not None and time.monotonic() < deadline:
        if all(job.get("finished") for job in jobs.state.values()):
            return
        time.sleep(0.05)


def test_safe_methods_need_no_token(app: Any, world: World) -> None:
    for role in ROLES:
        client = client_as(app, world, role)
        assert client.get("/api/v1/me").status_code == 200
        assert client.head("/openapi.json").status_code == 200


def test_the_token_is_in_every_page_form(app: Any, world: World) -> None:
    """Pages carry the token: the layout's meta tag (htmx) and each POST form's hidden field."""
    import re

    client = client_as(app, world, "admin")
    token = csrf_of(client)
    for page in ("/login", f"/holders/{world.holder_a}", "/users", "/import"):
        html = client.get(page).text
        assert f'<meta name="csrf-token" content="{token}">' in html, page
        forms = re.findall(r'<form[^>]*method="post"[^>]*>(.*?)</form>', html, flags=re.S | re.I)
        assert forms, page
        for form in forms:
            assert f'name="csrf_token" value="{token}"' in form, (page, form[:200])
