"""The receiving account (收款账户) of a holder in the registry: the rules of
``registry/payee.py`` on real-looking numbers, who may set and see it (service, pages and
API, every role), the audit entry with the number masked, and the holders template's three
columns (户名, 开户银行, 银行账号) with a bad row rejected by row, column and reason."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from ipcity_testing import csrf_of, login
from openpyxl import load_workbook
from registry_testkit import OFFICER, fill_template
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ipcity.audit import AuditEntry
from ipcity.auth.roles import PUBLIC, Actor
from ipcity.errors import InvalidNumber, NotAuthenticated, PermissionDenied, ValidationFailed
from ipcity.registry import payee, service
from ipcity.registry.importers import write_template_xlsx
from ipcity.registry.importing import render_row_error, run_import
from ipcity.registry.models import Holder

NOW = datetime(2024, 1, 1, tzinfo=UTC)
QIBIN, XUNXIAN = "410611", "410621"
# A debit card of 19 digits as printed (groups of four), and a corporate settlement account
# of 20 digits as bank letters write it, with hyphens.
CARD = "6222 0212 3456 7890 123"
CORPORATE = "4105-0162-3808-0000-0123"
CITY = Actor(username="city-1", role="city_officer")
ADMIN = Actor(username="admin-1", role="admin")


def _holder(session: Session, name: str, region: str) -> int:
    row = Holder(
        name=name, normalized_name=name, kind="enterprise", region_code=region, created_at=NOW, updated_at=NOW
    )
    session.add(row)
    session.commit()
    return row.id


@pytest.fixture
def holders(session_factory: sessionmaker[Session]) -> dict[str, int]:
    """Holder A in 淇滨区, holder B in 浚县."""
    with session_factory() as s:
        return {"a": _holder(s, "鹤壁甲科技有限公司", QIBIN), "b": _holder(s, "浚县乙农业有限公司", XUNXIAN)}


# --------------------------------------------------------------------------- the rules (pure)


def test_real_looking_numbers_are_cleaned_to_digits() -> None:
    assert payee.clean_number(CARD) == "6222021234567890123"
    assert payee.clean_number(CORPORATE) == "41050162380800000123"
    # Typed with a Chinese input method: full-width digits and spaces, as application
    # numbers and amounts are accepted elsewhere.
    assert payee.clean_number("６２２２　０２１２　３４５６　７８９０") == "6222021234567890"
    account = payee.check_account(" 鹤壁甲科技有限公司 ", "中国建设银行鹤壁淇滨支行", CORPORATE)
    assert account == payee.PayeeAccount(
        "鹤壁甲科技有限公司", "中国建设银行鹤壁淇滨支行", "41050162380800000123"
    )
    assert account.masked() == "****************0123"
    assert payee.group_digits(account.number) == "4105 0162 3808 0000 0123"
    assert payee.check_account("", "  ", "") is None


@pytest.mark.parametrize(
    "number",
    [
        "1234567",  # 7 digits: too short for any account
        "6222 0212 3456 7890 1234 5678 9012 3456 7",  # 33 digits
        "6222O21234567890123",  # the letter O typed for a zero
        "6222.0212.3456.7890",  # dots are not separators
        "6222²0212345678901",  # a superscript two is no digit of an account
    ],
)
def test_bad_numbers_are_refused_in_one_sentence(number: str) -> None:
    with pytest.raises(InvalidNumber) as caught:
        payee.check_account("鹤壁甲科技有限公司", "中国工商银行鹤壁分行", number)
    assert caught.value.render("zh_CN").count("。") == 0 and "8 至 32 位数字" in caught.value.render("zh_CN")
    assert "8 to 32 digits" in caught.value.render("en")


@pytest.mark.parametrize(
    ("name", "bank", "number"),
    [
        ("鹤壁甲科技有限公司", "", CARD),
        ("", "中国银行鹤壁分行", CARD),
        ("鹤壁甲科技有限公司", "中国银行鹤壁分行", ""),
    ],
)
def test_the_three_fields_go_together(name: str, bank: str, number: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        payee.check_account(name, bank, number)
    assert (
        caught.value.render("en")
        == "A receiving account needs its account name, bank and account number together"
    )


def test_another_name_is_accepted_but_flagged() -> None:
    assert not payee.name_differs("鹤壁甲科技有限公司", "鹤壁甲科技有限公司")
    assert not payee.name_differs("Hebi Jia Tech Co., Ltd.", "HEBI JIA TECH CO LTD")
    assert payee.name_differs("张三", "鹤壁甲科技有限公司")
    assert payee.name_differs("鹤壁甲控股集团有限公司", "鹤壁甲科技有限公司")


# --------------------------------------------------------------------------- who may set and see


def _account(session: Session, holder_id: int) -> tuple[str | None, str | None, str | None]:
    holder = session.get(Holder, holder_id, populate_existing=True)
    assert holder is not None
    return holder.payee_name, holder.payee_bank, holder.payee_account


def test_who_may_set_an_account(session_factory: sessionmaker[Session], holders: dict[str, int]) -> None:
    a, b = holders["a"], holders["b"]
    allowed = [
        ADMIN,
        CITY,
        Actor(username="county-a", role="county_officer", region_code=QIBIN),
        Actor(username="ent-a", role="enterprise", holder_id=a),
    ]
    for n, actor in enumerate(allowed):
        number = f"62220212345678{n:05d}"
        with session_factory() as s:
            service.set_payee_account(s, actor, a, "鹤壁甲科技有限公司", "中国工商银行鹤壁淇滨支行", number)
            assert _account(s, a)[2] == number, actor.role
    refused: list[tuple[Actor, type[Exception]]] = [
        (Actor(username="county-b", role="county_officer", region_code=XUNXIAN), PermissionDenied),
        (Actor(username="ent-b", role="enterprise", holder_id=b), PermissionDenied),
        (Actor(username="ent-none", role="enterprise"), PermissionDenied),
        (PUBLIC, NotAuthenticated),
    ]
    for actor, error in refused:
        with session_factory() as s, pytest.raises(error):
            service.set_payee_account(s, actor, a, "张三", "中国银行", CARD)
    with session_factory() as s:
        assert _account(s, a)[2] == "6222021234567800003"  # the enterprise's, untouched since
        # All three blank: the account is removed.
        service.set_payee_account(s, CITY, a, "", "", "")
        assert _account(s, a) == (None, None, None)


def test_who_may_see_an_account(session_factory: sessionmaker[Session], holders: dict[str, int]) -> None:
    a = holders["a"]
    with session_factory() as s:
        service.set_payee_account(s, CITY, a, "张三", "中国农业银行鹤壁分行", CARD)
    seen = {
        "admin": ADMIN,
        "city": CITY,
        "county A": Actor(username="county-a", role="county_officer", region_code=QIBIN),
        "enterprise A": Actor(username="ent-a", role="enterprise", holder_id=a),
    }
    unseen = {
        "county B": Actor(username="county-b", role="county_officer", region_code=XUNXIAN),
        "enterprise B": Actor(username="ent-b", role="enterprise", holder_id=holders["b"]),
        "public": PUBLIC,
    }
    with session_factory() as s:
        for who, actor in seen.items():
            detail = service.get_holder(s, actor, a)
            assert (detail.payee_name, detail.payee_account) == ("张三", "6222021234567890123"), who
            assert detail.payee_name_differs, who  # 张三 is not the company
        for who, actor in unseen.items():
            detail = service.get_holder(s, actor, a)
            assert (detail.payee_name, detail.payee_bank, detail.payee_account) == (None, None, None), who
            assert not detail.payee_name_differs, who
            dumped = detail.model_dump_json()
            assert "6222021234567890123" not in dumped and "张三" not in dumped, who


def test_every_change_is_audited_with_the_number_masked(
    session_factory: sessionmaker[Session], holders: dict[str, int]
) -> None:
    a = holders["a"]
    firm = Actor(username="ent-a", role="enterprise", holder_id=a)
    with session_factory() as s:
        service.set_payee_account(s, firm, a, "鹤壁甲科技有限公司", "中国工商银行鹤壁淇滨支行", CARD)
        # The same account again: nothing changed, nothing recorded.
        service.set_payee_account(
            s, firm, a, "鹤壁甲科技有限公司", "中国工商银行鹤壁淇滨支行", CARD.replace(" ", "")
        )
        service.set_payee_account(s, CITY, a, "鹤壁甲控股集团有限公司", "中国建设银行鹤壁分行", CORPORATE)
    with session_factory() as s:
        entries = list(
            s.scalars(
                select(AuditEntry).where(AuditEntry.action == "holder.payee_account").order_by(AuditEntry.id)
            )
        )
    assert [(e.actor, e.object_type, e.object_id) for e in entries] == [
        ("ent-a", "holder", str(a)),
        ("city-1", "holder", str(a)),
    ]
    first, second = entries[0].detail, entries[1].detail
    assert first["before"] == {"name": None, "bank": None, "number": None}
    assert first["after"] == {
        "name": "鹤壁甲科技有限公司",
        "bank": "中国工商银行鹤壁淇滨支行",
        "number": "***************0123",
    }
    assert not first["name_differs"]
    assert second["before"] == first["after"]
    assert second["after"]["number"] == "****************0123" and second["name_differs"]
    for entry in entries:
        text = str(entry.detail)
        assert "6222021234567890123" not in text and "41050162380800000123" not in text


def test_pages_and_api_by_role(
    app: Any, session_factory: sessionmaker[Session], holders: dict[str, int], make_user: Any
) -> None:
    from fastapi.testclient import TestClient

    a, b = holders["a"], holders["b"]
    make_user("enterprise", "ent-a-acct", holder_id=a)
    make_user("county_officer", "county-b-acct", region_code=XUNXIAN)
    make_user("city_officer", "city-acct")
    firm, county_b, city, public = TestClient(app), TestClient(app), TestClient(app), TestClient(app)
    login(firm, "ent-a-acct")
    login(county_b, "county-b-acct")
    login(city, "city-acct")

    form = {
        "payee_name": "鹤壁甲科技有限公司",
        "payee_bank": "中国工商银行鹤壁淇滨支行",
        "payee_account": CARD,
    }
    done = firm.post(
        f"/holders/{a}/account", data={**form, "csrf_token": csrf_of(firm)}, follow_redirects=False
    )
    assert done.status_code == 303
    bad = firm.post(
        f"/holders/{a}/account",
        data={**form, "payee_account": "6222-021", "csrf_token": csrf_of(firm)},
        follow_redirects=False,
    )
    assert bad.status_code == 400 and "8 至 32 位数字" in bad.text.split('id="payee-account-error">')[1]
    assert 'name="payee_account" value="6222-021"' in bad.text and "<h1>鹤壁甲科技有限公司" in bad.text
    other = firm.post(
        f"/holders/{b}/account", data={**form, "csrf_token": csrf_of(firm)}, follow_redirects=False
    )
    assert other.status_code == 403
    refused = county_b.put(
        f"/api/v1/holders/{a}/account",
        json={"name": "x", "bank": "y", "number": CARD},
        headers={"X-CSRF-Token": csrf_of(county_b)},
    )
    assert refused.status_code == 403
    api = city.put(
        f"/api/v1/holders/{a}/account",
        json={"name": "张三", "bank": "中国银行鹤壁分行", "number": CORPORATE},
        headers={"X-CSRF-Token": csrf_of(city)},
    ).json()
    assert api["ok"] and api["payee_account"] == "41050162380800000123" and api["payee_name_differs"]

    own_page = firm.get(f"/holders/{a}").text
    assert "4105 0162 3808 0000 0123" in own_page and 'id="payee-account-form"' in own_page
    assert "户名与权利人名称不一致" in own_page
    assert firm.get(f"/api/v1/holders/{a}").json()["payee_account"] == "41050162380800000123"
    for client in (public, county_b):
        page = client.get(f"/holders/{a}").text
        assert "41050162380800000123" not in page and "4105 0162" not in page and "张三" not in page
        assert 'id="payee-account-form"' not in page
        assert client.get(f"/api/v1/holders/{a}").json()["payee_account"] is None
    listing = public.get("/api/v1/holders", params={"per_page": 100}).text
    assert "41050162380800000123" not in listing and "payee" not in listing
    assert public.put(f"/api/v1/holders/{a}/account", json={}).status_code in (401, 403)


def test_a_misspelt_field_is_refused_and_clears_nothing(
    app: Any, session_factory: sessionmaker[Session], holders: dict[str, int], make_user: Any
) -> None:
    """The account money is paid into: a body with unknown fields (account_name for name …)
    is a 400 naming the field, the account stays and no audit entry is written; the same
    for a holder's correction with a misspelt field, and a correction that changes nothing
    leaves no entry either."""
    from fastapi.testclient import TestClient

    a = holders["a"]
    make_user("city_officer", "city-typo")
    city = TestClient(app)
    login(city, "city-typo")
    headers = {"X-CSRF-Token": csrf_of(city)}
    city.put(
        f"/api/v1/holders/{a}/account",
        json={"name": "鹤壁甲科技有限公司", "bank": "中国银行", "number": CARD},
        headers=headers,
    )

    def entries() -> int:
        with session_factory() as s:
            return len(s.scalars(select(AuditEntry.id)).all())

    before = entries()
    typo = city.put(
        f"/api/v1/holders/{a}/account",
        json={"account_name": "x", "bank_name": "y", "account_number": "z"},
        headers=headers,
    )
    assert typo.status_code == 400
    assert (
        typo.json()["error"].startswith("参数 account_name 的值不合规") and "未知字段" in typo.json()["error"]
    )
    with session_factory() as s:
        holder = s.get(Holder, a)
        assert holder is not None and holder.payee_account == "6222021234567890123"
    adress = city.patch(f"/api/v1/holders/{a}", json={"adress": "鹤壁市淇滨区"}, headers=headers)
    assert adress.status_code == 400 and "adress" in adress.json()["error"]
    with session_factory() as s:
        address = s.get(Holder, a).address  # type: ignore[union-attr]
    same = city.patch(f"/api/v1/holders/{a}", json={"address": address}, headers=headers)
    assert same.status_code == 200
    assert entries() == before


# --------------------------------------------------------------------------- the holders template


def test_template_columns_and_a_bad_row(session: Session, tmp_path: Path) -> None:
    header = [c.value for c in load_workbook(io.BytesIO(write_template_xlsx("holders"))).worksheets[0][1]]
    assert header[-3:] == ["户名", "开户银行", "银行账号"]
    rows = [
        {
            "名称": "鹤壁市华宇电子科技有限公司",
            "行政区划代码": QIBIN,
            "户名": "鹤壁市华宇电子科技有限公司",
            "开户银行": "中国工商银行鹤壁淇滨支行",
            "银行账号": "1705 0210 0920 0123 456",
        },
        # A number with a letter in it.
        {
            "名称": "鹤壁市错号商贸有限公司",
            "行政区划代码": QIBIN,
            "户名": "鹤壁市错号商贸有限公司",
            "开户银行": "中国银行鹤壁分行",
            "银行账号": "2466 A123 4567",
        },
        # A number without its bank.
        {
            "名称": "鹤壁市缺行商贸有限公司",
            "行政区划代码": QIBIN,
            "户名": "鹤壁市缺行商贸有限公司",
            "银行账号": CARD,
        },
        # No account at all: accepted, none on record.
        {"名称": "鹤壁职业技术学院", "行政区划代码": QIBIN},
    ]
    result = run_import(
        session,
        OFFICER,
        fill_template("holders", rows, tmp_path / "权利人.xlsx"),
        observed_on=date(2024, 6, 30),
    )
    assert (result.inserted, result.rejected) == (2, 2)
    assert [(e.row, e.column, e.value) for e in result.errors] == [
        (4, "银行账号", "2466 A123 4567"),
        (5, "开户银行", ""),
    ]
    assert (
        render_row_error(result.errors[0], "zh_CN")
        == "银行账号「2466 A123 4567」应为 8 至 32 位数字（可用空格或连字符分隔）"
    )
    assert render_row_error(result.errors[1], "en") == (
        "A receiving account needs its account name, bank and account number together"
    )
    saved = {h.name: h for h in session.scalars(select(Holder))}
    huayu = saved["鹤壁市华宇电子科技有限公司"]
    assert (huayu.payee_name, huayu.payee_bank, huayu.payee_account) == (
        "鹤壁市华宇电子科技有限公司",
        "中国工商银行鹤壁淇滨支行",
        "1705021009200123456",
    )
    assert saved["鹤壁职业技术学院"].payee_account is None
    created = session.scalars(select(AuditEntry).where(AuditEntry.action == "holder.payee_account")).all()
    assert [(e.object_id, e.detail["after"]["number"], e.detail["source"]) for e in created] == [
        (str(huayu.id), "***************3456", "import")
    ]

    # Next year's list: a new account replaces the old one (audited); a row with the three
    # cells blank keeps what is on record.
    again = [
        {**rows[0], "开户银行": "中国建设银行鹤壁分行", "银行账号": CORPORATE},
        {"名称": "鹤壁职业技术学院", "行政区划代码": QIBIN, "地址": "河南省鹤壁市淇滨区淇河路"},
    ]
    second = run_import(
        session, OFFICER, fill_template("holders", again, tmp_path / "b.xlsx"), observed_on=date(2024, 7, 1)
    )
    assert (second.inserted, second.updated, second.rejected) == (0, 2, 0)
    session.expire_all()
    huayu = session.scalars(select(Holder).where(Holder.name == "鹤壁市华宇电子科技有限公司")).one()
    assert (huayu.payee_bank, huayu.payee_account) == ("中国建设银行鹤壁分行", "41050162380800000123")
    changes = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "holder.payee_account").order_by(AuditEntry.id)
    ).all()
    assert changes[-1].detail["before"]["number"] == "***************3456"
    assert changes[-1].detail["after"]["number"] == "****************0123"
    # The same file once more changes nothing.
    third = run_import(
        session, OFFICER, fill_template("holders", again, tmp_path / "c.xlsx"), observed_on=date(2024, 7, 2)
    )
    assert (third.inserted, third.updated, third.unchanged) == (0, 0, 2)
