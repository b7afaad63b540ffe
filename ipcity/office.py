"""Office files the areas hand out: tables as CSV or XLSX (one sheet or several, with
bold header and totals rows) and Word documents (python-docx) in a Chinese-capable font.

One writer for every area's small exports (the scoreboard's records and assessment, the
policy's payment lists, notices and statements); the registry's streaming exports of a
whole search stay in ``registry/service.py`` (write-only workbooks, any size).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

# Excel refuses these in a sheet name and allows at most 31 characters.
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_MAX = 31
DOCX_FONT = "SimSun"


@dataclass(frozen=True)
class Sheet:
    """One sheet of a workbook: its title, header, rows and the indexes of totals rows
    (shown bold). Integers get a thousands separator, dates ``yyyy-mm-dd``."""

    title: str
    header: list[str]
    rows: list[list[Any]]
    totals: frozenset[int] = field(default_factory=frozenset)
    widths: dict[int, int] = field(default_factory=dict)  # column index -> width in characters


def sheet_name(title: str, taken: set[str]) -> str:
    """A valid, unique (case-insensitive, as Excel compares) sheet name for ``title``.

    >>> sheet_name("P2.1-a 发明专利授权资助", set())
    'P2.1-a 发明专利授权资助'
    >>> sheet_name("a/b", {"a_b"})
    'a_b (2)'
    """
    base = _SHEET_FORBIDDEN.sub("_", title).strip().strip("'") or "Sheet"
    name = base[:SHEET_NAME_MAX].rstrip()
    n = 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name = base[: SHEET_NAME_MAX - len(suffix)].rstrip() + suffix
        n += 1
    taken.add(name.lower())
    return name


# Columns of identifiers and years: whole numbers, but not quantities, so they are written
# without a thousands separator (a year 2025 shown as "2,025" reads as a sum).
PLAIN_NUMBER_HEADERS = frozenset({"编号", "年度", "年份", "年", "id", "#", "no.", "year", "case", "案件编号"})


def _plain_columns(header: list[str]) -> set[int]:
    """The columns of ``header`` that hold identifiers or years (see PLAIN_NUMBER_HEADERS)."""
    return {i for i, h in enumerate(header) if str(h).strip().lower() in PLAIN_NUMBER_HEADERS}


def _width(value: Any) -> int:
    text = "" if value is None else str(value)
    # A CJK character is about two Latin characters wide.
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    """An XLSX workbook with one sheet per :class:`Sheet`, in order."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    default = book.active
    if default is not None:
        book.remove(default)
    taken: set[str] = set()
    bold = Font(bold=True)
    for sheet in sheets or [Sheet("Sheet", [], [])]:
        ws = book.create_sheet(sheet_name(sheet.title, taken))
        ws.append(sheet.header)
        for cell in ws[1]:
            cell.font = bold
        widths = [_width(h) for h in sheet.header]
        plain = _plain_columns(sheet.header)
        for index, row in enumerate(sheet.rows):
            ws.append(row)
            for column, value in enumerate(row):
                cell = ws.cell(row=index + 2, column=column + 1)
                if isinstance(value, bool):
                    pass
                elif isinstance(value, int):
                    cell.number_format = "0" if column in plain else "#,##0"
                elif isinstance(value, datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
                elif isinstance(value, date):
                    cell.number_format = "yyyy-mm-dd"
                if index in sheet.totals:
                    cell.font = bold
                if column < len(widths):
                    widths[column] = max(widths[column], min(_width(value), 60))
                else:
                    widths.append(min(_width(value), 60))
        for column, width in enumerate(widths):
            ws.column_dimensions[get_column_letter(column + 1)].width = sheet.widths.get(
                column, max(8, width + 2)
            )
        if sheet.header:
            ws.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def table_bytes(header: list[str], rows: list[list[Any]], fmt: str, sheet: str) -> bytes:
    """A table as CSV (UTF-8 with BOM, opens in Excel) or as an XLSX of one sheet."""
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows([["" if v is None else v for v in row] for row in rows])
        return buffer.getvalue().encode("utf-8-sig")
    return workbook_bytes([Sheet(sheet, header, rows)])


def new_document(font_size: float = 11) -> Any:
    """A Word document whose Normal style writes Chinese and Latin text in SimSun."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = DOCX_FONT
    style.font.size = Pt(font_size)
    # python-docx sets the Latin font only; East Asian text needs its own attribute.
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), DOCX_FONT)
    return doc


def add_table(
    doc: Any, header: Sequence[Any], rows: Sequence[Sequence[Any]], bold_rows: Sequence[int] = ()
) -> Any:
    """Append a grid table (header row in bold, then ``rows``; ``bold_rows`` index ``rows``)."""
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = "" if text is None else str(text)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for index, row in enumerate(rows):
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = "" if value is None else str(value)
            if index in bold_rows:
                for run in cell.paragraphs[0].runs:
                    run.bold = True
    return table


def document_bytes(doc: Any) -> bytes:
    """The document as the bytes of a ``.docx`` file."""
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
