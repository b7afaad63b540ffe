"""Rules the registry's read services share: a page past the last, filters that name
nothing (a zone, a region, an office), refusals that list the accepted values in the
reader's language, labels in the reader's language, and the refusal of a county officer
who moves a holder out of the county. Data: the real 62-column export and the first 300
rows of the iFlytek export; the sample registers for trademarks."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

import pytest
from ipcity_testing import shared_file
from registry_testkit import OFFICER, raw_text
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipcity.auth.roles import PUBLIC, Actor
from ipcity.demo.loader import load_sample
from ipcity.errors import IPCityError, PermissionDenied, ValidationFailed
from ipcity.registry import assets
from ipcity.registry.importing import run_import
from ipcity.registry.models import Holder
from ipcity.registry.normalize import normalize_name
from ipcity.registry.service import (
    PatentQuery,
    export_patents,
    get_patent,
    search_holders,
    search_patents,
    update_holder,
)

OBSERVED = date(2024, 6, 30)
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def registry(session: Session, tmp_path: Path) -> Session:
    run_import(
        session, OFFICER, shared_file("patents_cn", "henan_sample_10_62cols.csv"), observed_on=OBSERVED
    )
    text = raw_text(shared_file("patents_cn", "incopat_iflytek_cn_3816.csv.gz"))
    rows = list(csv.reader(io.StringIO(text, newline="")))[:301]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    (tmp_path / "iflytek_300.csv").write_text(out.getvalue(), encoding="utf-8")
    run_import(session, OFFICER, tmp_path / "iflytek_300.csv", observed_on=OBSERVED)
    return session


def _refusal(error: pytest.ExceptionInfo[IPCityError]) -> tuple[str, str]:
    """The refusal as a Chinese and as an English reader see it."""
    return error.value.render("zh_CN"), error.value.render("en")


# --------------------------------------------------------------------------- a page past the last


def test_a_page_past_the_last(registry: Session) -> None:
    query = PatentQuery(q="语音", per_page=20)
    first = search_patents(registry, PUBLIC, query)
    pages = -(-first.total // 20)
    assert first.total > 40
    last = search_patents(registry, PUBLIC, PatentQuery(q="语音", per_page=20, page=pages))
    # Asked as such (the API), the page asked answers no rows with the total …
    beyond = search_patents(registry, PUBLIC, PatentQuery(q="语音", per_page=20, page=999))
    assert (beyond.total, beyond.page, beyond.items) == (first.total, 999, [])
    # … and for a page of the site, the last page.
    clamped = search_patents(registry, PUBLIC, PatentQuery(q="语音", per_page=20, page=999), clamp=True)
    assert (clamped.total, clamped.page) == (first.total, pages)
    assert [i.id for i in clamped.items] == [i.id for i in last.items] != []
    # Nothing found: page 1 of 1, empty.
    none = search_patents(registry, PUBLIC, PatentQuery(q="没有这种专利", page=5), clamp=True)
    assert (none.total, none.page, none.items) == (0, 1, [])

    holders = search_holders(registry, PUBLIC, per_page=5)
    holder_pages = -(-holders.total // 5)
    assert holder_pages > 1
    assert search_holders(registry, PUBLIC, per_page=5, page=500).items == []
    clamped_holders = search_holders(registry, PUBLIC, per_page=5, page=500, clamp=True)
    assert clamped_holders.page == holder_pages
    assert clamped_holders.items == search_holders(registry, PUBLIC, per_page=5, page=holder_pages).items
    # Punctuation alone names no holder: none found, not every holder (the patents' holder
    # filter reads the name the same way).
    for words in ("%", "_", "（", "()"):
        assert search_holders(registry, PUBLIC, q=words).total == 0, words
        assert search_patents(registry, PUBLIC, PatentQuery(holder=words)).total == 0, words
    assert search_holders(registry, PUBLIC, q="讯飞").total > 0


def test_a_register_page_past_the_last(session: Session) -> None:
    load_sample(session, patents=10)
    session.commit()
    whole = assets.list_assets(session, PUBLIC, "trademarks", per_page=50)
    pages = -(-whole.total // 50)
    assert pages > 1
    assert assets.list_assets(session, PUBLIC, "trademarks", per_page=50, page=9999).items == []
    clamped = assets.list_assets(session, PUBLIC, "trademarks", per_page=50, page=9999, clamp=True)
    last = assets.list_assets(session, PUBLIC, "trademarks", per_page=50, page=pages)
    assert clamped.page == pages and clamped.items == last.items != []


# --------------------------------------------------------------------------- filters that name nothing


def test_a_zone_region_or_office_that_does_not_exist_is_refused(registry: Session) -> None:
    with pytest.raises(ValidationFailed) as zone:
        search_patents(registry, PUBLIC, PatentQuery(zone="nope"))
    assert "nope" in zone.value.render() and "不存在" in zone.value.render()
    assert "does not exist" in zone.value.render("en")
    with pytest.raises(ValidationFailed) as region:
        search_patents(registry, PUBLIC, PatentQuery(region="419999"))
    assert "419999" in region.value.render() and "不存在" in region.value.render()
    with pytest.raises(ValidationFailed):
        search_holders(registry, PUBLIC, region="419999")
    for office in ("ZZZ", "C1", "中国"):
        with pytest.raises(ValidationFailed) as refused:
            search_patents(registry, PUBLIC, PatentQuery(jurisdiction=office))
        zh, en = _refusal(refused)
        assert office in zh and "CN" in zh and "two letters" in en
    # Well formed: an office or zone without patents finds none, and says nothing more.
    assert search_patents(registry, PUBLIC, PatentQuery(jurisdiction="jp")).total == 0
    assert search_patents(registry, PUBLIC, PatentQuery(zone="hebi_agri_park")).total == 0
    # A region code typed with full-width digits is the region.
    holder = registry.scalar(
        select(Holder).where(Holder.normalized_name == normalize_name("中科大数据研究院"))
    )
    assert holder is not None
    update_holder(registry, OFFICER, holder.id, {"region_code": "410105"})
    ascii_code = search_patents(registry, PUBLIC, PatentQuery(region="410100"))
    wide = search_patents(registry, PUBLIC, PatentQuery(region="４１０１００"))
    assert wide.total == ascii_code.total == 10
    assert search_holders(registry, PUBLIC, region="４１０１０５").total == 1


# --------------------------------------------------------------------------- refusals that list choices


@pytest.mark.parametrize(
    ("query", "zh_parts", "en_parts"),
    [
        (
            PatentQuery(patent_type="patent"),
            ["发明（invention）", "实用新型（utility_model）", "外观设计（design）", "patent"],
            ["Invention (invention)", "Design (design)"],
        ),
        (
            PatentQuery(sort="title"),
            ["相关度（relevance）", "申请日（新→旧）（-filing_date）", "申请号（application_number）"],
            ["Relevance (relevance)", "Filing date (newest first) (-filing_date)"],
        ),
        (
            PatentQuery(status="alive"),
            ["有效（in_force）", "驳回（rejected）"],
            ["In force (in_force)", "Rejected (rejected)"],
        ),
    ],
)
def test_a_refused_choice_lists_the_choices_in_the_readers_language(
    registry: Session, query: PatentQuery, zh_parts: list[str], en_parts: list[str]
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        search_patents(registry, PUBLIC, query)
    zh, en = _refusal(refused)
    for part in zh_parts:
        assert part in zh, zh
    assert "或" in zh and ", " not in zh  # a Chinese list, not the codes joined by commas
    for part in en_parts:
        assert part in en, en
    assert not CJK.search(en), en


def test_holder_kinds_and_register_categories_are_listed_by_label(registry: Session) -> None:
    with pytest.raises(ValidationFailed) as kind:
        search_holders(registry, PUBLIC, kind="foo")
    zh, en = _refusal(kind)
    assert "企业（enterprise）" in zh and "科研机构（institute）" in zh and "foo" in zh
    assert "Enterprise (enterprise)" in en and not CJK.search(en)
    with pytest.raises(ValidationFailed) as category:
        assets.list_assets(registry, PUBLIC, "trademarks", category="bogus")
    zh, en = _refusal(category)
    assert "普通商标（ordinary）" in zh and "集体商标（collective）" in zh and "bogus" in zh
    assert "Ordinary trademark (ordinary)" in en and not CJK.search(en)
    with pytest.raises(ValidationFailed) as none:
        assets.list_assets(registry, PUBLIC, "plant-varieties", category="rice")
    assert "rice" in none.value.render() and "categor" in none.value.render("en")


# --------------------------------------------------------------------------- labels follow the language


def test_labels_follow_the_readers_language(registry: Session) -> None:
    chinese = search_patents(registry, PUBLIC, PatentQuery(sort="application_number", per_page=200))
    english = search_patents(
        registry, PUBLIC, PatentQuery(sort="application_number", per_page=200), locale="en"
    )
    assert {i.patent_type_label for i in chinese.items} == {"发明", "实用新型"}
    assert {i.patent_type_label for i in english.items} == {"Invention", "Utility model"}
    assert "Granted" in {i.status_label for i in english.items}
    assert not any(CJK.search(i.status_label or "") for i in english.items)
    # The codes stay codes.
    assert [i.patent_type for i in chinese.items] == [i.patent_type for i in english.items]
    detail = get_patent(registry, PUBLIC, "CN202211359874.7", "en")
    assert detail.patent_type_label == "Invention"
    assert detail.status_history and not any(CJK.search(e.label) for e in detail.status_history)
    assert get_patent(registry, PUBLIC, "CN202211359874.7").patent_type_label == "发明"


def test_the_trademark_export_labels_its_types(session: Session) -> None:
    load_sample(session, patents=10)
    session.commit()
    for locale, header, labels in (
        ("zh_CN", "类型", set(assets.TRADEMARK_TYPES.values())),
        ("en", "Type", {"Ordinary trademark", "Collective mark", "Certification mark"}),
    ):
        data = assets.export_assets(session, PUBLIC, "trademarks", "csv", locale)
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
        column = rows[0].index(header)
        shown = {row[column] for row in rows[1:]}
        assert shown and not shown & set(assets.TRADEMARK_TYPES), shown  # no bare codes
        assert "普通商标" in shown if locale == "zh_CN" else "Ordinary trademark" in shown
        assert shown <= labels | {
            "Geographical indication certification mark",
            "Geographical indication collective mark",
        }


def test_the_english_patent_export_has_english_labels(registry: Session) -> None:
    data = export_patents(registry, PUBLIC, PatentQuery(q="语音"), "csv", locale="en")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0][2] == "Type" and {r[2] for r in rows[1:]} <= {"Invention", "Utility model", "Design"}


# --------------------------------------------------------------------------- a county officer's move


def test_a_county_officer_cannot_move_a_holder_out_of_its_county(registry: Session) -> None:
    holder = registry.scalar(
        select(Holder).where(Holder.normalized_name == normalize_name("科大讯飞股份有限公司"))
    )
    assert holder is not None
    update_holder(registry, OFFICER, holder.id, {"region_code": "410611"})
    qibin = Actor(username="qibin-officer", role="county_officer", region_code="410611")
    with pytest.raises(PermissionDenied) as refused:
        update_holder(registry, qibin, holder.id, {"region_code": "410602"})
    zh, en = _refusal(refused)
    # The record is the officer's own county's: the refusal is of the move, to 410602.
    assert "410611" in zh and "410602" in zh and "移出" in zh and "属于" not in zh, zh
    assert "410602" in en and "out of" in en, en
    assert registry.get(Holder, holder.id).region_code == "410611"  # type: ignore[union-attr]
    # Within its county it may still correct the holder.
    assert update_holder(registry, qibin, holder.id, {"region_code": "410611", "kind": "enterprise"})
