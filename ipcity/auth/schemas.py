"""Pydantic shapes of the users and audit-log API (``/api/v1/users``, ``/api/v1/audit``).

Times are ISO 8601 in Beijing time with their offset (``2026-11-27T07:46:05+08:00``), to
the second, as the pages show them. A user's password hash is never part of any shape.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ipcity.db import MAX_ID


class UserOut(BaseModel):
    """One account as the admin sees it (never its password hash)."""

    id: int
    username: str
    display_name: str | None
    role: str
    role_label: str = Field(description="角色名称（中文）")
    role_label_en: str = Field(description="the role's name in English")
    region_code: str | None = Field(description="所属县区（县区账号）")
    region_name: str | None
    region_name_en: str | None
    holder_id: int | None = Field(description="绑定的权利人（企业用户）")
    holder_name: str | None
    active: bool
    created_at: datetime | None
    last_login_at: datetime | None


class UserPage(BaseModel):
    """One page of the user list (a page past the last shows the last)."""

    total: int
    page: int
    per_page: int
    pages: int
    items: list[UserOut]


class UserIn(BaseModel):
    """A new account. A county officer needs ``region_code`` (a county of the city), an
    enterprise user ``holder_id`` (a holder that exists); other roles neither."""

    model_config = ConfigDict(extra="forbid")  # a misspelt field is refused, never read as "left out"

    username: str = Field(max_length=200, description="用户名（3到64个字符，保存为小写）")
    password: str = Field(max_length=1024, description="密码（至少8个字符）")
    role: str = Field(max_length=32, description="enterprise | county_officer | city_officer | admin")
    display_name: str | None = Field(None, max_length=200, description="显示名称")
    region_code: str | None = Field(None, max_length=12, description="所属县区的行政区划代码")
    holder_id: int | None = Field(None, ge=1, le=MAX_ID, description="绑定的权利人ID")


class UserChanges(BaseModel):
    """Fields to change on an account; a field left out keeps its value, ``null`` clears
    it. A new role must come with the binding it needs (and without the one it cannot
    have: send ``null``)."""

    model_config = ConfigDict(extra="forbid")  # a misspelt field is refused, never read as "left out"

    username: str | None = Field(None, max_length=200, description="新用户名")
    display_name: str | None = Field(None, max_length=200, description="显示名称")
    role: str | None = Field(
        None, max_length=32, description="enterprise | county_officer | city_officer | admin"
    )
    region_code: str | None = Field(None, max_length=12, description="所属县区的行政区划代码")
    holder_id: int | None = Field(None, ge=1, le=MAX_ID, description="绑定的权利人ID")


class ActiveIn(BaseModel):
    """Enable (``true``) or disable (``false``) an account."""

    model_config = ConfigDict(extra="forbid")  # a misspelt field is refused, never read as "left out"

    active: bool


class PasswordIn(BaseModel):
    """A new password; left out, empty or ``null``: a random one, returned once."""

    model_config = ConfigDict(extra="forbid")  # a misspelt field is refused, never read as "left out"

    password: str | None = Field(None, max_length=1024, description="新密码（至少8个字符）；留空则随机生成")


class PasswordReset(BaseModel):
    """The account after a password reset, and the generated password (shown this once;
    ``null`` when the password was given)."""

    model_config = ConfigDict(extra="forbid")  # a misspelt field is refused, never read as "left out"

    user: UserOut
    generated: bool
    password: str | None


class AuditEntryOut(BaseModel):
    """One entry of the audit log."""

    id: int
    at: datetime = Field(description="时间（北京时间，含时区偏移）")
    actor: str
    action: str
    action_label: str | None = Field(description="操作名称（中文）；未登记的操作为 null")
    action_label_en: str | None
    object_type: str
    object_id: str | None
    detail: dict[str, Any]
    hash: str


class AuditPage(BaseModel):
    """One page of the audit log, latest first (a page past the last shows the last)."""

    total: int
    page: int
    per_page: int
    pages: int
    user: str | None
    action: str | None
    items: list[AuditEntryOut]
