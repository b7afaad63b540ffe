"""Sample patents for Hebi: numbers, titles, classification, applicants and legal-status
histories that behave like the real register.

What makes them realistic, and why it matters to the platform:

* filings grow from 2010 to a peak in 2021 and ease afterwards (the national crackdown on
  abnormal filings), with ~35 % inventions, ~55 % utility models and ~10 % designs;
* application numbers are CNIPA's 12-digit form with the mod-11 check digit, serials rising
  through the year; publication numbers rise with the publication date. Both lie in ranges
  CNIPA has not used (see :data:`SAMPLE_SERIAL_BASE` and :data:`_PUBLICATION_ANCHORS`), so a
  real export imported into the demo never meets a sample number: valid, yet never real;
* an invention is published (A) about 18 months after filing and decided 2–4 years after
  filing: ~55 % granted (B), the rest rejected or withdrawn; utility models and designs are
  granted (U / S) 5–12 months after filing;
* a granted patent lapses for an unpaid annuity with a hazard that peaks in its early years
  (most utility models are dropped after 3–5 years), expires at the end of its term,
  or, rarely, is invalidated; every event is dated and none lies after :data:`CUTOFF`;
* annuities actually paid follow CNIPA's fee table and the small-entity reductions, so
  that the P2.1-c rule (annuity support, capped at 10,000 yuan) has real inputs;
* a few inventions of leading firms go on to a PCT application (P2.1-d).
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from ipcity.demo.industries import INDUSTRY_BY_KEY, Industry, Topic
from ipcity.demo.sample_holders import HolderProfile
from ipcity.registry.legal_status import term_end
from ipcity.registry.numbers import check_digit
from ipcity.registry.records import PatentRecord, PatentType, PublicationRecord, StatusEvent

FIRST_YEAR = 2010
LAST_YEAR = 2025
CUTOFF = date(LAST_YEAR, 12, 31)
"""The day the sample register is observed: nothing later is known."""

# Relative filings per year: growth to 2021, then the post-2021 easing.
FILING_WEIGHTS = {
    2010: 90, 2011: 110, 2012: 135, 2013: 160, 2014: 175, 2015: 215, 2016: 260, 2017: 300,
    2018: 370, 2019: 410, 2020: 470, 2021: 500, 2022: 470, 2023: 460, 2024: 450, 2025: 420,
}  # fmt: skip

_TYPE_DIGIT: dict[PatentType, str] = {"invention": "1", "utility_model": "2", "design": "3"}
_GRANT_KIND: dict[PatentType, str] = {"invention": "B", "utility_model": "U", "design": "S"}
# Yearly volume of each serial range, to place a serial by the day of filing.
_SERIAL_VOLUME: dict[PatentType, int] = {
    "invention": 1_400_000,
    "utility_model": 2_800_000,
    "design": 800_000,
}
SAMPLE_SERIAL_BASE = 9_000_000
"""Sample application serials (the 7 digits after year and type) run from here to 9,999,999.
CNIPA numbers each year's applications of a type from 0000001 up; the largest serial in the
real exports of ``shared/data/patents_cn`` is 3,506,869 (utility models filed in 2022,
about 3.5 million that year), inventions stay under 1.8 million and designs under 0.9
million. No year or type has come near 9 million, so a sample number is never a real one."""
_SERIAL_SPREAD = 3  # the 2.8 million utility-model serials of a year fit in 1 million

# First publication number of each year (9 digits after CN): numbers rise with the date.
# Real CN publication numbers start with 1 (inventions), 2 (utility models) or 3 (designs)
# and had reached about 121, 224 and 310 million by 2025 (the real exports go up to
# CN116595400A, CN219085011U, CN308054501S), rising by 2–3 million a year: the samples use
# 190–199, 290–299 and 390–399 million, decades ahead of any real number.
_PUBLICATION_STEP = 600_000
_PUBLICATION_STARTS: dict[PatentType, int] = {
    "invention": 190_000_000,
    "utility_model": 290_000_000,
    "design": 390_000_000,
}
_PUBLICATION_ANCHORS: dict[PatentType, tuple[int, ...]] = {
    patent_type: tuple(start + year * _PUBLICATION_STEP for year in range(17))  # 2010 … 2026
    for patent_type, start in _PUBLICATION_STARTS.items()
}

# Official annuity fees in yuan by annuity year (CNIPA fee schedule): (last year, fee).
_ANNUITY_FEES: dict[PatentType, tuple[tuple[int, int], ...]] = {
    "invention": ((3, 900), (6, 1200), (9, 2000), (12, 4000), (15, 6000), (20, 8000)),
    "utility_model": ((3, 600), (5, 900), (8, 1200), (10, 2000)),
    "design": ((3, 600), (5, 900), (8, 1200), (10, 2000), (15, 3000)),
}
# Small entities pay 15 % (30 % when several applicants share the patent) of the annuities
# of the first 6 years from grant, 10 years for grants from 2019-07-01 (fee-reduction rules).
_REDUCTION_WIDENED = date(2019, 7, 1)

# Probability that the annuity due at a given age (years since filing) is not paid.
_LAPSE_HAZARD: dict[PatentType, tuple[float, ...]] = {
    # age 0 1 2 3 4 5 6 7 8 9 10 …
    "invention": (0, 0.01, 0.03, 0.04, 0.05, 0.07, 0.07, 0.08, 0.08, 0.08, 0.07, 0.06),
    "utility_model": (0, 0.03, 0.10, 0.20, 0.24, 0.20, 0.14, 0.12, 0.10, 0.10),
    "design": (0, 0.05, 0.15, 0.25, 0.25, 0.20, 0.15, 0.15, 0.15, 0.15, 0.12),
}
_INVALIDATION_P: dict[PatentType, float] = {"invention": 0.012, "utility_model": 0.008, "design": 0.01}
# Industries whose leading firms file internationally.
_PCT_INDUSTRIES = frozenset({"optical", "electronics", "magnesium", "energy", "wiring"})


@dataclass(slots=True)
class SamplePatents:
    """The generated patents and the annuities paid on them (application number -> yuan)."""

    patents: list[PatentRecord]
    annuities_paid: dict[str, int]


def add_years(day: date, years: int) -> date:
    """``day`` moved by whole years; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _gazette_day(day: date) -> date:
    # CNIPA's gazettes appear on Tuesdays and Fridays: a publication falls on one of them.
    while day.weekday() not in (1, 4):
        day += timedelta(days=1)
    return day


def _wo_day(day: date) -> date:
    # WIPO publishes PCT applications on Thursdays.
    while day.weekday() != 3:
        day += timedelta(days=1)
    return day


def _annuity_fee(patent_type: PatentType, year: int) -> int:
    for last, fee in _ANNUITY_FEES[patent_type]:
        if year <= last:
            return fee
    return _ANNUITY_FEES[patent_type][-1][1]


def _hazard(patent_type: PatentType, age: int) -> float:
    table = _LAPSE_HAZARD[patent_type]
    return table[min(age, len(table) - 1)]


class _Numbering:
    """Unique application and publication numbers for one sample."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.applications: set[str] = set()
        self.publications: set[int] = set()
        self.pct: set[str] = set()
        self.wo: set[str] = set()

    def application(self, patent_type: PatentType, filed: date) -> str:
        volume = _SERIAL_VOLUME[patent_type]
        day_of_year = filed.timetuple().tm_yday
        offset = volume * (day_of_year - 1) // 366 + self.rng.randrange(volume // 366)
        serial = SAMPLE_SERIAL_BASE + offset // _SERIAL_SPREAD + 1
        while True:
            body = f"{filed.year}{_TYPE_DIGIT[patent_type]}{serial:07d}"
            if body not in self.applications:
                self.applications.add(body)
                return f"CN{body}.{check_digit(body)}"
            serial += 1

    def publication(self, patent_type: PatentType, published: date) -> int:
        anchors = _PUBLICATION_ANCHORS[patent_type]
        index = published.year - FIRST_YEAR
        start, end = anchors[index], anchors[index + 1]
        number = start + (end - start) * (published.timetuple().tm_yday - 1) // 366
        number += self.rng.randrange(2000)
        while number in self.publications:
            number += 1
        self.publications.add(number)
        return number

    def pct_application(self, filed: date) -> str:
        # The CN receiving office numbers under 100,000 PCT applications a year: samples
        # take serials from 900,000 up, which it never reaches.
        serial = 900_000 + 90_000 * (filed.timetuple().tm_yday - 1) // 366 + self.rng.randrange(240)
        while f"{filed.year}/{serial:06d}" in self.pct:
            serial += 1
        self.pct.add(f"{filed.year}/{serial:06d}")
        return f"PCT/CN{filed.year}/{serial:06d}"

    def wo_publication(self, published: date) -> str:
        # WIPO publishes under 300,000 applications a year: sample serials start at 900,000.
        serial = 900_000 + 90_000 * (published.timetuple().tm_yday - 1) // 366 + self.rng.randrange(700) + 1
        while f"{published.year}{serial:06d}" in self.wo:
            serial += 1
        self.wo.add(f"{published.year}{serial:06d}")
        return f"WO{published.year}{serial:06d}A1"


def _pick_type(rng: random.Random, year: int) -> PatentType:
    # Inventions gain share over the years (30 % -> 40 %); designs stay near 10 %.
    invention = 0.30 + 0.10 * (year - FIRST_YEAR) / (LAST_YEAR - FIRST_YEAR)
    roll = rng.random()
    if roll < invention:
        return "invention"
    return "design" if roll < invention + 0.10 else "utility_model"


def _pick_topic(rng: random.Random, industry: Industry, patent_type: PatentType) -> Topic:
    if patent_type == "invention":
        return rng.choice([t for t in industry.topics if t.invention])
    return rng.choice([t for t in industry.topics if t.utility])


_CHOICE = re.compile(r"\[([^\]]*)\]")


def _expand(template: str, rng: random.Random) -> str:
    """Resolve every ``[a|b|]`` in a title template to one of its words."""
    return _CHOICE.sub(lambda match: rng.choice(match.group(1).split("|")), template)


def _title_and_ipc(
    rng: random.Random, industry: Industry, patent_type: PatentType
) -> tuple[str, str | None, list[str], str | None]:
    """Title, main IPC, all IPC codes and (for inventions) an abstract."""
    if patent_type == "design":
        # Designs are classified by Locarno, not IPC: the record carries no IPC code.
        product, variants = rng.choice(industry.designs)
        return f"{product}（{rng.choice(variants)}）", None, [], None
    topic = _pick_topic(rng, industry, patent_type)
    templates = topic.invention if patent_type == "invention" else topic.utility
    title = _expand(rng.choice(templates), rng)
    ipc_all = [topic.ipc, *(code for code in topic.extra if rng.random() < 0.6)]
    abstract = None
    if patent_type == "invention":
        a = rng.randint(10, 89)
        numbers = {"a": a, "b": a + rng.randint(3, 10), "c": rng.randint(5, 30), "d": rng.randint(1, 9)}
        gist = topic.gist.format(**numbers)
        effect = rng.choice(industry.effects).format(**numbers)
        abstract = f"本发明公开了{title}，{gist}。本发明{effect}。"
    return title, topic.ipc, ipc_all, abstract


def _pre_grant(
    rng: random.Random, patent_type: PatentType, filed: date
) -> tuple[list[tuple[str, date]], date | None, date | None]:
    """Events up to the decision, the first publication date and the grant date (if granted),
    before the cutoff is applied."""
    events: list[tuple[str, date]] = [("filed", filed)]
    if patent_type != "invention":
        roll = rng.random()
        if roll < 0.04:
            events.append(("withdrawn", filed + timedelta(days=rng.randint(120, 300))))
            return events, None, None
        if roll < 0.05:
            events.append(("rejected", filed + timedelta(days=rng.randint(150, 400))))
            return events, None, None
        granted = _gazette_day(filed + timedelta(days=rng.randint(150, 365)))
        events.append(("granted", granted))
        return events, granted, granted

    if rng.random() < 0.2:  # early publication on request
        published = _gazette_day(filed + timedelta(days=rng.randint(180, 365)))
    else:
        published = _gazette_day(filed + timedelta(days=rng.randint(540, 560)))
    outcome = rng.random()
    if outcome >= 0.75 and rng.random() < 0.1:
        # Withdrawn by the applicant before publication: nothing was ever published.
        withdrawn = filed + timedelta(days=rng.randint(60, 450))
        if withdrawn < published:
            events.append(("withdrawn", withdrawn))
            return events, None, None
    examination = published + timedelta(days=rng.randint(0, 150))
    if outcome >= 0.75 and rng.random() < 0.45:
        # No request for examination within three years: deemed withdrawn.
        events.append(("withdrawn", add_years(filed, 3) + timedelta(days=rng.randint(30, 120))))
        return events, published, None
    events.append(("examination", examination))
    if outcome < 0.55:
        granted = _gazette_day(
            max(filed + timedelta(days=rng.randint(730, 1460)), examination + timedelta(days=120))
        )
        events.append(("granted", granted))
        return events, published, granted
    if outcome < 0.75:
        rejected = max(examination + timedelta(days=240), filed + timedelta(days=rng.randint(700, 1500)))
        events.append(("rejected", rejected))
    else:
        events.append(("withdrawn", examination + timedelta(days=rng.randint(180, 900))))
    return events, published, None


def _life_after_grant(
    rng: random.Random,
    patent_type: PatentType,
    filed: date,
    granted: date,
    reduced_share: float | None,
    hazard_factor: float,
) -> tuple[list[tuple[str, date]], int]:
    """Events after the grant and the annuities paid up to :data:`CUTOFF`."""
    end = term_end(patent_type, filed)
    assert end is not None
    years_reduced = 10 if granted >= _REDUCTION_WIDENED else 6

    def fee(year: int) -> int:
        full = _annuity_fee(patent_type, year)
        if reduced_share is not None and year - grant_year < years_reduced:
            return round(full * reduced_share)
        return full

    # The annuity year in which the grant falls is paid with the registration fees.
    grant_year = 1 + sum(1 for n in range(1, 21) if add_years(filed, n) <= granted)
    paid = fee(grant_year)
    invalidated = None
    if rng.random() < _INVALIDATION_P[patent_type]:
        invalidated = granted + timedelta(days=rng.randint(365, 365 * 6))
    events: list[tuple[str, date]] = []
    year = grant_year + 1
    while True:
        due = add_years(filed, year - 1)
        if invalidated is not None and invalidated < min(due, end):
            events.append(("invalidated", invalidated))
            break
        if due >= end:
            events.append(("expired", end))
            break
        if due > CUTOFF:
            break
        if rng.random() < _hazard(patent_type, year - 1) * hazard_factor:
            # The right ends on the due date; it is published after the 6-month grace period.
            if due + timedelta(days=183) <= CUTOFF:
                events.append(("lapsed_unpaid_annuity", due))
                restored = due + timedelta(days=rng.randint(200, 280))
                if restored <= CUTOFF and rng.random() < 0.05:
                    # Restored on request, paying the late annuity.
                    events.append(("restored", restored))
                    if invalidated is not None and invalidated <= restored:
                        invalidated = restored + timedelta(days=rng.randint(60, 400))
                    paid += fee(year)
                    year += 1
                    continue
            break
        paid += fee(year)
        year += 1
    return events, paid


def _holder_choice(
    holders: Sequence[HolderProfile],
) -> tuple[dict[int, tuple[list[HolderProfile], list[float]]], list[HolderProfile]]:
    """Cumulative weights of the organisations active in each year, and the individuals."""
    by_year: dict[int, tuple[list[HolderProfile], list[float]]] = {}
    for year in FILING_WEIGHTS:
        active = [h for h in holders if h.weight > 0 and h.founded <= year]
        cumulative: list[float] = []
        total = 0.0
        for holder in active:
            total += holder.weight
            cumulative.append(total)
        by_year[year] = (active, cumulative)
    individuals = [h for h in holders if h.record.kind == "individual"]
    return by_year, individuals


def _co_applicants(
    rng: random.Random, first: HolderProfile, organisations: Sequence[HolderProfile]
) -> list[HolderProfile]:
    roll = rng.random()
    if first.record.kind == "individual" or roll >= 0.16:
        return []
    colleges = [h for h in organisations if h.record.kind in ("university", "institute") and h is not first]
    peers = [h for h in organisations if h.record.kind == "enterprise" and h is not first]
    if roll < 0.07 and colleges:
        others = [rng.choice(colleges)]
    else:
        others = [rng.choice([p for p in peers if p.industry == first.industry] or peers)]
    if rng.random() < 0.12:
        extra = rng.choice(peers)
        if extra not in others:
            others.append(extra)
    return others


def generate_patents(rng: random.Random, holders: Sequence[HolderProfile], count: int) -> SamplePatents:
    """Generate ``count`` patents filed 2010–2025 by ``holders`` (first applicant local), with
    publications, legal-status histories observed on :data:`CUTOFF` and annuities paid."""
    numbering = _Numbering(rng)
    by_year, individuals = _holder_choice(holders)
    organisations = [h for h in holders if h.weight > 0]
    years = list(FILING_WEIGHTS)
    year_weights = list(FILING_WEIGHTS.values())
    patents: list[PatentRecord] = []
    annuities: dict[str, int] = {}

    for row in range(1, count + 1):
        year = rng.choices(years, weights=year_weights)[0]
        patent_type = _pick_type(rng, year)
        filed = date(year, 1, 1) + timedelta(days=rng.randrange(366 if year % 4 == 0 else 365))
        individual_p = 0.03 if patent_type == "invention" else 0.08
        if rng.random() < individual_p:
            first = rng.choice(individuals)
        else:
            active, cumulative = by_year[year]
            first = rng.choices(active, cum_weights=cumulative)[0]
        applicants = [first, *_co_applicants(rng, first, organisations)]
        industry_key = first.industry if rng.random() < 0.8 else first.second_industry
        industry = INDUSTRY_BY_KEY[industry_key]
        title, ipc_main, ipc_all, abstract = _title_and_ipc(rng, industry, patent_type)
        inventors = list(rng.sample(first.inventors, min(len(first.inventors), rng.randint(1, 6))))
        if first.record.kind == "individual":
            inventors = [first.name, *[n for n in inventors if n != first.name]][:3]

        number = numbering.application(patent_type, filed)
        events, published, granted = _pre_grant(rng, patent_type, filed)
        publications: list[PublicationRecord] = []
        if published is not None and published <= CUTOFF:
            serial = numbering.publication(patent_type, published)
            first_kind = "A" if patent_type == "invention" else _GRANT_KIND[patent_type]
            publications.append(PublicationRecord(f"CN{serial}{first_kind}", first_kind, published))
            if patent_type == "invention" and granted is not None and granted <= CUTOFF:
                # The grant keeps the number of the application's publication.
                publications.append(PublicationRecord(f"CN{serial}B", "B", granted))
        if granted is not None and granted <= CUTOFF:
            all_eligible = all(h.fee_reduction for h in applicants)
            share = (0.15 if len(applicants) == 1 else 0.30) if all_eligible else None
            factor = 1.5 if first.record.kind == "individual" else 1.0
            later, paid = _life_after_grant(rng, patent_type, filed, granted, share, factor)
            events.extend(later)
            annuities[number] = paid
        else:
            granted = None

        pct_number = wo_number = None
        if (
            patent_type == "invention"
            and year >= 2013
            and 0 <= first.rank < 40
            and first.industry in _PCT_INDUSTRIES
            and rng.random() < 0.02 + 0.005 * (year - 2013)
        ):
            pct_filed = filed + timedelta(days=rng.randint(300, 364))
            if pct_filed <= CUTOFF:
                pct_number = numbering.pct_application(pct_filed)
                wo_published = _wo_day(filed + timedelta(days=548))
                if wo_published <= CUTOFF:
                    wo_number = numbering.wo_publication(wo_published)

        patents.append(
            PatentRecord(
                source_row=row,
                jurisdiction="CN",
                application_number=number,
                patent_type=patent_type,
                title=title,
                abstract=abstract,
                filing_date=filed,
                publication_date=publications[0].date if publications else None,
                grant_date=granted,
                ipc_main=ipc_main,
                ipc_all=ipc_all,
                applicants=[h.name for h in applicants],
                applicant_address=first.record.address,
                inventors=inventors,
                publications=publications,
                statuses=[StatusEvent(status, when) for status, when in events if when <= CUTOFF],
                pct_application_number=pct_number,
                pct_publication_number=wo_number,
                family=[wo_number] if wo_number else [],
                claims_count=None if patent_type == "design" else rng.randint(5, 15),
            )
        )
    return SamplePatents(patents, annuities)
