"""The office file writer: amounts carry a thousands separator, years and ids do not."""

from __future__ import annotations

import csv
import io

from docx import Document
from openpyxl import load_workbook

from ipcity.office import (
    Sheet,
    add_table,
    document_bytes,
    new_document,
    stream_table_bytes,
    table_bytes,
    workbook_bytes,
)


def test_years_and_ids_are_plain_numbers_and_amounts_are_grouped() -> None:
    data = workbook_bytes(
        [
            Sheet("资助奖励公示", ["编号", "年度", "金额（元）"], [[1204, 2025, 200000]]),
            Sheet("Notice", ["ID", "Year", "Amount (yuan)"], [[1204, 2025, 200000]]),
        ]
    )
    book = load_workbook(io.BytesIO(data))
    for ws in book.worksheets:
        case, year, amount = ws[2]
        assert (case.value, year.value, amount.value) == (1204, 2025, 200000)
        assert case.number_format == "0" and year.number_format == "0"
        assert amount.number_format == "#,##0"


# Text as records may hold it: a holder named like a formula, a title with a control
# character left by an older import, a trademark starting with "+" or "-".
HOSTILE = ['=HYPERLINK("http://x.invalid","点击")', "发明\x07名称\x1f", "+86 商标", "-号", "@SUM(A1)"]


def test_formula_like_text_stays_text_and_control_characters_are_dropped_in_xlsx() -> None:
    for data in (
        workbook_bytes([Sheet("名单", ["名称"], [[text] for text in HOSTILE])]),
        stream_table_bytes(["名称"], [[text] for text in HOSTILE], "xlsx", "名单"),
    ):
        sheet = load_workbook(io.BytesIO(data)).worksheets[0]
        cells = [row[0] for row in sheet.iter_rows(min_row=2)]
        assert [c.value for c in cells] == [
            '=HYPERLINK("http://x.invalid","点击")',
            "发明名称",
            "+86 商标",
            "-号",
            "@SUM(A1)",
        ]
        # Typed as text ("s"), not as a formula ("f") that Excel would evaluate.
        assert [c.data_type for c in cells] == ["s"] * len(HOSTILE)


def test_csv_writes_formula_like_text_behind_an_apostrophe() -> None:
    for data in (
        table_bytes(["名称", "件数"], [[text, -3] for text in HOSTILE], "csv", "名单"),
        stream_table_bytes(["名称", "件数"], [[text, -3] for text in HOSTILE], "csv", "名单"),
    ):
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
        assert [row[0] for row in rows[1:]] == [
            '\'=HYPERLINK("http://x.invalid","点击")',
            "发明名称",
            "'+86 商标",
            "'-号",
            "'@SUM(A1)",
        ]
        # Numbers are numbers, not text: a negative count keeps its sign.
        assert {row[1] for row in rows[1:]} == {"-3"}


def test_word_tables_drop_control_characters() -> None:
    doc = new_document()
    add_table(doc, ["名称"], [[text] for text in HOSTILE])
    reread = Document(io.BytesIO(document_bytes(doc)))
    assert [row.cells[0].text for row in reread.tables[0].rows[1:]][:2] == [HOSTILE[0], "发明名称"]
