"""The indicator pages on a phone and without script, their figures and their wording: the
county comparison as cards of labelled figures with a readable chart, a year picker with a
button that keeps the page's other choices, percentages with one decimal, ``region`` as a
synonym of ``area``, the login asked before the year is judged, reasons never in brackets
inside brackets, and each indicator's own attribution."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html import unescape
from typing import Any

from indicators_registry import build
from ipcity_testing import login
from sqlalchemy.orm import Session

from ipcity import clock
from ipcity.indicators.definitions import BY_ID, Value
from ipcity.indicators.routes import _bar_chart, _fmt, _fmt_number


def _nav_form(page: str) -> str:
    return page.split('class="inline year-picker"')[1].split("</form>")[0]


def test_the_year_picker_has_a_button_and_keeps_the_sort(client: Any, session: Session) -> None:
    build(session)
    page = client.get(
        "/indicators/counties?year=2018&sort=patent_applications&desc=false&zsort=trademarks_in_force&zdesc=false"
    ).text
    form = _nav_form(page)
    assert "onchange" not in form and "<button" in form and ">查看</button>" in form
    for name, value in (
        ("sort", "patent_applications"),
        ("desc", "false"),
        ("zsort", "trademarks_in_force"),
        ("zdesc", "false"),
    ):
        assert f'<input type="hidden" name="{name}" value="{value}">' in form
    english = _nav_form(client.get("/indicators/counties?year=2018&lang=en").text)
    assert ">Show</button>" in english and '<input type="hidden" name="lang" value="en">' in english
    one = _nav_form(client.get("/indicators/invention_patents_in_force?year=2018&area=410611").text)
    assert '<input type="hidden" name="area" value="410611">' in one and "<button" in one


def test_county_tables_stack_on_a_phone_with_labelled_figures(client: Any, session: Session) -> None:
    build(session)
    page = client.get("/indicators/counties?year=2018&lang=en").text
    for table_id in ("county-table", "zone-table"):
        table = (
            page.split(f'id="{table_id}"')[0].rsplit("<table", 1)[1]
            + page.split(f'id="{table_id}"')[1].split("</table>")[0]
        )
        assert 'data-stack="no"' not in table  # ipcity.js makes it cards on a phone
        assert 'class="nowrap"' not in table  # a long zone name wraps
        assert '<th data-label="">' in table  # the area's name is the card's title
    assert 'data-label="Invention patents in force (patents)"' in page
    # ipcity.js takes a header's own data-label (its name and unit, not its sort arrow).
    script = client.get("/static/js/ipcity.js").text
    assert 'cell.hasAttribute("data-label")' in script


def test_the_county_chart_is_horizontal_with_wrapped_names() -> None:
    option = json.loads(
        _bar_chart(["Hebi Economic and Technological Development Zone", "Xun County"], [3, 4], "x")
    )
    assert option["yAxis"]["type"] == "category" and option["xAxis"]["type"] == "value"
    assert option["yAxis"]["axisLabel"]["overflow"] == "break" and option["yAxis"]["inverse"] is True
    assert option["series"][0]["label"]["show"] is True


def test_the_assessment_table_names_each_column_for_a_phone(
    client: Any, session: Session, make_user: Callable[..., str]
) -> None:
    build(session)
    login(client, make_user("city_officer"))
    page = unescape(client.get("/indicators/assessment?year=2018&lang=en").text)
    assert 'data-label="Invention patents in force (weight 20' in page
    assert 'id="assessment-table"' in page


def test_percentages_have_one_decimal() -> None:
    pct = BY_ID["pct_growth"]
    assert [_fmt(Value(v), pct) for v in (-66.7, 16.7, -14.3, 50, 200)] == [
        "-66.7",
        "16.7",
        "-14.3",
        "50.0",
        "200.0",
    ]
    assert _fmt(Value(None, "x"), pct) == "—" and _fmt_number(1234.5, pct) == "1,234.5"
    count = BY_ID["invention_patents_in_force"]
    assert _fmt(Value(50), count) == "50" and _fmt(Value(2.5), count) == "2.50"


def test_the_pct_growth_page_shows_one_decimal(client: Any, session: Session) -> None:
    build(session)
    page = client.get("/indicators/pct_growth?year=2018").text
    series = page.split("<table")[1].split("</table>")[0]
    figures = re.findall(r'<td class="num"[^>]*>([^<]+)</td>', series)
    numbers = [f for f in figures if f != "—"]
    assert numbers and all(re.fullmatch(r"-?[\d,]+\.\d", f) for f in numbers), numbers


def test_records_take_region_as_area(client: Any, session: Session) -> None:
    build(session)
    url = "/indicators/invention_patents_in_force/records.csv?year=2018"
    by_region = client.get(url + "&region=410611")
    by_area = client.get(url + "&area=410611")
    assert by_region.status_code == 200 and by_region.content == by_area.content
    assert "invention_patents_in_force-410611-2018.csv" in by_region.headers["content-disposition"]
    assert client.get(url + "&area=410611&region=410611").status_code == 200
    both = client.get(url + "&area=410611&region=410621")
    assert both.status_code == 400 and "area=410611" in both.text and "region=410621" in both.text
    english = client.get(url + "&area=410611&region=410621&lang=en")
    assert english.status_code == 400 and "the two mean the same, so give only one of them" in english.text
    page = client.get("/indicators/invention_patents_in_force?year=2018&region=410611")
    assert page.status_code == 200 and "共 3 条" in page.text
    api = client.get("/api/v1/indicators/invention_patents_in_force/records?year=2018&region=410611").json()
    assert api["area"] == "410611" and api["total"] == 3


def test_anonymous_assessment_asks_for_login_whatever_the_year(client: Any, session: Session) -> None:
    build(session)
    for year in (2010, clock.today().year, clock.today().year + 4):
        page = client.get(f"/indicators/assessment?year={year}", follow_redirects=False)
        assert page.status_code in (302, 303) and "/login" in page.headers["location"], (
            year,
            page.status_code,
        )
        assert client.get(f"/api/v1/indicators/assessment?year={year}").status_code == 401
        assert client.get(f"/indicators/assessment.xlsx?year={year}", follow_redirects=False).status_code in (
            302,
            303,
            401,
        )


def test_not_assessable_reasons_are_not_bracketed_in_brackets(
    client: Any, session: Session, make_user: Callable[..., str]
) -> None:
    build(session)  # 2017: no population anywhere
    zh = unescape(client.get("/indicators/invention_patents_per_10k_residents?year=2017").text)
    assert "鹤壁市 2017年末：无法评估。鹤壁市（410600）2017年常住人口数据缺失。" in zh
    en = unescape(client.get("/indicators/invention_patents_per_10k_residents?year=2017&lang=en").text)
    assert (
        "Hebi City, end of 2017: not assessable. There is no resident population figure for Hebi City (410600) in 2017."
        in en
    )
    assert "not assessable (" not in en
    # 2018: only 淇滨区 has a population; the other counties' per-10k parts are left out.
    login(client, make_user("city_officer"))
    page = unescape(client.get("/indicators/assessment?year=2018").text)
    assert "无法评估，达标不计分（原满分" in page and "。原因：" in page
    assert not re.search(r"无法评估（[^）]*（", page)
    english = unescape(client.get("/indicators/assessment?year=2018&lang=en").text)
    assert (
        "Not assessable: attainment is left out (its" in english
        and "Why: There is no resident population" in english
    )
    assert "Not assessable (" not in english


def test_each_indicator_says_how_it_attributes(client: Any, session: Session) -> None:
    build(session)

    def attributed(ident: str, lang: str = "en") -> str:
        page = unescape(client.get(f"/indicators/{ident}?year=2018&lang={lang}").text)
        found = re.search(r"(?:Attributed to|归属地区)[:：] ?([^<]*)</p>", page)
        return found.group(1).strip() if found else ""

    assert (
        attributed("invention_patents_in_force") == "the holder's region (the first holder's where co-owned)"
    )
    assert attributed("pledge_loans") == "the borrowing enterprise's region"
    assert attributed("pledge_loans", "zh") == "借款企业所在地"
    assert attributed("gi_certification_marks").startswith("the holder's region; a GI without a holder")
    assert attributed("trademarks_in_force") == "the holder's region"
    assert attributed("enterprises_with_10_invention_patents").startswith("the enterprise's own region")
    assert attributed("ip_intensive_industries_value_added_share") == ""  # counts no records
    for indicator in BY_ID.values():
        assert indicator.attribution is None or indicator.attributed_to("en") != indicator.attributed_to(
            "zh_CN"
        )
