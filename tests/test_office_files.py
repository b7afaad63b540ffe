"""The office file writer: amounts carry a thousands separator, years and ids do not."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from ipcity.office import Sheet, workbook_bytes


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
