"""Another city writes another policy file, not code (issue: the policy as code): the file
named by ``IPCITY_POLICY_FILE`` is the policy in force for the CLI and the web app, checked
when they start (a fault is one line naming its file, line and reason), and
``ipcity policy check FILE`` checks a file before it is put in force."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from ipcity_testing import run_cli, shared_file

from ipcity.config import Settings
from ipcity.policy import service
from ipcity.policy.loader import DEFAULT_POLICY, PolicyFileError, use_policy_file
from ipcity.web.app import create_app

HENAN = "henan_sample_10_62cols.csv"


@pytest.fixture(autouse=True)
def shipped_policy_after() -> Iterator[None]:
    """Whatever a test puts in force, the next test starts from the shipped policy."""
    yield
    use_policy_file(None)


def _city_file(tmp_path: Path, grant_subsidy: int | None = None, clause: str | None = None) -> Path:
    """A copy of the shipped policy, its P2.1-a amount (or a clause id) changed."""
    text = DEFAULT_POLICY.read_text(encoding="utf-8")
    if grant_subsidy is not None:
        assert text.count("{from: 2017-09-30, value: 4000}") == 1
        text = text.replace(
            "{from: 2017-09-30, value: 4000}", f"{{from: 2017-09-30, value: {grant_subsidy}}}"
        )
    if clause is not None:
        text = text.replace("P2.1-a", clause, 1)
    path = tmp_path / "另一城市.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_cli_evaluates_with_the_policy_file_the_settings_name(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], database_url: str, tmp_path: Path
) -> None:
    monkeypatch.setenv("IPCITY_UPLOAD_DIR", str(tmp_path / "files"))
    db = ["--db", database_url]
    assert run_cli(monkeypatch, capsys, *db, "import", str(shared_file("patents_cn", HENAN)))[0] == 0

    def grant_amounts() -> set[int]:
        code, out, _ = run_cli(
            monkeypatch, capsys, *db, "policy", "evaluate", "--year", "2024", "--json", "--rule", "P2.1-a"
        )
        assert code == 0
        # The value in force on each grant's reference date (the Zhengzhou holders are not
        # local: nothing is paid, and the amount the rule would pay is still shown).
        return {e["parameters"]["invention_grant_subsidy"] for e in json.loads(out)}

    assert grant_amounts() == {4000}
    monkeypatch.setenv("IPCITY_POLICY_FILE", str(_city_file(tmp_path, grant_subsidy=5000)))
    assert grant_amounts() == {5000}
    monkeypatch.setenv("IPCITY_POLICY_FILE", str(_city_file(tmp_path, clause="P9.9-z")))
    code, out, err = run_cli(monkeypatch, capsys, *db, "stats")
    assert (code, out) == (2, "")
    assert err.startswith("错误：另一城市.yaml 第 20 行：未知的条款编号“P9.9-z”") and err.count("\n") == 1


def test_policy_check_says_ok_or_names_the_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run_cli(
        monkeypatch, capsys, "policy", "check", str(_city_file(tmp_path, grant_subsidy=5000))
    )
    assert code == 0 and out.startswith("另一城市.yaml：11 条规则、21 个参数，检查通过")
    code, _, err = run_cli(monkeypatch, capsys, "policy", "check", str(_city_file(tmp_path, clause="P9.9-z")))
    assert code == 2 and "第 20 行：未知的条款编号“P9.9-z”" in err
    code, _, err = run_cli(monkeypatch, capsys, "policy", "check", str(tmp_path / "none.yaml"))
    assert code == 2 and "策略文件不存在" in err


def test_the_web_app_serves_the_policy_file_and_refuses_a_bad_one(tmp_path: Path, database_url: str) -> None:
    settings = Settings(database_url=database_url, environment="test", policy_file=_city_file(tmp_path, 5000))
    create_app(settings)
    grant = service.current_policy().parameters["invention_grant_subsidy"]
    assert grant.value_on(date(2024, 1, 1)) == 5000
    bad = Settings(
        database_url=database_url, environment="test", policy_file=_city_file(tmp_path, clause="P9.9-z")
    )
    with pytest.raises(PolicyFileError) as refused:
        create_app(bad)
    assert "第 20 行" in refused.value.render("zh_CN")
    create_app(Settings(database_url=database_url, environment="test"))
    assert service.current_policy().file == "hebi-2017.yaml"
