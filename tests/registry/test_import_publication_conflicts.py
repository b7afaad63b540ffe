"""A publication number belongs to one application: the real Patentics export imported into
a registry where one of its publications already belongs to another application (what the
old demo data did: CN110075519A of CN201910372954.8 was a sample of CN201810166057.7).

The preview rejects that row (row, 公开号, value, the other application), the other rows
import; a clash inside one file is rejected at its second row; and a database error on
confirmation, whatever its cause, is one sentence on the web page and the command line,
with nothing written and the failed attempt in the import history.
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from ipcity_testing import csrf_of, login, run_cli, shared_file
from registry_testkit import OFFICER, dump_database, raw_rows, raw_text
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ipcity.errors import IPCityError
from ipcity.registry import importing
from ipcity.registry.importing import import_history, render_row_error, run_import
from ipcity.registry.models import Patent, PatentPublication
from ipcity.registry.records import PatentRecord, PublicationRecord
from ipcity.registry.store import HolderSeed, ensure_holders, plan_patents, write_patents

VR = "patentics_cn_virtual_reality_7805.csv.gz"
TAKEN = "CN110075519A"  # in the file: the publication of CN201910372954.8, row 2613
OWNER = "CN201810166057.7"  # the (sample) application that holds it in the registry
OBSERVED = date(2024, 6, 30)


def vr_file() -> Path:
    return shared_file("patents_cn", VR)


def add_sample_patent(session: Session, number: str, publication: str, **fields: Any) -> None:
    """A sample patent as the demo writes them (is_sample), through the registry's writers."""
    record = PatentRecord(
        1,
        "CN",
        number,
        fields.pop("patent_type", "invention"),
        fields.pop("title", "一种示例装置"),
        publications=[PublicationRecord(publication, publication[-1], date(2019, 8, 2))],
        applicants=["鹤壁市示例科技有限公司"],
        **fields,
    )
    now = datetime.now(UTC)
    holders, _ = ensure_holders(session, [HolderSeed(n) for n in record.applicants], now, is_sample=True)
    plan = plan_patents(session, [record], replace_samples=False)
    write_patents(session, plan, holders, None, now, is_sample=True)
    session.commit()


def owner_of(session: Session, publication: str) -> str | None:
    return session.scalar(
        select(Patent.application_number)
        .join(PatentPublication, PatentPublication.patent_id == Patent.id)
        .where(PatentPublication.number == publication)
    )


def test_a_publication_of_another_application_rejects_its_row(
    session: Session, engine: Engine, tmp_path: Path
) -> None:
    add_sample_patent(session, OWNER, TAKEN)
    path = vr_file()
    rows = raw_rows(path)
    [row] = [number for number, cells in rows if cells["公开号"] == TAKEN]

    preview = run_import(session, OFFICER, path, confirm=False, errors_dir=tmp_path, observed_on=OBSERVED)
    assert preview.rejected == 1 and preview.inserted == len(rows) - 1
    [error] = preview.errors
    assert (error.row, error.column, error.value) == (row, "公开号", TAKEN)
    reason = render_row_error(error, "zh_CN")
    assert OWNER in reason and "CN201910372954.8" in reason
    assert OWNER in render_row_error(error, "en") and "belongs" in render_row_error(error, "en")
    with open(preview.errors_file or "", encoding="utf-8-sig", newline="") as handle:
        assert list(csv.reader(handle))[1][:3] == [str(row), "公开号", TAKEN]

    done = run_import(session, OFFICER, path, errors_dir=tmp_path, observed_on=OBSERVED)
    assert done.confirmed and (done.inserted, done.rejected) == (len(rows) - 1, 1)
    session.expire_all()
    assert owner_of(session, TAKEN) == OWNER
    assert session.scalar(select(Patent.id).where(Patent.application_number == "CN201910372954.8")) is None
    assert session.scalar(select(Patent.id).where(Patent.application_number == "CN202110695249.9"))


def test_a_publication_given_twice_in_one_file_rejects_the_later_row(
    session: Session, tmp_path: Path
) -> None:
    table = list(csv.reader(io.StringIO(raw_text(vr_file()), newline="")))
    header, first, second = table[0], table[1], list(table[2])
    second[header.index("公开号")] = first[header.index("公开号")]
    path = tmp_path / "twice.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, first, second])

    result = run_import(session, OFFICER, path, observed_on=OBSERVED)
    assert (result.inserted, result.rejected) == (1, 1)
    [error] = result.errors
    assert (error.row, error.column, error.value) == (3, "公开号", first[0])
    reason = render_row_error(error, "zh_CN")
    assert "第 2 行" in reason and first[1] in reason and second[1] in reason


@pytest.fixture
def unguarded(monkeypatch: pytest.MonkeyPatch) -> None:
    """The preview's check switched off: the clash then reaches the database's unique
    index, standing for any unexpected database error during the write."""
    monkeypatch.setattr(importing, "publication_owners", lambda _session, _numbers: {})


@pytest.mark.usefixtures("unguarded")
def test_a_database_error_is_one_sentence_and_writes_nothing(session: Session, engine: Engine) -> None:
    add_sample_patent(session, OWNER, TAKEN)
    before = dump_database(engine)
    with pytest.raises(IPCityError) as caught:
        run_import(session, OFFICER, vr_file(), observed_on=OBSERVED)
    message = caught.value.render("zh_CN")
    assert "UNIQUE" in message or "unique" in message  # the database's words, no statement
    assert "[SQL" not in message and "INSERT" not in message and "\n" not in message
    assert "整个文件未导入" in message
    assert "[SQL" not in caught.value.render("en") and "nothing" in caught.value.render("en")
    after = dump_database(engine)
    assert {k: v for k, v in after.items() if not k.startswith("audit")} == {
        k: v for k, v in before.items() if not k.startswith("audit")
    }
    # The failed attempt is in the history, newest first, with its reason.
    [failed] = [h for h in import_history(session, OFFICER) if h.status == "failed"]
    assert failed.filename == VR and failed.kind == "patents" and failed.layout == "patentics-24"
    # SQLite names the column (patent_publications.number), PostgreSQL the index
    # (uq_patent_publications_number): both are the database's own words.
    assert failed.rows_read == 7805 and re.search(r"patent_publications[._]number", failed.reason or "")


@pytest.mark.usefixtures("unguarded")
def test_web_confirm_shows_one_sentence_and_the_history_the_failure(
    client: Any, make_user: Callable[..., str], session: Session
) -> None:
    add_sample_patent(session, OWNER, TAKEN)
    login(client, make_user("city_officer", username="city-officer"))
    token = csrf_of(client)
    preview = client.post(
        "/import/preview",
        data={"csrf_token": token},
        files={"file": (VR, vr_file().read_bytes(), "application/gzip")},
    )
    assert preview.status_code == 200
    staged = preview.text.split('action="/import/')[1].split("/confirm")[0]
    page = client.post(f"/import/{staged}/confirm", data={"csrf_token": token, "kind": "patents"})
    assert page.status_code == 200
    for _ in range(600):
        block = client.get(f"/import/{staged}/progress")
        if 'id="import-failed"' in block.text or 'id="import-done"' in block.text:
            break
        time.sleep(0.1)
    assert 'id="import-failed"' in block.text
    text = block.text.split('id="import-failed">')[1].split("</p>")[0]
    assert "写入时数据库报错" in text and "[SQL" not in text and "INSERT" not in text
    history = client.get("/import").text
    assert "导入失败，未写入任何数据" in history and re.search(r"patent_publications[._]number", history)
    assert "Patentics 导出（24 列）" in history and "patentics-24" not in history


@pytest.mark.usefixtures("unguarded")
def test_cli_reports_a_database_error_in_one_line_and_exits_2(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    session: Session,
    engine: Engine,
    database_url: str,
    tmp_path: Path,
) -> None:
    add_sample_patent(session, OWNER, TAKEN)
    monkeypatch.setenv("IPCITY_UPLOAD_DIR", str(tmp_path / "files"))
    code, _, err = run_cli(monkeypatch, capsys, "--db", database_url, "import", str(vr_file()), "--json")
    assert code == 2
    [line] = [line for line in err.splitlines() if line.startswith("错误：")]
    assert "写入时数据库报错" in line and "[SQL" not in err and "Traceback" not in err


def test_cli_json_reports_an_absolute_errors_file(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    session: Session,
    database_url: str,
    tmp_path: Path,
) -> None:
    add_sample_patent(session, OWNER, TAKEN)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("IPCITY_UPLOAD_DIR", "relative-files")  # the default is relative too
    code, out, _ = run_cli(monkeypatch, capsys, "--db", database_url, "import", str(vr_file()), "--json")
    assert code == 0
    summary = json.loads(out)
    assert (summary["inserted"], summary["rejected"]) == (7804, 1)
    errors_file = Path(summary["errors_file"])
    assert errors_file.is_absolute() and errors_file.is_relative_to(tmp_path / "relative-files")
    assert errors_file.exists()
