"""Browser check of the policy's exports: a city officer opens the payment list of a year
(county × item totals, details, the Excel download) and a holder's statement with its
held-back item; the enterprise opens its own statement from its page. Screenshots under
``test-artifacts/screenshots/``."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ipcity_testing import browser_log_in as _log_in
from policy_exports_world import REASON, YEAR, build_world
from sqlalchemy.orm import Session, sessionmaker

Shot = Callable[[Any, str], Path]


def test_payment_list_and_statements_in_the_browser(
    page: Any,
    browser: Any,
    live_server: str,
    session_factory: sessionmaker[Session],
    make_user: Callable[..., str],
    screenshot: Shot,
) -> None:
    world = build_world(session_factory)
    _log_in(page, make_user("city_officer", username="city-exports"))

    page.goto(f"/policy/payments?year={YEAR}")
    summary = page.locator("table.data").first
    assert summary.locator("tr.total td").all_inner_texts() == ["合计", "8,000", "150,000", "158,000"]
    assert "淇滨区" in summary.inner_text() and "浚县" in summary.inner_text()
    screenshot(page, "40-policy-payments")
    with page.expect_download() as download_info:
        page.click(f"a[href='/policy/payments.xlsx?year={YEAR}']")
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    assert book.sheetnames[:4] == ["汇总", "已拨付汇总", "淇滨区", "浚县"]

    page.goto(f"/policy/statement/{world['c']}?year={YEAR}")
    assert page.locator("h1").inner_text().startswith("鹤壁失信科技有限公司")
    held = page.locator("table.data tbody tr", has_text="P2.1-a")
    assert "暂缓（失信名单）" in held.inner_text() and REASON in held.inner_text()
    screenshot(page, "41-policy-statement-held-back")
    page.goto(f"/policy/payments?year={YEAR}&lang=en")
    assert page.locator("h1").inner_text().startswith("Payment list of the year")
    screenshot(page, "42-policy-payments-en")
    assert page.js_errors == []

    # The enterprise: from its own page to its statement.
    firm = browser.new_context(base_url=live_server, locale="zh-CN", viewport={"width": 1280, "height": 800})
    own = firm.new_page()
    _log_in(own, make_user("enterprise", username="ent-exports", holder_id=world["a"]))
    own.goto("/policy/mine")
    own.click(f"a[href='/policy/statement/{world['a']}']")
    own.locator("input[name=year]").fill(str(YEAR))
    own.click("form.filters button")
    own.wait_for_url(re.compile(rf"year={YEAR}"))
    paid = own.locator("table.data tbody tr", has_text="P2.1-a")
    assert "已拨付" in paid.inner_text() and "凭证号" in paid.inner_text()
    screenshot(own, "43-policy-statement-enterprise")
    firm.close()
