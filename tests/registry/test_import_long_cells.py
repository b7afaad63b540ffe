"""A cell longer than the database column that stores it (an applicant's name, an address)
is refused as that row's error, by row and column, and the rest of the file goes in.

PostgreSQL refuses a value longer than a ``varchar`` column at the write, which used to
fail the whole file with the driver's words and no row named; SQLite stores it silently.
Both now behave the same: the real 62-column export with two of its rows spoilt.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ipcity_testing import shared_file
from registry_testkit import OFFICER, fill_template, raw_text
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipcity.registry.importers.patents import MAX_ADDRESS, MAX_NAME
from ipcity.registry.importing import render_row_error, run_import
from ipcity.registry.models import Holder, Patent, PatentHolder

HENAN = "henan_sample_10_62cols.csv"


def _length(column: object) -> int | None:
    return getattr(getattr(column, "type", None), "length", None)


def test_the_limits_are_the_columns_lengths() -> None:
    assert _length(Holder.__table__.c.name) == MAX_NAME
    assert _length(PatentHolder.__table__.c.name_as_filed) == MAX_NAME
    assert _length(Holder.__table__.c.address) == MAX_ADDRESS


def test_an_overlong_name_or_address_rejects_its_row_only(session: Session, tmp_path: Path) -> None:
    rows = list(csv.reader(io.StringIO(raw_text(shared_file("patents_cn", HENAN)), newline="")))
    header = rows[0]
    applicants, address, number = header.index("申请人"), header.index("申请人地址"), header.index("申请号")
    long_name = "鹤壁" + "甲" * MAX_NAME + "有限公司"
    rows[2][applicants] = f"{rows[2][applicants]};{long_name}"
    rows[3][address] = "河南省鹤壁市淇滨区" + "九州路" * 200
    spoilt = {rows[2][number], rows[3][number]}
    path = tmp_path / "henan_long_cells.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)

    result = run_import(session, OFFICER, path)

    assert [(e.row, e.column) for e in result.errors] == [(3, "申请人"), (4, "申请人地址")]
    name_error, address_error = (render_row_error(e, "zh_CN") for e in result.errors)
    assert f"{len(long_name):,} 个字符" in name_error and f"不超过 {MAX_NAME} 个字符" in name_error
    assert f"不超过 {MAX_ADDRESS} 个字符" in address_error
    assert result.inserted == len({r[number] for r in rows[1:]}) - len(spoilt)
    stored = set(session.scalars(select(Patent.application_number)))
    assert stored and not stored & spoilt
    longest = session.scalar(select(func.max(func.length(Holder.name))))
    assert longest is not None and longest <= MAX_NAME


# Each register's template, the text field made one character too long in the first of two
# copies of the template's own example row (the second copy imports).
TEMPLATE_FIELDS = {
    "trademarks": "mark",
    "copyrights": "title",
    "plant-varieties": "variety",
    "gis": "name",
    "holders": "address",
}


def test_each_template_refuses_a_text_longer_than_its_column_by_row_and_column(
    session: Session, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    from ipcity.registry.importers import write_template_xlsx
    from ipcity.registry.importers.fields import CANONICAL_FIELDS
    from ipcity.registry.importers.templates import column_limits

    for kind, field in TEMPLATE_FIELDS.items():
        label = next(f.label_zh for f in CANONICAL_FIELDS[kind] if f.name == field)
        most = column_limits(kind)[field]
        sheet = load_workbook(io.BytesIO(write_template_xlsx(kind))).worksheets[0]
        header = [c.value for c in sheet[1]]
        example = {h: v for h, v in zip(header, [c.value for c in sheet[2]], strict=True) if h != "序号"}
        spoilt = {**example, label: "鹤" * (most + 1)}
        path = fill_template(kind, [spoilt, example], tmp_path / f"{kind}.xlsx")

        result = run_import(session, OFFICER, path)

        assert [(e.row, e.column) for e in result.errors] == [(3, label)], kind
        reason = render_row_error(result.errors[0], "zh_CN")
        assert f"有 {most + 1:,} 个字符" in reason and f"不超过 {most:,} 个字符" in reason, kind
        assert result.inserted + result.updated + result.unchanged == 1, kind
