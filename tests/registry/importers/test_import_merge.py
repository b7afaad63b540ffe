"""merge_patent_records: one application, one record, whatever the publication rows."""

from __future__ import annotations

import datetime as dt

from ipcity.registry.importers import merge_patent_records
from ipcity.registry.records import PatentRecord, PublicationRecord, StatusEvent

OBSERVED = dt.date(2024, 6, 30)
D = dt.date


def record(row: int, number: str = "CN201910593937.7", **fields: object) -> PatentRecord:
    base: dict[str, object] = {
        "source_row": row,
        "jurisdiction": "CN",
        "application_number": number,
        "patent_type": "invention",
        "title": "计算机进行通用学习的方法",
    }
    base.update(fields)
    return PatentRecord(**base)  # type: ignore[arg-type]


def test_distinct_applications_keep_their_order() -> None:
    records = [record(2, "CN202210016632.1"), record(3), record(4, "CN202123402459.9")]
    assert [r.application_number for r in merge_patent_records(records)] == [
        "CN202210016632.1",
        "CN201910593937.7",
        "CN202123402459.9",
    ]


def test_a_and_b_rows_become_one_patent() -> None:
    a_row = record(
        2,
        filing_date=D(2019, 7, 3),
        publication_date=D(2019, 10, 1),
        applicants=["成都天钥科技有限公司"],
        publications=[PublicationRecord("CN110298449A", "A", D(2019, 10, 1))],
        statuses=[StatusEvent("granted", OBSERVED, True)],
        abstract="摘要",
        family=["CN110298449B"],
    )
    b_row = record(
        9,
        filing_date=D(2019, 7, 3),
        publication_date=D(2021, 5, 7),
        grant_date=D(2021, 5, 7),
        applicants=["成都天钥科技有限公司", "新权利人"],
        publications=[PublicationRecord("CN110298449B", "B", D(2021, 5, 7))],
        statuses=[
            StatusEvent("granted", D(2021, 5, 7)),
            StatusEvent("lapsed_unpaid_annuity", OBSERVED, True),
        ],
        family=["CN110298449A", "CN110298449B"],
    )
    other = record(5, "CN202210016632.1")
    [merged, second] = merge_patent_records([a_row, other, b_row])
    assert second is other
    assert merged.source_row == 2
    assert [p.number for p in merged.publications] == ["CN110298449A", "CN110298449B"]
    assert merged.grant_date == D(2021, 5, 7)
    assert merged.publication_date == D(2019, 10, 1)
    # The observed "授权" of the A row gives way to the dated grant of the B row.
    assert merged.statuses == [
        StatusEvent("granted", D(2021, 5, 7)),
        StatusEvent("lapsed_unpaid_annuity", OBSERVED, True),
    ]
    assert merged.applicants == ["成都天钥科技有限公司", "新权利人"]  # from the latest publication
    assert merged.abstract == "摘要"  # from the most complete row
    assert merged.family == ["CN110298449B", "CN110298449A"]


def test_duplicate_rows_collapse() -> None:
    row = {
        "publications": [PublicationRecord("CN110298449A", "A", D(2019, 10, 1))],
        "statuses": [StatusEvent("examination", OBSERVED, True)],
    }
    [merged] = merge_patent_records([record(2, **row), record(3, **row)])  # type: ignore[arg-type]
    assert len(merged.publications) == 1
    assert merged.statuses == [StatusEvent("examination", OBSERVED, True)]


def test_earliest_filing_date_and_single_grant() -> None:
    first = record(
        2,
        filing_date=D(2019, 7, 4),
        grant_date=D(2014, 6, 12),
        statuses=[StatusEvent("granted", D(2014, 6, 12))],
    )
    correction = record(
        3,
        filing_date=D(2019, 7, 3),
        grant_date=D(2017, 6, 8),
        statuses=[StatusEvent("granted", D(2017, 6, 8))],
    )
    [merged] = merge_patent_records([correction, first])
    assert merged.filing_date == D(2019, 7, 3)
    assert merged.grant_date == D(2014, 6, 12)
    assert merged.statuses == [StatusEvent("granted", D(2014, 6, 12))]


def test_single_records_pass_through_untouched() -> None:
    one = record(2)
    assert merge_patent_records([one])[0] is one
    assert merge_patent_records([]) == []
