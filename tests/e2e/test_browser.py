"""Browser tests: what an officer and the public do in the pages, in chromium.

The officer logs in through the form, imports a small Patentics export with bad rows (made
here from real rows) and then the real 4,483-row Patentics export, follows the preview, the
rejected rows and the progress, searches in Chinese, filters, opens a patent, a holder (the
ECharts chart must render) and the region, and switches to English. The public must not see
the import. Every page visited is saved as a screenshot under ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ipcity_testing import PASSWORD, shared_file

REAL_FILE = ("patents_cn", "patentics_cn_augmented_reality_4483.csv.gz")
Shot = Callable[[Any, str], Path]


def _value(page: Any, selector: str) -> int:
    return int(page.locator(selector).inner_text().replace(",", "").strip())


def _rows_with_bad_cells(source: Path, target: Path) -> dict[str, str]:
    """Write the first 12 rows of the real export to ``target`` with two rows spoiled and
    one title edited; return what was done, keyed by kind of change."""
    text = gzip.decompress(source.read_bytes()).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:13]
    number = header.index("申请号")
    filed = header.index("申请日")
    title = header.index("标题")
    # Row 3 of the file (2nd data row): a wrong check digit on a real application number.
    good = body[1][number]
    check = good[-1]
    body[1][number] = good[:-1] + ("0" if check != "0" else "1")
    # Row 5: a filing date that does not exist.
    body[3][filed] = "20221341"
    # Row 6: a real row with its title edited, so the real file later shows it as changed.
    edited_number = body[4][number]
    body[4][title] = body[4][title] + "（修改前）"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(body)
    target.write_text(buffer.getvalue(), encoding="utf-8")
    return {"bad_number": body[1][number], "bad_date": "20221341", "edited": edited_number}


def _log_in(page: Any, username: str, shot: Shot) -> None:
    page.goto("/login")
    shot(page, "01-login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    assert page.locator(".account .who").inner_text().strip() == username


def _upload(page: Any, path: Path) -> None:
    page.goto("/import")
    page.set_input_files("input[name=file]", str(path))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#preview-counts")


def _confirm_and_wait(page: Any, shot: Shot, name: str) -> None:
    page.click("#confirm-import")
    page.wait_for_selector("#import-progress")
    shot(page, f"{name}-progress")
    page.wait_for_selector("#import-done", timeout=60_000)
    # The tab's title follows (it said "importing" on a finished import).
    assert page.title().startswith("导入完成"), page.title()
    shot(page, f"{name}-done")


def test_officer_imports_searches_and_browses(
    page: Any,
    make_user: Callable[..., str],
    screenshot: Shot,
    tmp_path: Path,
) -> None:
    real = shared_file(*REAL_FILE)
    officer = make_user("city_officer", username="city-officer")
    _log_in(page, officer, screenshot)
    screenshot(page, "02-home-officer")
    assert page.locator("nav.mainnav a", has_text="数据导入").count() == 1

    # --- a small file with bad rows: preview, rejected rows, their file, confirm ---
    small = tmp_path / "patentics_bad_rows.csv"
    spoiled = _rows_with_bad_cells(real, small)
    page.click("nav.mainnav a:has-text('数据导入')")
    page.wait_for_url(re.compile(r"/import$"))
    screenshot(page, "03-import")
    _upload(page, small)
    screenshot(page, "04-import-preview-bad-rows")
    assert "Patentics" in page.locator("#layout-name").inner_text()
    assert _value(page, "#count-read") == 12
    assert _value(page, "#count-rejected") == 2
    assert _value(page, "#count-changed") == 0
    assert _value(page, "#count-unchanged") == 0
    assert _value(page, "#count-new") >= 9  # per application: some rows share one
    headers = page.locator("#rejected-rows thead th").all_inner_texts()
    assert headers == ["行号", "列", "值", "原因"]
    rejected = page.locator("#rejected-rows tbody tr")
    assert rejected.count() == 2
    first = rejected.nth(0).locator("td").all_inner_texts()
    assert first[:3] == ["3", "申请号", spoiled["bad_number"]]
    assert "校验位" in first[3]
    second = rejected.nth(1).locator("td").all_inner_texts()
    assert second[:3] == ["5", "申请日", spoiled["bad_date"]]
    assert re.search(r"[\u4e00-\u9fff]", second[3])

    with page.expect_download() as download_info:
        page.click("#download-rejected")
    download = download_info.value
    saved = download.path()
    assert saved is not None
    lines = list(csv.reader(io.StringIO(Path(saved).read_bytes().decode("utf-8-sig"))))
    assert lines[0] == ["行号", "列", "值", "原因"]
    assert [line[:2] for line in lines[1:]] == [["3", "申请号"], ["5", "申请日"]]
    assert "校验位" in lines[1][3]

    _confirm_and_wait(page, screenshot, "05-import-bad-rows")
    small_inserted = _value(page, "#done-inserted")
    assert small_inserted >= 9

    # --- the real export: the edited title shows as changed, the rest as new or unchanged ---
    _upload(page, real)
    screenshot(page, "06-import-preview-real")
    assert _value(page, "#count-read") == 4483
    assert _value(page, "#count-changed") >= 1
    assert _value(page, "#count-unchanged") >= 1
    assert _value(page, "#count-new") > 3000
    _confirm_and_wait(page, screenshot, "07-import-real")
    page.goto("/import")
    assert page.locator("table.data tbody tr").count() == 2
    screenshot(page, "08-import-history")

    # --- search in Chinese, then filter by type and status ---
    page.goto("/patents")
    page.fill("input[name=q]", "增强现实 眼镜")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r"q=%E5%A2%9E"))
    page.wait_for_selector("#patent-table tbody tr td a")
    total_text = page.locator("#results .pager span").first.inner_text()
    total = int(re.sub(r"\D", "", total_text))
    assert total > 10
    titles = page.locator("#patent-table tbody tr td:nth-child(2)").all_inner_texts()
    assert any("眼镜" in t or "增强现实" in t for t in titles)
    assert "year=" not in page.url  # empty boxes stay out of the address
    screenshot(page, "09-search")
    # Without htmx the form sends its empty year box too: that is "any year", not an error.
    response = page.request.get("/patents?q=眼镜&year=&sort=")
    assert response.status == 200

    page.select_option("select[name=patent_type]", "invention")
    page.wait_for_url(re.compile(r"patent_type=invention"))
    page.wait_for_function(
        "(n) => !document.querySelector('#results .pager span').innerText.includes(n)",
        arg=f"{total:,}",
    )
    types = set(page.locator("#patent-table tbody tr td:nth-child(3)").all_inner_texts())
    assert types == {"发明"}
    page.select_option("select[name=status]", "granted")
    page.wait_for_url(re.compile(r"status=granted"))
    page.wait_for_selector("#patent-table tbody tr td a")
    statuses = set(page.locator("#patent-table tbody tr td:nth-child(8)").all_inner_texts())
    assert statuses == {"授权"}
    screenshot(page, "10-search-filtered")
    # The list changed in place: the link to English leads to the same list in English.
    english = page.locator("a.lang").get_attribute("href") or ""
    assert "patent_type=invention" in english and "status=granted" in english and "lang=en" in english

    # --- a patent: its status history as a timeline ---
    page.locator("#patent-table tbody tr td:first-child a").first.click()
    page.wait_for_selector("#status-timeline")
    assert page.locator("#application-number").inner_text().startswith("CN")
    events = page.locator("#status-timeline li").all_inner_texts()
    assert any("授权" in e for e in events)
    screenshot(page, "11-patent")

    # --- its first holder: portfolio chart drawn by ECharts ---
    page.locator("dl.fields a[href^='/holders/']").first.click()
    page.wait_for_selector("#portfolio-chart svg, #portfolio-chart canvas")
    bars = page.locator("#portfolio-chart svg path").count()
    assert bars > 3
    assert page.locator("table.data tbody tr").count() >= 1
    screenshot(page, "12-holder")
    # An officer places the holder in a county (its address in the export is elsewhere).
    holder_name = page.locator("h1").inner_text().strip()
    holder_url = page.url
    page.select_option("select[name=region_code]", label="淇滨区")
    page.click("form[action^='/holders/'] button")
    page.wait_for_url(holder_url)
    assert "淇滨区" in page.locator("dl.fields").inner_text()

    page.goto("/holders")
    assert page.locator("table.data tbody tr").count() >= 10
    screenshot(page, "13-holders")

    # --- the city: counties, counts, population ---
    page.click("nav.mainnav a:has-text('地区')")
    page.wait_for_url(re.compile(r"/regions/410600"))
    assert "鹤壁市" in page.locator("h1").inner_text()
    assert page.locator("table.data a", has_text=holder_name).count() == 1
    assert _value(page, ".grid .stat:first-child .value") == 1  # holders in the city
    screenshot(page, "14-region")
    # The same page in English names the city and its counties in English.
    page.goto(page.url + ("&" if "?" in page.url else "?") + "lang=en")
    assert page.locator("h1").inner_text().startswith("Hebi City")
    assert page.locator("a", has_text="Qibin District").count() >= 1
    screenshot(page, "14-region-en")
    page.goto(page.url.replace("lang=en", "lang=zh_CN"))

    # --- English: labels switch, and the choice sticks to the next page ---
    page.goto("/patents?q=增强现实&lang=en")
    nav = page.locator("nav.mainnav").inner_text()
    assert "Patent search" in nav and "Data import" in nav
    assert page.locator("html").get_attribute("lang") == "en"
    screenshot(page, "15-search-en")
    page.locator("#patent-table tbody tr td:first-child a").first.click()
    page.wait_for_selector("#status-timeline")
    assert "Legal status history" in page.locator("body").inner_text()
    screenshot(page, "16-patent-en")
    page.goto("/import")
    assert page.locator("h1").inner_text() == "Data import"
    screenshot(page, "17-import-en")

    assert page.js_errors == []


def test_public_cannot_import(page: Any, screenshot: Shot) -> None:
    page.goto("/")
    assert page.locator("nav.mainnav").is_visible()
    assert page.locator("nav.mainnav a", has_text="数据导入").count() == 0
    assert page.locator("a[href='/import']").count() == 0
    screenshot(page, "20-home-public")
    response = page.goto("/import")
    assert response is not None
    assert "/login?next=/import" in page.url  # asked to log in, not shown the page
    assert page.locator("#login-needed").is_visible()
    assert page.locator("#upload-form").count() == 0
    screenshot(page, "21-import-public")
    assert page.js_errors == []
