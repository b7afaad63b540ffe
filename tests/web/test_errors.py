"""Errors as a person meets them: one sentence in the user's language (Chinese by default,
English with ``?lang=en`` or ``Accept-Language: en``), as an HTML page or as JSON
``{"ok": false, "error", "code", "status"}``; never a stack trace, never a 500 for bad
input; and bad input changes nothing in the database."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from sqlalchemy import func, select
from web_support import COUNTY_A, REAL_PATENTS, World, client_as, csrf_of

from ipcity.audit import AuditEntry
from ipcity.auth.models import User
from ipcity.i18n import gettext
from ipcity.registry.models import ColumnMapping, Holder, ImportBatch, Patent

CJK = re.compile(r"[\u4e00-\u9fff]")


def sentence_of(response: Any) -> str:
    """The one error sentence of a response: the JSON body's ``error`` (checking the rest
    of the body) or the error page's message."""
    assert "Traceback" not in response.text and 'File "' not in response.text
    if response.headers["content-type"].startswith("application/json"):
        body = response.json()
        assert set(body) == {"ok", "error", "code", "status"}, body
        assert body["ok"] is False and body["status"] == response.status_code
        message = body["error"]
    else:
        assert response.headers["content-type"].startswith("text/html")
        found = re.findall(
            r'<p class="(?:message|flash bad" role="alert)"(?: id="[^"]*")?>([^<]*)</p>', response.text
        )
        assert len(found) == 1, response.text[-800:]
        message = html.unescape(found[0])
    assert message and "\n" not in message and len(message) < 600, message
    return str(message)


def _state(session_factory: Any) -> tuple[Any, ...]:
    with session_factory() as session:
        return (
            tuple(
                session.execute(
                    select(Holder.id, Holder.kind, Holder.region_code, Holder.address, Holder.tags)
                )
            ),
            session.scalar(select(func.count()).select_from(Patent)),
            session.scalar(select(func.count()).select_from(ImportBatch)),
            session.scalar(select(func.count()).select_from(AuditEntry)),
            session.scalar(select(func.count()).select_from(User)),
            session.scalar(select(func.count()).select_from(ColumnMapping)),
        )


# ---------------------------------------------------------------------------------- language


@pytest.mark.parametrize(
    ("path", "headers", "message"),
    [
        ("/api/v1/patents?page=abc", {}, "参数 页码（page） 的值不合规：收到 'abc'，要求 整数"),
        (
            "/api/v1/patents?page=abc&lang=en",
            {},
            gettext("参数 {field} 的值不合规：收到 {value}，要求 {expected}", "en").format(
                field="Page (page)", value="'abc'", expected=gettext("整数", "en")
            ),
        ),
        (
            "/api/v1/patents?page=abc",
            {"Accept-Language": "en-US,en;q=0.9"},
            gettext("参数 {field} 的值不合规：收到 {value}，要求 {expected}", "en").format(
                field="Page (page)", value="'abc'", expected=gettext("整数", "en")
            ),
        ),
    ],
)
def test_bad_page_number_names_the_parameter(
    client: Any, path: str, headers: dict[str, str], message: str
) -> None:
    response = client.get(path, headers=headers)
    assert response.status_code == 400
    assert response.json() == {"ok": False, "error": message, "code": "bad_input", "status": 400}


def test_english_sentence_has_no_chinese(client: Any) -> None:
    for path in (
        "/api/v1/patents?page=abc&lang=en",
        "/api/v1/patents?per_page=1000&lang=en",
        "/nope?lang=en",
    ):
        message = sentence_of(client.get(path))
        assert not CJK.search(message), message
    assert "page" in sentence_of(client.get("/api/v1/patents?page=abc&lang=en"))


# pydantic's own English ("Input should be a valid date …") in a Chinese sentence reads
# as a fault: every kind of refusal a route's parameters can give is said in Chinese.
PYDANTIC_ENGLISH = re.compile(r"Input should|Value error|valid date|Field required|String should")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/api/v1/credit-list?on=2025-13-45", "要求 形如 2025-03-01 的日期"),
        ("/api/v1/credit-list?on=yesterday", "要求 形如 2025-03-01 的日期"),
        ("/api/v1/credit-list?holder_id=0", "要求 不小于 1"),
        ("/api/v1/patents?per_page=1000", "要求 不大于"),
    ],
)
def test_refusals_of_dates_and_ranges_are_chinese(client: Any, path: str, expected: str) -> None:
    response = client.get(path)
    assert response.status_code == 400
    message = sentence_of(response)
    assert expected in message and not PYDANTIC_ENGLISH.search(message), message
    english = sentence_of(client.get(path, headers={"Accept-Language": "en"}))
    assert not CJK.search(english), english


def test_html_page_gets_the_same_sentence(client: Any) -> None:
    response = client.get("/patents?page=abc")
    assert response.status_code == 400
    assert sentence_of(response) == "参数 页码（page） 的值不合规：收到 'abc'，要求 整数"
    english = client.get("/patents?page=abc", headers={"Accept-Language": "en"})
    assert english.status_code == 400 and '<html lang="en">' in english.text
    assert not CJK.search(sentence_of(english))


def test_a_password_is_never_written_back_in_a_refusal(client: Any) -> None:
    secret = "S3cret-" + "q" * 2000  # longer than a password may be
    data = {"username": "somebody", "password": secret, "csrf_token": csrf_of(client)}
    response = client.post("/login", data=data)
    message = sentence_of(response)
    assert response.status_code == 400 and "密码（password）" in message and "（不显示）" in message
    assert "S3cret" not in response.text


def test_a_blank_filter_reads_as_no_filter(client: Any) -> None:
    """An emptied box of a filter form (``?year=``) is the default, not a refused value."""
    assert client.get("/api/v1/patents?page=&per_page=&q=").status_code == 200
    assert client.get("/indicators?year=").status_code == 200
    # A filled one is still checked.
    assert client.get("/indicators?year=abc").status_code == 400


def test_a_json_client_gets_json_from_a_page(client: Any) -> None:
    response = client.get("/patents?page=abc", headers={"Accept": "application/json"})
    assert response.status_code == 400 and response.json()["code"] == "bad_input"


def test_unknown_page_is_a_404_page(client: Any) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert sentence_of(response) == "页面不存在"
    assert "<h1>404</h1>" in response.text
    assert sentence_of(client.get("/no-such-page?lang=en")) == gettext("页面不存在", "en")
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404
    assert api.json() == {"ok": False, "error": "页面不存在", "code": "http_error", "status": 404}


def test_unknown_records_are_404_with_what_was_asked(app: Any, world: World) -> None:
    client = client_as(app, world, "public")
    cases = {
        "/api/v1/patents/CN209999999999.9": "未找到专利：CN209999999999.9",
        "/api/v1/patents/99999999999999999999": "未找到专利：99999999999999999999",
        "/api/v1/holders/2147483000": "未找到权利人：2147483000",
        "/api/v1/regions/999999": "未找到行政区划：999999",
        "/patents/CN209999999999.9": "未找到专利：CN209999999999.9",
        "/holders/2147483000": "未找到权利人：2147483000",
        "/import/templates/nothing.xlsx": "没有 nothing 的导入模板",
    }
    for path, message in cases.items():
        response = client.get(path)
        assert response.status_code == 404, path
        assert sentence_of(response).startswith(message), path


def test_wrong_method_is_405(client: Any) -> None:
    response = client.put("/api/v1/stats")
    assert response.status_code == 405
    assert sentence_of(response) == "不支持该请求方法"


# ------------------------------------------------------------------------- bad input: 400


BAD_READS = [
    ("/api/v1/patents?page=0", "page"),
    ("/api/v1/patents?per_page=100000", "per_page"),
    ("/api/v1/patents?year=1800", "year"),
    ("/api/v1/patents?year=twenty", "year"),
    ("/api/v1/patents?holder_id=99999999999999999999", "holder_id"),
    ("/api/v1/patents?jurisdiction=TOOLONG", "jurisdiction"),
    ("/api/v1/patents?patent_type=robot", "robot"),
    ("/api/v1/patents?status=sleeping", "sleeping"),
    ("/api/v1/patents?sort=random", "random"),
    ("/api/v1/patents?region=12", "12"),
    (
        "/api/v1/patents?region=%EF%BC%94%EF%BC%91%EF%BC%90%EF%BC%96%EF%BC%91%EF%BC%91",
        None,
    ),  # full-width digits
    ("/api/v1/patents?q=%00", "NUL"),
    ("/api/v1/holders?page=-1", "page"),
    ("/api/v1/holders?region=abcdef", "abcdef"),
    ("/api/v1/holders/0", "holder_id"),
    ("/api/v1/holders/abc", "holder_id"),
    ("/api/v1/holders/99999999999999", "holder_id"),
    ("/api/v1/regions/41%0006", "NUL"),
    ("/patents/export.pdf", "fmt"),
    ("/patents/export.csv?status=x", "x"),
    ("/patents?year=%C2%B2", "²"),
    ("/patents?year=abcd", "abcd"),
    ("/holders?page=abc", "page"),
    ("/holders/abc", "holder_id"),
    ("/holders/99999999999999999999", "holder_id"),
    ("/audit?page=99999999999999999999", "page"),
]


@pytest.mark.parametrize(("path", "names"), BAD_READS)
def test_bad_query_is_a_400_sentence(app: Any, world: World, path: str, names: str | None) -> None:
    client = client_as(app, world, "admin")
    response = client.get(path, follow_redirects=False)
    if names is None:  # a value that is odd but harmless: answered, not refused
        assert response.status_code == 200
        return
    assert response.status_code == 400, response.text[:300]
    message = sentence_of(response)
    assert names in message, message
    assert CJK.search(message)  # Chinese by default


@pytest.mark.parametrize(
    "query",
    ['"', "'", "AND", "OR NOT", "*", "(", ")", "NEAR(a b)", "a:b", "^", '"unclosed', "-", "🙂", "a" * 500],
)
def test_full_text_search_takes_any_text(app: Any, world: World, query: str) -> None:
    client = client_as(app, world, "public")
    found = client.get("/api/v1/patents", params={"q": query})
    assert found.status_code == 200
    assert client.get("/patents", params={"q": query}).status_code == 200
    if not any(ch.isalnum() for ch in query):
        # Nothing to search by (punctuation, an emoji): no patent, not the whole registry.
        assert found.json()["total"] == 0, query


BAD_WRITES: list[tuple[str, str, dict[str, Any], int, str]] = [
    # (method, path, request, status, a part of the sentence)
    ("PATCH", "/api/v1/holders/{a}", {"json": {"address": "长" * 501}}, 400, "address"),
    ("PATCH", "/api/v1/holders/{a}", {"json": {"kind": "robot"}}, 400, "robot"),
    # A valid kind first, then an unknown region: the kind must not be saved either.
    (
        "PATCH",
        "/api/v1/holders/{a}",
        {"json": {"kind": "individual", "region_code": "999999"}},
        400,
        "999999",
    ),
    ("PATCH", "/api/v1/holders/{a}", {"json": {"kind": "individual", "zone_code": "NOZONE"}}, 400, "NOZONE"),
    ("PATCH", "/api/v1/holders/{a}", {"json": {"tags": "not-a-list"}}, 400, "tags"),
    ("PATCH", "/api/v1/holders/{a}", {"json": {"address": "a\u0000b"}}, 400, "NUL"),
    ("PATCH", "/api/v1/holders/{a}", {"json": [1, 2]}, 400, "body"),
    (
        "PATCH",
        "/api/v1/holders/{a}",
        {"content": b"{not json", "headers": {"content-type": "application/json"}},
        400,
        "JSON",
    ),
    ("PATCH", "/api/v1/holders/2147483000", {"json": {"kind": "individual"}}, 404, "2147483000"),
    ("POST", "/holders/{a}", {"data": {"kind": "robot"}}, 400, "robot"),
    ("POST", "/holders/{a}", {"data": {"kind": "individual", "region_code": "000000"}}, 400, "000000"),
    ("POST", "/holders/{a}", {"data": {"address": "x" * 501}}, 400, "address"),
    ("POST", "/api/v1/imports", {"data": {"kind": "patents"}}, 400, "file"),
    ("POST", "/api/v1/imports", {"files": {"file": ("a.csv", b"", "text/csv")}}, 400, "a.csv"),
    (
        "POST",
        "/api/v1/imports",
        {"files": {"file": ("a.csv", b"x,y\n1,2\n", "text/csv")}, "data": {"kind": "bogus"}},
        400,
        "bogus",
    ),
    (
        "POST",
        "/api/v1/imports",
        {"files": {"file": ("a.xlsx", b"PK\x03\x04broken", "application/octet-stream")}},
        400,
        "a.xlsx",
    ),
    (
        "POST",
        "/api/v1/imports",
        {"files": {"file": ("..", REAL_PATENTS.read_bytes(), "text/csv")}, "data": {"confirm": "maybe"}},
        400,
        "confirm",
    ),
    (
        "POST",
        "/api/v1/imports",
        {
            "files": {"file": ("p.csv", b"x,y\n1,2\n", "text/csv")},
            "data": {"kind": "patents", "mapping_name": "无"},
        },
        404,
        "无",
    ),
    ("POST", "/import/preview", {"files": {"file": ("b.csv", b"", "text/csv")}}, 400, "b.csv"),
    (
        "POST",
        "/import/preview",
        {"files": {"file": ("b.csv", b"a\n", "text/csv")}, "data": {"kind": "x"}},
        400,
        "x",
    ),
    ("POST", "/import/not-a-token/confirm", {"data": {}}, 404, "导入任务"),
    ("POST", "/import/..%2F..%2Fetc/confirm", {"data": {}}, 404, ""),
    ("GET", "/import/not-a-token/progress", {}, 404, "导入任务"),
    ("GET", "/import/not-a-token/rejected.csv", {}, 404, ""),
    (
        "POST",
        "/import/{token}/mapping",
        {"data": {"kind": "patents", "save": "1", "mapping_name": "m", "field__nonsense": "申请号"}},
        400,
        "nonsense",
    ),
    (
        "POST",
        "/import/{token}/mapping",
        {"data": {"kind": "patents", "save": "1", "mapping_name": "m" * 101, "field__title": "专利名称"}},
        400,
        "100",
    ),
    (
        "POST",
        "/import/no-such-token/mapping",
        {
            "data": {
                "kind": "patents",
                "save": "1",
                "mapping_name": "m",
                "field__application_number": "申请号",
                "field__title": "专利名称",
            }
        },
        404,
        "导入任务",
    ),
    (
        "POST",
        "/users",
        {"data": {"username": "u", "password": "long-password", "role": "robot"}},
        400,
        "robot",
    ),
    ("POST", "/login", {"data": {"username": "a\u0000b", "password": "x"}}, 400, "NUL"),
    ("POST", "/login", {"data": {"username": "u" * 300, "password": "x"}}, 400, "username"),
]


@pytest.mark.parametrize(("method", "template", "request_args", "status", "part"), BAD_WRITES)
def test_bad_write_is_refused_and_changes_nothing(
    app: Any,
    world: World,
    session_factory: Any,
    method: str,
    template: str,
    request_args: dict[str, Any],
    status: int,
    part: str,
) -> None:
    client = client_as(app, world, "admin")
    path = template.format(a=world.holder_a, token=world.token)
    before = _state(session_factory)
    args = {**request_args, "headers": {"X-CSRF-Token": csrf_of(client), **request_args.get("headers", {})}}
    response = client.request(method, path, follow_redirects=False, **args)
    assert response.status_code == status, response.text[:400]
    assert part in sentence_of(response)
    assert _state(session_factory) == before


def test_county_officer_bad_input_changes_nothing(app: Any, world: World, session_factory: Any) -> None:
    client = client_as(app, world, "county_officer")
    before = _state(session_factory)
    token = {"X-CSRF-Token": csrf_of(client)}
    # A valid change and a move out of the county in one request: refused as a whole.
    response = client.patch(
        f"/api/v1/holders/{world.holder_a}",
        json={"address": "新地址", "region_code": "410621"},
        headers=token,
    )
    assert response.status_code == 403 and COUNTY_A in sentence_of(response)
    assert _state(session_factory) == before


def test_upload_names_cannot_leave_the_staging_folder(app: Any, world: World) -> None:
    client = client_as(app, world, "admin")
    for name in ("..", ".", "../../evil.csv", "a\\..\\b.csv", "x" * 400 + ".csv", "点.csv"):
        response = client.post(
            "/api/v1/imports",
            files={"file": (name, REAL_PATENTS.read_bytes(), "text/csv")},
            headers={"X-CSRF-Token": csrf_of(client)},
        )
        assert response.status_code == 200, (name, response.text[:300])
        assert response.json()["read"] == 10
    staged = [p for p in world.upload_dir.rglob("*") if p.is_file()]
    assert all(p.resolve().is_relative_to((world.upload_dir / "staging").resolve()) for p in staged)
    assert all(len(p.name.encode()) < 255 for p in staged)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/registers/trademarks?holder_id=99999999999999999999",
        "/registers/trademarks?holder_id=99999999999999999999",
        "/registers/trademarks?year=%C2%B2",
    ],
)
def test_registers_refuse_bad_numbers(app: Any, path: str) -> None:
    from fastapi.testclient import TestClient

    response = TestClient(app, raise_server_exceptions=False).get(path)
    assert response.status_code == 400, response.text[:200]


def test_the_staged_upload_is_never_the_rejected_rows_file(tmp_path: Any) -> None:
    """A preview writes ``<sha>-<file>-rejected.csv`` beside the upload; later steps must
    find the upload whatever order the directory lists them in."""
    from ipcity.registry.import_routes import _staged_file, _upload_name

    folder = tmp_path / "staging" / "tok"
    folder.mkdir(parents=True)
    for i in range(20):
        (folder / f"{i:012x}-patents.csv-rejected.csv").write_text("行号\n", encoding="utf-8")
    (folder / "patents.csv").write_text("申请号\n", encoding="utf-8")
    assert _staged_file(tmp_path, "tok").name == "patents.csv"
    # An upload that happens to be named like a rejected-rows file is stored under another name.
    assert (
        _upload_name("0123456789ab-patents.csv-rejected.csv")
        == "upload-0123456789ab-patents.csv-rejected.csv"
    )


def test_a_body_that_is_not_json_is_named_as_the_body(app: Any, world: World) -> None:
    client = client_as(app, world, "admin")
    response = client.patch(
        f"/api/v1/users/{world.user_ids['admin']}",
        content=b'{"display_name": ',
        headers={"Content-Type": "application/json", "X-CSRF-Token": csrf_of(client)},
    )
    assert response.status_code == 400
    assert sentence_of(response) == "参数 body 的值不合规：收到 -，要求 合法的 JSON"
    # JSON sent without its content type reaches the route as text: the sentence says how to send it.
    plain = client.patch(
        f"/api/v1/users/{world.user_ids['admin']}",
        content=b'{"display_name": "x"}',
        headers={"Content-Type": "text/plain", "X-CSRF-Token": csrf_of(client)},
    )
    assert plain.status_code == 400
    assert sentence_of(plain).endswith("要求 以 Content-Type: application/json 发送的 JSON 对象")


def test_a_refused_mapping_comes_back_with_the_columns_chosen(
    app: Any, world: World, session_factory: Any
) -> None:
    client = client_as(app, world, "admin")
    before = _state(session_factory)
    response = client.post(
        f"/import/{world.token}/mapping",
        data={"kind": "patents", "save": "1", "mapping_name": "某库导出", "field__title": "专利名称"},
        headers={"X-CSRF-Token": csrf_of(client)},
    )
    # The application number is required: refused on the same form, the title's column
    # still chosen, the name and the save box as they were; nothing saved.
    assert response.status_code == 400 and 'id="mapping-error"' in response.text
    assert "申请号" in sentence_of(response)
    assert '<option value="专利名称" selected>' in response.text
    assert 'value="某库导出"' in response.text and 'name="save" value="1" checked' in response.text
    assert _state(session_factory) == before


def test_a_database_that_cannot_serve_now_is_a_503_in_the_users_words(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A locked database (a long import writing) is told as such, in the page's language,
    503 and not a bare 500; an operational error that is a fault stays a logged 500."""
    import sqlite3

    from sqlalchemy.exc import OperationalError

    from ipcity.registry import service

    def locked(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError(
            "SELECT patents.id FROM patents", {}, sqlite3.OperationalError("database is locked")
        )

    monkeypatch.setattr(service, "search_patents", locked)
    api = client.get("/api/v1/patents")
    assert api.status_code == 503 and api.json()["code"] == "database_unavailable"
    assert (
        sentence_of(api)
        == "数据库暂时无法完成操作：数据库正被另一个进程写入（已锁定），请稍后重试；未做任何修改"
    )
    english = sentence_of(client.get("/api/v1/patents?lang=en"))
    assert "the database is locked by another process" in english and not CJK.search(english)
    page = client.get("/patents")
    assert page.status_code == 503 and "已锁定" in sentence_of(page) and "SELECT" not in page.text

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("SELECT x FROM patents", {}, sqlite3.OperationalError("no such column: x"))

    monkeypatch.setattr(service, "search_patents", broken)
    fault = client.get("/api/v1/patents")
    assert fault.status_code == 500 and "no such column" not in fault.text
