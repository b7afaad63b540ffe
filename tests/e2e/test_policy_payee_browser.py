"""Browser check of the receiving account (收款账户): the enterprise records it on its own
page (a bad number answered in one sentence first), its case page names it, a city officer
sees the account columns of the payment list and changes the account from the holder's
page, which warns when the name differs. Screenshots under ``test-artifacts/screenshots/``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ipcity_testing import browser_log_in as _log_in
from policy_exports_world import YEAR, build_world
from sqlalchemy.orm import Session, sessionmaker

Shot = Callable[[Any, str], Path]


def test_receiving_account_in_the_browser(
    page: Any,
    browser: Any,
    live_server: str,
    session_factory: sessionmaker[Session],
    make_user: Callable[..., str],
    screenshot: Shot,
) -> None:
    world = build_world(session_factory)
    firm = browser.new_context(base_url=live_server, locale="zh-CN", viewport={"width": 1280, "height": 800})
    own = firm.new_page()
    _log_in(own, make_user("enterprise", username="ent-payee", holder_id=world["a"]))
    own.goto("/policy/mine")
    section = own.locator("#payee-account")
    assert "未登记收款账户" in section.inner_text()
    form = section.locator("form")
    form.locator("input[name=payee_name]").fill("鹤壁甲科技有限公司")
    form.locator("input[name=payee_bank]").fill("中国工商银行鹤壁淇滨支行")
    form.locator("input[name=payee_account]").fill("6222 0212 345X")
    form.locator("button").click()
    assert "银行账号「6222 0212 345X」应为 8 至 32 位数字" in own.locator("body").inner_text()
    screenshot(own, "44-policy-payee-bad-number")
    own.goto("/policy/mine")
    form = own.locator("#payee-account form")
    form.locator("input[name=payee_name]").fill("鹤壁甲科技有限公司")
    form.locator("input[name=payee_bank]").fill("中国工商银行鹤壁淇滨支行")
    form.locator("input[name=payee_account]").fill("6222 0212 3456 7890 123")
    form.locator("button").click()
    own.wait_for_url("**/policy/mine*")
    assert "6222 0212 3456 7890 123" in own.locator("#payee-account").inner_text()
    screenshot(own, "45-policy-payee-mine")
    own.goto(f"/policy/cases/{world['case_a']}")
    assert "未登记收款账户" in own.locator("#case-payee").inner_text()  # paid before any account
    screenshot(own, "46-policy-payee-case-paid-without")
    firm.close()

    _log_in(page, make_user("city_officer", username="city-payee"))
    page.goto(f"/policy/payments?year={YEAR}")
    details = page.locator("table.data").nth(1)
    assert "6222 0212 3456 7890 123" in details.inner_text() and "未登记" in details.inner_text()
    screenshot(page, "47-policy-payee-payments")
    page.goto(f"/holders/{world['a']}")
    form = page.locator("#payee-account-form")
    form.locator("input[name=payee_name]").fill("张三")
    form.locator("button").click()
    page.wait_for_url(f"**/holders/{world['a']}*")
    assert "户名与权利人名称不一致" in page.locator("#payee-account").inner_text()
    screenshot(page, "48-policy-payee-holder-warning")
    assert page.js_errors == []
