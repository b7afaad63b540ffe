"""The records behind every count: as many as the number says, for every area and date, over
the hand-built registry (indicators_registry.py) and over the demo data; what each list
shows; CSV/XLSX downloads in Chinese and English; the JSON API and the page."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest
from indicators_registry import build
from sqlalchemy.orm import Session

from ipcity.auth.roles import PUBLIC
from ipcity.indicators import definitions, service
from ipcity.indicators.definitions import FactList, Numerator, PatentList, Pending

END_2018 = date(2018, 12, 31)
CITY, QIBIN, XUN, ZONE = "410600", "410611", "410621", "hebi_etdz"


def check_every_count(session: Session, dates: list[date]) -> dict[str, int]:
    """For every indicator, area and date: the list holds exactly the count (a ratio's or a
    growth rate's numerator); declared-not-filled and not-applicable say why instead.
    Returns the largest list seen per indicator."""
    board = service.scoreboard(session, PUBLIC, dates)
    largest: dict[str, int] = {}
    for on in dates:
        for indicator in definitions.INDICATORS:
            listed = definitions.listed_by(indicator)
            for area in board.areas:
                found = service.records(
                    session, PUBLIC, indicator.id, area.code, on, limit=service.MAX_RECORDS
                )
                where = (indicator.id, area.code, on)
                if isinstance(indicator.records, Pending) or not indicator.applies_to(area):
                    assert found.shows == "none" and found.total == 0 and found.reason_text("en"), where
                    continue
                count = board.value(on, area.code, listed.id)
                assert count is not None, where
                if count.value is None:  # no data at all (no pledge loan registered): nothing listed
                    assert count.reason == definitions.MSG_NO_LOANS_REGISTERED and found.total == 0, where
                    continue
                assert found.total == len(found.rows) == count.value, (*where, found.total, count.value)
                if found.is_numerator:
                    assert isinstance(indicator.records, Numerator)
                else:
                    assert board.value(on, area.code, indicator.id).value == found.total  # type: ignore[union-attr]
                largest[indicator.id] = max(largest.get(indicator.id, 0), found.total)
    return largest


def test_every_count_lists_as_many_records_as_it_counts(session: Session) -> None:
    build(session)
    largest = check_every_count(session, [date(y, 12, 31) for y in (2016, 2018, 2019)])
    # Not vacuous: every list that the hand-built registry fills was compared with a number.
    for ident in (
        "invention_patents_in_force",
        "invention_patents_per_10k_residents",
        "zone_invention_patents_per_10k_residents",
        "high_value_invention_patents",
        "patent_grants",
        "pct_applications",
        "pct_growth",
        "trademarks_in_force",
        "well_known_trademarks",
        "gi_certification_marks",
        "plant_variety_rights",
        "copyright_registrations",
        "copyright_holdings",
        "copyright_registrations_software",
        "copyright_registrations_works",
        "enterprises_with_10_invention_patents",
        "national_ip_advantage_enterprises",
        "municipal_ip_demonstration_enterprises",
        "gbt29490_enterprises",
        "pledge_loans",
        "pledge_financed_enterprises",
        "pledge_financing_amount",
    ):
        assert largest[ident] > 0, ident


def test_every_count_lists_as_many_records_as_it_counts_on_the_demo_data(session: Session) -> None:
    from ipcity.demo.loader import load_sample

    load_sample(session)
    session.commit()
    largest = check_every_count(session, [date(2016, 12, 31), date(2023, 12, 31)])
    for ident in (
        "trademarks_in_force",
        "well_known_trademarks",
        "gi_certification_marks",
        "plant_variety_rights",
        "copyright_registrations_software",
        "copyright_registrations_works",
        "pct_applications",
        "enterprises_with_10_invention_patents",
        "national_ip_advantage_enterprises",
        "provincial_ip_strong_enterprises",
        "municipal_ip_demonstration_enterprises",
        "gbt29490_enterprises",
    ):
        assert largest[ident] > 0, ident


def test_every_indicator_says_where_its_records_come_from() -> None:
    for indicator in definitions.INDICATORS:
        source = indicator.records
        assert isinstance(source, PatentList | FactList | Numerator | Pending), indicator.id
        if isinstance(source, Numerator):
            assert isinstance(definitions.BY_ID[source.indicator].records, PatentList | FactList)
    assert definitions.listed_by(definitions.BY_ID["pct_growth"]).id == "pct_applications"


def test_declarations_are_split_by_subject_and_each_declared_once() -> None:
    from ipcity.indicators.definitions import enterprises, finance, other_assets, patents, pending

    parts = [patents, other_assets, enterprises, finance, pending]
    ids = [i.id for part in parts for i in part.INDICATORS]
    assert ids == [i.id for i in definitions.INDICATORS] and len(ids) == len(set(ids))
    assert {i.id for i in other_assets.INDICATORS} >= {"trademarks_in_force", "plant_variety_rights"}
    assert {i.id for i in enterprises.INDICATORS} >= {
        "gbt29490_enterprises",
        "enterprises_with_50_invention_patents",
    }
    assert {i.id for i in finance.INDICATORS} == {
        "pledge_loans",
        "pledge_financed_enterprises",
        "pledge_financing_amount",
    }
    assert {i.id for i in pending.INDICATORS} == {"ip_intensive_industries_value_added_share"}


def _records(session: Session, ident: str, area: str = CITY, on: date = END_2018) -> Any:
    return service.records(session, PUBLIC, ident, area, on, limit=service.MAX_RECORDS)


def test_trademark_gi_variety_and_copyright_lists(session: Session) -> None:
    build(session)
    marks = _records(session, "trademarks_in_force")
    assert marks.shows == "assets" and [r.number for r in marks.rows] == ["TM甲", "TM丙"]
    first = marks.rows[0]
    assert (first.name, first.holder, first.region, first.status) == (
        "甲",
        "淇滨甲公司",
        "淇滨区",
        "in_force",
    )
    assert first.on == date(2010, 1, 1) and ("专用权期限至 {date}", {"date": "2019-12-31"}) in first.notes
    assert [r.number for r in _records(session, "well_known_trademarks").rows] == ["TM甲"]
    assert _records(session, "well_known_trademarks", on=date(2020, 12, 31)).rows == []
    gi = _records(session, "gi_certification_marks")
    assert sorted((r.number, r.source) for r in gi.rows) == [("GI001", "gi"), ("TM丙", "trademark")]
    xun = _records(session, "gi_certification_marks", XUN).rows
    assert [(r.number, r.holder, r.region) for r in xun] == [("GI001", None, "浚县")]  # no holder: its region
    variety = _records(session, "plant_variety_rights", XUN).rows
    assert [(r.number, r.name, r.holder, r.status) for r in variety] == [
        ("CNA1", "鹤麦1号", "浚县大企业", "granted")
    ]
    assert [r.number for r in _records(session, "copyright_registrations").rows] == ["C0", "C1"]
    assert [r.number for r in _records(session, "copyright_registrations_software").rows] == ["C0"]
    assert [r.category for r in _records(session, "copyright_registrations_works").rows] == ["work"]


def test_pct_ratio_and_growth_list_their_numerator(session: Session) -> None:
    build(session)
    pct = _records(session, "pct_applications")
    assert [r.number for r in pct.rows] == ["PCT/CN2018/000200", "PCT/CN2018/000123"]
    assert all(r.patent and r.patent.startswith("CN") and r.holder == "淇滨甲公司" for r in pct.rows)
    growth = _records(session, "pct_growth")
    assert growth.is_numerator and growth.listed.id == "pct_applications" and growth.total == 2
    per_10k = _records(session, "invention_patents_per_10k_residents", QIBIN)
    assert per_10k.is_numerator and per_10k.shows == "patents" and per_10k.total == 3
    # The city has no population for 2018: the ratio is not assessable, its numerator still listed.
    assert _records(session, "invention_patents_per_10k_residents").total == 15
    zone = _records(session, "zone_invention_patents_per_10k_residents", ZONE)
    assert zone.total == 1 and zone.rows[0].first_holder == "经开区企业" and zone.rows[0].zone
    not_here = _records(session, "invention_patents_per_10k_residents", ZONE)
    assert not_here.shows == "none" and not_here.reason_text("en") == "Not applicable to this area"


def test_patent_lists_give_the_status_on_the_date(session: Session) -> None:
    build(session)
    in_force = _records(session, "invention_patents_in_force", QIBIN)
    assert {r.status for r in in_force.rows} == {"granted"} and all(
        r.region == "淇滨区" for r in in_force.rows
    )
    filed = _records(session, "patent_applications", on=date(2017, 12, 31))
    assert filed.total == 3 and {r.status for r in filed.rows} <= {"filed", "granted"}
    lapsed = _records(session, "patent_grants_invention", QIBIN, date(2015, 12, 31))
    assert [r.status for r in lapsed.rows] == ["granted"]


def test_enterprise_lists_give_the_value_counted(session: Session) -> None:
    build(session)
    big = _records(session, "enterprises_with_10_invention_patents").rows
    assert [(r.name, r.count, r.region) for r in big] == [("浚县大企业", 12, "浚县")]
    national = _records(session, "national_ip_advantage_enterprises")
    assert national.shows == "tiers"
    assert [(r.name, r.tier, r.year) for r in national.rows] == [
        ("浚县大企业", "national_ip_advantage", 2017)
    ]
    assert _records(session, "national_ip_advantage_enterprises", on=date(2019, 12, 31)).total == 2
    zone = _records(session, "municipal_ip_demonstration_enterprises", ZONE).rows
    assert [(r.name, r.zone) for r in zone] == [("经开区企业", "鹤壁经济技术开发区")]


def test_declared_not_filled_says_so(session: Session) -> None:
    found = _records(session, "ip_intensive_industries_value_added_share")
    assert found.shows == "none" and found.rows == []
    assert "尚未填报" in (found.reason_text() or "") and "密集型产业" in (found.reason_text() or "")
    assert "not collected yet" in (found.reason_text("en") or "")
    assert "industries" in (found.reason_text("en") or "").lower()


def _csv(response: Any) -> list[list[str]]:
    assert response.status_code == 200 and response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_downloads_in_chinese_and_english(client: Any, session: Session) -> None:
    build(session)
    rows = _csv(client.get("/indicators/trademarks_in_force/records.csv?year=2018"))
    assert rows[0][:4] == ["号码", "名称", "类别", "权利人"] and "注册日" in rows[0]
    assert [r[0] for r in rows[1:]] == ["TM甲", "TM丙"] and rows[1][2] == "普通商标" and "有效" in rows[1]
    english = _csv(client.get("/indicators/trademarks_in_force/records.csv?year=2018&lang=en"))
    assert english[0][:4] == ["Number", "Name", "Category", "Holder"] and "Registered" in english[0]
    assert english[1][2] == "Ordinary trademark" and "In force" in english[1]
    assert any("valid until 2019-12-31" in cell for cell in english[1])
    response = client.get("/indicators/gi_certification_marks/records.xlsx?year=2018&area=410621")
    assert response.status_code == 200 and "410621-2018.xlsx" in response.headers["content-disposition"]
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None and sheet.max_row == 2 and sheet.cell(2, 1).value == "GI001"
    tiers = _csv(client.get("/indicators/national_ip_advantage_enterprises/records.csv?year=2018&lang=en"))
    assert tiers[0][:3] == ["Holder", "Recognitions", "Year recognised"]
    assert tiers[1][:3] == ["浚县大企业", "National IP-advantage enterprise", "2017"]
    # Places in English in every kind of list: the patents' too (浚县 is Xun County).
    assert tiers[1][3] == "Xun County"
    patents = _csv(
        client.get("/indicators/invention_patents_in_force/records.csv?year=2018&area=410621&lang=en")
    )
    region = patents[0].index("Region")
    assert len(patents) > 1 and {r[region] for r in patents[1:]} == {"Xun County"}
    pct = _csv(client.get("/indicators/pct_growth/records.csv?year=2018"))
    assert len(pct) == 3 and pct[1][0].startswith("PCT/CN2018/")
    pending = _csv(client.get("/indicators/ip_intensive_industries_value_added_share/records.csv?year=2018"))
    assert pending[0] == ["说明"] and "尚未填报" in pending[1][0]


def test_records_api_and_page(client: Any, session: Session) -> None:
    build(session)
    data = client.get("/api/v1/indicators/trademarks_in_force/records?year=2018&per_page=1").json()
    assert data["total"] == 2 and data["shows"] == "assets" and len(data["items"]) == 1
    assert data["items"][0]["number"] == "TM甲" and data["items"][0]["on"] == "2010-01-01"
    assert "专用权期限至 2019-12-31" in data["items"][0]["notes"]
    growth = client.get("/api/v1/indicators/pct_growth/records?year=2018").json()
    assert growth["listed"] == "pct_applications" and growth["total"] == 2
    pending = client.get(
        "/api/v1/indicators/ip_intensive_industries_value_added_share/records?lang=en"
    ).json()
    assert pending["shows"] == "none" and "not collected yet" in pending["reason"]
    assert client.get("/api/v1/indicators/nothing/records").status_code == 404
    page = client.get("/indicators/trademarks_in_force?year=2018")
    assert (
        page.status_code == 200
        and "共 2 条" in page.text
        and "TM甲" in page.text
        and "淇滨甲公司" in page.text
    )
    assert "/indicators/trademarks_in_force/records.xlsx?year=2018&area=410600" in page.text
    tiers = client.get("/indicators/gbt29490_enterprises?year=2018")
    assert "共 2 条" in tiers.text and "贯标认证" in tiers.text
    ratio = client.get("/indicators/invention_patents_per_10k_residents?year=2018&area=410611&lang=en")
    assert "Records counted" in ratio.text and "Invention patents in force" in ratio.text
    pending_page = client.get("/indicators/ip_intensive_industries_value_added_share?year=2018")
    assert "尚未填报" in pending_page.text and "records.csv" not in pending_page.text


@pytest.mark.parametrize("ident", ["trademarks_in_force", "enterprises_with_10_invention_patents"])
def test_pages_of_a_long_list(client: Any, session: Session, ident: str) -> None:
    build(session)
    found = _records(session, ident, on=END_2018)
    page = service.records(session, PUBLIC, ident, CITY, END_2018, limit=1, offset=1)
    assert page.total == found.total and page.rows == found.rows[1:2]
