"""Read an uploaded export file into a header and rows of strings.

Officers bring CSV (UTF-8 or GB18030, often gzip-compressed by the download tool) and Excel
workbooks; Lens exports are JSON Lines. Whatever the container, the row parsers see the same
thing: a header of stripped strings and rows of strings numbered as the officer sees them in
the file (the header is row 1). Control characters a page cannot show are dropped from
every cell as the file is read (tab and line breaks stay).

A file that cannot be read *whole* is refused before any row is handed out
(:class:`~ipcity.errors.InvalidFile`), so that an import never stores half a file: gzip is
decompressed completely and the CSV text is checked for an unterminated quote up front.
Files are small enough for this (a million Patentics rows is ~400 MB of text at most).
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import itertools
import json
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ipcity.errors import InvalidFile
from ipcity.i18n import Bilingual
from ipcity.registry.importers.fields import header_key

__all__ = ["Table", "is_jsonl", "read_jsonl", "read_table"]

_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_MAGIC = b"PK\x03\x04"
_ENCODINGS = ("utf-8-sig", "utf-8", "gb18030")
# Excel stores bigger cells, but a field this long in a CSV means a quote went astray.
csv.field_size_limit(16 * 1024 * 1024)
# Characters no page can show and no XLSX export can hold: the C0 controls but tab, line
# feed and carriage return (legal in a cell), DEL, and UTF-16 surrogates (a JSON escape
# such as "\ud800" without its pair; PostgreSQL and every encoder refuse one). They come
# from copy-paste out of PDFs and old databases and are dropped when a file is read.
_UNSHOWABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# The same controls as bytes: in UTF-8 and GB18030 a byte below 0x20 or 0x7F is always that
# ASCII character, never part of another one, so the bytes tell whether the text has any.
_UNSHOWABLE_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
# Where such a character can hide in a JSON line once decoded: an escape of a control, of
# DEL or of a surrogate (an escaped backslash before "u" only costs a needless look).
_UNSHOWABLE_ESCAPE = re.compile(r"\\u(?:00[01][0-9a-fA-F]|007[fF]|[dD][89a-fA-F][0-9a-fA-F]{2})")

MSG_EMPTY = "收到的文件「{filename}」是空的；应为带表头行的 CSV、Excel（.xlsx）或 JSON Lines 文件。"
MSG_TRUNCATED_GZIP = "收到的压缩文件「{filename}」不完整或已损坏（gzip 数据在结尾前中断）；应为完整的 .gz 文件，请重新下载后再导入。"
MSG_NOT_GZIP = "收到的文件「{filename}」以 .gz 结尾，但内容不是 gzip 压缩数据；应为完整的 .gz 文件，或去掉 .gz 后缀后再导入。"
MSG_BAD_XLSX = "收到的文件「{filename}」无法作为 Excel 工作簿读取（{detail}）；应为完整的 .xlsx 文件。"
XLSX_NOT_ZIP = Bilingual(
    "不是 .xlsx 格式：可能是旧版 .xls 文件、改了扩展名的其他文件，或下载不完整",
    "not in the .xlsx format: an old .xls file, another file renamed, or an incomplete download",
)
XLSX_DAMAGED = Bilingual("文件内容已损坏或不完整", "its content is damaged or incomplete")
MSG_BINARY = (
    "收到的文件「{filename}」含有二进制数据，不是文本表格；应为 CSV、Excel（.xlsx）或 JSON Lines 文件。"
)
MSG_ENCODING = "收到的文件「{filename}」无法按 UTF-8 或 GB18030 解码；应为 UTF-8 或 GB18030 编码的 CSV 文件。"
MSG_CUT_QUOTE = "收到的文件「{filename}」在引号内意外结束（文件被截断或引号不成对）；应为完整的 CSV 文件。"
MSG_CUT_ROW = (
    "收到的文件「{filename}」的最后一行只有 {found} 列（表头有 {expected} 列），且文件没有以换行结束："
    "文件在行中间被截断；应为完整的 CSV 文件，请重新下载后再导入。"
)
MSG_BAD_CSV = (
    "收到的文件「{filename}」第 {row} 行不是合法的 CSV（{detail}）；应为逗号分隔、引号成对的 CSV 文件。"
)
MSG_FORMAT = "收到的文件「{filename}」不是支持的格式；应为 .csv、.csv.gz、.xlsx 或 .jsonl(.gz) 文件。"
MSG_NO_HEADER = "收到的文件「{filename}」第一行没有列名；应在第一行给出表头。"
MSG_NO_ROWS = "收到的文件「{filename}」在表头之下没有数据行；应在表头下填写要导入的数据后再导入。"
MSG_BAD_JSONL = (
    "收到的文件「{filename}」第 {row} 行不是合法的 JSON 对象；应为每行一个 JSON 对象的 JSON Lines 文件。"
)
MSG_DEEP_JSONL = "收到的文件「{filename}」第 {row} 行的 JSON 嵌套层数过多，无法读取；应为每行一个 JSON 对象的 JSON Lines 文件。"
MSG_DUPLICATE_COLUMN = (
    "收到的文件「{filename}」的表头中列名「{column}」出现了多次（第 {positions} 列）；"
    "每一列应有不同的列名，请删除或改名重复的列后再导入。"
)


@dataclass(slots=True)
class Table:
    """A file read as a table.

    ``header`` holds the column names, stripped, without a byte-order mark; ``rows`` yields
    ``(line_no, cells)`` where ``line_no`` is the 1-based row as the officer sees it in
    Excel (header = row 1, so the first data row is 2; a CSV cell holding a line break
    does not shift later rows) and ``cells`` are strings. Blank rows are skipped but
    counted. Rows may be longer than the header (Patentics ends each row with a comma)
    or, in a CSV, shorter (the row parsers report that).
    """

    header: list[str]
    rows: Iterator[tuple[int, list[str]]]
    format: str  # "csv" | "xlsx"
    encoding: str | None = None


def is_jsonl(filename: str) -> bool:
    """Whether ``filename`` names a JSON Lines export (``.jsonl`` or ``.jsonl.gz``)."""
    name = filename.lower()
    return name.endswith((".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz"))


def _load_bytes(source: Path | bytes) -> bytes:
    return source if isinstance(source, bytes) else Path(source).read_bytes()


def _gunzip(data: bytes, filename: str) -> bytes:
    """Decompress the whole stream; a cut-off or corrupted gzip is refused here, before
    any row exists (``gzip.decompress`` raises on a missing end-of-stream marker)."""
    try:
        return gzip.decompress(data)
    except (EOFError, OSError, zlib.error) as exc:
        raise InvalidFile(MSG_TRUNCATED_GZIP, filename=filename) from exc


def _unwrap(source: Path | bytes, filename: str) -> bytes:
    data = _load_bytes(source)
    if not data.strip():
        raise InvalidFile(MSG_EMPTY, filename=filename)
    # Trust the bytes over the name: download tools gzip files without renaming them.
    if data.startswith(_GZIP_MAGIC):
        data = _gunzip(data, filename)
        if not data.strip():
            raise InvalidFile(MSG_EMPTY, filename=filename)
    elif filename.lower().endswith(".gz"):
        # Named as compressed but not: a file damaged in transfer, or renamed by hand; read
        # as text it would be refused for what its first line happens to be.
        raise InvalidFile(MSG_NOT_GZIP, filename=filename)
    return data


def read_table(source: Path | bytes, filename: str) -> Table:
    """Read a CSV (optionally gzip-compressed) or an Excel workbook (its first sheet that
    holds anything).

    ``filename`` is the name the file was uploaded under; it picks nothing the content
    contradicts (a gzip or zip signature wins over the extension) and appears in messages.

    >>> t = read_table("申请号,标题\\nCN201910593937.7,示例\\n".encode(), "a.csv")
    >>> t.header, list(t.rows)
    (['申请号', '标题'], [(2, ['CN201910593937.7', '示例'])])

    Raises :class:`~ipcity.errors.InvalidFile` for an empty, truncated, corrupted or binary
    file, one whose header names a column twice or one with a header and no row below it,
    before any row is yielded.
    """
    if is_jsonl(filename):
        raise InvalidFile(MSG_FORMAT, filename=filename)
    data = _unwrap(source, filename)
    if data.startswith(_ZIP_MAGIC) or filename.lower().endswith((".xlsx", ".xlsm")):
        table = _read_xlsx(data, filename)
    elif filename.lower().endswith((".xls",)) and data.startswith(b"\xd0\xcf\x11\xe0"):
        raise InvalidFile(MSG_FORMAT, filename=filename)
    else:
        table = _read_csv(data, filename)
    # A header alone is a file of which nothing can be imported: refused like an empty
    # file, before a layout is looked for or a column mapping asked for.
    first = next(table.rows, None)
    if first is None:
        raise InvalidFile(MSG_NO_ROWS, filename=filename)
    table.rows = itertools.chain((first,), table.rows)
    return table


def _decode(data: bytes, filename: str) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # UTF-16 with its byte-order mark: Excel's "Unicode text" (and WPS's) save format,
        # whose NUL bytes are its encoding, not binary data.
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise InvalidFile(MSG_ENCODING, filename=filename) from None
        if _looks_binary(text):
            raise InvalidFile(MSG_BINARY, filename=filename)
        return text, "utf-16"
    if b"\x00" in data:
        raise InvalidFile(MSG_BINARY, filename=filename)
    for encoding in _ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_binary(text):
            raise InvalidFile(MSG_BINARY, filename=filename)
        return text, encoding
    raise InvalidFile(MSG_ENCODING, filename=filename)


def _looks_binary(text: str) -> bool:
    """GB18030 decodes almost any byte soup, so judge by control characters in a sample."""
    sample = text[:65536]
    controls = sum(1 for ch in sample if ch < " " and ch not in "\t\r\n")
    return controls > max(8, len(sample) // 200)


def _read_csv(data: bytes, filename: str) -> Table:
    text, encoding = _decode(data, filename)
    text = text.lstrip("\ufeff")
    # One regex pass over the whole text rather than one per cell, and only when the bytes
    # hold a control at all: deleting bytes is one C loop (~5 ms for 20,000 Patentics rows),
    # five times cheaper than the regex that finds nothing in nearly every export.
    if encoding == "utf-16" or len(data.translate(None, _UNSHOWABLE_BYTES)) != len(data):
        text = _UNSHOWABLE.sub("", text)
    # An odd number of quote characters means the file ends inside a quoted cell: the
    # download was cut off. Counting is one C loop, far cheaper than a failed import.
    if text.count('"') % 2:
        raise InvalidFile(MSG_CUT_QUOTE, filename=filename)
    # Tab-separated where the header line has tabs and no commas (Excel's Unicode text).
    head = text[: text.find("\n")] if "\n" in text else text
    delimiter = "\t" if "\t" in head and "," not in head else ","
    reader = csv.reader(io.StringIO(text, newline=""), strict=True, delimiter=delimiter)
    try:
        first = next(reader, None)
    except csv.Error as exc:
        raise InvalidFile(MSG_BAD_CSV, filename=filename, row=1, detail=str(exc)) from exc
    if first is None or not any(cell.strip() for cell in first):
        raise InvalidFile(MSG_NO_HEADER, filename=filename)
    header = _clean_header(first)
    _refuse_repeated_columns(header, filename)
    _refuse_a_cut_last_row(text, len(header), filename, delimiter)
    return Table(header, _csv_rows(reader, filename), "csv", encoding)


def _refuse_a_cut_last_row(text: str, width: int, filename: str, delimiter: str = ",") -> None:
    """A file that ends without a line break in a row shorter than the header was cut in
    the middle of that row (a download stopped): refused whole, before any row is read,
    rather than imported with its last record rejected as if it were merely short."""
    if text.endswith(("\n", "\r")):
        return
    tail = text[text.rfind("\n") + 1 :]
    if not tail.strip() or tail.count('"') % 2:
        return  # a last cell spanning lines: its row is not this line alone
    try:
        cells = next(csv.reader([tail], delimiter=delimiter), [])
    except csv.Error:
        return  # not a row csv can read alone (a bare carriage return): the reader says so

    if 0 < len(cells) < width and text.count("\n") > 0:
        raise InvalidFile(MSG_CUT_ROW, filename=filename, found=len(cells), expected=width)


def _csv_rows(reader: Any, filename: str) -> Iterator[tuple[int, list[str]]]:
    # The officer's "row" is the record's position, as Excel numbers it; a cell holding a
    # line break makes the physical line number drift, so records are counted.
    row_no = 1
    try:
        for cells in reader:
            row_no += 1
            # A row of blanks (a blank line, or ",,," where a spreadsheet saved an empty
            # but formatted row) is skipped, as a workbook's empty row is; the test of the
            # first cell alone settles nearly every row.
            if (cells and cells[0].strip()) or any(cell.strip() for cell in cells):
                yield row_no, cells
    except csv.Error as exc:
        raise InvalidFile(MSG_BAD_CSV, filename=filename, row=row_no + 1, detail=str(exc)) from exc


def _clean_header(cells: list[str]) -> list[str]:
    return [cell.replace("\ufeff", "").strip() for cell in cells]


def _refuse_repeated_columns(header: list[str], filename: str) -> None:
    """A column name given twice (two 申请号) is refused: a layout reads the first and
    silently ignores the other, whichever of the two the officer meant. Names are compared
    as layouts compare them (:func:`~ipcity.registry.importers.fields.header_key`: 标题 (中文)
    and 标题(中文) are one name); blank names (a trailing comma) are no names."""
    positions: dict[str, list[int]] = {}
    for position, name in enumerate(header, start=1):
        if name:
            positions.setdefault(header_key(name), []).append(position)
    for found in positions.values():
        if len(found) > 1:
            numbers = [str(p) for p in found]
            raise InvalidFile(
                MSG_DUPLICATE_COLUMN,
                filename=filename,
                column=header[found[0] - 1],
                positions=Bilingual("、".join(numbers), ", ".join(numbers)),
            )


def render_cell(value: object) -> str:
    """Excel cell value as the string a CSV export would hold: dates as ISO dates, whole
    numbers without ``.0`` (application numbers and years are typed as numbers in Excel),
    text without the control characters a page cannot show (tab and line breaks kept).

    >>> render_cell("一种\x7f装置\x0b"), render_cell(2019.0)
    ('一种装置', '2019')
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return _UNSHOWABLE.sub("", value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _read_xlsx(data: bytes, filename: str) -> Table:
    from openpyxl import load_workbook  # heavy import, only when an Excel file comes in

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        # The first sheet that holds anything: officers paste an export into a later sheet
        # of a workbook whose first sheet is left blank.
        read: tuple[list[Any], list[tuple[int, tuple[Any, ...]]]] | None = None
        for sheet in workbook.worksheets:
            read = _sheet_values(sheet)
            if read is not None:
                break
        workbook.close()
    except Exception as exc:  # zipfile, zlib, XML and openpyxl errors all mean "damaged"
        import zipfile

        # Said in the officer's words, not the library's exception name.
        detail = XLSX_NOT_ZIP if isinstance(exc, zipfile.BadZipFile) else XLSX_DAMAGED
        raise InvalidFile(MSG_BAD_XLSX, filename=filename, detail=detail) from exc
    if read is None:
        raise InvalidFile(MSG_EMPTY, filename=filename)
    first, values = read
    if not any(v not in (None, "") for v in first):
        raise InvalidFile(MSG_NO_HEADER, filename=filename)
    header = _clean_header([render_cell(v) for v in first])
    while header and not header[-1]:
        header.pop()
    _refuse_repeated_columns(header, filename)
    return Table(header, _xlsx_rows(values, len(header)), "xlsx", None)


def _sheet_values(sheet: Any) -> tuple[list[Any], list[tuple[int, tuple[Any, ...]]]] | None:
    """A sheet's first row and its later rows that hold a value (numbered as Excel numbers
    them), or None for a sheet without any value.

    The sheet's ``<dimension>`` is not trusted: one formatted empty cell at XFD1048576
    makes it claim 16,384 columns by 1,048,576 rows, and openpyxl would build every row
    of that. Rows are read as far as the file has them and no wider than the header; the
    values are taken now (a damaged sheet part fails while inflating, and it must fail
    before the first row is handed to an import).
    """
    sheet.reset_dimensions()
    first = list(next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), ()))
    while first and first[-1] in (None, ""):
        first.pop()  # trailing empty cells (formatted ones too) are no columns
    values: list[tuple[int, tuple[Any, ...]]] = []
    # Without a header the width is unknown: look only for whether any value follows.
    width = len(first) or None
    for row_no, row in enumerate(sheet.iter_rows(min_row=2, max_col=width, values_only=True), start=2):
        # Missing rows come as one shared empty tuple (no cell, nothing to build).
        if row.count(None) == len(row) or not any(v not in (None, "") for v in row):
            continue
        values.append((row_no, row))
        if width is None:
            break
    if not first and not values:
        return None
    return first, values


def _xlsx_rows(values: list[tuple[int, tuple[Any, ...]]], width: int) -> Iterator[tuple[int, list[str]]]:
    for index, (row_no, row) in enumerate(values):
        cells = [render_cell(v) for v in row]
        values[index] = (row_no, ())  # release memory as we go
        if not any(cell.strip() for cell in cells):
            continue  # cells of spaces, or of characters dropped as unshowable
        # Excel omits trailing empty cells; pad so that every row is as wide as the header.
        if len(cells) < width:
            cells.extend([""] * (width - len(cells)))
        yield row_no, cells


def read_jsonl(source: Path | bytes, filename: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line_no, record)`` for each JSON object of a JSON Lines file (gzip allowed).

    The whole file is decompressed and checked before the first record is yielded, so a
    truncated download is refused whole (:class:`~ipcity.errors.InvalidFile`).
    """
    data = _unwrap(source, filename)
    text, _encoding = _decode(data, filename)
    # Raw control characters go as in a CSV (inside a JSON string they would make the line
    # unreadable); escaped ones and lone surrogates are taken out of the decoded strings.
    text = _UNSHOWABLE.sub("", text.lstrip("\ufeff"))
    records: list[tuple[int, dict[str, Any]]] = []
    # split("\n"), not splitlines(): U+2028 and friends may sit unescaped inside JSON strings.
    for line_no, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if _UNSHOWABLE_ESCAPE.search(line):
                record = _shown_strings(record)
        except RecursionError as exc:
            # Nesting deeper than the interpreter's stack: no Lens record is like that.
            raise InvalidFile(MSG_DEEP_JSONL, filename=filename, row=line_no) from exc
        except ValueError as exc:
            raise InvalidFile(MSG_BAD_JSONL, filename=filename, row=line_no) from exc
        if not isinstance(record, dict):
            raise InvalidFile(MSG_BAD_JSONL, filename=filename, row=line_no)
        records.append((line_no, record))
    if not records:
        raise InvalidFile(MSG_EMPTY, filename=filename)
    return iter(records)


def _shown_strings(value: Any) -> Any:
    """``value`` (decoded JSON) with the unshowable characters taken out of every string,
    keys included; other values as they are."""
    if isinstance(value, str):
        return _UNSHOWABLE.sub("", value)
    if isinstance(value, list):
        return [_shown_strings(item) for item in value]
    if isinstance(value, dict):
        return {_UNSHOWABLE.sub("", key): _shown_strings(item) for key, item in value.items()}
    return value
