"""Helpers of the web tests: every route of the app, logging in, the shared test world."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from ipcity_testing import PASSWORD, SHARED_DATA, csrf_of
from sqlalchemy.orm import Session, sessionmaker

from ipcity.auth.roles import SYSTEM

REAL_PATENTS = SHARED_DATA / "patents_cn" / "henan_sample_10_62cols.csv"
COUNTY_A = "410611"  # 淇滨区
COUNTY_B = "410621"  # 浚县
ROLES = ("admin", "city_officer", "county_officer", "enterprise", "public")


@dataclass
class World:
    """What the web tests act on: ids of real records and one username per role."""

    holder_a: int
    holder_b: int
    patent_a: str  # application number of a patent whose first holder is holder A
    patent_b: str  # ... whose first holder is holder B
    patent_a_id: int
    token: str  # a staged import upload
    users: dict[str, str]  # role -> username (public: "")
    user_ids: dict[str, int]  # role -> user id (no public)
    upload_dir: Path
    entitlement_a: str  # id of an entitlement of holder A (policy)
    entitlement_b: str  # ... of holder B
    case_a: int = 0  # a policy case of holder A, proposed (workflow), waiting for its confirm
    case_in_notice: int = 0  # ... another, in public notice (公示), open to objections
    listing_id: int = 0  # a dishonesty listing of holder B, expired in 2011 (holds nothing back)


def iter_routes(app: Any) -> Iterator[Any]:
    """Every route of the app, flattened: FastAPI >= 0.120 keeps included routers as
    lazy branches in ``app.routes``; older versions list the routes themselves."""
    for route in app.routes:
        if hasattr(route, "effective_route_contexts"):
            yield from route.effective_route_contexts()
        else:
            yield route


def route_methods(app: Any) -> set[tuple[str, str]]:
    """(method, path template) for every route; a mount counts as ``GET /mount/{path}``."""
    out: set[tuple[str, str]] = set()
    for route in iter_routes(app):
        methods = getattr(route, "methods", None)
        path = getattr(route, "path", None)
        if path is None:
            continue
        if not methods:
            out.add(("GET", path.rstrip("/") + "/{path}"))
            continue
        for method in methods:
            out.add((method, path))
    return out


SECOND_APPLICANT = "浚县测试农业科技有限公司"  # test-only name given to the last rows


def import_real_patents(factory: sessionmaker[Session], tmp: Path) -> Path:
    """Import the real 10-row export (CNIPA-style 62 columns) as the system. All its rows
    name one applicant, so rows 6 to 10 are given a second (test) applicant in a copy."""
    import csv
    import io

    from ipcity.registry.importing import run_import

    if not REAL_PATENTS.exists():
        pytest.skip(f"real data file not available: {REAL_PATENTS}")
    rows = list(csv.reader(io.StringIO(REAL_PATENTS.read_text(encoding="utf-8-sig"))))
    header = rows[0]
    for row in rows[6:]:
        for column in ("申请人", "第一权利人", "当前权利人"):
            row[header.index(column)] = SECOND_APPLICANT
        row[header.index("申请人地址")] = "456250河南省鹤壁市浚县黎阳路1号"
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    path = tmp / "patents-two-holders.csv"
    path.write_text(out.getvalue(), encoding="utf-8-sig")
    with factory() as session:
        result = run_import(session, SYSTEM, path, path.name, errors_dir=tmp)
        assert result.inserted == 10 and result.rejected == 0, result.summary()
    return path


def login(client: Any, username: str, password: str = PASSWORD) -> Any:
    """Log a client in through the real form (a no-op for the public)."""
    if not username:
        csrf_of(client)
        return None
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(client), "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:300]
    return response


def client_as(app: Any, world: World, role: str) -> Any:
    """A test client whose signed session cookie says it is ``role``'s user (the public: an
    anonymous session). Logging in through the form is tested in test_auth.py; here the
    cookie is minted directly, so a walk over every route and role stays fast."""
    from fastapi.testclient import TestClient

    from ipcity.web.security import SESSION_COOKIE, new_session

    client = TestClient(app)
    data = new_session(world.user_ids.get(role))
    # The domain the test client's cookie jar files "testserver" under, so that a cookie the
    # app sets later replaces this one instead of sitting beside it.
    client.cookies.set(SESSION_COOKIE, app.state.session_codec.dump(data), domain="testserver.local")
    return client


Body = Callable[[World, str], dict[str, Any]]


def _login(world: World, role: str) -> dict[str, Any]:
    return {"data": {"username": world.users[role] or "no-such-user", "password": PASSWORD, "next": "/"}}


def _new_user(world: World, role: str) -> dict[str, Any]:
    return {
        "data": {"username": f"new-by-{role}", "password": "a-long-enough-password", "role": "city_officer"}
    }


def _user_edit(world: World, role: str) -> dict[str, Any]:
    # The city officer's account, its role kept: the walk goes on acting as that officer.
    return {
        "data": {
            "username": world.users["city_officer"],
            "role": "city_officer",
            "display_name": f"市级{role}",
        }
    }


def _holder_json(world: World, role: str) -> dict[str, Any]:
    return {"json": {"address": f"淇滨区测试路{ROLES.index(role)}号"}}


def _holder_form(world: World, role: str) -> dict[str, Any]:
    return {
        "data": {
            "kind": "institute",
            "region_code": COUNTY_A,
            "address": f"淇滨区表单路{ROLES.index(role)}号",
        }
    }


def _upload(world: World, role: str) -> dict[str, Any]:
    return {"files": {"file": ("patents.csv", REAL_PATENTS.read_bytes(), "text/csv")}, "data": {"kind": ""}}


def _api_upload(world: World, role: str) -> dict[str, Any]:
    return {
        "files": {"file": ("patents.csv", REAL_PATENTS.read_bytes(), "text/csv")},
        "data": {"confirm": "false"},
    }


def _mapping(world: World, role: str) -> dict[str, Any]:
    return {"data": {"kind": "patents", "field__application_number": "申请号", "field__title": "专利名称"}}


def _objection_form(world: World, role: str) -> dict[str, Any]:
    return {"data": {"reason": f"异议理由{ROLES.index(role)}"}}


def _objection_json(world: World, role: str) -> dict[str, Any]:
    return {"json": {"reason": f"异议理由{ROLES.index(role)}"}}


def _empty_json(world: World, role: str) -> dict[str, Any]:
    return {"json": {}}


def _budget_json(world: World, role: str) -> dict[str, Any]:
    return {"json": {"amount": 1_000_000}}


def _budget_form(world: World, role: str) -> dict[str, Any]:
    return {"data": {"year": "2019", "rule": "P2.1-a", "amount": "1000000"}}


EVIDENCE_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _application_form(world: World, role: str) -> dict[str, Any]:
    # A GB/T 29490 certificate of holder A (in the city): an eligible application.
    return {
        "data": {
            "kind": "certificate",
            "certificate_number": f"165IP19{ROLES.index(role)}F",
            "issued_on": "2019-04-02",
        },
        "files": [("files", ("证书.pdf", EVIDENCE_PDF, "application/pdf"))],
    }


def _application_api(world: World, role: str) -> dict[str, Any]:
    # A provincial patent award of holder A: another eligible application.
    return {
        "data": {
            "kind": "award",
            "patent_number": world.patent_a,
            "level": "provincial_third",
            "award_date": "2019-11-20",
        },
        "files": [("files", ("获奖证书.pdf", EVIDENCE_PDF, "application/pdf"))],
    }


def _year_form(world: World, role: str) -> dict[str, Any]:
    return {"data": {"year": "2019"}}


# A request that does what the route is for (by role where it matters); routes not named
# here are sent without a body.
_ACCOUNT_FORM = {
    "payee_name": "鹤壁甲有限公司",
    "payee_bank": "中国工商银行鹤壁淇滨支行",
    "payee_account": "1705-0210-0920-0123-456",
}

REQUEST_BODIES: dict[tuple[str, str], Body] = {
    ("POST", "/login"): _login,
    ("POST", "/users"): _new_user,
    ("POST", "/users/{user_id}"): _user_edit,
    # Enabling an account that is enabled, and setting the password it has: allowed, and
    # the walk's later logins still work.
    ("POST", "/users/{user_id}/active"): lambda world, role: {"data": {"active": "true"}},
    ("POST", "/users/{user_id}/password"): lambda world, role: {"data": {"password": PASSWORD}},
    # The same through the JSON API (the city officer's account keeps its role and password).
    ("POST", "/api/v1/users"): lambda world, role: {
        "json": {"username": f"api-by-{role}", "password": "a-long-enough-password", "role": "city_officer"}
    },
    ("PATCH", "/api/v1/users/{user_id}"): lambda world, role: {"json": {"display_name": f"市级{role}"}},
    ("POST", "/api/v1/users/{user_id}/active"): lambda world, role: {"json": {"active": True}},
    ("POST", "/api/v1/users/{user_id}/password"): lambda world, role: {"json": {"password": PASSWORD}},
    ("PATCH", "/api/v1/holders/{holder_id}"): _holder_json,
    ("POST", "/holders/{holder_id}"): _holder_form,
    # The receiving account of holder A (the bound enterprise or an officer in scope).
    ("POST", "/holders/{holder_id}/account"): lambda world, role: {"data": _ACCOUNT_FORM},
    ("POST", "/policy/mine/account"): lambda world, role: {"data": _ACCOUNT_FORM},
    # The dishonesty list: admin lists holder A, the city officer holder B (a second listing
    # of one holder would be refused as a duplicate, 409).
    ("POST", "/api/v1/credit-list"): lambda world, role: {
        "json": {
            "holder_id": world.holder_b if role == "city_officer" else world.holder_a,
            "reason": "故意侵权",
            "listed_on": "2020-03-01",
        }
    },
    # The world's listing ran 2010-01-01 to 2011-01-01: a removal dated inside it (listed in
    # error); one after the expiry is refused (it is off the list already).
    ("POST", "/api/v1/credit-list/{listing_id}/removal"): lambda world, role: {
        "json": {"removed_on": "2010-06-01", "reason": "错误列入"}
    },
    ("PUT", "/api/v1/holders/{holder_id}/account"): lambda world, role: {
        "json": {
            "name": "鹤壁甲有限公司",
            "bank": "中国建设银行鹤壁淇滨支行",
            "number": "4105 0162 3808 0000 0123",
        }
    },
    ("POST", "/import/preview"): _upload,
    ("POST", "/import/{token}/mapping"): _mapping,
    ("POST", "/api/v1/imports"): _api_upload,
    ("POST", "/api/v1/policy/cases/{case_id}/{action}"): _empty_json,
    ("POST", "/credit-list"): lambda world, role: {
        "data": {"holder": str(world.holder_a), "reason": "故意侵权", "listed_on": "2020-03-01"}
    },
    ("POST", "/credit-list/{listing_id}/removal"): lambda world, role: {
        "data": {"reason": "错误列入", "removed_on": "2010-06-01"}
    },
    ("POST", "/policy/cases/bulk"): lambda world, role: {
        "data": {"action": "city_review", "case_id": [world.case_a]}
    },
    ("POST", "/api/v1/policy/cases/bulk"): lambda world, role: {
        "json": {"action": "city_review", "case_ids": [world.case_a]}
    },
    ("POST", "/policy/notices/{case_id}/objection"): _objection_form,
    ("POST", "/api/v1/policy/notices/{case_id}/objection"): _objection_json,
    ("PUT", "/api/v1/policy/budgets/{year}/{rule}"): _budget_json,
    ("POST", "/policy/budgets"): _budget_form,
    ("POST", "/policy/budgets/approve"): _year_form,
    ("POST", "/policy/apply"): _application_form,
    ("POST", "/api/v1/policy/applications"): _application_api,
}


def request_for(method: str, template: str, world: World, role: str) -> tuple[str, dict[str, Any]]:
    """The path (parameters filled with the world's real ids) and the request arguments."""
    path = template.format(
        number=world.patent_a,
        holder_id=world.holder_a,
        code=COUNTY_A,
        fmt="xlsx" if "assessment" in template else "csv",
        indicator_id="invention_patents_in_force",
        rule_id="P2.1-a",
        # The import templates take any kind of record; the registers only the other assets.
        kind="trademarks" if "/registers/" in template else "patents",
        token=world.token,
        path="css/ipcity.css",
        case_id=world.case_in_notice if "/notices/" in template else world.case_a,
        action="confirm",
        year=2019,
        rule="P2.1-a",
        file_id=1,
        user_id=world.user_ids["city_officer"],
        # No listing: the roles allowed get 404 after the role check (403, 401) the others meet.
        listing_id=world.listing_id,
    )
    if template.endswith("/policy/explain"):
        path += "?" + urlencode({"id": world.entitlement_a})
    body = REQUEST_BODIES.get((method, template))
    return path, (body(world, role) if body else {})
