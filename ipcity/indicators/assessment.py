"""The county assessment (P4.2): weights and scoring rules from ``assessment/<city>.yaml``,
applied to indicator values of each county for a year and the year before — pure.

Every point comes with its reason (a message id with parameters), so that the table an
office sends says why each county got what it got.

Arithmetic is decimal and rounds half up to two places (Chinese practice: 3.125 → 3.13),
never binary floats with banker's rounding.

**What cannot be assessed is left out, never scored 0.** A part of an indicator
(attainment, growth, rank) that cannot be computed for a county — the value is not
assessable (no resident population for the per-10k ratio), or the year before's is, for
growth — earns nothing *and counts for nothing*: that county's other parts are scaled up
so that its full score stays the scheme's total (a county is not marked down for data the
platform lacks). An indicator no county can be assessed on thus drops out for all of them
and the rest is re-weighted alike; the assessment says so in a note (:func:`scheme_notes`)
and each county's reasons say so too. A growth from a year-before value of 0 is a real
value, not missing data: something from nothing earns the growth's full points, nothing
from nothing earns 0, each with its reason. A rank where every county has the same value
ranks no one: it is left out for all (all 0 would otherwise earn every county the rank's
full points).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from ipcity.errors import ValidationFailed, first_line
from ipcity.indicators.definitions import BY_ID, MSG_NO_POPULATION, Indicator, Value

MSG_ASSESSMENT_FILE = "考核文件 {file}：{reason}"
MSG_BAD_ITEM = "第 {index} 项无效：{problem}"
MSG_SHARES = "第 {index} 项（{indicator}）各部分份额之和应为1，实为 {total}"

MSG_ATTAINMENT = "达标：{value} / 目标 {target}，得 {points} 分（满分 {max}）"
MSG_GROWTH = "增长：{before} → {value}，增长 {growth}%（{full_at}% 得满分），得 {points} 分（满分 {max}）"
MSG_GROWTH_NONE_EITHER_YEAR = "增长：上年、本年均为 0，没有增长，得 {points} 分（满分 {max}）"
MSG_GROWTH_FROM_NOTHING = "增长：上年为 0，本年为 {value}，从无到有，得 {points} 分（满分 {max}）"
MSG_RANK_ALL_EQUAL = "{n} 个县区的数值均为 {value}，无从排名"
MSG_RANK = "排名：{n} 个县区中第 {rank}，得 {points} 分（满分 {max}）"
# A part left out: the reason (itself a sentence, which may hold brackets) after a colon at
# the end, never inside brackets of its own.
MSG_LEFT_OUT = "无法评估，{aspect}不计分（原满分 {max}，由可评估的内容按比例分摊）。原因：{why}"
MSG_LEFT_OUT_BEFORE = "上年值无法评估，{aspect}不计分（原满分 {max}，由可评估的内容按比例分摊）。原因：{why}"
MSG_REWEIGHTED = "本县区有 {left} 分的考核内容无法评估，不计分；其余 {rest} 分的内容按 {total}/{rest} 折算，满分仍为 {total} 分"
MSG_NOTHING_ASSESSABLE = "本县区没有可评估的考核内容，总分为 0"
MSG_LEFT_OUT_ALL = "“{indicator}”（权重 {weight}）对所有县区均无法评估（{why}），不计分"
MSG_PART_LEFT_OUT_ALL = "“{indicator}”的{aspect}部分（{points} 分）对所有县区均无法评估（{why}），不计分"
MSG_REWEIGHTED_ALL = "其余 {rest} 分的考核内容按 {total}/{rest} 折算，满分仍为 {total} 分"
MSG_LEFT_OUT_SOME = "部分县区另有无法评估的考核内容：该内容对该县区不计分，该县区其余内容按比例折算，满分仍为 {total} 分（见各县区得分依据）"
MSG_NO_POPULATION_COUNTIES = "各县区{year}年均无常住人口数据"
PART_LABELS = {"attainment": "达标", "growth": "增长", "rank": "排名"}

CENT = Decimal("0.01")


def half_up(x: Decimal | float | int, places: int = 2) -> Decimal:
    """``x`` rounded half up to ``places`` decimals (a float is read as the decimal it prints).

    >>> half_up(Decimal(5) / 8 * 5), half_up(2.675), half_up(0.125, 1)
    (Decimal('3.13'), Decimal('2.68'), Decimal('0.1'))
    """
    exact = x if isinstance(x, Decimal) else Decimal(str(x))
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def fmt_points(x: Decimal | float | int) -> str:
    """A score as every page, workbook and report shows it: two decimals, half up.

    >>> fmt_points(20), fmt_points(3.125), fmt_points(Decimal("0"))
    ('20.00', '3.13', '0.00')
    """
    return f"{half_up(x):.2f}"


@dataclass(frozen=True)
class Rule:
    """How one indicator earns points."""

    indicator: str
    weight: float
    attainment: dict[str, float] | None = None
    growth: dict[str, float] | None = None
    rank: dict[str, float] | None = None

    def parts(self) -> list[tuple[str, dict[str, float]]]:
        """``(part, its settings)`` in the order points are given."""
        found = (("attainment", self.attainment), ("growth", self.growth), ("rank", self.rank))
        return [(name, settings) for name, settings in found if settings]


@dataclass(frozen=True)
class Scheme:
    """An assessment file: its name and note in Chinese, and in English where given."""

    name: str
    clause: str
    note: str | None
    rules: tuple[Rule, ...]
    name_en: str | None = None
    note_en: str | None = None

    @property
    def total_weight(self) -> float:
        """The highest score a county can reach."""
        return sum(r.weight for r in self.rules)

    def label(self, locale: str = "zh_CN") -> str:
        """The scheme's name in ``locale`` (Chinese where no English name is given)."""
        return self.name_en if locale.startswith("en") and self.name_en else self.name

    def note_text(self, locale: str = "zh_CN") -> str | None:
        """The scheme's note for readers, in ``locale``."""
        return self.note_en if locale.startswith("en") and self.note_en else self.note


SCHEME_FIELDS = ("name", "name_en", "clause", "note", "note_en", "items")


def parse_scheme(text: str, file: str) -> Scheme:
    """Read an assessment scheme; refuses unknown indicators, parts and shares not adding to 1."""

    def refuse(reason: str, **params: Any) -> ValidationFailed:
        from ipcity.i18n import gettext

        return ValidationFailed(MSG_ASSESSMENT_FILE, file=file, reason=gettext(reason).format(**params))

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise refuse(MSG_BAD_ITEM, index=0, problem=first_line(exc)) from None
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise refuse(MSG_BAD_ITEM, index=0, problem="items")
    unknown_top = set(data) - set(SCHEME_FIELDS)
    if unknown_top:
        raise refuse(MSG_BAD_ITEM, index=0, problem=", ".join(sorted(unknown_top)))
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

    def optional(key: str) -> str | None:
        return str(data[key]) if data.get(key) is not None else None

    return Scheme(
        str(data.get("name", "")),
        str(data.get("clause", "P4.2")),
        optional("note"),
        tuple(rules),
        optional("name_en"),
        optional("note_en"),
    )


def load_scheme(path: str | Path | None = None) -> Scheme:
    """The shipped ``assessment/hebi.yaml`` (or another file)."""
    if path is None:
        text = (
            resources.files("ipcity.indicators").joinpath("assessment/hebi.yaml").read_text(encoding="utf-8")
        )
        return parse_scheme(text, "assessment/hebi.yaml")
    return parse_scheme(Path(path).read_text(encoding="utf-8"), Path(path).name)


def render(message: str, params: dict[str, Any], locale: str) -> str:
    """A message of the assessment in ``locale``: an indicator parameter by its name, a
    :class:`Value` by why it is not assessable, text by its translation."""
    from ipcity.i18n import gettext

    def one(v: Any) -> Any:
        if isinstance(v, Indicator):
            return v.name(locale)
        if isinstance(v, Value):
            return v.reason_text(locale) or "—"
        if isinstance(v, tuple):  # several labels: a list in the reader's language
            return (", " if locale.startswith("en") else "、").join(gettext(x, locale) for x in v)
        return gettext(v, locale) if isinstance(v, str) else v

    values = {k: one(v) for k, v in params.items()}
    if locale.startswith("en") and isinstance(values.get("aspect"), str):
        values["aspect"] = values["aspect"].lower()  # mid-sentence ("rank is left out"), not a header
    return gettext(message, locale).format(**values)


@dataclass(frozen=True)
class Note:
    """A sentence about the assessment as a whole or about one county (what was left out,
    how the rest was re-weighted)."""

    message: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self, locale: str = "zh_CN") -> str:
        """The sentence in ``locale``."""
        return render(self.message, self.params, locale)


@dataclass(frozen=True)
class Point:
    """Points earned by one part of one indicator, and why. ``counted`` is False for a part
    left out (it could not be assessed): then ``points`` and ``max_points`` are 0 and the
    reason says what its points were."""

    indicator: str
    part: str
    points: float
    max_points: float
    reason: str
    params: dict[str, Any]
    counted: bool = True

    def text(self, locale: str = "zh_CN") -> str:
        """The reason in ``locale``."""
        return render(self.reason, self.params, locale)


@dataclass
class CountyScore:
    """A county's score for a year, its rank, every point with its reason, and notes on
    what was left out and re-weighted."""

    code: str
    name: str
    score: float = 0.0
    rank: int = 0
    points: list[Point] = field(default_factory=list)
    values: dict[str, Value] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)

    def by_indicator(self, indicator: str) -> float:
        """Points earned on one indicator (the sum of its parts as shown, two decimals)."""
        return float(
            sum((Decimal(str(p.points)) for p in self.points if p.indicator == indicator), Decimal(0))
        )

    def counts(self, indicator: str) -> bool:
        """Whether any part of the indicator was assessed for this county."""
        return any(p.counted for p in self.points if p.indicator == indicator)

    def max_of(self, indicator: str) -> float:
        """The indicator's full points for this county after re-weighting."""
        return float(
            sum((Decimal(str(p.max_points)) for p in self.points if p.indicator == indicator), Decimal(0))
        )


def _fmt(x: float | Decimal | None) -> str:
    """A value or a weight in a reason: as short as it is exact, at most two decimals.

    >>> _fmt(25.0), _fmt(Decimal("75.00")), _fmt(12.5), _fmt(Decimal(1) / 3), _fmt(None)
    ('25', '75', '12.5', '0.33', '—')
    """
    if x is None:
        return "—"
    d = half_up(x)
    return str(int(d)) if d == d.to_integral_value() else f"{d:f}".rstrip("0")


def _dec(x: float | int) -> Decimal:
    return Decimal(str(x))


@dataclass
class _Part:
    """One part of one rule for one county before the points are given: the share of its
    full points earned (``ratio``; None: left out) and the reason, less the points."""

    rule: Rule
    part: str
    max_points: Decimal
    ratio: Decimal | None
    reason: str
    params: dict[str, Any]


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
    parts: dict[str, list[_Part]] = {code: [] for code in results}
    for rule in scheme.rules:
        for code in results:
            results[code].values[rule.indicator] = values.get(code, {}).get(rule.indicator, Value(None))
        for part, settings in rule.parts():
            maximum = _dec(rule.weight) * _dec(settings["share"])
            for code, found in _PARTS[part](rule, settings, results, before).items():
                ratio, reason, params = found
                parts[code].append(_Part(rule, part, maximum, ratio, reason, params))
    total = half_up(_dec(scheme.total_weight))
    for code, county in results.items():
        _give_points(county, parts[code], total)
    ordered = sorted(results.values(), key=lambda c: (-c.score, c.code))
    for i, c in enumerate(ordered):
        c.rank = ordered[i - 1].rank if i and ordered[i - 1].score == c.score else i + 1
    return ordered


def _give_points(county: CountyScore, parts: list[_Part], total: Decimal) -> None:
    """Each counted part's full points scaled so that the counted parts share the whole
    total, then the points of each part, rounded half up; the score is their sum, so the
    table adds up. The scaled full points are apportioned to the cent so that full marks
    make exactly the total: first each indicator's (largest remainder first), then within
    it its parts' — an indicator's re-weighted total is the same for every county it is
    counted for in full."""
    counted = [p for p in parts if p.ratio is not None]
    assessable = sum((p.max_points for p in counted), Decimal(0))
    scaled: dict[int, Decimal] = {}
    if assessable:
        rules = list(dict.fromkeys(p.rule.indicator for p in counted))
        of_rule = {r: [p for p in counted if p.rule.indicator == r] for r in rules}
        exact = [sum((p.max_points for p in of_rule[r]), Decimal(0)) * total / assessable for r in rules]
        for rule, amount in zip(rules, _apportion(exact, total), strict=True):
            own = of_rule[rule]
            whole = sum((p.max_points for p in own), Decimal(0))
            # A part may have a share of 0: it has no points to scale.
            shares = (
                _apportion([p.max_points * amount / whole for p in own], amount)
                if whole
                else [whole] * len(own)
            )
            scaled.update(zip((id(p) for p in own), shares, strict=True))
    score = Decimal(0)
    for p in parts:
        if p.ratio is None:
            params = {**p.params, "aspect": PART_LABELS[p.part], "max": fmt_points(p.max_points)}
            county.points.append(Point(p.rule.indicator, p.part, 0.0, 0.0, p.reason, params, counted=False))
            continue
        maximum = scaled[id(p)]
        points = half_up(maximum * p.ratio)
        score += points
        params = {**p.params, "points": fmt_points(points), "max": fmt_points(maximum)}
        county.points.append(Point(p.rule.indicator, p.part, float(points), float(maximum), p.reason, params))
    county.score = float(score)
    if not counted:
        county.notes.append(Note(MSG_NOTHING_ASSESSABLE))
    elif assessable != total:
        left = total - assessable
        county.notes.append(
            Note(MSG_REWEIGHTED, {"left": _fmt(left), "rest": _fmt(assessable), "total": _fmt(total)})
        )


def _apportion(exact: list[Decimal], total: Decimal) -> list[Decimal]:
    """``exact`` amounts (adding up to ``total``) rounded to the cent so that they still
    add up to ``total``: each rounded down, the cents left given one each to the largest
    remainders (the first of equal ones).

    >>> _apportion([Decimal(100) / 3] * 3, Decimal(100))
    [Decimal('33.34'), Decimal('33.33'), Decimal('33.33')]
    """
    floors = [x.quantize(CENT, rounding=ROUND_DOWN) for x in exact]
    left = int((total - sum(floors, Decimal(0))) / CENT)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[: max(left, 0)]:
        floors[i] += CENT
    return floors


Found = dict[str, tuple[Decimal | None, str, dict[str, Any]]]


def _left_out(value: Value) -> tuple[None, str, dict[str, Any]]:
    return None, MSG_LEFT_OUT, {"why": value}


def _attainment(
    rule: Rule,
    settings: dict[str, float],
    results: dict[str, CountyScore],
    before: dict[str, dict[str, Value]],
) -> Found:
    target = _dec(settings["target"])
    out: Found = {}
    for code, county in results.items():
        value = county.values[rule.indicator]
        if value.value is None:
            out[code] = _left_out(value)
            continue
        ratio = min(max(_dec(value.value), Decimal(0)) / target, Decimal(1))
        out[code] = (ratio, MSG_ATTAINMENT, {"value": _fmt(value.value), "target": _fmt(target)})
    return out


def _growth(
    rule: Rule,
    settings: dict[str, float],
    results: dict[str, CountyScore],
    before: dict[str, dict[str, Value]],
) -> Found:
    full_at = _dec(settings["full_at"])
    out: Found = {}
    for code, county in results.items():
        value = county.values[rule.indicator]
        previous = before.get(code, {}).get(rule.indicator, Value(None))
        if value.value is None:
            out[code] = _left_out(value)
        elif previous.value is None:
            # No figure for the year before (no population then): missing data, not a result.
            out[code] = (None, MSG_LEFT_OUT_BEFORE, {"why": previous})
        elif previous.value == 0:
            # From nothing: no rate, but the direction is plain. Something from nothing
            # outgrows any rate the scheme asks for (full points); nothing from nothing is no
            # growth (0). Either way a figure, not missing data.
            if value.value > 0:
                out[code] = (Decimal(1), MSG_GROWTH_FROM_NOTHING, {"value": _fmt(value.value)})
            else:
                out[code] = (Decimal(0), MSG_GROWTH_NONE_EITHER_YEAR, {})
        else:
            growth = (_dec(value.value) - _dec(previous.value)) * 100 / _dec(previous.value)
            ratio = min(max(growth, Decimal(0)) / full_at, Decimal(1))
            out[code] = (
                ratio,
                MSG_GROWTH,
                {
                    "before": _fmt(previous.value),
                    "value": _fmt(value.value),
                    "growth": f"{half_up(growth, 1):.1f}",
                    "full_at": _fmt(full_at),
                },
            )
    return out


def _rank(
    rule: Rule,
    settings: dict[str, float],
    results: dict[str, CountyScore],
    before: dict[str, dict[str, Value]],
) -> Found:
    ranked = [
        _dec(c.values[rule.indicator].value or 0)
        for c in results.values()
        if c.values[rule.indicator].assessable
    ]
    n = len(ranked)
    # Every county on one value (all 0 in a year before any grant): a rank would place each
    # first and give all of them the rank's points for nothing. The part ranks no one, so
    # it is left out for all and re-weighted like any part no county can be assessed on.
    all_equal = n > 1 and len(set(ranked)) == 1
    out: Found = {}
    for code, county in results.items():
        value = county.values[rule.indicator]
        if value.value is None:
            out[code] = _left_out(value)
            continue
        if all_equal:
            why = Value(None, MSG_RANK_ALL_EQUAL, params={"n": n, "value": _fmt(value.value)})
            out[code] = _left_out(why)
            continue
        position = sum(1 for v in ranked if v > _dec(value.value)) + 1
        ratio = Decimal(1) if n == 1 else Decimal(n - position) / Decimal(n - 1)
        out[code] = (ratio, MSG_RANK, {"n": n, "rank": position})
    return out


_PARTS = {"attainment": _attainment, "growth": _growth, "rank": _rank}


def scheme_notes(scheme: Scheme, scores: list[CountyScore], year: int | None = None) -> list[Note]:
    """What the assessment as a whole left out and how it re-weighted the rest: each
    indicator (or part of one) no county could be assessed on, the scaling of the rest to the
    full score, and whether some counties had further parts left out. Empty when every part
    was assessed for every county."""
    if not scores:
        return []
    total = half_up(_dec(scheme.total_weight))
    notes: list[Note] = []
    left_for_all = Decimal(0)
    everywhere: set[tuple[str, str]] = set()
    for rule in scheme.rules:
        parts = rule.parts()
        gone = [
            (part, settings)
            for part, settings in parts
            if all(
                not p.counted
                for c in scores
                for p in c.points
                if (p.indicator, p.part) == (rule.indicator, part)
            )
        ]
        if not gone:
            continue
        everywhere |= {(rule.indicator, part) for part, _ in gone}
        why = _why_for_all(scores[0], rule.indicator, gone[0][0], year)
        points = sum((_dec(rule.weight) * _dec(s["share"]) for _, s in gone), Decimal(0))
        left_for_all += points
        indicator = BY_ID[rule.indicator]
        if len(gone) == len(parts):
            notes.append(
                Note(MSG_LEFT_OUT_ALL, {"indicator": indicator, "weight": _fmt(rule.weight), "why": why})
            )
        else:
            aspect = tuple(PART_LABELS[part] for part, _ in gone)
            notes.append(
                Note(
                    MSG_PART_LEFT_OUT_ALL,
                    {"indicator": indicator, "aspect": aspect, "points": _fmt(points), "why": why},
                )
            )
    if left_for_all:
        notes.append(Note(MSG_REWEIGHTED_ALL, {"rest": _fmt(total - left_for_all), "total": _fmt(total)}))
    if any(not p.counted and (p.indicator, p.part) not in everywhere for c in scores for p in c.points):
        notes.append(Note(MSG_LEFT_OUT_SOME, {"total": _fmt(total)}))
    return notes


def _why_for_all(county: CountyScore, indicator: str, part: str, year: int | None) -> Value:
    """Why a part could be assessed for no county, in words that fit them all: a missing
    population is said once for every county; any other reason is the first county's."""
    point = next(p for p in county.points if (p.indicator, p.part) == (indicator, part))
    why = point.params.get("why")
    value = why if isinstance(why, Value) else Value(None)
    if value.reason == MSG_NO_POPULATION:
        return Value(None, MSG_NO_POPULATION_COUNTIES, params={"year": value.params.get("year", year)})
    return value


def weights_after(scheme: Scheme, scores: list[CountyScore]) -> dict[str, float | None]:
    """Each indicator's full points after re-weighting where every county has the same
    (None where they differ): what the table's header shows beside the weight."""
    out: dict[str, float | None] = {}
    for rule in scheme.rules:
        seen = {c.max_of(rule.indicator) for c in scores}
        out[rule.indicator] = seen.pop() if len(seen) == 1 else None
    return out
