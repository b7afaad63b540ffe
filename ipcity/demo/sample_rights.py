"""Sample trademarks, copyright registrations, plant-variety rights and geographical
indications for Hebi (P2.5, P2.8).

Marks are named after the holder's invented trade name; collective, certification and GI
marks, GIs and their associations carry 示例 in their names, because Hebi's real GIs
(peanuts of Xun County, eggs of Qi County …) are exactly what a reader would confuse them with.

Every number has the form of the real register's numbers but lies where the real register
has never numbered, so that a real file imported into the demo never meets a sample record
by accident (as :data:`ipcity.demo.sample_patents.SAMPLE_SERIAL_BASE` does for patents):

* trademarks: 9 digits from :data:`SAMPLE_TRADEMARK_BASE`; CNIPA's have 7–8 digits;
* software registrations: ``2019SR9…``, the serial from :data:`SAMPLE_SOFTWARE_SERIAL_SHARE`
  of the serial range up (9,000,000 of seven digits, 900,000 of six before 2018); works
  ``豫作登字-2020-F-9…``, eight digits from 90,000,000;
* plant-variety rights: ``CNA`` + year + a serial from :data:`SAMPLE_VARIETY_SERIAL_BASE`;
* geographical indications: ``AGI9…`` from 90,000, ``公告2015年第9…号`` from 900; GI
  certification marks keep their trademark's number.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Literal

from ipcity.demo.industries import INDUSTRY_BY_KEY
from ipcity.demo.sample_holders import HolderProfile
from ipcity.demo.sample_patents import CUTOFF, add_years
from ipcity.demo.vocabulary import (
    ASSOCIATIONS,
    CROPS,
    INSTITUTES,
    PINYIN,
    SOFTWARE_SUFFIXES,
    VARIETY_STEMS,
    WORK_TITLES,
)
from ipcity.registry.numbers import check_digit
from ipcity.registry.records import (
    CopyrightRecord,
    GIKind,
    GIRecord,
    PlantVarietyRecord,
    TrademarkRecord,
    TrademarkType,
)

TRADEMARKS = 600
COPYRIGHTS = 300
PLANT_VARIETIES = 20

# First trademark number (= application number, kept at registration) of each year 2005–2026.
_TRADEMARK_ANCHORS = (
    4_400_000, 5_100_000, 5_800_000, 6_500_000, 7_200_000, 7_900_000, 9_000_000, 10_300_000,
    11_900_000, 13_700_000, 16_000_000, 18_800_000, 22_500_000, 28_300_000, 35_600_000,
    43_000_000, 52_000_000, 61_500_000, 69_500_000, 76_000_000, 82_000_000, 88_000_000,
)  # fmt: skip
_TRADEMARK_FIRST_YEAR = 2005
SAMPLE_TRADEMARK_BASE = 900_000_000
"""Sample trademark numbers are this plus a number placed by the filing day as CNIPA's
would be (``_TRADEMARK_ANCHORS``): nine digits, from 904,400,000. CNIPA numbers every
application from 1 up and keeps the number at registration; real numbers have 7–8 digits
(about 7 million applications a year took them into the 80 millions by 2025), so 900
million lies about a century ahead."""
# Filings per year: the trademark boom after 2015.
_TRADEMARK_YEARS = {
    year: 10 + 3 * max(0, year - 2008) + (12 if year >= 2016 else 0) for year in range(2006, 2026)
}

# Marks of the associations: (index in ASSOCIATIONS, mark, Nice class, type).
_SPECIAL_MARKS: tuple[tuple[int, str, int, TrademarkType], ...] = (
    (0, "浚县示例花生", 31, "gi_certification"),
    (1, "淇县示例缠丝蛋", 29, "gi_certification"),
    (2, "鹤壁示例食品", 30, "collective"),
    (1, "淇县示例禽蛋", 29, "collective"),
    (2, "示例鹤壁优品", 29, "certification"),
)
# Marks whose holders were recognised as well-known (驰名商标): by industry, the leading firm.
_WELL_KNOWN_INDUSTRIES = ("food", "wiring", "magnesium")

# Software registrations per year (national total), to place a serial by the day.
_SOFTWARE_VOLUME = {year: 120_000 + 170_000 * max(0, year - 2012) for year in range(2012, 2026)}
SAMPLE_SOFTWARE_SERIAL_SHARE = 9
"""Sample software serials start at 9/10 of the serial's range: 9,000,000 of the seven digits
used since 2018, 900,000 of the six before. The national register numbers each year's
software registrations from 1 up: under 3 million in every year so far, and under 750,000
in every year of six-digit serials (2017: about 745,000)."""
SAMPLE_WORK_SERIAL_BASE = 90_000_000
"""Sample serials of registered works (8 digits, ``豫作登字-2020-F-90012345``) run from here;
a provincial register numbers its works from 1 up, far below 90 million a year."""


def _day_in(rng: random.Random, year: int) -> date:
    return date(year, 1, 1) + timedelta(days=rng.randrange(365))


def _mark_variants(profile: HolderProfile) -> list[str]:
    brand = profile.brand or ""
    latin = "".join(PINYIN[char] for char in brand).upper()
    return [brand, f"{brand}及图", latin, f"{brand}{latin}"]


def _trademark_number(rng: random.Random, filed: date, used: set[int]) -> str:
    index = filed.year - _TRADEMARK_FIRST_YEAR
    start, end = _TRADEMARK_ANCHORS[index], _TRADEMARK_ANCHORS[index + 1]
    number = start + (end - start) * (filed.timetuple().tm_yday - 1) // 366 + rng.randrange(3000)
    number += SAMPLE_TRADEMARK_BASE
    while number in used:
        number += 1
    used.add(number)
    return str(number)


def _registration(
    rng: random.Random, filed: date, renewal_p: float = 0.75
) -> tuple[date | None, date | None, str]:
    """Registration date, current expiry and status as observed on :data:`CUTOFF`; each
    renewal happens with ``renewal_p``."""
    # Examination took about a year until 2017, well under one since.
    months = rng.randint(9, 16) if filed.year < 2018 else rng.randint(6, 10)
    registered = filed + timedelta(days=30 * months)
    if registered > CUTOFF:
        return None, None, "pending"
    # Ten years from registration, ending the day before; a renewal adds ten more.
    terms = 1
    expiry = add_years(registered, 10) - timedelta(days=1)
    while expiry < CUTOFF:
        if rng.random() < renewal_p:
            terms += 1
            expiry = add_years(registered, 10 * terms) - timedelta(days=1)
            continue
        # Not renewed: it ends once the 6-month grace period has passed.
        status = "expired" if expiry + timedelta(days=183) <= CUTOFF else "registered"
        return registered, expiry, status
    return registered, expiry, "registered"


def generate_trademarks(rng: random.Random, holders: Sequence[HolderProfile]) -> list[TrademarkRecord]:
    """About 600 trademarks: ordinary marks of enterprises (consumer brands weigh more), a few
    collective and certification marks, two GI certification marks and three well-known marks."""
    used: set[int] = set()
    marks: list[TrademarkRecord] = []
    associations = {name: i for i, (name, _code) in enumerate(ASSOCIATIONS)}
    by_association = {associations[h.name]: h for h in holders if h.name in associations}

    for index, mark, nice, mark_type in _SPECIAL_MARKS:
        filed = _day_in(rng, rng.randint(2012, 2019))
        # Associations keep their collective and GI marks alive: they are always renewed.
        registered, expiry, status = _registration(rng, filed, renewal_p=1.0)
        marks.append(
            TrademarkRecord(
                source_row=len(marks) + 1,
                registration_number=_trademark_number(rng, filed, used),
                mark=mark,
                nice_classes=[nice],
                mark_type=mark_type,
                holder=by_association[index].name,
                filing_date=filed,
                registration_date=registered,
                expiry_date=expiry,
                status=status,
            )
        )

    enterprises = [h for h in holders if h.record.kind == "enterprise" and h.brand]
    weights = [(3.0 if h.industry == "food" else 1.0) / (h.rank + 5) ** 0.6 for h in enterprises]
    taken: set[tuple[str, str, int]] = set()
    well_known_owners = {
        key: min((h for h in enterprises if h.industry == key), key=lambda h: h.rank)
        for key in _WELL_KNOWN_INDUSTRIES
    }
    # The well-known marks are their owners' plain trade names, filed early.
    for key, owner in well_known_owners.items():
        nice = INDUSTRY_BY_KEY[key].nice_classes[0]
        filed = _day_in(rng, rng.randint(2006, 2009))
        registered, expiry, status = _registration(rng, filed, renewal_p=1.0)
        assert registered is not None and status == "registered"
        taken.add((owner.name, owner.brand or "", nice))
        recognised = _day_in(rng, rng.randint(max(2011, registered.year + 3), 2019))
        marks.append(
            TrademarkRecord(
                source_row=len(marks) + 1,
                registration_number=_trademark_number(rng, filed, used),
                mark=owner.brand or "",
                nice_classes=[nice],
                holder=owner.name,
                filing_date=filed,
                registration_date=registered,
                expiry_date=expiry,
                well_known_date=recognised,
                status=status,
            )
        )

    years = list(_TRADEMARK_YEARS)
    year_weights = list(_TRADEMARK_YEARS.values())
    while len(marks) < TRADEMARKS:
        owner = rng.choices(enterprises, weights=weights)[0]
        classes = INDUSTRY_BY_KEY[owner.industry].nice_classes
        nice = classes[0] if rng.random() < 0.6 else rng.choice((*classes, 35, 42))
        mark = rng.choice(_mark_variants(owner))
        if (owner.name, mark, nice) in taken:
            continue
        taken.add((owner.name, mark, nice))
        filed = _day_in(rng, max(rng.choices(years, weights=year_weights)[0], owner.founded))
        registered, expiry, status = _registration(rng, filed)
        marks.append(
            TrademarkRecord(
                source_row=len(marks) + 1,
                registration_number=_trademark_number(rng, filed, used),
                mark=mark,
                nice_classes=[nice],
                holder=owner.name,
                filing_date=filed,
                registration_date=registered,
                expiry_date=expiry,
                status=status,
            )
        )
    return marks


def generate_copyrights(rng: random.Random, holders: Sequence[HolderProfile]) -> list[CopyrightRecord]:
    """About 300 copyright registrations: ~70 % software (``2019SR0123456``) by technology
    firms and colleges, the rest works registered in Henan (``豫作登字-2020-F-00012345``)."""
    software_weight = {"electronics": 4.0, "optical": 2.0, "energy": 1.5, "wiring": 1.5, "machinery": 1.0}
    owners = [h for h in holders if h.record.kind in ("enterprise", "university", "institute")]
    weights = [
        software_weight.get(h.industry, 0.5) * (3.0 if h.rank < 0 else 1.0) / (max(h.rank, 5) + 5) ** 0.5
        for h in owners
    ]
    brand_owners = [h for h in holders if h.brand]
    individuals = [h for h in holders if h.record.kind == "individual"]
    used: set[str] = set()
    records: list[CopyrightRecord] = []
    for row in range(1, COPYRIGHTS + 1):
        year = min(2025, round(rng.triangular(2012, 2026, 2024)))
        registered = _day_in(rng, year)
        day = registered.timetuple().tm_yday - 1
        category: Literal["software", "work"]
        if rng.random() < 0.7:
            category = "software"
            owner = rng.choices(owners, weights=weights)[0]
            industry = INDUSTRY_BY_KEY[owner.industry if rng.random() < 0.8 else "electronics"]
            title = (owner.brand or "") + rng.choice(industry.software) + rng.choice(SOFTWARE_SUFFIXES)
            volume = _SOFTWARE_VOLUME[year]
            serial = volume * day // 366 + rng.randrange(volume // 366)
            # Serials have seven digits since registrations passed a million a year (2018).
            width = 7 if year >= 2018 else 6
            pattern = f"{year}SR{{:0{width}d}}"
            # Placed by the day as the national serial would be, within the sample range.
            span = 10 ** (width - 1)
            serial = SAMPLE_SOFTWARE_SERIAL_SHARE * span + serial * (span - span // 100) // (
                volume + volume // 366
            )
        else:
            category = "work"
            owner = rng.choice(individuals) if rng.random() < 0.25 else rng.choice(brand_owners)
            letter, template = rng.choice(WORK_TITLES)
            title = template.format(brand=owner.brand or owner.name)
            serial = SAMPLE_WORK_SERIAL_BASE + 40_000 * day // 366 + rng.randrange(200)
            pattern = f"豫作登字-{year}-{letter}-{{:08d}}"
        while pattern.format(serial) in used:
            serial += 1
        number = pattern.format(serial)
        used.add(number)
        records.append(
            CopyrightRecord(
                source_row=row,
                registration_number=number,
                title=title,
                category=category,
                holder=owner.name,
                registration_date=registered,
            )
        )
    return records


SAMPLE_VARIETY_SERIAL_BASE = 9_000
"""Sample plant-variety serials (the 4 digits after ``CNA`` and the year) run from here to
9,999. The office numbered each year's applications from 0001 in this form while they were
a few thousand a year (``CNA20080376.X``); as they grew it moved to a 7-digit serial from
1,000,000 without check digit (``CNA20201002638``), so no real number of the 4-digit form
came near 9,000."""


def _variety_number(rng: random.Random, year: int, used: set[str]) -> str:
    # CNA + application year + 4-digit serial + check digit. The check digit here follows the
    # mod-11 rule of 8-digit patent numbers, an assumption (the variety office's rule is not
    # published); serials whose check would be X are skipped.
    while True:
        serial = SAMPLE_VARIETY_SERIAL_BASE + (rng.randint(1, 9999) - 1) % (
            10_000 - SAMPLE_VARIETY_SERIAL_BASE
        )
        body = f"{year}{serial:04d}"
        digit = check_digit(body)
        if digit != "X" and body not in used:
            used.add(body)
            return f"CNA{body}.{digit}"


def generate_plant_varieties(
    rng: random.Random, holders: Sequence[HolderProfile]
) -> list[PlantVarietyRecord]:
    """About 20 plant-variety rights for wheat, maize, peanut and soybean, mostly held by the
    agricultural institute, some by seed and food firms of the rural counties."""
    institute = next(h for h in holders if h.name == INSTITUTES[0])
    firms = [h for h in holders if h.record.kind == "enterprise" and h.industry == "food"]
    used: set[str] = set()
    names: set[str] = set()
    records: list[PlantVarietyRecord] = []
    while len(records) < PLANT_VARIETIES:
        crop, short = rng.choices(CROPS, weights=(40, 35, 20, 5))[0]
        variety = f"{rng.choice(VARIETY_STEMS)}{short}{rng.randint(1, 30) * rng.choice((1, 1, 11, 2))}"
        if variety in names:
            continue
        names.add(variety)
        granted = _day_in(rng, rng.randint(2012, 2025))
        owner = institute if rng.random() < 0.65 else rng.choice(firms)
        records.append(
            PlantVarietyRecord(
                source_row=len(records) + 1,
                right_number=_variety_number(rng, granted.year - rng.randint(1, 3), used),
                crop=crop,
                variety=variety,
                holder=owner.name,
                grant_date=granted,
            )
        )
    return records


SAMPLE_GI_NUMBER_BASE = 90_000
"""Sample agricultural-product GI numbers (``AGI`` + 5 digits) run from here."""
SAMPLE_ANNOUNCEMENT_BASE = 900
"""Sample numbers of a protected product's announcement (``公告2015年第910号``) run from here."""


def generate_geographical_indications(
    rng: random.Random, trademarks: Sequence[TrademarkRecord]
) -> list[GIRecord]:
    """Five geographical indications: the two GI certification marks among ``trademarks``,
    a protected product and two agricultural-product GIs, each with its county."""
    regions = dict(ASSOCIATIONS)
    records: list[GIRecord] = []
    for mark in trademarks:
        if mark.mark_type == "gi_certification":
            records.append(
                GIRecord(
                    source_row=len(records) + 1,
                    name=mark.mark,
                    kind="gi_certification_mark",
                    registration_number=mark.registration_number,
                    region_code=regions.get(mark.holder or ""),
                    holder=mark.holder,
                    registration_date=mark.registration_date,
                )
            )
    others: tuple[tuple[str, GIKind, str, str | None, str], ...] = (
        ("淇河示例鲫鱼", "protected_product", "410611", None, "公告{year}年第{n}号"),
        ("浚县示例小米", "agricultural_product", "410621", ASSOCIATIONS[0][0], "AGI{n:05d}"),
        ("淇县示例山楂", "agricultural_product", "410622", ASSOCIATIONS[1][0], "AGI{n:05d}"),
    )
    for name, kind, region, holder, pattern in others:
        year = rng.randint(2011, 2020)
        # Agricultural-product GIs were numbered nationally, about 300 a year from 2008 (fewer
        # than 3,600 in all); the sample numbers lie from 90,000 up (AGI9…). Announcements of
        # protected products are numbered within the year, never near 900: the samples' are.
        n = (
            SAMPLE_GI_NUMBER_BASE + (year - 2008) * 300 + rng.randint(1, 299)
            if kind == "agricultural_product"
            else SAMPLE_ANNOUNCEMENT_BASE + rng.randint(20, 180) // 2
        )
        records.append(
            GIRecord(
                source_row=len(records) + 1,
                name=name,
                kind=kind,
                registration_number=pattern.format(year=year, n=n),
                region_code=region,
                holder=holder,
                registration_date=_day_in(rng, year),
            )
        )
    return records
