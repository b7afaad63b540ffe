"""reader: CSV in three encodings, gzip, Excel, JSON Lines; damaged files refused whole."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
from pathlib import Path

import pytest
from importer_data import real_file
from openpyxl import Workbook

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
