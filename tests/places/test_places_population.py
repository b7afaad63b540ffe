"""ipcity.places.population: 常住人口 with a cited source for every figure."""

from __future__ import annotations

from pathlib import Path

import pytest

from ipcity.errors import ValidationFailed
from ipcity.places.divisions import ancestors, counties_of
from ipcity.places.population import load_population, residents
from ipcity.registry.records import PopulationRecord


def test_shipped_figures() -> None:
    records = load_population()
    assert records and all(isinstance(r, PopulationRecord) for r in records)
    # 第七次全国人口普查: Hebi had 1,565,973 residents on 2020-11-01.
    assert residents("410600", 2020, records) == 1565973
    assert residents("410600", 1999, records) is None


def test_every_figure_cites_a_bulletin_and_lies_in_hebi() -> None:
    for record in load_population():
        assert record.source and ("公报" in record.source or "年鉴" in record.source)
        assert record.region_code == "410600" or "410600" in {d.code for d in ancestors(record.region_code)}
        assert 10_000 < record.residents < 3_000_000
        assert 2010 <= record.year <= 2024


def test_county_figures_never_exceed_the_city() -> None:
    records = load_population()
    hebi_counties = {d.code for d in counties_of("410600")}
    for year in {r.year for r in records}:
        city = residents("410600", year, records)
        counties = [r.residents for r in records if r.year == year and r.region_code in hebi_counties]
        if city is not None and counties:
            assert sum(counties) <= city


def test_source_rows_are_file_lines(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text(
        "\ufeffregion_code,year,residents,source\n"
        "410611,2020,500000,测试公报\n"
        '410622,2020,250000,"测试公报, 第二号"\n',
        encoding="utf-8",
    )
    records = load_population(path)
    assert [(r.source_row, r.region_code, r.source) for r in records] == [
        (2, "410611", "测试公报"),
        (3, "410622", "测试公报, 第二号"),
    ]


@pytest.mark.parametrize(
    ("body", "english"),
    [
        (
            "region_code,year,residents\n",
            'The population data lacks the column "source": expected region_code, '
            "year, residents and source.",
        ),
        ("410699,2020,1,x\n", 'Population data, row 2: region code "410699" is not in the GB/T 2260 table.'),
        (
            "410600,20x0,1,x\n",
            'Population data, row 2: year "20x0" is invalid; expected a whole number from 1949 to 2100.',
        ),
        (
            "410600,1900,1,x\n",
            'Population data, row 2: year "1900" is invalid; expected a whole number from 1949 to 2100.',
        ),
        (
            "410600,2020,-5,x\n",
            'Population data, row 2: residents "-5" is invalid; expected a positive whole number of persons.',
        ),
        (
            "410600,2020,0,x\n",
            'Population data, row 2: residents "0" is invalid; expected a positive whole number of persons.',
        ),
        (
            "410600,2020,12.5万,x\n",
            'Population data, row 2: residents "12.5万" is invalid; expected a positive '
            "whole number of persons.",
        ),
        (
            "410600,2020,100, \n",
            "Population data, row 2 has no source: every figure must name where it comes from.",
        ),
        (
            "410600,2020,100,x\n410600,2020,101,y\n",
            "Population data, row 3: a figure for 410600 in 2020 appears twice.",
        ),
    ],
)
def test_bad_population_files(tmp_path: Path, body: str, english: str) -> None:
    path = tmp_path / "p.csv"
    header = "" if body.startswith("region_code") else "region_code,year,residents,source\n"
    path.write_text(header + body, encoding="utf-8")
    with pytest.raises(ValidationFailed) as caught:
        load_population(path)
    assert caught.value.render("en") == english
