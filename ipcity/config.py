"""Settings, declared once (pydantic-settings) and fed to the CLI, the web app and the docs.

Settings are read from ``IPCITY_*`` environment variables. They are built by
:func:`ipcity.web.app.create_app` or the CLI, never at import time, so tests can build as
many differently configured apps as they like.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///./ipcity.db"
_DEVELOPMENT_SECRET = "ipcity-development-secret-change-me"


class Settings(BaseSettings):
    """Every setting of the platform, with its default and meaning."""

    model_config = SettingsConfigDict(env_prefix="IPCITY_", extra="ignore")

    database_url: str = Field(
        DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL: sqlite:///path (default) or postgresql://user@host/db",
    )
    environment: Literal["development", "production", "test"] = Field(
        "development", description="production refuses the default secret key"
    )
    secret_key: str = Field(_DEVELOPMENT_SECRET, description="signs session cookies and CSRF tokens")
    city_code: str = Field("410600", description="GB/T 2260 code of the city this platform serves")
    default_locale: Literal["zh_CN", "en"] = Field("zh_CN", description="UI language when none is chosen")
    upload_dir: Path = Field(Path("./ipcity-files"), description="where uploaded files and reject lists go")
    login_max_attempts: int = Field(5, description="failed logins allowed per user and address per window")
    login_window_seconds: int = Field(300, description="rate-limit window for failed logins")
    session_max_age_seconds: int = Field(8 * 3600, description="how long a login lasts")
    secure_cookies: bool = Field(False, description="set the Secure flag on cookies (behind HTTPS)")
    page_size: int = Field(20, description="rows per page in lists")
    policy_file: Path | None = Field(
        None,
        description="the policy YAML in force (another city's rules); default: the shipped rules/hebi-2017.yaml",
    )
    policy_notice_days: int = Field(
        7, ge=0, le=90, description="days a policy case stays in public notice (公示) before approval"
    )

    @model_validator(mode="after")
    def _refuse_default_secret_in_production(self) -> Settings:
        if self.environment == "production" and self.secret_key == _DEVELOPMENT_SECRET:
            raise ValueError("IPCITY_SECRET_KEY must be set in production")
        return self

    def session_secret(self) -> str:
        """The key that signs session cookies and CSRF tokens. The shipped default is public
        (it is in this file): on a development or demo install a random key is made once and
        kept beside the uploads (``upload_dir/.secret_key``, readable by its owner only), so
        that nobody can sign an admin's cookie with the published one. Tests keep the fixed
        default; production refuses it (above)."""
        if self.secret_key != _DEVELOPMENT_SECRET or self.environment != "development":
            return self.secret_key

        path = self.upload_dir / ".secret_key"
        try:
            return path.read_text(encoding="ascii").strip() or self._new_secret(path)
        except FileNotFoundError:
            return self._new_secret(path)

    @staticmethod
    def _new_secret(path: Path) -> str:
        key = secrets.token_urlsafe(48)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Created for its owner alone; written whole, so that a reader never sees half a key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(key)
        return key

    @property
    def is_sqlite(self) -> bool:
        """True when the database is the embedded SQLite file."""
        return self.database_url.startswith("sqlite")
