"""Login, logout, the user list (admin) and the audit log page; JSON under /api/v1."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select

from ipcity import audit
from ipcity.audit import AuditEntry
from ipcity.auth import service
from ipcity.auth.roles import ROLE_LABELS, ROLES, require
from ipcity.errors import IPCityError, NotFound
from ipcity.web.deps import CurrentActor, LocaleDep, SessionDep, SettingsDep, render
from ipcity.web.paging import Pager
from ipcity.web.security import new_session

router = APIRouter()


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


@router.get("/users", include_in_schema=False)
def users_page(request: Request, session: SessionDep, actor: CurrentActor) -> Response:
    """Admin: the list of users and a form to add one."""
    users = service.list_users(session, actor)
    return render(
        request,
        "auth/users.html",
        {
            "users": users,
            "roles": [r for r in ROLES if r != "public"],
            "role_labels": ROLE_LABELS,
            "error": None,
        },
    )


def _holder_id(text: str | None) -> int | None:
    """The holder id typed in the user form (empty: none)."""
    value = (text or "").strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= 2_147_483_647:
        raise NotFound("未找到权利人：{value}", value=value[:40])
    return int(value)


@router.post("/users", include_in_schema=False)
def add_user(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    locale: LocaleDep,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1024)],
    role: Annotated[str, Form(max_length=32)],
    region_code: Annotated[str | None, Form(max_length=12)] = None,
    holder_id: Annotated[str | None, Form()] = None,
) -> Response:
    """Admin: create a user (one-sentence error on bad input, nothing created)."""
    require(actor, "users.manage")
    try:
        holder = _holder_id(holder_id)
        service.create_user(session, actor, username, password, role, region_code or None, holder)
        session.commit()
    except IPCityError as exc:
        session.rollback()
        message = exc.render(locale)
        users = service.list_users(session, actor)
        return render(
            request,
            "auth/users.html",
            {
                "users": users,
                "roles": [r for r in ROLES if r != "public"],
                "role_labels": ROLE_LABELS,
                "error": message,
            },
            status_code=exc.status,
        )
    return RedirectResponse("/users", status_code=303)


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
