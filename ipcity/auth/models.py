"""Users and login attempts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ipcity.db import Base


class User(Base):
    """A person who logs in. ``role`` is one of :data:`ipcity.auth.roles.ROLES`; a county
    officer has a ``region_code``; an enterprise user is bound to one ``holder_id``.

    ``username`` is stored in lower case (unique case-insensitively). A session cookie
    started before ``sessions_valid_after`` no longer counts (set when the account is
    disabled or its password is reset)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(24))
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("holders.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sessions_valid_after: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LoginAttempt(Base):
    """A failed login, kept for rate limiting across processes."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
