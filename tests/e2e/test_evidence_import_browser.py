"""Browser test: a city officer imports the year's provincial patent award list on the
import page (preview with one rejected row, confirm), then proposes the year's cases and
finds the award among them with its amount — 免申即享 from an imported list. Screenshots
under ``test-artifacts/screenshots/``."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ipcity_testing import PASSWORD
from policy_exports_world import make_holder
from sqlalchemy.orm import Session, sessionmaker

Shot = Callable[[Any, str], Path]
FIRM = "鹤壁甲科技有限公司"


def test_officer_imports_an_award_list_and_the_award_is_proposed(
    page: Any, screenshot: Shot, make_user: Any, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    with session_factory() as s:
        make_holder(s, FIRM, "410611")
        s.commit()
    awards = tmp_path / "2019年河南省专利奖获奖名单.csv"
    awards.write_text(
        "序号,专利号,奖项,授奖日期,权利人\n"
        f"1,ZL201710123456.0,河南省专利奖一等奖,2019-11-20,{FIRM}\n"
        f"2,ZL201710123456.9,河南省专利奖二等奖,2019-11-20,{FIRM}\n",  # wrong check digit
        encoding="utf-8-sig",
    )
    page.goto("/login")
    page.fill("input[name=username]", make_user("city_officer", "city-awards-e2e"))
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))

    page.goto("/import")
    page.set_input_files("input[name=file]", str(awards))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#preview-counts")
    assert "专利奖励" in page.inner_text("main")
    assert page.inner_text("#count-new") == "1" and page.inner_text("#count-rejected") == "1"
    assert "ZL201710123456.9" in page.inner_text("main")  # the rejected row, with its value
    screenshot(page, "60-import-awards-preview")
    page.click("#confirm-import")
    page.wait_for_selector("#import-done", timeout=60_000)

    page.goto("/policy/cases?year=2019")
    page.fill("form[action='/policy/cases/propose'] input[name=year]", "2019")
    page.click("form[action='/policy/cases/propose'] button")
    page.wait_for_url(re.compile(r"status=proposed"))
    row = page.locator("table.data tbody tr", has_text="P2.2-b")
    assert row.count() == 1
    assert "CN201710123456.0" in row.inner_text() and "50,000" in row.inner_text()
    screenshot(page, "61-award-proposed")
    assert page.js_errors == []
