"""Use-cases of the dishonesty list (知识产权失信名单, P3.2): read it, list a holder, remove a
listing. Routes call these; they check the role and own the transaction, and every change
is written to the audit log with it.

The list is public (P3.2 feeds the credit system, whose lists are published); listing and
removal are the city's decisions (city officers, admin). The policy engine and the budget
read the table through :func:`ipcity.protection.credit.listing_on`; a listing dated after
a payment's reference date still holds the payment back while it is in force.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipcity import audit, clock
from ipcity.auth.roles import Actor, require
from ipcity.errors import BadInput, Conflict, NotFound
from ipcity.protection.credit import in_force
from ipcity.protection.models import CreditListing
from ipcity.registry.models import Holder

MSG_NO_HOLDER = "未找到权利人：{value}"
MSG_NO_LISTING = "未找到失信名单记录：{value}"
MSG_REASON_REQUIRED = "请填写列入原因"
MSG_REMOVAL_REASON_REQUIRED = "请填写移出原因"
MSG_LISTED_AFTER_TODAY = "列入日期 {listed_on} 晚于今天（{today}）：名单只记已作出的决定"
MSG_LISTED_TOO_EARLY = "列入日期 {listed_on} 早于 {earliest}，请核对所填日期"
# No listing of this list is dated before 1985, the year China's patent law took effect (the
# floor the policy's evidence dates have too): 0001-01-01 is a slip, not a decision.
EARLIEST_LISTING = date(1985, 1, 1)
MSG_EXPIRES_NOT_AFTER_LISTED = "届满日期 {expires_on} 应晚于列入日期 {listed_on}"
MSG_EXPIRES_TOO_LATE = (
    "届满日期 {expires_on} 距列入日期超过 {years} 年，请核对所填日期；没有届满日期的列入请留空此项"
)
# A listing ends within years (the national rules on dishonesty lists set periods of one to
# a few years); a date further off is a typed-in "forever" (9999-12-31) or a slip, and a
# blank field already says "no expiry".
MAX_LISTING_YEARS = 10
MSG_REMOVED_AFTER_TODAY = "移出日期 {removed_on} 晚于今天（{today}）"
MSG_REMOVED_BEFORE_LISTED = "移出日期 {removed_on} 早于列入日期 {listed_on}"
MSG_ALREADY_REMOVED = "该记录已于 {removed_on} 移出失信名单"
MSG_REMOVED_AFTER_EXPIRY = (
    "该记录已于 {expires_on} 届满，届满后不在名单中，无需移出；如属错误列入，移出日期应早于 {expires_on}"
)
MSG_ALREADY_LISTED = "{holder}已在失信名单中（自 {listed_on} 起，记录 {id}），不重复列入"
MSG_OVERLAPS = "{holder}在 {listed_on} 至 {until} 前已在失信名单中（记录 {id}），新的列入期间不能与之重叠"

# The state of a listing on a date, as pages and the API give it.
STATES = ("in_force", "not_yet", "expired", "removed")
STATE_LABELS = {"in_force": "在名单中", "not_yet": "尚未列入", "expired": "已届满", "removed": "已移出"}


@dataclass(frozen=True)
class CreditEntry:
    """One listing with its holder and its state on ``on`` (a key of :data:`STATES`)."""

    id: int
    holder_id: int | None
    name: str
    uscc: str | None
    reason: str
    listed_on: date
    expires_on: date | None
    removed_on: date | None
    source: str | None
    state: str


def state_on(listing: CreditListing, on: date) -> str:
    """Where a listing stands on ``on``: in force, not yet listed, expired or removed
    (the same test as the policy's, :func:`ipcity.protection.credit.in_force`)."""
    if in_force(listing, on):
        return "in_force"
    if listing.listed_on > on:
        return "not_yet"
    if listing.removed_on is not None and on >= listing.removed_on:
        return "removed"
    return "expired"


def _entry(row: CreditListing, on: date) -> CreditEntry:
    return CreditEntry(
        row.id,
        row.holder_id,
        row.name,
        row.uscc,
        row.reason,
        row.listed_on,
        row.expires_on,
        row.removed_on,
        row.source,
        state_on(row, on),
    )


def list_entries(
    session: Session, actor: Actor, on: date | None = None, holder_id: int | None = None
) -> list[CreditEntry]:
    """Every listing (or a holder's), latest first, each with its state on ``on`` (today)."""
    require(actor, "registry.read")
    day = on or clock.today()
    stmt = select(CreditListing).order_by(CreditListing.listed_on.desc(), CreditListing.id.desc())
    if holder_id is not None:
        stmt = stmt.where(CreditListing.holder_id == holder_id)
    return [_entry(row, day) for row in session.scalars(stmt)]


def holder_for_listing(session: Session, text: str) -> Holder:
    """The holder an officer names on the listing form: by its id, its unified social credit
    code, or its name as the registry keys it (present or former); :class:`NotFound` else."""
    from ipcity.registry.normalize import normalize_name
    from ipcity.registry.store import holders_named

    typed = (text or "").strip()
    found: Holder | None = None
    if typed.isdecimal() and len(typed) < 12:
        found = session.get(Holder, int(typed))
    if found is None and len(typed) == 18:
        found = session.scalar(select(Holder).where(Holder.uscc == typed.upper()))
    if found is None and typed:
        key = normalize_name(typed)
        hid = holders_named(session, [key]).get(key)
        found = session.get(Holder, hid) if hid is not None else None
    if found is None:
        raise NotFound(MSG_NO_HOLDER, value=typed)
    return found


def _end_of(listing: CreditListing) -> date | None:
    """The first day a listing no longer holds (its expiry or removal, the earlier), or
    None while nothing ends it."""
    ends = [d for d in (listing.expires_on, listing.removed_on) if d is not None]
    return min(ends) if ends else None


def _years_after(day: date, years: int) -> date:
    """The same day ``years`` later (29 February: 1 March when that year has none)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def add_listing(
    session: Session,
    actor: Actor,
    holder_id: int,
    reason: str,
    listed_on: date,
    expires_on: date | None = None,
    source: str | None = None,
) -> CreditEntry:
    """Put a holder on the list from ``listed_on`` (until ``expires_on``, the first day it no
    longer holds, or until removed), for ``reason``; audited (``credit.list``).

    Refused: a holder that does not exist, no reason, a listing dated after today (the list
    records decisions made: a date to come would hold payments back before the decision),
    an expiry not after the listing, a second listing of a holder already on the list, and a
    period that overlaps one of the holder's earlier listings (a backdated listing).
    """
    require(actor, "protection.credit_manage")
    # The holder's row is locked (PostgreSQL) so that two officers listing one holder at the
    # same moment are taken one after the other: the second sees the first's period.
    holder = session.get(Holder, holder_id, with_for_update=True)
    if holder is None:
        raise NotFound(MSG_NO_HOLDER, value=holder_id)
    why = (reason or "").strip()
    if not why:
        raise BadInput(MSG_REASON_REQUIRED)
    today = clock.today()
    if listed_on > today:
        raise BadInput(MSG_LISTED_AFTER_TODAY, listed_on=listed_on, today=today)
    if listed_on < EARLIEST_LISTING:
        raise BadInput(MSG_LISTED_TOO_EARLY, listed_on=listed_on, earliest=EARLIEST_LISTING)
    if expires_on is not None and expires_on <= listed_on:
        raise BadInput(MSG_EXPIRES_NOT_AFTER_LISTED, expires_on=expires_on, listed_on=listed_on)
    if expires_on is not None and expires_on > _years_after(listed_on, MAX_LISTING_YEARS):
        raise BadInput(MSG_EXPIRES_TOO_LATE, expires_on=expires_on, years=MAX_LISTING_YEARS)
    # Two periods of one holder may not overlap (a backdated listing over an old one would
    # tell two reasons for one day): [listed, end) against [listed, end). A listing that
    # still holds is named first.
    periods = [
        (other, _end_of(other))
        for other in session.scalars(
            select(CreditListing)
            .where(CreditListing.holder_id == holder_id)
            .order_by(CreditListing.listed_on)
        )
    ]
    overlapping = [
        (other, end)
        for other, end in periods
        if (expires_on is None or other.listed_on < expires_on) and (end is None or listed_on < end)
    ]
    for other, end in overlapping:
        if end is None or end > today:
            raise Conflict(MSG_ALREADY_LISTED, holder=holder.name, listed_on=other.listed_on, id=other.id)
    if overlapping:
        other, end = overlapping[0]
        raise Conflict(MSG_OVERLAPS, holder=holder.name, listed_on=other.listed_on, until=end, id=other.id)
    row = CreditListing(
        holder_id=holder.id,
        name=holder.name,
        uscc=holder.uscc,
        reason=why,
        listed_on=listed_on,
        expires_on=expires_on,
        source=(source or "").strip() or None,
        created_at=datetime.now(UTC),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor.username,
        "credit.list",
        "credit_listing",
        row.id,
        {
            "holder_id": holder.id,
            "holder": holder.name,
            "reason": why,
            "listed_on": listed_on,
            "expires_on": expires_on,
        },
    )
    session.commit()
    return _entry(row, today)


def remove_listing(
    session: Session, actor: Actor, listing_id: int, removed_on: date, reason: str
) -> CreditEntry:
    """Take a listing off the list from ``removed_on`` (credit repaired, listed in error),
    for ``reason``; audited (``credit.remove``). The row stays: what held a payment back on
    an earlier day is still told by the list."""
    require(actor, "protection.credit_manage")
    row = session.get(CreditListing, listing_id, with_for_update=True)  # one removal at a time
    if row is None:
        raise NotFound(MSG_NO_LISTING, value=listing_id)
    if row.removed_on is not None:
        raise Conflict(MSG_ALREADY_REMOVED, removed_on=row.removed_on)
    why = (reason or "").strip()
    if not why:
        raise BadInput(MSG_REMOVAL_REASON_REQUIRED)
    today = clock.today()
    if removed_on > today:
        raise BadInput(MSG_REMOVED_AFTER_TODAY, removed_on=removed_on, today=today)
    if removed_on < row.listed_on:
        raise BadInput(MSG_REMOVED_BEFORE_LISTED, removed_on=removed_on, listed_on=row.listed_on)
    if row.expires_on is not None and removed_on >= row.expires_on:
        # An expired listing is off the list already: a removal after the expiry would
        # rewrite its history (state "removed", a removal date it never had) for nothing.
        # One dated before the expiry (listed in error) still shortens it, and is taken.
        raise BadInput(MSG_REMOVED_AFTER_EXPIRY, expires_on=row.expires_on)
    row.removed_on = removed_on
    audit.record(
        session,
        actor.username,
        "credit.remove",
        "credit_listing",
        row.id,
        {"holder_id": row.holder_id, "holder": row.name, "removed_on": removed_on, "reason": why},
    )
    session.commit()
    return _entry(row, today)
