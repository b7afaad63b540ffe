"""From entitlement to payment (免申即享): the cases of the policy's money and their steps.

A case is proposed from the evaluation (the holder does not apply), or applied for by the
enterprise with its evidence where the registry lacks the facts (:mod:`ipcity.policy.applications`),
then::

    proposed | applied --confirm (the enterprise itself)--> confirmed
    confirmed --county_review (county officer of the holder's county)--> county_reviewed
    county_reviewed --city_review (city officer)--> city_reviewed
    city_reviewed --notice (city officer; 公示 for ``notice_days``)--> in_notice
    in_notice --object (anyone, with a reason, until the notice ends)--> objected
    objected --dismiss (city officer, with a reason)--> in_notice
    in_notice --approve (city officer, once the notice has ended, within the item's budget
                in the order of P2.1-f: :mod:`ipcity.policy.budget`)--> approved
    approved --pay (city officer, with the payment reference; the holder's receiving
                account is copied onto the payment row)--> paid
    any open status --reject (officer in scope, with a reason)--> rejected
    rejected --reopen (city officer, with a reason)--> proposed | applied (the status the
                case began in: the enterprise confirms again, the reviews start over)

A rejected case stays rejected: proposing the year again does not bring its key back (the
officer's decision would be undone by the next batch); an officer reopens it, or the
enterprise applies again with new evidence.

Every step checks role and region scope (:mod:`ipcity.auth.roles`), writes the case's
timeline and the audit log in the same transaction. Approval inserts a ``policy_payments``
row whose UNIQUE(payment_key) makes the database refuse a second approval of the same key,
even from two transactions at once; the service checks first to say so in one sentence.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from ipcity import audit, clock
from ipcity.auth.roles import Actor, may_see_private, require, require_region
from ipcity.errors import (
    Conflict,
    IPCityError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
    database_condition,
)
from ipcity.i18n import Bilingual, gettext
from ipcity.policy import budget, service
from ipcity.policy.engine import Entitlement
from ipcity.policy.models import PolicyCase, PolicyCaseStep, PolicyPayment
from ipcity.registry import payee
from ipcity.registry.service import ChoiceFailed

STATUSES = (
    "proposed",
    "applied",
    "confirmed",
    "county_reviewed",
    "city_reviewed",
    "in_notice",
    "objected",
    "approved",
    "paid",
    "rejected",
)
STATUS_LABELS = {
    "proposed": "待企业确认",
    "applied": "已申请待确认",
    "confirmed": "待县区审核",
    "county_reviewed": "待市级审核",
    "city_reviewed": "待公示",
    "in_notice": "公示中",
    "objected": "公示有异议",
    "approved": "已批准待拨付",
    "paid": "已拨付",
    "rejected": "未通过",
}
# The statuses as pages show a case (PolicyCase.shown_status): the stored ones, and a case in
# notice whose notice has ended, waiting for approval.
SHOWN_STATUS_LABELS = {**STATUS_LABELS, "notice_over": "公示期满，待批准"}
ACTION_LABELS = {
    "propose": "生成",
    "apply": "企业申请",
    "confirm": "企业确认",
    "county_review": "县区审核通过",
    "city_review": "市级审核通过",
    "notice": "公示",
    "object": "提出异议",
    "dismiss": "异议不成立",
    "approve": "批准",
    "pay": "拨付",
    "reject": "不予通过",
    "reopen": "重新受理",
}
OPEN = frozenset(
    {"proposed", "applied", "confirmed", "county_reviewed", "city_reviewed", "in_notice", "objected"}
)
# action -> (permission, statuses it starts from, status it leads to)
TRANSITIONS: dict[str, tuple[str, frozenset[str], str]] = {
    "confirm": ("policy.confirm", frozenset({"proposed", "applied"}), "confirmed"),
    "county_review": ("policy.county_review", frozenset({"confirmed"}), "county_reviewed"),
    "city_review": ("policy.city_review", frozenset({"county_reviewed"}), "city_reviewed"),
    "notice": ("policy.city_review", frozenset({"city_reviewed"}), "in_notice"),
    "dismiss": ("policy.city_review", frozenset({"objected"}), "in_notice"),
    "approve": ("policy.approve", frozenset({"in_notice"}), "approved"),
    "pay": ("policy.pay", frozenset({"approved"}), "paid"),
    "reject": ("policy.reject", OPEN, "rejected"),
    # The target is the status the case began in (see :func:`_reopened_status`).
    "reopen": ("policy.city_review", frozenset({"rejected"}), "proposed"),
}
ACTIONS = tuple(TRANSITIONS)
NEEDS_REASON = frozenset({"reject", "dismiss", "object", "reopen"})
MAX_REASON = 2000


@dataclass(frozen=True)
class CaseView:
    """A case with its timeline and the actions the viewer may take now."""

    case: PolicyCase
    steps: list[PolicyCaseStep]
    payment: PolicyPayment | None
    actions: list[str]
    # The account the money went to (paid: the payment's snapshot) or goes to (otherwise:
    # the holder's account now); ``recorded`` is false where there is none.
    account: payee.AccountOnRecord | None = None

    @property
    def account_is_snapshot(self) -> bool:
        """Whether :attr:`account` is the one recorded at payment (not the holder's current)."""
        return self.payment is not None and self.payment.paid_at is not None

    def step_note(self, step: PolicyCaseStep, locale: str) -> str:
        """What the timeline says of ``step`` in ``locale``: the person's reason or remark as
        written; for the payment, what was recorded (reference, account by bank and last
        four digits) in the reader's language, then the remark."""
        if step.action == "apply" and step.reason:
            return gettext(step.reason, locale)  # the kind applied for: a label of the platform
        if step.action != "pay" or self.payment is None or self.payment.paid_at is None:
            return step.reason or ""
        p = self.payment
        note = gettext("支付凭证号 {ref}", locale).format(ref=p.reference or "")
        if p.payee_account:
            note += gettext("；收款账户 {name} {bank} {number}", locale).format(
                name=p.payee_name or "", bank=p.payee_bank or "", number=payee.mask_number(p.payee_account)
            )
        else:
            note += gettext("；未登记收款账户", locale)
        return note + (gettext("；备注：{text}", locale).format(text=step.reason) if step.reason else "")

    def to_json(self) -> dict[str, Any]:
        """JSON-ready: the case, its steps, its payment and the allowed actions."""
        c = self.case
        return {
            **case_json(c),
            "steps": [
                {
                    "at": _shown_time(s.at),
                    "actor": s.actor,
                    "action": s.action,
                    "from_status": s.from_status,
                    "to_status": s.to_status,
                    "reason": s.reason,
                    "note": self.step_note(s, "zh_CN"),
                    "note_en": self.step_note(s, "en"),
                }
                for s in self.steps
            ],
            "payment": None
            if self.payment is None
            else {
                "approved_at": _shown_time(self.payment.approved_at),
                "approved_by": self.payment.approved_by,
                "paid_at": _shown_time(self.payment.paid_at),
                "reference": self.payment.reference,
            },
            "payee_account": None
            if self.account is None
            else {**self.account.to_json(), "recorded_at_payment": self.account_is_snapshot},
            "actions": self.actions,
        }


def rejection_reasons(session: Session, cases: list[PolicyCase]) -> dict[int, str]:
    """Why each rejected case of ``cases`` was rejected: the reason of its latest rejection
    (the list shows it beside the status; the case page shows the whole timeline)."""
    rejected = [c.id for c in cases if c.status == "rejected"]
    reasons: dict[int, str] = {}
    for chunk in (rejected[i : i + 500] for i in range(0, len(rejected), 500)):
        steps = session.execute(
            select(PolicyCaseStep.case_id, PolicyCaseStep.reason)
            .where(PolicyCaseStep.case_id.in_(chunk), PolicyCaseStep.to_status == "rejected")
            .order_by(PolicyCaseStep.at, PolicyCaseStep.id)
        )
        reasons.update({case_id: reason for case_id, reason in steps if reason})
    return reasons


def _shown_time(at: datetime | None) -> str | None:
    """A stored UTC time as the API gives it: Beijing time with its ``+08:00`` offset, to the
    second (as pages show it; SQLite hands back naive UTC, which alone would read as local)."""
    local = clock.local_time(at)
    return local.isoformat(timespec="seconds") if local is not None else None


def case_json(c: PolicyCase) -> dict[str, Any]:
    """One case's fields, JSON-ready."""
    return {
        "id": c.id,
        "payment_key": c.payment_key,
        "entitlement_id": c.entitlement_id,
        "year": c.year,
        "rule": c.rule,
        "clause": c.clause,
        "object": c.object_label,
        "object_en": c.object_label_en,
        "holder_id": c.holder_id,
        "holder": c.holder_name,
        "region_code": c.region_code,
        "amount": c.amount_yuan,
        "status": c.status,
        "notice_until": c.notice_until.isoformat() if c.notice_until else None,
    }


def _now() -> datetime:
    return datetime.now(UTC)


def _step(
    session: Session,
    actor: Actor,
    case: PolicyCase,
    action: str,
    to_status: str,
    reason: str | None,
    extra: dict[str, Any] | None = None,
) -> None:
    """Move ``case`` to ``to_status``: timeline step and audit entry in the caller's transaction."""
    before = case.status
    case.status = to_status
    case.updated_at = _now()
    session.add(
        PolicyCaseStep(
            case_id=case.id,
            at=case.updated_at,
            actor=actor.username,
            action=action,
            from_status=before,
            to_status=to_status,
            reason=reason,
        )
    )
    audit.record(
        session,
        actor.username,
        f"policy.case.{action}",
        "policy_case",
        case.id,
        {"payment_key": case.payment_key, "from": before, "to": to_status, "reason": reason} | (extra or {}),
    )


def _clean_reason(action: str, reason: str | None) -> str | None:
    text = (reason or "").strip()
    if action in NEEDS_REASON and not text:
        raise ValidationFailed("“{action}”需要填写理由", action=Bilingual.of(ACTION_LABELS[action]))
    if len(text) > MAX_REASON:
        raise ValidationFailed("理由不能超过 {max} 个字符，实际为 {n}", max=MAX_REASON, n=len(text))
    return text or None


def propose_year(session: Session, actor: Actor, year: int) -> list[PolicyCase]:
    """Create a case for each eligible entitlement of ``year`` that has no case yet
    (免申即享: the holder does not apply). A key whose case was rejected is not proposed
    again: the rejection stands until an officer reopens the case (``reopen``). Idempotent;
    commits. Returns the new cases."""
    require(actor, "policy.propose")
    found = [e for e in service.entitlements(session, actor, year) if e.status == "eligible" and e.amount > 0]
    keys = sorted({e.payment_key for e in found})
    taken: set[str] = set()
    for start in range(0, len(keys), 500):  # chunks: databases limit the bound parameters
        taken.update(
            session.scalars(
                select(PolicyCase.payment_key).where(PolicyCase.payment_key.in_(keys[start : start + 500]))
            )
        )
    holders = _holder_regions(session, {e.holder_id for e in found if e.holder_id is not None})
    created: list[PolicyCase] = []
    now = _now()
    for e in found:
        if e.payment_key in taken or e.holder_id is None:
            continue
        taken.add(e.payment_key)
        try:
            case = open_case(session, actor, e, holders.get(e.holder_id), "proposed", now)
        except IntegrityError as exc:
            # The live-case index: someone opened a case of this key since the check above
            # (another officer proposing the same year, an enterprise applying). Nothing of
            # this run is kept; running it again proposes what is still missing.
            session.rollback()
            raise Conflict("{year}年度的案件正由他人同时生成，请稍后重试", year=year) from exc
        created.append(case)
    audit.record(
        session, actor.username, "policy.case.propose", "policy_year", year, {"created": len(created)}
    )
    session.commit()
    return created


def open_case(
    session: Session,
    actor: Actor,
    e: Entitlement,
    region_code: str | None,
    status: str,
    now: datetime,
    reason: str | None = None,
) -> PolicyCase:
    """A new case for an eligible entitlement in ``status`` (``proposed`` from the data,
    ``applied`` by the enterprise), with its first timeline step; flushed, not committed."""
    assert e.holder_id is not None
    case = PolicyCase(
        payment_key=e.payment_key,
        entitlement_id=e.id,
        year=e.year,
        rule=e.rule,
        clause=e.clause,
        object_label=e.object_label[:500],
        object_label_en=e.object_label_en[:500],
        holder_id=e.holder_id,
        holder_name=e.holder[:300],
        region_code=region_code,
        amount_yuan=e.amount,
        status=status,
        created_at=now,
        updated_at=now,
    )
    session.add(case)
    session.flush()
    action = "apply" if status == "applied" else "propose"
    session.add(
        PolicyCaseStep(
            case_id=case.id, at=now, actor=actor.username, action=action, to_status=status, reason=reason
        )
    )
    return case


def _holder_regions(session: Session, ids: set[int]) -> dict[int, str | None]:
    # The registry's service has no bulk lookup of regions; the snapshot already read them.
    from ipcity.registry.models import Holder

    if not ids:
        return {}
    return {
        hid: code
        for hid, code in session.execute(select(Holder.id, Holder.region_code).where(Holder.id.in_(ids)))
    }


def _get(session: Session, case_id: int, lock: bool = False) -> PolicyCase:
    """The case, read again from the database; with ``lock``, held for this transaction so
    that two requests acting on it at once take turns, the second seeing the first's step
    (two clicks on "pay" pay once)."""
    query = select(PolicyCase).where(PolicyCase.id == case_id)
    if lock:
        if session.get_bind().dialect.name == "sqlite":
            # SQLite ignores FOR UPDATE, and its reads outside a write see what was committed
            # before: a no-op write takes the database's write lock first (a second request
            # waits here for the first to commit), so the read below sees the latest status.
            session.execute(text("UPDATE policy_cases SET id = id WHERE id = :id"), {"id": case_id})
        query = query.with_for_update()
    case = session.scalar(query.execution_options(populate_existing=True))
    if case is None:
        raise NotFound("没有编号为 {id} 的资助案件", id=case_id)
    return case


def _may_read(actor: Actor, case: PolicyCase) -> bool:
    return may_see_private(actor, case.holder_id, case.region_code)


def allowed_actions(actor: Actor, case: PolicyCase, today: date | None = None) -> list[str]:
    """The actions ``actor`` may take on ``case`` now (for the buttons of the case page)."""
    out = []
    for action, (permission, sources, _) in TRANSITIONS.items():
        if case.status not in sources or actor.role not in _roles(permission):
            continue
        if not _in_scope(actor, action, case):
            continue
        if action == "approve" and not _notice_over(case, today):
            continue
        out.append(action)
    return out


# What a county officer does, at the county stage of its own county's cases (_in_scope).
COUNTY_ACTIONS = frozenset({"county_review", "reject"})


def may_take(actor: Actor, action: str) -> bool:
    """Whether ``actor``'s role may ever take ``action`` (some case in its scope may allow
    it): for the forms that offer a step on many cases. The permission names the roles (an
    enterprise holds only ``confirm``'s); a county officer acts at the county stage only."""
    if actor.role not in _roles(TRANSITIONS[action][0]):
        return False
    return actor.role != "county_officer" or action in COUNTY_ACTIONS


def _roles(permission: str) -> frozenset[str]:
    from ipcity.auth.roles import PERMISSIONS

    return PERMISSIONS[permission]


def _in_scope(actor: Actor, action: str, case: PolicyCase) -> bool:
    if actor.role == "enterprise":
        return actor.holder_id == case.holder_id
    if actor.role == "county_officer":
        # A county officer acts on its own county's cases, and only at the county stage.
        return (
            case.region_code == actor.region_code
            and action in COUNTY_ACTIONS
            and (action != "reject" or case.status in {"proposed", "applied", "confirmed"})
        )
    return True


def _notice_over(case: PolicyCase, today: date | None) -> bool:
    """Whether the public notice has ended: ``notice_until`` is its last day, on which
    anyone may still object, so approval comes the day after (never on the same day as an
    objection)."""
    return case.notice_until is not None and (today or clock.today()) > case.notice_until


def act(
    session: Session,
    actor: Actor,
    case_id: int,
    action: str,
    reason: str | None = None,
    *,
    payment_reference: str | None = None,
    notice_days: int = 7,
    today: date | None = None,
    queue_checked: bool = False,
    payee_name_checked: bool = False,
) -> PolicyCase:
    """Take ``action`` on a case (see the module's diagram); commits. Refusals: 401/403 for
    role and scope, 409 for the wrong status or a key already approved, 400 without reason.
    ``queue_checked``: see :func:`budget.check_before_approval` (the queue's own run).
    ``payee_name_checked``: the officer has checked a receiving account held in another
    name than the holder's (paying into it is refused without)."""
    if action not in TRANSITIONS:
        raise ChoiceFailed("未知操作“{action}”，应为 {expected} 之一", choices=ACTION_LABELS, action=action)
    permission, sources, target = TRANSITIONS[action]
    require(actor, permission)
    case = _get(session, case_id, lock=True)
    if not _may_read(actor, case):
        # Out of the actor's scope: the same answer as for a case that does not exist, so
        # that trying ids tells nobody which cases exist or where their holders are.
        raise NotFound("没有编号为 {id} 的资助案件", id=case_id)
    if actor.role == "county_officer":
        require_region(actor, case.region_code)
    if not _in_scope(actor, action, case):
        if actor.role == "enterprise":
            raise PermissionDenied("企业账号只能确认本企业的资助项目")
        raise PermissionDenied("县区账号只能在县区审核阶段处理本县区的资助项目")
    if case.status not in sources:
        raise Conflict(
            "该项目当前状态为“{status}”，不能执行“{action}”",
            status=STATUS_LABELS[case.status],
            action=ACTION_LABELS[action],
        )
    text = _clean_reason(action, reason)
    extra: dict[str, Any] | None = None
    if action == "reopen":
        target = _reopened_status(session, case)
    elif action == "confirm":
        case.confirmed_at = _now()
    elif action == "notice":
        # ``notice_days`` days counted from today: the last of them is ``notice_until``
        # (0 days: no notice, the case may be approved at once).
        case.notice_until = (today or clock.today()) + timedelta(days=notice_days - 1)
    elif action == "approve":
        _approve(session, actor, case, today, queue_checked)
    elif action == "pay":
        # Listed on the dishonesty list since its approval: not paid while the listing holds.
        listed = budget.listed_block(session, case, today or clock.today())
        if listed is not None:
            raise listed
        paid_into = _pay(session, actor, case, payment_reference, payee_name_checked)
        # The step keeps the officer's remark; the timeline adds what the payment row
        # recorded in the reader's language (CaseView.step_note), the audit entry the same
        # facts (the account masked).
        extra = {
            "reference": (payment_reference or "").strip(),
            "account": f"{paid_into.name} {paid_into.bank} {payee.mask_number(paid_into.number)}"
            if paid_into.recorded
            else None,
        }
        if paid_into.differs:
            extra["payee_name_checked"] = True
    try:
        # The step's own queries flush the new status: the live-case index may refuse there.
        _step(session, actor, case, action, target, text, extra)
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        if action == "reopen":
            # The live-case index: another case of the key opened while this one was reopened.
            raise Conflict("项目“{key}”已有进行中的案件，不能重新受理本案件", key=case.payment_key) from exc
        raise Conflict("项目“{key}”已批准过，同一项目不能重复批准或支付", key=case.payment_key) from exc
    return case


def _reopened_status(session: Session, case: PolicyCase) -> str:
    """The status a rejected case returns to when reopened: the one it began in (proposed
    from the data, or applied for), so that the enterprise confirms again and every review
    is made again. Refused while another case of the same key is open or paid (the
    enterprise applied again after the rejection): one key, one live case."""
    other = session.scalar(
        select(PolicyCase.id).where(
            PolicyCase.payment_key == case.payment_key,
            PolicyCase.id != case.id,
            PolicyCase.status != "rejected",
        )
    )
    if other is not None:
        raise Conflict(
            "项目“{key}”已有进行中的案件（编号 {id}），不能重新受理本案件", key=case.payment_key, id=other
        )
    first = session.scalar(
        select(PolicyCaseStep.to_status)
        .where(PolicyCaseStep.case_id == case.id)
        .order_by(PolicyCaseStep.at, PolicyCaseStep.id)
        .limit(1)
    )
    # What was confirmed, noticed or waited for belongs to the rejected round.
    case.confirmed_at = None
    case.notice_until = None
    case.budget_note = None
    return "applied" if first == "applied" else "proposed"


def _approve(
    session: Session, actor: Actor, case: PolicyCase, today: date | None, queue_checked: bool = False
) -> None:
    if not _notice_over(case, today):
        raise Conflict("公示期至 {until} 结束，公示期满后才能批准", until=case.notice_until)
    if session.scalar(select(PolicyPayment.id).where(PolicyPayment.payment_key == case.payment_key)):
        raise Conflict("项目“{key}”已批准过，同一项目不能重复批准或支付", key=case.payment_key)
    # The dishonesty list on the day of approval, the holder's cap, the item's budget and
    # the P2.1-f order; locks the budget and holder rows so concurrent approvals queue.
    budget.check_before_approval(session, case, today or clock.today(), queue_checked=queue_checked)
    case.budget_note = None
    session.add(
        PolicyPayment(
            payment_key=case.payment_key,
            case_id=case.id,
            holder_id=case.holder_id,
            rule=case.rule,
            year=case.year,
            amount_yuan=case.amount_yuan,
            approved_at=_now(),
            approved_by=actor.username,
        )
    )
    try:
        # The UNIQUE(payment_key) index decides between two concurrent approvals: the second
        # waits for the first to commit, then fails here.
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict("项目“{key}”已批准过，同一项目不能重复批准或支付", key=case.payment_key) from exc


@dataclass(frozen=True)
class QueueRun:
    """What one run of the approval queue did: the cases approved and those left waiting."""

    approved: list[PolicyCase]
    waiting: list[tuple[PolicyCase, str]]  # the case and why it waits (Chinese, as stored)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "approved": [case_json(c) for c in self.approved],
            "waiting": [{**case_json(c), "reason": reason} for c, reason in self.waiting],
        }


# The steps an officer or an enterprise takes on many cases at once from the list: each the
# same for every case (a batch payment, 批量代发, has one voucher number for all its cases).
# Approval has its own queue (budget order, approve_in_order); dismissing an objection and
# reopening take a reason of each case's own.
MSG_BULK_STOPPED = "数据库暂时无法完成操作（{reason}），本案件及其后的案件未处理"
BULK_ACTIONS = ("confirm", "county_review", "city_review", "notice", "reject", "pay")
MAX_BULK_CASES = 1000


@dataclass(frozen=True)
class BulkRun:
    """What one step taken on many cases did: the cases it moved, and those it could not
    move with the refusal of each (its status changed meanwhile, out of scope …)."""

    done: list[PolicyCase]
    refused: list[tuple[int, IPCityError]]

    def to_json(self, locale: str = "zh_CN") -> dict[str, Any]:
        """JSON-ready: the cases moved, and the ids refused with their reasons in ``locale``."""
        return {
            "done": [case_json(c) for c in self.done],
            "refused": [{"id": case_id, "error": error.render(locale)} for case_id, error in self.refused],
        }


def act_on_many(
    session: Session,
    actor: Actor,
    case_ids: list[int],
    action: str,
    reason: str | None = None,
    *,
    payment_reference: str | None = None,
    notice_days: int = 7,
    today: date | None = None,
    payee_name_checked: bool = False,
) -> BulkRun:
    """Take ``action`` (one of :data:`BULK_ACTIONS`) on each case of ``case_ids``, as
    :func:`act` takes it on one: the same checks of role, scope, status and reason, the same
    timeline step and audit entry. Each case is its own transaction, so a case refused (its
    status moved on since the list was shown) stops none of the others; the refusals come
    back with their reasons. A database that cannot serve now (locked, disk full …) ends
    the run: the cases done stay done, that case and the rest are refused with the
    condition (an error page would say that nothing was changed)."""
    if action not in BULK_ACTIONS:
        raise ChoiceFailed(
            "批量操作应为 {expected} 之一，收到：{action}",
            choices={a: ACTION_LABELS[a] for a in BULK_ACTIONS},
            action=action,
        )
    chosen = list(dict.fromkeys(case_ids))
    if not chosen:
        raise ValidationFailed("请先选择要处理的案件")
    if len(chosen) > MAX_BULK_CASES:
        raise ValidationFailed("一次最多处理 {max} 件案件，选择了 {n} 件", max=MAX_BULK_CASES, n=len(chosen))
    require(actor, TRANSITIONS[action][0])
    # A missing reason or voucher number is refused once, not once per case.
    _clean_reason(action, reason)
    if action == "pay" and not 0 < len((payment_reference or "").strip()) <= 100:
        raise ValidationFailed("拨付需要填写支付凭证号（不超过100个字符）")
    done: list[PolicyCase] = []
    refused: list[tuple[int, IPCityError]] = []
    for index, case_id in enumerate(chosen):
        try:
            done.append(
                act(
                    session,
                    actor,
                    case_id,
                    action,
                    reason,
                    payment_reference=payment_reference,
                    notice_days=notice_days,
                    today=today,
                    payee_name_checked=payee_name_checked,
                )
            )
        except IPCityError as exc:
            session.rollback()
            refused.append((case_id, exc))
        except OperationalError as exc:
            condition = database_condition(exc)
            if condition is None:
                raise  # a fault, not a condition: the error page and the log
            session.rollback()
            # Each further case would wait out the same lock or full disk: not tried.
            stopped = IPCityError(MSG_BULK_STOPPED, reason=condition)
            refused.extend((other, stopped) for other in chosen[index:])
            break
    return BulkRun(done, refused)


def approve_in_order(
    session: Session, actor: Actor, year: int, rule: str | None = None, today: date | None = None
) -> QueueRun:
    """Approve every approvable case of ``year`` (one item, or all) in the order of P2.1-f
    until each item's budget is spent; the rest waits with its reason, kept on the case
    (``budget_note``). Each approval is its own transaction, so a failure stops nothing
    already approved."""
    require(actor, "policy.approve")
    day = today or clock.today()
    rules = [rule] if rule else [r.id for r in service.current_policy().rules]
    run = QueueRun([], [])
    notes: dict[int, Conflict] = {}
    for rule_id in rules:
        # The queue is worked out once and walked in order; a refusal (another approval took
        # the budget or the cap meanwhile) works it out again for the cases not yet handled,
        # so that nothing behind a case that no longer fits jumps ahead of it.
        handled: set[int] = set()
        again = True
        while again:
            again = False
            for queued in budget.ordered_queue(session, year, rule_id, day):
                case = queued.case
                if case.id in handled:
                    continue
                handled.add(case.id)
                if queued.reason is not None:
                    run.waiting.append((case, queued.reason.render()))
                    notes[case.id] = queued.reason
                    continue
                try:
                    run.approved.append(
                        act(session, actor, case.id, "approve", today=day, queue_checked=True)
                    )
                except Conflict as exc:
                    session.rollback()
                    run.waiting.append((case, exc.render()))
                    notes[case.id] = exc
                    again = True
                    break
    for case_id, reason in notes.items():
        # Kept as message id and parameters: the page shows it in the reader's language.
        _get(session, case_id).budget_note = json.dumps(
            {"message": reason.message, "params": reason.params}, ensure_ascii=False, default=str
        )
    audit.record(
        session,
        actor.username,
        "policy.case.approve_queue",
        "policy_year",
        year,
        {"rule": rule, "approved": len(run.approved), "waiting": len(run.waiting)},
    )
    session.commit()
    return run


MSG_PAYEE_NAME_DIFFERS = (
    "收款账户户名“{account}”与权利人名称“{holder}”不一致：请核实该账户后勾选“已核实收款账户户名”再拨付，"
    "或请企业更正收款账户"
)


def _pay(
    session: Session, actor: Actor, case: PolicyCase, reference: str | None, payee_name_checked: bool = False
) -> payee.AccountOnRecord:
    """Record the payment: when, by whom, its reference, and the holder's receiving
    account copied onto the payment row (a later change of the holder's account does not
    rewrite it). A holder without an account on record can be paid (the money may have
    gone another way); the case page and the payment list say so. An account held in
    another name than the holder's (a person, a parent company) is paid into only when the
    officer says it was checked: a subsidy paid into someone else's account is what
    auditors look for first, and the enterprise may have changed its account after the
    approval. Returns the account."""
    ref = (reference or "").strip()
    if not ref or len(ref) > 100:
        raise ValidationFailed("拨付需要填写支付凭证号（不超过100个字符）")
    payment = session.scalar(select(PolicyPayment).where(PolicyPayment.case_id == case.id))
    if payment is None or payment.paid_at is not None:
        raise Conflict("项目“{key}”没有待拨付的批准记录", key=case.payment_key)
    from ipcity.registry import service as registry

    account = registry.holder_accounts(session, {case.holder_id}).get(
        case.holder_id, payee.AccountOnRecord(case.holder_name)
    )
    if account.differs and not payee_name_checked:
        raise Conflict(MSG_PAYEE_NAME_DIFFERS, account=account.name or "", holder=account.holder_name)
    payment.paid_at, payment.paid_by, payment.reference = _now(), actor.username, ref
    payment.payee_name, payment.payee_bank, payment.payee_account = account.name, account.bank, account.number
    return account


def paid_into(payment: PolicyPayment, holder_name: str) -> payee.AccountOnRecord:
    """The account a paid case's money went to, as recorded at payment."""
    return payee.AccountOnRecord(holder_name, payment.payee_name, payment.payee_bank, payment.payee_account)


def object_to(
    session: Session, actor: Actor, case_id: int, reason: str | None, today: date | None = None
) -> PolicyCase:
    """A public objection (异议) to a case in notice: anyone, with a reason, before the notice
    ends; a case already objected to takes further objections until then (each a step the
    city reviewer sees), so that a first objection never silences a second."""
    case = _get(session, case_id, lock=True)
    if case.notice_until is None:
        # Never put on public notice: to the public it does not exist, as an unknown id
        # (the answer must not tell that a case is being reviewed, or its state).
        raise NotFound("没有编号为 {id} 的资助案件", id=case_id)
    if (
        case.status not in ("in_notice", "objected")
        or case.notice_until is None
        or (today or clock.today()) > case.notice_until
    ):
        raise Conflict("该项目不在公示期内，不能提出异议")
    text = _clean_reason("object", reason)
    _step(session, actor, case, "object", "objected", text)
    session.commit()
    return case


def cases(
    session: Session, actor: Actor, status: str | None = None, year: int | None = None
) -> list[PolicyCase]:
    """The cases the actor may see (officers: their scope; an enterprise: its own), newest first."""
    require(actor, "policy.case_read")
    if status is not None and status not in STATUSES:
        raise ChoiceFailed("状态“{status}”无效，应为 {expected} 之一", choices=STATUS_LABELS, status=status)
    query = select(PolicyCase).order_by(PolicyCase.year.desc(), PolicyCase.id)
    if status:
        query = query.where(PolicyCase.status == status)
    if year:
        query = query.where(PolicyCase.year == year)
    if actor.role == "county_officer":
        query = query.where(PolicyCase.region_code == actor.region_code)
    elif actor.role == "enterprise":
        query = query.where(PolicyCase.holder_id == (actor.holder_id if actor.holder_id is not None else -1))
    return list(session.scalars(query))


def case_view(session: Session, actor: Actor, case_id: int, today: date | None = None) -> CaseView:
    """One case with its timeline, payment and the actions the actor may take."""
    require(actor, "policy.case_read")
    case = _get(session, case_id)
    if not _may_read(actor, case):
        raise NotFound("没有编号为 {id} 的资助案件", id=case_id)
    steps = list(
        session.scalars(
            select(PolicyCaseStep).where(PolicyCaseStep.case_id == case.id).order_by(PolicyCaseStep.id)
        )
    )
    payment = session.scalar(select(PolicyPayment).where(PolicyPayment.case_id == case.id))
    if payment is not None and payment.paid_at is not None:
        account = paid_into(payment, case.holder_name)
    else:
        from ipcity.registry import service as registry

        account = registry.holder_accounts(session, {case.holder_id}).get(
            case.holder_id, payee.AccountOnRecord(case.holder_name)
        )
    return CaseView(case, steps, payment, allowed_actions(actor, case, today), account)


def notices(session: Session, today: date | None = None) -> list[PolicyCase]:
    """The public notice (公示): cases in notice or under objection. Public: holder, item, amount."""
    return list(
        session.scalars(
            select(PolicyCase)
            .where(PolicyCase.status.in_(("in_notice", "objected")))
            .order_by(PolicyCase.notice_until, PolicyCase.id)
        )
    )
