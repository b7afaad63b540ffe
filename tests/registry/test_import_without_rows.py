"""A file of which nothing can be imported because it holds no data row (a header alone, or a
template holding its example row alone) is refused the same way everywhere: ``ipcity import``
exits 2 with the reason on stderr (and prints no counts), the API answers 400 with the
reason, the upload page answers 400 with the reason above its form; nothing is written."""

from __future__ import annotations

import gzip
import io
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ipcity_testing import csrf_of, login, shared_file
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipcity.audit import AuditEntry
from ipcity.registry.importers import write_template_xlsx
from ipcity.registry.models import ImportBatch


def patentics_header() -> str:
    """The header line of the real Patentics export, as the file writes it."""
    text = gzip.decompress(shared_file("patents_cn", "patentics_cn_virtual_reality_7805.csv.gz").read_bytes())
    return text.decode("utf-8-sig").split("\n", 1)[0] + "\n"


def header_only_xlsx() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["行政区划代码", "年份", "常住人口"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# The file, and the reason in Chinese and English.
FILES: dict[str, tuple[Callable[[], bytes], str, str]] = {
    "header.csv": (
        lambda: patentics_header().encode("utf-8"),
        "收到的文件「header.csv」在表头之下没有数据行；应在表头下填写要导入的数据后再导入。",
        "The file “header.csv” has no data rows below its header",
    ),
    "header.xlsx": (
        header_only_xlsx,
        "收到的文件「header.xlsx」在表头之下没有数据行；应在表头下填写要导入的数据后再导入。",
        "The file “header.xlsx” has no data rows below its header",
    ),
    "template.xlsx": (
        lambda: write_template_xlsx("trademarks"),  # downloaded and sent back as it is
        "收到的文件「template.xlsx」除模板的示例行（序号为“示例”）外没有数据行；应在示例行下填写要导入的数据后再导入。",
        "The file “template.xlsx” has no data rows besides the template's example row",
    ),
}


def nothing_written(session: Session) -> bool:
    session.expire_all()
    batches = session.scalar(select(func.count()).select_from(ImportBatch))
    entries = session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action.like("import%"))
    )
    return batches == 0 and entries == 0


@pytest.mark.parametrize("name", FILES)
def test_the_cli_exits_2_with_the_reason_on_stderr(
    name: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    session: Session,
    database_url: str,
    tmp_path: Path,
) -> None:
    from ipcity.cli import main

    data, chinese, _ = FILES[name]
    path = tmp_path / name
    path.write_bytes(data())
    monkeypatch.setenv("IPCITY_UPLOAD_DIR", str(tmp_path / "files"))
    monkeypatch.setattr(sys, "argv", ["ipcity", "--db", database_url, "import", str(path), "--json"])
    capsys.readouterr()
    with pytest.raises(SystemExit) as exited:
        main()
    out, err = capsys.readouterr()
    assert exited.value.code == 2
    assert [line for line in err.splitlines() if line.strip()][-1] == f"错误：{chinese}"
    assert out == ""  # no counts of an import that never started
    assert nothing_written(session)


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("confirm", ["false", "true"])
def test_the_api_answers_400_with_the_reason(
    name: str, confirm: str, client: Any, make_user: Callable[..., str], session: Session
) -> None:
    login(client, make_user("city_officer", username="city-officer"))
    data, chinese, english = FILES[name]
    for lang, reason in (("", chinese), ("?lang=en", english)):
        response = client.post(
            f"/api/v1/imports{lang}",
            data={"confirm": confirm},
            files={"file": (name, data(), "application/octet-stream")},
            headers={"X-CSRF-Token": csrf_of(client)},
        )
        assert response.status_code == 400, response.text[:300]
        body = response.json()
        assert body["ok"] is False and body["error"].startswith(reason), body
    assert nothing_written(session)


@pytest.mark.parametrize("name", FILES)
def test_the_upload_page_shows_the_reason_above_its_form(
    name: str, client: Any, make_user: Callable[..., str], session: Session
) -> None:
    login(client, make_user("city_officer", username="city-officer"))
    data, chinese, _ = FILES[name]
    response = client.post(
        "/import/preview",
        data={"csrf_token": csrf_of(client)},
        files={"file": (name, data(), "application/octet-stream")},
    )
    assert response.status_code == 400
    page = response.text
    assert f'<p class="flash bad" role="alert" id="import-error">{chinese}</p>' in page
    # The upload form itself, to choose another file, not an error page.
    assert 'id="upload-form"' in page and 'id="preview-counts"' not in page
    assert nothing_written(session)
