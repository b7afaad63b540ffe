"""Pages and API of the other registers: trademarks, copyrights, plant-variety rights, GIs."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from ipcity.db import MAX_ID
from ipcity.places import service as places
from ipcity.registry import assets, service
from ipcity.registry.numbers import half_width
from ipcity.web.deps import CurrentActor, LocaleDep, SessionDep, render
from ipcity.web.paging import Pager

router = APIRouter()
# The registers' names label the kinds a refusal of an unknown one lists (web.app).
CHOICE_LABELS = {kind: register.name_zh for kind, register in assets.REGISTERS.items()}

KindPath = Literal["trademarks", "copyrights", "plant-varieties", "gis"]
Words = Annotated[str | None, Query(description="名称或登记号中的文字")]
Category = Annotated[str | None, Query(description="类别（商标类型、著作权类别、地理标志类型）")]
Region = Annotated[str | None, Query(description="权利人所在行政区划代码")]
Holder = Annotated[int | None, Query(ge=1, le=MAX_ID, description="权利人ID")]
Page = Annotated[int, Query(ge=1, le=100000)]
PerPage = Annotated[int, Query(ge=1, le=200)]


def _year(value: str | None) -> int | None:
    # The page's form always sends ``year=``: empty means any year. Full-width digits
    # (２０２０, as a Chinese input method types them) are the year, as the region filter
    # reads a full-width code.
    if value is None or not value.strip():
        return None
    year = half_width(value).strip()
    if not (year.isascii() and year.isdecimal()):
        from ipcity.errors import ValidationFailed

        raise ValidationFailed("年份应为四位数字，收到：{value}", value=value)
    return int(year)


def holder_filter(
    session: Session, path: str, params: dict[str, str], holder_id: int | None
) -> dict[str, Any] | None:
    """A holder filter the page's form has no field for (a holder's page links a list with
    ``holder_id``), as the list names it: the holder's id and name, and the list at ``path``
    again without it, the other filters in ``params`` kept. None without a holder filter."""
    if holder_id is None:
        return None
    from urllib.parse import urlencode

    others = urlencode({k: v for k, v in params.items() if k != "holder_id"})
    return {
        "id": holder_id,
        "name": service.holder_name(session, holder_id),
        "clear_url": path + (f"?{others}" if others else ""),
    }


@router.get(
    "/api/v1/registers/{kind}",
    response_model=assets.AssetPage,
    tags=["registry"],
    summary="商标、著作权、植物新品种权、地理标志 / other registers",
)
def api_register(
    kind: KindPath,
    session: SessionDep,
    actor: CurrentActor,
    q: Words = None,
    category: Category = None,
    region: Region = None,
    year: Annotated[int | None, Query(ge=1949, le=2100)] = None,
    holder_id: Holder = None,
    page: Page = 1,
    per_page: PerPage = 20,
) -> assets.AssetPage:
    """A page of a register, newest first (a page past the last: no items, with the total)."""
    return assets.list_assets(session, actor, kind, q, category, region, year, holder_id, page, per_page)


@router.get("/registers/{kind}/export.{fmt}", tags=["registry"], summary="导出登记簿 / export a register")
def export_register(
    kind: KindPath,
    fmt: Literal["csv", "xlsx"],
    session: SessionDep,
    actor: CurrentActor,
    locale: LocaleDep,
    q: Words = None,
    category: Category = None,
    region: Region = None,
    year: Annotated[str | None, Query()] = None,
    holder_id: Holder = None,
) -> Response:
    """The whole filtered register as CSV or XLSX."""
    data = assets.export_assets(
        session,
        actor,
        kind,
        fmt,
        locale,
        q=q,
        category=category or None,
        region=region or None,
        year=_year(year),
        holder_id=holder_id,
    )
    media = (
        "text/csv; charset=utf-8"
        if fmt == "csv"
        else ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    )
    return Response(
        data, media_type=media, headers={"Content-Disposition": f'attachment; filename="{kind}.{fmt}"'}
    )


@router.get("/registers/{kind}", include_in_schema=False)
def register_page(
    kind: KindPath,
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    locale: LocaleDep,
    q: Words = None,
    category: Category = None,
    region: Region = None,
    year: Annotated[str | None, Query()] = None,
    holder_id: Holder = None,
    page: Page = 1,
) -> Response:
    """A register's list with its filters (a page past the last shows the last)."""
    register = assets.get_register(kind)
    result = assets.list_assets(
        session,
        actor,
        kind,
        q,
        category or None,
        region or None,
        _year(year),
        holder_id,
        page,
        20,
        clamp=True,
    )
    params = {k: v for k, v in request.query_params.items() if k not in ("page", "lang") and v}
    from urllib.parse import urlencode

    # list_assets has refused an unknown holder already.
    filtered = holder_filter(session, f"/registers/{kind}", params, holder_id)
    return render(
        request,
        "registry/register.html",
        {
            "register": register,
            "registers": assets.REGISTERS,
            "result": result,
            "params": params,
            "querystring": urlencode(params),
            "holder_filter": filtered,
            "pager": Pager.of(result.page, total=result.total, per_page=result.per_page),
            "counties": places.list_counties(session),
            "region_names": assets.region_names(session),
            "show": lambda key, value: assets.display_value(register, key, value, locale),
        },
    )
