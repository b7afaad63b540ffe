"""Use-cases of the auth area: create and change users (admin), log in with rate limiting,
list users, resolve a session's user."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ipcity import audit
from ipcity.auth.models import LoginAttempt, User
from ipcity.auth.passwords import generate_password, hash_password, verify_password
from ipcity.auth.roles import PUBLIC, ROLE_LABELS, Actor, require
from ipcity.errors import Conflict, NotAuthenticated, NotFound, RateLimited, ValidationFailed
from ipcity.i18n import gettext
from ipcity.places.divisions import counties_of, get_division
from ipcity.web.paging import Pager

# The platform's city when a caller gives none (the CLI, the demo); the web passes
# ``Settings.city_code``. The same default as ``ipcity.config.Settings.city_code``.
DEFAULT_CITY = "410600"

# Roles a person's account can have, least powerful first: the order of the role menus, so
# that the first (default) choice is never the most powerful one.
ASSIGNABLE_ROLES = ("enterprise", "county_officer", "city_officer", "admin")

USERNAME_MIN, USERNAME_MAX = 3, 64  # 64: the width of users.username and audit_log.actor
# A name with Chinese characters may be shorter: most Chinese personal names (张伟) have two.
USERNAME_MIN_CHINESE = 2
PASSWORD_MIN = 8
DISPLAY_NAME_MAX = 100
# ASCII letters and digits, "." "_" "-", and Chinese characters (an officer may log in as
# 张伟): nothing that markup, URLs or a shell would read specially.
_USERNAME = re.compile(r"[A-Za-z0-9._\-\u3400-\u4dbf\u4e00-\u9fff]+")
_CHINESE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
# Names the audit log uses for actors that are not people (the setup, the anonymous public):
# an account of that name would make its entries indistinguishable from theirs.
RESERVED_USERNAMES = frozenset({"system", "public"})
# Failed logins of one client address audited in a rate-limit window, over all usernames:
# enough to see an attack in the log, not enough for it to grow the chain without end.
AUDITED_FAILURES_PER_CLIENT = 20

MSG_USERNAME = (
    "用户名应为3到64个字符（含汉字时可为2个字符），只能包含英文字母（A–Z）、数字、汉字和 . _ -，收到：{value}"
)
MSG_PASSWORD = "密码至少需要8个字符"
MSG_PASSWORD_BLANK = "密码不能只由空格组成，请包含字母、数字或符号"
MSG_PASSWORD_WEAK = "密码太容易被猜到（常见密码、重复字符、键盘上连续的键或与用户名相近）；请改用更长、不常见的密码，例如几个词加数字"
PASSWORD_MIN_SCORE = 2

# Why a login failed, as the audit entry records it (the visitor is told the same sentence
# whatever the reason, so that usernames cannot be probed).
FAILED_UNKNOWN_USER = "unknown_user"
FAILED_WRONG_PASSWORD = "wrong_password"
FAILED_DISABLED = "disabled"
# The reasons of a failed login as the audit page names them.
LOGIN_FAILURE_LABELS = {
    FAILED_UNKNOWN_USER: "用户名不存在",
    FAILED_WRONG_PASSWORD: "密码错误",
    FAILED_DISABLED: "账号已停用",
}


@cache
def _dummy_hash() -> str:
    # Verified when the username is unknown, so that a login takes as long whether or not
    # the user exists (the time would otherwise tell which usernames are real).
    return hash_password("ipcity-no-such-user")


def actor_for(user: User) -> Actor:
    """The :class:`Actor` a logged-in user acts as."""
    return Actor(
        username=user.username,
        role=user.role,
        user_id=user.id,
        region_code=user.region_code,
        holder_id=user.holder_id,
        display_name=user.display_name,
    )


def normalize_username(username: str) -> str:
    """``username`` as stored: full-width letters and digits made half-width, trimmed and
    in lower case; raises :class:`ValidationFailed` when it breaks the rules (3 to 64
    letters, digits, Chinese characters, ``.``, ``_``, ``-``, or 2 where it has Chinese
    characters; not a reserved name).

    >>> normalize_username("  Qibin.Officer "), normalize_username("张伟"), normalize_username("ＯＦＦＩＣＥＲ")
    ('qibin.officer', '张伟', 'officer')
    >>> normalize_username("<b>x</b>")
    Traceback (most recent call last):
    ...
    ipcity.errors.ValidationFailed: 用户名应为3到64个字符（含汉字时可为2个字符），只能包含英文字母（A–Z）、数字、汉字和 . _ -，收到：<b>x</b>
    """
    name = login_name(username)
    shortest = USERNAME_MIN_CHINESE if _CHINESE.search(name) else USERNAME_MIN
    if not shortest <= len(name) <= USERNAME_MAX or not _USERNAME.fullmatch(name):
        raise ValidationFailed(MSG_USERNAME, value=name[:70])
    name = name.lower()
    if name in RESERVED_USERNAMES:
        raise ValidationFailed("用户名 {value} 为系统保留名称，请换一个", value=name)
    return name


def login_name(typed: str) -> str:
    """A username as typed, in the form names are compared: NFKC (an input method left in
    full-width mode types ｏｆｆｉｃｅｒ for officer) and trimmed; case is left to the caller.

    >>> login_name(" ｑｉｂｉｎ　")
    'qibin'
    """
    return unicodedata.normalize("NFKC", typed).strip()


def _username_taken(session: Session, name: str, except_id: int | None = None) -> bool:
    # lower() on both sides: accounts created before names were stored in lower case may
    # hold capitals, and "OFFICER" must still collide with "officer".
    query = select(User.id).where(func.lower(User.username) == name.lower())
    if except_id is not None:
        query = query.where(User.id != except_id)
    return session.scalar(query.limit(1)) is not None


def _check_password(password: str, *about: str | None) -> None:
    """Refuse a password too short, blank, or easy to guess. ``about``: what the account is
    known by (username, display name), which a password must not merely repeat."""
    if len(password) < PASSWORD_MIN:
        raise ValidationFailed(MSG_PASSWORD)
    if not password.strip():
        # Eight spaces are eight characters, and the first thing anyone would try.
        raise ValidationFailed(MSG_PASSWORD_BLANK)
    from zxcvbn import zxcvbn  # loads its dictionaries: only when a password is set

    # zxcvbn (Dropbox's estimator) scores 0–4 by the guesses an attacker needs; below 2 is a
    # common password ("12345678", "password"), a repeat ("aaaaaaaa"), a keyboard run or the
    # username itself: guessed within a login rate limit's patience, on the admin too.
    if zxcvbn(password[:100], [a for a in about if a])["score"] < PASSWORD_MIN_SCORE:
        raise ValidationFailed(MSG_PASSWORD_WEAK)


def _display_name(text: str | None) -> str | None:
    value = (text or "").strip()
    if len(value) > DISPLAY_NAME_MAX:
        raise ValidationFailed("显示名称不能超过100个字符")
    return value or None


def city_counties(city_code: str = DEFAULT_CITY) -> list[str]:
    """The codes a county officer may be bound to: the county-level divisions of the city.

    >>> city_counties()
    ['410602', '410603', '410611', '410621', '410622', '410671']
    """
    return [d.code for d in counties_of(city_code)]


def _binding(
    session: Session, role: str, region_code: str | None, holder_id: int | None, city_code: str
) -> tuple[str | None, int | None]:
    """The (region, holder) a user of ``role`` is bound to, checked: a county officer has a
    county of the city and no holder, an enterprise user a holder that exists and no county,
    anyone else neither. A binding the role cannot have is refused, never silently dropped."""
    if role not in ASSIGNABLE_ROLES:
        from ipcity.registry.service import ChoiceFailed

        # The roles as the form's menu names them (the code beside each, for the API).
        raise ChoiceFailed(
            "角色应为 {expected} 之一，收到：{value}",
            choices={r: ROLE_LABELS[r] for r in ASSIGNABLE_ROLES},
            value=role,
        )
    if role == "county_officer":
        if not region_code:
            raise ValidationFailed("县区账号必须指定所属县区的行政区划代码")
        if get_division(region_code) is None:
            raise ValidationFailed("行政区划代码 {value} 不在 GB/T 2260 行政区划表中", value=region_code)
        accepted = city_counties(city_code)
        if region_code not in accepted:
            raise ValidationFailed(
                "县区账号的所属县区应为本市的县级行政区划之一（{accepted}），收到：{value}",
                accepted=", ".join(accepted),
                value=region_code,
            )
    elif region_code:
        raise ValidationFailed("只有县区账号才指定所属县区，请为该角色清空县区")
    if role == "enterprise":
        if not holder_id:
            raise ValidationFailed("企业用户必须绑定一个权利人")
        from ipcity.registry.models import Holder

        if session.get(Holder, holder_id) is None:
            raise NotFound("未找到权利人：{value}", value=holder_id)
    elif holder_id:
        raise ValidationFailed("只有企业用户才绑定权利人，请为该角色清空权利人ID")
    return region_code, holder_id


def create_user(
    session: Session,
    actor: Actor,
    username: str,
    password: str,
    role: str,
    region_code: str | None = None,
    holder_id: int | None = None,
    display_name: str | None = None,
    *,
    city_code: str = DEFAULT_CITY,
) -> User:
    """Create a user (admin only, or the system at setup). County officers need a county of
    ``city_code``, enterprise users a holder; the username is stored in lower case and must
    be unique case-insensitively."""
    require(actor, "users.manage")
    # The binding and the password are checked before the name: the form's most common
    # slip (a county officer without a county) is named first.
    region, holder = _binding(session, role, region_code, holder_id, city_code)
    _check_password(password, username, display_name)
    name = normalize_username(username)
    shown = _display_name(display_name)
    if _username_taken(session, name):
        raise Conflict("用户名 {value} 已存在", value=name)
    user = User(
        username=name,
        display_name=shown,
        password_hash=hash_password(password),
        role=role,
        region_code=region,
        holder_id=holder,
        active=True,
        created_at=datetime.now(UTC),
    )
    session.add(user)
    session.flush()
    audit.record(session, actor.username, "user.create", "user", user.id, {"username": name, "role": role})
    return user


def _get(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("未找到用户：{value}", value=user_id)
    return user


def get_user_for_admin(session: Session, actor: Actor, user_id: int) -> User:
    """One user, for the admin's edit page."""
    require(actor, "users.manage")
    return _get(session, user_id)


def _keep_an_admin(session: Session, user: User) -> None:
    """Refuse to take the last active admin away (disabled or given another role): nobody
    could manage users any more. The other admins' rows are locked (PostgreSQL) so that two
    admins demoting each other at once cannot both succeed."""
    others = session.scalars(
        select(User.id)
        .where(User.role == "admin", User.active.is_(True), User.id != user.id)
        .with_for_update()
    ).all()
    if not others:
        raise Conflict("{value} 是最后一个启用中的系统管理员，不能停用或改为其他角色", value=user.username)


def update_user(
    session: Session,
    actor: Actor,
    user_id: int,
    *,
    username: str,
    role: str,
    region_code: str | None = None,
    holder_id: int | None = None,
    display_name: str | None = None,
    city_code: str = DEFAULT_CITY,
) -> User:
    """Admin: rename a user, change its display name, role and binding (the same rules as
    :func:`create_user`). Audited with the fields that changed; nothing changed, no entry.
    The new role applies from the user's next request."""
    require(actor, "users.manage")
    user = _get(session, user_id)
    region, holder = _binding(session, role, region_code, holder_id, city_code)
    name = normalize_username(username)
    shown = _display_name(display_name)
    if name != user.username and _username_taken(session, name, except_id=user.id):
        raise Conflict("用户名 {value} 已存在", value=name)
    if user.role == "admin" and role != "admin" and user.active:
        _keep_an_admin(session, user)
    after = {
        "username": name,
        "display_name": shown,
        "role": role,
        "region_code": region,
        "holder_id": holder,
    }
    changes = {
        field: [getattr(user, field), value]
        for field, value in after.items()
        if getattr(user, field) != value
    }
    if not changes:
        return user
    for field, value in after.items():
        setattr(user, field, value)
    session.flush()
    audit.record(
        session, actor.username, "user.update", "user", user.id, {"username": name, "changes": changes}
    )
    return user


def _end_sessions(user: User) -> None:
    # Whole milliseconds, as a session cookie records its login time: a login in the same
    # millisecond as this change (the admin's own, just after) still counts.
    now = datetime.now(UTC)
    user.sessions_valid_after = now.replace(microsecond=now.microsecond // 1000 * 1000)


def end_sessions(session: Session, user_id: int) -> None:
    """Refuse every session of the user begun before now (logout): flushed, not committed."""
    user = session.get(User, user_id)
    if user is not None:
        _end_sessions(user)
        session.flush()


def set_active(session: Session, actor: Actor, user_id: int, active: bool) -> User:
    """Admin: disable an account (it cannot log in; its sessions end on their next request,
    and stay ended when it is enabled again) or enable it again. The last active admin
    cannot be disabled. Audited; setting the state it already has changes nothing."""
    require(actor, "users.manage")
    user = _get(session, user_id)
    if user.active == active:
        return user
    if not active and user.role == "admin":
        _keep_an_admin(session, user)
    user.active = active
    if not active:
        _end_sessions(user)
    session.flush()
    action = "user.enable" if active else "user.disable"
    audit.record(session, actor.username, action, "user", user.id, {"username": user.username})
    return user


def reset_password(session: Session, actor: Actor, user_id: int, password: str | None = None) -> str | None:
    """Admin: give a user a new password, ``password`` or (when none is given) a random one,
    which is returned to be shown once and never stored in clear. The user's sessions end.
    Audited without the password."""
    require(actor, "users.manage")
    user = _get(session, user_id)
    generated = not password
    secret = generate_password() if generated else str(password)
    _check_password(secret, user.username, user.display_name)
    user.password_hash = hash_password(secret)
    _end_sessions(user)
    session.flush()
    detail = {"username": user.username, "generated": generated}
    audit.record(session, actor.username, "user.password_reset", "user", user.id, detail)
    return secret if generated else None


def authenticate(
    session: Session, username: str, password: str, client: str, max_attempts: int, window_seconds: int
) -> User:
    """Check a login. Failed attempts are counted per (username, client address); past
    ``max_attempts`` in ``window_seconds`` every attempt is refused until the window passes,
    whether the password is right or not (so guessing cannot go on).

    Each failed password check is audited (``user.login_failed``: the username tried, the
    client address and the reason, never the password). Attempts refused by the rate limit
    are not: they check nothing, and recording them would let anyone grow the audit chain
    as fast as they can send requests; the limit caps the audited ones per username and
    address, and :data:`AUDITED_FAILURES_PER_CLIENT` caps them per address whatever the
    usernames tried. Usernames match case-insensitively."""
    tried = login_name(username)
    # Bounded to the column's 200 characters: an absurdly long username is still counted.
    key = f"{tried.lower()[:120]}|{client[:70]}"
    now = datetime.now(UTC)
    since = (now - timedelta(seconds=window_seconds)).replace(tzinfo=None)
    failures = session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.key == key, LoginAttempt.at >= since)
    )
    if (failures or 0) >= max_attempts:
        raise RateLimited("登录失败次数过多，请 {minutes} 分钟后再试", minutes=max(1, window_seconds // 60))
    # An exact match first: accounts from before lower-case names may differ only in case.
    user = session.scalar(
        select(User)
        .where(func.lower(User.username) == tried.lower())
        .order_by((User.username == tried).desc(), User.id)
        .limit(1)
    )
    # The hash is verified in every case (a dummy one for an unknown user): the time taken
    # must not tell which usernames exist or are disabled.
    password_ok = verify_password(user.password_hash if user is not None else _dummy_hash(), password)
    reason: str | None = None
    if user is None:
        reason = FAILED_UNKNOWN_USER
    elif not user.active:
        reason = FAILED_DISABLED
    elif not password_ok:
        reason = FAILED_WRONG_PASSWORD
    if user is None or reason is not None:
        # A client trying ever new usernames meets no per-username limit: its audited
        # failures are capped per address and window (the attempts are still counted).
        by_client = session.scalar(
            select(func.count())
            .select_from(LoginAttempt)
            .where(LoginAttempt.key.endswith(f"|{client[:70]}", autoescape=True), LoginAttempt.at >= since)
        )
        session.add(LoginAttempt(key=key, at=now.replace(tzinfo=None)))
        if (by_client or 0) < AUDITED_FAILURES_PER_CLIENT:
            detail = {"username": tried[:64], "reason": reason, "client": client[:70]}
            audit.record(session, "public", "user.login_failed", "user", user.id if user else None, detail)
        session.commit()
        raise NotAuthenticated("用户名或密码不正确")
    session.execute(delete(LoginAttempt).where(LoginAttempt.key == key))
    user.last_login_at = now
    audit.record(session, user.username, "user.login", "user", user.id)
    return user


@dataclass(frozen=True)
class UserRow:
    """A user as the admin's list shows it: the account with its holder's name and its
    county's (Chinese) name."""

    user: User
    holder_name: str | None
    region_name: str | None


def list_users(session: Session, actor: Actor) -> list[UserRow]:
    """All users (admin only), with the names of their holders and counties."""
    require(actor, "users.manage")
    from ipcity.registry.models import Holder

    rows = session.execute(
        select(User, Holder.name).outerjoin(Holder, Holder.id == User.holder_id).order_by(User.id)
    ).all()
    return [UserRow(user, holder_name, _region_name(user.region_code)) for user, holder_name in rows]


def _region_name(code: str | None) -> str | None:
    division = get_division(code) if code else None
    return division.name if division is not None else None


def holder_name(session: Session, holder_id: int | None) -> str | None:
    """The name of the holder an enterprise user is bound to (None when none)."""
    if holder_id is None:
        return None
    from ipcity.registry.models import Holder

    return session.scalar(select(Holder.name).where(Holder.id == holder_id))


def get_user(session: Session, user_id: int, logged_in_at: int | None = None) -> User | None:
    """The active user with ``user_id`` or None (used to resolve a session cookie). A
    session that began (``logged_in_at``, milliseconds since the epoch) before the user's
    sessions were ended (disabled, password reset, logout) resolves to None too; so does a
    cookie of the older form that counted seconds, where the user's sessions were ever ended."""
    user = session.get(User, user_id)
    if user is None or not user.active:
        return None
    cutoff = user.sessions_valid_after
    if cutoff is not None:
        if cutoff.tzinfo is None:  # SQLite gives back the UTC wall-clock time, naive
            cutoff = cutoff.replace(tzinfo=UTC)
        if not isinstance(logged_in_at, int) or logged_in_at < round(cutoff.timestamp() * 1000):
            return None
    return user


@dataclass(frozen=True)
class AuditListing:
    """One page of the audit log: its entries (latest first), the number of entries that
    match the filters, and the page shown (past the last: the last, as every list pages)."""

    entries: list[audit.AuditEntry]
    total: int
    page: int
    per_page: int


def _actor_filter(typed: str | None) -> str:
    """The actor an audit filter names, read as a login reads a username (half-width,
    trimmed, lower case: "QAADMIN " is qaadmin), and the name the pages give the public
    (公众, Public) as the log records it."""
    text = unicodedata.normalize("NFKC", typed or "").strip().lower()
    shown_as_public = {gettext("公众", "zh_CN").lower(), gettext("公众", "en").lower()}
    return PUBLIC.username if text in shown_as_public else text


def audit_entries(
    session: Session,
    actor: Actor,
    *,
    user: str | None = None,
    action: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> AuditListing:
    """Officers with ``audit.read``: the audit entries of one actor (``user``, a username as
    the log records it) and/or one action code, latest first, a page at a time."""
    require(actor, "audit.read")
    query = select(audit.AuditEntry)
    wanted = _actor_filter(user)
    if wanted:
        query = query.where(audit.AuditEntry.actor == wanted)
    if action:
        query = query.where(audit.AuditEntry.action == action)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    shown = Pager.of(page, total=total, per_page=per_page).page
    entries = list(
        session.scalars(
            query.order_by(audit.AuditEntry.id.desc()).limit(per_page).offset((shown - 1) * per_page)
        )
    )
    return AuditListing(entries, total, shown, per_page)
