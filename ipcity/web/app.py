"""``create_app(settings)``: the FastAPI application of IP City.

One place maps the exception tree of :mod:`ipcity.errors` to an HTML error page or a JSON
body ``{"ok": false, "error": ..., "code": ..., "status": ...}`` in the user's language, so
routes never format errors themselves and bad input never becomes a 500.
"""

from __future__ import annotations

import importlib
import json
import logging
import re
import time
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from sqlalchemy.exc import DataError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from ipcity import __version__, clock
from ipcity.auth.roles import PUBLIC
from ipcity.config import Settings
from ipcity.db import make_engine, make_session_factory
from ipcity.errors import BadInput, IPCityError, database_condition
from ipcity.i18n import DEFAULT_LOCALE, gettext, normalize_locale
from ipcity.web.deps import csrf_protect, get_locale, refuse_nul_characters, render, wants_json
from ipcity.web.security import SESSION_COOKIE, SessionCodec

log = logging.getLogger(__name__)
PACKAGE_DIR = Path(__file__).resolve().parent.parent

# Each area contributes one router; adding an area adds one line here.
AREA_ROUTERS = (
    "ipcity.web.pages",
    "ipcity.auth.routes",
    "ipcity.registry.routes",
    "ipcity.registry.import_routes",
    "ipcity.registry.asset_routes",
    "ipcity.places.routes",
    "ipcity.indicators.routes",
    "ipcity.policy.routes",
    "ipcity.policy.workflow_routes",
    "ipcity.policy.export_routes",
    "ipcity.policy.application_routes",
    "ipcity.protection.routes",
)


def _templates() -> Jinja2Templates:
    folders = [
        PACKAGE_DIR / "web" / "templates",
        *sorted(p for p in PACKAGE_DIR.glob("*/templates") if p.parent.name != "web"),
    ]
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(f)) for f in folders]),
        autoescape=select_autoescape(["html", "xml"]),
    )
    env.filters["local_time"] = _local_time
    return Jinja2Templates(env=env)


def _local_time(moment: datetime | None, seconds: bool = False) -> str:
    """A stored time as the city reads it (Beijing time), ``2026-11-27 07:46``."""
    local = clock.local_time(moment)
    return "" if local is None else local.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


class SessionMiddleware(BaseHTTPMiddleware):
    """Reads the signed session cookie into ``request.state`` and writes it back when changed."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        app = request.app
        codec: SessionCodec = app.state.session_codec
        raw = request.cookies.get(SESSION_COOKIE)
        data, signed_at, expired = codec.read(raw)
        request.state.session_data = data
        request.state.session_expired = expired
        request.state.actor = PUBLIC
        uid = data.get("uid")
        if isinstance(uid, int):
            from ipcity.auth.service import actor_for, get_user

            with app.state.session_factory() as session:
                user = get_user(session, uid, data.get("at"))
                if user is not None:
                    request.state.actor = actor_for(user)
                else:
                    data.pop("uid", None)
        response = await call_next(request)
        new_data = getattr(request.state, "new_session_data", None)
        # A visitor's session (no login) is signed again once half its age is gone: its CSRF
        # token must outlive a form left open, however long ago the first visit was. A
        # login keeps the age it was given (session_max_age_seconds: how long a login lasts).
        stale = "uid" not in data and signed_at is not None and time.time() - signed_at > codec.max_age / 2
        if new_data is not None or raw is None or stale or codec.load(raw) != data:
            settings: Settings = app.state.settings
            response.set_cookie(
                SESSION_COOKIE,
                codec.dump(new_data if new_data is not None else data),
                max_age=settings.session_max_age_seconds,
                httponly=True,
                samesite="lax",
                secure=settings.secure_cookies,
            )
        return response


class BlankQueryMiddleware:
    """Drops the blank parameters of a query string (``?year=&status=in_force`` reads as
    ``?status=in_force``) before any route sees it.

    A filter form sends its empty boxes too: an emptied year box meant "the default year",
    not a year that is not a number. The htmx filter forms leave them out already
    (ipcity.js); this does the same for a plain form submit and a typed address, for every
    route at once. A pure ASGI middleware: it only rewrites ``scope["query_string"]``."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope.get("query_string"):
            query: bytes = scope["query_string"]
            parts = query.split(b"&")
            kept = [p for p in parts if p and not p.endswith(b"=")]
            if len(kept) != len(parts):
                scope = dict(scope, query_string=b"&".join(kept))
        await self.app(scope, receive, send)


def _error_response(request: Request, status: int, code: str, message: str) -> Response:
    if wants_json(request):
        return JSONResponse(
            {"ok": False, "error": message, "code": code, "status": status}, status_code=status
        )
    if status == 401 and request.method == "GET":
        # The page asked for, with its query, comes back after login (encoded: it is one parameter).
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?{urlencode({'next': target}, safe='/')}", status_code=303)
    return render(
        request, "error.html", {"status": status, "message": message, "code": code}, status_code=status
    )


# What a parameter should have been, by pydantic's error type (its English text otherwise).
VALIDATION_EXPECTED = {
    "missing": "必填",
    "int_parsing": "整数",
    "int_type": "整数",
    "int_from_float": "整数",
    "float_parsing": "数字",
    "bool_parsing": "true 或 false",
    "greater_than_equal": "不小于 {ge}",
    "less_than_equal": "不大于 {le}",
    "string_too_long": "不超过 {max_length} 个字符",
    "too_long": "不超过 {max_length} 项",
    "literal_error": "{expected} 之一",
    "json_invalid": "合法的 JSON",
    "model_attributes_type": "JSON 对象",
    "json_as_text": "以 Content-Type: application/json 发送的 JSON 对象",
    "list_type": "列表",
    "string_type": "文本",
    "string_too_short": "至少 {min_length} 个字符",
    "string_pattern_mismatch": "符合格式 {pattern}",
    "too_short": "至少 {min_length} 项",
    "greater_than": "大于 {gt}",
    "less_than": "小于 {lt}",
    "multiple_of": "{multiple_of} 的倍数",
    "finite_number": "有限的数字",
    "int_parsing_size": "可表示范围内的整数",
    "float_type": "数字",
    "decimal_parsing": "数字",
    "decimal_type": "数字",
    "bool_type": "true 或 false",
    "dict_type": "JSON 对象",
    "enum": "{expected} 之一",
    "date_parsing": "形如 2025-03-01 的日期",
    "date_from_datetime_parsing": "形如 2025-03-01 的日期",
    "date_from_datetime_inexact": "形如 2025-03-01 的日期（不带时间）",
    "date_type": "形如 2025-03-01 的日期",
    "datetime_parsing": "形如 2025-03-01T08:30:00 的日期时间",
    "datetime_from_date_parsing": "形如 2025-03-01T08:30:00 的日期时间",
    "datetime_type": "形如 2025-03-01T08:30:00 的日期时间",
    "extra_forbidden": "不含此字段（未知字段；可用字段见 /docs）",
    "value_error": "{error}",
    "assertion_error": "{error}",
}


# What the parameters of routes are called on the pages, for a refusal that names the field
# the person filled in (the parameter's own name follows it, for the API's users).
PARAMETER_LABELS = {
    "year": "年度",
    "page": "页码",
    "per_page": "每页条数",
    "q": "检索词",
    "holder_id": "权利人ID",
    "user_id": "用户ID",
    "case_id": "案件编号",
    "address": "地址",
    "tags": "标签",
    "tiers": "资质",
    "name": "名称",
    "display_name": "显示名称",
    "username": "用户名",
    "password": "密码",
    "new_password": "新密码",
    "region": "地区",
    "region_code": "地区",
    "zone": "园区",
    "rule": "规则",
    "status": "状态",
    "reason": "理由",
    "amount": "金额",
    "mapping_name": "映射名称",
    "listed_on": "列入日期",
    "expires_on": "届满日期",
    "removed_on": "移出日期",
}
_SECRET = re.compile(r"password|secret|token", re.IGNORECASE)


# Labels of the fixed values routes take in a path or query (Literal types), so that a
# refusal lists them as people know them, the code in brackets (it is what goes into the
# address). An area router module adds its own with a ``CHOICE_LABELS`` dict.
CHOICE_LABELS = {"csv": "CSV", "xlsx": "Excel", "docx": "Word"}
_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'")


def _literal_choices(ctx: dict[str, Any], labels: dict[str, str], locale: str) -> str | None:
    """The accepted values of a Literal parameter (pydantic gives them as ``'a', 'b' or
    'c'``) in the reader's language, labelled where a label is known."""
    from ipcity.registry.service import choice_list

    values = _QUOTED.findall(str(ctx.get("expected", "")))
    if not values:
        return None
    return choice_list({value: labels.get(value, "") for value in values}, locale)


def _validation_message(
    exc: RequestValidationError, locale: str, labels: dict[str, str] | None = None
) -> str:
    first = exc.errors()[0] if exc.errors() else {}
    location = [str(p) for p in first.get("loc", ())]
    where = ".".join(p for p in location if p not in ("query", "body", "path", "form", "header", "cookie"))
    kind = str(first.get("type", ""))
    expected = first.get("msg", "")
    if kind == "model_attributes_type" and isinstance(first.get("input"), bytes | str):
        # The body arrived as text: sent without "Content-Type: application/json".
        kind = "json_as_text"
    label = VALIDATION_EXPECTED.get(kind)
    translated = gettext(label, locale) if label else None
    # A label not yet translated would put Chinese in an English sentence: pydantic's
    # English text is the better fallback there.
    if label and translated and (translated != label or normalize_locale(locale) == DEFAULT_LOCALE):
        ctx = dict(first.get("ctx") or {})
        if kind in ("literal_error", "enum"):
            ctx["expected"] = _literal_choices(ctx, labels or CHOICE_LABELS, locale) or ctx.get("expected")
        try:
            expected = translated.format(**ctx)
        except (KeyError, IndexError, ValueError):
            expected = first.get("msg", "")
    # A json_invalid location is a character offset in the body, not a field: the body is named.
    name = (where if kind != "json_invalid" else "") or (location[0] if location else "?")
    if kind in ("missing", "json_invalid"):
        received = "-"
    elif _SECRET.search(name):
        received = gettext("（不显示）", locale)  # a password is never written back, not even in part
    else:
        received = repr(first.get("input"))
        if len(received) > 80:
            received = received[:80] + "…"
    label = PARAMETER_LABELS.get(name.rsplit(".", 1)[-1])
    # The field as the page names it, the name the address or the API uses beside it.
    english = normalize_locale(locale) != DEFAULT_LOCALE
    field = (f"{gettext(label, locale)} ({name})" if english else f"{label}（{name}）") if label else name
    template = gettext("参数 {field} 的值不合规：收到 {value}，要求 {expected}", locale)
    return template.format(field=field, value=received, expected=expected)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application for ``settings`` (read from the environment when omitted)."""
    settings = settings or Settings()
    from ipcity.policy.loader import use_policy_file

    use_policy_file(settings.policy_file)  # a bad policy file stops the start, naming its line
    app = FastAPI(
        title="IP City 知识产权强市平台",
        version=__version__,
        description="知识产权登记、检索与开放数据接口（P2.8）。Registry, search and open-data API of IP City.",
        dependencies=[Depends(csrf_protect), Depends(refuse_nul_characters)],
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    engine = make_engine(settings.database_url)
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    app.state.session_codec = SessionCodec(settings.session_secret(), settings.session_max_age_seconds)
    app.state.templates = _templates()
    app.add_middleware(SessionMiddleware)
    app.add_middleware(BlankQueryMiddleware)
    app.mount("/static", StaticFiles(directory=str(PACKAGE_DIR / "web" / "static")), name="static")

    @app.exception_handler(IPCityError)
    async def _ipcity_error(request: Request, exc: IPCityError) -> Response:
        return _error_response(request, exc.status, exc.code, exc.render(get_locale(request)))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        locale = get_locale(request)
        message = _validation_message(exc, locale, request.app.state.choice_labels)
        return _error_response(request, 400, BadInput.code, message)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        locale = get_locale(request)
        messages = {404: "页面不存在", 405: "不支持该请求方法"}
        message = gettext(messages.get(exc.status_code, "请求无法处理"), locale)
        return _error_response(request, exc.status_code, "http_error", message)

    @app.exception_handler(DataError)
    async def _data_error(request: Request, exc: DataError) -> Response:
        # A value the database cannot hold (too long, out of range): bad input that a route's
        # own checks missed. Nothing was written (the request's transaction is rolled back);
        # logged so the missing check gets added where the value comes in.
        log.warning("value refused by the database on %s %s: %s", request.method, request.url.path, exc.orig)
        message = gettext("提交的值超出了允许的长度或范围，未做任何修改", get_locale(request))
        return _error_response(request, 400, BadInput.code, message)

    @app.exception_handler(OperationalError)
    async def _database_unavailable(request: Request, exc: OperationalError) -> Response:
        # A database that cannot serve now (locked by a long import, disk full, server
        # gone): 503 with the condition in the user's words, nothing changed (the request's
        # transaction is rolled back). Any other operational error is a fault: 500, logged.
        condition = database_condition(exc)
        if condition is None:
            return await _unexpected(request, exc)
        log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc.orig)
        locale = get_locale(request)
        message = gettext("数据库暂时无法完成操作：{reason}；未做任何修改", locale).format(
            reason=condition.en if locale.startswith("en") else condition
        )
        return _error_response(request, 503, "database_unavailable", message)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        message = gettext("服务器内部错误，已记录，请稍后再试", get_locale(request))
        return _error_response(request, 500, "internal_error", message)

    @app.get("/docs", include_in_schema=False)
    def _docs(request: Request) -> Response:
        # Swagger UI from our own static files: the servers have no internet, so no CDN.
        page = get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="IP City API",
            swagger_js_url="/static/vendor/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )
        # "Try it out" on a POST, PUT or PATCH must carry the session's CSRF token, as every
        # page's own requests do (the token is the visitor's own, like a form's hidden field).
        token = json.dumps(str(request.state.session_data.get("csrf", "")))
        interceptor = (
            "SwaggerUIBundle({requestInterceptor: (req) => { req.headers['X-CSRF-Token'] = "
            + token
            + "; return req; },"
        )
        html = bytes(page.body).decode("utf-8").replace("SwaggerUIBundle({", interceptor, 1)
        return HTMLResponse(html)

    @app.get("/favicon.ico", include_in_schema=False)
    def _favicon() -> Response:
        # Browsers ask for /favicon.ico when a page names no icon: the SVG icon answers.
        return FileResponse(
            PACKAGE_DIR / "web" / "static" / "favicon.svg",
            media_type="image/svg+xml",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    app.state.choice_labels = dict(CHOICE_LABELS)
    for module_name in AREA_ROUTERS:
        module: Any = importlib.import_module(module_name)
        app.include_router(module.router)
        app.state.choice_labels.update(getattr(module, "CHOICE_LABELS", {}))
    return app
