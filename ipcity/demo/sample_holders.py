"""Sample holders for Hebi: enterprises in the five counties and the ETDZ, a few colleges and
institutes, industry associations and individual inventors.

Every name is invented (see :mod:`ipcity.demo.vocabulary`); organisations get a unified
social credit code whose check character follows GB 32100 and whose body is a valid GB 11714
organisation code, so that importers and validators accept them as they would real ones.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ipcity.demo.industries import INDUSTRY_BY_KEY, RELATED
from ipcity.demo.vocabulary import (
    ADDRESS_PREFIX,
    ASSOCIATIONS,
    CITY_CODE,
    COMPANY_FORMS,
    COUNTIES,
    DENIED_WORDS,
    GIVEN_NAME_CHARS,
    INSTITUTES,
    PARK_ADDRESSES,
    SURNAMES,
    TRADE_NAME_FIRST,
    TRADE_NAME_SECOND,
    UNIVERSITIES,
    County,
)
from ipcity.registry.numbers import USCC_ALPHABET, uscc_check_character
from ipcity.registry.records import HolderKind, HolderRecord

TAG_SME = "中小企业"
TAG_HIGH_TECH = "高新技术企业"
TAG_INCUBATED = "孵化器在孵"
TAG_MAKERSPACE = "众创空间"

TIER_NATIONAL_ADVANTAGE = "国家知识产权优势企业"
TIER_PROVINCIAL_STRONG = "省知识产权强企"
TIER_MUNICIPAL_DEMONSTRATION = "市知识产权示范企业"
TIER_GBT29490 = "贯标认证"

# (tier, how many enterprises hold it, drawn among the top N by patent activity, first year).
# The counts sit below the 2020 targets of P2.3 (10 / 20 / 100 / 50), as a city on its way.
_TIER_PLAN = (
    (TIER_NATIONAL_ADVANTAGE, 8, 25, 2017),
    (TIER_PROVINCIAL_STRONG, 18, 60, 2016),
    (TIER_MUNICIPAL_DEMONSTRATION, 75, 220, 2016),
    (TIER_GBT29490, 50, 260, 2016),
)
# A holder recognised at several levels got the lower ones first.
_TIER_RANK = {
    TIER_GBT29490: 0,
    TIER_MUNICIPAL_DEMONSTRATION: 1,
    TIER_PROVINCIAL_STRONG: 2,
    TIER_NATIONAL_ADVANTAGE: 3,
}
_LAST_TIER_YEAR = 2024

# GB 11714 organisation-code check: weights of the first eight characters, mod 11.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
# Characters of the 9-character body of codes issued since late 2015 ("MA" + 6 + check).
_NEW_BODY_ALPHABET = USCC_ALPHABET

INDIVIDUALS = 40


@dataclass(slots=True)
class HolderProfile:
    """A sample holder with what the generator needs beyond :class:`HolderRecord`."""

    record: HolderRecord
    brand: str | None  # trade name (字号) of an enterprise: marks and software are named after it
    industry: str  # main industry key
    second_industry: str
    founded: int
    weight: float  # relative patent activity; 0 for holders that do not file
    inventors: tuple[str, ...]
    fee_reduction: bool  # eligible for annuity reductions (small entity, person, college)
    rank: int  # 0 = most active enterprise; -1 for other kinds

    @property
    def name(self) -> str:
        """The holder's name as filed."""
        return self.record.name


def person_name(rng: random.Random, given_chars: int | None = None) -> str:
    """An invented Chinese personal name: a common surname and one or two given characters
    (``given_chars``; by default two in seven names of ten)."""
    if given_chars is None:
        given_chars = 2 if rng.random() < 0.7 else 1
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN_NAME_CHARS) for _ in range(given_chars))


def _org_code_check(first8: str) -> str:
    """GB 11714 check character of an organisation code: 11 - (Σ vᵢ·wᵢ mod 11), 10 -> X."""
    total = sum(int(char, 36) * weight for char, weight in zip(first8, _ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


def make_uscc(rng: random.Random, prefix: str, region: str, new_style: bool) -> str:
    """A unified social credit code: 2-character registration kind (91 enterprise, 12 public
    institution, 51 association), GB/T 2260 region, organisation code, GB 32100 check."""
    if new_style:
        body8 = "MA" + "".join(rng.choice(_NEW_BODY_ALPHABET) for _ in range(6))
    else:
        # Codes issued before 2015 were purely numeric organisation codes.
        body8 = str(rng.randint(5, 7)) + f"{rng.randrange(10**7):07d}"
    first17 = prefix + region + body8 + _org_code_check(body8)
    return first17 + uscc_check_character(first17)


def _pick_weighted(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _address(rng: random.Random, county: County, industry: str | None = None) -> str:
    park = ""
    if county.code in PARK_ADDRESSES:
        park_name, park_industries, share = PARK_ADDRESSES[county.code]
        if industry in park_industries and rng.random() < share:
            park = park_name
    return f"{ADDRESS_PREFIX}{county.name}{park}{rng.choice(county.roads)}{rng.randint(1, 299)}号"


def _trade_name(rng: random.Random, used: set[str]) -> str:
    while True:
        brand = rng.choice(TRADE_NAME_FIRST) + rng.choice(TRADE_NAME_SECOND)
        if brand not in used and not any(word in brand for word in DENIED_WORDS):
            used.add(brand)
            return brand


def _enterprise_name(rng: random.Random, brand: str, industry: str, county: County, rank: int) -> str:
    word = rng.choice(INDUSTRY_BY_KEY[industry].company_words)
    form = rng.choices([f for f, _w in COMPANY_FORMS], weights=[w for _f, w in COMPANY_FORMS])[0]
    roll = rng.random()
    if rank < 40 and roll < 0.35:
        # Larger firms often register under the province's name.
        place = "河南"
    elif county.name in ("浚县", "淇县") and roll < 0.45:
        place = county.name
    elif roll < 0.75:
        place = "鹤壁市"
    else:
        place = "鹤壁"
    return f"{place}{brand}{word}{form}"


def _inventor_team(rng: random.Random, size: int) -> tuple[str, ...]:
    team: list[str] = []
    while len(team) < size:
        name = person_name(rng)
        if name not in team:
            team.append(name)
    return tuple(team)


def _founded(rng: random.Random, rank: int) -> int:
    if rank < 30:
        return rng.randint(1985, 2008)
    # Most small firms are young: the mode lies in the mid-2010s.
    return round(rng.triangular(1995, 2023, 2015))


def _tags(rng: random.Random, rank: int, founded: int) -> list[str]:
    tags: list[str] = []
    if rank >= 15 and rng.random() < (0.85 if rank < 120 else 0.97):
        tags.append(TAG_SME)
    high_tech_p = 0.9 if rank < 15 else 0.5 if rank < 120 else 0.12
    if rng.random() < high_tech_p:
        tags.append(TAG_HIGH_TECH)
    if founded >= 2018 and rank >= 100:
        roll = rng.random()
        if roll < 0.35:
            tags.append(TAG_INCUBATED)
        elif roll < 0.5:
            tags.append(TAG_MAKERSPACE)
    return tags


def _assign_tiers(rng: random.Random, enterprises: list[HolderProfile]) -> None:
    chosen: dict[int, list[str]] = {}
    for tier, count, among, _first in _TIER_PLAN:
        for index in sorted(rng.sample(range(min(among, len(enterprises))), min(count, among))):
            chosen.setdefault(index, []).append(tier)
    first_year = {tier: first for tier, _c, _a, first in _TIER_PLAN}
    for index in sorted(chosen):
        profile = enterprises[index]
        tiers = sorted(chosen[index], key=lambda t: _TIER_RANK[t])
        years = sorted(
            rng.randint(min(max(first_year[t], profile.founded + 2), _LAST_TIER_YEAR), _LAST_TIER_YEAR)
            for t in tiers
        )
        profile.record.tiers = list(zip(tiers, years, strict=True))


def _organisation(
    rng: random.Random,
    row: int,
    name: str,
    kind: HolderKind,
    county: County,
    uscc: str,
    fields: tuple[str, str],
    weight: float,
    team: int,
) -> HolderProfile:
    record = HolderRecord(
        source_row=row,
        name=name,
        kind=kind,
        uscc=uscc,
        region_code=county.code,
        address=_address(rng, county),
    )
    return HolderProfile(
        record=record,
        brand=None,
        industry=fields[0],
        second_industry=fields[1],
        founded=rng.randint(1958, 2005),
        weight=weight,
        inventors=_inventor_team(rng, team),
        fee_reduction=True,
        rank=-1,
    )


def generate_holders(rng: random.Random, enterprises: int = 400) -> list[HolderProfile]:
    """Generate the sample's holders: ``enterprises`` enterprises ranked by patent activity
    (Zipf-like weights, so a few leaders and a long tail), then colleges, institutes,
    associations and individual inventors. Deterministic for a given ``rng`` state."""
    profiles: list[HolderProfile] = []
    used_brands: set[str] = set()
    used_codes: set[str] = set()
    county_weights = {county.code: county.share for county in COUNTIES}
    county_by_code = {county.code: county for county in COUNTIES}

    def unique_uscc(prefix: str, region: str, new_style: bool) -> str:
        while True:
            code = make_uscc(rng, prefix, region, new_style)
            if code not in used_codes:
                used_codes.add(code)
                return code

    for rank in range(enterprises):
        county = county_by_code[_pick_weighted(rng, county_weights)]
        industries = county.industries
        if rank < 40:
            # The most active filers are mostly in the patent-intensive industries.
            industries = {k: w * INDUSTRY_BY_KEY[k].patent_intensity ** 2 for k, w in industries.items()}
        industry = _pick_weighted(rng, industries)
        second = rng.choice(RELATED[industry])
        brand = _trade_name(rng, used_brands)
        founded = _founded(rng, rank)
        # Firms of the ETDZ and larger ones register with the city authority, others locally.
        region = CITY_CODE if county.code == "410671" or rng.random() < 0.3 else county.code
        weight = 1.0 / (rank + 3) ** 1.1
        team = min(40, 3 + int(weight * 300))
        record = HolderRecord(
            source_row=rank + 1,
            name=_enterprise_name(rng, brand, industry, county, rank),
            kind="enterprise",
            uscc=unique_uscc("91", region, founded >= 2016),
            region_code=county.code,
            address=_address(rng, county, industry),
            tags=_tags(rng, rank, founded),
        )
        profiles.append(
            HolderProfile(
                record=record,
                brand=brand,
                industry=industry,
                second_industry=second,
                founded=founded,
                weight=weight,
                inventors=_inventor_team(rng, team),
                fee_reduction=TAG_SME in record.tags,
                rank=rank,
            )
        )
    _assign_tiers(rng, profiles)

    qibin, xunxian = county_by_code["410611"], county_by_code["410621"]
    # Colleges and institutes file like a top-20 enterprise; their fields follow their names.
    colleges: tuple[tuple[str, HolderKind, County, tuple[str, str], int], ...] = (
        (UNIVERSITIES[0], "university", qibin, ("electronics", "wiring"), 10),
        (UNIVERSITIES[1], "university", qibin, ("magnesium", "chemical"), 18),
        (INSTITUTES[0], "institute", xunxian, ("food", "machinery"), 30),
        (INSTITUTES[1], "institute", county_by_code["410603"], ("magnesium", "magnesium"), 25),
        (INSTITUTES[2], "institute", county_by_code["410622"], ("optical", "electronics"), 35),
    )
    for name, kind, county, fields, rank_like in colleges:
        weight = 1.0 / (rank_like + 3) ** 1.1
        uscc = unique_uscc("12", CITY_CODE, new_style=False)
        profiles.append(_organisation(rng, len(profiles) + 1, name, kind, county, uscc, fields, weight, 25))
    for name, code in ASSOCIATIONS:
        county = county_by_code[code]
        uscc = unique_uscc("51", code, new_style=False)
        fields = ("food", "food")
        profiles.append(_organisation(rng, len(profiles) + 1, name, "other", county, uscc, fields, 0.0, 1))

    used_people: set[str] = set()
    for _ in range(INDIVIDUALS):
        county = county_by_code[_pick_weighted(rng, county_weights)]
        # Three-character names: two-character ones (王伟) are too often someone's real name.
        name = person_name(rng, 2)
        while name in used_people:
            name = person_name(rng, 2)
        used_people.add(name)
        industry = _pick_weighted(rng, county.industries)
        record = HolderRecord(
            source_row=len(profiles) + 1,
            name=name,
            kind="individual",
            region_code=county.code,
            address=_address(rng, county),
        )
        profiles.append(
            HolderProfile(
                record=record,
                brand=None,
                industry=industry,
                second_industry=industry,
                founded=2010,
                weight=0.0,  # individuals are drawn separately, mostly for utility models
                inventors=(name, *_inventor_team(rng, rng.randint(0, 2))),
                fee_reduction=True,
                rank=-1,
            )
        )
    return profiles
