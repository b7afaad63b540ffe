"""Budgets per year and item, and the order in which approvable cases draw on them.

A city officer sets the money of an item (a rule) for a year. A case is approvable once its
public notice has ended; when the budget cannot cover every approvable case, they are
approved in the order of P2.1-f: holders in an incubator or maker space (the policy's
``priority.holder_tags``) first, then by the date the enterprise confirmed or applied, then
by case number. The rest waits with its reason. No budget row for an item means no limit was
set for it: approvals are then bounded only by the rules' own limits.

A case that cannot be approved for a reason of its own (its holder on the dishonesty list
now, the holder's yearly cap reached) holds no place in the queue: it must not block the
cases behind it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipcity import audit, clock
from ipcity.auth.roles import Actor, require
from ipcity.errors import Conflict, NotFound, ValidationFailed
from ipcity.policy import service
from ipcity.policy.models import PolicyBudget, PolicyCase, PolicyPayment
from ipcity.protection.credit import Listing, listing_on
from ipcity.protection.models import CreditListing
from ipcity.registry.models import Holder

MAX_BUDGET_YUAN = 2**31 - 1  # the column is a 32-bit integer


@dataclass(frozen=True)
class BudgetLine:
    """One item's budget of a year: set, approved (paid included), paid, left, and the queue."""

    year: int
    rule: str
    title: str
    clause: str
    budget: int | None  # None: no budget set (no limit)
    approved: int
    paid: int
    queue: list[QueuedCase]
    title_en: str = ""

    def title_in(self, locale: str) -> str:
        """The item's title in ``locale``'s words."""
        return self.title_en if locale.startswith("en") and self.title_en else self.title

    @property
    def left(self) -> int | None:
        """What remains to approve (``None`` when no budget is set)."""
        return None if self.budget is None else self.budget - self.approved

    def to_json(self, locale: str = "zh_CN") -> dict[str, Any]:
        """JSON-ready."""
        return {
            "year": self.year,
            "rule": self.rule,
            "title": self.title,
            "clause": self.clause,
            "budget": self.budget,
            "approved": self.approved,
            "paid": self.paid,
            "left": self.left,
            "queue": [q.to_json(locale) for q in self.queue],
        }


@dataclass(frozen=True)
class QueuedCase:
    """An approvable case in its place in the queue, and whether the budget covers it."""

    case: PolicyCase
    # Its place among the cases that hold one (P2.1-f order, from 1); None for a case
    # blocked for a reason of its own (dishonesty list, yearly cap), which holds none.
    position: int | None
    priority: bool
    covered: bool
    reason: Conflict | None

    def reason_text(self, locale: str = "zh_CN") -> str | None:
        """Why the case waits, in ``locale`` (``None`` when the budget covers it)."""
        return None if self.reason is None else self.reason.render(locale)

    def to_json(self, locale: str = "zh_CN") -> dict[str, Any]:
        """JSON-ready."""
        return {
            "case_id": self.case.id,
            "position": self.position,
            "holder": self.case.holder_name,
            "amount": self.case.amount_yuan,
            "priority": self.priority,
            "covered": self.covered,
            "reason": self.reason_text(locale),
        }


def _yuan(amount: int) -> str:
    """An amount of yuan as the reasons show it, with thousands separators (``4,000``)."""
    return f"{amount:,}"


def _now() -> datetime:
    return datetime.now(UTC)


def budget_of(session: Session, year: int, rule: str, lock: bool = False) -> PolicyBudget | None:
    """The budget row of an item and year (locked for the transaction when ``lock``)."""
    query = select(PolicyBudget).where(PolicyBudget.year == year, PolicyBudget.rule == rule)
    if lock:
        query = query.with_for_update()
    return session.scalar(query.execution_options(populate_existing=True))


def set_budget(
    session: Session, actor: Actor, year: int, rule: str, amount: int | None
) -> PolicyBudget | None:
    """Set (or, with ``amount`` None, remove) the budget of ``rule`` for ``year``; audited;
    commits. A budget below what is already approved is refused."""
    require(actor, "policy.budget")
    policy = service.current_policy()
    found = policy.rule(rule)
    if found is None:
        raise NotFound("策略中没有编号为“{rule}”的规则", rule=rule)
    service.check_year(year)
    row = budget_of(session, year, rule, lock=True)
    approved = approved_sum(session, year, rule)
    if amount is not None:
        if amount < 0 or amount > MAX_BUDGET_YUAN:
            raise ValidationFailed(
                "预算应为 0 至 {max} 之间的整数元，实际为 {value}", max=f"{MAX_BUDGET_YUAN:,}", value=amount
            )
        if amount < approved:
            raise Conflict(
                "{rule} 在{year}年已批准 {approved} 元，预算不能低于已批准金额",
                rule=rule,
                year=year,
                approved=_yuan(approved),
            )
    before = row.amount_yuan if row is not None else None
    if amount is None:
        if row is not None:
            session.delete(row)
        row = None
    elif row is None:
        row = PolicyBudget(
            year=year, rule=rule, amount_yuan=amount, updated_at=_now(), updated_by=actor.username
        )
        session.add(row)
    else:
        row.amount_yuan, row.updated_at, row.updated_by = amount, _now(), actor.username
    audit.record(
        session,
        actor.username,
        "policy.budget.set",
        "policy_budget",
        f"{year}:{rule}",
        {"year": year, "rule": rule, "from": before, "to": amount},
    )
    session.commit()
    return row


def approved_sum(session: Session, year: int, rule: str) -> int:
    """The amount already approved (paid or not) for an item and year."""
    total = session.scalar(
        select(func.coalesce(func.sum(PolicyPayment.amount_yuan), 0)).where(
            PolicyPayment.year == year, PolicyPayment.rule == rule
        )
    )
    return int(total or 0)


def _paid_sum(session: Session, year: int, rule: str) -> int:
    total = session.scalar(
        select(func.coalesce(func.sum(PolicyPayment.amount_yuan), 0)).where(
            PolicyPayment.year == year, PolicyPayment.rule == rule, PolicyPayment.paid_at.is_not(None)
        )
    )
    return int(total or 0)


def _priority_holders(session: Session, holder_ids: set[int]) -> set[int]:
    """The holders of ``holder_ids`` in the P2.1-f priority group (by their tags today)."""
    priority = service.current_policy().priority
    if priority is None or not holder_ids:
        return set()
    rows = session.execute(select(Holder.id, Holder.tags).where(Holder.id.in_(sorted(holder_ids))))
    return {hid for hid, tags in rows if priority.applies_to(tags)}


def holder_block(session: Session, case: PolicyCase, today: date) -> Conflict | None:
    """A reason of the case's own that stops its approval now, or ``None``: its holder on the
    dishonesty list today (P3.2; the evaluation checked the reference date, this checks the
    day of payment), or the holder's yearly cap of the rule already reached."""
    return holder_blocks(session, [case], today).get(case.id)


def holder_blocks(session: Session, cases: list[PolicyCase], today: date) -> dict[int, Conflict]:
    """:func:`holder_block` for many cases of one item and year, in two queries (not two per
    case: a year's queue holds thousands): case id -> reason, for the blocked ones only."""
    if not cases:
        return {}
    holder_ids = sorted({c.holder_id for c in cases})
    listings: dict[int, list[CreditListing]] = defaultdict(list)
    approved: dict[int, int] = defaultdict(int)
    first = cases[0]
    for start in range(0, len(holder_ids), 1000):
        chunk = holder_ids[start : start + 1000]
        for row in session.scalars(select(CreditListing).where(CreditListing.holder_id.in_(chunk))):
            assert row.holder_id is not None
            listings[row.holder_id].append(row)
        for hid, total in session.execute(
            select(PolicyPayment.holder_id, func.sum(PolicyPayment.amount_yuan))
            .where(
                PolicyPayment.holder_id.in_(chunk),
                PolicyPayment.rule == first.rule,
                PolicyPayment.year == first.year,
            )
            .group_by(PolicyPayment.holder_id)
        ):
            approved[hid] = int(total or 0)
    out: dict[int, Conflict] = {}
    for case in cases:
        listing = listing_on(listings.get(case.holder_id, []), case.holder_id, today)
        if listing is not None:
            out[case.id] = _listed(case, listing)
            continue
        over = cap_block(case, approved[case.holder_id])
        if over is not None:
            out[case.id] = over
    return out


def _listed(case: PolicyCase, listing: Listing) -> Conflict:
    return Conflict(
        "{holder}自{listed_on}起列入知识产权失信名单（{why}），暂停批准和拨付",
        holder=case.holder_name,
        listed_on=listing.listed_on,
        why=listing.reason,
    )


def listed_block(session: Session, case: PolicyCase, today: date) -> Conflict | None:
    """Why ``case`` may not be paid today for its holder's place on the dishonesty list
    (P3.2), or ``None``: a holder listed between approval and payment is not paid while the
    listing holds (the cap was settled at approval)."""
    rows = list(session.scalars(select(CreditListing).where(CreditListing.holder_id == case.holder_id)))
    listing = listing_on(rows, case.holder_id, today)
    return _listed(case, listing) if listing is not None else None


def cap_block(case: PolicyCase, approved: int) -> Conflict | None:
    """Why approving ``case`` would exceed the rule's cap per holder and year, given what is
    already ``approved`` for its holder, item and year, or ``None``."""
    policy = service.current_policy()
    rule = policy.rule(case.rule)
    cap_id = rule.limits.cap_per_holder_year if rule is not None else None
    if cap_id is None:
        return None
    cap = policy.parameters[cap_id].value_on(date(case.year, 12, 31))
    if cap is None:
        # An unset cap pays nothing until the city sets it (as the evaluation says).
        return Conflict(
            "{year}年本项每个权利人的上限（{cap_id}）尚未设定，设定前不予批准", year=case.year, cap_id=cap_id
        )
    if approved + case.amount_yuan > cap:
        return Conflict(
            "{holder}{year}年本项已批准 {approved} 元，再批准 {amount} 元将超过上限 {cap} 元（{cap_id}）",
            holder=case.holder_name,
            year=case.year,
            approved=_yuan(approved),
            amount=_yuan(case.amount_yuan),
            cap=_yuan(cap),
            cap_id=cap_id,
        )
    return None


def approvable(session: Session, year: int, rule: str, today: date) -> list[PolicyCase]:
    """The cases of an item and year whose public notice has ended, not yet approved."""
    return list(
        session.scalars(
            select(PolicyCase).where(
                PolicyCase.year == year,
                PolicyCase.rule == rule,
                PolicyCase.status == "in_notice",
                PolicyCase.notice_until.is_not(None),
                PolicyCase.notice_until < today,  # its last day has passed (workflow._notice_over)
            )
        )
    )


def ordered_queue(session: Session, year: int, rule: str, today: date) -> list[QueuedCase]:
    """The approvable cases of an item in the order of P2.1-f, each marked covered or not by
    what is left of the budget. A case blocked for a reason of its own is listed with that
    reason and takes nothing from the budget."""
    found = approvable(session, year, rule, today)
    priority = _priority_holders(session, {c.holder_id for c in found})
    found.sort(key=lambda c: (c.holder_id not in priority, c.confirmed_at or c.created_at, c.id))
    row = budget_of(session, year, rule)
    left = None if row is None else row.amount_yuan - approved_sum(session, year, rule)
    out: list[QueuedCase] = []
    short = False  # once a case does not fit, every case behind it waits (no queue-jumping)
    blocks = holder_blocks(session, found, today)
    position = 0  # counted over the cases waiting in the queue: a blocked case holds no place
    for case in found:
        blocked = blocks.get(case.id)
        if blocked is not None:
            out.append(QueuedCase(case, None, case.holder_id in priority, False, blocked))
            continue
        position += 1
        if left is not None and (short or case.amount_yuan > left):
            short = True
            reason = Conflict(
                "预算不足：{rule} {year}年预算 {budget} 元，按P2.1-f顺序本项排第 {position} 位，"
                "前面的项目批准后尚余 {left} 元，本项需 {amount} 元，等待追加预算",
                rule=rule,
                year=year,
                budget=_yuan(row.amount_yuan if row else 0),
                position=position,
                left=_yuan(max(left, 0)),
                amount=_yuan(case.amount_yuan),
            )
            out.append(QueuedCase(case, position, case.holder_id in priority, False, reason))
            continue
        if left is not None:
            left -= case.amount_yuan
        out.append(QueuedCase(case, position, case.holder_id in priority, True, None))
    return out


def check_before_approval(
    session: Session, case: PolicyCase, today: date, *, queue_checked: bool = False
) -> None:
    """Raise :class:`Conflict` (one sentence) when ``case`` may not be approved now for a
    reason of the budget or of its holder. Locks the budget row and the holder row first, so
    that two approvals at once on PostgreSQL see each other's payments (caps and budgets hold).

    ``queue_checked``: the caller walks the queue of P2.1-f in its order (the budget queue's
    run), so the case's place is not worked out again — only its holder and what is left of
    the budget are (once per case, not once per case per case ahead of it)."""
    row = budget_of(session, case.year, case.rule, lock=True)
    session.scalar(select(Holder.id).where(Holder.id == case.holder_id).with_for_update())
    blocked = holder_block(session, case, today)
    if blocked is not None:
        raise blocked
    if queue_checked:
        approved = approved_sum(session, case.year, case.rule)
        if row is not None and approved + case.amount_yuan > row.amount_yuan:
            raise Conflict(
                "预算不足：{rule} {year}年预算 {budget} 元，已批准 {approved} 元，本项需 {amount} 元，等待追加预算",
                rule=case.rule,
                year=case.year,
                budget=_yuan(row.amount_yuan),
                approved=_yuan(approved),
                amount=_yuan(case.amount_yuan),
            )
        return
    for queued in ordered_queue(session, case.year, case.rule, today):
        if queued.case.id == case.id and queued.reason is not None:
            raise queued.reason


def lines(session: Session, actor: Actor, year: int) -> list[BudgetLine]:
    """Every money item of the policy for ``year``: budget, approved, paid, left and its queue."""
    require(actor, "policy.budget_read")
    policy = service.current_policy()
    today = clock.today()
    out = []
    for rule in policy.rules:
        row = budget_of(session, year, rule.id)
        out.append(
            BudgetLine(
                year=year,
                rule=rule.id,
                title=rule.title,
                title_en=rule.title_en,
                clause=rule.clause,
                budget=None if row is None else row.amount_yuan,
                approved=approved_sum(session, year, rule.id),
                paid=_paid_sum(session, year, rule.id),
                queue=ordered_queue(session, year, rule.id, today),
            )
        )
    return out
