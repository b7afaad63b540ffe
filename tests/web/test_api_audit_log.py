"""The audit log as JSON (``/api/v1/audit``): the entries the /audit page shows, latest
first, with the same filters (user, action) and paging, each with its time in Beijing time
(+08:00), actor, action with its label in Chinese and English, object, detail and hash."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from ipcity_testing import login
from sqlalchemy import select

from ipcity import audit, clock
from ipcity.audit import AuditEntry


def _record(session_factory: Any, *entries: tuple[str, str, str, str | None, dict[str, Any]]) -> None:
    with session_factory() as session:
        for actor, action, object_type, object_id, detail in entries:
            audit.record(session, actor, action, object_type, object_id, detail)
        session.commit()


def _db_entries(session_factory: Any) -> list[AuditEntry]:
    with session_factory() as session:
        found = list(session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())))
        for entry in found:
            session.expunge(entry)
        return found


def _officer(client: Any, make_user: Any) -> Any:
    make_user("city_officer", "audit-reader")
    assert login(client, "audit-reader").status_code == 303
    return client


def test_entries_latest_first_with_labels_times_and_hashes(
    client: Any, make_user: Any, session_factory: Any
) -> None:
    _record(
        session_factory,
        ("zhang.wei", "holder.update", "holder", "17", {"address": ["旧址", "淇滨区新址1号"]}),
        ("zhang.wei", "custom.thing", "file", None, {}),
    )
    officer = _officer(client, make_user)
    response = officer.get("/api/v1/audit")
    assert response.status_code == 200
    data = response.json()
    stored = _db_entries(session_factory)
    assert data["total"] == len(stored) and data["page"] == 1 and data["per_page"] == 50
    assert [e["id"] for e in data["items"]] == [e.id for e in stored]
    by_id = {e["id"]: e for e in data["items"]}
    for entry in stored:
        item = by_id[entry.id]
        assert (item["actor"], item["action"], item["hash"]) == (entry.actor, entry.action, entry.hash)
        assert (item["object_type"], item["object_id"]) == (entry.object_type, entry.object_id)
        # Beijing time with its offset, the instant stored (to the second).
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", item["at"]), item["at"]
        shown = datetime.fromisoformat(item["at"])
        local = clock.local_time(entry.at)
        assert local is not None and timedelta(0) <= local - shown < timedelta(seconds=1)
    update = next(e for e in data["items"] if e["action"] == "holder.update")
    assert update["detail"] == {"address": ["旧址", "淇滨区新址1号"]}
    assert (update["action_label"], update["action_label_en"]) == ("修改权利人信息", "Edit holder")
    # An action without a label keeps its code only.
    unknown = next(e for e in data["items"] if e["action"] == "custom.thing")
    assert unknown["action_label"] is None and unknown["action_label_en"] is None
    assert unknown["object_id"] is None and unknown["detail"] == {}
    # The login of the officer itself is there, labelled.
    login_entry = next(e for e in data["items"] if e["action"] == "user.login")
    assert (login_entry["actor"], login_entry["action_label"], login_entry["action_label_en"]) == (
        "audit-reader",
        "登录",
        "Log in",
    )
    # The chain check stays where it was.
    assert officer.get("/api/v1/audit/verify").json()["ok"] is True


def test_filters_and_paging_as_the_page(client: Any, make_user: Any, session_factory: Any) -> None:
    _record(
        session_factory,
        *[("li.ming", "holder.update", "holder", str(i), {"n": i}) for i in range(7)],
        *[("wang.fang", "policy.budget.set", "policy_budget", str(i), {"n": i}) for i in range(3)],
    )
    officer = _officer(client, make_user)

    by_user = officer.get("/api/v1/audit", params={"user": "li.ming", "per_page": 3}).json()
    assert (by_user["total"], by_user["pages"], by_user["user"], by_user["action"]) == (7, 3, "li.ming", None)
    assert [e["detail"]["n"] for e in by_user["items"]] == [6, 5, 4]
    third = officer.get("/api/v1/audit", params={"user": "li.ming", "per_page": 3, "page": 3}).json()
    assert third["page"] == 3 and [e["detail"]["n"] for e in third["items"]] == [0]
    # Past the last page: the last, as the page shows it.
    past = officer.get("/api/v1/audit", params={"user": "li.ming", "per_page": 3, "page": 40}).json()
    assert past["page"] == 3 and past["items"] == third["items"]

    by_action = officer.get("/api/v1/audit", params={"action": "policy.budget.set"}).json()
    assert by_action["total"] == 3 and {e["actor"] for e in by_action["items"]} == {"wang.fang"}
    both = officer.get("/api/v1/audit", params={"user": "li.ming", "action": "policy.budget.set"}).json()
    assert both["total"] == 0 and both["items"] == [] and both["page"] == 1 and both["pages"] == 1

    # The page counts the same entries for the same filters.
    page = officer.get("/audit", params={"user": "li.ming"}).text
    assert "共 7 条" in page

    # Bad paging is one sentence.
    for params in ({"per_page": 0}, {"per_page": 201}, {"page": 0}, {"user": "x" * 151}):
        bad = officer.get("/api/v1/audit", params=params)
        assert bad.status_code == 400 and bad.json()["code"] == "bad_input", params


def test_only_the_admin_and_city_officers_read_it(client: Any, make_user: Any, session_factory: Any) -> None:
    _record(session_factory, ("system", "demo.load", "database", None, {}))
    public = TestClient(client.app).get("/api/v1/audit")
    assert public.status_code == 401 and public.json()["error"] == "请先登录"
    make_user("county_officer", "audit-county", region_code="410611")
    county = TestClient(client.app)
    assert login(county, "audit-county").status_code == 303
    refused = county.get("/api/v1/audit")
    assert refused.status_code == 403
    assert refused.json() == {
        "ok": False,
        "error": "当前账号（县区知识产权管理人员）无权执行此操作",
        "code": "permission_denied",
        "status": 403,
    }
    make_user("admin", "audit-admin")
    admin = TestClient(client.app)
    assert login(admin, "audit-admin").status_code == 303
    assert admin.get("/api/v1/audit", params={"action": "demo.load"}).json()["total"] == 1
