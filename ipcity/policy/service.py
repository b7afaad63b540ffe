"""The use-cases of the policy area: the entitlements of a year (scoped to who asks), one
entitlement explained, the rules with their parameters over time and their scenarios.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipcity import clock
from ipcity.auth.roles import Actor, may_see_private, require, sees_every_holder
from ipcity.errors import NotFound, ValidationFailed
from ipcity.i18n import Bilingual
from ipcity.policy.clauses import CLAUSES, Clause
from ipcity.policy.engine import Entitlement, evaluate
from ipcity.policy.loader import Policy, Rule, policy_in_force
from ipcity.policy.models import PolicyCase, PolicyPayment
from ipcity.policy.parameters import Parameter
from ipcity.policy.scenarios import Scenario, load_scenarios, run_scenario, scenario_files
from ipcity.policy.snapshot import Snapshot
from ipcity.policy.sources import load_snapshot

FIRST_YEAR, LAST_YEAR = 1985, 2100


def current_policy() -> Policy:
    """The policy in force: the file the settings name (``IPCITY_POLICY_FILE``), else the
    shipped ``rules/hebi-2017.yaml``."""
    return policy_in_force()


def check_year(year: int) -> None:
    """Refuse a year outside 1985–2100 in one sentence."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationFailed(
            "年度应在 {first} 到 {last} 之间，实际为 {year}", first=FIRST_YEAR, last=LAST_YEAR, year=year
        )


def entitlements(session: Session, actor: Actor, year: int, rule: str | None = None) -> list[Entitlement]:
    """Every entitlement of ``year`` the actor may see (officers: their scope; an enterprise: its own)."""
    require(actor, "registry.read_private")
    check_year(year)
    policy = current_policy()
    if rule is not None and policy.rule(rule) is None and not any(r.clause == rule for r in policy.rules):
        raise no_such_rule(rule)
    chosen = [rule] if rule else None
    snapshot = load_snapshot(session, year, policy, chosen)
    # Judged on today's date in the city: what falls due later in the year is not yet owed.
    found = evaluate(
        policy,
        snapshot,
        year,
        chosen,
        as_of=clock.today(),
        paid=_paid_of_listed(session, snapshot, year),
        settled=settled_keys(session, year),
    )
    if sees_every_holder(actor):
        return found
    return [
        e
        for e in found
        if may_see_private(
            actor,
            e.holder_id,
            snapshot.holders[e.holder_id].region_code if e.holder_id in snapshot.holders else None,
        )
    ]


def settled_keys(session: Session, year: int) -> frozenset[str]:
    """The payment keys of ``year``'s cases already approved or paid: a cap per holder and
    year gives them its room first (see :func:`ipcity.policy.engine.evaluate`)."""
    return frozenset(
        session.scalars(
            select(PolicyCase.payment_key).where(
                PolicyCase.year == year, PolicyCase.status.in_(("approved", "paid"))
            )
        )
    )


def _paid_of_listed(session: Session, snapshot: Snapshot, year: int) -> dict[str, date]:
    """The payment keys of ``year`` already paid to holders on the dishonesty list (past or
    present), with the city's day of payment: a listing holds back what is still to pay,
    not what was paid (P3.2). Only listed holders' payments are read: the others' need none."""
    listed = {x.holder_id for x in snapshot.credit}
    if not listed:
        return {}
    out: dict[str, date] = {}
    for key, at in session.execute(
        select(PolicyPayment.payment_key, PolicyPayment.paid_at).where(
            PolicyPayment.year == year,
            PolicyPayment.paid_at.is_not(None),
            PolicyPayment.holder_id.in_(sorted(listed)),
        )
    ):
        local = clock.local_time(at)
        if local is not None:
            out[key] = local.date()
    return out


def explain(session: Session, actor: Actor, entitlement_id: str | None) -> Entitlement:
    """One entitlement by its id (``2019:P2.1-a:CN201710123456.0``), with its explanation."""
    require(actor, "registry.read_private")
    entitlement_id = entitlement_id or ""
    year_text, _, rest = entitlement_id.partition(":")
    rule_id, _, _ = rest.partition(":")
    if not year_text.isdecimal() or not rule_id:
        raise ValidationFailed(
            "编号“{id}”格式不对，应为 年度:规则:对象，如 2019:P2.1-a:CN201710123456.0", id=entitlement_id
        )
    for e in entitlements(
        session, actor, int(year_text), rule_id if current_policy().rule(rule_id) else None
    ):
        if e.id == entitlement_id:
            return e
    raise NotFound("没有编号为“{id}”的应享受项目", id=entitlement_id)


@dataclass(frozen=True)
class RuleView:
    """A rule as a page shows it: clause, parameters over time, scenarios naming it."""

    rule: Rule
    clause: Clause
    parameters: list[tuple[str, Parameter]]  # (formula input, parameter)
    cap: Parameter | None
    scenarios: list[Scenario]


def _scenarios() -> list[Scenario]:
    return [s for f in scenario_files() for s in load_scenarios(f)]


def rules() -> list[RuleView]:
    """Every rule of the policy in force, with its scenarios."""
    policy = current_policy()
    scenarios = _scenarios()
    return [_view(policy, r, scenarios) for r in policy.rules]


def _view(policy: Policy, rule: Rule, scenarios: list[Scenario]) -> RuleView:
    def names(s: Scenario) -> bool:
        listed = s.rules or [str(e["rule"]) for _, e in s.expect]
        return any(x in (rule.id, rule.clause) for x in listed)

    cap = policy.parameters.get(rule.limits.cap_per_holder_year or "")
    return RuleView(
        rule,
        CLAUSES[rule.clause],
        [(name, policy.parameters[pid]) for name, pid in rule.inputs.items()],
        cap,
        [s for s in scenarios if names(s)],
    )


def rule_view(rule_id: str) -> RuleView:
    """One rule by id, or by the id of a clause the policy serves with one rule;
    :class:`NotFound` otherwise, saying why (see :func:`no_such_rule`)."""
    policy = current_policy()
    rule = policy.rule(rule_id)
    if rule is None:
        of_clause = [r for r in policy.rules if r.clause == rule_id]
        if len(of_clause) != 1:
            raise no_such_rule(rule_id)
        rule = of_clause[0]
    return _view(policy, rule, _scenarios())


def clause_rules(clause_id: str) -> list[RuleView]:
    """The rules of the policy in force that serve ``clause_id`` (a clause may have several,
    as P2.1-e has one for patents and one for software); empty when the id is a rule's or
    no rule serves it."""
    policy = current_policy()
    if policy.rule(clause_id) is not None:
        return []
    scenarios = _scenarios()
    return [_view(policy, r, scenarios) for r in policy.rules if r.clause == clause_id]


def no_such_rule(rule_id: str) -> NotFound:
    """Why the policy has no rule ``rule_id``, in one sentence: a clause served by several
    rules names them; a clause that pays no money (P2.1-f) says so with its reading; any
    other id (a clause of the protection or the targets, P3.2, or a mistyped one) is told
    that only the money clauses have rules."""
    policy = current_policy()
    served = [r.id for r in policy.rules if r.clause == rule_id]
    if len(served) > 1:
        return NotFound(
            "“{clause}”是条款编号，本策略按它设有规则 {rules}", clause=rule_id, rules="、".join(served)
        )
    clause = CLAUSES.get(rule_id)
    if clause is not None and not clause.pays_money:
        return NotFound(
            "条款“{clause}”不是资金项目，没有计算规则：{reading}",
            clause=rule_id,
            reading=Bilingual(clause.reading, clause.reading_en or clause.reading),
        )
    return NotFound("策略中没有规则“{rule}”：只有资助奖励条款（如 P2.1-a）设有计算规则", rule=rule_id)


def parameter_json(p: Parameter) -> dict[str, Any]:
    """A parameter with its dated values, JSON-ready."""
    return {
        "id": p.id,
        "clause": p.clause,
        "description": p.description,
        "description_en": p.description_en or None,
        "unit": p.unit,
        "values": [
            {"from": v.start.isoformat(), "until": v.end.isoformat() if v.end else None, "value": v.value}
            for v in p.values
        ],
    }


def rule_json(view: RuleView) -> dict[str, Any]:
    """A rule page's data, JSON-ready."""
    r = view.rule
    return {
        "id": r.id,
        "clause": r.clause,
        "quote": view.clause.quote,
        "reading": view.clause.reading,
        "reading_en": view.clause.reading_en or None,
        "title": r.title,
        "title_en": r.title_en,
        "object": r.object,
        "formula": r.formula.name,
        "formula_description": r.formula.description,
        "formula_description_en": r.formula.description_en or None,
        "limits": {
            "once_per_object": r.limits.once_per_object,
            "once_per_holder": r.limits.once_per_holder,
            "cap_per_holder_year": r.limits.cap_per_holder_year,
        },
        "parameters": {name: parameter_json(p) for name, p in view.parameters}
        | ({"cap": parameter_json(view.cap)} if view.cap else {}),
        "scenarios": [scenario_json(s) for s in view.scenarios],
    }


def scenario_json(s: Scenario) -> dict[str, Any]:
    """A scenario as its rule page shows it, JSON-ready: name and reading in Chinese and
    English (``null`` where the file gives no English), its input as written, and the run
    there and then: each computed entitlement (with its explanation in both languages) and
    the verdict against the expectations (``expected_line`` null: not expected), and the
    problems in both languages (none: the scenario passed)."""
    result = run_scenario(s)
    return {
        "name": s.name,
        "name_en": s.name_en or None,
        "reading": s.reading or None,
        "reading_en": s.reading_en or None,
        "file": s.file,
        "line": s.line,
        "year": s.year,
        "inputs": s.inputs,
        "ok": result.ok,
        "results": [
            e.to_json()
            | {
                "expected_line": None if verdict is None else verdict.line,
                "differences": [] if verdict is None else [d.render("zh_CN") for d in verdict.differences],
                "differences_en": [] if verdict is None else [d.render("en") for d in verdict.differences],
            }
            for e, verdict in result.rows()
        ],
        "problems": [p.render("zh_CN") for p in result.problems],
        "problems_en": [p.render("en") for p in result.problems],
    }


def default_year(today: date | None = None) -> int:
    """The last complete year (the year a city usually pays for)."""
    return (today or clock.today()).year - 1
