"""The dishonesty list (P3.2): its public page and JSON API; listing and removal (city
officers) through the same service calls."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from ipcity import clock
from ipcity.auth.roles import Actor, can, require
from ipcity.errors import BadInput, IPCityError
from ipcity.protection import service
from ipcity.web.deps import CurrentActor, LocaleDep, SessionDep, render

router = APIRouter()

ListingIdPath = Annotated[int, Path(ge=1, le=2**31 - 1, description="失信名单记录ID")]
OnQ = Annotated[date | None, Query(description="按该日判断是否在名单中；默认今天")]
HolderQ = Annotated[int | None, Query(ge=1, le=2**31 - 1, description="只列该权利人的记录")]


class ListingIn(BaseModel):
    """A holder put on the dishonesty list."""

    model_config = ConfigDict(extra="forbid")  # a misspelt field is refused, never read as "left out"

    holder_id: int = Field(ge=1, le=2**31 - 1, description="权利人ID / holder id")
    reason: str = Field(max_length=2000, description="列入原因 / reason")
    listed_on: date = Field(description="列入日期 / listed on")
    expires_on: date | None = Field(
        None, description="届满日期（当日起不再在名单中） / first day off the list"
    )
    source: str | None = Field(None, max_length=200, description="决定文书或来源 / decision or source")


class RemovalIn(BaseModel):
    """A listing taken off the list."""

    model_config = ConfigDict(extra="forbid")  # a misspelt field is refused, never read as "left out"

    removed_on: date = Field(description="移出日期（当日起不再在名单中） / first day off the list")
    reason: str = Field(max_length=2000, description="移出原因 / reason")


def _json(entry: service.CreditEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "holder_id": entry.holder_id,
        "name": entry.name,
        "uscc": entry.uscc,
        "reason": entry.reason,
        "listed_on": entry.listed_on.isoformat(),
        "expires_on": entry.expires_on.isoformat() if entry.expires_on else None,
        "removed_on": entry.removed_on.isoformat() if entry.removed_on else None,
        "source": entry.source,
        "state": entry.state,
    }


@router.get("/api/v1/credit-list", tags=["protection"], summary="失信名单 / the dishonesty list")
def api_credit_list(
    session: SessionDep, actor: CurrentActor, on: OnQ = None, holder_id: HolderQ = None
) -> dict[str, Any]:
    """Every listing (or one holder's), latest first, with its state on ``on`` (today):
    ``in_force``, ``not_yet``, ``expired`` or ``removed``."""
    day = on or clock.today()
    entries = service.list_entries(session, actor, day, holder_id)
    return {"date": day.isoformat(), "items": [_json(e) for e in entries]}


@router.post("/api/v1/credit-list", tags=["protection"], summary="列入失信名单 / list a holder")
def api_add_listing(body: ListingIn, session: SessionDep, actor: CurrentActor) -> dict[str, Any]:
    """City officers put a holder on the list (audited); the policy holds its payments back
    while the listing is in force (P3.2)."""
    entry = service.add_listing(
        session, actor, body.holder_id, body.reason, body.listed_on, body.expires_on, body.source
    )
    return {"ok": True, **_json(entry)}


@router.post(
    "/api/v1/credit-list/{listing_id}/removal",
    tags=["protection"],
    summary="移出失信名单 / remove a listing",
)
def api_remove_listing(
    listing_id: ListingIdPath, body: RemovalIn, session: SessionDep, actor: CurrentActor
) -> dict[str, Any]:
    """City officers take a listing off the list from ``removed_on`` (audited; the record stays)."""
    entry = service.remove_listing(session, actor, listing_id, body.removed_on, body.reason)
    return {"ok": True, **_json(entry)}


@router.get("/credit-list", include_in_schema=False)
def credit_list_page(
    request: Request, session: SessionDep, actor: CurrentActor, on: OnQ = None, holder_id: HolderQ = None
) -> Response:
    """The public dishonesty list with each listing's state on the date; for city officers,
    the forms to list a holder and to take a listing off."""
    return _page(request, session, actor, on, holder_id)


def _page(
    request: Request,
    session: Any,
    actor: Actor,
    on: date | None = None,
    holder_id: int | None = None,
    *,
    refused: str | None = None,
    refused_listing: int | None = None,
    typed: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """The list page; after a refused form, its reason above that form (``refused_listing``:
    the removal form of that listing, else the listing form) with what was typed."""
    day = on or clock.today()
    return render(
        request,
        "protection/credit_list.html",
        {
            "entries": service.list_entries(session, actor, day, holder_id),
            "on": day,
            "state_labels": service.STATE_LABELS,
            "may_manage": can(actor, "protection.credit_manage"),
            "refused": refused,
            "refused_listing": refused_listing,
            "typed": typed or {},
            "today": clock.today(),
            "lang_url": "/credit-list",
        },
        status_code=status_code,
    )


MSG_NOT_A_DAY = "日期「{value}」不存在"
MSG_DAY_FORMAT = "日期「{value}」应写作形如 2025-03-01 的日期"


def _day(text: str | None) -> date | None:
    """A date typed in the form (the browser's date field gives ISO); None when blank;
    a day that cannot be (2021-02-30) refused in one sentence."""
    if not text or not text.strip():
        return None
    text = text.strip()
    # Only the form the date field sends: fromisoformat also reads "20210101" or "2021-W01-1".
    if not _ISO_DAY.fullmatch(text):
        raise BadInput(MSG_DAY_FORMAT, value=text[:40])
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadInput(MSG_NOT_A_DAY, value=text) from None


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# Read by _day inside the route, so that a wrong date comes back above the form with what was
# typed (a pattern here would be refused before the route, on an error page).
DateF = Annotated[str | None, Form(max_length=100)]


@router.post("/credit-list", include_in_schema=False)
def add_listing_form(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    locale: LocaleDep,
    holder: Annotated[str, Form(max_length=300)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
    listed_on: DateF = None,
    expires_on: DateF = None,
    source: Annotated[str | None, Form(max_length=200)] = None,
) -> Response:
    """A city officer lists a holder (named by id, credit code or name); refused, the page
    again with the reason above the form and what was typed."""
    typed = {
        "holder": holder,
        "reason": reason,
        "listed_on": listed_on or "",
        "expires_on": expires_on or "",
        "source": source or "",
    }
    require(actor, "protection.credit_manage")  # before any lookup tells who exists
    try:
        found = service.holder_for_listing(session, holder)
        service.add_listing(
            session, actor, found.id, reason, _day(listed_on) or clock.today(), _day(expires_on), source
        )
    except IPCityError as exc:
        session.rollback()
        if exc.status in (401, 403):
            raise
        return _page(request, session, actor, refused=exc.render(locale), typed=typed, status_code=exc.status)
    return RedirectResponse("/credit-list", status_code=303)


@router.post("/credit-list/{listing_id}/removal", include_in_schema=False)
def remove_listing_form(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    locale: LocaleDep,
    listing_id: ListingIdPath,
    reason: Annotated[str, Form(max_length=2000)] = "",
    removed_on: DateF = None,
) -> Response:
    """A city officer takes a listing off from ``removed_on`` (today when blank)."""
    try:
        service.remove_listing(session, actor, listing_id, _day(removed_on) or clock.today(), reason)
    except IPCityError as exc:
        session.rollback()
        if exc.status in (401, 403, 404):
            raise
        return _page(
            request,
            session,
            actor,
            refused=exc.render(locale),
            refused_listing=listing_id,
            typed={"removal_reason": reason, "removed_on": removed_on or ""},
            status_code=exc.status,
        )
    return RedirectResponse("/credit-list", status_code=303)
