"""Use-cases of the scoreboard: indicator values for the city, its counties and zones on
any dates; series over years; the records behind a count; targets and progress; the
county assessment. Routes and the CLI call these; they check the role here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipcity import clock
from ipcity.auth.roles import Actor, require
from ipcity.errors import NotFound, ValidationFailed
from ipcity.i18n import gettext
from ipcity.indicators import definitions, queries
from ipcity.indicators import records as record_lists
from ipcity.indicators.assessment import (
    CountyScore,
    Note,
    Scheme,
    load_scheme,
    scheme_notes,
    score,
    weights_after,
)
from ipcity.indicators.definitions import INDICATORS, Indicator, Value
from ipcity.indicators.facts import Area, RegistryFacts
from ipcity.indicators.targets import Progress, TargetSet, load_targets, progress
from ipcity.places import service as places
from ipcity.places.divisions import get_division
from ipcity.registry.models import Patent

DEFAULT_CITY = places.DEFAULT_CITY
MAX_RECORDS = 100_000  # the most records one download holds
MSG_PENDING = "该指标已列入指标体系，但数据尚未填报（{reason}），没有构成记录"
MSG_NO_RECORDS = "该指标没有构成记录清单"
MSG_UNKNOWN_AREA = "未找到地区或园区：{value}；应为行政区划代码（{regions}）或园区代码（{zones}）"
FIRST_YEAR = 1985
LAST_YEAR = 2100


def year_end(year: int, today: date | None = None) -> date:
    """31 December of ``year``, after checking the year is one the platform knows and has
    ended (in the city's calendar): every figure is a year-end value, and a page labelled
    "end of 2030" — or end of the current year — would show today's registry as if it were
    a date to come."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationFailed("年份应在1985到2100之间，收到：{value}", value=year)
    end, now = date(year, 12, 31), today or clock.today()
    if end > now:
        raise ValidationFailed(
            "{value}年尚未结束，没有年末数据；最近的完整年度为{last}年", value=year, last=now.year - 1
        )
    return end


def city_areas(session: Session, city_code: str = DEFAULT_CITY) -> list[Area]:
    """The city, each of its counties (GB/T 2260 order) and each zone: where indicators are computed."""
    division = get_division(city_code)
    city = Area(city_code, "city", division.name if division else city_code)
    counties = [Area(r.code, "county", r.name) for r in places.list_counties(session, city_code)]
    zones = [Area(z.code, "zone", z.name, z.name_en) for z in places.list_zones(session)]
    return [city, *counties, *zones]


def find_area(session: Session, code: str) -> Area:
    """The area (city, county or zone) with this code, or NotFound."""
    for area in city_areas(session):
        if area.code == code:
            return area
    raise NotFound("未找到地区或园区：{value}", value=code)


def latest_complete_year(session: Session, today: date | None = None) -> int:
    """The last full calendar year (the default year of every page), in the city's calendar."""
    return (today or clock.today()).year - 1


def data_years(session: Session, today: date | None = None) -> list[int]:
    """Years with data: from the first filing year in the registry (at most 15 back) to the
    last complete year."""
    last = latest_complete_year(session, today)
    first = session.scalar(select(func.min(Patent.filing_date)))
    start = max(_year_of(first) if first else last - 9, last - 14)
    return list(range(start, last + 1))


def _year_of(value: Any) -> int:
    return value.year if isinstance(value, date) else int(str(value)[:4])


@dataclass
class Scoreboard:
    """Indicator values for areas on dates: ``values[on][area code][indicator id]``."""

    dates: list[date]
    areas: list[Area]
    values: dict[date, dict[str, dict[str, Value]]]
    facts: RegistryFacts

    def value(self, on: date, area_code: str, indicator_id: str) -> Value | None:
        """One value (None where the indicator does not apply to the area)."""
        return self.values.get(on, {}).get(area_code, {}).get(indicator_id)

    def area(self, code: str) -> Area | None:
        """The area with this code."""
        return next((a for a in self.areas if a.code == code), None)

    def latest_assessable(self, area_code: str, indicator_id: str) -> tuple[int, Value] | None:
        """The last year-end of the board at which the indicator has a value for the area,
        with that value (None when it has none at any): what a page offers when the year
        asked for is not assessable (per 10,000 residents where only a census year has a
        population figure)."""
        for on in sorted(self.dates, reverse=True):
            found = self.value(on, area_code, indicator_id)
            if found is not None and found.value is not None:
                return on.year, found
        return None


def scoreboard(
    session: Session,
    actor: Actor,
    dates: list[date],
    area_codes: list[str] | None = None,
    indicator_ids: list[str] | None = None,
) -> Scoreboard:
    """Every indicator (or those named) for every area (or those named) on every date."""
    require(actor, "registry.read")
    if indicator_ids:
        unknown = [i for i in indicator_ids if i not in definitions.BY_ID]
        if unknown:
            raise NotFound("未找到指标：{value}", value=", ".join(unknown))
    areas = city_areas(session)
    if area_codes:
        known = {a.code for a in areas}
        missing = [c for c in area_codes if c not in known]
        if missing:
            raise NotFound("未找到地区或园区：{value}", value=", ".join(missing))
        areas = [a for a in areas if a.code in area_codes]
    facts = queries.gather_facts(session, dates)
    values = {on: definitions.compute_all(facts, areas, on, indicator_ids) for on in dates}
    return Scoreboard(sorted(dates), areas, values, facts)


def indicators_json(
    session: Session, actor: Actor, on: date, region: str | None = None, locale: str = "zh_CN"
) -> dict[str, Any]:
    """``{"date", "attribution", "regions": {code: {id: value}}, "zones": {code: {id: value}}}``
    for the city and every county and zone, or for one region and the zones in it, or for one
    zone (by the code the output uses as its key) — what ``ipcity indicators --json`` prints
    and ``/api/v1/indicators`` returns. A value that cannot be computed is
    ``"not assessable: <reason>"``, fixed English that clients match on; why, for a reader,
    is in ``"reasons": {"regions": {code: {id: sentence}}, "zones": …}`` in ``locale``
    (every area has its key, holding only its values that are not assessable). An unknown
    code is refused naming the codes there are."""
    areas = city_areas(session)
    if region:
        area = next((a for a in areas if a.code == region), None)
        if area is None:
            raise NotFound(
                MSG_UNKNOWN_AREA,
                value=region,
                regions=", ".join(a.code for a in areas if a.kind != "zone"),
                zones=", ".join(a.code for a in areas if a.kind == "zone"),
            )
        if area.kind == "zone":
            areas = [area]
        else:
            zone_defs = {z.code: z.region_code for z in places.list_zones(session)}
            zones = [
                a
                for a in areas
                if a.kind == "zone" and (area.kind == "city" or zone_defs.get(a.code) == region)
            ]
            areas = [area, *zones]
    board = scoreboard(session, actor, [on], [a.code for a in areas])
    out: dict[str, Any] = {
        "date": on.isoformat(),
        "attribution": definitions.ATTRIBUTION,
        "regions": {},
        "zones": {},
        "reasons": {"regions": {}, "zones": {}},
    }
    for area in board.areas:
        bucket = "zones" if area.kind == "zone" else "regions"
        values = board.values[on][area.code]
        out[bucket][area.code] = {k: v.as_json() for k, v in values.items()}
        out["reasons"][bucket][area.code] = reasons_of(values, locale)
    return out


def reasons_of(values: dict[str, Value], locale: str) -> dict[str, str]:
    """Why each value that is not assessable is not, in ``locale``, by its key: the sentence
    the pages show, beside the fixed English code of :meth:`Value.as_json`."""
    return {key: v.reason_text(locale) or "" for key, v in values.items() if not v.assessable}


@dataclass(frozen=True)
class SeriesPoint:
    """One year of an indicator for one area."""

    year: int
    value: Value


def series(
    session: Session, actor: Actor, indicator_id: str, years: list[int], area_codes: list[str] | None = None
) -> tuple[Indicator, Scoreboard]:
    """An indicator at the end of each of ``years`` for the areas (all by default)."""
    indicator = definitions.get(indicator_id)
    if indicator is None:
        raise NotFound("未找到指标：{value}", value=indicator_id)
    board = scoreboard(session, actor, [year_end(y) for y in years], area_codes, [indicator_id])
    return indicator, board


@dataclass(frozen=True)
class RecordList:
    """The records a number is made of, for an area on a date (one page of them).

    ``shows``: ``patents``, ``assets``, ``enterprises``, ``tiers``, or ``none`` where there is
    no list — then ``reason`` (a message id with ``params``) says why: the indicator is
    declared, not yet filled, or does not apply to the area. ``listed`` is the indicator whose
    records these are: the indicator itself, or a ratio's numerator (per 10,000 residents,
    growth rate). ``date_label``: the header of the date column (a message id).
    """

    indicator: Indicator
    listed: Indicator
    area: Area
    on: date
    shows: str
    total: int
    rows: list[Any]
    date_label: str | None = None
    reason: str | None = None
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def is_numerator(self) -> bool:
        """Whether the list is that of the indicator's numerator."""
        return self.listed.id != self.indicator.id

    def reason_text(self, locale: str = "zh_CN") -> str | None:
        """Why there is no list, in ``locale``."""
        # A parameter may itself be a message id (the reason data is missing).
        params = {k: gettext(v, locale) if isinstance(v, str) else v for k, v in self.params.items()}
        return definitions.render_message(self.reason, params, locale)


def records(
    session: Session,
    actor: Actor,
    indicator_id: str,
    area_code: str,
    on: date,
    limit: int = 50,
    offset: int = 0,
) -> RecordList:
    """The records a count is made of, for ``area_code`` on ``on``: one page of patents,
    assets or enterprises, with the total — the same definition as the number, so the total
    equals the count (for a ratio or a growth rate, its numerator)."""
    require(actor, "registry.read")
    indicator = definitions.get(indicator_id)
    if indicator is None:
        raise NotFound("未找到指标：{value}", value=indicator_id)
    area = find_area(session, area_code)
    listed = definitions.listed_by(indicator)

    def without(message: str, **params: Any) -> RecordList:
        return RecordList(indicator, listed, area, on, "none", 0, [], reason=message, params=params)

    source = listed.records
    if isinstance(source, definitions.Pending):
        return without(MSG_PENDING, reason=source.reason)
    if not indicator.applies_to(area):
        return without(definitions.MSG_NOT_FOR_AREA)
    if isinstance(source, definitions.PatentList):
        total, page = record_lists.patent_records(session, area, on, source.kind, limit=limit, offset=offset)
        return RecordList(indicator, listed, area, on, "patents", total, page)
    if isinstance(source, definitions.FactList):
        found = record_lists.fact_records(session, source, area, on)
        label = definitions.RECORD_DATE_LABELS.get(source.date_label) if source.shows == "assets" else None
        return RecordList(
            indicator, listed, area, on, source.shows, len(found), found[offset : offset + limit], label
        )
    return without(MSG_NO_RECORDS)


def catalogue() -> tuple[Indicator, ...]:
    """Every indicator, in the order of the scoreboard."""
    return INDICATORS


def target_progress(
    session: Session, actor: Actor, on: date, targets: TargetSet | None = None
) -> list[Progress]:
    """Each target of the set (the shipped Hebi 2020 set by default) on ``on`` (at most its
    target date): baseline
    (from the file, else computed at the baseline date), current value, progress,
    straight-line projection to the target date and status. A zone target gives one row per zone."""
    chosen = targets or load_targets()
    # After the target date, a target is judged on its value at that date.
    on = min(on, chosen.target_date)
    board = scoreboard(session, actor, sorted({on, chosen.baseline_date}))
    rows: list[Progress] = []
    for target in chosen.targets:
        codes = [z for z in chosen.zones if board.area(z)] if target.area == "zones" else [chosen.city]
        for code in codes:
            current = board.value(on, code, target.indicator)
            base = board.value(chosen.baseline_date, code, target.indicator)
            baseline = target.baseline if target.baseline is not None else (base.value if base else None)
            rows.append(
                progress(
                    target,
                    code,
                    baseline,
                    chosen.baseline_date,
                    current.value if current else None,
                    on,
                    chosen.target_date,
                )
            )
    return rows


@dataclass
class Assessment:
    """The county assessment of a year: each county's score, the notes on what no county
    could be assessed on and how the rest was re-weighted (P4.2; shown on the page, in the
    workbook and in the report), and each indicator's full points after re-weighting."""

    year: int
    scheme: Scheme
    counties: list[CountyScore]
    notes: list[Note] = field(default_factory=list)
    weights: dict[str, float | None] = field(default_factory=dict)


def county_assessment(session: Session, actor: Actor, year: int, scheme: Scheme | None = None) -> Assessment:
    """Each county's score, rank and the reasons behind each point for ``year`` (P4.2).
    Officers only: the assessment is the government's internal work."""
    require(actor, "indicators.assessment")
    chosen = scheme or load_scheme()
    on, before = year_end(year), year_end(year - 1)
    counties = [a for a in city_areas(session) if a.kind == "county"]
    ids = sorted({r.indicator for r in chosen.rules})
    board = scoreboard(session, actor, [before, on], [a.code for a in counties], ids)
    scores = score(chosen, [(a.code, a.name) for a in counties], board.values[on], board.values[before])
    return Assessment(year, chosen, scores, scheme_notes(chosen, scores, year), weights_after(chosen, scores))
