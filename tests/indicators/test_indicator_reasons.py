"""Why a value is not assessable, in the reader's language: the API's ``reasons`` (Chinese by
default, English with ``?lang=en`` or Accept-Language), the CLI's ``--json`` and its table
(the indicators by name, not by id) in the CLI's language; the values themselves keep their
fixed English ``"not assessable: …"`` that clients match on."""

from __future__ import annotations

import json
from typing import Any

from indicators_registry import build
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from ipcity.cli import app
from ipcity.indicators import cli as indicators_cli
from ipcity.indicators import definitions

PER_10K = "invention_patents_per_10k_residents"
CITY_NO_POPULATION = "not assessable: no population for region/year (410600/2018)"


def test_api_reasons_are_chinese_by_default_and_english_when_asked(client: Any, session: Session) -> None:
    build(session)
    chinese = client.get("/api/v1/indicators?year=2018").json()
    # The value stays the code it was; the sentence goes beside it.
    assert chinese["regions"]["410600"][PER_10K] == CITY_NO_POPULATION
    assert chinese["reasons"]["regions"]["410600"][PER_10K] == "鹤壁市（410600）2018年常住人口数据缺失"
    amount = chinese["reasons"]["regions"]["410600"]["pledge_financing_amount"]
    assert amount.startswith("当年 3 笔质押贷款中有 1 笔未登记贷款金额") and "ZY2018-03" in amount
    # Only what is not assessable has a reason; every area has its key.
    assert "invention_patents_in_force" not in chinese["reasons"]["regions"]["410600"]
    assert set(chinese["reasons"]["regions"]) == set(chinese["regions"])
    assert set(chinese["reasons"]["zones"]) == set(chinese["zones"])

    for english in (
        client.get("/api/v1/indicators?year=2018&lang=en").json(),
        client.get("/api/v1/indicators?year=2018", headers={"Accept-Language": "en-US,en;q=0.9"}).json(),
    ):
        assert english["regions"]["410600"][PER_10K] == CITY_NO_POPULATION
        reason = english["reasons"]["regions"]["410600"][PER_10K]
        assert reason.startswith("There is no resident population figure for Hebi") and "410600" in reason


def test_api_says_in_chinese_that_no_pledge_loan_is_registered(client: Any) -> None:
    data = client.get("/api/v1/indicators?year=2020").json()
    assert (
        data["regions"]["410600"]["pledge_loans"]
        == "not assessable: no pledge loan registered on the platform"
    )
    assert data["reasons"]["regions"]["410600"]["pledge_loans"] == definitions.MSG_NO_LOANS_REGISTERED
    english = client.get("/api/v1/indicators?year=2020&lang=en").json()
    assert english["reasons"]["regions"]["410600"]["pledge_loans"].startswith(
        "No IP-pledge loan is registered"
    )


def test_api_series_gives_reasons_by_year(client: Any, session: Session) -> None:
    build(session)
    series = client.get(f"/api/v1/indicators/{PER_10K}?from=2017&to=2018").json()
    assert series["series"]["410600"]["2018"] == CITY_NO_POPULATION
    assert series["reasons"]["410600"]["2018"] == "鹤壁市（410600）2018年常住人口数据缺失"
    assert series["series"]["410611"]["2018"] == 0.15 and "2018" not in series["reasons"]["410611"]


def test_cli_json_and_table_speak_chinese(session: Session, database_url: str) -> None:
    build(session)
    result = CliRunner().invoke(app, ["--db", database_url, "indicators", "--year", "2018", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["regions"]["410600"][PER_10K] == CITY_NO_POPULATION
    assert data["reasons"]["regions"]["410600"][PER_10K] == "鹤壁市（410600）2018年常住人口数据缺失"

    table = CliRunner().invoke(
        app, ["--db", database_url, "indicators", "--year", "2018"], env={"COLUMNS": "200"}
    )
    assert table.exit_code == 0, table.output
    assert "有效发明专利拥有量" in table.stdout and "每万人口发明专利拥有量" in table.stdout
    assert "invention_patents_in_force" not in table.stdout and "not assessable" not in table.stdout
    assert "2018-12-31 · 地区" in table.stdout and "淇滨区" in table.stdout


def test_cli_in_english_where_the_cli_is_set_to_english(session: Session, database_url: str) -> None:
    build(session)
    env = {"IPCITY_DEFAULT_LOCALE": "en", "COLUMNS": "200"}
    result = CliRunner().invoke(
        app, ["--db", database_url, "indicators", "--year", "2018", "--json"], env=env
    )
    assert result.exit_code == 0, result.output
    reason = json.loads(result.stdout)["reasons"]["regions"]["410600"][PER_10K]
    assert reason.startswith("There is no resident population figure for Hebi")
    table = CliRunner().invoke(app, ["--db", database_url, "indicators", "--year", "2018"], env=env)
    assert table.exit_code == 0, table.output
    assert "Invention patents in force" in table.stdout and "invention_patents_in_force" not in table.stdout


def test_the_cli_knows_a_value_that_is_not_assessable_as_the_definitions_write_it() -> None:
    assert indicators_cli.NOT_ASSESSABLE_PREFIX == definitions.NOT_ASSESSABLE_PREFIX
