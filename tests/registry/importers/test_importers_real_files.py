"""Every real export of ``shared/data``: recognised, parsed, merged to one record per
application; counts checked against an independent reading of the raw column."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
from collections import Counter
from pathlib import Path

import pytest
from importer_data import LENS_FILE, REAL_FILES, raw_text, real_file
from openpyxl import Workbook

from ipcity.registry.importers import (
    detect_layout,
    layout_from_mapping,
    merge_patent_records,
    parse_file,
    read_table,
)
from ipcity.registry.records import LegalStatus, PatentRecord, RowError

VOCABULARY = set(LegalStatus.__args__)  # type: ignore[attr-defined]

# Rows the import must reject, by file: none. incoPat's Toyota export has one IPC list with
# a truncated symbol ("B60R/", row 4788): the symbol is dropped with a warning and the row
# kept, since its main classification (IPC主分类) is sound.
EXPECTED_REJECTED_ROWS: dict[str, int] = {}
EXPECTED_WARNINGS = {"incopat_toyota_cn_5048.csv.gz": {(4788, "IPC", "B60R/")}}


def parse_all(
    path: Path, observed_on: dt.date, warnings: list[RowError] | None = None
) -> tuple[str, list[PatentRecord], list[RowError]]:
    parsed = parse_file(path, path.name, observed_on=observed_on)
    records: list[PatentRecord] = []
    errors: list[RowError] = []
    for _row, result in parsed.results:
        if isinstance(result, PatentRecord):
            records.append(result)
        else:
            errors.extend(result)
    if warnings is not None:
        warnings.extend(parsed.warnings)
    return parsed.layout.id, records, errors


def distinct_raw(path: Path, column: str) -> set[str]:
    """Distinct values of a column, read with the csv module alone."""
    reader = csv.DictReader(io.StringIO(raw_text(path), newline=""))
    return {row[column].strip() for row in reader}


@pytest.mark.slow
@pytest.mark.parametrize(("name", "layout_id"), REAL_FILES.items())
def test_real_file(name: str, layout_id: str, observed_on: dt.date) -> None:
    path = real_file(name)
    warnings: list[RowError] = []
    found, records, errors = parse_all(path, observed_on, warnings)
    assert found == layout_id
    assert {(w.row, w.column, w.value) for w in warnings} == EXPECTED_WARNINGS.get(name, set())

    merged = merge_patent_records(records)
    expected = distinct_raw(path, "申请号")
    assert len(merged) == len(expected)
    assert len({r.application_number for r in merged}) == len(merged)

    rejected_rows = {e.row for e in errors}
    assert len(rejected_rows) == EXPECTED_REJECTED_ROWS.get(name, 0)
    for error in errors:
        assert error.row >= 2 and error.column and error.value and error.reason

    for record in merged:
        assert record.title
        assert {event.status for event in record.statuses} <= VOCABULARY
        if record.jurisdiction == "CN":
            assert record.application_number.startswith("CN")
            assert record.application_number[-2] == "."
            assert record.patent_type in ("invention", "utility_model", "design")
        if record.grant_date is not None:
            assert any(e.status == "granted" and e.date == record.grant_date for e in record.statuses)


@pytest.mark.slow
def test_patentics_grants_match_the_raw_grant_dates(observed_on: dt.date) -> None:
    path = real_file("patentics_cn_virtual_reality_7805.csv.gz")
    _layout, records, _errors = parse_all(path, observed_on)
    rows = list(csv.DictReader(io.StringIO(raw_text(path), newline="")))
    assert sum(1 for r in records if r.grant_date) == sum(1 for row in rows if row["授权公告日"])
    statuses = Counter(row["法律状态"] for row in rows)
    events = Counter(e.status for r in records for e in r.statuses if e.status != "granted")
    assert events["rejected"] == statuses["驳回"]
    assert events["withdrawn"] == statuses["撤回"]
    assert events["ceased"] == statuses["无效"]
    # 公开 is pending since the filing; 其他 (none in this file) would record the filing too.
    assert events["filed"] == statuses["公开"] + statuses["其他"]
    ceased = [e for r in records for e in r.statuses if e.status == "ceased"]
    assert all(e.date == observed_on and e.date_observed for e in ceased)


@pytest.mark.slow
def test_incopat_publications_fold_into_applications(observed_on: dt.date) -> None:
    path = real_file("incopat_toyota_cn_5048.csv.gz")
    _layout, records, errors = parse_all(path, observed_on)
    assert errors == []
    merged = merge_patent_records(records)
    by_number = {r.application_number: r for r in merged}
    assert sum(len(r.publications) for r in merged) == len(records)
    # An application with both its A publication and its B grant: one record, two publications,
    # and the grant is dated by the B publication (not "observed").
    both = [r for r in merged if {p.kind[0] for p in r.publications} >= {"A", "B"}]
    assert both
    for record in both:
        grants = [e for e in record.statuses if e.status == "granted"]
        assert len(grants) == 1 and not grants[0].date_observed
    assert by_number["CN202010302257.8"].grant_date == dt.date(2023, 3, 17)
    # Row 4788's IPC list "B60R/; B60R21/00; …": kept without the truncated symbol, its
    # main classification taken from IPC主分类 "B60R" (the list's first B60R symbol).
    taiwan = by_number["TW094111778"]
    assert taiwan.ipc_main == "B60R21/00" and "B60R1/00" in taiwan.ipc_all


@pytest.mark.slow
def test_lens_jsonl(observed_on: dt.date) -> None:
    path = real_file(LENS_FILE.name)
    layout_id, records, errors = parse_all(path, observed_on)
    assert layout_id == "lens-jsonl"
    lines = [json.loads(line) for line in gzip.decompress(path.read_bytes()).decode().splitlines()]
    # Published before the filing: two lines whose filingDate is a year late in the source.
    late = {n for n, line in enumerate(lines, start=1) if line["publicationDate"] < line["filingDate"]}
    assert late == {604, 767}
    assert [(e.row, e.column, e.value) for e in errors] == [
        (n, "publicationDate", lines[n - 1]["publicationDate"]) for n in sorted(late)
    ]
    assert len(records) == len(lines) - len(late)
    merged = merge_patent_records(records)
    kept = [line for n, line in enumerate(lines, start=1) if n not in late]
    assert len(merged) == len({line["filingNumber"] for line in kept})
    by_number = {r.application_number: r for r in merged}
    # DOCDB drops the CNIPA check digit; it is computed, and the number passes every check.
    cn = [r for r in merged if r.jurisdiction == "CN"]
    assert cn and all(r.application_number[-2] == "." for r in cn)
    assert "CN200910047892.X" in by_number
    # A PCT application received in the US, DOCDB-padded serial: PCT/US2007/088754.
    assert "WOUS2007088754" in by_number
    first = records[0]
    assert first.applicants[0] == "PHILADELPHIA CHILDREN HOSPITAL"
    assert first.ipc_all == ["A61K38/17"]
    assert first.publications[0].number == "WO2008080153A2"
    # A granted EP patent with a B9 correction: granted once, on the B1 date.
    ep = by_number["EP13001724"]
    assert [e.date for e in ep.statuses if e.status == "granted"] == [dt.date(2018, 11, 14)]


def _write_xlsx(path: Path, header: list[str], rows: list[list[str]]) -> None:
    """Write rows as an officer's Excel would hold them: dates as dates, counts as numbers."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(header)
    date_columns = {i for i, h in enumerate(header) if h.endswith("日")}
    for row in rows:
        cells: list[object] = []
        for i, value in enumerate(row[: len(header)]):
            if i in date_columns and len(value) == 8 and value.isdigit():
                cells.append(dt.datetime(int(value[:4]), int(value[4:6]), int(value[6:])))
            elif value.isdigit() and len(value) < 6:
                cells.append(int(value))
            else:
                cells.append(value)
        sheet.append(cells)
    workbook.save(path)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "limit"),
    [("henan_sample_10_62cols.csv", None), ("patentics_cn_virtual_reality_7805.csv.gz", 600)],
)
def test_xlsx_copy_parses_like_the_csv(
    name: str, limit: int | None, tmp_path: Path, observed_on: dt.date
) -> None:
    path = real_file(name)
    reader = csv.reader(io.StringIO(raw_text(path), newline=""))
    header = next(reader)
    rows = [row for _, row in zip(range(limit or 10**9), reader, strict=False)]
    small_csv = tmp_path / "copy.csv"
    with small_csv.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([header, *rows])
    xlsx = tmp_path / "copy.xlsx"
    _write_xlsx(xlsx, header, rows)

    from_csv = [r for _, r in parse_file(small_csv, small_csv.name, observed_on=observed_on).results]
    parsed = parse_file(xlsx, xlsx.name, observed_on=observed_on)
    from_xlsx = [r for _, r in parsed.results]
    assert parsed.layout.id == detect_layout(header).id  # type: ignore[union-attr]
    assert len(from_csv) == len(rows)
    assert from_xlsx == from_csv


@pytest.mark.slow
def test_mapping_on_renamed_headers(tmp_path: Path, observed_on: dt.date) -> None:
    path = real_file("patentics_cn_augmented_reality_4483.csv.gz")
    text = raw_text(path)
    head, _, body = text.partition("\n")
    renamed = {
        "申请号": "专利申请号",
        "标题": "发明名称",
        "申请日": "申请日期",
        "国际分类": "分类号（全部）",
        "国际主分类": "主分类",
        "申请人": "权利人名单",
        "法律状态": "状态",
        "公开号": "公开号码",
    }
    header = [renamed.get(h, h) for h in head.split(",")]
    file = tmp_path / "office_export.csv"
    file.write_text(",".join(header) + "\n" + body, encoding="gb18030")  # an officer's Excel saves GB18030
    table = read_table(file, file.name)
    assert detect_layout(table.header) is None  # nothing known fits: the officer maps it

    mapping = {
        "application_number": "专利申请号",
        "title": "发明名称",
        "filing_date": "申请日期",
        "ipc_all": "分类号（全部）",
        "ipc_main": "主分类",
        "applicants": "权利人名单",
        "legal_status": "状态",
        "publication_number": "公开号码",
        "publication_date": "公开日",
        "grant_date": "授权公告日",
        "inventors": "发明人",
        "claims_count": "权利要求数",
        "patent_type": "",  # left unmapped in the form
    }
    layout = layout_from_mapping("patents", mapping, "区局导出", header=table.header)
    mapped = [r for _, r in parse_file(file, file.name, layout=layout, observed_on=observed_on).results]
    original = [r for _, r in parse_file(path, path.name, observed_on=observed_on).results]
    assert mapped == original
