"""Login, logout, the users pages (admin: list, add, edit, disable, reset a password) and the
audit log page; JSON under /api/v1."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, NamedTuple

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from ipcity import audit, clock
from ipcity.audit import AuditEntry
from ipcity.auth import service
from ipcity.auth.models import User
from ipcity.auth.roles import ROLE_LABELS, Actor, require
from ipcity.auth.schemas import (
    ActiveIn,
    AuditEntryOut,
    AuditPage,
    PasswordIn,
    PasswordReset,
    UserChanges,
    UserIn,
    UserOut,
    UserPage,
)
from ipcity.config import Settings
from ipcity.db import MAX_ID
from ipcity.errors import IPCityError, NotFound, ValidationFailed
from ipcity.i18n import gettext
from ipcity.places.divisions import counties_of, get_division
from ipcity.places.names import english_name, place_name
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
def logout(request: Request, session: SessionDep) -> Response:
    """End the session: the browser gets a fresh anonymous cookie, and the account's
    sessions begun before now are refused from here on (a copy of the old cookie, kept or
    stolen, no longer logs anyone in; sessions of the account on other devices end too)."""
    uid = getattr(request.state, "session_data", {}).get("uid")
    if isinstance(uid, int):
        service.end_sessions(session, uid)
        session.commit()
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
    if not (value.isascii() and value.isdecimal()):
        raise ValidationFailed(
            "权利人ID应为数字（权利人页面地址中 /holders/ 后的数字），收到：{value}", value=value[:40]
        )
    if not 1 <= int(value) <= MAX_ID:
        raise NotFound("未找到权利人：{value}", value=value[:40])
    return int(value)


class UserForm(NamedTuple):
    """The fields of the add and edit forms of a user (the password apart), as typed."""

    username: str
    role: str
    region_code: str | None
    holder_id: str | None
    display_name: str | None

    def typed(self) -> dict[str, str]:
        """What the form shows again after a refusal."""
        return {
            "username": self.username,
            "display_name": self.display_name or "",
            "role": self.role,
            "region_code": self.region_code or "",
            "holder_id": self.holder_id or "",
        }


def _user_form(
    username: Annotated[str, Form(max_length=200)],
    role: Annotated[str, Form(max_length=32)],
    region_code: Annotated[str | None, Form(max_length=12)] = None,
    holder_id: Annotated[str | None, Form(max_length=40)] = None,
    display_name: Annotated[str | None, Form(max_length=200)] = None,
) -> UserForm:
    return UserForm(username, role, region_code, holder_id, display_name)


UserFormDep = Annotated[UserForm, Depends(_user_form)]


@router.post("/users", include_in_schema=False)
def add_user(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    locale: LocaleDep,
    settings: SettingsDep,
    form: UserFormDep,
    password: Annotated[str, Form(max_length=1024)],
) -> Response:
    """Admin: create a user (one-sentence error on bad input, nothing created; the form
    keeps what was typed, except the password)."""
    require(actor, "users.manage")
    try:
        holder = _holder_id(form.holder_id)
        service.create_user(
            session,
            actor,
            form.username,
            password,
            form.role,
            form.region_code or None,
            holder,
            form.display_name,
            city_code=settings.city_code,
        )
        session.commit()
    except IPCityError as exc:
        session.rollback()
        context = _users_context(session, actor, settings)
        context["error"] = exc.render(locale)
        context["form"] = form.typed()
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
    form: UserFormDep,
) -> Response:
    """Admin: rename a user, change its display name, role and binding."""
    require(actor, "users.manage")
    try:
        service.update_user(
            session,
            actor,
            user_id,
            username=form.username,
            role=form.role,
            region_code=form.region_code or None,
            holder_id=_holder_id(form.holder_id),
            display_name=form.display_name,
            city_code=settings.city_code,
        )
        session.commit()
    except IPCityError as exc:
        return _failed(request, session, actor, settings, locale, user_id, exc, form.typed())
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


def audit_detail_parts(
    action: str, detail: dict[str, Any] | None, locale: str = "zh_CN"
) -> list[tuple[str, str]]:
    """An entry's detail as the audit page shows it: (name, value) pairs in the order
    stored, each key named in ``locale``'s words (:data:`audit.DETAIL_LABELS`; an unknown
    key as it is), a role or a case's status in words, empty values left out; a nested
    record (an account before and after, a holder's fields, an import's counts) as its
    named fields, a list joined. The stored JSON (what the hash covers) is in the API.

    >>> audit_detail_parts("policy.case.notice", {"from": "city_reviewed", "to": "in_notice", "reason": "核实无误"})
    [('原值', '待公示'), ('新值', '公示中'), ('理由', '核实无误')]
    >>> audit_detail_parts("user.create", {"username": "li", "role": "county_officer"}, "en")
    [('Username', 'li'), ('Role', 'County IP officer')]
    >>> audit_detail_parts("holder.payee_account", {"before": {"name": None}, "after": {"name": "甲", "number": "****1234"}})
    [('修改后', '户名：甲，银行账号：****1234')]
    >>> audit_detail_parts("user.update", {"changes": {"role": ["county_officer", "enterprise"], "holder_id": [None, 5]}})
    [('修改内容', '角色：县区知识产权管理人员 → 企业用户，权利人ID：（空） → 5')]
    >>> audit_detail_parts("user.update", {"changes": {"region_code": ["410611", None]}}, "en")
    [('Changes', 'Region: Qibin District (410611) → (none)')]
    >>> audit_detail_parts("user.update", {"changes": {"region_code": ["410611", None]}})
    [('修改内容', '地区：淇滨区（410611） → （空）')]
    >>> audit_detail_parts("user.login", {})
    []
    """
    from ipcity.policy.workflow import STATUS_LABELS as CASE_STATUS_LABELS  # the web layer joins areas

    words: dict[str, dict[str, str]] = {"role": ROLE_LABELS}
    if action.startswith("policy.case."):
        words |= {"from": CASE_STATUS_LABELS, "to": CASE_STATUS_LABELS}
    elif action == "user.login_failed":
        words |= {"reason": service.LOGIN_FAILURE_LABELS}
    english = locale.startswith("en")

    def empty(value: Any) -> bool:
        return value is None or value == "" or value == [] or value == {}

    def name(key: str) -> str:
        label = audit.DETAIL_LABELS.get(key)
        return gettext(label, locale) if label else key

    def shown(key: str, value: Any) -> str:
        if isinstance(value, str) and value in words.get(key, {}):
            return gettext(words[key][value], locale)
        if isinstance(value, bool):
            return gettext("是" if value else "否", locale)
        if key == "region_code" and isinstance(value, str) and (division := get_division(value)):
            # A code alone asks the reader to know GB/T 2260: the place's name, code beside.
            return f"{place_name(division.name, locale)}{' (' if english else '（'}{value}{')' if english else '）'}"
        if isinstance(value, dict) and key == "changes":
            # {field: [before, after]}: each field as "before → after", an empty side named.
            fields = [
                f"{name(k)}{': ' if english else '：'}{side(k, v[0])} → {side(k, v[1])}"
                for k, v in value.items()
                if isinstance(v, list) and len(v) == 2
            ]
            return ("; " if english else "，").join(fields)
        if isinstance(value, dict):
            fields = [
                f"{name(k)}{': ' if english else '：'}{shown(k, v)}" for k, v in value.items() if not empty(v)
            ]
            return ("; " if english else "，").join(fields)
        if isinstance(value, list):
            return (", " if english else "、").join(shown(key, v) for v in value)
        return str(value)

    def side(key: str, value: Any) -> str:
        return gettext("（空）", locale) if empty(value) else shown(key, value)

    parts = []
    for key, value in (detail or {}).items():
        if empty(value) or (isinstance(value, dict) and all(empty(v) for v in value.values())):
            continue
        parts.append((name(key), shown(key, value)))
    return parts


@router.get("/audit", include_in_schema=False)
def audit_page(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    locale: LocaleDep,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    user: Annotated[str | None, Query(max_length=150, description="操作人（用户名）")] = None,
    action: Annotated[str | None, Query(max_length=64, description="操作，如 policy.case.approve")] = None,
) -> Response:
    """Officers: the latest audit entries (of one user or one action when asked), and the
    result of verifying the chain."""
    listing = service.audit_entries(
        session, actor, user=user, action=action, page=page, per_page=AUDIT_PER_PAGE
    )
    entries = listing.entries
    pager = Pager.of(listing.page, total=listing.total, per_page=listing.per_page)
    return render(
        request,
        "auth/audit.html",
        {
            "entries": entries,
            "details": {e.id: audit_detail_parts(e.action, e.detail, locale) for e in entries},
            "object_labels": audit.OBJECT_LABELS,
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
        "reason": None if result.ok else result.reason_in("zh_CN"),
    }


# JSON API: users (admin) and the audit log (officers) ---------------------------------------

ApiPageQ = Annotated[int, Query(ge=1, le=100000, description="页码；超过末页时返回末页")]
ApiPerPageQ = Annotated[int, Query(ge=1, le=200, description="每页条数")]


def _api_time(moment: datetime | None) -> datetime | None:
    """A stored time as the API gives it: Beijing time with its offset, to the second."""
    local = clock.local_time(moment)
    return None if local is None else local.replace(microsecond=0)


def _user_out(user: User, holder_name: str | None, region_name: str | None) -> UserOut:
    """The JSON of one account (never its password hash)."""
    label = ROLE_LABELS.get(user.role, user.role)
    return UserOut(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        role_label=label,
        role_label_en=gettext(label, "en"),
        region_code=user.region_code,
        region_name=region_name,
        region_name_en=english_name(user.region_code),
        holder_id=user.holder_id,
        holder_name=holder_name,
        active=user.active,
        created_at=_api_time(user.created_at),
        last_login_at=_api_time(user.last_login_at),
    )


def _one_user_out(session: Session, user: User) -> UserOut:
    division = get_division(user.region_code) if user.region_code else None
    return _user_out(user, service.holder_name(session, user.holder_id), division.name if division else None)


@router.get("/api/v1/users", response_model=UserPage, tags=["users"], summary="用户列表 / users")
def api_users(
    session: SessionDep, actor: CurrentActor, page: ApiPageQ = 1, per_page: ApiPerPageQ = 50
) -> UserPage:
    """Admin: every account in the order created, with its county and holder by name."""
    rows = service.list_users(session, actor)
    pager = Pager.of(page, total=len(rows), per_page=per_page)
    return UserPage(
        total=pager.total,
        page=pager.page,
        per_page=pager.per_page,
        pages=pager.pages,
        items=[_user_out(r.user, r.holder_name, r.region_name) for r in pager.slice(rows)],
    )


@router.post(
    "/api/v1/users", response_model=UserOut, status_code=201, tags=["users"], summary="新建用户 / add a user"
)
def api_create_user(body: UserIn, session: SessionDep, actor: CurrentActor, settings: SettingsDep) -> UserOut:
    """Admin: create an account (audited). The same rules as the users page: a unique
    username (stored in lower case), a password of at least 8 characters, a county of the
    city for a county officer, an existing holder for an enterprise user."""
    user = service.create_user(
        session,
        actor,
        body.username,
        body.password,
        body.role,
        body.region_code or None,
        body.holder_id,
        body.display_name,
        city_code=settings.city_code,
    )
    session.commit()
    return _one_user_out(session, user)


@router.get("/api/v1/users/{user_id}", response_model=UserOut, tags=["users"], summary="一个用户 / one user")
def api_user(user_id: UserIdPath, session: SessionDep, actor: CurrentActor) -> UserOut:
    """Admin: one account."""
    return _one_user_out(session, service.get_user_for_admin(session, actor, user_id))


@router.patch(
    "/api/v1/users/{user_id}", response_model=UserOut, tags=["users"], summary="修改用户 / change a user"
)
def api_update_user(
    user_id: UserIdPath, body: UserChanges, session: SessionDep, actor: CurrentActor, settings: SettingsDep
) -> UserOut:
    """Admin: change an account's display name, role, county or holder (or username); the
    fields sent change, the others stay. Audited with the fields that changed."""
    user = service.get_user_for_admin(session, actor, user_id)
    sent = body.model_dump(exclude_unset=True)
    updated = service.update_user(
        session,
        actor,
        user_id,
        username=sent.get("username") or user.username,
        role=sent.get("role") or user.role,
        region_code=sent.get("region_code", user.region_code) or None,
        holder_id=sent.get("holder_id", user.holder_id),
        display_name=sent.get("display_name", user.display_name),
        city_code=settings.city_code,
    )
    session.commit()
    return _one_user_out(session, updated)


@router.post(
    "/api/v1/users/{user_id}/active",
    response_model=UserOut,
    tags=["users"],
    summary="停用或启用用户 / disable or enable a user",
)
def api_set_user_active(
    user_id: UserIdPath, body: ActiveIn, session: SessionDep, actor: CurrentActor
) -> UserOut:
    """Admin: disable an account (its sessions end) or enable it again; the last active
    admin cannot be disabled (409)."""
    user = service.set_active(session, actor, user_id, body.active)
    session.commit()
    return _one_user_out(session, user)


@router.post(
    "/api/v1/users/{user_id}/password",
    response_model=PasswordReset,
    tags=["users"],
    summary="重置密码 / reset a password",
)
def api_reset_user_password(
    user_id: UserIdPath,
    request: Request,
    response: Response,
    session: SessionDep,
    actor: CurrentActor,
    body: PasswordIn | None = None,
) -> PasswordReset:
    """Admin: set the password sent, or (none sent) a random one, returned in this answer
    only. The user's sessions end (the admin's own: this session goes on, renewed)."""
    generated = service.reset_password(session, actor, user_id, (body.password if body else None) or None)
    session.commit()
    if user_id == actor.user_id:
        renewed = new_session(user_id)
        renewed["csrf"] = request.state.session_data.get("csrf", renewed["csrf"])
        request.state.new_session_data = renewed
    # A new password must not be kept by a cache.
    response.headers["Cache-Control"] = "no-store"
    user = service.get_user_for_admin(session, actor, user_id)
    return PasswordReset(
        user=_one_user_out(session, user), generated=generated is not None, password=generated
    )


def _audit_entry_out(entry: AuditEntry) -> AuditEntryOut:
    label = audit.ACTION_LABELS.get(entry.action)
    return AuditEntryOut(
        id=entry.id,
        at=_api_time(entry.at) or entry.at,
        actor=entry.actor,
        action=entry.action,
        action_label=label,
        action_label_en=gettext(label, "en") if label else None,
        object_type=entry.object_type,
        object_id=entry.object_id,
        detail=entry.detail or {},
        hash=entry.hash,
    )


@router.get("/api/v1/audit", response_model=AuditPage, tags=["audit"], summary="审计日志 / the audit log")
def api_audit(
    session: SessionDep,
    actor: CurrentActor,
    page: ApiPageQ = 1,
    per_page: ApiPerPageQ = AUDIT_PER_PAGE,
    user: Annotated[str | None, Query(max_length=150, description="操作人（用户名）")] = None,
    action: Annotated[str | None, Query(max_length=64, description="操作，如 policy.case.approve")] = None,
) -> AuditPage:
    """Officers: the audit entries, latest first, of one user or one action when asked;
    times in Beijing time with their offset (+08:00). ``/api/v1/audit/verify`` checks the chain."""
    listing = service.audit_entries(session, actor, user=user, action=action, page=page, per_page=per_page)
    pager = Pager.of(listing.page, total=listing.total, per_page=listing.per_page)
    return AuditPage(
        total=pager.total,
        page=pager.page,
        per_page=pager.per_page,
        pages=pager.pages,
        user=user or None,
        action=action or None,
        items=[_audit_entry_out(e) for e in listing.entries],
    )
