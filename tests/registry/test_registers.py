"""The other registers (trademarks, copyrights, plant-variety rights, GIs): list, filter, export."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from typing import Any, get_args

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ipcity.auth.roles import PUBLIC
from ipcity.demo.loader import load_sample
from ipcity.errors import NotFound, ValidationFailed
from ipcity.registry import assets
from ipcity.registry.models import Copyright, GeographicalIndication, Holder, Patent, Trademark
from ipcity.registry.records import GIKind, TrademarkType
from ipcity.registry.service import PatentQuery, export_patents


@pytest.fixture
def sample(session_factory: sessionmaker[Session]) -> dict[str, int]:
    """The sample registry (few patents, every other register full)."""
    with session_factory() as session:
        counts = load_sample(session, patents=50)
        session.commit()
    return counts


def test_each_register_lists_every_entry(session: Session, sample: dict[str, int]) -> None:
    expected = {"trademarks": Trademark, "copyrights": Copyright, "gis": GeographicalIndication}
    for kind, model in expected.items():
        total = session.scalar(select(func.count()).select_from(model))
        page = assets.list_assets(session, PUBLIC, kind, per_page=5)
        assert page.total == total and total > 0
        assert len(page.items) == 5 or len(page.items) == total
        assert all(item.is_sample for item in page.items)


def test_filters_narrow_to_matching_entries(session: Session, sample: dict[str, int]) -> None:
    collective = assets.list_assets(session, PUBLIC, "trademarks", category="collective", per_page=200)
    stored = session.scalar(
        select(func.count()).select_from(Trademark).where(Trademark.mark_type == "collective")
    )
    assert collective.total == stored
    assert {i.values["mark_type"] for i in collective.items} <= {"collective"}

    software = assets.list_assets(session, PUBLIC, "copyrights", category="software", year=2020, per_page=200)
    for item in software.items:
        assert item.values["category"] == "software"
        assert item.values["registration_date"].year == 2020

    county = "410621"
    in_county = assets.list_assets(session, PUBLIC, "trademarks", region=county, per_page=200)
    holders_there = set(session.scalars(select(Holder.id).where(Holder.region_code == county)))
    assert in_county.total > 0
    assert all(item.holder_id in holders_there for item in in_county.items)

    first = in_county.items[0]
    by_holder = assets.list_assets(session, PUBLIC, "trademarks", holder_id=first.holder_id, per_page=200)
    assert all(item.holder_id == first.holder_id for item in by_holder.items)
    words = first.values["mark"][:2]
    found = assets.list_assets(session, PUBLIC, "trademarks", q=words, per_page=200)
    assert all(words in item.values["mark"] or words in item.number for item in found.items)


def test_every_stored_category_can_be_filtered_and_is_labelled(
    session: Session, sample: dict[str, int]
) -> None:
    """The categories a register offers are the values the importers store: each stored kind
    of GI (and type of trademark) is found by its filter and shown with its Chinese label."""
    assert set(assets.TRADEMARK_TYPES) == set(get_args(TrademarkType))
    assert set(assets.GI_KINDS) == set(get_args(GIKind))
    stored = dict(
        session.execute(
            select(GeographicalIndication.kind, func.count()).group_by(GeographicalIndication.kind)
        ).all()
    )
    assert {"gi_certification_mark", "protected_product", "agricultural_product"} <= set(stored)
    register = assets.get_register("gis")
    for kind, n in stored.items():
        page = assets.list_assets(session, PUBLIC, "gis", category=kind, per_page=200)
        assert page.total == n
        label = assets.display_value(register, "kind", kind)
        assert label == assets.GI_KINDS[kind] and label.startswith(("地理标志", "农产品"))


def test_bad_filters_are_refused_with_one_sentence(session: Session, sample: dict[str, int]) -> None:
    with pytest.raises(ValidationFailed) as bad:
        assets.list_assets(session, PUBLIC, "trademarks", category="nonsense")
    assert "nonsense" in bad.value.render("zh_CN")
    with pytest.raises(ValidationFailed):
        assets.list_assets(session, PUBLIC, "plant-varieties", category="any")
    with pytest.raises(NotFound):
        assets.get_register("patents-of-mars")


def test_export_holds_the_whole_filtered_register(session: Session, sample: dict[str, int]) -> None:
    page = assets.list_assets(session, PUBLIC, "copyrights", category="work", per_page=200)
    data = assets.export_assets(session, PUBLIC, "copyrights", "csv", category="work")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:2] == ["登记号", "名称"]
    assert len(rows) - 1 == page.total
    assert {r[2] for r in rows[1:]} == {"作品"}
    book = load_workbook(io.BytesIO(assets.export_assets(session, PUBLIC, "gis", "xlsx", locale="en")))
    sheet = book.worksheets[0]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert header[0] == "Registration number" and header[-1] == "Holder"
    assert sheet.max_row - 1 == session.scalar(select(func.count()).select_from(GeographicalIndication))
    # Dates are dates in a workbook (Excel sorts and filters them), ISO text in a CSV; a GI's
    # region is named in the reader's language, as the page names it.
    stored = {gi.registration_number: gi for gi in session.scalars(select(GeographicalIndication))}
    named: dict[str | None, Any] = {}
    for row in sheet.iter_rows(min_row=2, values_only=True):
        record = dict(zip(header, row, strict=True))
        gi = stored[str(record["Registration number"])]
        registered = record["Registered"]
        assert isinstance(registered, datetime) and registered.date() == gi.registration_date
        named[gi.region_code] = record["Region"]
    assert named["410622"] == "Qi County, Hebi" and named["410611"] == "Qibin District"
    chinese = list(
        csv.reader(io.StringIO(assets.export_assets(session, PUBLIC, "gis", "csv").decode("utf-8-sig")))
    )
    assert {r[3] for r in chinese[1:] if r[3]} <= {"淇滨区", "山城区", "鹤山区", "浚县", "淇县", "鹤壁市"}
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", r[4]) for r in chinese[1:] if r[4])


def test_exports_survive_records_with_control_characters_and_formula_like_names(
    session: Session, sample: dict[str, int]
) -> None:
    """Records stored before the importers dropped control characters, and a holder whose
    name Excel would read as a formula: every export still opens, and the formula is text."""
    mark = session.scalars(select(Trademark).where(Trademark.holder_id.is_not(None)).limit(1)).one()
    holder = session.get(Holder, mark.holder_id)
    assert holder is not None
    patent = session.scalars(select(Patent).limit(1)).one()
    mark.mark, patent.title = "鹤\x01壁\x1f", "一种\x07装置"
    holder.name = '=HYPERLINK("http://x.invalid","点击")'
    patent.first_holder_id = holder.id
    session.commit()

    sheet = load_workbook(
        io.BytesIO(assets.export_assets(session, PUBLIC, "trademarks", "xlsx", q="鹤"))
    ).worksheets[0]
    rows = [row for row in sheet.iter_rows(min_row=2) if row[0].value == mark.registration_number]
    assert [c.value for c in rows[0]][1] == "鹤壁"
    assert rows[0][-1].value == holder.name and rows[0][-1].data_type == "s"
    text = assets.export_assets(session, PUBLIC, "trademarks", "csv").decode("utf-8-sig")
    listed = next(r for r in csv.reader(io.StringIO(text)) if r[0] == mark.registration_number)
    assert listed[-1] == "'" + holder.name

    query = PatentQuery(q=None, sort="application_number")
    book = load_workbook(io.BytesIO(export_patents(session, PUBLIC, query, "xlsx")))
    found = [r for r in book.worksheets[0].iter_rows(min_row=2, values_only=True) if r[3] == "一种装置"]
    assert len(found) == 1 and found[0][7] == holder.name


def test_pages_and_api(client: Any, sample: dict[str, int]) -> None:
    for kind in assets.REGISTERS:
        page = client.get(f"/registers/{kind}")
        assert page.status_code == 200
        assert "示例" in page.text
        # A date stays on one line (2032-04-24 broke after its second hyphen).
        assert re.search(r'<td class="nowrap">\d{4}-\d\d-\d\d</td>', page.text), kind
        api = client.get(f"/api/v1/registers/{kind}", params={"per_page": 3})
        assert api.status_code == 200 and api.json()["kind"] == kind
    assert client.get("/registers/trademarks", params={"year": ""}).status_code == 200
    # Newest first and the undated last, on PostgreSQL too (its DESC puts NULL first).
    first = client.get("/api/v1/registers/trademarks", params={"per_page": 100}).json()
    last_page = -(-first["total"] // 100)
    last = client.get("/api/v1/registers/trademarks", params={"per_page": 100, "page": last_page}).json()
    items = first["items"] + (last["items"] if last_page > 1 else [])
    dated = [item["values"]["registration_date"] is not None for item in items]
    assert True in dated and False in dated and dated == sorted(dated, reverse=True)
    bad = client.get("/api/v1/registers/trademarks", params={"category": "x"})
    assert bad.status_code == 400 and bad.json()["ok"] is False
    export = client.get("/registers/trademarks/export.xlsx", params={"region": "410611"})
    assert export.status_code == 200 and export.content[:2] == b"PK"


def test_search_words_are_text_not_patterns(session: Session, sample: dict[str, int]) -> None:
    """ "%" and "_" in the words match themselves, as in the patent and holder searches: "_"
    alone finds no trademark (none has one), not all of them."""
    total = session.scalar(select(func.count()).select_from(Trademark))
    assert total
    for words in ("_", "%", "Y%G", "A_H"):
        page = assets.list_assets(session, PUBLIC, "trademarks", q=words, per_page=200)
        assert all(words in item.values["mark"] or words in item.number for item in page.items), words
        assert page.total < total, words
    mark = session.scalars(select(Trademark).limit(1)).one()
    mark.mark = "鹤壁100%_纯"
    session.commit()
    found = assets.list_assets(session, PUBLIC, "trademarks", q="100%_", per_page=200)
    assert [item.number for item in found.items] == [mark.registration_number]
