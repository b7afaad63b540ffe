"""Policy pages and JSON API: the rules (clause quote, parameters over time, scenarios) and
the entitlements of a year with their explanations. Pages and API call the same services.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from ipcity.policy import service
from ipcity.policy.candidates import DATA_LABELS
from ipcity.policy.engine import STATUS_LABELS, Entitlement
from ipcity.policy.formulas import AWARD_LABELS
from ipcity.policy.loader import Rule
from ipcity.policy.scenarios import INPUT_FIELD_LABELS, INPUT_LABELS, run_scenario
from ipcity.registry.legal_status import PATENT_TYPE_LABELS
from ipcity.registry.service import HOLDER_KIND_LABELS, ChoiceFailed
from ipcity.web.deps import CurrentActor, LocaleDep, SessionDep, render
from ipcity.web.paging import Pager

router = APIRouter()

YearQ = Annotated[int | None, Query(ge=1985, le=2100, description="年度；默认上一完整年度")]
RuleQ = Annotated[str | None, Query(max_length=32, description="规则编号（如 P2.1-a）")]
RulePath = Annotated[str, Path(max_length=32, description="规则编号")]
StatusQ = Annotated[str | None, Query(max_length=32, description="评估结果（如 eligible、held_back）")]
PageQ = Annotated[int, Query(ge=1, le=100_000, description="页码")]
IdQ = Annotated[
    str | None, Query(max_length=200, description="应享受项目编号，如 2019:P2.1-a:CN201710123456.0")
]


def _entitlement_json(e: Entitlement, locale: str) -> dict[str, Any]:
    out = e.to_json()
    out["explanation"] = e.explanation_en if locale == "en" else e.explanation_zh
    return out


@router.get("/api/v1/policy/rules", tags=["policy"], summary="规则 / the rules of the policy")
def api_rules() -> dict[str, Any]:
    """Every rule with its clause, parameters over time and scenarios."""
    policy = service.current_policy()
    return {
        "ok": True,
        "policy": policy.id,
        "title": policy.title,
        "title_en": policy.title_en or None,
        "rules": [service.rule_json(v) for v in service.rules()],
    }


@router.get("/api/v1/policy/rules/{rule_id}", tags=["policy"], summary="一条规则 / one rule")
def api_rule(rule_id: RulePath) -> dict[str, Any]:
    """One rule: clause quote, reading, parameters over time, scenarios."""
    return {"ok": True, **service.rule_json(service.rule_view(rule_id))}


@router.get("/api/v1/policy/entitlements", tags=["policy"], summary="年度应享受项目 / entitlements of a year")
def api_entitlements(
    session: SessionDep, actor: CurrentActor, locale: LocaleDep, year: YearQ = None, rule: RuleQ = None
) -> dict[str, Any]:
    """The entitlements of a year the user may see, each with amount, status and explanation."""
    chosen = year or service.default_year()
    found = service.entitlements(session, actor, chosen, rule)
    return {
        "ok": True,
        "year": chosen,
        "total_payable": sum(e.amount for e in found if e.status == "eligible"),
        "entitlements": [_entitlement_json(e, locale) for e in found],
    }


@router.get("/api/v1/policy/explain", tags=["policy"], summary="一项的计算过程 / explain one entitlement")
def api_entitlement(
    session: SessionDep, actor: CurrentActor, locale: LocaleDep, id: IdQ = None
) -> dict[str, Any]:
    """One entitlement with the parameter values and data it was computed from."""
    return {"ok": True, **_entitlement_json(service.explain(session, actor, id), locale)}


@router.get("/policy", include_in_schema=False)
def rules_page(request: Request) -> Response:
    """The rules of the policy, one line each, with their clause."""
    return render(
        request, "policy/rules.html", {"policy": service.current_policy(), "views": service.rules()}
    )


@router.get("/policy/rules/{rule_id}", include_in_schema=False)
def rule_page(request: Request, rule_id: RulePath) -> Response:
    """One rule: the clause quoted, its parameters over time, its scenarios run there and
    then (their input, what the engine computes from it with its explanation, and whether
    that is what the scenario expects: the page is the rule's trace). A clause served by
    several rules (P2.1-e) lists them."""
    of_clause = service.clause_rules(rule_id)
    if len(of_clause) > 1:
        return render(
            request,
            "policy/rules.html",
            {"policy": service.current_policy(), "views": of_clause, "clause": of_clause[0].clause},
        )
    view = service.rule_view(rule_id)
    return render(
        request,
        "policy/rule.html",
        {
            "view": view,
            "results": [run_scenario(s) for s in view.scenarios],
            "input_labels": INPUT_LABELS,
            "input_field_labels": INPUT_FIELD_LABELS,
            # Coded values of the input shown in words (the code stays in the title).
            "input_value_labels": {
                "patents.type": PATENT_TYPE_LABELS,
                "awards.level": AWARD_LABELS,
                "holders.kind": HOLDER_KIND_LABELS,
            },
            "status_labels": STATUS_LABELS,
        },
    )


PER_PAGE = 100  # entitlements per page: a year over a million patents has some 20,000


@dataclass
class RuleSummary:
    """One rule's line of a year: its items, how many are eligible and their amount."""

    rule: Rule
    items: int = 0
    eligible: int = 0
    amount: int = 0


@router.get("/policy/entitlements", include_in_schema=False)
def entitlements_page(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    year: YearQ = None,
    rule: RuleQ = None,
    status: StatusQ = None,
    page: PageQ = 1,
) -> Response:
    """The entitlements of a year: a summary per rule (items, eligible, amount), then the
    items of the chosen rule and evaluation result, a page at a time."""
    chosen = year or service.default_year()
    if status and status not in STATUS_LABELS:
        raise ChoiceFailed("状态“{status}”无效，应为 {expected} 之一", choices=STATUS_LABELS, status=status)
    policy = service.current_policy()
    if rule and policy.rule(rule) is None and not any(r.clause == rule for r in policy.rules):
        raise service.no_such_rule(rule)
    # The whole year is evaluated (its registry part is kept between requests) so that the
    # summary shows every rule whatever the filter.
    found = service.entitlements(session, actor, chosen)
    summary = {r.id: RuleSummary(r) for r in policy.rules}
    for e in found:
        line = summary[e.rule]
        line.items += 1
        if e.status == "eligible":
            line.eligible += 1
            line.amount += e.amount
    shown = [
        e for e in found if (not rule or rule in (e.rule, e.clause)) and (not status or e.status == status)
    ]
    pager = Pager.of(page, total=len(shown), per_page=PER_PAGE)
    return render(
        request,
        "policy/entitlements.html",
        {
            "year": chosen,
            "rule": rule or "",
            "status": status or "",
            "rules": policy.rules,
            "summary": [line for line in summary.values() if line.items],
            "items": pager.slice(shown),
            "shown": len(shown),
            "pager": pager,
            "status_labels": STATUS_LABELS,
            "total": sum(line.amount for line in summary.values()),
        },
    )


@router.get("/policy/explain", include_in_schema=False)
def entitlement_page(request: Request, session: SessionDep, actor: CurrentActor, id: IdQ = None) -> Response:
    """One entitlement explained: clause, parameter values, data used."""
    e = service.explain(session, actor, id)
    return render(
        request,
        "policy/entitlement.html",
        {
            "e": e,
            "view": service.rule_view(e.rule),
            "parameters": service.current_policy().parameters,
            "data_labels": DATA_LABELS,
            "status_labels": STATUS_LABELS,
        },
    )
