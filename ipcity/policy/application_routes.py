"""Applications with evidence (the "applied" road, :mod:`ipcity.policy.applications`): the
enterprise's form and its JSON twin, and the documents of a case for those who may read it.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from ipcity.auth.roles import can, require
from ipcity.errors import BadInput, Conflict, PermissionDenied
from ipcity.policy import applications, workflow
from ipcity.web.deps import CurrentActor, LocaleDep, SessionDep, render

router = APIRouter()

CaseId = Annotated[int, Path(ge=1, le=2**31 - 1, description="案件编号")]
FileId = Annotated[int, Path(ge=1, le=2**31 - 1, description="材料编号")]
KindQ = Annotated[str | None, Query(max_length=32, description="申请类别，如 award、loan_year")]


async def _read(request: Request) -> tuple[str, dict[str, str], list[applications.Upload]]:
    """The kind, the text fields and the uploaded files of a multipart application."""
    form = await request.form()
    fields = {str(k): str(v) for k, v in form.items() if not isinstance(v, UploadFile)}
    uploads = []
    for item in form.getlist("files"):
        if isinstance(item, UploadFile):
            # Read at most one byte past the limit: a larger file is refused without holding it whole.
            data = await item.read(applications.MAX_FILE_BYTES + 1)
            uploads.append(applications.Upload(item.filename or "", data))
    return fields.get("kind", ""), fields, uploads


@router.post(
    "/api/v1/policy/applications",
    tags=["policy"],
    summary="企业申请 / apply with evidence",
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["kind", "files"],
                        "properties": {
                            "kind": {"type": "string", "enum": list(applications.KINDS)},
                            "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                        },
                        "additionalProperties": {"type": "string"},
                    }
                }
            },
            "required": True,
        }
    },
)
async def api_apply(request: Request, session: SessionDep, actor: CurrentActor) -> dict[str, Any]:
    """An enterprise applies with the facts (form fields of its kind) and the documents (``files``)."""
    kind, fields, uploads = await _read(request)
    case = applications.apply(session, actor, kind, fields, uploads)
    return {"ok": True, **workflow.case_json(case)}


@router.get("/api/v1/policy/application-kinds", tags=["policy"], summary="申请类别 / what may be applied for")
def api_kinds() -> dict[str, Any]:
    """The kinds of application, their rules, documents and fields."""
    return {
        "ok": True,
        "kinds": [
            {
                "id": k.id,
                "label": k.label,
                "rules": list(k.rules),
                "documents": k.documents,
                "fields": [
                    {
                        "name": f.name,
                        "label": f.label,
                        "kind": f.kind,
                        "required": f.required,
                        "choices": dict(f.choices) if f.choices else None,
                    }
                    for f in k.fields
                ],
            }
            for k in applications.KINDS.values()
        ],
    }


@router.get("/policy/apply", include_in_schema=False)
def apply_page(request: Request, actor: CurrentActor, kind: KindQ = None) -> Response:
    """The enterprise's application form: choose what to apply for, fill in, upload."""
    require(actor, "policy.apply")
    return _apply_form_page(request, kind)


def _apply_form_page(
    request: Request,
    kind: str | None,
    *,
    error: str | None = None,
    typed: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """The form of ``kind``; after a refusal, with the reason above it and what was typed
    filled in again (the files must be chosen again: a browser lets no page choose them)."""
    chosen = applications.KINDS.get(kind or "")
    return render(
        request,
        "policy/apply.html",
        {
            "kinds": applications.KINDS,
            "kind": chosen,
            "max_mb": applications.MAX_FILE_BYTES // 2**20,
            "error": error,
            "typed": typed or {},
        },
        status_code=status_code,
    )


@router.post("/policy/apply", include_in_schema=False)
async def apply_form(
    request: Request, session: SessionDep, actor: CurrentActor, locale: LocaleDep
) -> Response:
    """Submit the form; on success show the new case (status 已申请待确认). A refused
    application (bad input, nothing to pay, a duplicate) changes nothing and comes back as
    the form with its reason and the values typed; so does a patent the enterprise does not
    hold (403)."""
    kind, fields, uploads = await _read(request)
    try:
        case = applications.apply(session, actor, kind, fields, uploads)
    except (BadInput, Conflict, PermissionDenied) as exc:
        if applications.KINDS.get(kind) is None:
            raise  # no form to show it on
        if isinstance(exc, PermissionDenied) and not can(actor, "policy.apply"):
            raise  # not the form's input refused, the person: no form for them
        # An enterprise refused for what it typed (a patent it does not hold) keeps its form.
        return _apply_form_page(request, kind, error=exc.render(locale), typed=fields, status_code=exc.status)
    return RedirectResponse(f"/policy/cases/{case.id}", status_code=303)


@router.get("/policy/cases/{case_id}/files/{file_id}", include_in_schema=False)
def evidence_download(session: SessionDep, actor: CurrentActor, case_id: CaseId, file_id: FileId) -> Response:
    """One document of a case, for whoever may read the case."""
    row = applications.evidence_file(
        session, actor, case_id, file_id, lambda: workflow.case_view(session, actor, case_id)
    )
    return Response(
        row.content,
        media_type=row.content_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(row.filename)}",
            "X-Content-Type-Options": "nosniff",
        },
    )
