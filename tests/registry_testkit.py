"""Helpers shared by the registry, CLI and audit tests: read a real export independently of
the code under test, and take a full dump of the database to compare before and after."""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select, text
from sqlalchemy.engine import Engine

from ipcity.auth.roles import Actor
from ipcity.models import Base
from ipcity.places.models import Population

OFFICER = Actor(username="city-officer", role="city_officer", user_id=1)


def fill_template(kind: str, rows: list[dict[str, Any]], path: Path) -> Path:
    """The downloaded template of ``kind`` with ``rows`` (header → cell) below its example."""
    from openpyxl import load_workbook

    from ipcity.registry.importers import write_template_xlsx

    book = load_workbook(io.BytesIO(write_template_xlsx(kind)))
    sheet = book.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    for number, row in enumerate(rows, start=1):
        assert not set(row) - set(header), set(row) - set(header)
        sheet.append([number if h == "序号" else row.get(h) for h in header])
    book.save(path)
    return path


def raw_text(path: Path) -> str:
    """The file's text as a plain reader sees it (gzip by magic bytes, UTF-8 with BOM)."""
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data.decode("utf-8-sig")


def raw_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """``(row, cells by header)`` of a CSV export read with the csv module alone; the header
    is row 1, as the officer counts in Excel."""
    reader = csv.DictReader(io.StringIO(raw_text(path), newline=""))
    return [(number, row) for number, row in enumerate(reader, start=2)]


def raw_jsonl(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """``(line, record)`` of a JSON Lines export."""
    lines = raw_text(path).split("\n")
    return [(number, json.loads(line)) for number, line in enumerate(lines, start=1) if line.strip()]


def _fts_rows(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(text("SELECT rowid, title, abstract FROM patent_fts ORDER BY rowid"))
        ]


def dump_database(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (and the search index), in primary-key order."""
    dump: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            dump[table.name] = [tuple(r) for r in conn.execute(select(table).order_by(*order))]
    # The change log's tokens are random by design: its rows are compared by id alone.
    dump["registry_changes"] = [row[:1] for row in dump.get("registry_changes", [])]
    dump["patent_fts"] = _fts_rows(engine)
    return dump


def table_counts(engine: Engine) -> dict[str, int]:
    """Row count of every table (and the search index)."""
    counts: dict[str, int] = {}
    with engine.connect() as conn:
        for name in [t.name for t in Base.metadata.sorted_tables] + ["patent_fts"]:
            counts[name] = int(conn.execute(text(f"SELECT count(*) FROM {name}")).scalar_one())
    return counts


def audit_length(engine: Engine) -> int:
    """Entries in the audit log."""
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one())


def one_sentence(message: str) -> bool:
    """A user-facing message: one line, one sentence (one full stop, at the end)."""
    return "\n" not in message and message.endswith("。") and message.count("。") == 1


@contextmanager
def population_kept(engine: Engine) -> Iterator[None]:
    """Put the population table back as it was afterwards: the test database keeps the
    shipped figures between tests (on PostgreSQL that table is not emptied), so a test that
    imports population must not leave its rows behind."""
    with engine.connect() as conn:
        shipped = [dict(r._mapping) for r in conn.execute(select(Population.__table__))]
    try:
        yield
    finally:
        with engine.begin() as conn:
            conn.execute(delete(Population.__table__))
            if shipped:
                conn.execute(insert(Population.__table__), shipped)
