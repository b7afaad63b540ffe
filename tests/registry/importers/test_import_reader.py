"""reader: CSV in three encodings, gzip, Excel, JSON Lines; damaged files refused whole."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import os
import zipfile
from pathlib import Path

import pytest
from importer_data import real_file
from openpyxl import Workbook

import ipcity
from ipcity.errors import InvalidFile
from ipcity.registry.importers import read_jsonl, read_table

CSV_TEXT = '申请号,标题,申请日\nCN201910593937.7,计算机进行通用学习的方法,20190703\nCN202210016632.1,"一种,带逗号的""标题""",2022-01-07\n'


def test_utf8_csv_header_and_numbered_rows() -> None:
    table = read_table(CSV_TEXT.encode(), "a.csv")
    assert table.header == ["申请号", "标题", "申请日"]
    rows = list(table.rows)
    assert rows[0] == (2, ["CN201910593937.7", "计算机进行通用学习的方法", "20190703"])
    assert rows[1][1][1] == '一种,带逗号的"标题"'


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_bom_and_gb18030_are_decoded(encoding: str) -> None:
    table = read_table(CSV_TEXT.encode(encoding), "a.csv")
    assert table.header[0] == "申请号"  # no BOM left in the first header
    assert table.encoding == encoding
    assert next(iter(table.rows))[1][1] == "计算机进行通用学习的方法"


def test_excels_unicode_text_utf16_tab_separated_is_read() -> None:
    # Excel's and WPS's "Unicode text": UTF-16 with a byte-order mark, tabs between cells.
    text = CSV_TEXT.replace(",", "\t").replace('"一种\t带逗号的""标题"""', "一种标题")
    table = read_table(text.encode("utf-16"), "a.txt")
    assert table.header == ["申请号", "标题", "申请日"]
    assert [r[1][0] for r in table.rows] == ["CN201910593937.7", "CN202210016632.1"]


def test_a_csv_cut_in_a_row_without_its_line_break_is_refused_before_any_row() -> None:
    whole = CSV_TEXT.splitlines(keepends=True)[:2]  # the header and a row with no quotes
    cut = "".join(whole) + "CN202210016632.1,一种标题"  # the last row lost its filing date
    with pytest.raises(InvalidFile) as caught:
        read_table(cut.encode(), "a.csv")
    assert "最后一行只有 2 列（表头有 3 列）" in caught.value.render("zh_CN")
    # A whole last row without a final line break is no cut.
    assert len(list(read_table(CSV_TEXT.rstrip("\n").encode(), "a.csv").rows)) == 2


def test_a_last_line_csv_cannot_read_alone_is_left_to_the_reader() -> None:
    # Found by the API fuzz run: a bare carriage return in the last line made the check for
    # a cut row raise csv's own error (a 500) instead of reading the file.
    table = read_table("ú\x83\r¸k".encode(), "file")
    assert table.header == ["ú\x83"] and list(table.rows) == [(2, ["¸k"])]


def test_header_cells_are_stripped() -> None:
    table = read_table(" 申请号 ,\ufeff标题\n1,2\n".encode(), "a.csv")
    assert table.header == ["申请号", "标题"]


def test_blank_lines_are_skipped_but_counted() -> None:
    table = read_table(b"a,b\n1,2\n\n3,4\n", "a.csv")
    assert list(table.rows) == [(2, ["1", "2"]), (4, ["3", "4"])]


def test_a_row_of_commas_alone_is_a_blank_row() -> None:
    """ ",,," is what a spreadsheet saves for an empty row it kept a format on: skipped as a
    workbook's empty row is (not a rejected row), the rows after it keep their numbers."""
    table = read_table(b"a,b,c\n1,2,3\n,,\n , ,\t\n4,5,6\n,,7\n", "a.csv")
    assert list(table.rows) == [(2, ["1", "2", "3"]), (5, ["4", "5", "6"]), (6, ["", "", "7"])]


def test_multiline_cell_keeps_record_numbering() -> None:
    table = read_table(b'a,b\n1,"two\nlines"\n3,4\n', "a.csv")
    assert list(table.rows) == [(2, ["1", "two\nlines"]), (3, ["3", "4"])]


def test_gzip_by_content_not_by_name() -> None:
    data = gzip.compress(CSV_TEXT.encode())
    for name in ("a.csv.gz", "a.gz", "a.csv"):
        assert len(list(read_table(data, name).rows)) == 2


def test_path_source(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text(CSV_TEXT, encoding="utf-8")
    assert read_table(path, path.name).header[0] == "申请号"


def test_truncated_gzip_is_refused_before_any_row(tmp_path: Path) -> None:
    original = real_file("incopat_toyota_cn_5048.csv.gz").read_bytes()
    cut = tmp_path / "cut.csv.gz"
    cut.write_bytes(original[: len(original) // 2])
    with pytest.raises(InvalidFile) as caught:
        read_table(cut, cut.name)
    assert "cut.csv.gz" in caught.value.render()
    assert "gzip" in caught.value.render()


def test_csv_cut_off_mid_quote_is_refused(tmp_path: Path) -> None:
    text = gzip.decompress(real_file("incopat_toyota_cn_5048.csv.gz").read_bytes()).decode("utf-8")
    # Cut right after an opening quote somewhere in the middle (a quoted English title).
    middle = text.index(',"', len(text) // 2) + 2
    cut = tmp_path / "cut.csv"
    cut.write_text(text[:middle], encoding="utf-8")
    with pytest.raises(InvalidFile) as caught:
        read_table(cut, cut.name)
    assert caught.value.code == "invalid_file"


@pytest.mark.parametrize(
    "data", [b"", b"   \n", gzip.compress(b"", mtime=0)], ids=["empty", "blank", "empty-gzip"]
)
def test_empty_file(data: bytes) -> None:
    with pytest.raises(InvalidFile, match="空"):
        read_table(data, "empty.csv")


def test_binary_junk() -> None:
    with pytest.raises(InvalidFile):
        read_table(bytes(range(256)) * 40, "junk.csv")
    # Without NUL bytes: neither UTF-8 nor GB18030 decodes it, or control characters abound.
    junk = bytes((i * 7919 + 13) % 255 + 1 for i in range(5000))
    with pytest.raises(InvalidFile):
        read_table(junk, "junk.csv")


def test_header_row_without_names() -> None:
    with pytest.raises(InvalidFile, match="表头"):
        read_table(b",,\n1,2,3\n", "a.csv")


def _workbook_bytes(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_xlsx_cells_rendered_as_strings() -> None:
    data = _workbook_bytes(
        [
            ["申请号", "申请日", "权利要求数", "空", "比例"],
            ["CN201910593937.7", dt.datetime(2019, 7, 3), 8, None, 0.5],
            ["CN202210016632.1", dt.date(2022, 1, 7), 10.0],
        ]
    )
    table = read_table(data, "a.xlsx")
    assert table.format == "xlsx"
    assert list(table.rows) == [
        (2, ["CN201910593937.7", "2019-07-03", "8", "", "0.5"]),
        (3, ["CN202210016632.1", "2022-01-07", "10", "", ""]),  # padded to the header width
    ]


def test_corrupted_xlsx(tmp_path: Path) -> None:
    data = _workbook_bytes([["申请号"], ["CN201910593937.7"]])
    # Said in the officer's words, in the reader's language, never the library's exception name.
    with pytest.raises(InvalidFile, match="Excel") as cut:
        read_table(data[: len(data) - 200], "cut.xlsx")
    assert "不是 .xlsx 格式" in cut.value.render("zh_CN") and "BadZipFile" not in cut.value.render("zh_CN")
    assert "not in the .xlsx format" in cut.value.render("en")
    damaged = bytearray(data)
    for index in range(200, len(damaged) - 400, 7):
        damaged[index] ^= 0x5A
    with pytest.raises(InvalidFile) as broken:
        list(read_table(bytes(damaged), "damaged.xlsx").rows)
    assert "Error" not in broken.value.render("en")


def test_jsonl_records_and_line_numbers() -> None:
    lines = [json.dumps({"a": 1}), "", json.dumps({"a": 2, "t": "x\u2028y"}, ensure_ascii=False)]
    records = list(read_jsonl("\n".join(lines).encode(), "x.jsonl"))
    assert records == [(1, {"a": 1}), (3, {"a": 2, "t": "x\u2028y"})]


def test_jsonl_gzip_truncated_and_bad_line(tmp_path: Path) -> None:
    original = real_file("lens_coronavirus_patents_sars_mers_1588.jsonl.gz").read_bytes()
    with pytest.raises(InvalidFile):
        read_jsonl(original[:5000], "lens.jsonl.gz")
    with pytest.raises(InvalidFile, match="第 2 行"):
        read_jsonl(b'{"a": 1}\n{"a": \n', "x.jsonl")


def test_read_table_refuses_jsonl_name() -> None:
    with pytest.raises(InvalidFile):
        read_table(b'{"a": 1}\n', "x.jsonl")


# --- characters a page cannot show -------------------------------------------------------------


def test_control_characters_are_dropped_from_csv_cells_tab_and_line_breaks_kept() -> None:
    # Copied out of a PDF or an old database: a vertical tab, a form feed, an escape, a
    # unit separator and DEL inside a title; the quoted cell keeps its tab and line break.
    text = '申请号,标题\x7f\nCN201910593937.7,"一种\x0b虚拟\x0c现实\x1b装置\x1f\x7f"\nCN202210016632.1,"甲\t乙\r\n丙\x01"\n'
    for encoding in ("utf-8", "gb18030", "utf-16"):
        table = read_table(text.encode(encoding), "a.csv")
        assert table.header == ["申请号", "标题"]
        assert [cells for _, cells in table.rows] == [
            ["CN201910593937.7", "一种虚拟现实装置"],
            ["CN202210016632.1", "甲\t乙\r\n丙"],
        ]


def test_control_characters_are_dropped_from_xlsx_strings() -> None:
    # DEL is legal in the workbook's XML, so a workbook carries it as it is.
    data = _workbook_bytes([["申请号", "标题\x7f"], ["CN201910593937.7", "一种\x7f装置"]])
    table = read_table(data, "a.xlsx")
    assert table.header == ["申请号", "标题"]
    assert list(table.rows) == [(2, ["CN201910593937.7", "一种装置"])]


def test_a_row_of_dropped_characters_alone_is_a_blank_row() -> None:
    table = read_table(_workbook_bytes([["申请号"], ["\x7f"], ["CN201910593937.7"]]), "a.xlsx")
    assert list(table.rows) == [(3, ["CN201910593937.7"])]


def test_control_characters_and_lone_surrogates_are_dropped_from_jsonl_strings() -> None:
    lines = [
        # Escaped: a NUL, a unit separator, DEL and a surrogate without its pair, in a value
        # and inside a list; a real pair (an emoji) stays.
        '{"title": "Vaccine\\u0000 \\ud800Composition\\u001f\\u007f \\ud83d\\ude00", "applicants": ["A\\udc00 B"]}',
        # Raw: a vertical tab inside a string (not even valid JSON before) and a DEL.
        '{"title": "Raw\x0b title\x7f", "tab": "a\\tb"}',
    ]
    records = list(read_jsonl("\n".join(lines).encode(), "x.jsonl"))
    assert records == [
        (1, {"title": "Vaccine Composition \U0001f600", "applicants": ["A B"]}),
        (2, {"title": "Raw title", "tab": "a\tb"}),
    ]
    # Every string can be encoded, as the database and the exports will.
    json.dumps(records, ensure_ascii=False).encode("utf-8")


def test_jsonl_nested_deeper_than_the_stack_is_refused_naming_the_line() -> None:
    deep = '{"a": ' + "[" * 100_000 + "]" * 100_000 + "}"
    with pytest.raises(InvalidFile) as caught:
        read_jsonl(f'{{"a": 1}}\n{deep}\n'.encode(), "deep.jsonl")
    assert "第 2 行" in caught.value.render("zh_CN") and "嵌套" in caught.value.render("zh_CN")
    assert "Line 2" in caught.value.render("en")


# --- headers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "column", "positions"),
    [
        ("申请号,标题,申请日,申请号", "申请号", "1、4"),
        # Spelled apart by a space and a bracket's width, the same column to every layout.
        ("序号,标题 (中文),申请号,标题（中文）,标题(中文)", "标题 (中文)", "2、4、5"),
    ],
)
def test_a_column_named_twice_is_refused_naming_it_and_its_positions(
    header: str, column: str, positions: str
) -> None:
    width = header.count(",") + 1
    row = ",".join(["x"] * width)
    data_csv = f"{header}\n{row}\n".encode()
    data_xlsx = _workbook_bytes([header.split(","), row.split(",")])
    for data, name in ((data_csv, "twice.csv"), (data_xlsx, "twice.xlsx")):
        with pytest.raises(InvalidFile) as caught:
            read_table(data, name)
        chinese = caught.value.render("zh_CN")
        assert f"「{column}」" in chinese and f"第 {positions} 列" in chinese and name in chinese
        assert f"columns {positions.replace('、', ', ')}" in caught.value.render("en")


def test_blank_column_names_are_not_repeated_names() -> None:
    # Patentics ends each line with a comma; a blank header cell is no name.
    table = read_table(b"a,,b,,\n1,2,3,4,5\n", "a.csv")
    assert table.header == ["a", "", "b", "", ""]


def test_a_header_without_rows_is_refused() -> None:
    for data, name in (
        ("申请号,标题\n".encode(), "header.csv"),
        ("申请号,标题\n\n\n".encode(), "blank-lines.csv"),
        (_workbook_bytes([["申请号", "标题"]]), "header.xlsx"),
        (_workbook_bytes([["申请号", "标题"], [None, " "]]), "blank-rows.xlsx"),
    ):
        with pytest.raises(InvalidFile) as caught:
            read_table(data, name)
        assert (
            caught.value.render("zh_CN")
            == f"收到的文件「{name}」在表头之下没有数据行；应在表头下填写要导入的数据后再导入。"
        )


# --- workbooks -------------------------------------------------------------------------------

_READ_UNDER_A_MEMORY_LIMIT = """
import resource, sys
limit = 1536 * 1024 * 1024  # far below what building the claimed 16,384 x 1,048,576 cells takes
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from ipcity.registry.importers import read_table
table = read_table(open(sys.argv[1], "rb").read(), "styled.xlsx")
print(table.header, list(table.rows))
"""


def test_a_formatted_cell_at_the_sheets_far_corner_reads_only_the_data(tmp_path: Path) -> None:
    import subprocess
    import sys

    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["申请号", "标题"])
    sheet.append(["CN201910593937.7", "一种装置"])
    sheet["XFD1048576"].font = Font(bold=True)  # formatted, empty
    path = tmp_path / "styled.xlsx"
    workbook.save(path)
    with zipfile.ZipFile(path) as archive:  # what the workbook claims
        assert '<dimension ref="A1:XFD1048576"/>' in archive.read("xl/worksheets/sheet1.xml").decode()
    # In a process of its own under an address-space limit: reading the claimed size would
    # exhaust it (and this machine's memory with it) instead of failing the test.
    here = str(Path(ipcity.__file__).resolve().parents[1])  # the code under test, whatever the cwd
    done = subprocess.run(
        [sys.executable, "-c", _READ_UNDER_A_MEMORY_LIMIT, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": here},
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-800:]
    assert done.stdout.strip() == "['申请号', '标题'] [(2, ['CN201910593937.7', '一种装置'])]"


def test_rows_are_never_wider_than_the_header() -> None:
    data = _workbook_bytes([["申请号", "标题"], ["CN201910593937.7", "一种装置", "多出的值", None, "x"]])
    assert list(read_table(data, "a.xlsx").rows) == [(2, ["CN201910593937.7", "一种装置"])]


def test_the_first_sheet_that_holds_anything_is_read() -> None:
    workbook = Workbook()
    workbook.active.title = "Sheet1"  # type: ignore[union-attr]  # left blank
    data_sheet = workbook.create_sheet("专利")
    data_sheet.append(["申请号", "标题"])
    data_sheet.append(["CN201910593937.7", "一种装置"])
    workbook.create_sheet("说明").append(["说明文字"])
    out = io.BytesIO()
    workbook.save(out)
    table = read_table(out.getvalue(), "later-sheet.xlsx")
    assert table.header == ["申请号", "标题"]
    assert list(table.rows) == [(2, ["CN201910593937.7", "一种装置"])]


def test_a_first_sheet_with_values_but_no_header_is_not_skipped() -> None:
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    first["B3"] = "CN201910593937.7"  # data, without a header row above it
    workbook.create_sheet("其他").append(["申请号"])
    out = io.BytesIO()
    workbook.save(out)
    with pytest.raises(InvalidFile, match="第一行没有列名"):
        read_table(out.getvalue(), "no-header.xlsx")


def test_a_workbook_of_blank_sheets_is_empty() -> None:
    workbook = Workbook()
    workbook.create_sheet("第二页")
    out = io.BytesIO()
    workbook.save(out)
    with pytest.raises(InvalidFile, match="是空的"):
        read_table(out.getvalue(), "blank.xlsx")


def test_a_gz_name_over_plain_bytes_is_refused_as_not_gzip() -> None:
    """A ".gz" file whose bytes are not gzip (damaged in transfer, renamed by hand) is said
    to be so, not read as a CSV whose first line happens to be a header."""
    for name in ("x.csv.gz", "lens.jsonl.gz"):
        with pytest.raises(InvalidFile) as caught:
            (read_jsonl if name.endswith(".jsonl.gz") else read_table)(b"garbage\n", name)
        assert caught.value.render() == (
            f"收到的文件「{name}」以 .gz 结尾，但内容不是 gzip 压缩数据；应为完整的 .gz 文件，或去掉 .gz 后缀后再导入。"
        )
