"""The import layer: files in, plain records (or row errors) out. No database, no web.

Pipeline (P2.8: the registry is filled from the exports officers already have)::

    table = read_table(data, filename)              # or read_jsonl for Lens
    layout = detect_layout(table.header)            # or layout_from_mapping(...)
    parse = layout.parser(table.header, observed_on=today)
    results = [(row, parse(row, cells)) for row, cells in table.rows]
    patents = merge_patent_records(r for _, r in results if isinstance(r, PatentRecord))

A parser returns a record, a list of :class:`~ipcity.registry.records.RowError`, or None
for a template's example row. :func:`parse_file` runs the first three steps in one call;
wrap a whole import in :func:`paused_gc` (see :mod:`.pipeline` for why).
"""

from __future__ import annotations

from ipcity.registry.importers.fields import CANONICAL_FIELDS, KINDS, FieldSpec, header_key
from ipcity.registry.importers.layouts import (
    LAYOUTS,
    Layout,
    RowParser,
    detect_layout,
    get_layout,
    layout_from_mapping,
)
from ipcity.registry.importers.merge import merge_patent_records
from ipcity.registry.importers.pipeline import ParsedFile, parse_file, paused_gc
from ipcity.registry.importers.reader import Table, is_jsonl, read_jsonl, read_table
from ipcity.registry.importers.templates import write_template_xlsx

__all__ = [
    "CANONICAL_FIELDS",
    "KINDS",
    "LAYOUTS",
    "FieldSpec",
    "Layout",
    "ParsedFile",
    "RowParser",
    "Table",
    "detect_layout",
    "get_layout",
    "header_key",
    "is_jsonl",
    "layout_from_mapping",
    "merge_patent_records",
    "parse_file",
    "paused_gc",
    "read_jsonl",
    "read_table",
    "write_template_xlsx",
]
