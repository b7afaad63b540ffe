"""The ``ipcity`` command line, run through its entry point (``ipcity.cli.main``, what the
console script calls) and once as the installed script: init, import (JSON summary, exit
codes, strict, kinds), stats, export, users, audit verification with tampering, demo.
Errors are one line on stderr, never a traceback."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from ipcity_testing import run_cli, shared_file
from openpyxl import load_workbook
from registry_testkit import audit_length, dump_database, population_kept, raw_text
from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ipcity.audit import AuditEntry
from ipcity.auth.roles import PUBLIC
from ipcity.auth.service import authenticate
from ipcity.registry.service import PatentQuery, search_patents

SUMMARY_KEYS = ["read", "inserted", "updated", "unchanged", "rejected", "merged", "warnings", "errors_file"]
TOYOTA = "incopat_toyota_cn_5048.csv.gz"
BAD_ROW = 4788  # the Toyota row with the IPC cell "B60R/; …", made bad in its main IPC below

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path
) -> Run:
    """Run ``ipcity --db <test database> ARGS…`` through ``main()``: (exit code, stdout, stderr)."""
    monkeypatch.setenv("IPCITY_UPLOAD_DIR", str(tmp_path / "files"))
    monkeypatch.setenv("COLUMNS", "80")  # a narrow terminal: long errors must still be one line

    def run(*args: str, db: str | None = None) -> tuple[int, str, str]:
        return run_cli(monkeypatch, capsys, "--db", db or database_url, *args)

    return run


def error_line(err: str) -> str:
    """The one line that reports the error (the progress bars above it are not errors)."""
    lines = [line for line in err.splitlines() if line.strip()]
    reported = [
        line
        for line in lines
        if line.startswith(("错误：", "全部", "严格模式", "审计日志被篡改", "文件中没有"))
    ]
    assert len(reported) == 1, err
    return reported[0]


def toyota_rows(tmp_path: Path, name: str, rows: range | list[int]) -> Path:
    """Rows of the real Toyota export (numbered as in the file, header = 1) as a CSV."""
    table = list(csv.reader(io.StringIO(raw_text(shared_file("patents_cn", TOYOTA)), newline="")))
    # A malformed secondary IPC code is only dropped (with a warning): the row's truncated
    # "B60R/" goes into its main IPC, which rejects the row.
    table[BAD_ROW - 1][table[0].index("IPC主分类")] = "B60R/"
    out = tmp_path / name
    with out.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([table[0], *(table[r - 1] for r in rows)])
    return out


def stats(cli: Run) -> dict[str, int]:
    code, out, _ = cli("stats", "--json")
    assert code == 0
    return json.loads(out)


# --------------------------------------------------------------------------- init, stats


def test_init_creates_and_migrates_a_database(
    cli: Run, tmp_path: Path, database_url: str, is_postgres: bool
) -> None:
    url = database_url if is_postgres else f"sqlite:///{tmp_path / 'fresh.db'}"
    code, out, _ = cli("init", db=url)
    assert code == 0 and "数据库已就绪" in out
    code, _, _ = cli("init", db=url)  # again: nothing to do, no error
    assert code == 0
    counts = json.loads(cli("stats", "--json", db=url)[1])
    assert counts["regions"] == 3234 and counts["zones"] == 5 and counts["patents"] == 0
    assert {"holders", "patents", "trademarks", "import_batches", "patents_invention"} <= set(counts)


def test_a_database_never_initialised_is_one_line(cli: Run, tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    code, _, err = cli("stats", db=f"sqlite:///{empty}")
    assert code == 2
    assert error_line(err) == f"错误：数据库尚未初始化：sqlite:///{empty}；请先运行 ipcity init"
    assert not empty.exists()  # asking left no empty file behind
    empty.touch()  # an empty file (another program made it): the same sentence
    code, _, err = cli("stats", db=f"sqlite:///{empty}")
    assert code == 2 and "请先运行 ipcity init" in error_line(err)


# --------------------------------------------------------------------------- import


def test_import_json_summary_with_rejected_rows(cli: Run, tmp_path: Path, engine: Engine) -> None:
    path = toyota_rows(tmp_path, "toyota_part.csv", range(BAD_ROW - 8, BAD_ROW + 12))
    code, out, _ = cli("import", str(path), "--json")
    assert code == 0
    summary = json.loads(out)
    assert list(summary) == SUMMARY_KEYS
    assert summary["read"] == 20 and summary["rejected"] == 1
    assert summary["inserted"] > 0 and summary["updated"] == 0 and summary["unchanged"] == 0
    errors_file = Path(summary["errors_file"])
    assert errors_file.is_relative_to(tmp_path / "files")
    listed = list(csv.reader(io.StringIO(errors_file.read_text(encoding="utf-8-sig"))))
    assert listed[0] == ["行号", "列", "值", "原因"] and listed[1][:2] == ["10", "IPC主分类"]
    assert stats(cli)["patents"] == summary["inserted"]

    before = dump_database(engine)
    code, out, _ = cli("import", str(path), "--json")
    again = json.loads(out)
    assert code == 0 and (again["inserted"], again["updated"], again["unchanged"]) == (
        0,
        0,
        summary["inserted"],
    )
    assert dump_database(engine) == before


def test_import_without_json_prints_a_table(cli: Run) -> None:
    code, out, _ = cli("import", str(shared_file("patents_cn", "henan_sample_10_62cols.csv")))
    assert code == 0
    assert "henan_sample_10_62cols.csv" in out and "inserted" in out and "10" in out


def test_nothing_importable_exits_2_with_the_reason(cli: Run, tmp_path: Path, engine: Engine) -> None:
    path = toyota_rows(tmp_path, "only_bad.csv", [BAD_ROW])
    before = dump_database(engine)
    code, out, err = cli("import", str(path), "--json")
    assert code == 2
    assert json.loads(out)["rejected"] == 1
    assert error_line(err) == "错误：全部 1 行均有误，没有可导入的行"
    assert dump_database(engine) == before


def test_unknown_layout_exits_2_with_one_line(cli: Run, tmp_path: Path, engine: Engine) -> None:
    path = tmp_path / "区局台账[2024].csv"
    path.write_text(
        "序号,[备注],企业名称,金额（元）\n1,[待核],鹤壁市示例科技有限公司,5000\n", encoding="utf-8"
    )
    before = dump_database(engine)
    code, _, err = cli("import", str(path))
    assert code == 2
    line = error_line(err)
    assert line.startswith("错误：无法识别文件「区局台账[2024].csv」的格式")
    assert "[备注]" in line  # printed as it is, not read as markup
    assert dump_database(engine) == before


def test_strict_refuses_the_file(cli: Run, tmp_path: Path, engine: Engine) -> None:
    path = toyota_rows(tmp_path, "toyota_part.csv", range(BAD_ROW - 5, BAD_ROW + 5))
    before = dump_database(engine)
    code, out, err = cli("import", str(path), "--strict", "--json")
    assert code == 2
    assert json.loads(out)["rejected"] == 1
    assert error_line(err) == "错误：严格模式：1 行有误，整个文件未导入，数据库未做任何修改"
    assert dump_database(engine) == before


def test_kind_population(cli: Run, tmp_path: Path, engine: Engine) -> None:
    path = tmp_path / "人口.csv"
    path.write_text("region_code,year,residents\n410611,2021,330121\n410621,2021,560310\n", encoding="utf-8")
    with population_kept(engine):
        code, out, _ = cli("import", str(path), "--kind", "population", "--json")
        assert code == 0 and json.loads(out)["inserted"] == 2
        assert stats(cli)["population"] >= 3
        # A population file is no trademark list.
        code, _, err = cli("import", str(path), "--kind", "trademarks")
        assert code == 2 and error_line(err).startswith("错误：文件「人口.csv」是常住人口文件")
    code, _, err = cli("import", str(path), "--kind", "people")
    assert code == 2
    assert "population" in error_line(err) and "people" in error_line(err)


def test_missing_file(cli: Run, tmp_path: Path) -> None:
    code, _, err = cli("import", str(tmp_path / "nowhere.csv"))
    assert code == 2 and error_line(err).startswith("错误：文件不存在")


# --------------------------------------------------------------------------- stats, export


def test_stats_json(cli: Run, engine: Engine) -> None:
    cli("import", str(shared_file("patents_cn", "henan_sample_10_62cols.csv")))
    counts = stats(cli)
    with engine.connect() as conn:
        for table, key in (
            ("patents", "patents"),
            ("holders", "holders"),
            ("patent_publications", "patent_publications"),
        ):
            assert counts[key] == conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
    assert (counts["patents_utility_model"], counts["patents_invention"], counts["patents_design"]) == (
        7,
        3,
        0,
    )
    assert counts["import_batches"] == 1


def _searched(session: Session, **filters: object) -> list[str]:
    page = search_patents(session, PUBLIC, PatentQuery(per_page=200, **filters))  # type: ignore[arg-type]
    return [item.application_number for item in page.items]


def test_export_csv_and_xlsx(cli: Run, tmp_path: Path, session: Session) -> None:
    cli("import", str(shared_file("patents_cn", "henan_sample_10_62cols.csv")))
    code, out, _ = cli("export", str(tmp_path / "out.csv"))
    assert code == 0 and "out.csv" in out
    rows = list(csv.reader(io.StringIO((tmp_path / "out.csv").read_text(encoding="utf-8-sig"))))
    assert rows[0][0] == "申请号"
    assert [r[0] for r in rows[1:]] == _searched(session)

    code, _, _ = cli("export", str(tmp_path / "out.xlsx"), "--type", "utility_model")
    assert code == 0
    sheet = load_workbook(tmp_path / "out.xlsx").worksheets[0]
    numbers = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert numbers == _searched(session, patent_type="utility_model") and len(numbers) == 7

    code, _, _ = cli("export", str(tmp_path / "en.csv"), "--lang", "en", "--status", "pending")
    rows = list(csv.reader(io.StringIO((tmp_path / "en.csv").read_text(encoding="utf-8-sig"))))
    assert rows[0][0] == "Application number" and {r[8] for r in rows[1:]} == {"Substantive examination"}

    # With search words, the search page's order (relevance), as the web export of the same
    # query; --sort chooses another, and an unknown one is refused naming it.
    code, _, _ = cli("export", str(tmp_path / "q.csv"), "--q", "无人机")
    rows = list(csv.reader(io.StringIO((tmp_path / "q.csv").read_text(encoding="utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == _searched(session, q="无人机", sort="relevance") and len(rows) > 2
    code, _, _ = cli("export", str(tmp_path / "n.csv"), "--q", "无人机", "--sort", "application_number")
    rows = list(csv.reader(io.StringIO((tmp_path / "n.csv").read_text(encoding="utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == _searched(session, q="无人机", sort="application_number")
    code, _, err = cli("export", str(tmp_path / "s.csv"), "--sort", "newest")
    assert code == 2 and error_line(err).startswith("错误：--sort 应为 relevance, -filing_date")

    code, _, err = cli("export", str(tmp_path / "out.txt"))
    assert code == 2 and "out.txt" in error_line(err)
    code, _, err = cli("export", str(tmp_path / "x.csv"), "--status", "alive")
    assert code == 2 and "alive" in error_line(err)


# --------------------------------------------------------------------------- users


def test_user_add(cli: Run, session: Session) -> None:
    code, out, _ = cli("user", "add", "qibin", "--role", "county_officer", "--region", "410611")
    assert code == 0
    found = re.search(r"已创建用户 qibin（county_officer），密码：(\S+)", out)
    assert found, out
    user = authenticate(session, "qibin", found.group(1), "cli-test", 5, 300)
    assert user.role == "county_officer" and user.region_code == "410611"
    session.commit()

    code, out, _ = cli("user", "add", "city", "--password", "a-long-enough-secret")
    assert code == 0 and "密码" not in out

    code, _, err = cli("user", "add", "qibin", "--password", "another-secret-1")
    assert code == 2 and "已存在" in error_line(err)
    code, _, err = cli("user", "add", "nobody", "--role", "county_officer")
    assert code == 2 and "县区" in error_line(err)
    code, _, err = cli("user", "add", "boss", "--role", "emperor")
    assert code == 2 and "emperor" in error_line(err)
    actions = session.scalars(select(AuditEntry.action)).all()
    assert actions.count("user.create") == 2


# --------------------------------------------------------------------------- audit verify


@pytest.fixture
def unguarded_sql(is_postgres: bool) -> tuple[list[str], list[str]]:
    """Raw SQL that lifts the append-only triggers, and SQL that puts them back."""
    if is_postgres:
        return (
            ["DROP TRIGGER audit_log_append_only ON audit_log"],
            [
                "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
                "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
            ],
        )
    return (
        ["DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete"],
        [
            f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
            "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
            for verb in ("UPDATE", "DELETE")
        ],
    )


@pytest.fixture
def audited(cli: Run, engine: Engine) -> Iterator[list[int]]:
    """A log of several entries (users created, a file imported); yields their ids."""
    for name in ("alice", "bob", "carol"):
        assert cli("user", "add", name, "--password", "a-long-enough-secret")[0] == 0
    assert cli("import", str(shared_file("patents_cn", "henan_sample_10_62cols.csv")))[0] == 0
    assert cli("user", "add", "dave", "--password", "a-long-enough-secret")[0] == 0
    with engine.connect() as conn:
        ids = [r[0] for r in conn.execute(text("SELECT id FROM audit_log ORDER BY id"))]
    assert len(ids) == 5 == audit_length(engine)
    code, out, _ = cli("audit", "verify")
    assert code == 0 and "审计日志完整：5 条记录" in out
    yield ids


def _tamper(engine: Engine, sql: tuple[list[str], list[str]], statement: str, **params: object) -> None:
    drop, restore = sql
    with engine.begin() as conn:
        for s in drop:
            conn.execute(text(s))
        conn.execute(text(statement), params)
        for s in restore:
            conn.execute(text(s))


def test_audit_verify_finds_an_edited_entry(
    cli: Run, engine: Engine, audited: list[int], unguarded_sql: tuple[list[str], list[str]]
) -> None:
    victim = audited[1]
    _tamper(
        engine,
        unguarded_sql,
        "UPDATE audit_log SET detail = :d WHERE id = :id",
        d='{"username": "eve"}',
        id=victim,
    )
    code, _, err = cli("audit", "verify")
    assert code == 1
    assert error_line(err) == f"审计日志被篡改：第 {victim} 条记录 — 审计记录内容与其哈希不符：该记录被修改"


def test_audit_verify_finds_a_deleted_entry(
    cli: Run, engine: Engine, audited: list[int], unguarded_sql: tuple[list[str], list[str]]
) -> None:
    _tamper(engine, unguarded_sql, "DELETE FROM audit_log WHERE id = :id", id=audited[2])
    code, _, err = cli("audit", "verify")
    assert code == 1
    line = error_line(err)
    assert line.startswith(f"审计日志被篡改：第 {audited[3]} 条记录") and "删除" in line


def test_audit_verify_finds_a_deleted_last_entry(
    cli: Run, engine: Engine, audited: list[int], unguarded_sql: tuple[list[str], list[str]]
) -> None:
    _tamper(engine, unguarded_sql, "DELETE FROM audit_log WHERE id = :id", id=audited[-1])
    code, _, err = cli("audit", "verify")
    assert code == 1 and error_line(err).startswith(f"审计日志被篡改：第 {audited[-1]} 条记录")


def test_audit_verify_finds_a_log_emptied_with_its_head(
    cli: Run, engine: Engine, audited: list[int], unguarded_sql: tuple[list[str], list[str]]
) -> None:
    # The chain of no entries is unbroken, and a head row reset with it agrees: the import
    # batch the registry still holds names the entry that is gone.
    _tamper(engine, unguarded_sql, "DELETE FROM audit_log")
    _tamper(engine, unguarded_sql, "DELETE FROM audit_head")
    with engine.connect() as conn:
        batch = conn.execute(text("SELECT id FROM import_batches")).scalar()
    code, _, err = cli("audit", "verify")
    assert code == 1
    assert error_line(err) == f"审计日志被篡改：导入批次 {batch} 在审计日志中没有记录：日志的记录被整段删除"


# --------------------------------------------------------------------------- demo


def test_demo_builds_the_sample_data(cli: Run, tmp_path: Path, database_url: str, is_postgres: bool) -> None:
    url = database_url if is_postgres else f"sqlite:///{tmp_path / 'demo.db'}"
    code, out, _ = cli("demo", "--no-serve", "--patents", "300", db=url)
    assert code == 0
    assert "示例数据已生成" in out and "patents: 300" in out
    found = re.search(r"officer account: (\S+)\s+密码 / password: (\S+)", out)
    assert found, out
    username, password = found.groups()
    from ipcity.db import make_engine, make_session_factory

    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as s:
            assert authenticate(s, username, password, "cli-test", 5, 300).role == "city_officer"
            s.commit()
    finally:
        engine.dispose()
    assert cli("audit", "verify", db=url)[0] == 0
    # Sample data goes into an empty registry only.
    if is_postgres:
        code, _, err = cli("demo", "--no-serve", "--patents", "300", db=url)
        assert code == 2 and "空数据库" in error_line(err)
        return
    # A SQLite file that holds only a demo is made again ...
    assert cli("demo", "--no-serve", "--patents", "50", db=url)[0] == 0
    # ... but once it holds an import or a user of its own, the demo never deletes it.
    assert (
        cli(
            "user",
            "add",
            "county-qibin",
            "--role",
            "county_officer",
            "--region",
            "410611",
            "--password",
            "a-long-password-1",
            db=url,
        )[0]
        == 0
    )
    code, _, err = cli("demo", "--no-serve", "--patents", "50", db=url)
    assert code == 2 and "示例账号以外的用户 1 个" in error_line(err) and "不会覆盖" in error_line(err)
    code, out, _ = cli("stats", "--json", db=url)
    assert code == 0 and json.loads(out)["patents"] == 50  # the file is as it was


# --------------------------------------------------------------------------- the installed script


def test_the_console_script(tmp_path: Path, database_url: str) -> None:
    script = Path(sys.executable).with_name("ipcity")
    bad = tmp_path / "unknown.csv"
    bad.write_text("甲,乙\n1,2\n", encoding="utf-8")
    env = {**os.environ, "IPCITY_UPLOAD_DIR": str(tmp_path / "files"), "COLUMNS": "60"}
    done = subprocess.run(
        [str(script), "--db", database_url, "import", str(bad)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stdout + done.stderr
    assert [line for line in done.stderr.splitlines() if line.startswith("错误：")] == [
        line for line in done.stderr.splitlines() if line.strip()
    ][-1:]
    assert "unknown.csv" in done.stderr
    done = subprocess.run(
        [str(script), "--db", database_url, "audit", "verify"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0 and "审计日志完整" in done.stdout


def test_import_an_award_list_by_kind(cli: Run, tmp_path: Path) -> None:
    path = tmp_path / "获奖名单.csv"
    path.write_text(
        "专利号,奖项,授奖日期,权利人\nCN201710123456.0,省专利奖二等奖,2019-11-20,鹤壁甲科技有限公司\n",
        encoding="utf-8-sig",
    )
    code, out, _ = cli("import", str(path), "--kind", "awards", "--json")
    assert code == 0
    assert {k: json.loads(out)[k] for k in ("read", "inserted", "rejected")} == {
        "read": 1,
        "inserted": 1,
        "rejected": 0,
    }
    code, _, err = cli("import", str(path), "--kind", "award", "--json")
    assert code != 0 and "awards" in error_line(err)


def test_a_folder_or_a_refused_file_is_one_line_and_exit_2(cli: Run, tmp_path: Path, engine: Engine) -> None:
    """A folder given for the file, and a file refused before any row is read: exit 2 and
    one line on stderr, nothing before it (no empty progress bar's blank line)."""
    before = dump_database(engine)
    code, out, err = cli("import", str(tmp_path))
    assert (code, out) == (2, "")
    assert err == f"错误：“{tmp_path}”不是文件（是文件夹或设备）；请给出要导入的文件\n"
    header_only = tmp_path / "只有表头.csv"
    header_only.write_text("申请号,标题\n", encoding="utf-8")
    code, out, err = cli("import", str(header_only), "--json")
    assert (code, out) == (2, "")
    assert err.startswith("错误：收到的文件「只有表头.csv」在表头之下没有数据行") and err.count("\n") == 1
    assert dump_database(engine) == before
