"""Scoreboard pages and API render (200) and show the numbers; exports open."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from indicators_registry import build
from ipcity_testing import login
from sqlalchemy.orm import Session


def test_dashboard_counties_and_indicator_pages(client: Any, session: Session) -> None:
    build(session)
    page = client.get("/indicators?year=2018")
    assert page.status_code == 200
    assert "每万人口发明专利拥有量" in page.text and "data-echarts" in page.text and "3,000" in page.text
    counties = client.get("/indicators/counties?year=2018&sort=invention_patents_in_force")
    assert counties.status_code == 200 and "浚县" in counties.text and ">11</a>" in counties.text
    one = client.get("/indicators/invention_patents_in_force?year=2018&area=410611")
    assert one.status_code == 200 and "共 3 条" in one.text and "淇滨甲公司" in one.text
    english = client.get("/indicators/invention_patents_per_10k_residents?year=2018&lang=en")
    assert english.status_code == 200 and "per 10,000 residents" in english.text
    assert client.get("/indicators/no_such_indicator").status_code == 404


def test_api_and_record_downloads(client: Any, session: Session) -> None:
    build(session)
    data = client.get("/api/v1/indicators?year=2018").json()
    assert data["regions"]["410600"]["invention_patents_in_force"] == 15
    series = client.get("/api/v1/indicators/invention_patents_in_force?from=2016&to=2018").json()
    assert series["series"]["410611"] == {"2016": 4, "2017": 3, "2018": 3}
    targets = client.get("/api/v1/indicators/targets?year=2018").json()
    assert any(t["indicator"] == "trademarks_in_force" and t["target"] == 3000 for t in targets)
    csv = client.get("/indicators/invention_patents_in_force/records.csv?year=2018&area=410611")
    assert csv.status_code == 200 and csv.content.startswith(b"\xef\xbb\xbf") and csv.text.count("\n") == 4
    xlsx = client.get("/indicators/enterprises_with_10_invention_patents/records.xlsx?year=2018")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None and sheet.cell(2, 1).value == "浚县大企业" and sheet.cell(2, 2).value == 12
    assert client.get("/api/v1/indicators?year=1800").status_code == 400


def test_api_takes_a_zone_as_the_cli_does(client: Any, session: Session) -> None:
    """``region`` is "a region or zone code" (as ``ipcity indicators --region hebi_etdz``):
    a zone gives that zone's values, not 404; an unknown code names the codes there are."""
    build(session)
    data = client.get("/api/v1/indicators?year=2018&region=hebi_etdz").json()
    assert data["regions"] == {} and list(data["zones"]) == ["hebi_etdz"]
    assert data["zones"]["hebi_etdz"]["zone_invention_patents_per_10k_residents"] == 1.0
    unknown = client.get("/api/v1/indicators?year=2018&region=999999")
    assert unknown.status_code == 404 and "hebi_etdz" in unknown.json()["error"]


def test_assessment_for_officers_with_exports(
    client: Any, session: Session, make_user: Callable[..., str]
) -> None:
    build(session)
    assert client.get("/api/v1/indicators/assessment?year=2018").status_code == 401
    login(client, make_user("city_officer"))
    page = client.get("/indicators/assessment?year=2018")
    assert page.status_code == 200 and "淇滨区" in page.text and "得分依据" in page.text
    api = client.get("/api/v1/indicators/assessment?year=2018").json()
    assert [c["rank"] for c in api["counties"]] == sorted(c["rank"] for c in api["counties"])
    assert {"淇滨区": "Qibin District", "浚县": "Xun County"}.items() <= {
        c["name"]: c["name_en"] for c in api["counties"]
    }.items()
    xlsx = client.get("/indicators/assessment.xlsx?year=2018")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    docx = client.get("/indicators/assessment.docx?year=2018")
    assert docx.status_code == 200
    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "2018年度县区知识产权工作目标考核结果" in text and "淇滨区" in text


def test_assessment_page_workbook_and_report_say_what_was_left_out(
    client: Any, session: Session, make_user: Callable[..., str]
) -> None:
    import re

    from docx import Document
    from docx.enum.section import WD_ORIENT
    from openpyxl import load_workbook

    build(session)  # 2019: no county has a population figure, so per 10k is left out for all
    login(client, make_user("city_officer"))
    page = client.get("/indicators/assessment?year=2019").text
    left_out = (
        "“每万人口发明专利拥有量”（权重 25）对所有县区均无法评估（各县区2019年均无常住人口数据），不计分"
    )
    # No county filed a PCT application in 2019: a rank of six zeros ranks no one and is
    # left out for all, with per 10k (30 points in all), not six firsts at full points.
    no_rank = (
        "“PCT国际专利申请量”的排名部分（5 分）对所有县区均无法评估（6 个县区的数值均为 0，无从排名），不计分"
    )
    assert left_out in page and no_rank in page
    assert "其余 70 分的考核内容按 100/70 折算，满分仍为 100 分" in page
    assert "权重 25 · 不计分" in page and "修改本文件" not in page and "待市知识产权局确定" in page
    totals = re.findall(r'<td class="num"><strong>([^<]+)</strong></td>', page)
    assert totals and all(re.fullmatch(r"\d+\.\d\d", t) for t in totals)  # 82.83, 100.00, 0.00

    sheet = load_workbook(io.BytesIO(client.get("/indicators/assessment.xlsx?year=2019").content)).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    assert header[3] == "每万人口发明专利拥有量（25）" and sheet.cell(2, 4).value == "—"
    assert sheet.cell(2, 3).number_format == "0.00" and isinstance(sheet.cell(2, 3).value, float)
    column_a = [sheet.cell(r, 1).value for r in range(1, sheet.max_row + 1)]
    assert left_out in column_a and not any("修改本文件" in str(v) for v in column_a)
    english_sheet = load_workbook(
        io.BytesIO(client.get("/indicators/assessment.xlsx?year=2019&lang=en").content)
    ).active
    assert english_sheet is not None
    assert english_sheet.cell(1, 4).value == "Invention patents in force per 10,000 residents (25)"

    report = Document(io.BytesIO(client.get("/indicators/assessment.docx?year=2019").content))
    upright, lying = report.sections[0], report.sections[1]
    size = [
        round(x.cm, 1) for x in (upright.page_width, upright.page_height, lying.page_width, lying.page_height)
    ]
    assert size == [21.0, 29.7, 29.7, 21.0]  # A4 (Word keeps twentieths of a point), not US Letter
    assert lying.orientation == WD_ORIENT.LANDSCAPE and upright.orientation == WD_ORIENT.PORTRAIT
    text = "\n".join(p.text for p in report.paragraphs)
    assert left_out in text and "修改本文件" not in text
    english = Document(io.BytesIO(client.get("/indicators/assessment.docx?year=2019&lang=en").content))
    paragraphs = [p.text for p in english.paragraphs]
    assert "Basis: Hebi annual county assessment of IP work (P4.2)." in paragraphs
    assert not any(re.search("[：（），；]|[\u4e00-\u9fff]{4}", p) for p in paragraphs[:8]), paragraphs[:8]
    cells = [c.text for row in english.tables[0].rows for c in row.cells]
    assert "Invention patents in force per 10,000 residents (25)" in cells and "—" in cells
