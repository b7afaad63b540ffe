"""From entitlement to payment: case lists and pages with their timeline and allowed actions,
the public notice (公示) with objections, the enterprise's own cases; the JSON API calls the
same services (:mod:`ipcity.policy.workflow`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, NamedTuple

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from ipcity import clock
from ipcity.auth.roles import Actor, require
from ipcity.errors import BadInput, Conflict, PermissionDenied, ValidationFailed
from ipcity.policy import applications, budget, exports, service, workflow
from ipcity.registry.routes import AccountRefused, PayeeFormDep, save_payee_account
from ipcity.web.deps import CurrentActor, LocaleDep, SessionDep, SettingsDep, render
from ipcity.web.paging import Pager

router = APIRouter()

Action = Literal[
    "confirm", "county_review", "city_review", "notice", "dismiss", "approve", "pay", "reject", "reopen"
]
BulkAction = Literal["confirm", "county_review", "city_review", "notice", "reject", "pay"]
CaseId = Annotated[int, Path(ge=1, le=2**31 - 1, description="案件编号")]
StatusQ = Annotated[str | None, Query(max_length=24, description="状态，如 proposed、in_notice")]
YearQ = Annotated[int | None, Query(ge=1985, le=2100, description="年度")]
PageQ = Annotated[int, Query(ge=1, le=100_000, description="页码")]
CASES_PER_PAGE = 100  # a year proposed over a million patents is some 20,000 cases
# The forms' reasons are measured by the workflow (workflow.MAX_REASON), which refuses a long
# one above its form with the text kept; the limit here only stops a body no form sends.
ReasonF = Annotated[str | None, Form(max_length=20 * workflow.MAX_REASON)]
ReferenceF = Annotated[str | None, Form(max_length=100)]
CheckedF = Annotated[bool, Form()]  # a ticked checkbox sends "on"


class ActionIn(BaseModel):
    """The body of an action: a reason (required to reject, reopen or dismiss), a payment reference (pay)."""

    model_config = ConfigDict(extra="forbid")  # a misspelt field is refused, never read as "left out"

    reason: str | None = Field(None, max_length=workflow.MAX_REASON)
    payment_reference: str | None = Field(None, max_length=100)
    payee_name_checked: bool = Field(
        False,
        description="已核实户名与权利人名称不一致的收款账户 / the account held in another name was checked",
    )


RulePath = Annotated[str, Path(max_length=32, description="规则编号（如 P2.1-a）")]
YearPath = Annotated[int, Path(ge=1985, le=2100, description="年度")]
RuleQ = Annotated[str | None, Query(max_length=32, description="规则编号；默认全部")]


class BudgetIn(BaseModel):
    """A budget in integer yuan; ``null`` removes it (no limit)."""

    model_config = ConfigDict(extra="forbid")  # a misspelt field is refused, never read as "left out"

    amount: int | None = Field(None, ge=0, le=budget.MAX_BUDGET_YUAN)


class ObjectionIn(BaseModel):
    """A public objection: its reason (required)."""

    model_config = ConfigDict(extra="forbid")  # a misspelt field is refused, never read as "left out"

    reason: str | None = Field(None, max_length=workflow.MAX_REASON)


def _public_notice_json(c: Any) -> dict[str, Any]:
    return {
        "id": c.id,
        "year": c.year,
        "rule": c.rule,
        "clause": c.clause,
        "holder": c.holder_name,
        "object": c.object_label,
        "object_en": c.object_label_en,
        "amount": c.amount_yuan,
        "status": c.status,
        "notice_until": c.notice_until.isoformat() if c.notice_until else None,
    }


# JSON API --------------------------------------------------------------------------------


@router.get("/api/v1/policy/cases", tags=["policy"], summary="资助案件 / policy cases")
def api_cases(
    session: SessionDep, actor: CurrentActor, status: StatusQ = None, year: YearQ = None
) -> dict[str, Any]:
    """The cases the user may see, by status and year."""
    found = workflow.cases(session, actor, status, year)
    return {"ok": True, "cases": [workflow.case_json(c) for c in found]}


@router.post("/api/v1/policy/cases/propose", tags=["policy"], summary="按年度生成案件 / propose a year")
def api_propose(session: SessionDep, actor: CurrentActor, year: YearQ = None) -> dict[str, Any]:
    """Create a case for every eligible entitlement of the year that has none (免申即享)."""
    created = workflow.propose_year(session, actor, year or service.default_year())
    return {"ok": True, "created": [workflow.case_json(c) for c in created]}


@router.get("/api/v1/policy/cases/{case_id}", tags=["policy"], summary="一个案件 / one case")
def api_case(session: SessionDep, actor: CurrentActor, case_id: CaseId) -> dict[str, Any]:
    """One case with its timeline, payment and the actions allowed to the user."""
    return {"ok": True, **workflow.case_view(session, actor, case_id).to_json()}


@router.post("/api/v1/policy/cases/{case_id}/{action}", tags=["policy"], summary="案件操作 / act on a case")
def api_act(
    session: SessionDep,
    actor: CurrentActor,
    settings: SettingsDep,
    case_id: CaseId,
    action: Action,
    body: ActionIn | None = None,
) -> dict[str, Any]:
    """Confirm, review, put on notice, dismiss an objection, approve, pay, reject or reopen a rejected case."""
    body = body or ActionIn()
    case = workflow.act(
        session,
        actor,
        case_id,
        action,
        body.reason,
        payment_reference=body.payment_reference,
        notice_days=settings.policy_notice_days,
        payee_name_checked=body.payee_name_checked,
    )
    return {"ok": True, **workflow.case_json(case)}


@router.get("/api/v1/policy/budgets", tags=["policy"], summary="预算 / budgets of a year")
def api_budgets(
    session: SessionDep, actor: CurrentActor, locale: LocaleDep, year: YearQ = None
) -> dict[str, Any]:
    """Each item's budget of the year: set, approved, paid, left, and the approval queue."""
    chosen = year or service.default_year()
    return {
        "ok": True,
        "year": chosen,
        "items": [b.to_json(locale) for b in budget.lines(session, actor, chosen)],
    }


@router.put("/api/v1/policy/budgets/{year}/{rule}", tags=["policy"], summary="设定预算 / set a budget")
def api_set_budget(
    session: SessionDep, actor: CurrentActor, year: YearPath, rule: RulePath, body: BudgetIn
) -> dict[str, Any]:
    """Set an item's budget for a year (``amount`` null removes it)."""
    row = budget.set_budget(session, actor, year, rule, body.amount)
    return {"ok": True, "year": year, "rule": rule, "budget": None if row is None else row.amount_yuan}


@router.post("/api/v1/policy/cases/approve-queue", tags=["policy"], summary="按顺序批准 / approve in order")
def api_approve_queue(
    session: SessionDep, actor: CurrentActor, year: YearQ = None, rule: RuleQ = None
) -> dict[str, Any]:
    """Approve the approvable cases in the order of P2.1-f within each item's budget."""
    run = workflow.approve_in_order(session, actor, year or service.default_year(), rule)
    return {"ok": True, **run.to_json()}


class BulkIn(BaseModel):
    """One step on many cases: the action, the cases' ids, the reason (required to reject)."""

    model_config = ConfigDict(extra="forbid")  # a misspelt field is refused, never read as "left out"

    action: BulkAction
    case_ids: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] = Field(
        ..., min_length=1, max_length=workflow.MAX_BULK_CASES
    )
    reason: str | None = Field(None, max_length=workflow.MAX_REASON)
    payment_reference: str | None = Field(None, max_length=100, description="支付凭证号（拨付时必填）")
    payee_name_checked: bool = Field(
        False,
        description="已核实户名与权利人名称不一致的收款账户 / accounts held in another name were checked",
    )


@router.post("/api/v1/policy/cases/bulk", tags=["policy"], summary="批量操作 / one step on many cases")
def api_bulk(
    session: SessionDep, actor: CurrentActor, settings: SettingsDep, locale: LocaleDep, body: BulkIn
) -> dict[str, Any]:
    """Confirm, review, put on notice or reject many cases at once, each checked as on its
    own; the cases refused come back with their reasons (the others are done)."""
    run = workflow.act_on_many(
        session,
        actor,
        body.case_ids,
        body.action,
        body.reason,
        payment_reference=body.payment_reference,
        notice_days=settings.policy_notice_days,
        payee_name_checked=body.payee_name_checked,
    )
    return {"ok": True, **run.to_json(locale)}


@router.get("/api/v1/policy/notices", tags=["policy"], summary="公示 / public notice")
def api_notices(session: SessionDep) -> dict[str, Any]:
    """The cases in public notice (公示): holder, item, amount, end of notice."""
    return {"ok": True, "notices": [_public_notice_json(c) for c in workflow.notices(session)]}


@router.post(
    "/api/v1/policy/notices/{case_id}/objection", tags=["policy"], summary="提出异议 / object to a case"
)
def api_object(
    session: SessionDep, actor: CurrentActor, case_id: CaseId, body: ObjectionIn | None = None
) -> dict[str, Any]:
    """Anyone may object to a case in notice, with a reason."""
    case = workflow.object_to(session, actor, case_id, (body or ObjectionIn()).reason)
    return {"ok": True, **_public_notice_json(case)}


# Pages -----------------------------------------------------------------------------------


@router.get("/policy/cases", include_in_schema=False)
def cases_page(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    status: StatusQ = None,
    year: YearQ = None,
    page: PageQ = 1,
    created: Annotated[int | None, Query(ge=0, description="新生成的案件数（生成后的提示）")] = None,
) -> Response:
    """The cases per status (officers: their scope; an enterprise: its own), a hundred a
    page; after proposing a year, how many cases it created."""
    return _cases_page(request, session, actor, status, year, page, created)


def _bulk_actions(actor: Actor) -> list[str]:
    """The steps ``actor`` may take on many cases at once (a county officer: its review and
    rejection at the county stage; an enterprise: confirming its own)."""
    allowed = [a for a in workflow.BULK_ACTIONS if workflow.may_take(actor, a)]
    return allowed


def _cases_page(
    request: Request,
    session: Session,
    actor: Actor,
    status: str | None,
    year: int | None,
    page: int = 1,
    created: int | None = None,
    *,
    bulk: workflow.BulkRun | None = None,
    bulk_action: str | None = None,
    bulk_reason: str = "",
    ticked: frozenset[int] = frozenset(),
    status_code: int = 200,
) -> Response:
    """The case list; after a step on many cases, what it did (``bulk``), with the cases
    still to do ticked again (``ticked``)."""
    found = workflow.cases(session, actor, status, year)
    counts: dict[str, int] = {}
    for c in workflow.cases(session, actor, None, year):
        counts[c.status] = counts.get(c.status, 0) + 1
    pager = Pager.of(page, total=len(found), per_page=CASES_PER_PAGE)
    return render(
        request,
        "policy/cases.html",
        {
            "cases": pager.slice(found),
            "found": len(found),
            "pager": pager,
            "status": status,
            "year": year,
            "created": created,
            "counts": counts,
            "statuses": workflow.STATUSES,
            "labels": workflow.STATUS_LABELS,
            "shown_labels": workflow.SHOWN_STATUS_LABELS,
            "item_of": exports.rule_item,
            "default_year": service.default_year(),
            "bulk_actions": _bulk_actions(actor),
            "actions": workflow.ACTION_LABELS,
            "may_bulk": lambda c: bool(set(workflow.allowed_actions(actor, c)) & set(workflow.BULK_ACTIONS)),
            "bulk": bulk,
            "bulk_action": bulk_action,
            "bulk_reason": bulk_reason,
            "ticked": ticked,
            "lang_url": "/policy/cases?"
            + "&".join(f"{k}={v}" for k, v in (("status", status), ("year", year)) if v),
        },
        status_code=status_code,
    )


@router.post("/policy/cases/bulk", include_in_schema=False)
def bulk_form(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    settings: SettingsDep,
    locale: LocaleDep,
    action: Annotated[BulkAction, Form()],
    case_id: Annotated[list[int] | None, Form()] = None,
    reason: ReasonF = None,
    payment_reference: ReferenceF = None,
    payee_name_checked: CheckedF = False,
    back: Annotated[Literal["cases", "mine"], Form()] = "cases",
    status: Annotated[str | None, Form(max_length=24)] = None,
    year: Annotated[int | None, Form(ge=1985, le=2100)] = None,
) -> Response:
    """The list's step on the cases ticked (the enterprise's page: confirm all its cases
    waiting for it): the same page again, saying how many were done and, for each case
    refused, why. A step refused as a whole (no case ticked, no reason to reject) changes
    nothing and says so above the form, with what was typed."""
    try:
        run = workflow.act_on_many(
            session,
            actor,
            case_id or [],
            action,
            reason,
            payment_reference=payment_reference,
            notice_days=settings.policy_notice_days,
            payee_name_checked=payee_name_checked,
        )
    except BadInput as exc:
        session.rollback()
        run = workflow.BulkRun([], [(0, exc)])
    # A step refused as a whole is case id 0 (nothing done); the reason typed is kept for
    # it only: after a step taken, the next ticks must not inherit a rejection's reason.
    code = 400 if run.refused and run.refused[0][0] == 0 else 200
    if back == "mine":
        return _mine_page(request, session, actor, year, bulk=run, status_code=code)
    return _cases_page(
        request,
        session,
        actor,
        status or None,
        year,
        bulk=run,
        bulk_action=action,
        bulk_reason=(reason or "") if code == 400 else "",
        # After a refusal the ticks stay on the cases not moved (all of them when the step
        # was refused as a whole), so that the officer corrects and sends again instead of
        # finding them one by one; a case moved is not ticked for the next step.
        ticked=frozenset(case_id or []) - {c.id for c in run.done} if run.refused else frozenset(),
        status_code=code,
    )


@router.post("/policy/cases/propose", include_in_schema=False)
def propose_form(
    session: SessionDep, actor: CurrentActor, year: Annotated[int | None, Form(ge=1985, le=2100)] = None
) -> Response:
    """Create the year's cases, then show the proposed ones."""
    chosen = year or service.default_year()
    created = workflow.propose_year(session, actor, chosen)
    return RedirectResponse(
        f"/policy/cases?status=proposed&year={chosen}&created={len(created)}", status_code=303
    )


@router.get("/policy/cases/{case_id}", include_in_schema=False)
def case_page(request: Request, session: SessionDep, actor: CurrentActor, case_id: CaseId) -> Response:
    """One case: its data, timeline and the buttons allowed to the user."""
    return _case_page(request, session, actor, case_id)


class ActionRefused(NamedTuple):
    """An action of the case page refused for what was typed: the action, the reason for
    the refusal (in the page's language) and the fields as typed."""

    action: str
    message: str
    reason: str
    payment_reference: str


def _case_page(
    request: Request,
    session: Session,
    actor: Actor,
    case_id: int,
    *,
    refused: ActionRefused | None = None,
    status_code: int = 200,
) -> Response:
    """The case page; after a refused action, that action's form shows why, with what was typed."""
    view = workflow.case_view(session, actor, case_id)
    rule = service.current_policy().rule(view.case.rule)
    return render(
        request,
        "policy/case.html",
        {
            "view": view,
            "c": view.case,
            "rule_titles": (rule.title, rule.title_en) if rule is not None else None,
            "labels": workflow.STATUS_LABELS,
            "shown_labels": workflow.SHOWN_STATUS_LABELS,
            "actions": workflow.ACTION_LABELS,
            "needs_reason": workflow.NEEDS_REASON,
            "files": applications.files_of(session, case_id),
            "refused": refused,
        },
        status_code=status_code,
    )


@router.post("/policy/cases/{case_id}/{action}", include_in_schema=False)
def act_form(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    settings: SettingsDep,
    locale: LocaleDep,
    case_id: CaseId,
    action: Action,
    reason: ReasonF = None,
    payment_reference: ReferenceF = None,
    payee_name_checked: CheckedF = False,
) -> Response:
    """A button of the case page. Refused for what was typed (a reason of spaces only) or
    for the case's state (an approval the budget does not cover yet, a step someone else
    took first), the case page comes back with the reason above that button's form (above
    the page where the button is gone) and the text kept; the case is unchanged."""
    try:
        workflow.act(
            session,
            actor,
            case_id,
            action,
            reason,
            payment_reference=payment_reference,
            notice_days=settings.policy_notice_days,
            payee_name_checked=payee_name_checked,
        )
    except (BadInput, Conflict) as exc:
        session.rollback()
        refused = ActionRefused(action, exc.render(locale), reason or "", payment_reference or "")
        return _case_page(request, session, actor, case_id, refused=refused, status_code=exc.status)
    return RedirectResponse(f"/policy/cases/{case_id}", status_code=303)


@router.get("/policy/budgets", include_in_schema=False)
def budgets_page(request: Request, session: SessionDep, actor: CurrentActor, year: YearQ = None) -> Response:
    """The budgets of a year with their approval queues (P2.1-f order)."""
    return _budgets_page(request, session, actor, year or service.default_year())


def _budgets_page(
    request: Request,
    session: Session,
    actor: Actor,
    year: int,
    *,
    refused: tuple[str, str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """The budgets page of ``year``; after a refused budget, ``refused`` is (the rule, what
    was typed, the reason): shown above the table and in that rule's field."""
    return render(
        request,
        "policy/budgets.html",
        {
            "year": year,
            "items": budget.lines(session, actor, year),
            "labels": workflow.STATUS_LABELS,
            "shown_labels": workflow.SHOWN_STATUS_LABELS,
            "refused": refused,
        },
        status_code=status_code,
    )


@router.post("/policy/budgets", include_in_schema=False)
def budget_form(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    locale: LocaleDep,
    year: Annotated[int, Form(ge=1985, le=2100)],
    rule: Annotated[str, Form(max_length=32)],
    amount: Annotated[str | None, Form(max_length=12)] = None,
) -> Response:
    """Set or clear (empty amount) a budget. A refused amount changes nothing and comes back
    as the page with the reason and the amount typed."""
    text = (amount or "").replace(",", "").strip()
    try:
        if text and not text.isdecimal():
            raise ValidationFailed(
                "预算应为 0 至 {max} 之间的整数元，实际为 {value}",
                max=f"{budget.MAX_BUDGET_YUAN:,}",
                value=amount,
            )
        budget.set_budget(session, actor, year, rule, int(text) if text else None)
    except BadInput as exc:
        session.rollback()
        return _budgets_page(
            request,
            session,
            actor,
            year,
            refused=(rule, amount or "", exc.render(locale)),
            status_code=exc.status,
        )
    return RedirectResponse(f"/policy/budgets?year={year}", status_code=303)


@router.post("/policy/budgets/approve", include_in_schema=False)
def approve_queue_form(
    session: SessionDep,
    actor: CurrentActor,
    year: Annotated[int, Form(ge=1985, le=2100)],
    rule: Annotated[str | None, Form(max_length=32)] = None,
) -> Response:
    """Approve in order within the budgets, then show the budgets again."""
    run = workflow.approve_in_order(session, actor, year, rule or None)
    return RedirectResponse(
        f"/policy/budgets?year={year}&approved={len(run.approved)}&waiting={len(run.waiting)}",
        status_code=303,
    )


@router.get("/policy/notices", include_in_schema=False)
def notices_page(request: Request, session: SessionDep) -> Response:
    """The public notice (公示), with a form to object while a case's notice runs."""
    return _notices_page(request, session)


def _notices_page(
    request: Request, session: Session, *, refused: ObjectionRefused | None = None, status_code: int = 200
) -> Response:
    """The public notice; after a refused objection, its form says why and keeps the text."""
    return render(
        request,
        "policy/notices.html",
        {
            "cases": workflow.notices(session),
            "labels": workflow.STATUS_LABELS,
            "shown_labels": workflow.SHOWN_STATUS_LABELS,
            "today": clock.today(),
            "item_of": exports.rule_item,
            "refused": refused,
        },
        status_code=status_code,
    )


class ObjectionRefused(NamedTuple):
    """An objection refused for what was typed: the case, why (in the page's language), the text."""

    case_id: int
    message: str
    reason: str


@router.post("/policy/notices/{case_id}/objection", include_in_schema=False)
def object_form(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    locale: LocaleDep,
    case_id: CaseId,
    reason: ReasonF = None,
) -> Response:
    """Object to a case in notice. Refused for what was typed (a reason of spaces only), the
    notice comes back with the reason beside that case's form and the text kept."""
    try:
        workflow.object_to(session, actor, case_id, reason)
    except BadInput as exc:
        session.rollback()
        refused = ObjectionRefused(case_id, exc.render(locale), reason or "")
        return _notices_page(request, session, refused=refused, status_code=exc.status)
    return RedirectResponse("/policy/notices?objected=1", status_code=303)


@router.get("/policy/mine", include_in_schema=False)
def mine_page(request: Request, session: SessionDep, actor: CurrentActor, year: YearQ = None) -> Response:
    """The enterprise's own cases, with the confirm button where one waits for it; then the
    year's items that have no case yet, each with why (held back, documents needed, not yet
    due …) and what the enterprise can do."""
    return _mine_page(request, session, actor, year)


def _mine_page(
    request: Request,
    session: Session,
    actor: Actor,
    year: int | None,
    *,
    account_refused: AccountRefused | None = None,
    bulk: workflow.BulkRun | None = None,
    status_code: int = 200,
) -> Response:
    """The enterprise's page; after a refused account, ``account_refused`` is (the reason,
    the fields as typed), shown in the account's form; after confirming all, what it did."""
    require(actor, "policy.case_read")
    if actor.role != "enterprise":
        raise PermissionDenied("该页面只对企业账号开放：官员请使用“资助案件”列表")
    found = workflow.cases(session, actor)
    chosen = year or service.default_year()
    waiting = []
    account = None
    if actor.holder_id is not None:
        st = exports.statement(session, actor, actor.holder_id, chosen)
        waiting = [i for i in st.items if i.case is None]
        account = st.account
    policy = service.current_policy()
    return render(
        request,
        "policy/mine.html",
        {
            "cases": found,
            "labels": workflow.STATUS_LABELS,
            "shown_labels": workflow.SHOWN_STATUS_LABELS,
            "reasons": workflow.rejection_reasons(session, found),
            "year": chosen,
            "waiting": waiting,
            "apply_kinds": {k.id: k for k in applications.KINDS.values()},
            "rule_kind": {rule: k.id for k in applications.KINDS.values() for rule in k.rules},
            "rules": {r.id: r for r in policy.rules},
            "account": account,
            "account_refused": account_refused,
            "bulk": bulk,
            "to_confirm": [c.id for c in found if c.status in ("proposed", "applied")],
            "nav_here": "/policy/mine",
            "lang_url": "/policy/mine" + (f"?year={year}" if year else ""),
        },
        status_code=status_code,
    )


@router.post("/policy/mine/account", include_in_schema=False)
def mine_account_form(
    request: Request, session: SessionDep, actor: CurrentActor, locale: LocaleDep, form: PayeeFormDep
) -> Response:
    """The enterprise records its own receiving account (收款账户), the account the policy's
    money is paid into (audited; officers set it from the holder's page). A refused account
    changes nothing and comes back in the form, with the reason, as typed."""
    require(actor, "registry.edit_payee_account")
    if actor.role != "enterprise" or actor.holder_id is None:
        raise PermissionDenied("企业账号只能登记本企业的收款账户")
    refused = save_payee_account(session, actor, actor.holder_id, form, locale)
    if refused is not None:
        return _mine_page(request, session, actor, None, account_refused=refused, status_code=refused.status)
    return RedirectResponse("/policy/mine#payee-account", status_code=303)
