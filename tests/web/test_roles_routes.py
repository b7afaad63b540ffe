"""Who may do what: every route of the app, every method, every role, against an explicit
access table. A route added without an entry in ``ACCESS`` fails the test.

Roles: admin, city officer, county officer of 410611, enterprise user bound to holder A
(in 410611), the anonymous public. Holder B lies in 410621.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import select
from web_support import COUNTY_A, COUNTY_B, ROLES, World, client_as, csrf_of, request_for, route_methods

from ipcity.audit import AuditEntry
from ipcity.auth.roles import Actor
from ipcity.errors import PermissionDenied
from ipcity.registry import service
from ipcity.registry.models import Holder
from ipcity.web.security import UNSAFE_METHODS

ADMIN, CITY, COUNTY, ENTERPRISE, PUBLIC = ROLES


def everyone(status: int = 200) -> dict[str, int]:
    """Every role gets ``status``."""
    return dict.fromkeys(ROLES, status)


def only(*allowed: str, ok: int = 200, public: int = 401) -> dict[str, int]:
    """``allowed`` roles get ``ok``; other users 403; the public ``public`` (401, or 303 to
    the login page for a page it opens with GET)."""
    return {role: ok if role in allowed else (public if role == PUBLIC else 403) for role in ROLES}


OFFICERS = (ADMIN, CITY, COUNTY)
CITY_WIDE = (ADMIN, CITY)

# (method, path template) -> expected status by role (requests as web_support.request_for builds them).
# Order matters once: the confirm of the staged import comes before its progress page.
ACCESS: dict[tuple[str, str], dict[str, int]] = {
    ("GET", "/"): everyone(),
    ("GET", "/about"): everyone(),
    ("GET", "/docs"): everyone(),
    ("GET", "/openapi.json"): everyone(),
    ("HEAD", "/openapi.json"): everyone(),
    ("GET", "/static/{path}"): everyone(),
    ("GET", "/favicon.ico"): everyone(),
    ("GET", "/login"): everyone(),
    ("POST", "/login"): {**everyone(303), PUBLIC: 401},
    ("POST", "/logout"): everyone(303),
    ("GET", "/api/v1/me"): everyone(),
    # Users and audit.
    ("GET", "/users"): only(ADMIN, public=303),
    ("POST", "/users"): only(ADMIN, ok=303),
    # One user (the city officer's account: web_support keeps its role and password).
    ("GET", "/users/{user_id}"): only(ADMIN, public=303),
    ("POST", "/users/{user_id}"): only(ADMIN, ok=303),
    ("POST", "/users/{user_id}/active"): only(ADMIN, ok=303),
    ("POST", "/users/{user_id}/password"): only(ADMIN, ok=303),
    ("GET", "/audit"): only(*CITY_WIDE, public=303),
    ("GET", "/api/v1/audit/verify"): only(*CITY_WIDE),
    # The same through the JSON API (web_support.REQUEST_BODIES gives the bodies).
    ("GET", "/api/v1/users"): only(ADMIN),
    ("POST", "/api/v1/users"): only(ADMIN, ok=201),
    ("GET", "/api/v1/users/{user_id}"): only(ADMIN),
    ("PATCH", "/api/v1/users/{user_id}"): only(ADMIN),
    ("POST", "/api/v1/users/{user_id}/active"): only(ADMIN),
    ("POST", "/api/v1/users/{user_id}/password"): only(ADMIN),
    ("GET", "/api/v1/audit"): only(*CITY_WIDE),
    # The open registry (P2.8): pages and API for everyone.
    ("GET", "/patents"): everyone(),
    ("GET", "/patents/{number}"): everyone(),
    ("GET", "/patents/export.{fmt}"): everyone(),
    ("GET", "/holders"): everyone(),
    ("GET", "/holders/{holder_id}"): everyone(),
    ("GET", "/regions/{code}"): everyone(),
    ("GET", "/api/v1/patents"): everyone(),
    ("GET", "/api/v1/patents/{number}"): everyone(),
    ("GET", "/api/v1/holders"): everyone(),
    ("GET", "/api/v1/holders/{holder_id}"): everyone(),
    ("GET", "/api/v1/regions/{code}"): everyone(),
    ("GET", "/api/v1/stats"): everyone(),
    ("GET", "/api/v1/places/counties"): everyone(),
    ("GET", "/api/v1/places/zones"): everyone(),
    ("GET", "/import/templates/{kind}.xlsx"): everyone(),
    ("GET", "/registers/{kind}"): everyone(),
    ("GET", "/registers/{kind}/export.{fmt}"): everyone(),
    ("GET", "/api/v1/registers/{kind}"): everyone(),
    # Indicators (P1): open figures; the county assessment (P4.2) for officers only.
    ("GET", "/indicators"): everyone(),
    ("GET", "/indicators/counties"): everyone(),
    ("GET", "/indicators/{indicator_id}"): everyone(),
    ("GET", "/indicators/{indicator_id}/records.{fmt}"): everyone(),
    ("GET", "/indicators/assessment"): only(*OFFICERS, public=303),
    ("GET", "/indicators/assessment.{fmt}"): only(*OFFICERS, public=303),
    ("GET", "/api/v1/indicators"): everyone(),
    ("GET", "/api/v1/indicators/catalogue"): everyone(),
    ("GET", "/api/v1/indicators/targets"): everyone(),
    ("GET", "/api/v1/indicators/{indicator_id}"): everyone(),
    ("GET", "/api/v1/indicators/{indicator_id}/records"): everyone(),
    ("GET", "/api/v1/indicators/assessment"): only(*OFFICERS),
    # The policy's money (P2.1–P2.7): rules for everyone, entitlements for users in scope.
    ("GET", "/policy"): everyone(),
    ("GET", "/policy/rules/{rule_id}"): everyone(),
    ("GET", "/api/v1/policy/rules"): everyone(),
    ("GET", "/api/v1/policy/rules/{rule_id}"): everyone(),
    ("GET", "/policy/entitlements"): only(*OFFICERS, ENTERPRISE, public=303),
    ("GET", "/api/v1/policy/entitlements"): only(*OFFICERS, ENTERPRISE),
    # Explained: an entitlement of holder A (web_support.request_for passes its id).
    ("GET", "/policy/explain"): only(*OFFICERS, ENTERPRISE, public=303),
    ("GET", "/api/v1/policy/explain"): only(*OFFICERS, ENTERPRISE),
    # From entitlement to payment: cases for users in scope (case = holder A's, proposed);
    # proposing for the city; the confirm by holder A's enterprise or the admin. The walk
    # changes the case, so order matters: the admin confirms through the page (303), after
    # which every confirm that may act finds it done (409); the others get 403 / 401 first.
    ("GET", "/policy/cases"): only(*OFFICERS, ENTERPRISE, public=303),
    ("GET", "/api/v1/policy/cases"): only(*OFFICERS, ENTERPRISE),
    ("POST", "/policy/cases/propose"): only(*CITY_WIDE, ok=303),
    ("POST", "/api/v1/policy/cases/propose"): only(*CITY_WIDE),
    ("GET", "/policy/cases/{case_id}"): only(*OFFICERS, ENTERPRISE, public=303),
    ("GET", "/api/v1/policy/cases/{case_id}"): only(*OFFICERS, ENTERPRISE),
    ("POST", "/policy/cases/{case_id}/{action}"): {**only(ADMIN, ENTERPRISE, ok=409), ADMIN: 303},
    ("POST", "/api/v1/policy/cases/{case_id}/{action}"): only(ADMIN, ENTERPRISE, ok=409),
    ("GET", "/policy/mine"): only(ENTERPRISE, public=303),
    # Budgets and the approval queue (P2.1-f): officers read, the city sets and approves.
    ("GET", "/policy/budgets"): only(*OFFICERS, public=303),
    ("GET", "/api/v1/policy/budgets"): only(*OFFICERS),
    ("PUT", "/api/v1/policy/budgets/{year}/{rule}"): only(*CITY_WIDE),
    ("POST", "/policy/budgets"): only(*CITY_WIDE, ok=303),
    ("POST", "/policy/budgets/approve"): only(*CITY_WIDE, ok=303),
    ("POST", "/api/v1/policy/cases/approve-queue"): only(*CITY_WIDE),
    # One step on many cases (the city's review here): refused for the case's status, it
    # changes nothing, and the answer is the list again (200) for those who may take it.
    ("POST", "/policy/cases/bulk"): only(*CITY_WIDE),
    ("POST", "/api/v1/policy/cases/bulk"): only(*CITY_WIDE),
    # Applications with evidence: enterprises only (for their own holder); the documents of
    # a case for whoever reads the case (this world's case has none: 404).
    ("GET", "/api/v1/policy/application-kinds"): everyone(),
    ("GET", "/policy/apply"): only(ENTERPRISE, public=303),
    ("POST", "/policy/apply"): only(ENTERPRISE, ok=303),
    ("POST", "/api/v1/policy/applications"): only(ENTERPRISE),
    ("GET", "/policy/cases/{case_id}/files/{file_id}"): {**everyone(404), PUBLIC: 303},
    # The public notice (公示) is public; anyone may object to a case in notice, with a
    # reason, and a case objected to takes further objections while its notice runs.
    ("GET", "/policy/notices"): everyone(),
    ("GET", "/api/v1/policy/notices"): everyone(),
    ("POST", "/policy/notices/{case_id}/objection"): everyone(303),
    ("POST", "/api/v1/policy/notices/{case_id}/objection"): everyone(),
    ("GET", "/policy/notices.xlsx"): everyone(),
    # Exports (policy/export_routes.py): the payment list for officers (a county officer's
    # file holds its county only); holder A's statement for officers in scope and A's enterprise.
    ("GET", "/policy/payments"): only(*OFFICERS, public=303),
    ("GET", "/policy/payments.xlsx"): only(*OFFICERS, public=303),
    ("GET", "/api/v1/policy/payments"): only(*OFFICERS),
    ("GET", "/policy/statement/{holder_id}"): only(*OFFICERS, ENTERPRISE, public=303),
    ("GET", "/policy/statement/{holder_id}.docx"): only(*OFFICERS, ENTERPRISE, public=303),
    ("GET", "/api/v1/policy/statement/{holder_id}"): only(*OFFICERS, ENTERPRISE),
    # Corrections of a holder (A, in the county officer's county).
    ("PATCH", "/api/v1/holders/{holder_id}"): only(*OFFICERS),
    ("POST", "/holders/{holder_id}"): only(*OFFICERS, ok=303),
    # Holder A's receiving account: officers in scope and A's own enterprise; never the public.
    ("POST", "/holders/{holder_id}/account"): only(*OFFICERS, ENTERPRISE, ok=303),
    ("PUT", "/api/v1/holders/{holder_id}/account"): only(*OFFICERS, ENTERPRISE),
    ("POST", "/policy/mine/account"): only(ENTERPRISE, ok=303),
    # Imports: the page for every officer; patents only for the city.
    ("GET", "/import"): only(*OFFICERS, public=303),
    ("POST", "/import/preview"): only(*CITY_WIDE),
    ("POST", "/import/{token}/mapping"): only(*CITY_WIDE),
    # The same pages read again by GET (the language link of a POST's answer): the mapping
    # form for every officer, the preview of the staged patents for the city.
    ("GET", "/import/{token}/mapping"): only(*OFFICERS, public=303),
    ("GET", "/import/{token}/preview"): only(*CITY_WIDE, public=303),
    ("POST", "/import/{token}/confirm"): only(*CITY_WIDE),
    ("GET", "/import/{token}/progress"): only(*OFFICERS, public=303),
    ("GET", "/import/{token}/rejected.csv"): only(*OFFICERS, public=303),
    ("POST", "/api/v1/imports"): only(*CITY_WIDE),
    # The dishonesty list (P3.2): public to read; listing and removal are the city's.
    ("GET", "/credit-list"): everyone(),
    ("GET", "/api/v1/credit-list"): everyone(),
    ("POST", "/api/v1/credit-list"): only(*CITY_WIDE),
    # Holder B's old listing (2010–2011): the admin takes it off, after which the city
    # officer's removal, and the page's, find it removed (409).
    ("POST", "/api/v1/credit-list/{listing_id}/removal"): {**only(*CITY_WIDE, ok=409), ADMIN: 200},
    # The page's forms: holder A again (listed above: 409, the page with the reason), the
    # listing removed above (409).
    ("POST", "/credit-list"): only(*CITY_WIDE, ok=409),
    ("POST", "/credit-list/{listing_id}/removal"): only(*CITY_WIDE, ok=409),
}


def test_every_route_is_in_the_access_table(app: Any) -> None:
    routes = route_methods(app)
    missing = sorted(routes - set(ACCESS), key=lambda r: (r[1], r[0]))
    stale = sorted(set(ACCESS) - routes, key=lambda r: (r[1], r[0]))
    assert not missing, f"every route must be in the access table: {missing}"
    assert not stale, f"the access table names routes the app does not have: {stale}"


def test_every_route_and_role_against_the_table(app: Any, world: World) -> None:
    """Each (route, method, role) answers exactly the status of the table; never a 5xx."""
    wrong: list[str] = []
    for (method, template), expected in ACCESS.items():
        for role in ROLES:
            client = client_as(app, world, role)
            path, kwargs = request_for(method, template, world, role)
            headers = {"X-CSRF-Token": csrf_of(client)} if method in UNSAFE_METHODS else {}
            response = client.request(method, path, headers=headers, follow_redirects=False, **kwargs)
            if response.status_code != expected[role] or response.status_code >= 500:
                wrong.append(
                    f"{method} {template} as {role}: {response.status_code}, expected {expected[role]}"
                    f" — {response.text[:160]!r}"
                )
    _wait_for_imports(app)
    assert not wrong, "\n".join(wrong)


def _wait_for_imports(app: Any, seconds: float = 30) -> None:
    # The confirmed import runs in a worker thread; let it finish before the database goes.
    jobs = getattr(app.state, "import_jobs", None)
    deadline = time.monotonic() + seconds
    while jobs is not None and time.monotonic() < deadline:
        if all(job.get("finished") for job in jobs.state.values()):
            return
        time.sleep(0.05)


def test_public_reads_the_open_registry_but_nothing_else(app: Any, world: World) -> None:
    client = client_as(app, world, PUBLIC)
    for path in ("/patents", f"/patents/{world.patent_a}", f"/holders/{world.holder_a}", "/api/v1/patents"):
        assert client.get(path).status_code == 200, path
    for path in ("/import", "/users", "/audit"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")
    token = {"X-CSRF-Token": csrf_of(client)}
    patch = client.patch(f"/api/v1/holders/{world.holder_a}", json={"address": "x"}, headers=token)
    assert patch.status_code == 401 and patch.json()["ok"] is False
    _, upload_request = request_for("POST", "/api/v1/imports", world, PUBLIC)
    upload = client.post("/api/v1/imports", headers=token, **upload_request)
    assert upload.status_code == 401 and upload.json()["code"] == "not_authenticated"


def _holder(session_factory: Any, holder_id: int) -> Holder:
    with session_factory() as session:
        holder = session.get(Holder, holder_id)
        assert holder is not None
        return holder


def _audit_actions(session_factory: Any) -> list[tuple[str, str]]:
    with session_factory() as session:
        return [(e.actor, e.action) for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_county_officer_changes_only_its_own_county(app: Any, world: World, session_factory: Any) -> None:
    client = client_as(app, world, COUNTY)
    token = {"X-CSRF-Token": csrf_of(client)}
    before_b = _holder(session_factory, world.holder_b).address
    audit_before = _audit_actions(session_factory)

    own = client.patch(f"/api/v1/holders/{world.holder_a}", json={"address": "淇滨区新址1号"}, headers=token)
    assert own.status_code == 200 and own.json()["address"] == "淇滨区新址1号"

    other = client.patch(f"/api/v1/holders/{world.holder_b}", json={"address": "越权"}, headers=token)
    assert other.status_code == 403
    assert other.json() == {
        "ok": False,
        "error": f"县区账号只能查看和修改本县区（{COUNTY_A}）的记录，该记录属于 {COUNTY_B}",
        "code": "permission_denied",
        "status": 403,
    }
    form = client.post(
        f"/holders/{world.holder_b}", data={"address": "越权", **token}, follow_redirects=False
    )
    assert form.status_code == 403
    # Nor may it move its own holder out of its county.
    moved = client.patch(f"/api/v1/holders/{world.holder_a}", json={"region_code": COUNTY_B}, headers=token)
    assert moved.status_code == 403

    assert _holder(session_factory, world.holder_b).address == before_b
    assert _holder(session_factory, world.holder_a).region_code == COUNTY_A
    # One audit entry: the allowed change, by the county officer.
    assert _audit_actions(session_factory) == [*audit_before, (world.users[COUNTY], "holder.update")]


def test_service_refuses_the_county_officer_too(world: World, session_factory: Any) -> None:
    """The region check lives in the service, not only in the page."""
    county = Actor(
        username=world.users[COUNTY], role=COUNTY, user_id=world.user_ids[COUNTY], region_code=COUNTY_A
    )
    with session_factory() as session, pytest.raises(PermissionDenied) as refused:
        service.update_holder(session, county, world.holder_b, {"address": "越权"})
    assert refused.value.status == 403
    with session_factory() as session:
        detail = service.update_holder(session, county, world.holder_a, {"address": "淇滨区服务层路2号"})
    assert detail.address == "淇滨区服务层路2号"
    enterprise = Actor(username=world.users[ENTERPRISE], role=ENTERPRISE, holder_id=world.holder_a)
    with session_factory() as session, pytest.raises(PermissionDenied):
        service.update_holder(session, enterprise, world.holder_a, {"address": "企业不能改"})
    assert _holder(session_factory, world.holder_b).address != "越权"


def test_a_record_of_no_county_is_named_in_the_readers_language(world: World, session_factory: Any) -> None:
    """A county officer reaching a holder that has no county is told so in words of the
    page's language: the English sentence carries no Chinese."""
    with session_factory() as session:
        holder = session.get(Holder, world.holder_b)
        assert holder is not None
        holder.region_code = None
        session.commit()
    county = Actor(username=world.users[COUNTY], role=COUNTY, region_code=COUNTY_A)
    with session_factory() as session, pytest.raises(PermissionDenied) as refused:
        service.update_holder(session, county, world.holder_b, {"tags": ["sme"]})
    assert refused.value.render("en").endswith("this record belongs to no county")
    assert refused.value.render("zh_CN").endswith("该记录属于 未归属地区")


@pytest.mark.parametrize(
    ("role", "sees_a", "sees_b"),
    [
        (ADMIN, True, True),
        (CITY, True, True),
        (COUNTY, True, False),
        (ENTERPRISE, True, False),
        (PUBLIC, False, False),
    ],
)
def test_non_public_fields(app: Any, world: World, role: str, sees_a: bool, sees_b: bool) -> None:
    """Tags of a holder and the annuities paid on a patent: officers in scope and the
    enterprise bound to the holder see them; nobody else does."""
    client = client_as(app, world, role)
    holder_a = client.get(f"/api/v1/holders/{world.holder_a}").json()
    holder_b = client.get(f"/api/v1/holders/{world.holder_b}").json()
    patent_a = client.get(f"/api/v1/patents/{world.patent_a}").json()
    patent_b = client.get(f"/api/v1/patents/{world.patent_b}").json()
    assert (holder_a["tags"], holder_a["private_visible"]) == (
        (["sme", "high_tech"], True) if sees_a else ([], False)
    )
    assert (holder_b["tags"], holder_b["private_visible"]) == (
        (["incubated"], True) if sees_b else ([], False)
    )
    assert patent_a["annuities_paid_yuan"] == (1200 if sees_a else None)
    assert patent_b["annuities_paid_yuan"] == (900 if sees_b else None)
    # The page shows the same as the API.
    page_b = client.get(f"/holders/{world.holder_b}").text
    assert ("incubated" in page_b) is sees_b
    # What the policy owes a holder is non-public too.
    if role != PUBLIC:
        owed_a = client.get("/api/v1/policy/explain", params={"id": world.entitlement_a})
        owed_b = client.get("/api/v1/policy/explain", params={"id": world.entitlement_b})
        assert owed_a.status_code == 200 and owed_a.json()["holder_id"] == world.holder_a
        assert owed_b.status_code == (200 if sees_b else 404)
