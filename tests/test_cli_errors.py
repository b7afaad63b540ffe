"""The command line's contract beyond each command's work: every role can be created on a
fresh database; errors are one line, ``错误：`` and one Chinese sentence (English under
``IPCITY_DEFAULT_LOCALE=en``) without a class name; exit codes 0 / 1 (a failed check) / 2
(input that cannot be used); options mean the same in every command; help is bilingual;
the indicator tables fit 80 columns.

Most tests run ``ipcity.cli.main`` in this process, as tests/test_cli.py does. Creating the
users runs the installed script in a fresh interpreter: in this process every model module
is already imported, which hid the missing tables of defect #1."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import typer.main
from ipcity_testing import run_cli
from rich.cells import cell_len
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from ipcity.auth.models import User
from ipcity.cli import app
from ipcity.indicators.cli import column_groups
from ipcity.policy.cli import policy_years
from ipcity.policy.service import current_policy

Run = Callable[..., tuple[int, str, str]]
SCRIPT = Path(sys.executable).with_name("ipcity")
CLASS_NAME = re.compile(r"\b[A-Z][a-zA-Z]+(Error|Exception|Parameter|Option)\b")


@pytest.fixture
def cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path
) -> Run:
    """``ipcity --db <test database> ARGS…`` through ``main()`` at 80 columns: (exit code,
    stdout, stderr); ``db=None`` leaves ``--db`` out, ``env`` sets variables for the call."""
    monkeypatch.setenv("IPCITY_UPLOAD_DIR", str(tmp_path / "files"))
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.delenv("IPCITY_DEFAULT_LOCALE", raising=False)

    def run(
        *args: str, db: str | None = database_url, env: dict[str, str] | None = None
    ) -> tuple[int, str, str]:
        for key, value in (env or {}).items():
            monkeypatch.setenv(key, value)
        return run_cli(monkeypatch, capsys, *(["--db", db] if db else []), *args)

    return run


def only_line(err: str) -> str:
    """The error: exactly one non-empty line on stderr, without a class name."""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert not CLASS_NAME.search(lines[0]), lines[0]
    return lines[0]


# --------------------------------------------------------------------------- 1. every role


def _script(url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "IPCITY_UPLOAD_DIR": str(tmp_path / "files"), "COLUMNS": "80"}
    env.pop("IPCITY_DEFAULT_LOCALE", None)
    return subprocess.run(
        [str(SCRIPT), "--db", url, *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_every_role_is_created_through_the_cli_on_a_fresh_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    assert _script(url, tmp_path, "init").returncode == 0
    holders = tmp_path / "holders.csv"
    holders.write_text("名称,行政区划代码\n鹤壁示例科技有限公司,410611\n", encoding="utf-8")
    done = _script(url, tmp_path, "import", str(holders), "--kind", "holders", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["inserted"] == 1
    engine = create_engine(url)
    with engine.connect() as conn:
        holder_id = conn.execute(text("SELECT id FROM holders")).scalar_one()
    created = {
        "boss": ["--role", "admin"],
        "city": ["--role", "city_officer"],
        "qibin": ["--role", "county_officer", "--region", "410611"],
        "firm": ["--role", "enterprise", "--holder", str(holder_id)],
    }
    for name, options in created.items():
        done = _script(url, tmp_path, "user", "add", name, *options, "--password", "a-long-enough-secret")
        assert done.returncode == 0 and done.stderr == "", (name, done.stderr)
        assert f"已创建用户 {name}" in done.stdout
    with Session(engine) as session:
        users = {u.username: u for u in session.scalars(select(User))}
    engine.dispose()
    assert {n: users[n].role for n in created} == {
        "boss": "admin",
        "city": "city_officer",
        "qibin": "county_officer",
        "firm": "enterprise",
    }
    assert users["qibin"].region_code == "410611" and users["firm"].holder_id == holder_id
    verified = _script(url, tmp_path, "audit", "verify")
    assert verified.returncode == 0 and "审计日志完整" in verified.stdout


# --------------------------------------------------------------------------- 2. policy test PATH


def test_policy_test_refuses_a_missing_path_or_one_without_scenarios(cli: Run, tmp_path: Path) -> None:
    code, out, err = cli("policy", "test", str(tmp_path / "nonexistent.yaml"), db=None)
    assert code == 2 and "场景通过" not in out
    assert only_line(err) == f"错误：场景文件或文件夹不存在：{tmp_path / 'nonexistent.yaml'}"
    (tmp_path / "empty").mkdir()
    code, out, err = cli("policy", "test", str(tmp_path / "empty"), db=None)
    assert code == 2 and "场景通过" not in out
    assert only_line(err).startswith(f"错误：{tmp_path / 'empty'} 中没有场景")


def test_policy_test_exits_1_when_a_scenario_fails(cli: Run, tmp_path: Path) -> None:
    scenario = tmp_path / "wrong.yaml"
    scenario.write_text(
        """scenarios:
  - name: 期望错误的金额
    year: 2019
    rules: [P2.1-a]
    input:
      holders:
        - {name: 鹤壁天海电器有限公司, region: "410611"}
      patents:
        - {number: CN201710123456.0, type: invention, filed: 2017-03-01, granted: 2019-05-07, holders: [鹤壁天海电器有限公司]}
    expect:
      - {rule: P2.1-a, object: CN201710123456.0, holder: 鹤壁天海电器有限公司, amount: 9999, status: eligible}
""",
        encoding="utf-8",
    )
    code, out, _ = cli("policy", "test", str(scenario), db=None)
    assert code == 1 and "0/1 个场景通过" in out


# --------------------------------------------------------------------------- 3. one Chinese line


def test_a_database_url_that_is_not_valid(cli: Run) -> None:
    for url in ("bogus://x", "mysql://u@h/db", "not a url"):
        code, _, err = cli("stats", db=url)
        assert code == 2
        line = only_line(err)
        assert line.startswith(f"错误：数据库地址无效：{url}")
        assert "sqlite:///" in line and "postgresql://" in line


def test_init_refuses_a_sqlite_file_in_a_missing_folder(cli: Run, tmp_path: Path) -> None:
    code, _, err = cli("init", db=f"sqlite:///{tmp_path / 'nowhere' / 'x.db'}")
    assert code == 2 and only_line(err) == f"错误：文件夹不存在：{tmp_path / 'nowhere'}"


def test_export_into_a_missing_folder(cli: Run, tmp_path: Path) -> None:
    out = tmp_path / "nowhere" / "out.csv"
    code, _, err = cli("export", str(out))
    assert code == 2 and only_line(err) == f"错误：文件夹不存在：{tmp_path / 'nowhere'}"


@pytest.mark.parametrize(
    "args",
    [
        ["indicators", "--year", "abc"],
        ["policy", "evaluate", "--year", "abc"],
        ["export", "x.csv", "--year", "abc"],
    ],
)
def test_a_value_that_is_not_a_number_names_the_option_and_the_value(cli: Run, args: list[str]) -> None:
    code, _, err = cli(*args)
    assert code == 2 and only_line(err) == "错误：--year 应为整数，收到：abc"


def test_usage_errors_are_one_chinese_line_with_exit_2(cli: Run) -> None:
    cases = {
        ("nosuch",): "错误：没有命令 nosuch；可用的命令：indicators, init,",
        ("policy", "nosuch"): "错误：没有命令 nosuch；可用的命令：evaluate, explain, check, test",
        ("stats", "--bogus"): "错误：没有选项 --bogus；请运行 ipcity stats --help 查看可用的选项",
        ("stats", "extra"): "错误：多余的参数：extra；请运行 ipcity stats --help 查看用法",
        ("indicators",): "错误：缺少必填的选项 --year",
        ("indicators", "--year"): "错误：选项 --year 需要一个值",
        ("policy", "explain"): "错误：缺少必填的参数 ENTITLEMENT_ID",
        ("user", "add"): "错误：缺少必填的参数 USERNAME",
    }
    for args, expected in cases.items():
        code, _, err = cli(*args)
        assert code == 2, args
        assert only_line(err).startswith(expected), (args, err)


def test_errors_in_english_when_the_ui_is_english(cli: Run) -> None:
    english = {"IPCITY_DEFAULT_LOCALE": "en"}
    code, _, err = cli("indicators", "--year", "abc", env=english)
    assert code == 2 and only_line(err) == "Error: --year must be a whole number, got: abc"
    code, _, err = cli("stats", db="bogus://x", env=english)
    assert code == 2 and only_line(err).startswith("Error: The database URL is not valid: bogus://x")


def test_a_setting_that_does_not_validate(cli: Run) -> None:
    code, _, err = cli("stats", env={"IPCITY_ENVIRONMENT": "staging"})
    assert code == 2 and only_line(err) == "错误：设置 IPCITY_ENVIRONMENT 的值无效：staging"


def test_no_command_shows_the_help_with_exit_2(cli: Run) -> None:
    code, out, err = cli(db=None)
    assert code == 2 and "用户管理 / users" in out + err and "错误" not in out + err


# --------------------------------------------------------------------------- 4. exit codes


def test_exit_codes_are_the_same_for_the_same_kind_of_error(cli: Run) -> None:
    assert cli("policy", "evaluate", "--year", "abc")[0] == 2
    assert cli("policy", "explain", "2019:P2.1-a:CN000")[0] == 2
    assert cli("policy", "explain", "nonsense")[0] == 2
    assert cli("import", "/nonexistent/file.csv")[0] == 2
    assert cli("audit", "verify")[0] == 0
    assert cli("stats", "--json")[0] == 0


# --------------------------------------------------------------------------- 5. options


def test_indicators_take_a_zone_code(cli: Run) -> None:
    code, out, _ = cli("indicators", "--year", "2018", "--json")
    assert code == 0 and "hebi_etdz" in json.loads(out)["zones"]
    code, out, _ = cli("indicators", "--year", "2018", "--region", "hebi_etdz", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["regions"] == {} and list(data["zones"]) == ["hebi_etdz"]
    assert "zone_invention_patents_per_10k_residents" in data["zones"]["hebi_etdz"]
    code, out, _ = cli("indicators", "--year", "2018", "--region", "hebi_etdz")
    assert code == 0 and "hebi_etdz" in out and "410600" not in out


def test_indicators_name_the_accepted_codes(cli: Run) -> None:
    code, _, err = cli("indicators", "--year", "2018", "--region", "hebi")
    assert code == 2
    line = only_line(err)
    assert line.startswith("错误：未找到地区或园区：hebi；")
    assert "410611" in line and "hebi_etdz" in line


def test_export_refuses_an_unknown_region(cli: Run, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    code, _, err = cli("export", str(out), "--region", "999999")
    assert code == 2 and only_line(err) == "错误：行政区划代码 999999 不存在"
    assert not out.exists()
    assert cli("export", str(out), "--region", "410611")[0] == 0 and out.exists()


def test_policy_evaluate_refuses_a_year_before_the_policy(cli: Run) -> None:
    start, first, last = policy_years(current_policy())
    assert (start.isoformat(), first, last) == ("2017-09-30", 2017, None)
    code, out, err = cli("policy", "evaluate", "--year", "1990")
    assert code == 2 and out == ""
    assert (
        only_line(err) == "错误：策略 hebi-2017 自 2017-09-30 起施行，应选择 2017 年或以后的年度，收到：1990"
    )


def test_policy_evaluate_says_why_a_year_is_empty(cli: Run) -> None:
    code, out, _ = cli("policy", "evaluate", "--year", "2019")
    assert code == 0
    assert out.strip() == "2019 年度没有应享受项目：登记簿中没有符合规则条件的记录"
    code, out, _ = cli("policy", "evaluate", "--year", "2019", "--json")
    assert code == 0 and json.loads(out) == []


# --------------------------------------------------------------------------- 6. help


def _commands(command: object, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], object]]:
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _commands(sub, (*path, name))


CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_command_and_option_is_described_in_chinese_then_english() -> None:
    root = typer.main.get_command(app)
    # Resilient: a context without parsing the (absent) command line, for the help option.
    ctx = root.make_context("ipcity", [], resilient_parsing=True)
    seen = 0
    for path, command in _commands(root):
        texts = [getattr(command, "help", "") or ""]
        if path:
            texts.append(getattr(command, "short_help", None) or texts[0])
        for param in [*command.params, command.get_help_option(ctx)]:  # type: ignore[attr-defined]
            if param is not None:
                texts.append(param.help or "")
        for described in texts:
            first = described.split("\n\n")[0]
            chinese, sep, english = first.partition(" / ")
            assert sep and CJK.search(chinese) and re.search(r"[a-z]", english), (path, described)
            assert "\n" not in first, (path, described)
            seen += 1
    assert seen > 40


def test_help_fits_80_columns_without_cropping(cli: Run) -> None:
    root = typer.main.get_command(app)
    for path, _ in _commands(root):
        code, out, _ = cli(*path, "--help", db=None)
        assert code == 0, path
        assert "…" not in out and "Show this message" not in out, (path, out)
        assert all(cell_len(line) <= 80 for line in out.splitlines()), (path, out)


def test_demo_names_the_account_by_its_role(cli: Run, tmp_path: Path) -> None:
    code, out, _ = cli("demo", "--no-serve", "--patents", "50", db=f"sqlite:///{tmp_path / 'demo.db'}")
    assert code == 0
    line = next(line for line in out.splitlines() if "password" in line)
    assert line.startswith("市级知识产权管理人员账号 / City IP officer account: officer  密码 / password: ")


# --------------------------------------------------------------------------- 7. 80 columns


def test_indicator_tables_fit_80_columns_without_cropping(
    cli: Run, database_url: str, tmp_path: Path
) -> None:
    from ipcity.demo.loader import load_sample

    engine = create_engine(database_url)
    with Session(engine) as session:
        load_sample(session, patents=300)
        session.commit()
    engine.dispose()
    code, out, _ = cli("indicators", "--year", "2023")
    assert code == 0
    assert "…" not in out
    assert all(cell_len(line) <= 80 for line in out.splitlines()), out
    headers = re.findall(r"┃ ([^┃]+?) +(?=┃)", out)
    shown = {h.strip() for h in headers}
    assert {"410600", "410602", "410603", "410611", "410621", "410622", "410671"} <= shown
    assert {"hebi_etdz", "hebi_urban_rural_demo"} <= shown
    assert "有效发明专利拥有量" in out and "invention_patents_in_force" not in out and "410611 淇滨区" in out


def test_column_groups_share_the_columns_evenly() -> None:
    assert column_groups(41, [6] * 7, 80) == [[0, 1, 2], [3, 4], [5, 6]]
    assert column_groups(41, [6] * 7, 200) == [[0, 1, 2, 3, 4, 5, 6]]
    assert column_groups(41, [60], 80) == [[0]]  # too wide even alone: one table, cells folded


def test_demo_refuses_a_negative_number_of_patents_in_one_sentence(cli: Run, tmp_path: Path) -> None:
    code, _, err = cli("demo", "--no-serve", "--patents", "-5", db=f"sqlite:///{tmp_path / 'demo.db'}")
    assert code == 2 and "--patents 应为 0 到 2,000,000 之间的整数，收到：-5" in err
    assert not (tmp_path / "demo.db").exists()  # nothing was made


def test_a_file_of_another_kind_is_named_for_what_it_is(cli: Run, tmp_path: Path) -> None:
    population = tmp_path / "population.csv"
    population.write_text("行政区划代码,年份,常住人口\n410611,2020,300000\n", encoding="utf-8")
    code, _, err = cli("import", str(population), "--kind", "trademarks")
    assert code == 2
    assert "是常住人口文件（常住人口导入模板），不是所选的商标" in err


def test_a_database_error_is_told_in_the_users_words(cli: Run, tmp_path: Path) -> None:
    """A file that is not a database, a database opened read-only: the condition in the
    user's language (the driver's English words are not the sentence), exit 1."""
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"\x00\xffnot sqlite" * 500)
    code, _, err = cli("stats", "--json", db=f"sqlite:///{garbage}")
    assert code == 1 and only_line(err) == "错误：数据库操作失败，命令未完成：该文件不是数据库"
    database = tmp_path / "registry.db"
    assert cli("init", db=f"sqlite:///{database}")[0] == 0
    read_only = f"sqlite:///file:{database}?mode=ro&uri=true"
    code, _, err = cli(
        "user", "add", "reader1", "--role", "city_officer", "--password", "Abcdefgh12345!", db=read_only
    )
    assert code == 1 and only_line(err) == "错误：数据库操作失败，命令未完成：数据库文件只读，不能写入"
    # In English (the setting stays for the rest of this test).
    code, _, err = cli("stats", "--json", db=f"sqlite:///{garbage}", env={"IPCITY_DEFAULT_LOCALE": "en"})
    assert code == 1 and "the file is not a database" in only_line(err)
