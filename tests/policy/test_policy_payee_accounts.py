"""The payee's receiving account (收款账户) on the road to payment (P2.1–P2.7): a paid case
keeps the account it was paid into whatever the holder records later; a case paid while no
account was on record says so; the payment list (page, XLSX, JSON) gives 户名, 开户银行 and
银行账号 — recorded at payment for paid lines, the holder's current account for approved
ones; the statement names where the money goes; the enterprise records its account on
/policy/mine; the public never sees one. Over cases driven through the real workflow
(:func:`policy_exports_world.build_world`). SQLite and PostgreSQL."""

from __future__ import annotations

import io
from typing import Any

import pytest
from ipcity_testing import csrf_of, login
from policy_exports_world import CITY, COUNTY_A, YEAR, build_world, enterprise
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ipcity.audit import AuditEntry
from ipcity.auth.roles import Actor
from ipcity.errors import Conflict
from ipcity.policy import exports, workflow
from ipcity.policy.models import PolicyCase, PolicyPayment
from ipcity.registry import service as registry

FIRST = ("鹤壁甲科技有限公司", "中国工商银行鹤壁淇滨支行", "6222 0212 3456 7890 123")
FIRST_DIGITS = "6222021234567890123"
SECOND = ("鹤壁甲控股集团有限公司", "中国建设银行鹤壁分行", "4105-0162-3808-0000-0123")
SECOND_DIGITS = "41050162380800000123"
LOAN_KEY = "P2.7-a:ZY2019-001@2019"


@pytest.fixture
def world(session_factory: sessionmaker[Session]) -> dict[str, int]:
    """The exports' world, with the id of A's approved (unpaid) pledge-loan case."""
    ids = build_world(session_factory)
    with session_factory() as s:
        loan = s.scalar(select(PolicyCase.id).where(PolicyCase.payment_key == LOAN_KEY))
    assert loan is not None
    return {**ids, "loan_a": loan}


def _book(data: bytes) -> Any:
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(data))


def _docx_text(data: bytes) -> str:
    from docx import Document

    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def _line(plist: exports.PaymentList, case_id: int) -> exports.PaymentLine:
    return next(x for x in plist.lines if x.case_id == case_id)


def test_the_account_paid_into_survives_a_later_edit(
    session_factory: sessionmaker[Session], world: dict[str, int]
) -> None:
    a, paid_a, loan = world["a"], world["case_a"], world["loan_a"]
    # A's grant subsidy was paid before any account was on record: allowed, and said so.
    with session_factory() as s:
        view = workflow.case_view(s, CITY, paid_a)
        assert view.account is not None and not view.account.recorded and view.account_is_snapshot
        assert view.to_json()["payee_account"]["recorded"] is False
        assert not _line(exports.payments(s, CITY, YEAR), paid_a).account_recorded
    # The enterprise records its account; the approved loan subsidy shows it before payment.
    with session_factory() as s:
        registry.set_payee_account(s, enterprise(a), a, *FIRST)
        line = _line(exports.payments(s, CITY, YEAR), loan)
        assert line.status == "approved" and line.account is not None
        assert (line.account.name, line.account.bank, line.account.number) == (*FIRST[:2], FIRST_DIGITS)
        assert line.to_json("zh_CN")["payee_recorded_at_payment"] is False
        view = workflow.case_view(s, CITY, loan)
        assert view.account is not None and view.account.number == FIRST_DIGITS
        assert not view.account_is_snapshot
    with session_factory() as s:
        workflow.act(s, CITY, loan, "pay", payment_reference="HB-2020-LOAN")
    with session_factory() as s:
        payment = s.scalar(select(PolicyPayment).where(PolicyPayment.case_id == loan))
        assert payment is not None
        assert (payment.payee_name, payment.payee_bank, payment.payee_account) == (*FIRST[:2], FIRST_DIGITS)
        view = workflow.case_view(s, CITY, loan)
        step = view.steps[-1]
        # The step keeps the officer's remark (none); the timeline says what the payment
        # recorded, masked, in the reader's language.
        assert step.action == "pay" and step.reason is None
        note = view.step_note(step, "zh_CN")
        assert note.startswith("支付凭证号 HB-2020-LOAN；收款账户 ") and note.endswith("0123")
        assert FIRST_DIGITS not in note
        english = view.step_note(step, "en")
        assert english.startswith("Payment reference HB-2020-LOAN; paid into the account of ")
        assert "支付凭证号" not in english and english.endswith("0123")
        logged = s.scalars(select(AuditEntry).where(AuditEntry.action == "policy.case.pay")).all()[-1]
        assert logged.detail["reference"] == "HB-2020-LOAN" and logged.detail["account"].endswith("0123")
        assert FIRST_DIGITS not in str(logged.detail)
    # A city officer changes the account afterwards (another name: accepted, flagged).
    with session_factory() as s:
        registry.set_payee_account(s, CITY, a, *SECOND)
    with session_factory() as s:
        plist = exports.payments(s, CITY, YEAR)
        paid = _line(plist, loan)
        assert paid.status == "paid" and paid.account is not None
        assert (paid.account.name, paid.account.number) == (FIRST[0], FIRST_DIGITS)  # the snapshot
        data = paid.to_json("zh_CN")
        assert data["payee_account"] == FIRST_DIGITS and data["payee_recorded_at_payment"] is True
        # What was paid without an account stays so: the new account is not written back.
        assert not _line(plist, paid_a).account_recorded
        view = workflow.case_view(s, enterprise(a), loan)
        assert view.account_is_snapshot and view.account is not None
        assert view.account.number == FIRST_DIGITS
        assert view.to_json()["payee_account"] == {
            "name": FIRST[0],
            "bank": FIRST[1],
            "number": FIRST_DIGITS,
            "recorded": True,
            "name_differs": False,
            "recorded_at_payment": True,
        }
        # The statement: the account now (where money not yet paid goes), and for the paid
        # item the bank and last four digits it went to.
        st = exports.statement(s, enterprise(a), a, YEAR)
        assert st.account is not None and st.account.number == SECOND_DIGITS and st.account.differs
        text = _docx_text(exports.statement_docx(st, "zh_CN"))
        assert "资助奖励拨付至收款账户：户名 鹤壁甲控股集团有限公司" in text
        assert "4105 0162 3808 0000 0123" in text and "户名与权利人名称不一致" in text
        assert "拨付至中国工商银行鹤壁淇滨支行尾号 0123 的账户（凭证号 HB-2020-LOAN）" in text
        english = _docx_text(exports.statement_docx(st, "en"))
        assert "The money is paid into the receiving account: account name 鹤壁甲控股集团有限公司" in english


def test_payment_list_xlsx_has_the_account_columns(
    session_factory: sessionmaker[Session], world: dict[str, int]
) -> None:
    a = world["a"]
    with session_factory() as s:
        registry.set_payee_account(s, enterprise(a), a, *FIRST)
        plist = exports.payments(s, COUNTY_A, YEAR)
    sheet = _book(exports.payments_xlsx(plist, "zh_CN"))["淇滨区"]
    header = [c.value for c in sheet[1]]
    assert header[-4:] == ["支付凭证号", "户名", "开户银行", "银行账号"]
    rows = {r[3].value: r for r in sheet.iter_rows(min_row=2) if r[0].value not in ("合计", "其中已拨付")}
    approved = rows["P2.7-a 知识产权质押融资费用补助"]
    assert [c.value for c in approved[10:13]] == [FIRST[0], FIRST[1], FIRST_DIGITS]
    # Text, not a number: Excel would round 19 digits to 15.
    assert approved[12].data_type == "s"
    paid_without = rows["P2.1-a 发明专利授权资助"]
    assert [c.value for c in paid_without[10:13]] == [None, None, "未登记"]
    total = [c.value for c in list(sheet.iter_rows())[-2]]
    assert total[0] == "合计" and total[10:13] == [None, None, None]
    english = _book(exports.payments_xlsx(plist, "en"))["Qibin District"]
    assert [c.value for c in english[1]][-3:] == ["Account name", "Bank", "Account number"]
    assert "not registered" in [c.value for row in english.iter_rows() for c in row]


def test_pages_and_json_by_role(
    app: Any, session_factory: sessionmaker[Session], world: dict[str, int], make_user: Any
) -> None:
    from fastapi.testclient import TestClient

    a, b, loan = world["a"], world["b"], world["loan_a"]
    make_user("enterprise", "ent-a-pay", holder_id=a)
    make_user("enterprise", "ent-b-pay", holder_id=b)
    make_user("county_officer", "county-a-pay", region_code="410611")
    make_user("county_officer", "county-b-pay", region_code="410621")
    firm, firm_b, county_a, county_b, public = (TestClient(app) for _ in range(5))
    for client, name in (
        (firm, "ent-a-pay"),
        (firm_b, "ent-b-pay"),
        (county_a, "county-a-pay"),
        (county_b, "county-b-pay"),
    ):
        login(client, name)

    # The enterprise records its account on its own page.
    mine = firm.get("/policy/mine").text
    assert 'action="/policy/mine/account"' in mine and "未登记收款账户" in mine
    form = {"payee_name": FIRST[0], "payee_bank": FIRST[1], "payee_account": FIRST[2]}
    done = firm.post(
        "/policy/mine/account", data={**form, "csrf_token": csrf_of(firm)}, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"].startswith("/policy/mine")
    bad = firm.post(
        "/policy/mine/account",
        data={**form, "payee_account": "6222 0212 3456 7890 12X", "csrf_token": csrf_of(firm)},
        follow_redirects=False,
    )
    assert bad.status_code == 400
    # The enterprise's page again: the reason above the account's form, the number as typed
    # (not regrouped), the account on record unchanged.
    reason = bad.text.split('id="payee-account-error">')[1].split("</p>")[0]
    assert "银行账号「6222 0212 3456 7890 12X」应为 8 至 32 位数字" in reason
    assert 'name="payee_account" value="6222 0212 3456 7890 12X"' in bad.text
    assert f'name="payee_bank" value="{FIRST[1]}"' in bad.text and "本企业" in bad.text
    assert "6222 0212 3456 7890 123" in firm.get("/policy/mine").text
    officer = county_a.post(
        "/policy/mine/account", data={**form, "csrf_token": csrf_of(county_a)}, follow_redirects=False
    )
    assert officer.status_code == 403

    # The payment list: the columns for officers, the unpaid line with the account now, the
    # line paid without one marked.
    page = county_a.get("/policy/payments", params={"year": YEAR}).text
    assert "<th>户名</th><th>开户银行</th><th>银行账号</th>" in page
    assert "6222 0212 3456 7890 123" in page and '<span class="badge bad">未登记</span>' in page
    api = county_a.get("/api/v1/policy/payments", params={"year": YEAR}).json()
    by_case = {line["case_id"]: line for line in api["lines"]}
    assert by_case[loan]["payee_account"] == FIRST_DIGITS and by_case[loan]["payee_bank"] == FIRST[1]
    assert by_case[world["case_a"]]["payee_recorded"] is False
    assert FIRST_DIGITS not in county_b.get("/api/v1/policy/payments", params={"year": YEAR}).text

    # The case page and JSON: for the enterprise and officers in scope.
    case_page = firm.get(f"/policy/cases/{loan}").text
    assert 'id="case-payee"' in case_page and "6222 0212 3456 7890 123" in case_page
    paid_page = firm.get(f"/policy/cases/{world['case_a']}").text
    assert "未登记收款账户" in paid_page and "<th>拨付至</th>" in paid_page
    assert firm.get(f"/api/v1/policy/cases/{loan}").json()["payee_account"]["number"] == FIRST_DIGITS
    assert firm_b.get(f"/api/v1/policy/cases/{loan}").status_code == 404
    assert county_b.get(f"/policy/cases/{loan}").status_code == 404
    statement = firm.get(f"/policy/statement/{a}", params={"year": YEAR}).text
    assert 'id="statement-account"' in statement and "6222 0212 3456 7890 123" in statement

    # Never to the public: not the notice (B is in notice, with an account), not the holder.
    with session_factory() as s:
        registry.set_payee_account(
            s, enterprise(b), b, "浚县乙农业有限公司", "河南浚县农村商业银行", "6230 5100 1234 5678"
        )
    for path in ("/policy/notices", "/api/v1/policy/notices", "/policy/notices.xlsx", f"/holders/{b}"):
        response = public.get(path)
        assert response.status_code == 200, path
        assert b"6230510012345678" not in response.content and b"6230 5100" not in response.content
    assert public.get(f"/api/v1/holders/{b}").json()["payee_account"] is None
    assert public.get(f"/policy/cases/{loan}", follow_redirects=False).status_code == 303
    assert public.get("/api/v1/policy/payments").status_code == 401
    assert public.post("/policy/mine/account", data=form, follow_redirects=False).status_code in (401, 403)


def test_a_county_officer_sets_an_account_of_its_county_only(
    session_factory: sessionmaker[Session], world: dict[str, int]
) -> None:
    from ipcity.errors import PermissionDenied

    with session_factory() as s:
        registry.set_payee_account(s, COUNTY_A, world["a"], *FIRST)
        with pytest.raises(PermissionDenied):
            registry.set_payee_account(s, COUNTY_A, world["b"], *FIRST)
        other = Actor(username="ent-x", role="enterprise", holder_id=world["b"])
        with pytest.raises(PermissionDenied):
            registry.set_payee_account(s, other, world["a"], *SECOND)


def test_the_pay_form_warns_when_no_account_is_on_record(
    app: Any, session_factory: sessionmaker[Session], world: dict[str, int], make_user: Any
) -> None:
    """Paying without an account stays possible (the money may have gone another way), but
    the officer about to pay is told first; once an account is on record the warning goes."""
    from fastapi.testclient import TestClient

    make_user("city_officer", "city-pay-form")
    officer = TestClient(app)
    login(officer, "city-pay-form")
    page = officer.get(f"/policy/cases/{world['loan_a']}").text
    assert 'action="/policy/cases/{}/pay"'.format(world["loan_a"]) in page
    assert 'id="pay-without-account"' in page and "尚未登记收款账户" in page
    english = officer.get(f"/policy/cases/{world['loan_a']}?lang=en").text
    assert "This holder has no receiving account on record" in english
    with session_factory() as s:
        registry.set_payee_account(s, CITY, world["a"], *FIRST)
    assert 'id="pay-without-account"' not in officer.get(f"/policy/cases/{world['loan_a']}?lang=zh").text


def test_an_account_in_another_name_is_paid_into_only_when_the_officer_checked_it(
    app: Any, session_factory: sessionmaker[Session], world: dict[str, int], make_user: Any
) -> None:
    """The enterprise changes its account, after the approval, to one held by a person: the
    payment is refused, the case unchanged, until the officer ticks that the account was
    checked (page form and API); the timeline's audit entry records that it was."""
    from fastapi.testclient import TestClient

    loan = world["loan_a"]
    with session_factory() as s:
        registry.set_payee_account(
            s, enterprise(world["a"]), world["a"], "张三个人", "某银行", "6222 9999 8888 7777"
        )
    with session_factory() as s, pytest.raises(Conflict) as refused:
        workflow.act(s, CITY, loan, "pay", payment_reference="PZ-1")
    assert refused.value.render("zh_CN").startswith(
        "收款账户户名“张三个人”与权利人名称“鹤壁甲科技有限公司”不一致"
    )
    with session_factory() as s:
        assert s.get(PolicyCase, loan).status == "approved"  # type: ignore[union-attr]

    make_user("city_officer", "city-pay-checked")
    officer = TestClient(app)
    login(officer, "city-pay-checked")
    page = officer.get(f"/policy/cases/{loan}").text
    assert 'id="payee-name-checked"' in page and "户名“张三个人”与权利人名称不一致" in page
    form = {"payment_reference": "PZ-1", "csrf_token": csrf_of(officer)}
    again = officer.post(f"/policy/cases/{loan}/pay", data=form, follow_redirects=False)
    assert again.status_code == 409 and 'id="action-error"' in again.text and 'value="PZ-1"' in again.text
    api = officer.post(
        f"/api/v1/policy/cases/{loan}/pay",
        json={"payment_reference": "PZ-1"},
        headers={"X-CSRF-Token": csrf_of(officer)},
    )
    assert api.status_code == 409 and "不一致" in api.json()["error"]
    ticked = officer.post(
        f"/policy/cases/{loan}/pay", data={**form, "payee_name_checked": "true"}, follow_redirects=False
    )
    assert ticked.status_code == 303
    assert officer.get(f"/api/v1/policy/cases/{loan}").json()["status"] == "paid"
    with session_factory() as s:
        payment = s.scalar(select(PolicyPayment).where(PolicyPayment.case_id == loan))
        assert payment is not None and payment.payee_name == "张三个人"
        logged = s.scalars(select(AuditEntry).where(AuditEntry.action == "policy.case.pay")).all()[-1]
        assert logged.detail["payee_name_checked"] is True
