"""Login, logout, the users pages (admin: list, add, edit, disable, reset a password) and the
audit log page; JSON under /api/v1."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipcity import audit
from ipcity.audit import AuditEntry
from ipcity.auth import service
from ipcity.auth.models import User
from ipcity.auth.roles import ROLE_LABELS, Actor, require
from ipcity.config import Settings
from ipcity.errors import IPCityError, NotFound
from ipcity.places.divisions import counties_of, get_division
from ipcity.web.deps import CurrentActor, LocaleDep, SessionDep, SettingsDep, render
from ipcity.web.paging import Pager
from ipcity.web.security import new_session

router = APIRouter()

MAX_ID = 2_147_483_647  # the largest id the database's integer columns hold


def _safe_next(target: str | None) -> str:
    """Only local paths: an open redirect after login would be a phishing aid. Browsers read
    ``/\\host`` as ``//host`` and drop tabs and newlines, so those are refused too.

    >>> _safe_next("/patents?q=1"), _safe_next("//evil.example"), _safe_next("/\\evil.example")
    ('/patents?q=1', '/', '/')
    """
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and not any(ord(c) < 32 or ord(c) == 127 for c in target)
    ):
        return target
    return "/"


@router.get("/login", include_in_schema=False)
def login_page(request: Request, next: str | None = None) -> Response:
    """The login form."""
    return render(request, "auth/login.html", {"next": _safe_next(next), "error": None, "username": ""})


@router.post("/login", include_in_schema=False)
def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    locale: LocaleDep,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Check the password (rate-limited), then start a fresh session."""
    client = request.client.host if request.client else "unknown"
    try:
        user = service.authenticate(
            session, username, password, client, settings.login_max_attempts, settings.login_window_seconds
        )
        session.commit()
    except IPCityError as exc:
        context = {"next": _safe_next(next), "error": exc.render(locale), "username": username}
        return render(request, "auth/login.html", context, status_code=exc.status)
    request.state.new_session_data = new_session(user.id)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout", include_in_schema=False)
def logout(request: Request) -> Response:
    """End the session."""
    request.state.new_session_data = new_session()
    return RedirectResponse("/", status_code=303)


@router.get("/api/v1/me", tags=["auth"], summary="当前用户 / the current user")
def me(actor: CurrentActor) -> dict[str, Any]:
    """Who the request acts as (``public`` when not logged in)."""
    return {
        "username": actor.username,
        "role": actor.role,
        "region_code": actor.region_code,
        "holder_id": actor.holder_id,
    }


def _users_context(session: Session, actor: Actor, settings: Settings) -> dict[str, Any]:
    """What the user list and its add form show."""
    return {
        "users": service.list_users(session, actor),
        "roles": service.ASSIGNABLE_ROLES,
        "role_labels": ROLE_LABELS,
        "counties": counties_of(settings.city_code),
        "error": None,
        "form": {},
    }


@router.get("/users", include_in_schema=False)
def users_page(request: Request, session: SessionDep, actor: CurrentActor, settings: SettingsDep) -> Response:
    """Admin: the list of users and a form to add one."""
    require(actor, "users.manage")
    return render(request, "auth/users.html", _users_context(session, actor, settings))


def _holder_id(text: str | None) -> int | None:
    """The holder id typed in the user form (empty: none)."""
    value = (text or "").strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= MAX_ID:
        raise NotFound("未找到权利人：{value}", value=value[:40])
    return int(value)


@router.post("/users", include_in_schema=False)
def add_user(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    locale: LocaleDep,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1024)],
    role: Annotated[str, Form(max_length=32)],
    region_code: Annotated[str | None, Form(max_length=12)] = None,
    holder_id: Annotated[str | None, Form(max_length=40)] = None,
    display_name: Annotated[str | None, Form(max_length=200)] = None,
) -> Response:
    """Admin: create a user (one-sentence error on bad input, nothing created; the form
    keeps what was typed, except the password)."""
    require(actor, "users.manage")
    try:
        holder = _holder_id(holder_id)
        service.create_user(
            session,
            actor,
            username,
            password,
            role,
            region_code or None,
            holder,
            display_name,
            city_code=settings.city_code,
        )
        session.commit()
    except IPCityError as exc:
        session.rollback()
        context = _users_context(session, actor, settings)
        context["error"] = exc.render(locale)
        context["form"] = {
            "username": username,
            "display_name": display_name or "",
            "role": role,
            "region_code": region_code or "",
            "holder_id": holder_id or "",
        }
        return render(request, "auth/users.html", context, status_code=exc.status)
    return RedirectResponse("/users", status_code=303)


UserIdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="用户ID")]

# What the edit page says after a change (``?done=``), one sentence each.
DONE_LABELS = {
    "saved": "已保存对该用户的修改。",
    "disabled": "已停用该账号：它不能再登录，已登录的会话也已失效。",
    "enabled": "已重新启用该账号：它需要重新登录。",
    "password": "已设置新密码，该用户已登录的会话已失效。",
}


def _user_page(
    request: Request,
    session: Session,
    actor: Actor,
    settings: Settings,
    user_id: int,
    *,
    error: str | None = None,
    done: str | None = None,
    new_password: str | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """The edit page of one user (``form``: what was typed into the edit form, shown again
    after an error)."""
    user = service.get_user_for_admin(session, actor, user_id)
    response = render(
        request,
        "auth/user.html",
        {
            "user": user,
            "holder_name": service.holder_name(session, user.holder_id),
            "region": get_division(user.region_code) if user.region_code else None,
            "roles": service.ASSIGNABLE_ROLES,
            "role_labels": ROLE_LABELS,
            "counties": counties_of(settings.city_code),
            "error": error,
            "done": DONE_LABELS.get(done or ""),
            "new_password": new_password,
            "is_self": user.id == actor.user_id,
            "form": form or {},
        },
        status_code=status_code,
    )
    # A page that may show a new password once must not be kept by the browser or a proxy.
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/users/{user_id}", include_in_schema=False)
def user_page(
    user_id: UserIdPath,
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    settings: SettingsDep,
    done: Annotated[str | None, Query(max_length=16)] = None,
) -> Response:
    """Admin: one user, with forms to change its role and binding, disable or enable it,
    and reset its password."""
    require(actor, "users.manage")
    return _user_page(request, session, actor, settings, user_id, done=done)


def _failed(
    request: Request,
    session: Session,
    actor: Actor,
    settings: Settings,
    locale: str,
    user_id: int,
    exc: IPCityError,
    form: dict[str, str] | None = None,
) -> Response:
    """The edit page again with the one-sentence error; nothing was changed."""
    session.rollback()
    if isinstance(exc, NotFound) and session.get(User, user_id) is None:
        raise exc  # the user itself is missing: the 404 page, not a form
    return _user_page(
        request,
        session,
        actor,
        settings,
        user_id,
        error=exc.render(locale),
        form=form,
        status_code=exc.status,
    )


@router.post("/users/{user_id}", include_in_schema=False)
def edit_user(
    user_id: UserIdPath,
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    locale: LocaleDep,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=200)],
    role: Annotated[str, Form(max_length=32)],
    region_code: Annotated[str | None, Form(max_length=12)] = None,
    holder_id: Annotated[str | None, Form(max_length=40)] = None,
    display_name: Annotated[str | None, Form(max_length=200)] = None,
) -> Response:
    """Admin: rename a user, change its display name, role and binding."""
    require(actor, "users.manage")
    try:
        service.update_user(
            session,
            actor,
            user_id,
            username=username,
            role=role,
            region_code=region_code or None,
            holder_id=_holder_id(holder_id),
            display_name=display_name,
            city_code=settings.city_code,
        )
        session.commit()
    except IPCityError as exc:
        typed = {
            "username": username,
            "display_name": display_name or "",
            "role": role,
            "region_code": region_code or "",
            "holder_id": holder_id or "",
        }
        return _failed(request, session, actor, settings, locale, user_id, exc, typed)
    return RedirectResponse(f"/users/{user_id}?done=saved", status_code=303)


@router.post("/users/{user_id}/active", include_in_schema=False)
def set_user_active(
    user_id: UserIdPath,
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    locale: LocaleDep,
    settings: SettingsDep,
    active: Annotated[bool, Form()],
) -> Response:
    """Admin: disable an account (``active=false``) or enable it again (``active=true``)."""
    require(actor, "users.manage")
    try:
        service.set_active(session, actor, user_id, active)
        session.commit()
    except IPCityError as exc:
        return _failed(request, session, actor, settings, locale, user_id, exc)
    return RedirectResponse(f"/users/{user_id}?done={'enabled' if active else 'disabled'}", status_code=303)


@router.post("/users/{user_id}/password", include_in_schema=False)
def reset_user_password(
    user_id: UserIdPath,
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    locale: LocaleDep,
    settings: SettingsDep,
    password: Annotated[str | None, Form(max_length=1024)] = None,
) -> Response:
    """Admin: set the password typed, or (left empty) a random one shown on this answer
    only: it is not in a URL, a log or a page that can be loaded again."""
    require(actor, "users.manage")
    try:
        generated = service.reset_password(session, actor, user_id, password or None)
        session.commit()
    except IPCityError as exc:
        return _failed(request, session, actor, settings, locale, user_id, exc)
    if user_id == actor.user_id:
        # The admin's own password: the other sessions end, this one goes on as a new one
        # (with the same CSRF token, which the page below carries in its forms).
        renewed = new_session(user_id)
        renewed["csrf"] = request.state.session_data.get("csrf", renewed["csrf"])
        request.state.new_session_data = renewed
    if generated is None:
        return RedirectResponse(f"/users/{user_id}?done=password", status_code=303)
    return _user_page(request, session, actor, settings, user_id, done="password", new_password=generated)


AUDIT_PER_PAGE = 50


@router.get("/audit", include_in_schema=False)
def audit_page(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    user: Annotated[str | None, Query(max_length=150, description="操作人（用户名）")] = None,
    action: Annotated[str | None, Query(max_length=64, description="操作，如 policy.case.approve")] = None,
) -> Response:
    """Officers: the latest audit entries (of one user or one action when asked), and the
    result of verifying the chain."""
    require(actor, "audit.read")
    query = select(AuditEntry)
    if user:
        query = query.where(AuditEntry.actor == user)
    if action:
        query = query.where(AuditEntry.action == action)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pager = Pager.of(page, total=total, per_page=AUDIT_PER_PAGE)
    entries = list(
        session.scalars(query.order_by(AuditEntry.id.desc()).limit(pager.per_page).offset(pager.offset))
    )
    return render(
        request,
        "auth/audit.html",
        {
            "entries": entries,
            # Chinese as it is (tojson would show 张伟 as \u5f20\u4f1f); escaped by the template.
            "details": {
                e.id: json.dumps(e.detail, ensure_ascii=False, sort_keys=True, default=str) for e in entries
            },
            "check": audit.verify(session),
            "pager": pager,
            "user": user or "",
            "action": action or "",
            "action_labels": audit.ACTION_LABELS,
        },
    )


@router.get("/api/v1/audit/verify", tags=["audit"], summary="校验审计日志哈希链 / verify the audit chain")
def audit_verify(session: SessionDep, actor: CurrentActor) -> dict[str, Any]:
    """Walk the hash chain and report the first broken entry, if any."""
    require(actor, "audit.read")
    result = audit.verify(session)
    return {
        "ok": result.ok,
        "entries": result.entries,
        "first_bad_id": result.first_bad_id,
        "reason": result.reason,
    }
