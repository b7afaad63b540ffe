"""The county assessment (P4.2): weights and scoring rules from ``assessment/<city>.yaml``,
applied to indicator values of each county for a year and the year before — pure.

Every point comes with its reason (a message id with parameters), so that the table an
office sends says why each county got what it got.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from ipcity.errors import ValidationFailed
from ipcity.indicators.definitions import BY_ID, Value

MSG_ASSESSMENT_FILE = "考核文件 {file}：{reason}"
MSG_BAD_ITEM = "第 {index} 项无效：{problem}"
MSG_SHARES = "第 {index} 项（{indicator}）各部分份额之和应为1，实为 {total}"

MSG_ATTAINMENT = "达标：{value} / 目标 {target}，得 {points} 分（满分 {max}）"
MSG_GROWTH = "增长：{before} → {value}，增长 {growth}%（{full_at}% 得满分），得 {points} 分（满分 {max}）"
MSG_GROWTH_NO_BASE = "增长：上年值为 {before}，无法计算增长率，得 0 分（满分 {max}）"
MSG_RANK = "排名：{n} 个县区中第 {rank}，得 {points} 分（满分 {max}）"
MSG_NOT_ASSESSABLE = "无法评估（{why}），{aspect}得 0 分（满分 {max}）"
PART_LABELS = {"attainment": "达标", "growth": "增长", "rank": "排名"}


@dataclass(frozen=True)
class Rule:
    """How one indicator earns points."""

    indicator: str
    weight: float
    attainment: dict[str, float] | None = None
    growth: dict[str, float] | None = None
    rank: dict[str, float] | None = None


@dataclass(frozen=True)
class Scheme:
    """An assessment file."""

    name: str
    clause: str
    note: str | None
    rules: tuple[Rule, ...]

    @property
    def total_weight(self) -> float:
        """The highest score a county can reach."""
        return sum(r.weight for r in self.rules)


def parse_scheme(text: str, file: str) -> Scheme:
    """Read an assessment scheme; refuses unknown indicators, parts and shares not adding to 1."""

    def refuse(reason: str, **params: Any) -> ValidationFailed:
        from ipcity.i18n import gettext

        return ValidationFailed(MSG_ASSESSMENT_FILE, file=file, reason=gettext(reason).format(**params))

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise refuse(MSG_BAD_ITEM, index=0, problem=str(exc).splitlines()[0]) from None
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise refuse(MSG_BAD_ITEM, index=0, problem="items")
    rules = []
    for index, item in enumerate(data["items"], start=1):
        if not isinstance(item, dict) or item.get("indicator") not in BY_ID:
            raise refuse(
                MSG_BAD_ITEM,
                index=index,
                problem=f"indicator {item.get('indicator') if isinstance(item, dict) else item}",
            )
        unknown = set(item) - {"indicator", "weight", "attainment", "growth", "rank"}
        if unknown or not isinstance(item.get("weight"), int | float):
            raise refuse(MSG_BAD_ITEM, index=index, problem=", ".join(sorted(unknown)) or "weight")
        parts = {k: item[k] for k in ("attainment", "growth", "rank") if k in item}
        total = round(sum(float(p.get("share", 0)) for p in parts.values()), 6)
        if total != 1:
            raise refuse(MSG_SHARES, index=index, indicator=item["indicator"], total=total)
        if "attainment" in parts and not parts["attainment"].get("target"):
            raise refuse(MSG_BAD_ITEM, index=index, problem="attainment.target")
        if "growth" in parts and not parts["growth"].get("full_at"):
            raise refuse(MSG_BAD_ITEM, index=index, problem="growth.full_at")
        rules.append(
            Rule(
                item["indicator"],
                float(item["weight"]),
                parts.get("attainment"),
                parts.get("growth"),
                parts.get("rank"),
            )
        )
    return Scheme(str(data.get("name", "")), str(data.get("clause", "P4.2")), data.get("note"), tuple(rules))


def load_scheme(path: str | Path | None = None) -> Scheme:
    """The shipped ``assessment/hebi.yaml`` (or another file)."""
    if path is None:
        text = (
            resources.files("ipcity.indicators").joinpath("assessment/hebi.yaml").read_text(encoding="utf-8")
        )
        return parse_scheme(text, "assessment/hebi.yaml")
    return parse_scheme(Path(path).read_text(encoding="utf-8"), Path(path).name)


@dataclass(frozen=True)
class Point:
    """Points earned by one part of one indicator, and why."""

    indicator: str
    part: str
    points: float
    max_points: float
    reason: str
    params: dict[str, Any]

    def text(self, locale: str = "zh_CN") -> str:
        """The reason in ``locale``."""
        from ipcity.i18n import gettext

        params = {
            k: (v.reason_text(locale) or "—")
            if isinstance(v, Value)
            else gettext(v, locale)
            if isinstance(v, str)
            else v
            for k, v in self.params.items()
        }
        return gettext(self.reason, locale).format(**params)


@dataclass
class CountyScore:
    """A county's score for a year, its rank and every point with its reason."""

    code: str
    name: str
    score: float = 0.0
    rank: int = 0
    points: list[Point] = field(default_factory=list)
    values: dict[str, Value] = field(default_factory=dict)

    def by_indicator(self, indicator: str) -> float:
        """Points earned on one indicator."""
        return round(sum(p.points for p in self.points if p.indicator == indicator), 2)


def _fmt(x: float | None) -> str:
    if x is None:
        return "—"
    return f"{x:g}" if float(x).is_integer() else f"{x:.2f}"


def score(
    scheme: Scheme,
    counties: list[tuple[str, str]],
    values: dict[str, dict[str, Value]],
    before: dict[str, dict[str, Value]],
) -> list[CountyScore]:
    """Score each county (code, name) from ``values[code][indicator]`` of the year and
    ``before`` (the year before); returns them best first with ranks (ties share a rank).

    >>> from ipcity.indicators.definitions import Value
    >>> s = Scheme("t", "P4.2", None, (Rule("invention_patents_in_force", 10, rank={"share": 1}),))
    >>> v = {"a": {"invention_patents_in_force": Value(5)}, "b": {"invention_patents_in_force": Value(3)}}
    >>> [(c.code, c.score, c.rank) for c in score(s, [("a", "A"), ("b", "B")], v, v)]
    [('a', 10.0, 1), ('b', 0.0, 2)]
    """
    results = {code: CountyScore(code, name) for code, name in counties}
    for rule in scheme.rules:
        for code in results:
            results[code].values[rule.indicator] = values.get(code, {}).get(rule.indicator, Value(None))
        if rule.attainment:
            _attainment(rule, results, values)
        if rule.growth:
            _growth(rule, results, values, before)
        if rule.rank:
            _rank(rule, results, values)
    ordered = sorted(results.values(), key=lambda c: (-c.score, c.code))
    for c in ordered:
        c.score = round(c.score, 2)
    for i, c in enumerate(ordered):
        c.rank = ordered[i - 1].rank if i and ordered[i - 1].score == c.score else i + 1
    return ordered


def _add(
    county: CountyScore, rule: Rule, part: str, points: float, max_points: float, reason: str, **params: Any
) -> None:
    points = round(points, 2)
    county.score += points
    county.points.append(
        Point(
            rule.indicator,
            part,
            points,
            round(max_points, 2),
            reason,
            {**params, "points": _fmt(points), "max": _fmt(max_points)},
        )
    )


def _missing(county: CountyScore, rule: Rule, part: str, max_points: float, value: Value) -> None:
    _add(county, rule, part, 0, max_points, MSG_NOT_ASSESSABLE, why=value, aspect=PART_LABELS[part])


def _attainment(rule: Rule, results: dict[str, CountyScore], values: dict[str, dict[str, Value]]) -> None:
    assert rule.attainment is not None
    max_points = rule.weight * float(rule.attainment["share"])
    target = float(rule.attainment["target"])
    for county in results.values():
        value = county.values[rule.indicator]
        if value.value is None:
            _missing(county, rule, "attainment", max_points, value)
            continue
        points = max_points * min(max(value.value, 0) / target, 1.0)
        _add(
            county,
            rule,
            "attainment",
            points,
            max_points,
            MSG_ATTAINMENT,
            value=_fmt(value.value),
            target=_fmt(target),
        )


def _growth(
    rule: Rule,
    results: dict[str, CountyScore],
    values: dict[str, dict[str, Value]],
    before: dict[str, dict[str, Value]],
) -> None:
    assert rule.growth is not None
    max_points = rule.weight * float(rule.growth["share"])
    full_at = float(rule.growth["full_at"])
    for code, county in results.items():
        value = county.values[rule.indicator]
        previous = before.get(code, {}).get(rule.indicator, Value(None))
        if value.value is None:
            _missing(county, rule, "growth", max_points, value)
            continue
        if not previous.value:
            _add(county, rule, "growth", 0, max_points, MSG_GROWTH_NO_BASE, before=_fmt(previous.value))
            continue
        growth = (value.value - previous.value) * 100 / previous.value
        points = max_points * min(max(growth, 0) / full_at, 1.0)
        _add(
            county,
            rule,
            "growth",
            points,
            max_points,
            MSG_GROWTH,
            before=_fmt(previous.value),
            value=_fmt(value.value),
            growth=f"{growth:.1f}",
            full_at=_fmt(full_at),
        )


def _rank(rule: Rule, results: dict[str, CountyScore], values: dict[str, dict[str, Value]]) -> None:
    assert rule.rank is not None
    max_points = rule.weight * float(rule.rank["share"])
    ranked = sorted(
        (
            (county.values[rule.indicator].value, code)
            for code, county in results.items()
            if county.values[rule.indicator].value is not None
        ),
        key=lambda x: -float(x[0] or 0),
    )
    n = len(ranked)
    for county in results.values():
        value = county.values[rule.indicator]
        if value.value is None:
            _missing(county, rule, "rank", max_points, value)
            continue
        better = sum(1 for v, _ in ranked if float(v or 0) > value.value)
        position = better + 1
        points = max_points if n == 1 else max_points * (n - position) / (n - 1)
        _add(county, rule, "rank", points, max_points, MSG_RANK, n=n, rank=position)
