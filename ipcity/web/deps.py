"""FastAPI dependencies: the database session, the acting user, the locale, CSRF, rendering."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session
from starlette.routing import Match

from ipcity.auth.roles import PUBLIC, Actor
from ipcity.config import Settings
from ipcity.errors import BadInput, NotAuthenticated, PermissionDenied
from ipcity.i18n import gettext, normalize_locale, pgettext
from ipcity.places.names import place_name
from ipcity.web.security import CSRF_FIELD, CSRF_HEADER, UNSAFE_METHODS, tokens_match


def get_settings(request: Request) -> Settings:
    """The app's settings."""
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    """One database session per request; services commit, anything left is rolled back."""
    session: Session = request.app.state.session_factory()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def get_actor(request: Request) -> Actor:
    """Who is acting (resolved by the session middleware)."""
    actor: Actor = getattr(request.state, "actor", PUBLIC)
    return actor


def get_locale(request: Request) -> str:
    """The UI language: ``?lang=``, then the ``lang`` cookie, then Accept-Language, then Chinese."""
    chosen = request.query_params.get("lang") or request.cookies.get("lang")
    if chosen:
        return normalize_locale(chosen)
    accept = request.headers.get("accept-language", "")
    first = accept.split(",")[0].strip() if accept else ""
    if first.lower().startswith("en"):
        return "en"
    settings: Settings = request.app.state.settings
    return settings.default_locale


async def csrf_protect(request: Request) -> None:
    """Refuse a state-changing request whose CSRF token does not match the session's."""
    if request.method not in UNSAFE_METHODS:
        return
    expected = request.state.session_data.get("csrf") if hasattr(request.state, "session_data") else None
    given = request.headers.get(CSRF_HEADER)
    if not given:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            given = value if isinstance(value, str) else None
    if not tokens_match(expected, given):
        if getattr(request.state, "session_expired", False):
            # The login (or the page's session) ran out while the form was open: say so,
            # rather than blame a token the person never saw.
            raise NotAuthenticated("登录已过期，本次提交未保存；请重新登录后再提交")
        raise PermissionDenied("请求缺少有效的CSRF令牌，请刷新页面后重试")


def _holds_nul(value: Any) -> bool:
    # Iterative: a deeply nested JSON body must not exhaust the stack here.
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)
    return False


async def refuse_nul_characters(request: Request) -> None:
    """Refuse a NUL character in the path, the query, form fields or a JSON body.

    No value of the platform can hold one, and PostgreSQL cannot store one (the driver
    fails): it is bad input, said in one sentence, not a 500. Uploaded files are not read here.
    """
    values: list[Any] = [*request.path_params.values(), *request.query_params.multi_items()]
    content_type = request.headers.get("content-type", "")
    if request.method in UNSAFE_METHODS:
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            values.extend((k, v) for k, v in form.multi_items() if isinstance(v, str))
        elif "json" in content_type:
            body = await request.body()
            # Not JSON (or absurdly nested): the route's own validation says so.
            with contextlib.suppress(ValueError, RecursionError):
                values.append(json.loads(body))
    if _holds_nul(values):
        raise BadInput("输入中含有不允许的空字符（NUL），请删除后重试")


SessionDep = Annotated[Session, Depends(get_session)]
CurrentActor = Annotated[Actor, Depends(get_actor)]
LocaleDep = Annotated[str, Depends(get_locale)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def wants_json(request: Request) -> bool:
    """JSON for ``/api/`` paths and clients that ask for it, HTML otherwise."""
    if request.url.path.startswith("/api/"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _answers_get(request: Request, path: str) -> bool:
    scope = {"type": "http", "path": path, "root_path": "", "method": "GET"}
    return any(route.matches(scope)[0] == Match.FULL for route in request.app.router.routes)


def _with_lang(address: str, lang: str) -> str:
    parts = urlsplit(address)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"]
    return f"{parts.path}?{urlencode([*query, ('lang', lang)])}"


def language_url(request: Request, lang: str, target: str | None = None) -> str:
    """Where a page's link to the other language leads (``lang`` added): the page itself,
    its query kept, when it was read with GET. A page that answers a POST (a preview, a
    form shown again with its errors) cannot be asked for again by a link, so its link
    leads to the GET page it names (``target``, the ``lang_url`` of its context), else to
    its own address where that also answers GET, else to the page the form was sent from
    (the Referer, same site), else to the home page: never to an address answering 405.
    """
    if request.method in ("GET", "HEAD"):
        return _with_lang(
            str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""), lang
        )
    if target:
        return _with_lang(target, lang)
    if _answers_get(request, request.url.path):
        return _with_lang(request.url.path, lang)
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc == request.url.netloc and referer.path and _answers_get(request, referer.path):
        return _with_lang(referer.path + (f"?{referer.query}" if referer.query else ""), lang)
    return _with_lang("/", lang)


def render(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    """Render a page with the layout's common context (user, locale, CSRF token, translator)."""
    locale = get_locale(request)
    base = {
        "request": request,
        "actor": get_actor(request),
        "locale": locale,
        "_": lambda message, **params: (
            gettext(message, locale).format(**params) if params else gettext(message, locale)
        ),
        # The same with a context (``msgctxt``): _p("复数", "权利人") is "Holders" in English.
        "_p": lambda context, message: pgettext(context, message, locale),
        # A region's or zone's name in the page's language (English names of the shipped tables).
        "place_name": lambda name: place_name(name, locale),
        # The top bar's link to the other language (a page answering a POST names its target).
        "language_url": lambda lang: language_url(request, lang, context.get("lang_url")),
        # Punctuation around a translated phrase: full-width in Chinese, ASCII in English.
        "lp": " (" if locale == "en" else "（",
        "rp": ")" if locale == "en" else "）",
        "colon": ": " if locale == "en" else "：",
        # Who did something, as timelines and the audit log show it: the anonymous public
        # (a reserved username, never an account) by its name in the page's language.
        "actor_name": lambda username: gettext("公众", locale) if username == PUBLIC.username else username,
        "csrf_token": request.state.session_data.get("csrf", "")
        if hasattr(request.state, "session_data")
        else "",
    }
    base.update(context)
    templates = request.app.state.templates
    response: HTMLResponse = templates.TemplateResponse(request, template, base, status_code=status_code)
    return response
