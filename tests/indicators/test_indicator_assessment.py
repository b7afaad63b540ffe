"""County assessment scoring (P4.2): points, ranks and reasons."""

from __future__ import annotations

import re

import pytest
from indicators_registry import build
from sqlalchemy.orm import Session
from tests_indicator_officer import OFFICER

from ipcity.auth.roles import PUBLIC
from ipcity.errors import IPCityError, ValidationFailed
from ipcity.indicators import service
from ipcity.indicators.assessment import (
    Rule,
    Scheme,
    fmt_points,
    load_scheme,
    parse_scheme,
    scheme_notes,
    score,
    weights_after,
)
from ipcity.indicators.definitions import MSG_NO_POPULATION, Value


def test_scoring_attainment_growth_rank_with_reasons() -> None:
    scheme = Scheme(
        "t",
        "P4.2",
        None,
        (
            Rule(
                "invention_patents_per_10k_residents",
                30,
                attainment={"share": 0.5, "target": 10},
                growth={"share": 0.25, "full_at": 20},
                rank={"share": 0.25},
            ),
        ),
    )
    ident = "invention_patents_per_10k_residents"
    now = {"a": {ident: Value(12.0)}, "b": {ident: Value(5.0)}, "c": {ident: Value(None, "缺人口")}}
    before = {"a": {ident: Value(10.0)}, "b": {ident: Value(5.0)}, "c": {ident: Value(None)}}
    result = {c.code: c for c in score(scheme, [("a", "A"), ("b", "B"), ("c", "C")], now, before)}
    # a: attainment 15 (capped), growth 20% = full 7.5, rank 1 of 2 = 7.5
    assert result["a"].score == 30.0 and result["a"].rank == 1
    # b: attainment 7.5, growth 0 %, rank 2 of 2 = 0
    assert result["b"].score == 7.5 and result["b"].rank == 2
    assert result["c"].score == 0 and result["c"].rank == 3
    assert len(result["c"].points) == 3 and all("无法评估" in p.text() for p in result["c"].points)
    texts = [p.text() for p in result["a"].points]
    assert any("目标 10" in t for t in texts) and any("增长 20.0%" in t for t in texts)
    assert any("2 个县区中第 1" in t for t in texts)
    assert all(p.text("en") for p in result["a"].points)


def test_ties_share_a_rank() -> None:
    scheme = Scheme("t", "P4.2", None, (Rule("invention_patents_in_force", 10, rank={"share": 1}),))
    v = {k: {"invention_patents_in_force": Value(n)} for k, n in (("a", 3), ("b", 3), ("c", 1))}
    ranks = {c.code: (c.rank, c.score) for c in score(scheme, [("a", "A"), ("b", "B"), ("c", "C")], v, v)}
    assert ranks == {"a": (1, 10.0), "b": (1, 10.0), "c": (3, 0.0)}


def test_shipped_scheme_and_refusals() -> None:
    scheme = load_scheme()
    assert scheme.total_weight == 100 and scheme.clause == "P4.2"
    with pytest.raises(ValidationFailed, match="份额之和"):
        parse_scheme(
            "items:\n  - indicator: pct_applications\n    weight: 5\n    rank: {share: 0.4}\n", "x.yaml"
        )
    with pytest.raises(ValidationFailed, match=r"x\.yaml"):
        parse_scheme("items:\n  - indicator: nope\n    weight: 5\n", "x.yaml")


def test_assessment_from_the_registry_is_for_officers(session: Session) -> None:
    build(session)
    with pytest.raises(IPCityError):
        service.county_assessment(session, PUBLIC, 2018)
    result = service.county_assessment(session, OFFICER, 2018)
    codes = [c.code for c in result.counties]
    assert {"410611", "410621", "410671"} <= set(codes)
    assert result.counties[0].score >= result.counties[-1].score
    qibin = next(c for c in result.counties if c.code == "410611")
    assert qibin.values["invention_patents_per_10k_residents"].value == pytest.approx(0.15)
    assert sum(p.max_points for p in qibin.points) == pytest.approx(100)


def test_scores_round_half_up_to_two_decimals() -> None:
    # 5 of a target of 8 on a part worth 5 points: 3.125 points, 3.13 (half up), not 3.12.
    rule = Rule("invention_patents_in_force", 10, attainment={"share": 0.5, "target": 8}, rank={"share": 0.5})
    ident = "invention_patents_in_force"
    values = {"a": {ident: Value(5)}, "b": {ident: Value(8)}}
    result = {
        c.code: c for c in score(Scheme("t", "P4.2", None, (rule,)), [("a", "A"), ("b", "B")], values, values)
    }
    a = result["a"]
    assert a.points[0].points == 3.13 and a.score == 3.13 and a.by_indicator(ident) == 3.13
    assert a.points[0].text() == "达标：5 / 目标 8，得 3.13 分（满分 5.00）"
    assert result["b"].points[1].text() == "排名：2 个县区中第 1，得 5.00 分（满分 5.00）"
    assert [fmt_points(x) for x in (a.score, result["b"].score, 0, 20.0)] == [
        "3.13",
        "10.00",
        "0.00",
        "20.00",
    ]


PER_10K = "invention_patents_per_10k_residents"
IN_FORCE = "invention_patents_in_force"
TWO_RULES = Scheme(
    "t",
    "P4.2",
    None,
    (
        Rule(
            PER_10K,
            25,
            attainment={"share": 0.5, "target": 10},
            growth={"share": 0.3, "full_at": 20},
            rank={"share": 0.2},
        ),
        Rule(IN_FORCE, 75, rank={"share": 1}),
    ),
)


def _no_population(code: str, year: int = 2025) -> Value:
    return Value(None, MSG_NO_POPULATION, params={"area": code, "code": code, "year": year})


def test_an_indicator_no_county_can_be_assessed_on_is_left_out_and_the_rest_reweighted() -> None:
    now = {c: {PER_10K: _no_population(c), IN_FORCE: Value(n)} for c, n in (("a", 9), ("b", 5), ("c", 1))}
    before = {c: {PER_10K: _no_population(c, 2024), IN_FORCE: Value(1)} for c in now}
    scores = score(TWO_RULES, [(c, c.upper()) for c in now], now, before)
    by_code = {c.code: c for c in scores}
    # Not 75 of 100: the per-10k indicator is left out and the 75 points scaled to 100.
    assert by_code["a"].score == 100.0 and by_code["b"].score == 50.0 and by_code["c"].score == 0.0
    assert sum(p.max_points for p in by_code["b"].points) == 100
    assert not by_code["a"].counts(PER_10K) and by_code["a"].max_of(IN_FORCE) == 100
    left = [p for p in by_code["a"].points if p.indicator == PER_10K]
    assert len(left) == 3 and all(not p.counted and p.points == 0 for p in left)
    assert "达标不计分（原满分 12.50，由可评估的内容按比例分摊）" in left[0].text()
    assert [n.text() for n in by_code["a"].notes] == [
        "本县区有 25 分的考核内容无法评估，不计分；其余 75 分的内容按 100/75 折算，满分仍为 100 分"
    ]
    notes = [n.text() for n in scheme_notes(TWO_RULES, scores, 2025)]
    assert notes == [
        "“每万人口发明专利拥有量”（权重 25）对所有县区均无法评估（各县区2025年均无常住人口数据），不计分",
        "其余 75 分的考核内容按 100/75 折算，满分仍为 100 分",
    ]
    assert weights_after(TWO_RULES, scores) == {PER_10K: 0.0, IN_FORCE: 100.0}
    english = [n.text("en") for n in scheme_notes(TWO_RULES, scores, 2025)]
    assert english[0].startswith(
        '"Invention patents in force per 10,000 residents" (weight 25) cannot be assessed'
    )
    assert "no county has a resident population figure for 2025" in english[0]
    for text in english + [p.text("en") for p in left] + [n.text("en") for n in by_code["a"].notes]:
        assert not re.search("[：（），；“”]", text), text  # ASCII punctuation in English
    assert "attainment is left out (its 12.50 points" in left[0].text("en")


def test_a_part_left_out_for_some_counties_only_is_reweighted_for_them() -> None:
    now = {
        "a": {PER_10K: Value(12.0), IN_FORCE: Value(9)},
        "b": {PER_10K: _no_population("b"), IN_FORCE: Value(9)},
        # c ranks below a and b: the rank orders someone (were all equal, it would rank no one).
        "c": {PER_10K: Value(11.0), IN_FORCE: Value(1)},
    }
    before = {
        "a": {PER_10K: Value(10.0), IN_FORCE: Value(9)},
        "b": {PER_10K: _no_population("b", 2024), IN_FORCE: Value(9)},
        "c": {PER_10K: Value(10.0), IN_FORCE: Value(1)},
    }
    counties = [("a", "A"), ("b", "B"), ("c", "C")]
    scores = {c.code: c for c in score(TWO_RULES, counties, now, before)}
    # a: everything assessed, full marks; b: per 10k left out, its 75 scaled to 100 → also full.
    assert scores["a"].score == 100.0 and scores["a"].notes == []
    assert scores["b"].score == 100.0 and "按 100/75 折算" in scores["b"].notes[0].text()
    notes = [n.text() for n in scheme_notes(TWO_RULES, list(scores.values()), 2025)]
    assert notes == [
        "部分县区另有无法评估的考核内容：该内容对该县区不计分，该县区其余内容按比例折算，满分仍为 100 分（见各县区得分依据）"
    ]
    assert weights_after(TWO_RULES, list(scores.values()))[IN_FORCE] is None  # 75 for a, 100 for b
    # Growth needs the year before: without it, that part alone is left out.
    now["a"][PER_10K] = Value(12.0)
    before["a"][PER_10K] = _no_population("a", 2024)
    again = {c.code: c for c in score(TWO_RULES, counties, now, before)}
    growth = next(p for p in again["a"].points if p.part == "growth")
    assert not growth.counted and growth.text().startswith("上年值无法评估")
    assert again["a"].score == 100.0 and "有 7.5 分的考核内容无法评估" in again["a"].notes[0].text()


def test_full_marks_after_reweighting_make_exactly_the_total() -> None:
    scheme = load_scheme()
    ids = [r.indicator for r in scheme.rules]
    best = {i: Value(1000.0) for i in ids} | {PER_10K: _no_population("a")}
    worse = {i: Value(1.0) for i in ids} | {PER_10K: _no_population("b")}
    before = {"a": {i: Value(1.0) for i in ids}, "b": {i: Value(1.0) for i in ids}}
    scores = {c.code: c for c in score(scheme, [("a", "A"), ("b", "B")], {"a": best, "b": worse}, before)}
    assert scores["a"].score == 100.0  # 100/75 does not end: the cents are apportioned, not 100.03
    assert sum(scores["a"].by_indicator(i) for i in ids) == pytest.approx(100.0)
    assert sorted({scores["a"].max_of(i) for i in ids}) == [0.0, 13.33, 13.34, 20.0, 26.67]


def test_the_shipped_scheme_tells_readers_no_file_editing() -> None:
    scheme = load_scheme()
    for text in (scheme.note_text(), scheme.note_text("en"), scheme.label(), scheme.label("en")):
        assert text and "修改本文件" not in text and "file" not in text.lower()
    assert scheme.label("en") == "Hebi annual county assessment of IP work"
    assert "待市知识产权局确定" in (scheme.note or "")


def test_growth_from_nothing_earns_full_points_and_nothing_from_nothing_none() -> None:
    """0 → 1 PCT application has no rate but plainly grew: the growth's full points, said so;
    0 → 0 did not grow: 0 points. Neither is missing data (both are counted)."""
    pct = "pct_applications"
    scheme = Scheme("t", "P4.2", None, (Rule(pct, 10, growth={"share": 1, "full_at": 20}),))
    now = {"a": {pct: Value(1)}, "b": {pct: Value(0)}}
    before = {"a": {pct: Value(0)}, "b": {pct: Value(0)}}
    scores = {c.code: c for c in score(scheme, [("a", "A"), ("b", "B")], now, before)}
    grew, flat = scores["a"].points[0], scores["b"].points[0]
    assert (grew.counted, grew.points, flat.counted, flat.points) == (True, 10.0, True, 0.0)
    assert grew.text() == "增长：上年为 0，本年为 1，从无到有，得 10.00 分（满分 10.00）"
    assert (
        flat.text("en") == "Growth: 0 both the year before and this year, no growth; 0.00 points (of 10.00)"
    )


def test_a_rank_where_every_county_has_the_same_value_is_left_out_for_all() -> None:
    """Six zeros rank no one: not six firsts at full points, but the rank left out for every
    county and its points re-weighted; a rank with any difference still ranks (ties share)."""
    now = {c: {PER_10K: Value(12.0), IN_FORCE: Value(0)} for c in ("a", "b", "c")}
    before = {c: {PER_10K: Value(10.0), IN_FORCE: Value(0)} for c in now}
    scores = score(TWO_RULES, [(c, c.upper()) for c in now], now, before)
    for county in scores:
        rank = next(p for p in county.points if (p.indicator, p.part) == (IN_FORCE, "rank"))
        assert not rank.counted and "3 个县区的数值均为 0，无从排名" in rank.text()
    notes = [n.text() for n in scheme_notes(TWO_RULES, scores, 2025)]
    assert (
        "“有效发明专利拥有量”（权重 75）对所有县区均无法评估（3 个县区的数值均为 0，无从排名），不计分"
        in notes
    )
    now["c"][IN_FORCE] = Value(1)
    ranked = {c.code: c for c in score(TWO_RULES, [(c, c.upper()) for c in now], now, before)}
    a, b, c = (ranked[code].by_indicator(IN_FORCE) for code in ("a", "b", "c"))
    assert (
        a == b == pytest.approx(c / 2, abs=0.01) and c == ranked["c"].max_of(IN_FORCE) > 0
    )  # b ties a: second
