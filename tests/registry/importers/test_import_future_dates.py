"""A filing, publication or grant date after today rejects the row of a patent export, in
the tabular layouts (real Patentics rows, one date moved past today) and in Lens JSON Lines:
the row, the column as the file names it, the value and the reason naming today; an
expiry-like status date is not such a date, and the other rows import."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
from pathlib import Path

from importer_data import real_file
from test_import_lens_dates import lens_line, parse, write_jsonl

from ipcity import clock
from ipcity.registry.importers import parse_file
from ipcity.registry.importers.patents import MSG_AFTER_TODAY
from ipcity.registry.importing import render_row_error
from ipcity.registry.records import PatentRecord, RowError

PATENTICS = "patentics_cn_virtual_reality_7805.csv.gz"


def _later(days: int) -> str:
    return (clock.today() + dt.timedelta(days=days)).strftime("%Y%m%d")


def test_a_patentics_row_dated_after_today_is_rejected_on_its_cell(tmp_path: Path) -> None:
    with gzip.open(real_file(PATENTICS), "rt", encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:6]
    filed, published, granted = header.index("申请日"), header.index("公开日"), header.index("授权公告日")
    # Row 3 (the second data row): filed in the future (its other dates cleared, so that
    # no publication precedes that filing); row 4: granted tomorrow.
    body[1][filed], body[1][published], body[1][granted] = _later(400), "", ""
    body[2][filed] = body[2][filed] or "20180101"
    body[2][granted] = _later(1)
    out = io.StringIO()
    csv.writer(out).writerows([header, *body])
    path = tmp_path / "patentics.csv"
    path.write_text(out.getvalue(), encoding="utf-8")

    parsed = parse_file(path, path.name, observed_on=clock.today())
    assert parsed.layout.id == "patentics-24"
    results = list(parsed.results)
    kept = [row for row, result in results if isinstance(result, PatentRecord)]
    errors = [e for _row, result in results if not isinstance(result, PatentRecord) for e in result]
    assert kept == [2, 5, 6]
    assert [(e.row, e.column, e.value) for e in errors] == [
        (3, "申请日", _later(400)),
        (4, "授权公告日", _later(1)),
    ]
    assert {e.reason for e in errors} == {MSG_AFTER_TODAY}
    today = clock.today().isoformat()
    assert render_row_error(errors[1], "zh_CN") == (
        f"日期「{_later(1)}」晚于今天（{today}）：登记、申请和授权日期只能是已经过去的日子。"
    )
    assert render_row_error(errors[1], "en").startswith(f"The date “{_later(1)}” is after today ({today})")


def test_a_lens_line_filed_or_published_after_today_is_rejected(tmp_path: Path) -> None:
    tomorrow = (clock.today() + dt.timedelta(days=1)).isoformat()
    lines = [
        lens_line(),
        lens_line(
            publicationKey="US_2019_0123457_A1", filingNumber="US 201816123457 A", publicationDate=tomorrow
        ),
        lens_line(
            publicationKey="US_2019_0123458_A1",
            filingNumber="US 201816123458 A",
            filingDate=tomorrow,
            publicationDate=tomorrow,
        ),
    ]
    records, errors = parse(write_jsonl(tmp_path / "lens.jsonl", lines))
    assert [r.source_row for r in records] == [1]
    assert [(e.row, e.column, e.value, e.reason) for e in errors] == [
        (2, "publicationDate", tomorrow, MSG_AFTER_TODAY),
        (3, "filingDate", tomorrow, MSG_AFTER_TODAY),
        (3, "publicationDate", tomorrow, MSG_AFTER_TODAY),
    ]
    assert all(isinstance(e, RowError) for e in errors)
