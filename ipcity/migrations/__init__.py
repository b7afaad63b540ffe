"""Alembic migrations. Every schema change is a migration, tested on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from ipcity.db import normalize_database_url

MIGRATIONS_DIR = Path(__file__).parent


def alembic_config(database_url: str) -> Config:
    """An Alembic configuration for ``database_url`` without an ini file."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", normalize_database_url(database_url).replace("%", "%%"))
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    """Create the schema or bring it to ``revision``."""
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    """Take the schema back to ``revision`` (``base`` removes every table)."""
    command.downgrade(alembic_config(database_url), revision)
