"""What the pages say where a year cannot be assessed: the headline card and the indicator
page offer the latest year that can (per 10,000 residents, population known for one year);
lone values are drawn; the county comparison names its chart and says when there is
nothing to draw, sorts the zones and shows their per-10k ratio; a year that has not ended
is refused."""

from __future__ import annotations

import html
import json
import re
from datetime import date
from typing import Any

from indicators_registry import build
from sqlalchemy.orm import Session

from ipcity import clock
from ipcity.auth.roles import PUBLIC
from ipcity.errors import ValidationFailed
from ipcity.indicators import service
from ipcity.indicators.routes import _line_chart

PER_10K = "invention_patents_per_10k_residents"


def _city_ratio_2020(session: Session) -> float:
    """The hand-built registry; the city's per-10k ratio at the end of 2020, the one year
    the shipped population table has a figure for (the 2020 census)."""
    build(session)
    board = service.scoreboard(session, PUBLIC, [date(2020, 12, 31)], ["410600"], [PER_10K])
    value = board.value(date(2020, 12, 31), "410600", PER_10K)
    assert value is not None and value.value is not None
    return value.value


def _card(html: str, indicator: str) -> str:
    cards = html.split('<div class="card indicator-card">')
    return next(c for c in cards if f'href="/indicators/{indicator}?' in c.split("</div>")[0])


def test_headline_card_offers_the_latest_year_with_a_population(client: Any, session: Session) -> None:
    ratio = _city_ratio_2020(session)
    # 2018 cannot be assessed; the latest year that can comes after it.
    card = _card(client.get("/indicators?year=2018").text, PER_10K)
    assert "2018年末无法评估" in card and "鹤壁市（410600）2018年常住人口数据缺失" in card
    assert 'href="/indicators?year=2020"' in card
    assert f"2020年：{ratio:.2f} 件/万人" in card and "（最近一个有常住人口数据的年份）" in card
    latest = _card(client.get(f"/indicators?year={clock.today().year - 1}").text, PER_10K)
    assert 'href="/indicators?year=2020"' in latest
    english = _card(client.get("/indicators?year=2018&lang=en").text, PER_10K)
    assert "End of 2018: not assessable" in english
    assert f"2020: {ratio:.2f} per 10,000 residents" in english
    assert "(the latest year with a resident population figure)" in english
    # A year that can be assessed shows its value and nothing else.
    assessed = _card(client.get("/indicators?year=2020").text, PER_10K)
    assert "无法评估" not in assessed.split('<div class="small">')[0] and f"{ratio:.2f}" in assessed


def test_indicator_page_offers_the_latest_year_or_says_there_is_none(client: Any, session: Session) -> None:
    ratio = _city_ratio_2020(session)
    page = client.get(f"/indicators/{PER_10K}?year=2018").text
    assert "鹤壁市 2018年末：无法评估" in page
    assert 'href="?year=2020&area=410600"' in page and f"2020年：{ratio:.2f} 件/万人" in page
    xun = client.get(f"/indicators/{PER_10K}?year=2018&area=410621").text
    assert "尚无任何年份的常住人口数据" in xun
    # No internal field name in the definition, in either language.
    assert "Holder.region_code" not in page and "归属地区：权利人所在地（共有时取第一权利人）" in page
    english = html.unescape(client.get(f"/indicators/{PER_10K}?year=2018&lang=en").text)
    assert "Attributed to: the holder's region (the first holder's where co-owned)" in english
    facts = re.search(r"<p class=\"muted small\">Indicator id.*?</p>", english, re.S)
    assert facts is not None and not re.search("[：（），]", facts.group(0))  # ASCII punctuation


def test_a_lone_value_is_drawn_as_a_labelled_dot() -> None:
    option = json.loads(_line_chart([2019, 2020, 2021], {"x": [None, 1.4, None]}))
    series = option["series"][0]
    assert series["showSymbol"] is True
    assert series["data"][1] == {"value": 1.4, "symbolSize": 9, "label": {"show": True, "position": "top"}}
    # Neighbouring values are a line: plain numbers.
    assert json.loads(_line_chart([2019, 2020], {"x": [1.0, 2.0]}))["series"][0]["data"] == [1.0, 2.0]


def test_county_comparison_chart_title_empty_note_and_zones(client: Any, session: Session) -> None:
    build(session)
    page = client.get("/indicators/counties?year=2018&sort=patent_grants_invention").text
    assert "发明专利授权量（单位：件），2018年末，按县区" in page and "data-echarts" in page
    # 淇滨区 has a population for 2018 (a test row), so per 10k is charted; 2017 has none anywhere.
    empty = client.get(f"/indicators/counties?year=2017&sort={PER_10K}").text
    assert "2017年末各县区均无法评估“每万人口发明专利拥有量”，无图可画" in empty
    assert "data-echarts" not in empty
    assert '<div class="card table-scroll">' in empty  # wide tables scroll inside their card
    zones = client.get(
        "/indicators/counties?year=2018&zsort=zone_invention_patents_per_10k_residents&zdesc=true"
    ).text
    table = zones.split('id="zone-table"')[1].split("</table>")[0]
    assert "园区每万人口发明专利拥有量 ▼" in table
    names = re.findall(r'<td class="area-name">([^<]+)</td>', table)
    assert names[0] == "鹤壁经济技术开发区"  # the one zone with a population: 1.00, first
    ascending = client.get("/indicators/counties?year=2018&zsort=invention_patents_in_force&zdesc=false").text
    zone_rows = ascending.split('id="zone-table"')[1].split("</table>")[0]
    first = re.findall(r'<td class="area-name">([^<]+)</td>', zone_rows)
    assert first[-1] == "鹤壁经济技术开发区"  # the one zone with a patent: last going up


def test_a_year_that_has_not_ended_is_refused(client: Any, session: Session) -> None:
    today = clock.today()
    for year in (today.year + 4, today.year):
        for url in (
            f"/indicators?year={year}",
            f"/api/v1/indicators?year={year}",
            f"/indicators/counties?year={year}",
        ):
            answer = client.get(url)
            assert answer.status_code == 400, url
        assert f"{year}年尚未结束，没有年末数据" in client.get(f"/indicators?year={year}").text
    english = client.get(f"/api/v1/indicators?year={today.year + 4}&lang=en").json()
    assert "has not ended" in json.dumps(english)
    assert client.get(f"/indicators?year={today.year - 1}").status_code == 200
    try:
        service.year_end(2030, today=date(2026, 11, 27))
    except ValidationFailed as refused:
        assert "最近的完整年度为2025年" in refused.render()
    else:
        raise AssertionError("2030 accepted")
    assert service.year_end(2025, today=date(2026, 11, 27)) == date(2025, 12, 31)
    assert service.year_end(2026, today=date(2026, 12, 31)) == date(2026, 12, 31)  # its last day has come


def test_the_year_shown_is_the_year_selected_in_the_year_list(client: Any, session: Session) -> None:
    """A year the registry holds no data of is still the one the list shows as chosen (it
    showed the latest data year above a page of another)."""
    build(session)
    page = client.get("/indicators?year=1990").text
    chosen = re.findall(r'<option value="(\d{4})" selected>', page)
    assert chosen == ["1990"]
    years = [int(y) for y in re.findall(r'<option value="(\d{4})"', page)]
    assert years == sorted(years, reverse=True) and len(years) == len(set(years))
    assert re.findall(r'<option value="(\d{4})" selected>', client.get("/indicators?year=2020").text) == [
        "2020"
    ]


def test_the_targets_table_says_the_date_its_values_are_of(client: Any, session: Session) -> None:
    """After the target date a target is judged on its value at that date: the table says
    so, and leaves out the projection, which would only repeat the value."""
    build(session)
    later = client.get("/indicators?year=2023").text.split('id="targets-table"')
    assert "数值（2020-12-31）" in later[1].split("</thead>")[0]
    assert "线性预测" not in later[1].split("</table>")[0]
    assert 'id="targets-judged-on"' in later[0]
    before = client.get("/indicators?year=2019").text.split('id="targets-table"')
    head = before[1].split("</thead>")[0]
    assert "数值（2019-12-31）" in head and "线性预测（2020-12-31）" in head
    assert 'id="targets-judged-on"' not in before[0]
    english = client.get("/indicators?year=2023&lang=en").text
    assert "Value (2020-12-31)" in english and "whatever the year chosen" in english
    # A target's cell quotes the policy's sentence, labelled as the Chinese original.
    assert 'title="Policy text (Chinese): PCT国际专利申请量年增长30%以上"' in english
    assert 'title="政策原文：PCT国际专利申请量年增长30%以上"' in client.get("/indicators?year=2023").text


def test_an_indicator_with_nothing_to_chart_says_so_instead_of_an_empty_plot(
    client: Any, session: Session
) -> None:
    """The zones' per-10k ratio up to 2017 (the only zone population is of 2018): no value in
    any year for any zone, so the page says why there is no chart, as the county comparison
    does, rather than drawing empty axes."""
    build(session)
    zone_ratio = "zone_invention_patents_per_10k_residents"
    empty = client.get(f"/indicators/{zone_ratio}?year=2017&area=hebi_etdz").text
    assert 'id="chart-empty"' in empty and "data-echarts" not in empty
    assert "各地区均无法评估“园区每万人口发明专利拥有量”，无图可画" in empty
    english = html.unescape(client.get(f"/indicators/{zone_ratio}?year=2017&area=hebi_etdz&lang=en").text)
    assert "there is nothing to chart" in english
    drawn = client.get(f"/indicators/{zone_ratio}?year=2018&area=hebi_etdz").text
    assert 'id="chart-empty"' not in drawn and "data-echarts" in drawn
