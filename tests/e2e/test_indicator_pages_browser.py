"""Browser tests of the scoreboard over the generated Hebi sample registry: the city
dashboard, the county comparison (sorted by a column), an indicator page with its records,
the county assessment, and the dashboard in English. Each page is checked for its numbers
against the service, for drawn ECharts charts and for no script error; screenshots under
``test-artifacts/screenshots/``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from ipcity_testing import PASSWORD
from sqlalchemy.orm import Session, sessionmaker

from ipcity.auth.roles import PUBLIC
from ipcity.demo.loader import load_sample
from ipcity.indicators import service

Shot = Callable[[Any, str], Path]
YEAR = 2020
END = date(YEAR, 12, 31)
QIBIN = "410611"


@pytest.fixture
def sample_board(session_factory: sessionmaker[Session]) -> Any:
    """The demo's sample registry (1,500 patents) and its scoreboard at the end of 2020."""
    with session_factory() as s:
        load_sample(s, patents=1500)
        s.commit()
    with session_factory() as s:
        return service.scoreboard(s, PUBLIC, [END])


def _number(text: str) -> float:
    return float(text.strip().replace(",", ""))


def _fits_the_window(page: Any) -> bool:
    # Wide tables scroll inside their own box; the page itself never scrolls sideways.
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def _shot(page: Any, screenshot: Shot, name: str) -> None:
    assert _fits_the_window(page), name
    page.wait_for_timeout(1200)  # ECharts' drawing animation, so that the picture shows the charts whole
    screenshot(page, name)


def _charts_drawn(page: Any) -> int:
    # ECharts draws an SVG (readable in print) with its series as paths in each chart element.
    page.wait_for_function("document.querySelectorAll('.chart svg path').length > 0")
    return int(
        page.evaluate(
            "[...document.querySelectorAll('.chart')].filter(c => c.querySelector('svg path')).length"
        )
    )


def test_dashboard_counties_indicator_and_assessment_pages(
    page: Any, screenshot: Shot, sample_board: Any, make_user: Any
) -> None:
    in_force = sample_board.value(END, "410600", "invention_patents_in_force").value
    assert in_force > 0

    page.goto(f"/indicators?year={YEAR}")
    assert _charts_drawn(page) >= 3  # a trend line per headline card
    assert page.get_by_text("每万人口发明专利拥有量").first.is_visible()
    _shot(page, screenshot, "50-indicators-dashboard")

    page.goto(f"/indicators/counties?year={YEAR}")
    assert _charts_drawn(page) == 1
    header = "#county-table thead a:has-text('有效发明专利')"

    def column_values() -> tuple[list[float], bool]:
        column = page.eval_on_selector_all(
            "#county-table thead th", "ths => ths.findIndex(th => th.textContent.includes('有效发明专利'))"
        )
        cells = page.eval_on_selector_all(
            "#county-table tbody tr:not(.total)", f"rows => rows.map(r => r.children[{column}].textContent)"
        )
        return [_number(c) for c in cells], "▼" in page.inner_text(header)

    for _ in range(2):  # each click on the header sorts by it, the second the other way
        before = page.url
        page.click(header)
        page.wait_for_url(
            lambda url, before=before: url != before and "sort=invention_patents_in_force" in url
        )
        counts, descending = column_values()
        assert len(counts) >= 5 and counts[-1 if not descending else 0] > 0
        assert counts == sorted(counts, reverse=descending)
    column = page.eval_on_selector_all(
        "#county-table thead th", "ths => ths.findIndex(th => th.textContent.includes('有效发明专利'))"
    )
    city_cell = page.eval_on_selector(
        "#county-table tbody tr.total", f"row => row.children[{column}].textContent"
    )
    assert _number(city_cell) == in_force
    _shot(page, screenshot, "51-indicators-counties-sorted")

    qibin = sample_board.value(END, QIBIN, "invention_patents_in_force").value
    page.goto(f"/indicators/invention_patents_in_force?year={YEAR}&area={QIBIN}")
    assert _charts_drawn(page) == 1
    heading = page.inner_text("#records h2")
    assert f"共 {qibin:,} 条" in heading and "淇滨区" in heading
    listed = page.locator("#records table.records tbody tr").count()
    assert listed == min(qibin, 50)  # 50 a page
    _shot(page, screenshot, "52-indicator-invention-in-force-qibin")

    # The assessment is the government's internal work: an officer's page.
    page.goto(f"/indicators/assessment?year={YEAR}")
    assert "/login" in page.url
    page.fill("input[name=username]", make_user("city_officer", "city-indicators-e2e"))
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(f"/indicators/assessment?year={YEAR}")
    ranks = [
        int(r)
        for r in page.eval_on_selector_all(
            "table.data tbody tr td:first-child", "t => t.map(c => c.textContent)"
        )
    ]
    assert ranks and ranks[0] == 1 and ranks == sorted(ranks)
    _shot(page, screenshot, "53-indicators-assessment")

    page.goto(f"/indicators?year={YEAR}&lang=en")
    assert _charts_drawn(page) >= 3
    assert page.get_by_text("Invention patents in force").first.is_visible()
    # Places in English too: the city in the progress table, the zones by their English names.
    regions = page.eval_on_selector_all(
        "table.data tbody tr td:nth-child(2)", "t => t.map(c => c.textContent)"
    )
    assert "Hebi City" in regions and "Hebi Economic and Technological Development Zone" in regions
    assert not any("鹤壁" in r for r in regions)
    _shot(page, screenshot, "54-indicators-dashboard-en")
    page.goto(f"/indicators/counties?year={YEAR}&lang=en")
    counties = page.eval_on_selector_all(
        "table.data tbody tr td:first-child a", "t => t.map(c => c.textContent)"
    )
    assert {"Qibin District", "Xun County", "Qi County, Hebi"} <= set(counties)
    _shot(page, screenshot, "55-indicators-counties-en")
    assert page.js_errors == []
