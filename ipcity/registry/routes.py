"""Registry pages and the JSON API (P2.8): search, patent, holder and region, exports.

Pages and API call the same service functions; routes never build queries.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any, Literal, NamedTuple
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from ipcity.auth.roles import Actor
from ipcity.db import MAX_ID
from ipcity.errors import BadInput, NotFound, ValidationFailed
from ipcity.places import service as places
from ipcity.registry import ipc, payee, search, service
from ipcity.registry.asset_routes import holder_filter
from ipcity.registry.legal_status import PATENT_TYPE_LABELS
from ipcity.registry.schemas import HolderDetail, HolderPage, PatentDetail, PatentPage, RegionDetail
from ipcity.web.deps import CurrentActor, LocaleDep, SessionDep, render
from ipcity.web.paging import Pager


@asynccontextmanager
async def _load_search_dictionary(app: Any) -> AsyncIterator[None]:
    # jieba reads its dictionary on first use (about two seconds): at startup, not in the
    # first person's search.
    search.warm_up()
    yield


router = APIRouter(lifespan=_load_search_dictionary)

# The sort box of the search page, in this order (the service names every sort).
PAGE_SORTS = ("-filing_date", "filing_date", "-grant_date", "grant_date", "relevance", "application_number")


class SearchFilters(NamedTuple):
    """The filters of a patent search as a request gives them: the API, the search page
    and the export take the same ones (the year and the page apart: the page's year box
    is text)."""

    q: str | None
    patent_type: str | None
    status: str | None
    ipc_code: str | None
    region: str | None
    zone: str | None
    holder_id: int | None
    holder_name: str | None
    jurisdiction: str | None
    sort: str | None


def _query(f: SearchFilters, year: int | None, page: int, per_page: int) -> service.PatentQuery:
    return service.PatentQuery(
        q=f.q or None,
        patent_type=f.patent_type or None,
        status=f.status or None,
        ipc=f.ipc_code or None,
        region=f.region or None,
        zone=f.zone or None,
        year=year,
        holder_id=f.holder_id,
        holder=(f.holder_name or "").strip() or None,
        jurisdiction=f.jurisdiction or None,
        sort=f.sort or ("relevance" if f.q else "-filing_date"),
        page=page,
        per_page=per_page,
    )


Q = Annotated[
    str | None,
    Query(
        description="全文检索词（标题、摘要；jieba分词），或申请号、公开（公告）号（如 CN201711494364.X、CN108089334A）"
    ),
]
TypeQ = Annotated[str | None, Query(description="invention | utility_model | design")]
StatusQ = Annotated[str | None, Query(description="in_force | pending | ended | granted | rejected | …")]
IpcQ = Annotated[str | None, Query(alias="ipc", description="IPC前缀，如 G06F 或 G06F3/01")]
RegionQ = Annotated[str | None, Query(description="行政区划代码（第一权利人所在地）")]
ZoneQ = Annotated[str | None, Query(description="园区代码")]
YearQ = Annotated[int | None, Query(ge=1985, le=2100, description="申请年份")]
# Record ids are 32-bit integers in every database: a larger number is refused as bad input
# here instead of overflowing the database driver (a 500).
HolderQ = Annotated[int | None, Query(ge=1, le=MAX_ID, description="权利人ID")]
HolderNameQ = Annotated[
    str | None, Query(alias="holder", max_length=300, description="权利人名称中的文字（任一权利人）")
]
HolderIdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="权利人ID")]
JurQ = Annotated[str | None, Query(max_length=4, description="国家/地区代码，如 CN、US、WO")]
SortQ = Annotated[
    str | None,
    Query(
        description="-filing_date | filing_date | -grant_date | grant_date | relevance | application_number"
    ),
]
PageQ = Annotated[int, Query(ge=1, le=100000)]
PerPageQ = Annotated[int, Query(ge=1, le=200)]
# The search form sends its year box even when empty (``year=``): the page reads it as text.
YearFieldQ = Annotated[str | None, Query(max_length=8, description="申请年份；空表示不限")]


def _search_filters(
    q: Q = None,
    patent_type: TypeQ = None,
    status: StatusQ = None,
    ipc_code: IpcQ = None,
    region: RegionQ = None,
    zone: ZoneQ = None,
    holder_id: HolderQ = None,
    holder_name: HolderNameQ = None,
    jurisdiction: JurQ = None,
    sort: SortQ = None,
) -> SearchFilters:
    return SearchFilters(
        q, patent_type, status, ipc_code, region, zone, holder_id, holder_name, jurisdiction, sort
    )


FiltersDep = Annotated[SearchFilters, Depends(_search_filters)]


def _form_year(text: str | None) -> int | None:
    """The year box of the search form: empty means any year.

    >>> _form_year(""), _form_year(" 2019 ")
    (None, 2019)
    """
    value = (text or "").strip()
    if not value:
        return None
    if not (value.isascii() and value.isdecimal()) or not 1985 <= int(value) <= 2100:
        raise ValidationFailed("申请年份应为 1985 至 2100 之间的四位数年份，收到：{value}", value=value)
    return int(value)


@router.get(
    "/api/v1/patents", response_model=PatentPage, tags=["registry"], summary="专利检索 / search patents"
)
def api_search_patents(
    session: SessionDep,
    actor: CurrentActor,
    locale: LocaleDep,
    filters: FiltersDep,
    year: YearQ = None,
    page: PageQ = 1,
    per_page: PerPageQ = 20,
) -> PatentPage:
    """Full-text search (or a patent's number) and filters over the open registry; labels in
    the request's language. A page past the last gives no items with the total, so that
    a client reading pages until an empty one stops."""
    query = _query(filters, year, page, per_page)
    return service.search_patents(session, actor, query, locale=locale)


@router.get(
    "/api/v1/patents/{number}",
    response_model=PatentDetail,
    tags=["registry"],
    summary="专利详情 / one patent",
)
def api_patent(number: str, session: SessionDep, actor: CurrentActor, locale: LocaleDep) -> PatentDetail:
    """A patent by application number (``CN201710123456.0``) or id; labels in the request's language."""
    return service.get_patent(session, actor, _patent_key(number), locale)


@router.get("/api/v1/holders", response_model=HolderPage, tags=["registry"], summary="权利人列表 / holders")
def api_holders(
    session: SessionDep,
    actor: CurrentActor,
    q: Annotated[str | None, Query(description="名称关键词")] = None,
    region: RegionQ = None,
    kind: Annotated[
        str | None, Query(description="enterprise | university | institute | individual | other")
    ] = None,
    page: PageQ = 1,
    per_page: PerPageQ = 20,
) -> HolderPage:
    """Holders by name, region and kind, those with most patents first (a page past the
    last: no items, with the total)."""
    return service.search_holders(session, actor, q=q, region=region, kind=kind, page=page, per_page=per_page)


@router.get(
    "/api/v1/holders/{holder_id}",
    response_model=HolderDetail,
    tags=["registry"],
    summary="权利人详情 / one holder",
)
def api_holder(holder_id: HolderIdPath, session: SessionDep, actor: CurrentActor) -> HolderDetail:
    """A holder's portfolio."""
    return service.get_holder(session, actor, holder_id)


class HolderChanges(BaseModel):
    """Fields an officer may correct on a holder (lengths as the table stores them)."""

    model_config = ConfigDict(extra="forbid")  # a misspelt field is refused, never read as "left out"

    kind: str | None = Field(None, max_length=16)
    region_code: str | None = Field(None, max_length=12)
    zone_code: str | None = Field(None, max_length=64)
    address: str | None = Field(None, max_length=500)
    tags: list[Annotated[str, Field(max_length=64)]] | None = Field(None, max_length=50)


class PayeeAccountIn(BaseModel):
    """A holder's receiving account (收款账户); all three empty or null clears it."""

    model_config = ConfigDict(extra="forbid")  # a misspelt field is refused, never read as "left out"

    name: str | None = Field(None, max_length=300, description="户名 / account name")
    bank: str | None = Field(None, max_length=200, description="开户银行 / bank")
    number: str | None = Field(None, max_length=60, description="银行账号 / account number")


def _patent_key(number: str) -> str:
    """The application number or id of a patent path; an id past the id range is not found
    (the database driver would overflow on it)."""
    value = number.strip()
    if value.isdecimal() and (not value.isascii() or int(value) > MAX_ID):
        raise NotFound("未找到专利：{value}", value=number[:40])
    return value


@router.patch(
    "/api/v1/holders/{holder_id}",
    response_model=HolderDetail,
    tags=["registry"],
    summary="修改权利人 / correct a holder",
)
def api_update_holder(
    holder_id: HolderIdPath, changes: HolderChanges, session: SessionDep, actor: CurrentActor
) -> HolderDetail:
    """Officers correct a holder (recorded in the audit log); county officers within their county."""
    return service.update_holder(session, actor, holder_id, changes.model_dump(exclude_unset=True))


@router.put(
    "/api/v1/holders/{holder_id}/account",
    tags=["registry"],
    summary="登记收款账户 / set a holder's receiving account",
)
def api_set_payee_account(
    holder_id: HolderIdPath, body: PayeeAccountIn, session: SessionDep, actor: CurrentActor
) -> dict[str, Any]:
    """The enterprise bound to the holder or an officer in scope records the account the
    policy's money is paid into (audited, the number masked in the log)."""
    account = service.set_payee_account(session, actor, holder_id, body.name, body.bank, body.number)
    holder_name = service.holder_name(session, holder_id)
    return {
        "ok": True,
        "holder_id": holder_id,
        "payee_name": account.name if account else None,
        "payee_bank": account.bank if account else None,
        "payee_account": account.number if account else None,
        "payee_name_differs": account is not None and payee.name_differs(account.name, holder_name),
    }


@router.get(
    "/api/v1/regions/{code}", response_model=RegionDetail, tags=["registry"], summary="地区 / one region"
)
def api_region(code: str, session: SessionDep, actor: CurrentActor) -> RegionDetail:
    """A region with its holders and asset counts."""
    return service.get_region(session, actor, code)


@router.get("/api/v1/stats", tags=["registry"], summary="记录数量 / record counts")
def api_stats(session: SessionDep) -> dict[str, int]:
    """Counts of each kind of record in the registry."""
    return service.registry_stats(session)


@router.get("/patents/export.{fmt}", tags=["registry"], summary="导出检索结果 / export a search")
def export_patents(
    fmt: Literal["csv", "xlsx"],
    session: SessionDep,
    actor: CurrentActor,
    locale: LocaleDep,
    filters: FiltersDep,
    year: YearQ = None,
) -> Response:
    """The whole result of a search as CSV or XLSX."""
    query = _query(filters, year, 1, 20)
    data = service.export_patents(session, actor, query, fmt, locale=locale)
    media = (
        "text/csv; charset=utf-8"
        if fmt == "csv"
        else ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    )
    return Response(
        data, media_type=media, headers={"Content-Disposition": f'attachment; filename="patents.{fmt}"'}
    )


@router.get("/patents", include_in_schema=False)
def patents_page(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    locale: LocaleDep,
    filters: FiltersDep,
    year: YearFieldQ = None,
    page: PageQ = 1,
) -> Response:
    """The search page; htmx asks for the results block only. A page past the last shows
    the last (``web.paging.Pager``)."""
    year_filed = _form_year(year)
    query = _query(filters, year_filed, page, 20)
    result = service.search_patents(session, actor, query, clamp=True)
    params = {k: v for k, v in request.query_params.items() if k not in ("page", "lang") and v}
    context = {
        "result": result,
        "query": query,
        "params": params,
        "holder_filter": holder_filter(session, "/patents", params, query.holder_id),
        "querystring": urlencode(params),
        "pager": Pager.of(result.page, total=result.total, per_page=result.per_page),
        "type_labels": PATENT_TYPE_LABELS,
        "status_labels": service.STATUS_FILTER_LABELS,
        "sort_labels": {key: service.SORT_LABELS[key] for key in PAGE_SORTS},
        "counties": places.list_counties(session),
        "zones": places.list_zones(session),
        "ipc_title": ipc.titles_for(session, [query.ipc], locale).get(query.ipc or "", "")
        if query.ipc
        else "",
    }
    template = (
        "registry/patent_results.html" if request.headers.get("hx-request") else "registry/patents.html"
    )
    return render(request, template, context)


@router.get("/patents/{number}", include_in_schema=False)
def patent_page(
    number: str, request: Request, session: SessionDep, actor: CurrentActor, locale: LocaleDep
) -> Response:
    """One patent: bibliographic data and its status history as a timeline."""
    patent = service.get_patent(session, actor, _patent_key(number), locale)
    return render(request, "registry/patent.html", {"patent": patent, "type_labels": PATENT_TYPE_LABELS})


@router.get("/holders", include_in_schema=False)
def holders_page(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    q: str | None = None,
    region: RegionQ = None,
    kind: str | None = None,
    page: PageQ = 1,
) -> Response:
    """The holder list (a page past the last shows the last)."""
    result = service.search_holders(
        session, actor, q=q, region=region or None, kind=kind or None, page=page, clamp=True
    )
    params = {k: v for k, v in request.query_params.items() if k not in ("page", "lang") and v}
    return render(
        request,
        "registry/holders.html",
        {
            "result": result,
            "q": q or "",
            "region": region or "",
            "kind": kind or "",
            "counties": places.list_counties(session),
            "querystring": urlencode(params),
            "pager": Pager.of(result.page, total=result.total, per_page=result.per_page),
        },
    )


def _holder_chart(holder: HolderDetail, locale: str) -> str:
    # Every year from the first filing to the last, so a year without filings shows as zero
    # instead of vanishing from the axis.
    filed = holder.counts_by_year
    years = list(range(min(filed), max(filed) + 1)) if filed else []
    names = {"invention": "发明", "utility_model": "实用新型", "design": "外观设计"}
    if locale == "en":
        names = {"invention": "Invention", "utility_model": "Utility model", "design": "Design"}
    option: dict[str, Any] = {
        "color": ["#0b4a8b", "#3a9e8f", "#e0a030"],
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 40, "right": 16, "bottom": 30, "top": 36},
        "xAxis": {"type": "category", "data": [str(y) for y in years]},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {
                "name": label,
                "type": "bar",
                "stack": "total",
                "barMaxWidth": 48,
                "data": [holder.counts_by_year.get(y, {}).get(key, 0) for y in years],
            }
            for key, label in names.items()
        ],
    }
    return json.dumps(option, ensure_ascii=False)


@router.get("/holders/{holder_id}", include_in_schema=False)
def holder_page(
    holder_id: HolderIdPath, request: Request, session: SessionDep, actor: CurrentActor, locale: LocaleDep
) -> Response:
    """A holder: portfolio counts by type and year (ECharts), its patents, other assets."""
    return _holder_page(request, session, actor, locale, holder_id)


def _holder_page(
    request: Request,
    session: Session,
    actor: Actor,
    locale: str,
    holder_id: int,
    *,
    account_refused: AccountRefused | None = None,
    status_code: int = 200,
) -> Response:
    """The holder's page; after a refused receiving account, ``account_refused`` is (the
    reason, the fields as typed), shown in the account's form."""
    holder = service.get_holder(session, actor, holder_id)
    patents = service.search_patents(session, actor, service.PatentQuery(holder_id=holder_id, per_page=50))
    can_edit = actor.is_officer and (
        actor.role != "county_officer" or actor.region_code == holder.region_code
    )
    # The receiving account: those who may see it may set it (officers in scope, the holder's
    # own enterprise user).
    can_edit_account = holder.private_visible and actor.role != "public"
    return render(
        request,
        "registry/holder.html",
        {
            "holder": holder,
            "patents": patents,
            "chart": _holder_chart(holder, locale),
            "type_labels": PATENT_TYPE_LABELS,
            "can_edit": can_edit,
            "can_edit_account": can_edit_account,
            "account_refused": account_refused,
            "counties": places.list_counties(session),
            "zones": places.list_zones(session),
        },
        status_code=status_code,
    )


@router.post("/holders/{holder_id}", include_in_schema=False)
def holder_edit(
    holder_id: HolderIdPath,
    session: SessionDep,
    actor: CurrentActor,
    kind: Annotated[str | None, Form(max_length=16)] = None,
    region_code: Annotated[str | None, Form(max_length=12)] = None,
    zone_code: Annotated[str | None, Form(max_length=64)] = None,
    zone_shown: Annotated[str | None, Form(max_length=64)] = None,
    address: Annotated[str | None, Form(max_length=500)] = None,
    tags: Annotated[str | None, Form(max_length=2000)] = None,
) -> Response:
    """Officers correct a holder from its page. The zone is assigned (the explicit list)
    only when the officer changed it: the form shows the zone the holder has, and saving
    the tags must not freeze a zone its address gave it."""
    changes: dict[str, Any] = {"kind": kind, "region_code": region_code}
    if (zone_code or "") != (zone_shown or ""):
        changes["zone_code"] = zone_code or None
    if address is not None:
        changes["address"] = address
    if tags is not None:
        changes["tags"] = [t for t in tags.replace("；", ";").split(";")]
    service.update_holder(session, actor, holder_id, changes)
    return RedirectResponse(f"/holders/{holder_id}", status_code=303)


class PayeeForm(NamedTuple):
    """The three fields of the receiving-account form (``registry/_payee.html``), as typed."""

    name: str | None
    bank: str | None
    number: str | None


def _payee_form(
    payee_name: Annotated[str | None, Form(max_length=300)] = None,
    payee_bank: Annotated[str | None, Form(max_length=200)] = None,
    payee_account: Annotated[str | None, Form(max_length=60)] = None,
) -> PayeeForm:
    return PayeeForm(payee_name, payee_bank, payee_account)


PayeeFormDep = Annotated[PayeeForm, Depends(_payee_form)]


class AccountRefused(NamedTuple):
    """A refused receiving account, for its form: the reason, the fields as typed (what
    ``payee_form``'s ``refused`` shows) and the HTTP status."""

    reason: str
    typed: dict[str, str]
    status: int


def save_payee_account(
    session: Session, actor: Actor, holder_id: int, form: PayeeForm, locale: str
) -> AccountRefused | None:
    """Record the account from its form (:func:`service.set_payee_account`): None when
    saved; refused for its input, nothing changed and the refusal to show in the form."""
    try:
        service.set_payee_account(session, actor, holder_id, form.name, form.bank, form.number)
    except BadInput as exc:
        session.rollback()
        typed = {"name": form.name or "", "bank": form.bank or "", "number": form.number or ""}
        return AccountRefused(exc.render(locale), typed, exc.status)
    return None


@router.post("/holders/{holder_id}/account", include_in_schema=False)
def holder_account_edit(
    holder_id: HolderIdPath,
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    locale: LocaleDep,
    form: PayeeFormDep,
) -> Response:
    """The receiving account from the holder's page (officers in scope, the holder's
    enterprise). A refused account changes nothing and comes back in the form, with the
    reason, as typed."""
    refused = save_payee_account(session, actor, holder_id, form, locale)
    if refused is not None:
        return _holder_page(
            request, session, actor, locale, holder_id, account_refused=refused, status_code=refused.status
        )
    return RedirectResponse(f"/holders/{holder_id}#payee-account", status_code=303)


@router.get("/regions/{code}", include_in_schema=False)
def region_page(code: str, request: Request, session: SessionDep, actor: CurrentActor) -> Response:
    """A region: sub-regions, holders, asset counts and population."""
    region = service.get_region(session, actor, code)
    return render(request, "registry/region.html", {"region": region, "type_labels": PATENT_TYPE_LABELS})
