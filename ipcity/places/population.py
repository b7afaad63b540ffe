"""Resident population (常住人口) by region and year, the denominator of "per 10,000
residents" indicators (P1.2, P2.1).

The shipped figures are in ``data/hebi_population.csv`` (region_code, year, residents,
source); every row names the public bulletin it comes from, and a year without a
published figure is left out rather than estimated (see ``docs/places.md``).
"""

from __future__ import annotations

import csv
import io
from importlib import resources
from pathlib import Path

from ipcity.errors import ValidationFailed
from ipcity.places.divisions import is_valid_region_code
from ipcity.registry.records import PopulationRecord

COLUMNS = ("region_code", "year", "residents", "source")

MSG_MISSING_COLUMN = "人口数据缺少列“{column}”：应有 region_code、year、residents、source 四列。"
MSG_BAD_REGION = "人口数据第 {row} 行：行政区划代码“{value}”不在 GB/T 2260 行政区划表中。"
MSG_BAD_YEAR = "人口数据第 {row} 行：年份“{value}”无效，应为 1949 至 2100 之间的整数。"
MSG_BAD_RESIDENTS = "人口数据第 {row} 行：常住人口“{value}”无效，应为正整数（单位：人）。"
MSG_NO_SOURCE = "人口数据第 {row} 行缺少数据来源：每个数字都须注明出处。"
MSG_DUPLICATE = "人口数据第 {row} 行：{region_code} 在 {year} 年的数字重复出现。"


def load_population(path: str | Path | None = None) -> list[PopulationRecord]:
    """Read population figures; the shipped ``data/hebi_population.csv`` by default.

    ``source_row`` is the line in the file (the header is row 1). Raises
    :class:`ValidationFailed` naming the row for an unknown region, a bad year, a
    non-positive count, a missing source or a repeated (region, year).

    >>> [(r.region_code, r.year, r.residents) for r in load_population()]
    [('410600', 2020, 1565973)]
    """
    if path is None:
        resource = resources.files("ipcity.places").joinpath("data/hebi_population.csv")
        text = resource.read_text(encoding="utf-8-sig")
    else:
        text = Path(path).read_text(encoding="utf-8-sig")  # Excel writes a BOM
    reader = csv.DictReader(io.StringIO(text))
    for column in COLUMNS:
        if column not in (reader.fieldnames or ()):
            raise ValidationFailed(MSG_MISSING_COLUMN, column=column)

    records: list[PopulationRecord] = []
    seen: set[tuple[str, int]] = set()
    for row_number, row in enumerate(reader, start=2):
        record = _record(row, row_number)
        key = (record.region_code, record.year)
        if key in seen:
            raise ValidationFailed(MSG_DUPLICATE, row=row_number, region_code=key[0], year=key[1])
        seen.add(key)
        records.append(record)
    return records


def _record(row: dict[str, str | None], row_number: int) -> PopulationRecord:
    region_code = (row.get("region_code") or "").strip()
    if not is_valid_region_code(region_code):
        raise ValidationFailed(MSG_BAD_REGION, row=row_number, value=region_code)
    year_text = (row.get("year") or "").strip()
    if not year_text.isdecimal() or not 1949 <= int(year_text) <= 2100:
        raise ValidationFailed(MSG_BAD_YEAR, row=row_number, value=year_text)
    residents_text = (row.get("residents") or "").strip()
    if not residents_text.isdecimal() or int(residents_text) <= 0:
        raise ValidationFailed(MSG_BAD_RESIDENTS, row=row_number, value=residents_text)
    source = (row.get("source") or "").strip()
    if not source:
        raise ValidationFailed(MSG_NO_SOURCE, row=row_number)
    return PopulationRecord(
        source_row=row_number,
        region_code=region_code,
        year=int(year_text),
        residents=int(residents_text),
        source=source,
    )


def residents(region_code: str, year: int, records: list[PopulationRecord] | None = None) -> int | None:
    """Return the resident population of ``region_code`` in ``year``, or ``None`` when no
    published figure is on file (never an interpolation).

    >>> residents("410600", 2020)
    1565973
    >>> residents("410600", 2019) is None
    True
    """
    for record in records if records is not None else load_population():
        if record.region_code == region_code and record.year == year:
            return record.residents
    return None
