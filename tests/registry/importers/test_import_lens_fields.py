"""Lens JSON Lines records whose fields have the wrong JSON type (a number for a list, a list
or NaN for a title, an object for a name) are rejected rows naming the line, the field's
path and the value as the file writes it, never imported as Python's text of the value;
strings lose the characters no page or database can hold, and such a record imports."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import pytest
from registry_testkit import OFFICER
from sqlalchemy import select
from sqlalchemy.orm import Session
from test_import_lens_dates import lens_line, parse, write_jsonl

from ipcity.registry.importers.lens import MSG_NOT_CODE_LIST, MSG_NOT_LIST, MSG_NOT_TEXT
from ipcity.registry.importing import render_row_error, run_import
from ipcity.registry.models import Patent


@pytest.mark.parametrize(
    ("fields", "column", "value", "reason"),
    [
        ({"ipcrClassifications": 5}, "ipcrClassifications", "5", MSG_NOT_CODE_LIST),
        ({"ipcrClassifications": {"A61K": 39}}, "ipcrClassifications", '{"A61K": 39}', MSG_NOT_CODE_LIST),
        ({"ipcrClassifications": ["A61K39/215", 7]}, "ipcrClassifications[1]", "7", MSG_NOT_TEXT),
        ({"title": 5}, "title", "5", MSG_NOT_TEXT),
        ({"title": math.nan}, "title", "NaN", MSG_NOT_TEXT),
        ({"title": ["a"]}, "title", '["a"]', MSG_NOT_TEXT),
        ({"title": {"en": "Vaccine"}}, "title", '{"en": "Vaccine"}', MSG_NOT_TEXT),
        ({"title": True}, "title", "true", MSG_NOT_TEXT),
        ({"applicants": 3}, "applicants", "3", MSG_NOT_LIST),
        ({"inventors": ["DOE JANE", {"name": "ROE"}]}, "inventors[1]", '{"name": "ROE"}', MSG_NOT_TEXT),
        ({"filingDate": 20181001}, "filingDate", "20181001", MSG_NOT_TEXT),
        ({"jurisdiction": 1}, "jurisdiction", "1", MSG_NOT_TEXT),
        ({"filingNumber": ["US 201816123456 A"]}, "filingNumber", '["US 201816123456 A"]', MSG_NOT_TEXT),
        ({"publicationKey": 20190123456}, "publicationKey", "20190123456", MSG_NOT_TEXT),
    ],
)
def test_a_field_of_the_wrong_type_rejects_its_line(
    tmp_path: Path, fields: dict[str, Any], column: str, value: str, reason: str
) -> None:
    other = lens_line(publicationKey="US_2019_0123457_A1", filingNumber="US 201816123457 A")
    records, errors = parse(write_jsonl(tmp_path / "lens.jsonl", [lens_line(**fields), other]))
    assert [(e.row, e.column, e.value, e.reason) for e in errors] == [(1, column, value, reason)]
    assert [r.source_row for r in records] == [2]  # the other line imports
    chinese = render_row_error(errors[0], "zh_CN")
    assert f"「{column}」应为" in chinese and f"「{value}」" in chinese
    assert f"“{column}” should be" in render_row_error(errors[0], "en")


def test_a_lone_text_is_a_list_of_one_and_nulls_are_nothing(tmp_path: Path) -> None:
    line = lens_line(ipcrClassifications="A61K39/215", applicants="EXAMPLE UNIV", inventors=None, title=None)
    _records, errors = parse(write_jsonl(tmp_path / "lens.jsonl", [line]))
    # A missing title is the required field left empty, not a wrong type.
    assert [(e.column, e.value) for e in errors] == [("title", "")]
    [record], no_errors = parse(write_jsonl(tmp_path / "lens2.jsonl", [{**line, "title": "Vaccine"}]))
    assert no_errors == []
    assert (record.ipc_all, record.applicants, record.inventors) == (["A61K39/215"], ["EXAMPLE UNIV"], [])


def test_unshowable_characters_are_dropped_and_the_record_is_stored(session: Session, tmp_path: Path) -> None:
    # Escaped in the file: a lone surrogate (which no encoder, PostgreSQL included, accepts),
    # a NUL (which PostgreSQL refuses in text) and other controls.
    line = lens_line(
        title="Coronavirus\u0000 \ud800Vaccine\u001f Composition\u007f",
        applicants=["EXAMPLE\u0007 UNIV\udfff"],
        inventors=["DOE\u000b JANE"],
    )
    path = tmp_path / "lens-controls.jsonl"
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")  # ensure_ascii: all escaped
    result = run_import(session, OFFICER, path, observed_on=dt.date(2024, 6, 30))
    assert (result.inserted, result.rejected) == (1, 0)
    patent = session.scalars(select(Patent).where(Patent.application_number == "US201816123456")).one()
    assert patent.title == "Coronavirus Vaccine Composition"
    assert patent.title_en == "Coronavirus Vaccine Composition"


def test_an_applicant_longer_than_a_holders_name_rejects_its_line(tmp_path: Path) -> None:
    from ipcity.registry.importers.patents import MAX_NAME, MSG_CELL_TOO_LONG

    long_name = "EXAMPLE " * (MAX_NAME // 8 + 1)
    other = lens_line(publicationKey="US_2019_0123457_A1", filingNumber="US 201816123457 A")
    line = lens_line(applicants=["EXAMPLE UNIV", long_name])
    records, errors = parse(write_jsonl(tmp_path / "lens.jsonl", [line, other]))
    assert [(e.row, e.column, e.reason) for e in errors] == [(1, "applicants[1]", MSG_CELL_TOO_LONG)]
    assert f"不超过 {MAX_NAME} 个字符" in render_row_error(errors[0], "zh_CN")
    assert [r.source_row for r in records] == [2]
