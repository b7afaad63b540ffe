"""Alembic migrations on the database of this run (SQLite, or PostgreSQL with
``IPCITY_TEST_DATABASE_URL``): upgrade to head, down to base, up again; the schema they
build is the one the models declare (apart from the full-text index, which no model
describes); the append-only triggers come and go with the schema."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from ipcity.db import make_engine
from ipcity.migrations import alembic_config, downgrade, upgrade
from ipcity.models import Base


def _is_search_index(diff: Any) -> bool:
    """A difference that only concerns the full-text index (FTS5 table and its shadow tables
    on SQLite, the table and its GIN index on PostgreSQL), which no model declares."""
    item = diff[1] if isinstance(diff, tuple) else diff[0][1]
    name = getattr(item, "name", "") or ""
    table = getattr(getattr(item, "table", None), "name", "") or ""
    return name.startswith(("patent_fts", "ix_patent_fts")) or table.startswith("patent_fts")


def schema_differences(url: str) -> list[Any]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return [d for d in compare_metadata(context, Base.metadata) if not _is_search_index(d)]
    finally:
        engine.dispose()


def tables_and_triggers(url: str) -> tuple[set[str], set[str]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            if conn.dialect.name == "sqlite":
                triggers = {
                    r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
                }
            else:
                triggers = {
                    r[0]
                    for r in conn.execute(
                        text(
                            "SELECT tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                            "WHERE c.relnamespace = current_schema()::regnamespace AND NOT t.tgisinternal"
                        )
                    )
                }
                triggers |= {
                    f"function:{r[0]}"
                    for r in conn.execute(
                        text(
                            "SELECT proname FROM pg_proc WHERE pronamespace = current_schema()::regnamespace"
                        )
                    )
                }
        return tables, triggers
    finally:
        engine.dispose()


def current_revision(url: str) -> str | None:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade(fresh_url: str) -> None:
    head = ScriptDirectory.from_config(alembic_config(fresh_url)).get_current_head()
    model_tables = set(Base.metadata.tables)

    upgrade(fresh_url)
    assert current_revision(fresh_url) == head
    tables, triggers = tables_and_triggers(fresh_url)
    assert model_tables | {"patent_fts", "alembic_version"} <= tables
    assert triggers & {"audit_log_no_update", "audit_log_append_only"}
    assert schema_differences(fresh_url) == []

    downgrade(fresh_url, "base")
    tables, triggers = tables_and_triggers(fresh_url)
    assert tables <= {"alembic_version"}  # every table, the search index and its shadows gone
    assert triggers == set()  # and the triggers (and PostgreSQL's trigger function)
    assert current_revision(fresh_url) is None

    upgrade(fresh_url)
    assert current_revision(fresh_url) == head
    assert schema_differences(fresh_url) == []
    tables, triggers = tables_and_triggers(fresh_url)
    assert model_tables <= tables and triggers


def test_initialize_twice_is_harmless(fresh_url: str) -> None:
    from ipcity.bootstrap import initialize
    from ipcity.config import Settings

    settings = Settings(database_url=fresh_url, environment="test")
    initialize(settings)
    engine = make_engine(fresh_url)
    try:
        with engine.connect() as conn:
            first = {
                t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                for t in ("regions", "zones", "population", "audit_head")
            }
        initialize(settings)
        with engine.connect() as conn:
            again = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in first}
    finally:
        engine.dispose()
    assert first == again and first["regions"] == 3234 and first["audit_head"] == 1


def test_the_live_case_index_is_not_built_over_two_live_cases_of_one_key(fresh_url: str) -> None:
    """A database that already holds two live cases of one key (written before 0014) stops
    the upgrade with the keys named, and keeps its data; rejecting the extra case lets the
    upgrade through."""
    upgrade(fresh_url, "0013")
    engine = make_engine(fresh_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO holders (id, name, normalized_name, kind, zone_explicit, tags, is_sample, created_at, updated_at) "
                    "VALUES (1, '鹤壁甲公司', '鹤壁甲公司', 'enterprise', false, '[]', false, '2024-01-01', '2024-01-01')"
                )
            )
            for status in ("proposed", "in_notice", "rejected"):
                conn.execute(
                    text(
                        "INSERT INTO policy_cases (payment_key, entitlement_id, year, rule, clause, object_label, "
                        "holder_id, holder_name, amount_yuan, status, created_at, updated_at) VALUES "
                        "('P2.1-a:CN201710123456.7', '2019:P2.1-a:x', 2019, 'P2.1-a', 'P2.1-a', 'x', 1, '甲', "
                        "4000, :status, '2024-01-01', '2024-01-01')"
                    ),
                    {"status": status},
                )
        with pytest.raises(RuntimeError, match=r"P2\.1-a:CN201710123456\.7"):
            upgrade(fresh_url)
        assert current_revision(fresh_url) == "0013"
        with engine.begin() as conn:
            conn.execute(text("UPDATE policy_cases SET status = 'rejected' WHERE status = 'in_notice'"))
        upgrade(fresh_url)
        assert (
            current_revision(fresh_url)
            == ScriptDirectory.from_config(alembic_config(fresh_url)).get_current_head()
        )
    finally:
        engine.dispose()
