"""Scenario tests in YAML, readable by an officer: a name, the year, the records going in
(holders, patents, PCT applications, awards, certificates, loans, policies, the dishonesty
list), optional parameter changes, and the entitlements expected out.

Pure: no database or web import. ``ipcity policy test`` and ``tests/policy`` run them.

``name_en`` and ``reading_en`` give the name and the reading in English for the English
interface (optional: where one is missing, the Chinese shows). A key given twice in a file
is refused, as is any key not listed in ``SCENARIO_KEYS``, and any value of the wrong kind
(a date that is no day, a negative or fractional amount, an unknown award level, a holder
list written as one name) with the file and the line. ``today`` (or ``reference_date``, its
other name) is the day the scenario is judged on: an object due later is ``not_due``.

A file::

    scenarios:
      - name: 共有专利只资助一次，给排序第一的本地权利人
        name_en: "A co-owned patent is paid once, to the first local holder in order"
        year: 2019
        rules: [P2.1-a]
        input:
          holders:
            - {name: 北京某公司, region: "110108"}
            - {name: 鹤壁甲公司, region: "410611"}
          patents:
            - {number: CN201710123456.0, type: invention, granted: 2019-05-07, holders: [北京某公司, 鹤壁甲公司]}
        expect:
          - {rule: P2.1-a, object: CN201710123456.0, holder: 鹤壁甲公司, amount: 4000, status: eligible}
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from ipcity.errors import InvalidNumber
from ipcity.i18n import Bilingual, gettext
from ipcity.policy.engine import Entitlement, evaluate
from ipcity.policy.formulas import AWARD_LABELS
from ipcity.policy.loader import (
    Policy,
    PolicyFileError,
    parse_parameter,
    policy_in_force,
    refuse_unknown_keys,
)
from ipcity.policy.snapshot import (
    AwardRec,
    CertificateRec,
    CreditRec,
    HolderRec,
    InsuranceRec,
    LoanCostRec,
    PatentRec,
    PctRec,
    Snapshot,
    SoftwareRec,
)
from ipcity.policy.yamlmarks import MarkedDict, MarkedList, YamlSyntaxError, read_marked
from ipcity.registry.numbers import parse_application_number

SCENARIOS_DIR = Path(__file__).resolve().parent / "scenarios"
# The kinds of holder and of patent a scenario may name (the registry's own).
HOLDER_KINDS = ("enterprise", "university", "institute", "individual", "other")
PATENT_TYPES = ("invention", "utility_model", "design")
SCENARIO_KEYS = {
    "name",
    "name_en",
    "reading",
    "reading_en",
    "year",
    "reference_date",
    "today",
    "rules",
    "parameters",
    "input",
    "expect",
}
INPUT_KEYS = {
    "holders",
    "patents",
    "pct_applications",
    "awards",
    "certificates",
    "loan_costs",
    "insurance_policies",
    "software",
    "credit_list",
}
# The fields each kind of input record may have: a misspelt one ("annuities_payd") is refused
# at load with its line, never read as absent (the scenario would then fail for a reason its
# reader cannot see).
RECORD_KEYS = {
    "holders": {"name", "region", "kind"},
    "patents": {
        "number",
        "type",
        "jurisdiction",
        "title",
        "filed",
        "granted",
        "lapsed",
        "invalidated",
        "restored",
        "holders",
        "annuities_paid",
    },
    "pct_applications": {"number", "applicants", "filed", "search_report"},
    "awards": {"holder", "patent", "level", "date"},
    "certificates": {"holder", "number", "issued", "certifier"},
    "loan_costs": {"holder", "contract", "year", "interest", "valuation", "guarantee", "insurance"},
    "insurance_policies": {"holder", "policy", "patent", "premium", "start"},
    "software": {"holder", "number", "registered"},
    "credit_list": {"holder", "listed", "reason", "expires", "removed"},
}
# What each kind of input record is, as a rule page heads its table.
INPUT_LABELS = {
    "holders": "权利人",
    "patents": "专利",
    "pct_applications": "PCT国际申请",
    "awards": "专利奖",
    "certificates": "贯标认证证书",
    "loan_costs": "质押贷款费用",
    "insurance_policies": "专利保险保单",
    "software": "软件著作权登记",
    "credit_list": "失信名单",
}
# What each field of an input record is (``kind.field``), as a rule page heads its column
# beside the field's own name in the file.
INPUT_FIELD_LABELS = {
    "holders.name": "名称",
    "holders.region": "行政区划代码",
    "holders.kind": "类型",
    "patents.number": "申请号",
    "patents.type": "专利类型",
    "patents.jurisdiction": "受理局",
    "patents.title": "名称",
    "patents.filed": "申请日",
    "patents.granted": "授权日",
    "patents.lapsed": "未缴年费终止日",
    "patents.invalidated": "宣告无效日",
    "patents.restored": "权利恢复日",
    "patents.holders": "权利人（按顺序）",
    "patents.annuities_paid": "实际缴纳年费（元）",
    "pct_applications.number": "PCT申请号",
    "pct_applications.applicants": "申请人（按顺序）",
    "pct_applications.filed": "申请日",
    "pct_applications.search_report": "国际检索报告日",
    "awards.holder": "权利人",
    "awards.patent": "专利号",
    "awards.level": "奖项等级",
    "awards.date": "获奖日期",
    "certificates.holder": "权利人",
    "certificates.number": "证书编号",
    "certificates.issued": "发证日期",
    "certificates.certifier": "认证机构",
    "loan_costs.holder": "权利人",
    "loan_costs.contract": "借款合同号",
    "loan_costs.year": "年度",
    "loan_costs.interest": "利息（元）",
    "loan_costs.valuation": "评估费（元）",
    "loan_costs.guarantee": "担保费（元）",
    "loan_costs.insurance": "保险费（元）",
    "insurance_policies.holder": "权利人",
    "insurance_policies.policy": "保单号",
    "insurance_policies.patent": "专利号",
    "insurance_policies.premium": "保费（元）",
    "insurance_policies.start": "保险起始日",
    "software.holder": "权利人",
    "software.number": "登记号",
    "software.registered": "登记日期",
    "credit_list.holder": "权利人",
    "credit_list.listed": "列入日期",
    "credit_list.reason": "列入原因",
    "credit_list.expires": "届满日期",
    "credit_list.removed": "移出日期",
}
EXPECT_KEYS = {"rule", "object", "holder", "amount", "status", "reference_date", "explanation_contains"}


@dataclass
class Scenario:
    """One scenario: what goes in and what must come out."""

    name: str
    file: str
    line: int
    year: int
    rules: list[str] | None
    policy: Policy
    snapshot: Snapshot
    expect: list[tuple[int, dict[str, Any]]]
    reading: str = ""
    reference_date: date | None = None
    # The ``input`` section as written (kind -> records, each field as in the file): what a
    # rule page shows an officer, in the file's own words.
    inputs: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    name_en: str = ""
    reading_en: str = ""
    # The day the scenario is judged on (``today:``): a later reference date is not yet due.
    today: date | None = None
    # The parameters the scenario sets for itself (``parameters:``), in the file's order:
    # what a rule page shows beside the input (their values are in ``policy``).
    changed_parameters: tuple[str, ...] = ()

    def name_in(self, locale: str = "zh_CN") -> str:
        """The name in ``locale``'s words (the Chinese where no English is given)."""
        return self.name_en if locale.startswith("en") and self.name_en else self.name

    def reading_in(self, locale: str = "zh_CN") -> str:
        """The reading in ``locale``'s words (the Chinese where no English is given)."""
        return self.reading_en if locale.startswith("en") and self.reading_en else self.reading


def _as_written(node: Any) -> dict[str, list[dict[str, Any]]]:
    """The records of an ``input`` section, kind by kind in the file's order."""
    if not isinstance(node, MarkedDict):
        return {}
    return {
        str(kind): [dict(item) for item in records if isinstance(item, MarkedDict)]
        for kind, records in node.items()
        if isinstance(records, MarkedList)
    }


# What a failed scenario says, one line each (Chinese ids, English in en.po): the file's
# line, the rule and the object, and what differs.
MSG_MISSING = "第{line}行：未得到预期的 {rule} / {object}"
MSG_DIFFERS = "第{line}行：{rule} / {object} 的 {key} 应为 {expected}，实际为 {actual}"
MSG_EXPLANATION = "第{line}行：说明中应含“{text}”，实际为“{actual}”"
MSG_EXTRA = "多出未预期的结果：{rule} / {object} / {holder} / {amount}元 / {status}"


class Problem(str):
    """One line of what a scenario did not meet: the Chinese text (as the command line
    prints it) that also keeps its message id and values, to be shown in another language."""

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, **params: Any) -> Problem:
        """The problem ``template`` with ``params`` filled in, in Chinese."""
        problem = super().__new__(cls, template.format(**params))
        problem.template, problem.params = template, params
        return problem

    def render(self, locale: str = "zh_CN") -> str:
        """The problem in ``locale``'s words."""
        return gettext(self.template, locale).format(**self.params)


@dataclass
class ScenarioResult:
    """The outcome of a scenario: ``problems`` is empty when it passed."""

    scenario: Scenario
    entitlements: list[Entitlement]
    problems: list[Problem] = field(default_factory=list)
    # For each entitlement (same order): the line of the expectation it met and what in it
    # differs from that expectation; None when no expectation asked for it.
    verdicts: list[Verdict | None] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every expectation held and nothing else came out."""
        return not self.problems

    def rows(self) -> list[tuple[Entitlement, Verdict | None]]:
        """Each entitlement the engine gave with its verdict against the expectations."""
        return list(zip(self.entitlements, self.verdicts, strict=True))


@dataclass(frozen=True)
class Verdict:
    """How one computed entitlement compares with the expectation it matched (by rule and
    object): the expectation's line and the differences (empty: as expected)."""

    line: int
    differences: tuple[Problem, ...] = ()


def _fail(file: str, line: int, message: str, **params: Any) -> PolicyFileError:
    return PolicyFileError(message, file=file, line=line, **params)


class _Reader:
    def __init__(self, file: str, node: MarkedDict) -> None:
        self.file = file
        self.node = node
        self.holders: dict[str, int] = {}
        self.snapshot = Snapshot()

    def need(self, item: MarkedDict, key: str) -> Any:
        if item.get(key) is None:
            raise _fail(self.file, item.line, "{file} 第 {line} 行：缺少字段“{key}”", key=key)
        return item[key]

    def wrong(self, item: MarkedDict, key: str, message: str, **params: Any) -> PolicyFileError:
        """The refusal of ``item``'s ``key`` (its value shown), at the key's line."""
        return _fail(self.file, item.line_of(key), message, key=key, value=item.get(key), **params)

    def day(self, item: MarkedDict, key: str, required: bool = True) -> date | None:
        value = item.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, date):
            raise self.wrong(
                item, key, "{file} 第 {line} 行：{key} 应为日期（如 2017-09-30），实际为“{value}”"
            )
        return value

    def cn_number(self, item: MarkedDict, key: str, jurisdiction: str = "CN") -> str:
        """A patent's application number as written: a CN one must pass its check digit, as
        an imported one must (a scenario is read by officers as an example of the real thing)."""
        value = str(self.need(item, key))
        if jurisdiction == "CN":
            try:
                parse_application_number(value)
            except InvalidNumber as exc:
                raise self.wrong(
                    item,
                    key,
                    "{file} 第 {line} 行：{key} 不是有效的中国专利申请号：{reason}",
                    reason=Bilingual(exc.render("zh_CN"), exc.render("en")),
                ) from exc
        return value

    def holder(self, item: MarkedDict, key: str, name: Any) -> int:
        if name not in self.holders:
            raise _fail(
                self.file,
                item.line_of(key),
                "{file} 第 {line} 行：权利人“{name}”未在 input.holders 中列出",
                name=name,
            )
        return self.holders[name]

    def holders_of(self, item: MarkedDict, key: str) -> tuple[int, ...]:
        """A list of holder names (in order), each listed in ``input.holders``."""
        names = self.need(item, key)
        if not isinstance(names, MarkedList):
            raise self.wrong(
                item,
                key,
                "{file} 第 {line} 行：{key} 应为权利人名称的列表（如 [甲公司, 乙公司]），实际为“{value}”",
            )
        return tuple(self.holder(item, key, n) for n in names)

    def yuan(self, item: MarkedDict, key: str, required: bool = False) -> int | None:
        """An amount in whole yuan, not negative (``None`` where absent and not required)."""
        value = item.get(key)
        if value is None and not required:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.wrong(item, key, "{file} 第 {line} 行：{key} 应为不小于0的整数（元），实际为“{value}”")
        return value

    def year(self, item: MarkedDict, key: str) -> int:
        """A year, 1985–2100."""
        value = self.need(item, key)
        if isinstance(value, bool) or not isinstance(value, int) or not 1985 <= value <= 2100:
            raise self.wrong(
                item, key, "{file} 第 {line} 行：{key} 应为年份（1985 至 2100，如 2019），实际为“{value}”"
            )
        return value

    def choice(self, item: MarkedDict, key: str, allowed: Iterable[str], default: str | None = None) -> str:
        """One of ``allowed`` (``default`` where absent, when given)."""
        value = item.get(key)
        if value is None and default is not None:
            return default
        choices = sorted(allowed)
        if value not in choices:
            raise self.wrong(
                item,
                key,
                "{file} 第 {line} 行：{key} 应为 {allowed} 之一，实际为“{value}”",
                allowed="、".join(choices),
            )
        return str(value)

    def items(self, node: Any, key: str) -> list[MarkedDict]:
        value = node.get(key) if isinstance(node, MarkedDict) else None
        if value is None:
            return []
        if not isinstance(value, MarkedList) or not all(isinstance(v, MarkedDict) for v in value):
            raise _fail(self.file, node.line_of(key), "{file} 第 {line} 行：{key} 应为记录的列表", key=key)
        for item in value:
            refuse_unknown_keys(item, RECORD_KEYS[key], self.file)
        return list(value)


def _snapshot(reader: _Reader, node: Any) -> Snapshot:
    file = reader.file
    if node is not None and not isinstance(node, MarkedDict):
        raise _fail(file, getattr(node, "line", 0), "{file} 第 {line} 行：input 应为映射")
    if isinstance(node, MarkedDict):
        refuse_unknown_keys(node, set(INPUT_KEYS), file)
    s = reader.snapshot
    for i, h in enumerate(reader.items(node, "holders"), start=1):
        name = str(reader.need(h, "name"))
        region = h.get("region")
        reader.holders[name] = i
        s.holders[i] = HolderRec(
            i,
            name,
            None if region is None else str(region),
            reader.choice(h, "kind", HOLDER_KINDS, "enterprise"),
        )
    for i, p in enumerate(reader.items(node, "patents"), start=1):
        granted = reader.day(p, "granted", required=False)
        events: list[tuple[str, date | None]] = []
        if granted:
            events.append(("granted", granted))
        for status in ("lapsed", "invalidated", "restored"):
            if p.get(status) is not None:
                name = "lapsed_unpaid_annuity" if status == "lapsed" else status
                events.append((name, reader.day(p, status)))
        s.patents.append(
            PatentRec(
                id=i,
                number=reader.cn_number(p, "number", str(p.get("jurisdiction") or "CN")),
                patent_type=reader.choice(p, "type", PATENT_TYPES, "invention"),
                jurisdiction=str(p.get("jurisdiction") or "CN"),
                title=str(p.get("title") or ""),
                filing_date=reader.day(p, "filed", required=False),
                grant_date=granted,
                holder_ids=reader.holders_of(p, "holders"),
                events=tuple(events),
                annuities_paid_yuan=reader.yuan(p, "annuities_paid"),
            )
        )
    for i, a in enumerate(reader.items(node, "pct_applications"), start=1):
        filed = reader.day(a, "filed")
        assert filed is not None
        s.pct_applications.append(
            PctRec(
                i,
                str(reader.need(a, "number")),
                reader.holders_of(a, "applicants"),
                filed,
                reader.day(a, "search_report", required=False),
            )
        )
    for i, w in enumerate(reader.items(node, "awards"), start=1):
        when = reader.day(w, "date")
        assert when is not None
        s.awards.append(
            AwardRec(
                i,
                reader.holder(w, "holder", reader.need(w, "holder")),
                reader.cn_number(w, "patent"),
                reader.choice(w, "level", AWARD_LABELS),
                when,
            )
        )
    for i, c in enumerate(reader.items(node, "certificates"), start=1):
        issued = reader.day(c, "issued")
        assert issued is not None
        s.certificates.append(
            CertificateRec(
                i,
                reader.holder(c, "holder", reader.need(c, "holder")),
                str(reader.need(c, "number")),
                issued,
                str(c.get("certifier") or ""),
            )
        )
    for i, lc in enumerate(reader.items(node, "loan_costs"), start=1):
        s.loan_costs.append(
            LoanCostRec(
                i,
                reader.holder(lc, "holder", reader.need(lc, "holder")),
                str(reader.need(lc, "contract")),
                reader.year(lc, "year"),
                reader.yuan(lc, "interest") or 0,
                reader.yuan(lc, "valuation") or 0,
                reader.yuan(lc, "guarantee") or 0,
                reader.yuan(lc, "insurance") or 0,
            )
        )
    for i, ins in enumerate(reader.items(node, "insurance_policies"), start=1):
        start = reader.day(ins, "start")
        assert start is not None
        s.insurance_policies.append(
            InsuranceRec(
                i,
                reader.holder(ins, "holder", reader.need(ins, "holder")),
                str(reader.need(ins, "policy")),
                reader.cn_number(ins, "patent"),
                reader.yuan(ins, "premium", required=True) or 0,
                start,
            )
        )
    for sw in reader.items(node, "software"):
        registered = reader.day(sw, "registered")
        assert registered is not None
        s.software.append(
            SoftwareRec(
                reader.holder(sw, "holder", reader.need(sw, "holder")),
                str(reader.need(sw, "number")),
                registered,
            )
        )
    for cr in reader.items(node, "credit_list"):
        listed = reader.day(cr, "listed")
        assert listed is not None
        s.credit.append(
            CreditRec(
                reader.holder(cr, "holder", reader.need(cr, "holder")),
                listed,
                str(cr.get("reason") or ""),
                reader.day(cr, "expires", required=False),
                reader.day(cr, "removed", required=False),
            )
        )
    return s


def _policy(base: Policy, node: Any, file: str) -> Policy:
    if node is None:
        return base
    if not isinstance(node, MarkedDict):
        raise _fail(
            file, getattr(node, "line", 0), "{file} 第 {line} 行：parameters 应为“参数名: 取值列表”的映射"
        )
    params = dict(base.parameters)
    for pid, values in node.items():
        if pid not in params:
            raise _fail(
                file, node.line_of(pid), "{file} 第 {line} 行：缺少参数“{name}”（策略文件中没有）", name=pid
            )
        wrapper = MarkedDict(clause=params[pid].clause, description=params[pid].description, values=values)
        wrapper.line = node.line_of(pid)
        wrapper.key_lines = {"clause": wrapper.line, "values": wrapper.line}
        params[pid] = replace(
            parse_parameter(pid, wrapper, file, wrapper.line),
            unit=params[pid].unit,
            description_en=params[pid].description_en,
        )
    return replace(base, parameters=params)


def _rule_ids(policy: Policy, value: Any, file: str, line: int) -> list[str]:
    if not isinstance(value, str | list):
        raise _fail(
            file,
            line,
            "{file} 第 {line} 行：rules 应为规则编号或其列表（如 [P2.1-a]），实际为“{value}”",
            value=value,
        )
    ids = [value] if isinstance(value, str) else list(value)
    for rid in ids:
        if policy.rule(rid) is None and not any(r.clause == rid for r in policy.rules):
            raise _fail(file, line, "{file} 第 {line} 行：策略中没有规则“{rule}”", rule=rid)
    return [str(r) for r in ids]


def load_scenarios(path: Path | str, policy: Policy | None = None) -> list[Scenario]:
    """Every scenario of a file; raises :class:`PolicyFileError` (file, line, reason)."""
    path = Path(path)
    file = path.name
    base = policy or policy_in_force()
    try:
        doc = read_marked(path)
    except YamlSyntaxError as exc:
        raise _fail(
            file, exc.line, "{file} 第 {line} 行：不是有效的YAML（{problem}）", problem=exc.problem
        ) from exc
    if not isinstance(doc, MarkedDict) or not isinstance(doc.get("scenarios"), MarkedList):
        raise _fail(file, 1, "{file} 第 {line} 行：场景文件应有 scenarios 列表")
    out: list[Scenario] = []
    items: MarkedList = doc["scenarios"]
    for index, node in enumerate(items):
        if not isinstance(node, MarkedDict):
            raise _fail(
                file, items.line_of(index), "{file} 第 {line} 行：场景应为映射（name、year、input、expect）"
            )
        for key in node:
            if key not in SCENARIO_KEYS:
                raise _fail(
                    file,
                    node.line_of(key),
                    "{file} 第 {line} 行：未知的字段“{key}”，应为 {allowed} 之一",
                    key=key,
                    allowed="、".join(sorted(SCENARIO_KEYS)),
                )
        reader = _Reader(file, node)
        name = str(reader.need(node, "name"))
        year = reader.need(node, "year")
        if isinstance(year, bool) or not isinstance(year, int):
            raise _fail(
                file,
                node.line_of("year"),
                "{file} 第 {line} 行：year 应为年份（如 2019），实际为“{value}”",
                value=year,
            )
        # The day the scenario is judged on: ``today`` or, by the name the policy's readers
        # use, ``reference_date`` (an object whose own reference date is later is not due).
        today = reader.day(node, "today", required=False)
        judged_on = reader.day(node, "reference_date", required=False) or today
        if today is not None and judged_on != today:
            raise _fail(
                file,
                node.line_of("reference_date"),
                "{file} 第 {line} 行：reference_date（{day}）与 today（{today}）应为同一天，或只写其一",
                day=judged_on,
                today=today,
            )
        pol = _policy(base, node.get("parameters"), file)
        rules = _rule_ids(pol, node["rules"], file, node.line_of("rules")) if node.get("rules") else None
        snapshot = _snapshot(reader, node.get("input"))
        expected: list[tuple[int, dict[str, Any]]] = []
        raw_expect = node.get("expect")
        if raw_expect is not None and not isinstance(raw_expect, MarkedList):
            raise _fail(file, node.line_of("expect"), "{file} 第 {line} 行：expect 应为预期结果的列表")
        for i, e in enumerate(raw_expect or []):
            at = raw_expect.line_of(i) if raw_expect is not None else node.line
            if not isinstance(e, MarkedDict):
                raise _fail(file, at, "{file} 第 {line} 行：预期结果应为映射（rule、object、amount……）")
            for key in e:
                if key not in EXPECT_KEYS:
                    raise _fail(
                        file,
                        e.line_of(key),
                        "{file} 第 {line} 行：未知的字段“{key}”，应为 {allowed} 之一",
                        key=key,
                        allowed="、".join(sorted(EXPECT_KEYS)),
                    )
            reader.need(e, "rule")
            reader.need(e, "object")
            if not isinstance(e["rule"], str):
                raise _fail(
                    file,
                    e.line_of("rule"),
                    "{file} 第 {line} 行：rule 应为一个规则编号（如 P2.1-a），实际为“{value}”",
                    value=e["rule"],
                )
            _rule_ids(pol, e["rule"], file, e.line_of("rule"))
            if e.get("holder") is not None and e["holder"] not in reader.holders:
                reader.holder(e, "holder", e["holder"])
            expected.append((at, dict(e)))
        out.append(
            Scenario(
                name,
                file,
                node.line,
                year,
                rules,
                pol,
                snapshot,
                expected,
                str(node.get("reading") or ""),
                judged_on,
                _as_written(node.get("input")),
                str(node.get("name_en") or ""),
                str(node.get("reading_en") or ""),
                judged_on,
                tuple(str(k) for k in node["parameters"])
                if isinstance(node.get("parameters"), MarkedDict)
                else (),
            )
        )
    return out


def run_scenario(scenario: Scenario) -> ScenarioResult:
    """Evaluate a scenario and compare with what it expects."""
    got = evaluate(scenario.policy, scenario.snapshot, scenario.year, scenario.rules, as_of=scenario.today)
    result = ScenarioResult(scenario, got)
    unmatched = list(got)
    verdicts: dict[int, Verdict] = {}  # by id() of the entitlement
    for line, exp in scenario.expect:
        found = next(
            (
                e
                for e in unmatched
                if (e.rule == str(exp["rule"]) or e.clause == str(exp["rule"]))
                and e.object == str(exp["object"])
            ),
            None,
        )
        if found is None:
            result.problems.append(Problem(MSG_MISSING, line=line, rule=exp["rule"], object=exp["object"]))
            continue
        unmatched.remove(found)
        checks = {
            "holder": found.holder,
            "amount": found.amount,
            "status": found.status,
            "reference_date": found.reference_date,
        }
        differences: list[Problem] = [
            Problem(
                MSG_DIFFERS,
                line=line,
                rule=exp["rule"],
                object=exp["object"],
                key=key,
                expected=exp[key],
                actual=actual,
            )
            for key, actual in checks.items()
            if key in exp and exp[key] != actual
        ]
        if "explanation_contains" in exp and str(exp["explanation_contains"]) not in found.explanation_zh:
            differences.append(
                Problem(
                    MSG_EXPLANATION, line=line, text=exp["explanation_contains"], actual=found.explanation_zh
                )
            )
        result.problems.extend(differences)
        verdicts[id(found)] = Verdict(line, tuple(differences))
    result.verdicts = [verdicts.get(id(e)) for e in got]
    for extra in unmatched:
        result.problems.append(
            Problem(
                MSG_EXTRA,
                rule=extra.rule,
                object=extra.object,
                holder=extra.holder,
                amount=extra.amount,
                status=extra.status,
            )
        )
    return result


def scenario_files(path: Path | str | None = None) -> list[Path]:
    """The scenario files under ``path`` (a file or a folder; default: the shipped ones)."""
    target = Path(path) if path is not None else SCENARIOS_DIR
    if target.is_file():
        return [target]
    return sorted(p for p in target.rglob("*.yaml"))


def run_files(files: Iterable[Path], policy: Policy | None = None) -> list[ScenarioResult]:
    """Load and run every scenario of ``files`` (a refusal stops at the first bad file)."""
    return [run_scenario(s) for f in files for s in load_scenarios(f, policy)]
