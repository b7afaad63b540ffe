"""The dishonesty list (P3.2): its dates at the edges, listing and removal by the city (roles,
audit entries, refusals with their reasons), the public page and API, and its use by the
policy engine (a holder listed after the reference date and still on the list is held back;
one removed since is paid)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from ipcity_testing import DONE, at_once, csrf_of, login
from policy_exports_world import make_holder, make_invention
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ipcity import clock
from ipcity.audit import AuditEntry
from ipcity.auth.roles import SYSTEM, Actor
from ipcity.errors import BadInput, Conflict, NotFound, PermissionDenied
from ipcity.policy import service as policy
from ipcity.protection import service
from ipcity.protection.credit import in_force, listing_on
from ipcity.registry.models import Holder

CITY = Actor(username="city-officer", role="city_officer")


def _holder(session: Session, name: str = "鹤壁失信测试公司", region: str = "410611") -> Holder:
    return make_holder(session, name, region)


def test_a_listing_holds_from_its_listing_day_until_the_day_it_expires_or_is_removed() -> None:
    listed = SimpleNamespace(
        holder_id=1, listed_on=date(2019, 5, 1), expires_on=date(2020, 5, 1), removed_on=None, reason="x"
    )
    assert in_force(listed, date(2019, 5, 1))  # listed on the reference date: held
    assert not in_force(listed, date(2019, 4, 30))
    assert in_force(listed, date(2020, 4, 30)) and not in_force(listed, date(2020, 5, 1))
    removed = SimpleNamespace(
        holder_id=1, listed_on=date(2019, 5, 1), expires_on=None, removed_on=date(2019, 8, 1), reason="x"
    )
    assert in_force(removed, date(2019, 7, 31)) and not in_force(removed, date(2019, 8, 1))
    assert listing_on([listed, removed], 1, date(2019, 9, 1)) is listed
    assert listing_on([listed, removed], 2, date(2019, 9, 1)) is None


def test_the_city_lists_and_removes_with_audit_entries_and_reasons(session: Session) -> None:
    holder = _holder(session)
    session.commit()
    today = clock.today()
    entry = service.add_listing(
        session, CITY, holder.id, " 故意假冒专利 ", date(2019, 6, 1), source="鹤知执〔2019〕3号"
    )
    assert (entry.name, entry.reason, entry.state) == ("鹤壁失信测试公司", "故意假冒专利", "in_force")
    # Refusals, each with its reason; nothing is written.
    cases: list[tuple[Callable[[], Any], type[Exception], str]] = [
        (
            lambda: service.add_listing(session, CITY, holder.id, "  ", date(2019, 6, 1)),
            BadInput,
            "请填写列入原因",
        ),
        (
            lambda: service.add_listing(session, CITY, holder.id, "x", today + timedelta(days=1)),
            BadInput,
            "晚于今天",
        ),
        (
            lambda: service.add_listing(session, CITY, holder.id, "x", date(2019, 6, 1), date(2019, 6, 1)),
            BadInput,
            "应晚于列入日期",
        ),
        (lambda: service.add_listing(session, CITY, 10**9, "x", date(2019, 6, 1)), NotFound, "未找到权利人"),
        (
            lambda: service.add_listing(session, CITY, holder.id, "重复", date(2020, 1, 1)),
            Conflict,
            "不重复列入",
        ),
        (
            lambda: service.remove_listing(session, CITY, entry.id, date(2019, 5, 31), "修复"),
            BadInput,
            "早于列入日期",
        ),
        (
            lambda: service.remove_listing(session, CITY, entry.id, today + timedelta(days=1), "修复"),
            BadInput,
            "晚于今天",
        ),
        (lambda: service.remove_listing(session, CITY, entry.id, today, ""), BadInput, "请填写移出原因"),
    ]
    for call, error, words in cases:
        with pytest.raises(error) as refused:
            call()
        assert words in str(refused.value)
        session.rollback()
    for role in ("county_officer", "enterprise"):
        with pytest.raises(PermissionDenied):
            service.add_listing(session, Actor(username="x", role=role), holder.id, "x", date(2019, 6, 1))
    removed = service.remove_listing(session, CITY, entry.id, today, "信用修复")
    assert removed.state == "removed" and removed.removed_on == today
    with pytest.raises(Conflict):
        service.remove_listing(session, CITY, entry.id, today, "再次")
    session.rollback()
    logged = session.execute(
        select(AuditEntry.actor, AuditEntry.action, AuditEntry.object_id).order_by(AuditEntry.id)
    ).all()
    assert [tuple(x) for x in logged] == [
        ("city-officer", "credit.list", str(entry.id)),
        ("city-officer", "credit.remove", str(entry.id)),
    ]
    # A holder off the list may be listed again.
    again = service.add_listing(session, CITY, holder.id, "再次侵权", today)
    assert again.state == "in_force"
    states = {e.id: e.state for e in service.list_entries(session, SYSTEM, date(2019, 5, 31))}
    assert states == {entry.id: "not_yet", again.id: "not_yet"}


def test_api_and_page_roles_and_messages(
    client: Any, session: Session, make_user: Callable[..., str]
) -> None:
    holder = _holder(session)
    session.commit()
    body = {
        "holder_id": holder.id,
        "reason": "重复侵权",
        "listed_on": "2020-03-01",
        "expires_on": "2023-03-01",
    }
    assert (
        client.post("/api/v1/credit-list", json=body, headers={"X-CSRF-Token": csrf_of(client)}).status_code
        == 401
    )
    login(client, make_user("county_officer", region_code="410611"))
    assert (
        client.post("/api/v1/credit-list", json=body, headers={"X-CSRF-Token": csrf_of(client)}).status_code
        == 403
    )
    client.cookies.clear()
    login(client, make_user("city_officer"))
    headers = {"X-CSRF-Token": csrf_of(client)}
    made = client.post("/api/v1/credit-list", json=body, headers=headers)
    assert made.status_code == 200 and made.json()["state"] == "expired"  # today is after 2023-03-01
    bad = client.post(
        "/api/v1/credit-list?lang=en", json={**body, "listed_on": "2020-02-30"}, headers=headers
    )
    assert bad.status_code == 400 and "listed_on" in bad.json()["error"]
    late = client.post(
        "/api/v1/credit-list?lang=en",
        json={**body, "listed_on": "2020-03-01", "expires_on": "2020-03-01"},
        headers=headers,
    )
    assert late.status_code == 400 and "must be after the listing date 2020-03-01" in late.json()["error"]
    listing_id = made.json()["id"]
    gone = client.post(
        f"/api/v1/credit-list/{listing_id}/removal",
        json={"removed_on": "2021-01-01", "reason": "信用修复"},
        headers=headers,
    )
    assert gone.status_code == 200 and gone.json()["removed_on"] == "2021-01-01"
    assert (
        client.post(
            "/api/v1/credit-list/999999/removal",
            json={"removed_on": "2021-01-01", "reason": "x"},
            headers=headers,
        ).status_code
        == 404
    )
    client.cookies.clear()
    listed = client.get("/api/v1/credit-list?on=2020-06-01").json()  # public
    assert [(x["name"], x["state"]) for x in listed["items"]] == [("鹤壁失信测试公司", "in_force")]
    assert client.get("/api/v1/credit-list?on=2021-01-01").json()["items"][0]["state"] == "removed"
    page = client.get("/credit-list?on=2020-06-01&lang=en")
    assert page.status_code == 200 and "IP dishonesty list" in page.text and "On the list" in page.text
    assert "重复侵权" in client.get("/credit-list").text


def test_a_holder_listed_after_the_grant_and_still_listed_is_held_back_until_removed(
    session: Session,
) -> None:
    """P2.1-a for a 2019 grant: listed after the grant (the reference date) and still on the
    list on the day of the evaluation, the amount is held back with the reason shown; once
    the city removes the listing, it is paid."""
    holder = _holder(session)
    make_invention(session, "CN201710000001.4", holder, date(2019, 5, 7))
    session.commit()
    entry = service.add_listing(session, CITY, holder.id, "重复侵权", date(2019, 6, 1))
    found = {e.id: e for e in policy.entitlements(session, SYSTEM, 2019)}
    grant = found["2019:P2.1-a:CN201710000001.4"]
    assert grant.status == "held_back" and "重复侵权" in grant.explanation_zh
    service.remove_listing(session, CITY, entry.id, clock.today(), "信用修复")
    found = {e.id: e for e in policy.entitlements(session, SYSTEM, 2019)}
    assert found["2019:P2.1-a:CN201710000001.4"].status == "eligible"


def test_a_city_officer_lists_and_removes_through_the_page(
    client: Any, session: Session, make_user: Callable[..., str]
) -> None:
    """The page's forms: a holder named by its credit code is listed; a refusal (no such
    holder, an expiry before the listing, a day that cannot be) comes back above the form
    with what was typed; the listing is taken off from its row. The public sees no form."""
    holder = _holder(session, "鹤壁页面失信公司")
    holder.uscc = "91410611MA44R8XK03"
    session.commit()
    assert 'action="/credit-list"' not in client.get("/credit-list").text
    login(client, make_user("city_officer"))
    page = client.get("/credit-list").text
    assert 'action="/credit-list"' in page and "权利人（编号、统一社会信用代码或名称）" in page
    token = csrf_of(client)
    form = {"reason": "恶意侵权", "listed_on": "2024-03-01", "expires_on": "2027-03-01", "csrf_token": token}
    for holder_text, changes, message, status in [
        ("鹤壁不存在的公司", {}, "未找到权利人：鹤壁不存在的公司", 404),
        (holder.uscc, {"expires_on": "2023-03-01"}, "届满日期 2023-03-01 应晚于列入日期 2024-03-01", 400),
        (holder.uscc, {"listed_on": "2024-02-30"}, "日期「2024-02-30」不存在", 400),
    ]:
        refused = client.post("/credit-list", data={**form, **changes, "holder": holder_text})
        assert refused.status_code == status
        shown = refused.text.split('id="listing-error">')[1].split("</p>")[0]
        assert shown == message and f'value="{holder_text}"' in refused.text
    assert session.scalar(select(AuditEntry.id).where(AuditEntry.action == "credit.list")) is None
    made = client.post("/credit-list", data={**form, "holder": holder.uscc}, follow_redirects=False)
    assert made.status_code == 303
    entry = client.get("/api/v1/credit-list").json()["items"][0]
    assert (entry["name"], entry["reason"], entry["state"]) == ("鹤壁页面失信公司", "恶意侵权", "in_force")
    blank = client.post(f"/credit-list/{entry['id']}/removal", data={"reason": " ", "csrf_token": token})
    assert blank.status_code == 400 and "请填写移出原因" in blank.text.split('id="removal-error">')[1]
    removed = client.post(
        f"/credit-list/{entry['id']}/removal",
        data={"reason": "信用修复", "removed_on": "2024-06-01", "csrf_token": token},
        follow_redirects=False,
    )
    assert removed.status_code == 303
    assert client.get("/api/v1/credit-list").json()["items"][0]["removed_on"] == "2024-06-01"


def test_a_listing_period_may_not_overlap_another_of_the_same_holder(session: Session) -> None:
    """Periods are [listed, end): one ending on the day another begins does not overlap it.
    A backdated listing over an expired one is refused naming it; an old, closed period
    before the holder's present listing is recorded."""
    holder = _holder(session)
    session.commit()
    expired = service.add_listing(
        session, CITY, holder.id, "2020年假冒专利", date(2020, 1, 1), date(2021, 1, 1)
    )
    for listed_on, expires_on in [(date(2019, 6, 1), None), (date(2020, 6, 1), date(2020, 7, 1))]:
        with pytest.raises(Conflict) as refused:
            service.add_listing(session, CITY, holder.id, "补录", listed_on, expires_on)
        assert refused.value.render("zh_CN") == (
            f"鹤壁失信测试公司在 2020-01-01 至 2021-01-01 前已在失信名单中（记录 {expired.id}），"
            "新的列入期间不能与之重叠"
        )
        assert refused.value.render("en").startswith(
            "鹤壁失信测试公司 was on the dishonesty list from 2020-01-01"
        )
        session.rollback()
    present = service.add_listing(session, CITY, holder.id, "再次侵权", date(2021, 1, 1))
    before = service.add_listing(session, CITY, holder.id, "2019年侵权", date(2019, 1, 1), date(2020, 1, 1))
    assert (present.state, before.state) == ("in_force", "expired")
    with pytest.raises(Conflict, match="不重复列入"):
        service.add_listing(session, CITY, holder.id, "补录", date(2018, 1, 1))  # runs into the present one
    session.rollback()
    assert [e.id for e in service.list_entries(session, SYSTEM, holder_id=holder.id)] == [
        present.id,
        expired.id,
        before.id,
    ]


def test_two_officers_listing_one_holder_at_once_make_one_listing(
    session_factory: sessionmaker[Session], concurrent_writers: None
) -> None:
    """Both requests read the list before either writes; the holder's row lock takes them
    one after the other, and the second is refused naming the first's listing."""
    with session_factory() as s:
        holder_id = _holder(s).id
        s.commit()
    officers = [Actor(username=name, role="city_officer") for name in ("city-1", "city-2")]
    results = at_once(
        session_factory,
        [lambda s, o=o: service.add_listing(s, o, holder_id, "假冒专利", date(2024, 3, 1)) for o in officers],
        timeout=30,
    )
    assert results.count(DONE) == 1, results
    assert any("不重复列入" in r for r in results), results
    with session_factory() as s:
        assert len(service.list_entries(s, SYSTEM, holder_id=holder_id)) == 1


def test_a_listing_date_before_1985_is_refused_naming_the_field(
    client: Any, session: Session, make_user: Callable[..., str]
) -> None:
    holder = _holder(session)
    session.commit()
    with pytest.raises(BadInput) as early:
        service.add_listing(session, CITY, holder.id, "重复侵权", date(1, 1, 1))
    assert early.value.render("zh_CN") == "列入日期 0001-01-01 早于 1985-01-01，请核对所填日期"
    session.rollback()
    login(client, make_user("city_officer"))
    body = {"holder_id": holder.id, "reason": "重复侵权", "listed_on": "0001-01-01"}
    refused = client.post("/api/v1/credit-list?lang=en", json=body, headers={"X-CSRF-Token": csrf_of(client)})
    assert refused.status_code == 400
    assert (
        refused.json()["error"] == "The listing date 0001-01-01 is before 1985-01-01; check the date entered"
    )
    # The floor itself is a date a listing may bear.
    made = client.post(
        "/api/v1/credit-list",
        json={**body, "listed_on": "1985-01-01"},
        headers={"X-CSRF-Token": csrf_of(client)},
    )
    assert made.status_code == 200


def test_an_expiry_more_than_ten_years_off_is_refused_and_a_blank_means_none(
    client: Any, session: Session, make_user: Callable[..., str]
) -> None:
    """9999-12-31 typed for "forever" (a blank field says that): refused naming the field;
    ten years to the day is the longest period a listing may have."""
    holder = _holder(session)
    session.commit()
    listed = date(2024, 2, 29)
    with pytest.raises(BadInput) as far:
        service.add_listing(session, CITY, holder.id, "重复侵权", listed, date(9999, 12, 31))
    assert far.value.render("zh_CN") == (
        "届满日期 9999-12-31 距列入日期超过 10 年，请核对所填日期；没有届满日期的列入请留空此项"
    )
    session.rollback()
    login(client, make_user("city_officer"))
    body = {
        "holder_id": holder.id,
        "reason": "重复侵权",
        "listed_on": "2024-02-29",
        "expires_on": "2034-03-02",
    }
    refused = client.post("/api/v1/credit-list?lang=en", json=body, headers={"X-CSRF-Token": csrf_of(client)})
    assert refused.status_code == 400 and "more than 10 years" in refused.json()["error"]
    made = client.post(
        "/api/v1/credit-list",
        json={**body, "expires_on": "2034-03-01"},
        headers={"X-CSRF-Token": csrf_of(client)},
    )
    assert made.status_code == 200 and made.json()["expires_on"] == "2034-03-01"


def test_a_date_typed_wrong_comes_back_above_the_form_with_what_was_typed(
    client: Any, session: Session, make_user: Callable[..., str]
) -> None:
    """Not a form the date field sends ("abc", "20210101"): the listing page again, the
    reason above the form in the reader's words (no pattern), the reason typed kept."""
    holder = _holder(session)
    session.commit()
    login(client, make_user("city_officer"))
    for typed in ("abc", "20210101", "2021-01-01T08:00:00"):
        page = client.post(
            "/credit-list",
            data={
                "holder": str(holder.id),
                "reason": "恶意侵权多次",
                "listed_on": typed,
                "csrf_token": csrf_of(client),
            },
        )
        assert page.status_code == 400, typed
        assert f"日期「{typed}」应写作形如 2025-03-01 的日期" in page.text and "^(" not in page.text
        assert "恶意侵权多次" in page.text and 'action="/credit-list"' in page.text
    assert service.list_entries(session, CITY, date(2026, 1, 1), holder.id) == []


def test_an_expired_listing_is_not_removed_after_its_expiry_and_its_row_has_no_form(
    client: Any, session: Session, make_user: Callable[..., str]
) -> None:
    """An expired listing is off the list: a removal dated on or after its expiry would turn
    it "removed" with a date it never had, and is refused with why (API and service), the
    row unchanged and nothing audited; one dated before the expiry (listed in error) is
    taken. The page offers no removal form on an expired row."""
    holder = _holder(session)
    session.commit()
    entry = service.add_listing(session, CITY, holder.id, "恶意侵权", date(2025, 1, 1), date(2025, 6, 1))
    with pytest.raises(BadInput) as late:
        service.remove_listing(session, CITY, entry.id, date(2025, 6, 1), "届满后移出")
    assert late.value.render("zh_CN") == (
        "该记录已于 2025-06-01 届满，届满后不在名单中，无需移出；如属错误列入，移出日期应早于 2025-06-01"
    )
    session.rollback()
    login(client, make_user("city_officer"))
    page = client.get("/credit-list").text
    row = page.split("鹤壁失信测试公司")[1].split("</tr>")[0]
    assert "已届满" in row and "/removal" not in row
    refused = client.post(
        f"/api/v1/credit-list/{entry.id}/removal?lang=en",
        json={"removed_on": "2026-01-01", "reason": "after expiry"},
        headers={"X-CSRF-Token": csrf_of(client)},
    )
    assert refused.status_code == 400 and "expired on 2025-06-01" in refused.json()["error"]
    assert client.get("/api/v1/credit-list").json()["items"][0]["state"] == "expired"
    assert session.scalar(select(AuditEntry.id).where(AuditEntry.action == "credit.remove")) is None
    corrected = service.remove_listing(session, CITY, entry.id, date(2025, 3, 1), "错误列入")
    assert (corrected.removed_on, corrected.state) == (date(2025, 3, 1), "removed")


def test_a_refused_removal_keeps_the_date_typed(
    client: Any, session: Session, make_user: Callable[..., str]
) -> None:
    """A removal date before the listing comes back above the row's form with that date in
    the field, not today's."""
    holder = _holder(session)
    session.commit()
    entry = service.add_listing(session, CITY, holder.id, "恶意侵权", date(2024, 2, 1))
    login(client, make_user("city_officer"))
    refused = client.post(
        f"/credit-list/{entry.id}/removal",
        data={"reason": "信用修复", "removed_on": "2019-01-01", "csrf_token": csrf_of(client)},
    )
    assert refused.status_code == 400
    form = refused.text.split('id="removal-error">')[1].split("</form>")[0]
    assert form.startswith("移出日期 2019-01-01 早于列入日期 2024-02-01")
    assert 'name="removed_on" max="' in form and 'value="2019-01-01"' in form
