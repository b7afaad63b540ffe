"""Indicator values over a hand-built registry where each right value is known
(see indicators_registry.py), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from indicators_registry import build, holder, patent
from sqlalchemy.orm import Session

from ipcity.auth.roles import PUBLIC
from ipcity.indicators import definitions, queries, service
from ipcity.indicators.facts import Area, RegistryFacts, TierRow, tier_id
from ipcity.registry.legal_status import in_force_on

END_2018 = date(2018, 12, 31)
CITY, QIBIN, XUN, ETDZ, ZONE = "410600", "410611", "410621", "410671", "hebi_etdz"


@pytest.fixture
def board(session: Session) -> Any:
    build(session)
    dates = [date(y, 12, 31) for y in (2014, 2016, 2017, 2018, 2019, 2020)]
    return service.scoreboard(session, PUBLIC, dates)


def v(board: Any, on: date, area: str, ident: str) -> Any:
    value = board.value(on, area, ident)
    assert value is not None, (area, ident)
    return value.value


def test_invention_patents_in_force_follow_the_status_history(board: Any) -> None:
    assert v(board, END_2018, CITY, "invention_patents_in_force") == 15
    assert v(board, END_2018, QIBIN, "invention_patents_in_force") == 3  # co-owned counted here only
    assert v(board, END_2018, XUN, "invention_patents_in_force") == 11
    assert v(board, END_2018, ETDZ, "invention_patents_in_force") == 1
    assert v(board, END_2018, ZONE, "invention_patents_in_force") == 1
    # 2019: the lapse (March 2019) leaves, the 2019 grant comes in.
    assert v(board, date(2019, 12, 31), QIBIN, "invention_patents_in_force") == 3
    # 2016: the one filed in 1997 is still within its term (ends 2017-06-01); the 2015 grant is in.
    assert v(board, date(2016, 12, 31), QIBIN, "invention_patents_in_force") == 4
    assert v(board, date(2017, 12, 31), QIBIN, "invention_patents_in_force") == 3
    # 2014: the lapsing one is not granted yet; the 1997 one is.
    assert v(board, date(2014, 12, 31), QIBIN, "invention_patents_in_force") == 3


def test_in_force_agrees_with_legal_status_for_every_patent_and_date(session: Session) -> None:
    build(session)
    from sqlalchemy import select

    from ipcity.registry.models import Holder, Patent

    dates = [date(y, m, d) for y in range(2013, 2021) for m, d in ((2, 28), (6, 30), (12, 31))]
    facts = queries.gather_facts(session, dates)
    city = Area(CITY, "city", "鹤壁市")
    for on in dates:
        expected = 0
        for p in session.scalars(
            select(Patent).where(Patent.jurisdiction == "CN", Patent.patent_type == "invention")
        ):
            first = session.get(Holder, p.first_holder_id) if p.first_holder_id else None
            if first is None or not (first.region_code or "").startswith("4106"):
                continue
            events = [(e.status, e.date) for e in p.status_events]
            expected += in_force_on(p.patent_type, p.filing_date, events, on)
        assert facts.counts("invention_in_force").total(city, on) == expected, on


def test_per_10k_residents_and_population_missing(board: Any) -> None:
    assert v(board, END_2018, QIBIN, "invention_patents_per_10k_residents") == pytest.approx(0.15)
    assert v(board, END_2018, ZONE, "zone_invention_patents_per_10k_residents") == pytest.approx(1.0)
    missing = board.value(END_2018, CITY, "invention_patents_per_10k_residents")
    assert missing.value is None and "2018" in missing.reason_text("en")
    assert missing.as_json() == "not assessable: no population for region/year (410600/2018)"
    # The shipped census figure of the city (2020: 1,565,973 residents).
    assert v(board, date(2020, 12, 31), CITY, "invention_patents_per_10k_residents") == pytest.approx(
        round(15 * 10_000 / 1_565_973, 2)
    )
    assert board.value(END_2018, ZONE, "invention_patents_per_10k_residents") is None  # zones: own id


def test_applications_grants_and_pct(board: Any, session: Session) -> None:
    facts = queries.gather_facts(session, [date(2012, 12, 31), date(2014, 12, 31), date(2017, 12, 31)])
    city = Area(CITY, "city", "鹤壁市")
    assert (
        definitions.BY_ID["patent_applications_invention"].value(facts, city, date(2012, 12, 31)).value == 15
    )
    assert (
        definitions.BY_ID["patent_applications_utility_model"].value(facts, city, date(2012, 12, 31)).value
        == 1
    )
    assert definitions.BY_ID["patent_grants_invention"].value(facts, city, date(2014, 12, 31)).value == 13
    assert definitions.BY_ID["patent_grants"].value(facts, city, date(2014, 12, 31)).value == 14
    assert definitions.BY_ID["patent_applications"].value(facts, city, date(2017, 12, 31)).value == 3
    assert v(board, END_2018, CITY, "pct_applications") == 2
    assert v(board, END_2018, CITY, "pct_growth") == 100.0
    assert board.value(date(2017, 12, 31), CITY, "pct_growth").value is None  # no PCT in 2016


def test_trademarks_gi_varieties_copyrights(board: Any) -> None:
    assert v(board, END_2018, CITY, "trademarks_in_force") == 2  # expired and cancelled left out
    assert v(board, END_2018, CITY, "well_known_trademarks") == 1
    assert v(board, date(2020, 12, 31), CITY, "well_known_trademarks") == 0  # expired end of 2019
    assert v(board, END_2018, CITY, "gi_certification_marks") == 2  # the mark and its GI record once
    assert v(board, END_2018, XUN, "gi_certification_marks") == 1  # GI without holder: its region
    assert v(board, END_2018, XUN, "plant_variety_rights") == 1
    assert v(board, END_2018, CITY, "copyright_registrations") == 2
    # The holdings (版权拥有量, the P1.2 target) never fall: 2017's registration stays counted.
    assert v(board, END_2018, CITY, "copyright_holdings") == 3
    assert v(board, date(2019, 12, 31), CITY, "copyright_registrations") == 0
    assert v(board, date(2019, 12, 31), CITY, "copyright_holdings") == 3
    assert v(board, END_2018, CITY, "copyright_registrations_software") == 1
    assert v(board, END_2018, CITY, "copyright_registrations_works") == 1


def test_enterprises_by_invention_patents_and_tiers(board: Any) -> None:
    # The big enterprise holds 11 + 1 co-owned (second holder) = 12 in force.
    assert v(board, END_2018, CITY, "enterprises_with_10_invention_patents") == 1
    assert v(board, END_2018, XUN, "enterprises_with_10_invention_patents") == 1
    assert v(board, END_2018, CITY, "enterprises_with_30_invention_patents") == 0
    assert v(board, END_2018, CITY, "national_ip_advantage_enterprises") == 1
    assert v(board, date(2019, 12, 31), CITY, "national_ip_advantage_enterprises") == 2
    assert v(board, END_2018, CITY, "gbt29490_enterprises") == 2  # an id and a demo label
    assert v(board, END_2018, ZONE, "municipal_ip_demonstration_enterprises") == 1


def test_high_value_counts_what_the_registry_can_tell(board: Any) -> None:
    value = board.value(END_2018, CITY, "high_value_invention_patents")
    assert value.value == 2  # granted 2006 (maintained > 10 years) and the one with a US family member
    assert "无法评估" in (value.note_text("zh_CN") or "") and value.note_text("en")


def test_maintained_over_ten_years_counts_from_the_filing_date(session: Session) -> None:
    """CNIPA's 维持年限超过10年 counts the years maintained from the filing date (the term's
    start), not from the grant: an invention filed 2012-03-01 and granted 2014-06-01 is high
    value at the end of 2023 (11 years after filing; 9 after grant), not yet at the end of
    2021. The count (columnar) and the records behind it (SQL) agree."""
    build(session)
    ends = [date(2021, 12, 31), date(2023, 12, 31)]
    board = service.scoreboard(session, PUBLIC, ends)
    before, after = (v(board, end, CITY, "high_value_invention_patents") for end in ends)
    in_force = v(board, ends[1], CITY, "invention_patents_in_force")
    # 2021: the one filed 2005 and the one with a US family member; 2023: every invention in
    # force filed before 2014 (all but the one filed 2017).
    assert (before, after) == (2, in_force - 1)
    rows = service.records(session, PUBLIC, "high_value_invention_patents", CITY, ends[1], limit=100).rows
    assert len(rows) == after
    assert any(r.filing_date == date(2012, 3, 1) and r.grant_date == date(2014, 6, 1) for r in rows)
    assert all(r.filing_date is not None and r.filing_date < date(2013, 12, 31) for r in rows)


def test_not_assessable_industries_and_holders_without_address(board: Any) -> None:
    value = board.value(END_2018, CITY, "ip_intensive_industries_value_added_share")
    assert value.value is None and value.as_json() == "not assessable: industries area not built"
    total = sum(
        v(board, END_2018, a.code, "invention_patents_in_force") for a in board.areas if a.kind == "county"
    )
    assert total == 15  # the holder without an address is in no county and not in the city


def test_records_behind_a_count(session: Session) -> None:
    build(session)
    found = service.records(session, PUBLIC, "invention_patents_in_force", QIBIN, END_2018)
    assert found.total == 3 and {r.region_code for r in found.rows} == {QIBIN}
    found = service.records(session, PUBLIC, "enterprises_with_10_invention_patents", CITY, END_2018)
    assert found.total == 1 and found.rows[0].name == "浚县大企业" and found.rows[0].count == 12
    assert service.records(session, PUBLIC, "gbt29490_enterprises", CITY, END_2018).total == 2
    assert service.records(session, PUBLIC, "high_value_invention_patents", CITY, END_2018).total == 2


def test_same_day_grant_and_lapse_and_restoration(session: Session) -> None:
    h = holder(session, "恢复企业", "410622")
    patent(
        session,
        [h],
        [
            ("granted", date(2014, 1, 1)),
            ("lapsed_unpaid_annuity", date(2016, 1, 1)),
            ("restored", date(2017, 1, 1)),
        ],
    )
    patent(session, [h], [("lapsed_unpaid_annuity", date(2015, 1, 1)), ("granted", date(2015, 1, 1))])
    session.commit()
    board = service.scoreboard(session, PUBLIC, [date(y, 12, 31) for y in (2015, 2016, 2017)], ["410622"])
    # Same day: the lapse ranks after the grant, whatever order they were recorded in.
    assert [
        v(board, date(y, 12, 31), "410622", "invention_patents_in_force") for y in (2015, 2016, 2017)
    ] == [1, 0, 1]


def test_tier_ids_and_pure_facts() -> None:
    assert (
        tier_id("省知识产权强企") == "provincial_ip_strong"
        and tier_id("provincial_ip_strong") == "provincial_ip_strong"
    )
    facts = RegistryFacts(dates=(END_2018,), tiers=[TierRow(1, "410611", None, "gbt29490", 2018)])
    city = Area(CITY, "city", "鹤壁市")
    assert definitions.BY_ID["gbt29490_enterprises"].value(facts, city, END_2018).value == 1
    assert definitions.BY_ID["gbt29490_enterprises"].value(facts, city, date(2017, 12, 31)).value == 0


def test_every_indicator_is_declared_once_with_a_clause() -> None:
    ids = [i.id for i in definitions.INDICATORS]
    assert len(ids) == len(set(ids))
    required = {
        "invention_patents_in_force",
        "invention_patents_per_10k_residents",
        "patent_applications",
        "patent_grants",
        "pct_applications",
        "pct_growth",
        "trademarks_in_force",
        "well_known_trademarks",
        "gi_certification_marks",
        "plant_variety_rights",
        "copyright_registrations",
        "copyright_holdings",
        "enterprises_with_50_invention_patents",
        "enterprises_with_30_invention_patents",
        "enterprises_with_10_invention_patents",
        "zone_invention_patents_per_10k_residents",
        "national_ip_advantage_enterprises",
        "provincial_ip_strong_enterprises",
        "municipal_ip_demonstration_enterprises",
        "gbt29490_enterprises",
        "high_value_invention_patents",
        "pledge_financed_enterprises",
        "pledge_financing_amount",
    }
    assert required <= set(ids)
    for indicator in definitions.INDICATORS:
        assert indicator.clause.startswith("P") and indicator.definition_en and indicator.definition_zh


def test_a_reason_names_its_area_in_the_readers_language() -> None:
    """ "Not assessable" names the county or zone: in Chinese on Chinese pages, in English on
    English pages (the JSON reason names its code)."""
    from ipcity.indicators.definitions.base import MSG_NO_POPULATION, Value

    missing = Value(None, MSG_NO_POPULATION, params={"area": "山城区", "code": "410603", "year": 2025})
    assert missing.reason_text("zh_CN") == "山城区（410603）2025年常住人口数据缺失"
    english = missing.reason_text("en") or ""
    assert "Shancheng District (410603)" in english and "山城区" not in english
    assert missing.as_json() == "not assessable: no population for region/year (410603/2025)"  # by code
    zone = Value(
        None,
        MSG_NO_POPULATION,
        params={"area": "鹤壁国家农业科技园区", "code": "hebi_agri_park", "year": 2020},
    )
    assert "Hebi National Agricultural Science and Technology Park" in (zone.reason_text("en") or "")
