"""The target loader (and its refusals, with file, line and reason) and progress."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from indicators_registry import build
from sqlalchemy.orm import Session

from ipcity.auth.roles import PUBLIC
from ipcity.errors import ValidationFailed
from ipcity.indicators import definitions, service
from ipcity.indicators.targets import Target, fmt_pct, load_targets, parse_targets, progress

GOOD = """\
city: "410600"
name: test
target_date: 2020-12-31
baseline_date: 2016-12-31
targets:
  - indicator: invention_patents_per_10k_residents
    target: 10
    clause: P1.2
"""


def test_shipped_file_loads_with_every_target_of_provisions() -> None:
    targets = load_targets()
    assert targets.target_date == date(2020, 12, 31)
    assert targets.label("zh_CN") == "鹤壁市知识产权强市建设2020年目标"
    assert targets.label("en") == "Hebi's 2020 targets for building a strong IP city"
    by_id = {t.indicator: t for t in targets.targets}
    assert by_id["invention_patents_per_10k_residents"].target == 10
    assert by_id["trademarks_in_force"].target == 3000
    assert by_id["zone_invention_patents_per_10k_residents"].area == "zones"
    assert by_id["gbt29490_enterprises"].target == 50 and by_id["gbt29490_enterprises"].clause == "P2.3"
    # 融资额达15亿元, in the indicator's unit (万元).
    amount = by_id["pledge_financing_amount"]
    assert amount.target == 150_000 and definitions.BY_ID[amount.indicator].unit_zh == "万元"
    assert by_id["pct_growth"].kind == "rate"
    assert len(targets.zones) == 5


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (GOOD.replace("invention_patents_per_10k_residents", "patents_per_person"), 6, "patents_per_person"),
        (GOOD.replace("target: 10", "target: ten"), 7, "ten"),
        (GOOD.replace("clause: P1.2", "clause: 1.2"), 8, "P1.2"),
        (GOOD.replace("target_date: 2020-12-31", "target_date: 2020-13-45"), 3, "2020-13-45"),
        (GOOD.replace("    clause: P1.2\n", "    clause: P1.2\n    weight: 3\n"), 9, "weight"),
        (GOOD.replace("    target: 10\n", ""), 6, "target"),
        (
            GOOD + "  - indicator: invention_patents_per_10k_residents\n    target: 5\n    clause: P1.2\n",
            9,
            "重复",
        ),
        (GOOD.replace("baseline_date: 2016-12-31", "baseline_date: 2021-12-31"), 4, "baseline_date"),
        ("city: [unclosed\n", 2, "YAML"),
    ],
)
def test_loader_refuses_a_bad_file_with_line_and_reason(text: str, line: int, words: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        parse_targets(text, "bad.yaml")
    message = refused.value.render()
    assert "bad.yaml" in message and f"第 {line} 行" in message and words in message, message
    assert f"line {line}" in refused.value.render("en") or "bad.yaml" in refused.value.render("en")


def test_progress_straight_line_projection() -> None:
    target = Target("invention_patents_per_10k_residents", 10.0, "P1.2", 1)
    start, now, end = date(2016, 12, 31), date(2018, 12, 31), date(2020, 12, 31)
    assert progress(target, "x", 2.0, start, 6.0, now, end).status == "on_track"
    behind = progress(target, "x", 2.0, start, 4.0, now, end)
    assert behind.status == "behind" and behind.projection == pytest.approx(6.0, abs=0.01)
    assert behind.progress_pct == 25.0
    assert progress(target, "x", 2.0, start, 11.0, now, end).status == "achieved"
    assert progress(target, "x", 2.0, start, 9.0, end, end).status == "missed"
    assert progress(target, "x", 2.0, start, None, now, end).status == "not_assessable"
    assert progress(Target("x", None, "P1.2", 1), "x", None, start, 3, now, end).status == "reported"
    rate = Target("pct_growth", 30.0, "P1.2", 1, kind="rate")
    assert progress(rate, "x", None, start, 40.0, now, end).status == "achieved"
    assert progress(rate, "x", None, start, 20.0, now, end).status == "behind"


def test_target_progress_from_the_registry(session: Session) -> None:
    build(session)
    rows = service.target_progress(session, PUBLIC, date(2018, 12, 31))
    by_key = {(r.target.indicator, r.area_code): r for r in rows}
    gbt = by_key[("gbt29490_enterprises", "410600")]
    assert gbt.current == 2 and gbt.baseline == 1  # one certified in 2016, one more in 2018
    assert by_key[("invention_patents_per_10k_residents", "410600")].status == "not_assessable"
    zone = by_key[("zone_invention_patents_per_10k_residents", "hebi_etdz")]
    assert zone.current == 1.0 and zone.status == "behind"
    # Pledge financing from the loans registered for the interest subsidy (P2.7).
    pledged = by_key[("pledge_financed_enterprises", "410600")]
    assert pledged.current == 2 and pledged.status == "behind"
    assert by_key[("pledge_financing_amount", "410600")].status == "not_assessable"  # a loan without amount


def test_progress_is_exact_and_a_target_met_before_the_baseline_is_complete() -> None:
    start, now, end = date(2016, 12, 31), date(2018, 12, 31), date(2020, 12, 31)
    # GI marks: 2 at the baseline, 2 now, target 1 ("a breakthrough"): met, so 100 %, not 0 %.
    gi = progress(Target("gi_certification_marks", 1.0, "P1.2", 1), "x", 2.0, start, 2.0, now, end)
    assert gi.status == "achieved" and gi.progress_pct == 100.0
    below = progress(Target("gi_certification_marks", 3.0, "P1.2", 1), "x", 3.0, start, 2.0, now, end)
    assert below.progress_pct == pytest.approx(200 / 3)  # a target equal to the baseline: share held
    # Trademarks: (294 − 101) / (3000 − 101) = 6.657… %, shown 6.7 % (not 6.70 % from 6.7 rounded first).
    marks = progress(Target("trademarks_in_force", 3000.0, "P1.2", 1), "x", 101.0, start, 294.0, now, end)
    assert marks.progress_pct == pytest.approx(6.6575, abs=1e-4) and fmt_pct(marks.progress_pct) == "6.7%"
    strong = progress(
        Target("provincial_ip_strong_enterprises", 20.0, "P2.3", 1), "x", 2.0, start, 9.0, now, end
    )
    assert fmt_pct(strong.progress_pct) == "38.9%"
    assert [fmt_pct(x) for x in (32, 0.05, 14.249, None)] == ["32.0%", "0.1%", "14.2%", "—"]  # half up


def test_target_table_shows_units_and_one_decimal_progress(client: Any, session: Session) -> None:
    build(session)
    page = client.get("/indicators?year=2018").text
    rows = {
        re.sub(r"<[^>]+>", "", r.split("</td>")[0]).strip(): [
            re.sub(r"<[^>]+>", "", c).strip() for c in r.split("</td>")[:-1]
        ]
        for r in page.split("2020年目标进度")[1].split("<tr>")[2:]
    }
    gi = rows["地理标志证明商标数"]
    assert gi[3] == "件" and gi[7] == "100.0%" and gi[9] == "已完成"
    growth = rows["PCT国际专利申请量年增长率"]
    assert growth[3] == "%" and growth[6] == "≥ 30"
    amount = rows["知识产权质押融资额"]
    assert amount[3] == "万元" and amount[6] == "150,000"  # 15亿元, in the indicator's unit
    assert all(re.fullmatch(r"-?[\d,]+\.\d%|—", r[7]) for r in rows.values()), [r[7] for r in rows.values()]
    english = client.get("/indicators?year=2018&lang=en").text
    assert "10,000 yuan" in english and "Unit" in english


def test_a_year_before_the_baseline_is_not_judged_against_the_targets(client: Any, session: Session) -> None:
    """Targets set in 2017 from a 2016 baseline say nothing of 2015: no negative progress
    from a later baseline, no "behind", no "achieved" (GI marks met before the baseline)."""
    start, end = date(2016, 12, 31), date(2020, 12, 31)
    early = date(2015, 12, 31)
    marks = progress(Target("trademarks_in_force", 3000.0, "P1.2", 1), "x", 101.0, start, 63.0, early, end)
    assert (marks.status, marks.progress_pct, marks.projection) == ("before_baseline", None, None)
    gi = progress(Target("gi_certification_marks", 1.0, "P1.2", 1), "x", 2.0, start, 2.0, early, end)
    assert gi.status == "before_baseline" and gi.progress_pct is None
    assert progress(Target("x", None, "P1.2", 1), "x", None, start, 3, early, end).status == "reported"
    build(session)
    rows = client.get("/api/v1/indicators/targets?year=2015").json()
    assert {r["status"] for r in rows} <= {"before_baseline", "reported"}
    assert all(r["progress_pct"] is None for r in rows)
    page = client.get("/indicators?year=2015&lang=en").text
    assert "Before the baseline: no progress measured" in page and "Behind" not in page
