"""Alembic environment: runs migrations on the URL given by :func:`ipcity.migrations.alembic_config`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import pool

from ipcity.db import make_engine
from ipcity.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url is not None
    engine = make_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()
