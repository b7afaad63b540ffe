"""Use-cases of the auth area: create users, log in with rate limiting, list users."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ipcity import audit
from ipcity.auth.models import LoginAttempt, User
from ipcity.auth.passwords import hash_password, verify_password
from ipcity.auth.roles import ROLES, Actor, require
from ipcity.errors import Conflict, NotAuthenticated, RateLimited, ValidationFailed
from ipcity.places.divisions import get_division


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


def create_user(
    session: Session,
    actor: Actor,
    username: str,
    password: str,
    role: str,
    region_code: str | None = None,
    holder_id: int | None = None,
    display_name: str | None = None,
) -> User:
    """Create a user (admin only, or the system at setup). County officers need a county,
    enterprise users a holder."""
    require(actor, "users.manage")
    username = username.strip()
    if not username or len(username) > 64:
        raise ValidationFailed("用户名不能为空且不超过64个字符，收到：{value}", value=username)
    if role not in ROLES or role == "public":
        raise ValidationFailed("角色应为 {roles} 之一，收到：{value}", roles=", ".join(ROLES[:4]), value=role)
    if role == "county_officer" and not region_code:
        raise ValidationFailed("县区账号必须指定所属县区的行政区划代码")
    if role == "enterprise" and not holder_id:
        raise ValidationFailed("企业用户必须绑定一个权利人")
    if role == "county_officer" and region_code and get_division(region_code) is None:
        raise ValidationFailed("行政区划代码 {value} 不在 GB/T 2260 行政区划表中", value=region_code)
    if role == "enterprise" and holder_id:
        # Raises NotFound for a holder that does not exist (rather than a foreign-key error).
        from ipcity.registry.service import get_holder

        get_holder(session, actor, holder_id)
    if len(password) < 8:
        raise ValidationFailed("密码至少需要8个字符")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict("用户名 {value} 已存在", value=username)
    user = User(
        username=username,
        display_name=display_name,
        password_hash=hash_password(password),
        role=role,
        region_code=region_code if role == "county_officer" else None,
        holder_id=holder_id if role == "enterprise" else None,
        active=True,
        created_at=datetime.now(UTC),
    )
    session.add(user)
    session.flush()
    audit.record(
        session, actor.username, "user.create", "user", user.id, {"username": username, "role": role}
    )
    return user


def authenticate(
    session: Session, username: str, password: str, client: str, max_attempts: int, window_seconds: int
) -> User:
    """Check a login. Failed attempts are counted per (username, client address); past
    ``max_attempts`` in ``window_seconds`` every attempt is refused until the window passes,
    whether the password is right or not (so guessing cannot go on)."""
    # Bounded to the column's 200 characters: an absurdly long username is still counted.
    key = f"{username.strip().lower()[:120]}|{client[:70]}"
    now = datetime.now(UTC)
    since = (now - timedelta(seconds=window_seconds)).replace(tzinfo=None)
    failures = session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.key == key, LoginAttempt.at >= since)
    )
    if (failures or 0) >= max_attempts:
        raise RateLimited("登录失败次数过多，请 {minutes} 分钟后再试", minutes=max(1, window_seconds // 60))
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        verify_password(_dummy_hash(), password)
    if user is None or not user.active or not verify_password(user.password_hash, password):
        session.add(LoginAttempt(key=key, at=now.replace(tzinfo=None)))
        session.commit()
        raise NotAuthenticated("用户名或密码不正确")
    session.execute(delete(LoginAttempt).where(LoginAttempt.key == key))
    audit.record(session, user.username, "user.login", "user", user.id)
    return user


def list_users(session: Session, actor: Actor) -> list[User]:
    """All users (admin only)."""
    require(actor, "users.manage")
    return list(session.scalars(select(User).order_by(User.id)))


def get_user(session: Session, user_id: int) -> User | None:
    """The active user with ``user_id`` or None (used to resolve a session cookie)."""
    user = session.get(User, user_id)
    return user if user is not None and user.active else None
