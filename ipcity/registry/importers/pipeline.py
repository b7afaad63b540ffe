"""Read, recognise and parse a file in one call, with the garbage collector paused
(:func:`ipcity.memory.paused_gc`: parsing is three times faster without it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ipcity.errors import InvalidFile
from ipcity.i18n import Bilingual
from ipcity.memory import paused_gc
from ipcity.registry.importers.fields import CANONICAL_FIELDS
from ipcity.registry.importers.layouts import LENS_JSONL, Layout, detect_layout, get_layout
from ipcity.registry.importers.patents import MSG_MISSING_COLUMN
from ipcity.registry.importers.reader import is_jsonl, read_jsonl, read_table
from ipcity.registry.records import RowError

__all__ = ["ParsedFile", "parse_file", "paused_gc"]

MSG_UNKNOWN_LAYOUT = (
    "无法识别文件「{filename}」的格式（表头：{columns}）；应为 Patentics、incoPat、Lens 导出或本系统的导入模板，"
    "或请指定各列对应的字段。"
)


MSG_OTHER_KIND = (
    "文件「{filename}」是{found}文件（{layout}），不是所选的{asked}；应选择与文件相符的类型，"
    "或不指定类型，由系统按表头识别。"
)


def _unrecognised(filename: str, header: list[str], kind: str | None) -> InvalidFile:
    """The refusal of a file no layout of ``kind`` fits: where a layout of another kind fits
    it (a trademark template imported as patents), that is what the officer is told."""
    other = detect_layout(header, None) if kind is not None else None
    if other is not None and other.kind != kind:
        from ipcity.registry.importers.fields import KIND_NAMES

        def named(k: str) -> Bilingual:
            zh, en = KIND_NAMES[k]
            # Mid-sentence in English: "a resident population file", "not patents" (an
            # acronym such as "PCT applications" keeps its capitals).
            return Bilingual(zh, en if en[1:2].isupper() else en[:1].lower() + en[1:])

        return InvalidFile(
            MSG_OTHER_KIND,
            filename=filename,
            found=named(other.kind),
            layout=Bilingual(other.name_zh, other.name_en),
            asked=named(kind) if kind in KIND_NAMES else kind,
        )
    missing = _missing_column(header, kind) if kind is not None else None
    if missing is not None:
        return missing
    shown = [h for h in header[:12] if h]
    return InvalidFile(
        MSG_UNKNOWN_LAYOUT, filename=filename, columns=Bilingual("、".join(shown), ", ".join(shown))
    )


def _missing_column(header: list[str], kind: str) -> InvalidFile | None:
    """The refusal of a file of the chosen kind's template that lacks a required column
    (a population list without 常住人口): it names the column, where "format not
    recognised" would leave the officer to guess. None when the file has none of the
    template's columns (it is some other file, to be mapped)."""
    template = get_layout(kind)
    if template is None or template.source != "template":
        return None
    found = template.resolve(header)
    named = sum(1 for h in header if h.strip())
    # Mostly the template's columns (as recognition asks of a template), one required among them.
    if not set(found) & set(template.signature) or template.score(header) * 2 <= named:
        return None
    for spec in CANONICAL_FIELDS[kind]:
        if spec.required and spec.name not in found:
            return InvalidFile(
                MSG_MISSING_COLUMN, column=spec.label_zh, field=Bilingual(spec.name, spec.label_en)
            )
    return None


class ParsedFile:
    """A file opened for import: its layout, header and the lazily parsed rows.

    ``results`` yields ``(row, result)`` where result is a record, a list of row errors, or
    None (a template's example row, to be skipped). The collector is paused while
    ``results`` is being consumed. ``warnings`` fills as the rows are parsed: row errors
    of values dropped from a kept record (a malformed secondary IPC code).
    """

    def __init__(
        self,
        layout: Layout,
        header: list[str],
        results: Iterator[tuple[int, Any]],
        warnings: list[RowError] | None = None,
    ) -> None:
        self.layout = layout
        self.header = header
        self.results = results
        self.warnings: list[RowError] = warnings if warnings is not None else []


def _paused(results: Iterator[tuple[int, Any]]) -> Iterator[tuple[int, Any]]:
    with paused_gc():
        yield from results


def _parsed_rows(parse: Any, rows: Iterator[tuple[int, Any]]) -> Iterator[tuple[int, Any]]:
    # One generator per file (not a generator expression inside another): a row is one resume.
    with paused_gc():
        for row, cells in rows:
            yield row, parse(row, cells)


def parse_file(
    source: Path | bytes,
    filename: str,
    *,
    kind: str | None = None,
    layout: Layout | None = None,
    observed_on: dt.date | None = None,
) -> ParsedFile:
    """Read, recognise and start parsing a file.

    ``layout`` (e.g. from :func:`~ipcity.registry.importers.layouts.layout_from_mapping`)
    skips recognition; ``kind`` restricts it. Raises :class:`~ipcity.errors.InvalidFile` for
    an unreadable file or one no layout fits, before any row is parsed.
    """
    if is_jsonl(filename):
        records = read_jsonl(source, filename)
        first = next(records)
        header = list(first[1])
        chosen = layout or detect_layout(header, kind)
        if chosen is None:
            raise _unrecognised(filename, header, kind)
        parse = chosen.parser(header, observed_on)

        def jsonl_results() -> Iterator[tuple[int, Any]]:
            yield first[0], parse(first[0], first[1])
            for row, record in records:
                yield row, parse(row, record)

        return ParsedFile(chosen, header, _paused(jsonl_results()), getattr(parse, "warnings", None))
    table = read_table(source, filename)
    chosen = layout or detect_layout(table.header, kind)
    if chosen is None or chosen is LENS_JSONL:
        raise _unrecognised(filename, table.header, kind)
    parse = chosen.parser(table.header, observed_on)
    return ParsedFile(chosen, table.header, _parsed_rows(parse, table.rows), getattr(parse, "warnings", None))
