"""Lens JSON Lines records whose publication (or grant) precedes the filing are rejected, as
rows of the tabular layouts are: the line, the field (``publicationDate``) and a reason in
Chinese and English; the other lines import."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path
from typing import Any

from importer_data import LENS_FILE, real_file
from registry_testkit import OFFICER
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipcity.registry.importers import parse_file
from ipcity.registry.importers.patents import MSG_DATE_ORDER
from ipcity.registry.importing import render_row_error, run_import
from ipcity.registry.models import Patent
from ipcity.registry.records import PatentRecord, RowError


def lens_line(**fields: Any) -> dict[str, Any]:
    """A Lens record with the keys of a real export; ``fields`` replace the defaults."""
    record: dict[str, Any] = {
        "index": "1",
        "publicationKey": "US_2019_0123456_A1",
        "lensId": "000-000-000-000-001",
        "jurisdiction": "US",
        "kindCode": "A1",
        "displayKey": "US 2019/0123456 A1",
        "publicationDate": "2019-04-25",
        "filingNumber": "US 201816123456 A",
        "filingDate": "2018-10-01",
        "priorityFilingKeysActive": [],
        "earliestPriorityDate": "2018-10-01",
        "title": "Coronavirus Vaccine Composition",
        "applicants": ["EXAMPLE UNIV"],
        "inventors": ["DOE JANE"],
        "owners": [],
        "url": "https://lens.org/000-000-000-000-001",
        "docType": "Patent Application",
        "hasFullText": False,
        "citedByPatentCount": 0,
        "simpleFamilySize": 1,
        "familySize": 1,
        "seqCount": 0,
        "cpcClassifications": [],
        "ipcrClassifications": ["A61K39/215"],
        "usClassifications": [],
        "nplCitationCount": 0,
        "nplCitations": [],
        "nplResolvedCount": 0,
        "nplResolvedLensIDs": [],
        "nplResolvedExternalIDs": [],
    }
    record.update(fields)
    return record


# Line 1 in order; line 2 published before its filing; line 3 a grant (B1) before its filing;
# line 4 published on the filing day; line 5 without a filing date (nothing to compare).
LINES = [
    lens_line(),
    lens_line(
        publicationKey="US_2019_0123457_A1",
        filingNumber="US 201816123457 A",
        publicationDate="2019-04-25",
        filingDate="2019-12-31",
    ),
    lens_line(
        publicationKey="US_10123458_B1",
        kindCode="B1",
        docType="Granted Patent",
        filingNumber="US 201816123458 A",
        publicationDate="2018-11-13",
        filingDate="2018-12-01",
    ),
    lens_line(
        publicationKey="US_2019_0123459_A1",
        filingNumber="US 201816123459 A",
        publicationDate="2019-01-07",
        filingDate="2019-01-07",
    ),
    lens_line(publicationKey="US_2019_0123460_A1", filingNumber="US 201816123460 A", filingDate=""),
]


def write_jsonl(path: Path, lines: list[dict[str, Any]]) -> Path:
    """The records as a JSON Lines file, one object a line."""
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


def parse(path: Path) -> tuple[list[PatentRecord], list[RowError]]:
    parsed = parse_file(path, path.name, observed_on=dt.date(2024, 6, 30))
    assert parsed.layout.id == "lens-jsonl"
    records: list[PatentRecord] = []
    errors: list[RowError] = []
    for _row, result in parsed.results:
        if isinstance(result, PatentRecord):
            records.append(result)
        else:
            errors.extend(result)
    return records, errors


def test_publication_or_grant_before_filing_rejects_the_line(tmp_path: Path) -> None:
    records, errors = parse(write_jsonl(tmp_path / "lens.jsonl", LINES))
    assert [(e.row, e.column, e.value) for e in errors] == [
        (2, "publicationDate", "2019-04-25"),
        (3, "publicationDate", "2018-11-13"),
    ]
    assert {e.reason for e in errors} == {MSG_DATE_ORDER}
    assert dict(errors[0].params) == {
        "column": "publicationDate",
        "value": "2019-04-25",
        "earlier": "filingDate",
        "earlier_value": "2019-12-31",
    }
    assert [r.source_row for r in records] == [1, 4, 5]
    assert records[1].publication_date == records[1].filing_date == dt.date(2019, 1, 7)


def test_reason_names_both_fields_in_chinese_and_english(tmp_path: Path) -> None:
    _records, errors = parse(write_jsonl(tmp_path / "lens-grant.jsonl", [LINES[2]]))
    [error] = errors
    chinese = render_row_error(error, "zh_CN")
    assert "publicationDate" in chinese and "filingDate" in chinese and "2018-12-01" in chinese
    assert "早于" in chinese
    english = render_row_error(error, "en")
    assert "cannot be earlier" in english and "2018-11-13" in english and "filingDate" in english


def test_dates_and_other_errors_are_reported_together(tmp_path: Path) -> None:
    line = lens_line(publicationDate="2018-01-02", filingDate="2018-10-01", title="")
    _records, errors = parse(write_jsonl(tmp_path / "lens-two.jsonl", [line]))
    assert [(e.row, e.column) for e in errors] == [(1, "publicationDate"), (1, "title")]


def test_import_rejects_the_line_and_keeps_the_others(session: Session, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "lens-import.jsonl", LINES)
    result = run_import(session, OFFICER, path, observed_on=dt.date(2024, 6, 30))
    assert (result.inserted, result.rejected) == (3, 2)
    assert [(e.row, e.column, e.value) for e in result.errors] == [
        (2, "publicationDate", "2019-04-25"),
        (3, "publicationDate", "2018-11-13"),
    ]
    stored = set(session.scalars(select(Patent.application_number)))
    assert stored == {"US201816123456", "US201816123459", "US201816123460"}


def test_real_lens_export_has_two_lines_published_before_filing() -> None:
    path = real_file(LENS_FILE.name)
    lines = [json.loads(line) for line in gzip.decompress(path.read_bytes()).decode().splitlines()]
    late = [n for n, r in enumerate(lines, start=1) if r["publicationDate"] < r["filingDate"]]
    # US 13/732,256 (filed 2012-12-31, given as 2013-12-31) and PCT/NL2004/000924 (filed
    # 2004-12-30, given as 2005-12-30): the source's filing dates are a year late.
    assert late == [604, 767]
    _records, errors = parse(path)
    assert [(e.row, e.column) for e in errors] == [(604, "publicationDate"), (767, "publicationDate")]
