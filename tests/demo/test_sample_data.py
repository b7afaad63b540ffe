"""The demo register: deterministic, valid numbers, real IPC codes, sound histories, invented
names. Real data used as a yardstick is read from ``shared/data`` (never copied)."""

from __future__ import annotations

import csv
import gzip
import random
import re
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import get_args

import pytest

from ipcity.demo import SAMPLE_LABEL, SampleData, generate_sample, sample_summary
from ipcity.demo.industries import INDUSTRIES
from ipcity.demo.sample_patents import add_years
from ipcity.demo.vocabulary import DENIED_WORDS, PINYIN, TRADE_NAME_FIRST, TRADE_NAME_SECOND
from ipcity.places import locate
from ipcity.places.population import load_population
from ipcity.registry.legal_status import term_end
from ipcity.registry.numbers import parse_application_number, parse_publication_number, parse_uscc
from ipcity.registry.records import LegalStatus

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
IPC_TITLES = SHARED_DATA / "ipc_scheme" / "cnipa_ipc_2026_01_titles_zh.tsv.gz"
PATENTS_CN = SHARED_DATA / "patents_cn"

FIRST_DAY, LAST_DAY = date(2010, 1, 1), date(2025, 12, 31)
TYPE_DIGITS = {"invention": "1", "utility_model": "2", "design": "3"}
HEBI_COUNTIES = {"410602", "410603", "410611", "410621", "410622", "410671"}


@pytest.fixture(scope="module")
def sample() -> SampleData:
    return generate_sample()


def _ipc_codes() -> set[str]:
    if not IPC_TITLES.exists():
        pytest.skip(f"{IPC_TITLES} not available")
    with gzip.open(IPC_TITLES, "rt", encoding="utf-8") as handle:
        return {row[0] for row in csv.reader(handle, delimiter="\t")}


def _real_applicants() -> set[str]:
    """Every applicant name in the staged real CN patent exports."""
    if not PATENTS_CN.exists():
        pytest.skip(f"{PATENTS_CN} not available")
    names: set[str] = set()
    for path in sorted(PATENTS_CN.glob("*.csv*")):
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8-sig") as handle:
            for row in csv.DictReader(handle):
                for column in ("申请人", "标准化申请人", "当前权利人", "第一权利人"):
                    for name in re.split(r"[;；|,，]", row.get(column) or ""):
                        if name.strip():
                            names.add(name.strip())
    return names


def _mod11(digits: str) -> str:
    # The rule written out again here, so the test does not only trust the module it checks.
    remainder = (
        sum(int(d) * w for d, w in zip(digits, (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5), strict=False)) % 11
    )
    return "X" if remainder == 10 else str(remainder)


# --- determinism -------------------------------------------------------------------------------


def test_same_seed_gives_identical_data() -> None:
    assert generate_sample(11, patents=800) == generate_sample(11, patents=800)


def test_other_seed_gives_other_data() -> None:
    first, second = generate_sample(11, patents=300), generate_sample(12, patents=300)
    assert first.holders != second.holders
    assert [p.application_number for p in first.patents] != [p.application_number for p in second.patents]


def test_global_random_state_is_left_alone() -> None:
    random.seed(5)
    expected = random.random()
    random.seed(5)
    generate_sample(3, patents=100)
    assert random.random() == expected


def test_patent_count_changes_only_the_patents() -> None:
    small, large = generate_sample(4, patents=100), generate_sample(4, patents=400)
    assert small.holders == large.holders
    assert small.trademarks == large.trademarks
    assert len(small.patents) == 100 and len(large.patents) == 400


def test_negative_patent_count_is_refused() -> None:
    with pytest.raises(ValueError, match="patents"):
        generate_sample(1, patents=-1)


# --- counts ------------------------------------------------------------------------------------


def test_counts_are_in_the_expected_ranges(sample: SampleData) -> None:
    summary = sample_summary(sample)
    assert summary["patents"] == 5000
    assert summary["holders.enterprise"] == 400
    assert summary["holders.university"] >= 2 and summary["holders.institute"] >= 2
    assert 20 <= summary["holders.individual"] <= 80
    assert 550 <= summary["trademarks"] <= 650
    assert 250 <= summary["copyrights"] <= 350
    assert 15 <= summary["plant_varieties"] <= 25
    assert 3 <= summary["geographical_indications"] <= 8
    assert 5 <= summary["pct"] <= 100
    assert summary["population"] == len(load_population())
    assert summary["patents.invention"] + summary["patents.utility_model"] + summary["patents.design"] == 5000


def test_type_mix_is_about_35_55_10(sample: SampleData) -> None:
    shares = Counter(p.patent_type for p in sample.patents)
    assert 0.30 <= shares["invention"] / 5000 <= 0.40
    assert 0.50 <= shares["utility_model"] / 5000 <= 0.60
    assert 0.07 <= shares["design"] / 5000 <= 0.13


def test_filings_grow_over_the_period(sample: SampleData) -> None:
    per_year = Counter(p.filing_date.year for p in sample.patents if p.filing_date)
    assert set(per_year) == set(range(2010, 2026))
    assert per_year[2020] > 3 * per_year[2010]


def test_population_is_the_real_published_figure(sample: SampleData) -> None:
    assert sample.population == load_population()


# --- patent numbers ------------------------------------------------------------------------------


def test_application_numbers_are_valid_and_unique(sample: SampleData) -> None:
    numbers = [p.application_number for p in sample.patents]
    assert len(set(numbers)) == len(numbers)
    for patent in sample.patents:
        number = patent.application_number
        assert re.fullmatch(r"CN\d{12}\.[\dX]", number), number
        assert number[-1] == _mod11(number[2:14]), number
        parsed = parse_application_number(number)
        assert parsed.canonical == number
        assert parsed.year == patent.filing_date.year  # type: ignore[union-attr]
        assert number[6] == TYPE_DIGITS[patent.patent_type]  # type: ignore[index]
        assert parsed.patent_type == patent.patent_type


def test_publication_numbers_have_the_right_kinds(sample: SampleData) -> None:
    seen: set[str] = set()
    for patent in sample.patents:
        kinds = [pub.kind for pub in patent.publications]
        if patent.patent_type == "invention":
            assert kinds in ([], ["A"], ["A", "B"])
            if kinds == ["A", "B"]:
                assert patent.publications[0].number[:-1] == patent.publications[1].number[:-1]
        else:
            expected = "U" if patent.patent_type == "utility_model" else "S"
            assert kinds in ([], [expected])
        for pub in patent.publications:
            parsed = parse_publication_number(pub.number)
            assert parsed.canonical == pub.number and parsed.kind == pub.kind
            assert parsed.patent_type == patent.patent_type
            assert pub.number not in seen
            seen.add(pub.number)
            assert pub.date is not None and patent.filing_date is not None
            assert patent.filing_date < pub.date <= LAST_DAY
        if patent.publications:
            assert patent.publication_date == patent.publications[0].date
        if patent.grant_date:
            assert patent.publications[-1].kind in "BUS" and patent.publications[-1].date == patent.grant_date


def _real_cn_numbers() -> tuple[dict[tuple[str, str], int], dict[str, int], set[str]]:
    """From the staged real CN exports: the largest application serial per (year, type
    digit), the largest publication serial per leading digit, and every number seen."""
    if not PATENTS_CN.exists():
        pytest.skip(f"{PATENTS_CN} not available")
    serials: dict[tuple[str, str], int] = {}
    publications: dict[str, int] = {}
    seen: set[str] = set()
    for path in sorted(PATENTS_CN.glob("*.csv*")):
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8-sig") as handle:
            text = handle.read()
        for year, digit, serial, check in re.findall(r"CN(20\d\d)(\d)(\d{7})\.([\dX])", text):
            key = (year, digit)
            serials[key] = max(serials.get(key, 0), int(serial))
            seen.add(f"CN{year}{digit}{serial}.{check}")
        for number, kind in re.findall(r"CN(\d{9})([A-Z])", text):
            publications[number[0]] = max(publications.get(number[0], 0), int(number))
            seen.add(f"CN{number}{kind}")
    return serials, publications, seen


def test_sample_numbers_lie_where_real_numbers_never_were(sample: SampleData) -> None:
    serials, publications, seen = _real_cn_numbers()
    # The real exports: serials of every year and type stay under 3.6 million, publication
    # serials under 117 / 220 / 309 million for inventions, utility models and designs.
    assert max(serials.values()) < 4_000_000
    assert publications["1"] < 190_000_000 and publications["2"] < 290_000_000
    assert publications["3"] < 390_000_000
    for patent in sample.patents:
        assert int(patent.application_number[7:14]) >= 9_000_000, patent.application_number
        assert patent.application_number not in seen
        for pub in patent.publications:
            assert int(pub.number[2:-1]) % 100_000_000 >= 90_000_000, pub.number
            assert pub.number not in seen


def test_invention_publication_comes_about_18_months_after_filing(sample: SampleData) -> None:
    delays = [
        (p.publications[0].date - p.filing_date).days  # type: ignore[operator]
        for p in sample.patents
        if p.patent_type == "invention" and p.publications
    ]
    at_18_months = sum(1 for d in delays if 535 <= d <= 570)
    assert at_18_months / len(delays) > 0.6
    assert all(150 <= d <= 570 for d in delays)


def test_pct_applications_are_well_formed(sample: SampleData) -> None:
    pct = [p for p in sample.patents if p.pct_application_number]
    assert pct
    for patent in pct:
        assert patent.patent_type == "invention"
        # Serials from 900,000 up: the CN receiving office numbers under 100,000 a year.
        match = re.fullmatch(r"PCT/CN(\d{4})/9\d{5}", patent.pct_application_number or "")
        assert match, patent.pct_application_number
        assert patent.filing_date is not None and int(match.group(1)) >= patent.filing_date.year
        if patent.pct_publication_number:
            assert re.fullmatch(r"WO20\d{2}9\d{5}A1", patent.pct_publication_number)
            assert patent.family == [patent.pct_publication_number]
    assert any(p.pct_publication_number for p in pct)


# --- classification and titles -------------------------------------------------------------------


def test_ipc_codes_exist_in_the_chinese_ipc_scheme(sample: SampleData) -> None:
    scheme = _ipc_codes()
    catalogue = {
        code for industry in INDUSTRIES for topic in industry.topics for code in (topic.ipc, *topic.extra)
    }
    assert catalogue <= scheme, sorted(catalogue - scheme)
    for patent in sample.patents:
        if patent.patent_type == "design":
            assert patent.ipc_main is None and patent.ipc_all == []
            continue
        assert patent.ipc_main in scheme and patent.ipc_all[0] == patent.ipc_main
        assert set(patent.ipc_all) <= scheme


def test_titles_abstracts_and_people(sample: SampleData) -> None:
    for patent in sample.patents:
        assert patent.title and "[" not in patent.title and "{" not in patent.title
        if patent.patent_type == "invention":
            assert patent.abstract and patent.abstract.startswith("本发明公开了" + patent.title)
            assert "{" not in patent.abstract
        else:
            assert patent.abstract is None
        if patent.patent_type == "utility_model":
            assert "方法" not in patent.title and "工艺" not in patent.title  # products only
        assert 1 <= len(patent.applicants) <= 3 and len(set(patent.applicants)) == len(patent.applicants)
        assert 1 <= len(patent.inventors) <= 6
        assert patent.jurisdiction == "CN"


def test_applicants_are_local_holders_with_their_address(sample: SampleData) -> None:
    holders = {h.name: h for h in sample.holders}
    co_owned = with_college = 0
    for patent in sample.patents:
        first = holders[patent.applicants[0]]
        assert patent.applicant_address == first.address
        assert all(name in holders for name in patent.applicants)
        co_owned += len(patent.applicants) > 1
        with_college += any(holders[n].kind in ("university", "institute") for n in patent.applicants[1:])
    assert 0.05 < co_owned / len(sample.patents) < 0.3
    assert with_college > 50


# --- legal status ----------------------------------------------------------------------------------


def test_status_histories_are_chronological_and_within_the_period(sample: SampleData) -> None:
    vocabulary = set(get_args(LegalStatus))
    for patent in sample.patents:
        events = patent.statuses
        assert events[0].status == "filed" and events[0].date == patent.filing_date
        dates = [e.date for e in events]
        assert all(d is not None and FIRST_DAY <= d <= LAST_DAY for d in dates), patent.application_number
        assert dates == sorted(dates), patent.application_number  # type: ignore[type-var]
        assert all(e.status in vocabulary and not e.date_observed for e in events)
        granted = [e.date for e in events if e.status == "granted"]
        assert granted == ([patent.grant_date] if patent.grant_date else [])
        end = term_end(patent.patent_type, patent.filing_date)
        for event in events:
            if event.status == "expired":
                assert event.date == end
            if event.status in ("lapsed_unpaid_annuity", "expired", "invalidated", "restored"):
                assert patent.grant_date and event.date > patent.grant_date  # type: ignore[operator]


def test_grant_delays_and_rates(sample: SampleData) -> None:
    decided = granted = 0
    for patent in sample.patents:
        assert patent.filing_date is not None
        if patent.grant_date:
            days = (patent.grant_date - patent.filing_date).days
            if patent.patent_type == "invention":
                assert 730 <= days <= 1470
            else:
                assert 150 <= days <= 372
        if patent.patent_type == "invention" and patent.filing_date.year <= 2019:
            outcomes = {e.status for e in patent.statuses} & {"granted", "rejected", "withdrawn"}
            decided += bool(outcomes)
            granted += "granted" in outcomes
    assert 0.45 <= granted / decided <= 0.65


def test_utility_models_mostly_lapse_within_3_to_5_years(sample: SampleData) -> None:
    old = [
        p
        for p in sample.patents
        if p.patent_type == "utility_model" and p.grant_date and p.filing_date.year <= 2014  # type: ignore[union-attr]
    ]
    lapse_ages = [
        (e.date - p.filing_date).days / 365.25  # type: ignore[operator]
        for p in old
        for e in p.statuses
        if e.status == "lapsed_unpaid_annuity"
    ]
    assert len(lapse_ages) > 0.5 * len(old)
    assert sum(1 for age in lapse_ages if 2.5 <= age <= 5.5) > 0.5 * len(lapse_ages)
    ends = Counter(p.statuses[-1].status for p in old)
    assert ends["expired"] > 0 and ends["invalidated"] >= 0


def test_some_patents_are_invalidated_and_some_restored(sample: SampleData) -> None:
    statuses = Counter(e.status for p in sample.patents for e in p.statuses)
    assert statuses["invalidated"] > 0 and statuses["restored"] > 0 and statuses["expired"] > 0


def test_annuities_paid_for_granted_patents(sample: SampleData) -> None:
    granted = {p.application_number: p for p in sample.patents if p.grant_date}
    assert set(sample.annuities_paid) == set(granted)
    assert all(amount > 0 for amount in sample.annuities_paid.values())
    # P2.1-c caps support at 10,000 yuan: old inventions fall on both sides of the cap.
    old_inventions = [
        sample.annuities_paid[n]
        for n, p in granted.items()
        if p.patent_type == "invention" and p.grant_date and p.grant_date.year <= 2016
    ]
    assert any(a > 10_000 for a in old_inventions) and any(a < 10_000 for a in old_inventions)


# --- holders -----------------------------------------------------------------------------------------


def test_organisations_have_valid_credit_codes(sample: SampleData) -> None:
    codes = [h.uscc for h in sample.holders if h.uscc]
    assert len(codes) == len(set(codes))
    for holder in sample.holders:
        if holder.kind == "individual":
            assert holder.uscc is None
            continue
        assert holder.uscc is not None and parse_uscc(holder.uscc) == holder.uscc
        assert holder.uscc[2:6] == "4106"
        # Characters 9–17 are a GB 11714 organisation code with its own mod-11 check.
        body = holder.uscc[8:16]
        value = 11 - sum(int(c, 36) * w for c, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
        assert holder.uscc[16] == {10: "X", 11: "0"}.get(value, str(value))
        assert holder.uscc[:2] == {"enterprise": "91", "university": "12", "institute": "12"}.get(
            holder.kind or "", "51"
        )


def test_addresses_name_the_county_of_the_region_code(sample: SampleData) -> None:
    counties = Counter(h.region_code for h in sample.holders)
    assert set(counties) == HEBI_COUNTIES
    for holder in sample.holders:
        assert holder.address and holder.address.startswith("河南省鹤壁市")
        assert locate(holder.address) == holder.region_code, holder.address


def test_tags_and_tiers_are_plausible(sample: SampleData) -> None:
    tags = Counter(tag for h in sample.holders for tag in h.tags)
    assert set(tags) <= {"中小企业", "高新技术企业", "孵化器在孵", "众创空间"}
    assert tags["中小企业"] > 250 and 40 < tags["高新技术企业"] < 200 and tags["孵化器在孵"] > 0
    tiers = Counter(tier for h in sample.holders for tier, _year in h.tiers)
    assert 5 <= tiers["国家知识产权优势企业"] <= 12
    assert 10 <= tiers["省知识产权强企"] <= 25
    assert 50 <= tiers["市知识产权示范企业"] <= 110
    assert 30 <= tiers["贯标认证"] <= 70
    assert all(2016 <= year <= 2024 for h in sample.holders for _tier, year in h.tiers)
    assert all(h.kind == "enterprise" for h in sample.holders if h.tiers)


def test_names_are_invented_and_flagged_as_sample(sample: SampleData) -> None:
    assert sample.is_sample and sample.label == SAMPLE_LABEL == "示例"
    names = [h.name for h in sample.holders]
    assert len(names) == len(set(names))
    assert not set(names) & _real_applicants()
    assert not [n for n in names if any(word in n for word in DENIED_WORDS)]
    # Associations, collective/certification marks and GIs could be mistaken for real ones.
    assert all(SAMPLE_LABEL in h.name for h in sample.holders if h.kind == "other")
    assert all(SAMPLE_LABEL in gi.name for gi in sample.geographical_indications)
    assert all(SAMPLE_LABEL in t.mark for t in sample.trademarks if t.mark_type != "ordinary")


def test_every_trade_name_syllable_has_pinyin() -> None:
    assert set(TRADE_NAME_FIRST + TRADE_NAME_SECOND) <= set(PINYIN)


# --- other rights --------------------------------------------------------------------------------------


def test_trademarks(sample: SampleData) -> None:
    holders = {h.name for h in sample.holders}
    numbers = [t.registration_number for t in sample.trademarks]
    assert len(numbers) == len(set(numbers))
    for mark in sample.trademarks:
        # Nine digits from 900 million: CNIPA's numbers have 7–8 (in the 80 millions by 2025).
        assert re.fullmatch(r"9\d{8}", mark.registration_number), mark.registration_number
        assert mark.holder in holders and mark.mark
        assert all(1 <= c <= 45 for c in mark.nice_classes) and mark.nice_classes
        if mark.registration_date:
            assert mark.filing_date and mark.filing_date < mark.registration_date <= LAST_DAY
            assert mark.expiry_date is not None
            # Ten years from registration, ending the day before; renewals add ten more.
            terms = [add_years(mark.registration_date, n) - timedelta(days=1) for n in (10, 20)]
            assert mark.expiry_date in terms
        else:
            assert mark.status == "pending"
    types = Counter(t.mark_type for t in sample.trademarks)
    assert types["ordinary"] > 500 and 1 <= types["gi_certification"] <= 2
    assert types["collective"] >= 1 and types["certification"] >= 1
    assert all(t.status == "registered" for t in sample.trademarks if t.mark_type != "ordinary")
    well_known = [t for t in sample.trademarks if t.well_known_date]
    assert all(t.status == "registered" and t.expiry_date > LAST_DAY for t in well_known)  # type: ignore[operator]
    assert 2 <= len(well_known) <= 3
    assert all(t.registration_date and t.well_known_date > t.registration_date for t in well_known)  # type: ignore[operator]


def test_copyrights(sample: SampleData) -> None:
    numbers = [c.registration_number for c in sample.copyrights]
    assert len(numbers) == len(set(numbers))
    categories = Counter(c.category for c in sample.copyrights)
    assert categories["software"] > categories["work"] > 0
    for record in sample.copyrights:
        assert record.registration_date and record.registration_date <= LAST_DAY
        year = record.registration_date.year
        if record.category == "software":
            width = 7 if year >= 2018 else 6
            match = re.fullmatch(rf"{year}SR(\d{{{width}}})", record.registration_number)
            assert match, record.registration_number
            # The national serial: under 3 million a year (7 digits), 750,000 before 2018.
            assert int(match.group(1)) >= 9 * 10 ** (width - 1), record.registration_number
            assert re.search(r"V\d\.\d$", record.title)
        else:
            match = re.fullmatch(rf"豫作登字-{year}-[A-Z]-(\d{{8}})", record.registration_number)
            assert match and int(match.group(1)) >= 90_000_000, record.registration_number


def test_plant_varieties(sample: SampleData) -> None:
    for record in sample.plant_varieties:
        match = re.fullmatch(r"CNA(\d{8})\.(\d)", record.right_number)
        assert match, record.right_number
        assert match.group(2) == _mod11(match.group(1)), record.right_number
        # The 4-digit serial of a year: real ones stayed in the low thousands.
        assert int(match.group(1)[4:]) >= 9_000, record.right_number
        assert record.crop in ("小麦", "玉米", "花生", "大豆")
        assert record.grant_date and int(match.group(1)[:4]) < record.grant_date.year
    assert len({r.variety for r in sample.plant_varieties}) == len(sample.plant_varieties)


def test_geographical_indications(sample: SampleData) -> None:
    marks = {t.registration_number: t for t in sample.trademarks}
    kinds = Counter(gi.kind for gi in sample.geographical_indications)
    assert kinds["gi_certification_mark"] >= 1 and len(kinds) >= 3
    for gi in sample.geographical_indications:
        assert gi.region_code in HEBI_COUNTIES
        if gi.kind == "gi_certification_mark":
            assert marks[gi.registration_number].mark == gi.name
        elif gi.kind == "agricultural_product":
            # Fewer than 3,600 real AGI numbers were ever given.
            match = re.fullmatch(r"AGI(\d{5})", gi.registration_number)
            assert match and int(match.group(1)) >= 90_000, gi.registration_number
        else:
            match = re.fullmatch(r"公告(\d{4})年第(\d+)号", gi.registration_number)
            assert match and 900 <= int(match.group(2)) <= 999, gi.registration_number
