"""The import pages and API: upload → preview (counts, rejected rows) → confirm, with
progress shown in the page; templates to download; column mappings for unknown layouts."""

from __future__ import annotations

import re
import secrets
import threading
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, Response
from sqlalchemy.orm import Session, sessionmaker

from ipcity.auth.roles import Actor, require
from ipcity.errors import BadInput, InvalidFile, IPCityError, NotFound, ValidationFailed, first_line
from ipcity.i18n import Bilingual
from ipcity.registry import importing
from ipcity.registry.importers import KINDS, Layout, detect_layout, layout_from_mapping, write_template_xlsx
from ipcity.registry.importers.fields import KIND_NAMES
from ipcity.web.deps import CurrentActor, LocaleDep, SessionDep, SettingsDep, render

router = APIRouter()


def _check_kind(kind: str) -> None:
    """Refuse a kind of record the importer does not know, listing the kinds by name in
    the reader's language (the code in brackets: it is what a form or address sends)."""
    if kind in KINDS:
        return
    names = [(KIND_NAMES.get(k, (k, k)), k) for k in KINDS]
    expected = Bilingual(
        "、".join(f"{zh}（{k}）" for (zh, _), k in names), ", ".join(f"{en} ({k})" for (_, en), k in names)
    )
    raise ValidationFailed("数据类型应为 {expected} 之一，收到：{value}", expected=expected, value=kind[:40])


MAX_UPLOAD_BYTES = 200 * 1024 * 1024
_TOKEN_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
# The rejected-rows file a preview writes beside the upload (importing.run_import names it
# ``<sha256[:12]>-<file>-rejected.csv``); an upload is never stored under such a name.
_REJECTED_FILE = re.compile(r"^[0-9a-f]{12}-.*-rejected\.csv$")


def _staging(upload_dir: Path, token: str) -> Path:
    if not token or set(token) - _TOKEN_CHARS:
        raise NotFound("未找到该导入任务")
    return upload_dir / "staging" / token


def _staged_file(upload_dir: Path, token: str) -> Path:
    folder = _staging(upload_dir, token)
    # The upload, not the rejected-rows file a preview put beside it (directory order is
    # arbitrary, so "the first file" could be either).
    files = (
        [
            p
            for p in folder.glob("*")
            if p.is_file() and not p.name.startswith(".") and not _REJECTED_FILE.match(p.name)
        ]
        if folder.exists()
        else []
    )
    if not files:
        raise NotFound("未找到该导入任务，可能已过期，请重新上传文件")
    return files[0]


def _upload_name(filename: str | None) -> str:
    """A safe name to store an upload under, keeping what it says and its suffixes (the
    format is recognised by them): no folders, no leading dots, no control characters,
    short enough for any file system.

    >>> _upload_name("../../专利 清单.CSV.gz"), _upload_name(".."), _upload_name(None)
    ('专利_清单.CSV.gz', 'upload.csv', 'upload.csv')
    """
    name = Path((filename or "").replace("\\", "/")).name
    name = re.sub(r"[^\w.\-]+", "_", name).lstrip(".")
    suffixes = "".join(Path(name).suffixes[-2:])[-16:] if "." in name else ""
    stem = name[: len(name) - len(suffixes)] if suffixes else name
    if not stem:
        return "upload" + (suffixes or ".csv")
    name = stem[:60] + suffixes
    return "upload-" + name if _REJECTED_FILE.match(name) else name


async def _stage(upload_dir: Path, upload: UploadFile) -> tuple[str, Path]:
    name = _upload_name(upload.filename)
    token = secrets.token_urlsafe(12)
    folder = _staging(upload_dir, token)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    size = 0
    with target.open("wb") as out:
        while chunk := await upload.read(1024 * 1024):
            size += len(chunk)
            if size > MAX_UPLOAD_BYTES:
                raise ValidationFailed(
                    "上传文件超过 {limit} MB 的上限", limit=MAX_UPLOAD_BYTES // (1024 * 1024)
                )
            out.write(chunk)
    if size == 0:
        raise InvalidFile(
            "收到的文件「{filename}」是空的；应为带表头行的 CSV、Excel（.xlsx）或 JSON Lines 文件。",
            filename=name,
        )
    return token, target


def _layout_for(
    session: Session,
    kind: str | None,
    mapping_name: str | None,
    mapping: dict[str, str] | None,
    header: list[str],
) -> tuple[Layout | None, str | None, dict[str, str] | None]:
    """The layout to read the file with, and the mapping (name, fields) it came from, which
    the preview hands on to the confirmation: the columns as given on the mapping form
    (under the name given there, else as a temporary mapping of this file), else a saved
    mapping (its kind known to it, so 自动识别 works too), else recognition. Only a name
    without columns is looked up among the saved mappings."""
    if mapping and kind:
        if mapping_name:
            return layout_from_mapping(kind, mapping, mapping_name, header), mapping_name, mapping
        return importing.temporary_mapping_layout(kind, mapping, header), None, mapping
    if mapping_name:
        saved = importing.saved_mapping(session, kind, mapping_name)
        layout = layout_from_mapping(saved.kind, saved.mapping, saved.name, header)
        return layout, saved.name, dict(saved.mapping)
    return detect_layout(header, kind or None), None, None


def _preview_context(
    request: Request,
    session: Session,
    actor: Actor,
    settings: Any,
    locale: str,
    token: str,
    kind: str | None,
    strict: bool,
    mapping_name: str | None = None,
    mapping: dict[str, str] | None = None,
) -> tuple[str, dict[str, Any], int]:
    path = _staged_file(settings.upload_dir, token)
    header = importing.file_header(path, path.name)
    layout, mapping_name, mapping = _layout_for(session, kind, mapping_name, mapping, header)
    if layout is None:
        # Unknown layout: ask the officer which column holds which field.
        return _mapping_context(session, locale, token, path, header, kind or "patents", strict)
    result = importing.run_import(
        session,
        actor,
        path,
        path.name,
        kind=layout.kind,
        layout=layout,
        strict=strict,
        confirm=False,
        errors_dir=_staging(settings.upload_dir, token),
        locale=locale,
    )
    context = {
        "token": token,
        "result": result,
        "strict": strict,
        "mapping_name": mapping_name or "",
        "mapping": mapping or {},
        "render_error": lambda e: importing.render_row_error(e, locale),
        "kind_names": KIND_NAMES,
        # The page was a POST's answer: its language link reads the same preview by GET.
        "lang_url": _preview_url(token, result.kind, strict, mapping_name, mapping),
    }
    return "registry/import_preview.html", context, 200


def _mapping_context(
    session: Session, locale: str, token: str, path: Path, header: list[str], kind: str, strict: bool
) -> tuple[str, dict[str, Any], int]:
    """The mapping form of a staged file for ``kind``: one column select per field."""
    return (
        "registry/import_mapping.html",
        {
            "token": token,
            "filename": path.name,
            "header": header,
            "kind": kind,
            "kinds": KINDS,
            "kind_names": KIND_NAMES,
            "fields": importing.canonical_fields(kind),
            "strict": strict,
            "mappings": importing.list_mappings(session, kind),
            "lang_url": f"/import/{token}/mapping?"
            + urlencode({"kind": kind, **({"strict": "1"} if strict else {})}),
        },
        200,
    )


def _preview_url(
    token: str, kind: str, strict: bool, mapping_name: str | None, mapping: dict[str, str] | None
) -> str:
    """The preview of a staged file as a GET address: the kind, strict mode and the mapping
    it was read with (a saved one's name, or the columns given on the mapping form)."""
    query: dict[str, str] = {"kind": kind}
    if strict:
        query["strict"] = "1"
    if mapping_name:
        query["mapping_name"] = mapping_name
    for field_name, column in (mapping or {}).items():
        query[f"field__{field_name}"] = column
    return f"/import/{token}/preview?{urlencode(query)}"


@router.get("/import", include_in_schema=False)
def import_page(request: Request, session: SessionDep, actor: CurrentActor, locale: LocaleDep) -> Response:
    """The upload form, the templates to download and the latest imports (failed ones too)."""
    require(actor, "registry.import_scoped")
    return render(request, "registry/import.html", _upload_context(session, actor, locale))


def _upload_context(session: Session, actor: Actor, locale: str) -> dict[str, Any]:
    """What the upload page shows: the form, the templates and the latest imports."""
    return {
        # The kinds this officer may import (a county officer: its holders and population).
        "kinds": [k for k in KINDS if importing.may_import(actor, k)],
        "kind_names": KIND_NAMES,
        "history": importing.import_history(session, actor),
        "mappings": importing.list_mappings(session),
        "mapping_key": importing.mapping_key,
        "layout_label": lambda layout_id: importing.layout_label(layout_id, locale),
        "kind_label": lambda kind: importing.kind_label(kind, locale),
        "failure_reason": lambda entry: importing.failure_reason(entry, locale),
    }


@router.post("/import/preview", include_in_schema=False)
async def import_preview(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    settings: SettingsDep,
    locale: LocaleDep,
    file: Annotated[UploadFile, File()],
    kind: Annotated[str, Form()] = "",
    strict: Annotated[str | None, Form()] = None,
    mapping_name: Annotated[str, Form()] = "",
) -> Response:
    """Stage the uploaded file and show what importing it would change; a file that cannot
    be imported at all (empty, damaged, a header without rows) is refused on the upload
    form, its reason above the form, as the CLI and the API refuse it."""
    require(actor, "registry.import_scoped")
    if kind:
        _check_kind(kind)
    try:
        token, _ = await _stage(settings.upload_dir, file)
        template, context, status = _preview_context(
            request, session, actor, settings, locale, token, kind or None, bool(strict), mapping_name or None
        )
    except InvalidFile as exc:
        session.rollback()
        context = _upload_context(session, actor, locale) | {"error": exc.render(locale)}
        return render(request, "registry/import.html", context, status_code=exc.status)
    return render(request, template, context, status_code=status)


def _check_mapping(
    session: Session,
    actor: Actor,
    kind: str,
    mapping: dict[str, str],
    name: str,
    header: list[str],
    *,
    save: bool,
) -> None:
    """Refuse a mapping that does not fit the file's ``header`` (a required field without its
    column, a column the file lacks) or a name too long; save it under ``name`` when asked.

    The columns are checked as given, under the name given or else as this file's temporary
    mapping: a mapping form never reads a saved mapping, so a form without columns is
    refused as incomplete here (the preview would otherwise take the name for a saved
    mapping's). Saved only once it fits: a refused request leaves nothing behind."""
    if len(name) > 100:
        raise ValidationFailed("列映射名称不能超过100个字符，收到 {count} 个字符", count=len(name))
    if name:
        layout_from_mapping(kind, mapping, name, header)
        if save:
            importing.save_mapping(session, actor, kind, name, mapping)
    else:
        importing.temporary_mapping_layout(kind, mapping, header)


@router.post("/import/{token}/mapping", include_in_schema=False)
async def import_mapping(
    token: str,
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    settings: SettingsDep,
    locale: LocaleDep,
) -> Response:
    """Apply (and optionally save) a column mapping for a file of unknown layout, then preview."""
    require(actor, "registry.import_scoped")
    form = await request.form()
    kind = str(form.get("kind") or "patents")
    _check_kind(kind)
    mapping = {
        str(k)[len("field__") :]: str(v)
        for k, v in form.items()
        if str(k).startswith("field__") and str(v).strip()
    }
    name = str(form.get("mapping_name") or "").strip()
    strict = bool(form.get("strict"))
    path = _staged_file(settings.upload_dir, token)
    header = importing.file_header(path, path.name)
    shown_kind = str(form.get("shown_kind") or "")
    if shown_kind and shown_kind != kind:
        # 数据类型 changed on the form (it submits itself): the fields of the new kind to map,
        # for the same staged file; the columns chosen for the other kind mean nothing here.
        template, context, status = _mapping_context(session, locale, token, path, header, kind, strict)
        context["mapping_name"] = name[:100]
        return render(request, template, context, status_code=status)
    try:
        _check_mapping(session, actor, kind, mapping, name, header, save=bool(form.get("save")))
    except BadInput as exc:
        # A mapping refused for what was chosen (a required field without its column, a
        # name too long): the same form with the reason, every column chosen kept.
        session.rollback()
        template, context, _ = _mapping_context(session, locale, token, path, header, kind, strict)
        context |= {
            "mapping_name": name,
            "chosen": mapping,
            "error": exc.render(locale),
            "save": bool(form.get("save")),
        }
        return render(request, template, context, status_code=exc.status)
    template, context, status = _preview_context(
        request, session, actor, settings, locale, token, kind, strict, name or None, mapping
    )
    return render(request, template, context, status_code=status)


@router.get("/import/{token}/mapping", include_in_schema=False)
def import_mapping_form(
    token: str,
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    settings: SettingsDep,
    locale: LocaleDep,
    kind: str = "patents",
    strict: str = "",
) -> Response:
    """The mapping form of a staged file (the mapping page's language link reads it)."""
    require(actor, "registry.import_scoped")
    _check_kind(kind)
    path = _staged_file(settings.upload_dir, token)
    header = importing.file_header(path, path.name)
    template, context, status = _mapping_context(session, locale, token, path, header, kind, bool(strict))
    return render(request, template, context, status_code=status)


@router.get("/import/{token}/preview", include_in_schema=False)
def import_preview_again(
    token: str,
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    settings: SettingsDep,
    locale: LocaleDep,
    kind: str = "",
    strict: str = "",
    mapping_name: str = "",
) -> Response:
    """The preview of a staged file read again (the preview's language link): the kind,
    strict mode and the mapping (a saved one's name, or ``field__…`` columns) it had."""
    require(actor, "registry.import_scoped")
    if kind:
        _check_kind(kind)
    mapping = {
        k[len("field__") :]: v
        for k, v in request.query_params.items()
        if k.startswith("field__") and v.strip()
    }
    template, context, status = _preview_context(
        request,
        session,
        actor,
        settings,
        locale,
        token,
        kind or None,
        bool(strict),
        mapping_name or None,
        mapping or None,
    )
    return render(request, template, context, status_code=status)


class _Jobs:
    """Confirmed imports running in a worker thread, with their progress for the page."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.state: dict[str, dict[str, Any]] = {}

    def update(self, token: str, **values: Any) -> None:
        with self.lock:
            self.state.setdefault(token, {}).update(values)

    def get(self, token: str) -> dict[str, Any] | None:
        with self.lock:
            found = self.state.get(token)
            return dict(found) if found else None


def _jobs(request: Request) -> _Jobs:
    jobs = getattr(request.app.state, "import_jobs", None)
    if jobs is None:
        jobs = request.app.state.import_jobs = _Jobs()
    return jobs


def _run_job(
    jobs: _Jobs,
    factory: sessionmaker[Session],
    actor: Actor,
    path: Path,
    token: str,
    kind: str,
    layout: Layout | None,
    strict: bool,
    errors_dir: Path,
    locale: str,
) -> None:
    def report(stage: str, done: int, total: int) -> None:
        jobs.update(token, stage=stage, done=done, total=total)

    try:
        with factory() as session:
            result = importing.run_import(
                session,
                actor,
                path,
                path.name,
                kind=kind,
                layout=layout,
                strict=strict,
                confirm=True,
                errors_dir=errors_dir,
                progress=report,
                locale=locale,
            )
        jobs.update(token, finished=True, result=result)
    except IPCityError as exc:
        jobs.update(token, finished=True, error=exc.render(locale))
    except Exception as exc:  # reported on the page; the transaction was rolled back
        # One line: a driver's message carries its SQL on the lines after the first.
        jobs.update(token, finished=True, error=f"{type(exc).__name__}: {first_line(exc)[:200]}")


@router.post("/import/{token}/confirm", include_in_schema=False)
async def import_confirm(
    token: str,
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    settings: SettingsDep,
    locale: LocaleDep,
) -> Response:
    """Start writing the previewed file in one transaction; the page then follows progress."""
    require(actor, "registry.import_scoped")
    form = await request.form()
    kind = str(form.get("kind") or "") or None
    strict = bool(form.get("strict"))
    mapping = {
        str(k)[len("field__") :]: str(v) for k, v in form.items() if str(k).startswith("field__") and str(v)
    }
    mapping_name = str(form.get("mapping_name") or "") or None
    path = _staged_file(settings.upload_dir, token)
    header = importing.file_header(path, path.name)
    layout, _, _ = _layout_for(session, kind, mapping_name, mapping or None, header)
    if layout is None:
        raise InvalidFile("无法识别文件「{filename}」的格式；请先指定各列对应的字段", filename=path.name)
    # Refused here, not only in the worker: a county officer must not get a progress page
    # for an import of patents it may not make.
    importing.require_import_of(actor, layout.kind)
    jobs = _jobs(request)
    if (jobs.get(token) or {}).get("started"):
        return render(
            request,
            "registry/import_progress.html",
            _progress_context(token, jobs.get(token), settings, locale),
        )
    jobs.update(token, started=True, stage="读取/read", done=0, total=0, finished=False)
    thread = threading.Thread(
        target=_run_job,
        args=(
            jobs,
            request.app.state.session_factory,
            actor,
            path,
            token,
            layout.kind,
            layout,
            strict,
            _staging(settings.upload_dir, token),
            locale,
        ),
        daemon=True,
    )
    thread.start()
    return render(
        request, "registry/import_progress.html", _progress_context(token, jobs.get(token), settings, locale)
    )


def _progress_context(token: str, job: dict[str, Any] | None, settings: Any, locale: str) -> dict[str, Any]:
    result = (job or {}).get("result")
    return {
        "token": token,
        "job": job,
        "render_error": lambda e: importing.render_row_error(e, locale),
        # Where the imported records are seen: the register of their kind, named so.
        "browse_url": importing.browse_url(result.kind, settings.city_code) if result else "/import",
        "browse_label": importing.browse_label(result.kind, locale) if result else "",
        # The progress page answers a POST: its language link reads the progress by GET.
        "lang_url": f"/import/{token}/progress",
    }


@router.get("/import/{token}/progress", include_in_schema=False)
def import_progress(
    token: str, request: Request, actor: CurrentActor, settings: SettingsDep, locale: LocaleDep
) -> Response:
    """The progress block (htmx polls it until the import finished), or, asked for as a
    page (the progress page's language link), the whole page."""
    require(actor, "registry.import_scoped")
    job = _jobs(request).get(token)
    as_page = request.headers.get("HX-Request") != "true"
    if job is None and not _staging(settings.upload_dir, token).is_dir():
        raise NotFound("未找到该导入任务")
    # A staged file without a job: the server was restarted since its import began (jobs
    # live in the running server). The block says so, and where the outcome is recorded, in
    # place of the poll's last "importing…" (an error answer would leave that on the page).
    return render(
        request,
        "registry/import_progress.html" if as_page else "registry/import_progress_block.html",
        {**_progress_context(token, job, settings, locale), "fragment": not as_page},
    )


@router.get("/import/{token}/rejected.csv", include_in_schema=False)
def import_rejected(token: str, actor: CurrentActor, settings: SettingsDep) -> Response:
    """The rejected rows of a previewed or imported file."""
    require(actor, "registry.import_scoped")
    folder = _staging(settings.upload_dir, token)
    files = (
        sorted(p for p in folder.glob("*-rejected.csv") if _REJECTED_FILE.match(p.name))
        if folder.exists()
        else []
    )
    if not files:
        raise NotFound("该文件没有被拒绝的行")
    return FileResponse(files[-1], media_type="text/csv; charset=utf-8", filename="rejected.csv")


@router.get("/import/templates/{kind}.xlsx", tags=["import"], summary="导入模板 / import template")
def import_template(kind: str) -> Response:
    """The xlsx template for a kind of record (header, an example row, explanations)."""
    if kind not in KINDS:
        raise NotFound("没有 {kind} 的导入模板；可用：{kinds}", kind=kind, kinds=", ".join(KINDS))
    return Response(
        write_template_xlsx(kind),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="ipcity-{kind}-template.xlsx"'},
    )


@router.post("/api/v1/imports", tags=["import"], summary="导入文件 / import a file")
async def api_import(
    session: SessionDep,
    actor: CurrentActor,
    settings: SettingsDep,
    locale: LocaleDep,
    file: Annotated[UploadFile, File(description="CSV / XLSX / JSONL（可为 .gz）")],
    kind: Annotated[str | None, Form(description="|".join(KINDS))] = None,
    strict: Annotated[bool, Form(description="任一行有误则整个文件不导入")] = False,
    confirm: Annotated[bool, Form(description="false：只预览；true：导入")] = False,
    mapping_name: Annotated[str | None, Form(description="已保存的列映射名称")] = None,
) -> dict[str, Any]:
    """Preview or import a file; the answer has the counts and the first rejected rows."""
    require(actor, "registry.import_scoped")
    if kind:
        _check_kind(kind)
    token, path = await _stage(settings.upload_dir, file)
    layout = importing.saved_mapping_layout(session, kind or None, mapping_name) if mapping_name else None
    result = importing.run_import(
        session,
        actor,
        path,
        path.name,
        kind=kind or None,
        layout=layout,
        strict=strict,
        confirm=confirm,
        errors_dir=_staging(settings.upload_dir, token),
        locale=locale,
    )
    return {
        "ok": True,
        "token": token,
        "kind": result.kind,
        "layout": result.layout_id,
        "confirmed": result.confirmed,
        "aborted_strict": result.aborted_strict,
        **result.summary(),
        "errors_file": f"/import/{token}/rejected.csv" if result.errors_file else None,
        "errors": [
            {
                "row": e.row,
                "column": e.column,
                "value": e.value,
                "reason": importing.render_row_error(e, locale),
            }
            for e in result.errors[:50]
        ],
    }
