"""Exports of the policy's money: the payment list of a year (page, XLSX, JSON), the public
notice as XLSX, and a holder's statement (page, Word, JSON). Pages, files and API call the
same services (:mod:`ipcity.policy.exports`), which check role and scope.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from ipcity.policy import exports, service, workflow
from ipcity.policy.engine import STATUS_LABELS
from ipcity.web.deps import CurrentActor, LocaleDep, SessionDep, render

router = APIRouter()

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
YearQ = Annotated[int | None, Query(ge=1985, le=2100, description="年度；默认上一完整年度")]
HolderPath = Annotated[int, Path(ge=1, le=2**31 - 1, description="权利人编号")]


def _download(data: bytes, media: str, name: str) -> Response:
    return Response(data, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


# The payment list ---------------------------------------------------------------------------


@router.get("/api/v1/policy/payments", tags=["policy"], summary="年度拨付清单 / payment list of a year")
def api_payments(
    session: SessionDep, actor: CurrentActor, locale: LocaleDep, year: YearQ = None
) -> dict[str, Any]:
    """The approved and paid amounts of the year, per county and item with totals (officers;
    a county officer: its own county)."""
    plist = exports.payments(session, actor, year or service.default_year())
    return {"ok": True, **plist.to_json(locale)}


@router.get("/policy/payments.xlsx", include_in_schema=False)
def payments_xlsx(
    session: SessionDep, actor: CurrentActor, locale: LocaleDep, year: YearQ = None
) -> Response:
    """The payment list as XLSX: summary, a sheet per county and per item, totals rows."""
    plist = exports.payments(session, actor, year or service.default_year())
    suffix = f"-{plist.region_code}" if plist.region_code else ""
    return _download(exports.payments_xlsx(plist, locale), XLSX, f"payments-{plist.year}{suffix}.xlsx")


@router.get("/policy/payments", include_in_schema=False)
def payments_page(
    request: Request, session: SessionDep, actor: CurrentActor, locale: LocaleDep, year: YearQ = None
) -> Response:
    """The payment list of a year: county × item totals, then every amount; download as XLSX."""
    plist = exports.payments(session, actor, year or service.default_year())
    header, rows = exports.summary_rows(plist, locale)
    return render(
        request,
        "policy/payments.html",
        {
            "plist": plist,
            "year": plist.year,
            "summary_header": header,
            "summary_rows": rows,
            "county_name": exports.county_name,
            "labels": workflow.STATUS_LABELS,
            "shown_labels": workflow.SHOWN_STATUS_LABELS,
        },
    )


# The public notice --------------------------------------------------------------------------


@router.get("/policy/notices.xlsx", include_in_schema=False)
def notices_xlsx(session: SessionDep, locale: LocaleDep) -> Response:
    """The public notice (公示) as XLSX: holder, item, object, amount, end of notice, status."""
    return _download(exports.notices_xlsx(session, locale), XLSX, "notices.xlsx")


# A holder's statement -----------------------------------------------------------------------


@router.get(
    "/api/v1/policy/statement/{holder_id}", tags=["policy"], summary="权利人对账单 / a holder's statement"
)
def api_statement(
    session: SessionDep, actor: CurrentActor, locale: LocaleDep, holder_id: HolderPath, year: YearQ = None
) -> dict[str, Any]:
    """What the policy owes a holder in the year and why, with each case and payment."""
    st = exports.statement(session, actor, holder_id, year or service.default_year())
    return {"ok": True, **st.to_json(locale)}


# Before the page: "/policy/statement/{holder_id}" would take "12.docx" as a holder id.
@router.get("/policy/statement/{holder_id}.docx", include_in_schema=False)
def statement_docx(
    session: SessionDep, actor: CurrentActor, locale: LocaleDep, holder_id: HolderPath, year: YearQ = None
) -> Response:
    """The statement as a Word document."""
    st = exports.statement(session, actor, holder_id, year or service.default_year())
    return _download(exports.statement_docx(st, locale), DOCX, f"statement-{st.holder_id}-{st.year}.docx")


@router.get("/policy/statement/{holder_id}", include_in_schema=False)
def statement_page(
    request: Request, session: SessionDep, actor: CurrentActor, holder_id: HolderPath, year: YearQ = None
) -> Response:
    """A holder's statement: each entitlement with amount, status, reason, case and payment."""
    st = exports.statement(session, actor, holder_id, year or service.default_year())
    return render(
        request,
        "policy/statement.html",
        {"st": st, "year": st.year, "county_name": exports.county_name, "status_labels": STATUS_LABELS},
    )
