"""County assessment scoring (P4.2): points, ranks and reasons."""

from __future__ import annotations

import pytest
from indicators_registry import build
from sqlalchemy.orm import Session
from tests_indicator_officer import OFFICER

from ipcity.auth.roles import PUBLIC
from ipcity.errors import IPCityError, ValidationFailed
from ipcity.indicators import service
from ipcity.indicators.assessment import Rule, Scheme, load_scheme, parse_scheme, score
from ipcity.indicators.definitions import Value


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
