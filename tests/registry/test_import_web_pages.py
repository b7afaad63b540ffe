"""The import pages, through the web app as an officer uses them:

* a saved column mapping chosen on the upload form works with 数据类型 = 自动识别 (the
  mapping knows its kind) and with 数据类型 = 专利, and its confirmation carries the mapping;
* a first import whose every row is rejected says so, not "nothing changed";
* English pages use ASCII punctuation and no raw codes; the import history and the mapping
  list show labels; after a trademark import, 去检索 leads to the trademark register.
"""

from __future__ import annotations

import csv
import html
import io
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ipcity_testing import csrf_of, login, shared_file
from openpyxl import load_workbook
from registry_testkit import OFFICER, raw_text
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipcity.registry.importers import write_template_xlsx
from ipcity.registry.importing import save_mapping
from ipcity.registry.models import Patent

# Columns of the real Patentics export under names no layout knows, as another database
# might export them; the mapping names them.
RENAMED = {"申请号": "编号A", "标题": "题名", "公开号": "文献号", "申请日": "日期1"}
MAPPING = {
    "application_number": "编号A",
    "title": "题名",
    "publication_number": "文献号",
    "filing_date": "日期1",
}


def unknown_file(path: Path, rows: range) -> Path:
    """Rows of the real Patentics VR export (numbered as in the file) under renamed headers."""
    table = list(
        csv.reader(
            io.StringIO(
                raw_text(shared_file("patents_cn", "patentics_cn_virtual_reality_7805.csv.gz")), newline=""
            )
        )
    )
    columns = [table[0].index(name) for name in RENAMED]
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(list(RENAMED.values()))
        for number in rows:
            out.writerow([table[number - 1][i] for i in columns])
    return path


@pytest.fixture
def officer(client: Any, make_user: Callable[..., str]) -> Any:
    login(client, make_user("city_officer", username="city-officer"))
    return client


def upload(client: Any, path: Path, lang: str = "", **form: str) -> Any:
    query = f"?lang={lang}" if lang else ""
    return client.post(
        f"/import/preview{query}",
        data={"csrf_token": csrf_of(client), **form},
        files={"file": (path.name, path.read_bytes(), "text/csv")},
    )


def confirm_form(page: str) -> tuple[str, dict[str, str]]:
    """The confirm form of a preview page: its action and its hidden fields."""
    form = page.split('<form method="post" action="/import/')[1].split("</form>")[0]
    token = form.split("/confirm")[0]
    fields = {
        html.unescape(name): html.unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)
    }
    return token, fields


def confirm(client: Any, page: str, lang: str = "") -> str:
    """Press 确认导入 and follow the progress until the import ends; the last block."""
    token, fields = confirm_form(page)
    query = f"?lang={lang}" if lang else ""
    started = client.post(f"/import/{token}/confirm{query}", data=fields)
    assert started.status_code == 200, started.text[:300]
    for _ in range(600):
        block = client.get(f"/import/{token}/progress{query}")
        if "import-done" in block.text or "import-failed" in block.text:
            return str(block.text)
        time.sleep(0.05)
    raise AssertionError("the import did not finish")


def count(page: str, element: str) -> int:
    return int(page.split(f'id="{element}">')[1].split("<")[0].replace(",", ""))


def test_a_saved_mapping_from_the_upload_form(officer: Any, session: Session, tmp_path: Path) -> None:
    save_mapping(session, OFFICER, "patents", "测试导出", MAPPING)
    form = officer.get("/import").text
    assert 'value="patents:测试导出">专利 · 测试导出</option>' in form

    # 数据类型 = 自动识别: the saved mapping's kind is used.
    first = upload(
        officer,
        unknown_file(tmp_path / "unknown1.csv", range(2, 12)),
        kind="",
        mapping_name="patents:测试导出",
    )
    assert first.status_code == 200 and 'id="preview-counts"' in first.text, first.text[:500]
    assert count(first.text, "count-new") == 10
    done = confirm(officer, first.text)
    assert 'id="import-done"' in done and count(done, "done-inserted") == 10

    # 数据类型 = 专利: the preview, and now the confirmation too.
    second = upload(
        officer,
        unknown_file(tmp_path / "unknown2.csv", range(12, 20)),
        kind="patents",
        mapping_name="patents:测试导出",
    )
    assert second.status_code == 200 and count(second.text, "count-new") == 8
    _, fields = confirm_form(second.text)
    assert fields["mapping_name"] == "测试导出" and fields["field__application_number"] == "编号A"
    done = confirm(officer, second.text)
    assert 'id="import-done"' in done and count(done, "done-inserted") == 8
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Patent)) == 18

    history = officer.get("/import").text
    assert history.count("列映射「测试导出」") == 2 and "mapping:" not in history


def test_every_row_rejected_is_not_a_reimport(officer: Any, tmp_path: Path) -> None:
    table = list(
        csv.reader(
            io.StringIO(
                raw_text(shared_file("patents_cn", "patentics_cn_virtual_reality_7805.csv.gz")), newline=""
            )
        )
    )
    column = table[0].index("申请号")
    for row in table[1:3]:
        row[column] = row[column][:-1] + ("0" if row[column][-1] != "0" else "1")  # a wrong check digit
    path = tmp_path / "bad.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(table[:3])
    page = upload(officer, path).text
    assert count(page, "count-rejected") == 2 and count(page, "count-new") == 0
    assert "全部 2 行均被拒绝" in page and "重复导入" not in page
    assert re.search(r'id="confirm-import"[^>]*disabled', page)
    english = upload(officer, path, lang="en").text
    assert "All 2 rows were rejected" in english


def test_english_pages_and_the_register_link(officer: Any, tmp_path: Path) -> None:
    path = unknown_file(tmp_path / "few.csv", range(2, 5))
    table = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    real = tmp_path / "patentics.csv"
    source = list(
        csv.reader(
            io.StringIO(
                raw_text(shared_file("patents_cn", "patentics_cn_virtual_reality_7805.csv.gz")), newline=""
            )
        )
    )
    with real.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(source[: len(table)])
    page = upload(officer, real, lang="en").text
    heading = page.split("<h1>")[1].split("</h1>")[0]
    assert heading == "Import preview: patentics.csv"
    assert "Detected format: " in page and "patentics-24" not in page
    done = confirm(officer, page, lang="en")
    assert re.search(r"Import complete \(batch #\d+\)", done) and "（" not in done
    assert 'href="/patents"' in done
    history = officer.get("/import?lang=en").text
    assert "Patentics export (24 columns)" in history and "（" not in history.split('id="import-history"')[1]

    # A trademark list: 去检索 leads to the trademark register; the history names the kind.
    book = load_workbook(io.BytesIO(write_template_xlsx("trademarks")))
    book.worksheets[0].append([1, "8868023", "淇河缠丝鸭蛋", "29"])
    marks = tmp_path / "商标.xlsx"
    book.save(marks)
    page = upload(officer, marks).text
    done = confirm(officer, page)
    assert 'href="/registers/trademarks" id="browse-imported"' in done
    history = officer.get("/import").text.split('id="import-history"')[1]
    assert "商标导入模板" in history and ">trademarks<" not in history and ">商标<" in history


def test_progress_after_a_restart_says_where_the_outcome_is(
    officer: Any, session: Session, tmp_path: Path
) -> None:
    """Jobs live in the running server: after a restart a staged file's progress is not
    known. The poll gets a block that says so and ends the polling (an error answer would
    leave "importing…" on the page), in the page's language; an unknown token stays 404."""
    save_mapping(session, OFFICER, "patents", "测试导出", MAPPING)
    page = upload(
        officer, unknown_file(tmp_path / "unknown.csv", range(2, 6)), kind="", mapping_name="patents:测试导出"
    )
    token, _ = confirm_form(page.text)
    officer.app.state.import_jobs = None  # what a restart leaves: no job for any token
    block = officer.get(f"/import/{token}/progress", headers={"HX-Request": "true"})
    assert block.status_code == 200 and 'id="import-progress-lost"' in block.text
    assert "hx-get" not in block.text and "服务在导入开始后重启过" in block.text
    english = officer.get(f"/import/{token}/progress?lang=en")
    assert english.status_code == 200 and "<html" in english.text
    assert "the server was restarted after the import began" in english.text
    assert 'href="/import#import-history"' in english.text
    assert officer.get("/import/0123456789abcdef0123456789abcdef/progress").status_code == 404


def test_a_county_officer_is_offered_the_kinds_it_may_import(
    client: Any, make_user: Callable[..., str]
) -> None:
    login(client, make_user("county_officer", username="xun-officer", region_code="410621"))
    page = client.get("/import").text
    offered = set(re.findall(r'<option value="([a-z-]+)">', page))
    assert offered == {"holders", "population"}
    assert set(re.findall(r'href="/import/templates/([a-z-]+)\.xlsx"', page)) == {"holders", "population"}
    assert 'id="import-scope"' in page and "县区账号可导入本县区的权利人和人口数据" in page
