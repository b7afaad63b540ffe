"""``ipcity indicators --year Y [--region CODE] --json``."""

from __future__ import annotations

import json

from indicators_registry import build
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from ipcity.cli import app


def test_cli_json_for_city_counties_and_zones(session: Session, database_url: str) -> None:
    build(session)
    result = CliRunner().invoke(app, ["--db", database_url, "indicators", "--year", "2018", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["date"] == "2018-12-31"
    assert set(data["regions"]) >= {"410600", "410611", "410621", "410671"}
    assert data["regions"]["410600"]["invention_patents_in_force"] == 15
    assert data["regions"]["410611"]["invention_patents_per_10k_residents"] == 0.15
    assert data["regions"]["410600"]["invention_patents_per_10k_residents"].startswith("not assessable")
    assert data["zones"]["hebi_etdz"]["zone_invention_patents_per_10k_residents"] == 1.0


def test_cli_one_region_and_a_table(session: Session, database_url: str) -> None:
    build(session)
    result = CliRunner().invoke(
        app, ["--db", database_url, "indicators", "--year", "2018", "--region", "410621", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data["regions"]) == ["410621"]
    assert set(data["zones"]) == {"hebi_agri_park"}
    table = CliRunner().invoke(app, ["--db", database_url, "indicators", "--year", "2018"])
    assert table.exit_code == 0 and "有效发明专利拥有量" in table.stdout


def test_cli_refuses_a_bad_year(database_url: str) -> None:
    from ipcity.errors import IPCityError

    result = CliRunner().invoke(app, ["--db", database_url, "indicators", "--year", "1900", "--json"])
    assert result.exit_code != 0 and isinstance(result.exception, IPCityError)
