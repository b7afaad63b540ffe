"""Read a policy file (``rules/<city>-<year>.yaml``) into a :class:`Policy`, refusing — with
the file, the line and the reason — anything that would make an amount wrong or untraceable:
an unknown clause id, a missing parameter, overlapping date ranges, an unknown formula.

Pure: no database or web import.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from ipcity.errors import InvalidFile
from ipcity.policy.clauses import CLAUSES
from ipcity.policy.formulas import FORMULAS, OBJECTS, Formula
from ipcity.policy.parameters import DatedValue, Parameter, overlap
from ipcity.policy.yamlmarks import MarkedDict, MarkedList, YamlSyntaxError, read_marked

RULES_DIR = Path(__file__).resolve().parent / "rules"
DEFAULT_POLICY = RULES_DIR / "hebi-2017.yaml"

PARAMETER_KEYS = {"clause", "description", "description_en", "unit", "values"}
VALUE_KEYS = {"from", "until", "value"}
RULE_KEYS = {"id", "clause", "title", "title_en", "object", "formula", "parameters", "limits"}
LIMIT_KEYS = {"once_per_object", "once_per_holder", "cap_per_holder_year"}


class PolicyFileError(InvalidFile):
    """A policy or scenario file that cannot be used; says the file, the line and why."""

    code = "invalid_policy_file"

    def __init__(self, message: str, /, *, file: str, line: int, **params: Any) -> None:
        super().__init__(message, file=file, line=line, **params)
        self.file = file
        self.line = line


@dataclass(frozen=True)
class Limits:
    """How often a rule pays: once per object, once per holder ever, a cap per holder and year.

    ``once_per_object`` (the default): an object is paid once ever, whatever the year (the
    payment key is the rule and the object); false: once per object and year (the key adds
    the year), for an item a city pays yearly.
    """

    once_per_object: bool = True
    once_per_holder: bool = False
    cap_per_holder_year: str | None = None  # a parameter id


@dataclass(frozen=True)
class Rule:
    """A rule: its clause, the kind of object it pays for, its formula and parameter bindings."""

    id: str
    clause: str
    title: str
    title_en: str
    object: str
    formula: Formula
    inputs: dict[str, str]  # formula input -> parameter id
    limits: Limits
    line: int = 0


@dataclass(frozen=True)
class Priority:
    """Who goes first when a budget runs short (P2.1-f): holders carrying one of these tags."""

    clause: str
    holder_tags: tuple[str, ...]

    def applies_to(self, tags: list[str] | None) -> bool:
        """Whether a holder with ``tags`` is in the priority group."""
        return any(t in self.holder_tags for t in tags or ())


@dataclass(frozen=True)
class Policy:
    """A loaded policy file."""

    id: str
    title: str
    city: str
    parameters: dict[str, Parameter]
    rules: tuple[Rule, ...]
    file: str = ""
    rules_by_id: dict[str, Rule] = field(default_factory=dict)
    priority: Priority | None = None
    title_en: str = ""

    def title_in(self, locale: str) -> str:
        """The policy's title in ``locale``'s words (the Chinese where no English is given)."""
        return self.title_en if locale.startswith("en") and self.title_en else self.title

    def rule(self, rule_id: str) -> Rule | None:
        """The rule of an id (``None`` when the policy has none)."""
        return self.rules_by_id.get(rule_id)

    def sources(self, rules: Iterable[str] | None = None) -> set[str]:
        """The candidate sources the named rules (ids or clause ids; all when ``None``) read."""
        wanted = set(rules) if rules is not None else None
        return {
            r.formula.source for r in self.rules if wanted is None or r.id in wanted or r.clause in wanted
        }

    def values_of_input(self, formula_name: str, input_name: str) -> set[int]:
        """Every value ever given to ``input_name`` of the rules using ``formula_name``."""
        found: set[int] = set()
        for r in self.rules:
            if r.formula.name == formula_name and input_name in r.inputs:
                found |= {
                    v.value for v in self.parameters[r.inputs[input_name]].values if v.value is not None
                }
        return found


def _fail(file: str, line: int, message: str, **params: Any) -> PolicyFileError:
    return PolicyFileError(message, file=file, line=line, **params)


def _date(value: Any, file: str, line: int, key: str) -> date:
    if isinstance(value, date):
        return value
    raise _fail(
        file,
        line,
        "{file} 第 {line} 行：{key} 应为日期（如 2017-09-30），实际为“{value}”",
        key=key,
        value=value,
    )


def refuse_unknown_keys(node: MarkedDict, allowed: set[str], file: str) -> None:
    """Refuse a mapping with a key outside ``allowed``, naming the file and the line."""
    for key in node:
        if key not in allowed:
            raise _fail(
                file,
                node.line_of(key),
                "{file} 第 {line} 行：未知的字段“{key}”，应为 {allowed} 之一",
                key=key,
                allowed="、".join(sorted(allowed)),
            )


def _clause(value: Any, file: str, line: int) -> str:
    if not isinstance(value, str) or value not in CLAUSES:
        raise _fail(
            file,
            line,
            "{file} 第 {line} 行：未知的条款编号“{clause}”，应为 PROVISIONS.md 第1节的编号（如 P2.1-a）",
            clause=value,
        )
    return value


def parse_parameter(pid: str, node: Any, file: str, line: int) -> Parameter:
    """One parameter entry of the file (refuses overlapping date ranges)."""
    if not isinstance(node, MarkedDict):
        raise _fail(file, line, "{file} 第 {line} 行：参数“{name}”应为包含 clause 和 values 的映射", name=pid)
    refuse_unknown_keys(node, PARAMETER_KEYS, file)
    clause = _clause(node.get("clause"), file, node.line_of("clause"))
    raw_values = node.get("values")
    if not isinstance(raw_values, MarkedList) or not raw_values:
        raise _fail(
            file,
            node.line_of("values"),
            "{file} 第 {line} 行：参数“{name}”缺少 values（带起始日期的取值列表）",
            name=pid,
        )
    values: list[DatedValue] = []
    for i, item in enumerate(raw_values):
        at = raw_values.line_of(i)
        if not isinstance(item, MarkedDict) or "from" not in item or "value" not in item:
            raise _fail(
                file,
                at,
                "{file} 第 {line} 行：参数“{name}”的每个取值应有 from（日期）和 value（整数或留空）",
                name=pid,
            )
        refuse_unknown_keys(item, VALUE_KEYS, file)
        start = _date(item["from"], file, item.line_of("from"), "from")
        end = (
            _date(item["until"], file, item.line_of("until"), "until")
            if item.get("until") is not None
            else None
        )
        if end is not None and end < start:
            raise _fail(
                file,
                item.line_of("until"),
                "{file} 第 {line} 行：until（{end}）早于 from（{start}）",
                end=end,
                start=start,
            )
        value = item["value"]
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise _fail(
                file,
                item.line_of("value"),
                "{file} 第 {line} 行：参数“{name}”的值应为非负整数（元或百分数）或留空，实际为“{value}”",
                name=pid,
                value=value,
            )
        values.append(DatedValue(start, end, value, at))
    ordered = sorted(values, key=lambda v: v.start)
    for a, b in itertools.pairwise(ordered):
        if overlap(a, b):
            raise _fail(
                file,
                b.line,
                "{file} 第 {line} 行：参数“{name}”自 {start} 起的取值与第 {other} 行的取值日期范围重叠",
                name=pid,
                start=b.start,
                other=a.line,
            )
    return Parameter(
        pid,
        clause,
        str(node.get("description") or ""),
        str(node.get("unit") or "yuan"),
        tuple(ordered),
        str(node.get("description_en") or ""),
    )


def _limits(node: Any, parameters: dict[str, Parameter], file: str, line: int) -> Limits:
    if node is None:
        return Limits()
    if not isinstance(node, MarkedDict):
        raise _fail(file, line, "{file} 第 {line} 行：limits 应为映射")
    refuse_unknown_keys(node, LIMIT_KEYS, file)
    cap = node.get("cap_per_holder_year")
    if cap is not None and cap not in parameters:
        raise _fail(
            file,
            node.line_of("cap_per_holder_year"),
            "{file} 第 {line} 行：缺少参数“{name}”（未在 parameters 中定义）",
            name=cap,
        )
    flags = {}
    for key, default in (("once_per_object", True), ("once_per_holder", False)):
        value = node.get(key, default)
        if not isinstance(value, bool):
            # "false" in quotes is a non-empty string: bool() would read it as true.
            raise _fail(
                file,
                node.line_of(key),
                "{file} 第 {line} 行：{key} 应为 true 或 false（不加引号），实际为“{value}”",
                key=key,
                value=value,
            )
        flags[key] = value
    return Limits(
        once_per_object=flags["once_per_object"],
        once_per_holder=flags["once_per_holder"],
        cap_per_holder_year=cap,
    )


def _same_clause(parameter: Parameter, rule_id: str, clause: str, file: str, line: int) -> None:
    """Refuse a parameter of another clause bound to a rule: every yuan a rule computes must
    trace to the rule's own clause (a PCT rule bound to the gold-award amount would pay
    500,000 per application, citing the wrong clause)."""
    if parameter.clause != clause:
        raise _fail(
            file,
            line,
            "{file} 第 {line} 行：参数“{name}”属于条款 {other}，而规则“{rule}”的条款是 {clause}；规则只能使用本条款的参数",
            name=parameter.id,
            other=parameter.clause,
            rule=rule_id,
            clause=clause,
        )


def parse_rule(node: Any, parameters: dict[str, Parameter], file: str, line: int) -> Rule:
    """One rule entry of the file."""
    if not isinstance(node, MarkedDict):
        raise _fail(
            file, line, "{file} 第 {line} 行：规则应为映射（id、clause、object、formula、parameters）"
        )
    refuse_unknown_keys(node, RULE_KEYS, file)
    for key in ("id", "clause", "object", "formula"):
        if not node.get(key):
            raise _fail(file, node.line, "{file} 第 {line} 行：规则缺少字段“{key}”", key=key)
    rule_id = str(node["id"])
    clause = _clause(node["clause"], file, node.line_of("clause"))
    if not CLAUSES[clause].pays_money:
        raise _fail(
            file,
            node.line_of("clause"),
            "{file} 第 {line} 行：条款 {clause} 不是资金项目，不能作为计算规则",
            clause=clause,
        )
    obj = node["object"]
    if obj not in OBJECTS:
        raise _fail(
            file,
            node.line_of("object"),
            "{file} 第 {line} 行：未知的对象“{value}”，应为 {allowed} 之一",
            value=obj,
            allowed="、".join(OBJECTS),
        )
    formula = FORMULAS.get(str(node["formula"]))
    if formula is None:
        raise _fail(
            file,
            node.line_of("formula"),
            "{file} 第 {line} 行：公式“{name}”不存在（formulas.py 中未注册）",
            name=node["formula"],
        )
    if formula.object != obj:
        raise _fail(
            file,
            node.line_of("formula"),
            "{file} 第 {line} 行：公式“{name}”计算的对象是 {expected}，规则写的是 {value}",
            name=formula.name,
            expected=formula.object,
            value=obj,
        )
    bindings = node.get("parameters") or MarkedDict()
    if not isinstance(bindings, MarkedDict):
        raise _fail(
            file, node.line_of("parameters"), "{file} 第 {line} 行：parameters 应为“公式输入: 参数名”的映射"
        )
    for name in formula.inputs:
        if name not in bindings:
            raise _fail(
                file,
                node.line_of("parameters"),
                "{file} 第 {line} 行：规则“{rule}”缺少公式输入“{name}”对应的参数",
                rule=rule_id,
                name=name,
            )
    for name, pid in bindings.items():
        if name not in formula.inputs:
            raise _fail(
                file,
                bindings.line_of(name),
                "{file} 第 {line} 行：公式“{formula}”没有输入“{name}”",
                formula=formula.name,
                name=name,
            )
        if pid not in parameters:
            raise _fail(
                file,
                bindings.line_of(name),
                "{file} 第 {line} 行：缺少参数“{name}”（未在 parameters 中定义）",
                name=pid,
            )
        _same_clause(parameters[pid], rule_id, clause, file, bindings.line_of(name))
    return Rule(
        id=rule_id,
        clause=clause,
        title=str(node.get("title") or CLAUSES[clause].rule),
        title_en=str(node.get("title_en") or node.get("title") or rule_id),
        object=obj,
        formula=formula,
        inputs={str(k): str(v) for k, v in bindings.items()},
        limits=_cap_of_clause(
            _limits(node.get("limits"), parameters, file, node.line_of("limits")),
            parameters,
            rule_id,
            clause,
            file,
            node,
        ),
        line=node.line,
    )


def _cap_of_clause(
    limits: Limits, parameters: dict[str, Parameter], rule_id: str, clause: str, file: str, node: MarkedDict
) -> Limits:
    """``limits``, once its cap parameter (if any) is found to be of the rule's clause."""
    if limits.cap_per_holder_year is not None:
        block = node.get("limits")
        line = block.line_of("cap_per_holder_year") if isinstance(block, MarkedDict) else node.line
        _same_clause(parameters[limits.cap_per_holder_year], rule_id, clause, file, line)
    return limits


def load_policy(path: Path | str = DEFAULT_POLICY) -> Policy:
    """Load and check a policy file; raises :class:`PolicyFileError` (file, line, reason)."""
    path = Path(path)
    file = path.name
    try:
        doc = read_marked(path)
    except YamlSyntaxError as exc:
        raise _fail(
            file, exc.line, "{file} 第 {line} 行：不是有效的YAML（{problem}）", problem=exc.problem
        ) from exc
    except OSError as exc:
        raise _fail(file, 0, "无法读取策略文件 {file}") from exc
    if not isinstance(doc, MarkedDict):
        raise _fail(file, 1, "{file} 第 {line} 行：策略文件应为包含 parameters 和 rules 的映射")
    refuse_unknown_keys(doc, {"policy", "title", "title_en", "city", "parameters", "rules", "priority"}, file)
    raw_params = doc.get("parameters")
    if not isinstance(raw_params, MarkedDict):
        raise _fail(file, doc.line_of("parameters"), "{file} 第 {line} 行：缺少 parameters 映射")
    parameters = {
        str(pid): parse_parameter(str(pid), node, file, raw_params.line_of(pid))
        for pid, node in raw_params.items()
    }
    raw_rules = doc.get("rules")
    if not isinstance(raw_rules, MarkedList):
        raise _fail(file, doc.line_of("rules"), "{file} 第 {line} 行：缺少 rules 列表")
    rules: list[Rule] = []
    seen: dict[str, int] = {}
    for i, node in enumerate(raw_rules):
        rule = parse_rule(node, parameters, file, raw_rules.line_of(i))
        if rule.id in seen:
            raise _fail(
                file,
                rule.line,
                "{file} 第 {line} 行：规则编号“{rule}”与第 {other} 行重复",
                rule=rule.id,
                other=seen[rule.id],
            )
        seen[rule.id] = rule.line
        rules.append(rule)
    return Policy(
        id=str(doc.get("policy") or path.stem),
        title=str(doc.get("title") or path.stem),
        title_en=str(doc.get("title_en") or ""),
        city=str(doc.get("city") or "410600"),
        parameters=parameters,
        rules=tuple(rules),
        file=file,
        rules_by_id={r.id: r for r in rules},
        priority=_priority(doc.get("priority"), file, doc.line_of("priority")),
    )


def _priority(node: Any, file: str, line: int) -> Priority | None:
    """The ``priority`` section: ``{clause: P2.1-f, holder_tags: [孵化器在孵, 众创空间]}``."""
    if node is None:
        return None
    if not isinstance(node, MarkedDict):
        raise _fail(file, line, "{file} 第 {line} 行：priority 应为包含 clause 和 holder_tags 的映射")
    refuse_unknown_keys(node, {"clause", "holder_tags"}, file)
    clause = _clause(node.get("clause"), file, node.line_of("clause"))
    tags = node.get("holder_tags")
    if not isinstance(tags, list) or not tags or not all(isinstance(t, str) and t.strip() for t in tags):
        raise _fail(file, node.line_of("holder_tags"), "{file} 第 {line} 行：holder_tags 应为非空的标签列表")
    return Priority(clause=clause, holder_tags=tuple(t.strip() for t in tags))


@cache
def shipped_policy() -> Policy:
    """The shipped policy ``rules/hebi-2017.yaml`` (loaded once)."""
    return load_policy(DEFAULT_POLICY)


# The policy file a deployment names (IPCITY_POLICY_FILE): another city writes its own file,
# not code. Set by the web app and the CLI from their settings; None: the shipped policy.
_in_force: Policy | None = None


def use_policy_file(path: Path | str | None) -> Policy:
    """Make the policy of ``path`` the one in force (None: the shipped one) and return it.
    The file is loaded and checked now, so that a bad file stops the start with its file,
    line and reason (:class:`PolicyFileError`) instead of the first evaluation."""
    global _in_force
    _in_force = None if path is None else load_policy(path)
    return policy_in_force()


def policy_in_force() -> Policy:
    """The policy every evaluation, page and scenario run uses (see :func:`use_policy_file`)."""
    return _in_force if _in_force is not None else shipped_policy()
