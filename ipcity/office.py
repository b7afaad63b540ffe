"""Office files the areas hand out: tables as CSV or XLSX (one sheet or several, with
bold header and totals rows) and Word documents (python-docx) in a Chinese-capable font.

One writer for every area's exports: the scoreboard's records and assessment, the policy's
payment lists, notices and statements, and (``stream_table_bytes``, write-only workbooks of
any size) the registry's exports of a whole search and its rejected-rows files. Every cell
goes out safe: text Excel would run as a formula stays text, and control characters an
office file cannot hold are dropped.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

# Excel refuses these in a sheet name and allows at most 31 characters.
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_MAX = 31
DOCX_FONT = "SimSun"

# Control characters XML 1.0 forbids: an XLSX or DOCX cannot hold them (openpyxl and lxml
# refuse the whole file), a page cannot show them. Records imported before the importers
# removed them may still carry some, so every office file drops them on the way out.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# A CSV cell starting with one of these is read by Excel as a formula ("=HYPERLINK(…)" in a
# holder's name would run on the officer's machine): such a cell is written behind an
# apostrophe, which Excel shows as text. In an XLSX the cell is typed as text instead.
_FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def office_text(value: str) -> str:
    r"""``value`` without the control characters an office file cannot hold.

    >>> office_text("专利\x07名称\n第二行")
    '专利名称\n第二行'
    """
    return _NOT_XML.sub("", value) if _NOT_XML.search(value) else value


def csv_cell(value: Any) -> Any:
    """A value as a CSV cell Excel opens safely: empty for None, text that Excel would take
    for a formula behind an apostrophe, control characters removed.

    >>> [csv_cell(v) for v in (None, 12, "=HYPERLINK(1)", "鹤壁")]
    ['', 12, "'=HYPERLINK(1)", '鹤壁']
    """
    if value is None:
        return ""
    if isinstance(value, str):
        value = office_text(value)
        if value.startswith(_FORMULA_LEADS):
            return "'" + value
    return value


def csv_bytes(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    """A table as CSV, UTF-8 with a byte-order mark so that Excel reads the Chinese."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_cell(h) for h in header])
    writer.writerows([csv_cell(v) for v in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx_value(value: Any) -> Any:
    """A value openpyxl may store: text without forbidden characters."""
    return office_text(value) if isinstance(value, str) else value


def _as_text(value: Any) -> bool:
    """Whether openpyxl would take this text for a formula (it must be typed as text)."""
    return isinstance(value, str) and value.startswith("=")


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
        ws.append([_xlsx_value(h) for h in sheet.header])
        for cell in ws[1]:
            cell.font = bold
        widths = [_width(h) for h in sheet.header]
        plain = _plain_columns(sheet.header)
        for index, raw in enumerate(sheet.rows):
            row = [_xlsx_value(v) for v in raw]
            ws.append(row)
            for column, value in enumerate(row):
                cell = ws.cell(row=index + 2, column=column + 1)
                if _as_text(value):
                    cell.data_type = "s"
                elif isinstance(value, bool):
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
        return csv_bytes(header, rows)
    return workbook_bytes([Sheet(sheet, header, rows)])


def stream_table_bytes(header: Sequence[Any], rows: Iterable[Sequence[Any]], fmt: str, sheet: str) -> bytes:
    """A table of any size as CSV or as a write-only XLSX (no styles, constant memory per
    row): the registry's exports of a whole search result."""
    if fmt == "csv":
        return csv_bytes(header, rows)
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet_name(sheet, set()))

    def cell(value: Any) -> Any:
        value = _xlsx_value(value)
        if not _as_text(value):
            return value
        text = WriteOnlyCell(ws, value)
        text.data_type = "s"
        return text

    ws.append([cell(h) for h in header])
    for row in rows:
        ws.append([cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


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
        cell.text = "" if text is None else office_text(str(text))
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for index, row in enumerate(rows):
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = "" if value is None else office_text(str(value))
            if index in bold_rows:
                for run in cell.paragraphs[0].runs:
                    run.bold = True
    return table


def document_bytes(doc: Any) -> bytes:
    """The document as the bytes of a ``.docx`` file."""
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
