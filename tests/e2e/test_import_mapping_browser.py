"""Browser test: a city officer imports a trademark list whose headers no layout knows. On
the mapping page 数据类型 is changed (the form submits itself) and the trademark fields
appear for the same upload, each select named by its field; the preview names the mapping
given for this file; the language link of the preview (a POST's answer) opens the same
preview in English, with the rejected row explained in English; after the import the link
names the trademark register. Screenshots under ``test-artifacts/screenshots/``."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ipcity_testing import PASSWORD

Shot = Callable[[Any, str], Path]
MARKS = "号码,名字,类别,种类\n8868023,淇河缠丝鸭蛋,29,普通\n8868024,鹤翔,29,鹤翔\n"


def test_officer_maps_an_unknown_trademark_list(
    page: Any, screenshot: Shot, make_user: Any, tmp_path: Path
) -> None:
    officer = make_user("city_officer", username="city-officer")
    page.goto("/login")
    page.fill("input[name=username]", officer)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))

    marks = tmp_path / "商标清单.csv"
    marks.write_text(MARKS, encoding="utf-8")
    page.goto("/import")
    page.set_input_files("input[name=file]", str(marks))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("select[name=field__application_number]")
    screenshot(page, "70-import-mapping")
    action = page.locator("form[action$='/mapping']").get_attribute("action")

    # 数据类型 → 商标: the trademark fields, same upload; no saved mapping is looked up.
    with page.expect_navigation():
        page.select_option("select[name=kind]", "trademarks")
    page.wait_for_selector("select[name=field__mark]")
    assert page.locator("form[action$='/mapping']").get_attribute("action") == action
    assert page.locator("select[name=field__application_number]").count() == 0
    screenshot(page, "71-import-mapping-trademarks")
    # Each column select is named by its field (label for=…).
    assert page.get_by_role("combobox", name=re.compile("商标名称")).count() == 1
    page.get_by_role("combobox", name=re.compile("注册号")).select_option("号码")
    page.get_by_role("combobox", name=re.compile("商标名称")).select_option("名字")
    page.get_by_role("combobox", name=re.compile("尼斯分类")).select_option("类别")
    page.get_by_role("combobox", name=re.compile("商标类型")).select_option("种类")
    page.click("form[action$='/mapping'] button.btn")
    page.wait_for_selector("#preview-counts")
    assert page.locator("#layout-name").inner_text() == "临时列映射（仅用于本文件）"
    screenshot(page, "72-import-mapping-preview")

    # The language link: the same preview, read again, in English.
    page.click("a.lang")
    page.wait_for_selector("#preview-counts")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#layout-name").inner_text() == "Column mapping given for this file"
    reason = page.locator("#rejected-rows tbody tr td").nth(3).inner_text()
    assert reason.startswith("“鹤翔” is not an accepted trademark type; expected one of: Ordinary trademark")
    assert "、" not in reason
    screenshot(page, "73-import-mapping-preview-en")

    page.click("#confirm-import")
    page.wait_for_selector("#import-done", timeout=60_000)
    link = page.locator("#browse-imported")
    assert link.inner_text() == "Open the register: Trademarks"
    assert link.get_attribute("href") == "/registers/trademarks"
    screenshot(page, "74-import-mapping-done-en")
    page.click("a.lang")
    page.wait_for_selector("#import-done")
    assert page.locator("#browse-imported").inner_text() == "查看商标"
    screenshot(page, "75-import-mapping-done")
    assert page.js_errors == []
