"""A holder's page draws its patents by filing year only when there is a year to draw: a
holder with no patent (only trademarks, or nothing) reads "暂无专利" / "No patents yet"
where an empty chart (a legend over an axis line) used to be."""

from __future__ import annotations

from datetime import date
from typing import Any

from policy_exports_world import make_holder, make_invention
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from ipcity.registry.models import Patent, Trademark

CHART = 'id="portfolio-chart"'
EMPTY = 'id="portfolio-empty"'


def test_a_holder_without_patents_says_so_instead_of_an_empty_chart(
    client: Any, session_factory: sessionmaker[Session]
) -> None:
    with session_factory() as s:
        marks_only = make_holder(s, "鹤壁只有商标有限公司", "410611")
        s.add(
            Trademark(
                registration_number="TM-CHART-1",
                mark="鹤字",
                nice_classes=[29],
                mark_type="ordinary",
                holder_id=marks_only.id,
                registration_date=date(2020, 5, 1),
                expiry_date=date(2030, 4, 30),
                status="registered",
                content_hash="x" * 32,
            )
        )
        nothing = make_holder(s, "鹤壁一无所有有限公司", "410621")
        inventor = make_holder(s, "鹤壁有专利有限公司", "410611")
        make_invention(s, "CN201710999001.1", inventor, date(2019, 6, 1))
        s.commit()
        ids = {"marks": marks_only.id, "nothing": nothing.id, "patents": inventor.id}

    for key in ("marks", "nothing"):
        chinese = client.get(f"/holders/{ids[key]}?lang=zh").text
        assert CHART not in chinese and EMPTY in chinese
        assert f'<p class="muted" {EMPTY}>暂无专利</p>' in chinese
        english = client.get(f"/holders/{ids[key]}?lang=en").text
        assert CHART not in english and f'<p class="muted" {EMPTY}>No patents yet</p>' in english

    with_patents = client.get(f"/holders/{ids['patents']}").text
    assert CHART in with_patents and EMPTY not in with_patents


def test_patents_without_a_filing_date_are_not_called_none(
    client: Any, session_factory: sessionmaker[Session]
) -> None:
    with session_factory() as s:
        holder = make_holder(s, "鹤壁无申请日有限公司", "410611")
        make_invention(s, "CN201710999002.X", holder, date(2019, 6, 1))
        s.execute(
            update(Patent).where(Patent.application_number == "CN201710999002.X").values(filing_date=None)
        )
        s.commit()
        hid = holder.id
    page = client.get(f"/holders/{hid}").text
    assert CHART not in page and "暂无专利" not in page
    assert "专利均无申请日，无法按年份统计" in page
