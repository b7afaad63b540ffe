"""Read an uploaded export file into a header and rows of strings.

Officers bring CSV (UTF-8 or GB18030, often gzip-compressed by the download tool) and Excel
workbooks; Lens exports are JSON Lines. Whatever the container, the row parsers see the same
thing: a header of stripped strings and rows of strings numbered as the officer sees them in
the file (the header is row 1).

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
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ipcity.errors import InvalidFile
from ipcity.i18n import Bilingual

__all__ = ["Table", "is_jsonl", "read_jsonl", "read_table"]

_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_MAGIC = b"PK\x03\x04"
_ENCODINGS = ("utf-8-sig", "utf-8", "gb18030")
# Excel stores bigger cells, but a field this long in a CSV means a quote went astray.
csv.field_size_limit(16 * 1024 * 1024)

MSG_EMPTY = "收到的文件「{filename}」是空的；应为带表头行的 CSV、Excel（.xlsx）或 JSON Lines 文件。"
MSG_TRUNCATED_GZIP = "收到的压缩文件「{filename}」不完整或已损坏（gzip 数据在结尾前中断）；应为完整的 .gz 文件，请重新下载后再导入。"
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
MSG_BAD_JSONL = (
    "收到的文件「{filename}」第 {row} 行不是合法的 JSON 对象；应为每行一个 JSON 对象的 JSON Lines 文件。"
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
    return data


def read_table(source: Path | bytes, filename: str) -> Table:
    """Read a CSV (optionally gzip-compressed) or an Excel workbook (first sheet).

    ``filename`` is the name the file was uploaded under; it picks nothing the content
    contradicts (a gzip or zip signature wins over the extension) and appears in messages.

    >>> t = read_table("申请号,标题\\nCN201910593937.7,示例\\n".encode(), "a.csv")
    >>> t.header, list(t.rows)
    (['申请号', '标题'], [(2, ['CN201910593937.7', '示例'])])

    Raises :class:`~ipcity.errors.InvalidFile` for an empty, truncated, corrupted or binary
    file, before any row is yielded.
    """
    if is_jsonl(filename):
        raise InvalidFile(MSG_FORMAT, filename=filename)
    data = _unwrap(source, filename)
    if data.startswith(_ZIP_MAGIC) or filename.lower().endswith((".xlsx", ".xlsm")):
        return _read_xlsx(data, filename)
    if filename.lower().endswith((".xls",)) and data.startswith(b"\xd0\xcf\x11\xe0"):
        raise InvalidFile(MSG_FORMAT, filename=filename)
    return _read_csv(data, filename)


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
            if len(cells) > 1 or (cells and cells[0].strip()):
                yield row_no, cells
    except csv.Error as exc:
        raise InvalidFile(MSG_BAD_CSV, filename=filename, row=row_no + 1, detail=str(exc)) from exc


def _clean_header(cells: list[str]) -> list[str]:
    return [cell.replace("\ufeff", "").strip() for cell in cells]


def render_cell(value: object) -> str:
    """Excel cell value as the string a CSV export would hold: dates as ISO dates, whole
    numbers without ``.0`` (application numbers and years are typed as numbers in Excel)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
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
        sheet = workbook.worksheets[0]
        # Materialise the values now: a damaged sheet part fails while inflating, and it
        # must fail before the first row is handed to an import.
        values: list[list[Any]] = [list(row) for row in sheet.iter_rows(values_only=True)]
        workbook.close()
    except Exception as exc:  # zipfile, zlib, XML and openpyxl errors all mean "damaged"
        import zipfile

        # Said in the officer's words, not the library's exception name.
        detail = XLSX_NOT_ZIP if isinstance(exc, zipfile.BadZipFile) else XLSX_DAMAGED
        raise InvalidFile(MSG_BAD_XLSX, filename=filename, detail=detail) from exc
    if not values or not any(v not in (None, "") for v in values[0]):
        raise InvalidFile(MSG_NO_HEADER if values else MSG_EMPTY, filename=filename)
    header = _clean_header([render_cell(v) for v in values[0]])
    while header and not header[-1]:
        header.pop()
    width = len(header)
    return Table(header, _xlsx_rows(values, width), "xlsx", None)


def _xlsx_rows(values: list[list[Any]], width: int) -> Iterator[tuple[int, list[str]]]:
    for index in range(1, len(values)):
        cells = [render_cell(v) for v in values[index]]
        if not any(cell.strip() for cell in cells):
            continue
        # Excel omits trailing empty cells; pad so that every row is as wide as the header.
        if len(cells) < width:
            cells.extend([""] * (width - len(cells)))
        values[index] = []  # release memory as we go
        yield index + 1, cells


def read_jsonl(source: Path | bytes, filename: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line_no, record)`` for each JSON object of a JSON Lines file (gzip allowed).

    The whole file is decompressed and checked before the first record is yielded, so a
    truncated download is refused whole (:class:`~ipcity.errors.InvalidFile`).
    """
    data = _unwrap(source, filename)
    text, _encoding = _decode(data, filename)
    records: list[tuple[int, dict[str, Any]]] = []
    # split("\n"), not splitlines(): U+2028 and friends may sit unescaped inside JSON strings.
    for line_no, line in enumerate(text.lstrip("\ufeff").split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as exc:
            raise InvalidFile(MSG_BAD_JSONL, filename=filename, row=line_no) from exc
        if not isinstance(record, dict):
            raise InvalidFile(MSG_BAD_JSONL, filename=filename, row=line_no)
        records.append((line_no, record))
    if not records:
        raise InvalidFile(MSG_EMPTY, filename=filename)
    return iter(records)
