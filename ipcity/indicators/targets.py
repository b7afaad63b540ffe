"""Target sets (``targets/<city>-<year>.yaml``) and progress towards them — pure.

The loader refuses a bad file with its name, the line and the reason; nothing is half
loaded. Progress: the share of the way from the baseline to the target, and a straight
line from the baseline through the current value, extended to the target date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ipcity.errors import ValidationFailed
from ipcity.indicators.definitions import BY_ID

MSG_TARGET_FILE = "目标文件 {file} 第 {line} 行：{reason}"
MSG_NOT_YAML = "不是合法的YAML（{problem}）"
MSG_NOT_MAPPING = "应为键值对（mapping）"
MSG_MISSING = "缺少字段“{field}”"
MSG_UNKNOWN_FIELD = "未知字段“{field}”，可用字段：{fields}"
MSG_UNKNOWN_INDICATOR = "未知指标“{value}”"
MSG_BAD_NUMBER = "“{field}”应为数字或留空（null），收到：{value}"
MSG_BAD_DATE = "“{field}”应为日期（YYYY-MM-DD），收到：{value}"
MSG_BAD_CLAUSE = "条款编号应形如 P1.2，收到：{value}"
MSG_BAD_CHOICE = "“{field}”应为 {expected} 之一，收到：{value}"
MSG_NO_TARGETS = "targets 应为非空列表"
MSG_DUPLICATE = "指标“{value}”的目标重复"
MSG_BASELINE_ORDER = "baseline_date 应早于 target_date"

TOP_FIELDS = (
    "city",
    "name",
    "name_en",
    "source",
    "target_date",
    "baseline_date",
    "attribution",
    "zones",
    "targets",
)
TARGET_FIELDS = ("indicator", "area", "target", "kind", "baseline", "clause", "quote")
ATTRIBUTIONS = ("first_holder",)

Status = Literal["achieved", "on_track", "behind", "missed", "reported", "not_assessable", "before_baseline"]
STATUS_LABELS = {
    "achieved": "已完成",
    "on_track": "按进度可完成",
    "behind": "进度落后",
    "missed": "未完成",
    "reported": "仅报告（无数量目标）",
    "not_assessable": "无法评估",
    "before_baseline": "基期之前，不计进度",
}


@dataclass(frozen=True)
class Target:
    """One target: reach ``target`` of ``indicator`` by the set's target date."""

    indicator: str
    target: float | None
    clause: str
    line: int
    area: Literal["city", "zones"] = "city"
    kind: Literal["level", "rate"] = "level"
    baseline: float | None = None
    quote: str | None = None


@dataclass(frozen=True)
class TargetSet:
    """A file of targets."""

    name: str
    city: str
    source: str | None
    target_date: date
    baseline_date: date
    attribution: str
    zones: tuple[str, ...]
    targets: tuple[Target, ...]
    file: str
    name_en: str | None = None  # the name in the English interface (optional)

    def label(self, locale: str = "zh_CN") -> str:
        """The target set's name in ``locale`` (Chinese where no English name is given)."""
        return self.name_en if locale.startswith("en") and self.name_en else self.name


class _Refusal(Exception):
    def __init__(self, line: int, reason: str, **params: Any) -> None:
        super().__init__(reason)
        self.line, self.reason, self.params = line, reason, params


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def _scalar(node: Node, field: str) -> Any:
    if not isinstance(node, ScalarNode):
        raise _Refusal(_line(node), MSG_BAD_CHOICE, field=field, expected="text", value="…")
    try:
        return yaml.safe_load(yaml.serialize(node))
    except (yaml.YAMLError, ValueError):
        return node.value  # a date-like text that is no date (2020-13-45): checked as text


def _mapping(node: Node, allowed: tuple[str, ...]) -> dict[str, Node]:
    if not isinstance(node, MappingNode):
        raise _Refusal(_line(node), MSG_NOT_MAPPING)
    out: dict[str, Node] = {}
    for key, value in node.value:
        name = str(key.value)
        if name not in allowed:
            raise _Refusal(_line(key), MSG_UNKNOWN_FIELD, field=name, fields=", ".join(allowed))
        out[name] = value
    return out


def _number(node: Node | None, field: str) -> float | None:
    if node is None:
        return None
    value = _scalar(node, field)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Refusal(_line(node), MSG_BAD_NUMBER, field=field, value=value)
    return float(value)


def _date(node: Node | None, field: str, parent: Node) -> date:
    if node is None:
        raise _Refusal(_line(parent), MSG_MISSING, field=field)
    value = _scalar(node, field)
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise _Refusal(_line(node), MSG_BAD_DATE, field=field, value=value) from None


def _choice(node: Node | None, field: str, choices: tuple[str, ...], default: str) -> str:
    if node is None:
        return default
    value = str(_scalar(node, field))
    if value not in choices:
        raise _Refusal(_line(node), MSG_BAD_CHOICE, field=field, expected=", ".join(choices), value=value)
    return value


def _target(node: Node) -> Target:
    fields = _mapping(node, TARGET_FIELDS)
    for required in ("indicator", "target", "clause"):
        if required not in fields:
            raise _Refusal(_line(node), MSG_MISSING, field=required)
    indicator = str(_scalar(fields["indicator"], "indicator"))
    if indicator not in BY_ID:
        raise _Refusal(_line(fields["indicator"]), MSG_UNKNOWN_INDICATOR, value=indicator)
    clause = str(_scalar(fields["clause"], "clause"))
    if not (
        clause.startswith("P") and clause[1:].replace(".", "").replace("-", "").isalnum() and "." in clause
    ):
        raise _Refusal(_line(fields["clause"]), MSG_BAD_CLAUSE, value=clause)
    quote = fields.get("quote")
    return Target(
        indicator=indicator,
        target=_number(fields["target"], "target"),
        clause=clause,
        line=_line(node),
        area=_choice(fields.get("area"), "area", ("city", "zones"), "city"),  # type: ignore[arg-type]
        kind=_choice(fields.get("kind"), "kind", ("level", "rate"), "level"),  # type: ignore[arg-type]
        baseline=_number(fields.get("baseline"), "baseline"),
        quote=str(_scalar(quote, "quote")) if quote is not None else None,
    )


def parse_targets(text: str, file: str) -> TargetSet:
    """Read a target set from YAML text; ``file`` names it in errors.

    Raises :class:`ValidationFailed` with the file, the line and the reason.
    """
    try:
        try:
            root = yaml.compose(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise _Refusal(
                mark.line + 1 if mark else 1, MSG_NOT_YAML, problem=getattr(exc, "problem", str(exc))
            ) from None
        if root is None:
            raise _Refusal(1, MSG_NOT_MAPPING)
        top = _mapping(root, TOP_FIELDS)
        for required in ("city", "name", "target_date", "baseline_date", "targets"):
            if required not in top:
                raise _Refusal(_line(root), MSG_MISSING, field=required)
        target_date = _date(top["target_date"], "target_date", root)
        baseline_date = _date(top["baseline_date"], "baseline_date", root)
        if baseline_date >= target_date:
            raise _Refusal(_line(top["baseline_date"]), MSG_BASELINE_ORDER)
        items = top["targets"]
        if not isinstance(items, SequenceNode) or not items.value:
            raise _Refusal(_line(items), MSG_NO_TARGETS)
        targets: list[Target] = []
        seen: set[tuple[str, str]] = set()
        for node in items.value:
            target = _target(node)
            if (target.indicator, target.area) in seen:
                raise _Refusal(target.line, MSG_DUPLICATE, value=target.indicator)
            seen.add((target.indicator, target.area))
            targets.append(target)
        zones_node = top.get("zones")
        zones = (
            tuple(str(_scalar(z, "zones")) for z in zones_node.value)
            if isinstance(zones_node, SequenceNode)
            else ()
        )
        source = top.get("source")
        name_en = top.get("name_en")
        return TargetSet(
            name=str(_scalar(top["name"], "name")),
            name_en=str(_scalar(name_en, "name_en")) if name_en is not None else None,
            city=str(_scalar(top["city"], "city")),
            source=str(_scalar(source, "source")) if source is not None else None,
            target_date=target_date,
            baseline_date=baseline_date,
            attribution=_choice(top.get("attribution"), "attribution", ATTRIBUTIONS, "first_holder"),
            zones=zones,
            targets=tuple(targets),
            file=file,
        )
    except _Refusal as refusal:
        from ipcity.i18n import gettext

        reason = gettext(refusal.reason).format(**refusal.params)
        raise ValidationFailed(MSG_TARGET_FILE, file=file, line=refusal.line, reason=reason) from None


def load_targets(path: str | Path | None = None) -> TargetSet:
    """The shipped ``targets/hebi-2020.yaml`` (or another file)."""
    if path is None:
        resource = resources.files("ipcity.indicators").joinpath("targets/hebi-2020.yaml")
        return parse_targets(resource.read_text(encoding="utf-8"), "targets/hebi-2020.yaml")
    file = Path(path)
    return parse_targets(file.read_text(encoding="utf-8"), file.name)


@dataclass(frozen=True)
class Progress:
    """Where a target stands on ``on``."""

    target: Target
    area_code: str
    baseline: float | None
    current: float | None
    on: date
    progress_pct: float | None
    projection: float | None
    status: Status


def half_up_pct(pct: float | None) -> float | None:
    """A progress rounded half up to one decimal, as a number (the API's).

    >>> half_up_pct(38.25), half_up_pct(None)
    (38.3, None)
    """
    if pct is None:
        return None
    return float(Decimal(str(pct)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def fmt_pct(pct: float | None) -> str:
    """A progress or a rate as pages show it: one decimal, half up.

    >>> fmt_pct((294 - 101) * 100 / (3000 - 101)), fmt_pct(7 * 100 / 18), fmt_pct(32), fmt_pct(None)
    ('6.7%', '38.9%', '32.0%', '—')
    """
    rounded = half_up_pct(pct)
    return "—" if rounded is None else f"{rounded:.1f}%"


def progress(
    target: Target,
    area_code: str,
    baseline: float | None,
    baseline_date: date,
    current: float | None,
    on: date,
    target_date: date,
) -> Progress:
    """Progress of ``target`` with ``current`` on ``on``.

    >>> t = Target("x", 10.0, "P1.2", 1)
    >>> p = progress(t, "410600", 2.0, date(2016, 12, 31), 6.0, date(2018, 12, 31), date(2020, 12, 31))
    >>> p.progress_pct, round(p.projection, 1), p.status
    (50.0, 10.0, 'on_track')
    >>> progress(t, "410600", 2.0, date(2016, 12, 31), 1.0, date(2014, 12, 31), date(2020, 12, 31)).status
    'before_baseline'
    """

    def result(pct: float | None, projection: float | None, status: Status) -> Progress:
        return Progress(target, area_code, baseline, current, on, pct, projection, status)

    if target.target is None:
        return result(None, None, "reported")
    if on < baseline_date:
        # A year before the baseline (the dashboard of 2014 for targets set in 2017 from a
        # 2016 baseline): progress from a later baseline, a projection or "achieved" would
        # judge the city on targets not yet set, so none is given.
        return result(None, None, "before_baseline")
    if current is None:
        return result(None, None, "not_assessable")
    goal = target.target
    # Progress is exact here; pages round it half up to one decimal (fmt_pct).
    if target.kind == "rate":
        pct = current * 100 / goal if goal else None
        return result(
            pct, current, "achieved" if current >= goal else ("behind" if on < target_date else "missed")
        )
    if baseline is not None and goal > baseline:
        pct = (current - baseline) * 100 / (goal - baseline)
    elif goal:
        # No baseline, or the target was reached before the baseline date (GI marks: 2 held
        # at the baseline, "a breakthrough" = 1): the share of the target held now, at most all.
        pct = min(current * 100 / goal, 100.0)
    else:
        pct = 100.0 if current >= goal else None
    if current >= goal:
        return result(pct, current, "achieved")
    if on >= target_date:
        return result(pct, current, "missed")
    projection: float | None = None
    if baseline is not None and on > baseline_date:
        slope = (current - baseline) / (on - baseline_date).days
        projection = current + slope * (target_date - on).days
    status: Status = "on_track" if projection is not None and projection >= goal else "behind"
    return result(pct, projection, status)
