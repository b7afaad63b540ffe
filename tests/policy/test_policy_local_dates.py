"""Times are stored in UTC and told in Beijing time: a payment approved and paid at
2025-03-01 23:30 UTC was approved and paid on 2025-03-02 in the city (07:30), and the
payment list (data, XLSX), the holder's statement (page data, JSON, Word) and the case's
JSON say so. SQLite and PostgreSQL."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from policy_exports_world import CITY, YEAR, build_world
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from ipcity.policy import exports, workflow
from ipcity.policy.models import PolicyPayment

LATE_UTC = datetime(2025, 3, 1, 23, 30, tzinfo=UTC)  # 2025-03-02 07:30 in Beijing


@pytest.fixture
def world(session_factory: sessionmaker[Session]) -> dict[str, int]:
    """The exports' world, with every payment approved and paid at :data:`LATE_UTC`."""
    ids = build_world(session_factory)
    with session_factory() as s:
        s.execute(update(PolicyPayment).values(approved_at=LATE_UTC))
        s.execute(update(PolicyPayment).where(PolicyPayment.paid_at.is_not(None)).values(paid_at=LATE_UTC))
        s.commit()
    return ids


def test_the_payment_list_dates_approval_and_payment_in_beijing_time(
    session_factory: sessionmaker[Session], world: dict[str, int]
) -> None:
    from openpyxl import load_workbook

    with session_factory() as s:
        plist = exports.payments(s, CITY, YEAR)
    paid = next(x for x in plist.lines if x.case_id == world["case_a"])
    assert (paid.approved_on, paid.paid_on) == (date(2025, 3, 2), date(2025, 3, 2))
    assert paid.to_json("zh_CN")["approved_on"] == "2025-03-02"
    book = load_workbook(io.BytesIO(exports.payments_xlsx(plist, "zh_CN")))
    cells = [
        c.date() if isinstance(c, datetime) else c
        for row in book["淇滨区"].iter_rows(values_only=True)
        for c in row
    ]
    assert date(2025, 3, 2) in cells and date(2025, 3, 1) not in cells


def test_the_statement_and_the_case_tell_the_city_s_day(
    session_factory: sessionmaker[Session], world: dict[str, int]
) -> None:
    from docx import Document

    with session_factory() as s:
        st = exports.statement(s, CITY, world["a"], YEAR)
        item = next(i for i in st.items if i.case is not None and i.case.id == world["case_a"])
        label = item.payment_label("zh_CN")
        assert "2025-03-02 批准" in label and "2025-03-02 拨付" in label and "2025-03-01" not in label
        shown = next(i for i in st.to_json("zh_CN")["items"] if i["case_id"] == world["case_a"])
        assert (shown["approved_on"], shown["paid_on"]) == ("2025-03-02", "2025-03-02")
        words = "\n".join(
            cell.text
            for table in Document(io.BytesIO(exports.statement_docx(st, "zh_CN"))).tables
            for row in table.rows
            for cell in row.cells
        )
        assert "2025-03-02" in words and "2025-03-01" not in words
        payment = workflow.case_view(s, CITY, world["case_a"]).to_json()["payment"]
        assert payment["approved_at"] == payment["paid_at"] == "2025-03-02T07:30:00+08:00"
        assert s.scalar(select(PolicyPayment.id).where(PolicyPayment.case_id == world["case_a"]))
