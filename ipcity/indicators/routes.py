"""Scoreboard pages and the JSON API: city dashboard, county comparison, one indicator
(definition, series, breakdown, records), targets and the county assessment, exports.

Pages and API call the same service functions; routes never build queries.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from ipcity import clock
from ipcity.auth.roles import require
from ipcity.errors import ValidationFailed
from ipcity.indicators import definitions, exports, service
from ipcity.indicators.assessment import fmt_points
from ipcity.indicators.definitions import INDICATORS, Value
from ipcity.indicators.records import CATEGORY_LABELS, RECORD_STATUS_LABELS, TIER_LABELS
from ipcity.indicators.targets import STATUS_LABELS, fmt_pct, half_up_pct, load_targets
from ipcity.places.divisions import require_division
from ipcity.places.names import english_name, place_name
from ipcity.registry.legal_status import PATENT_TYPE_LABELS
from ipcity.registry.legal_status import STATUS_LABELS as PATENT_STATUS_LABELS
from ipcity.web.deps import CurrentActor, LocaleDep, SessionDep, render
from ipcity.web.paging import Pager

router = APIRouter()

YearQ = Annotated[
    int | None, Query(ge=1985, le=2100, description="年度（取12月31日的值，须已结束）；默认上一完整年度")
]
AreaQ = Annotated[str | None, Query(max_length=32, description="行政区划代码或园区代码；默认全市")]
RegionQ = Annotated[
    str | None, Query(max_length=32, description="同 area（与 /api/v1/indicators 的 region 同义）；默认全市")
]
MSG_AREA_REGION_DIFFER = "参数 area={area} 与 region={region} 不一致：两者含义相同，请只给出其中一个"
IndicatorPath = Annotated[str, Path(max_length=64, description="指标ID")]
PageQ = Annotated[int, Query(ge=1, le=100000)]
RECORDS_PER_PAGE = 50  # an indicator's underlying records on its page
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HEADLINES = (
    "invention_patents_per_10k_residents",
    "invention_patents_in_force",
    "pct_applications",
    "trademarks_in_force",
    "well_known_trademarks",
    "gi_certification_marks",
    "enterprises_with_10_invention_patents",
    "gbt29490_enterprises",
)
COMPARISON = (
    "invention_patents_in_force",
    "invention_patents_per_10k_residents",
    "high_value_invention_patents",
    "patent_applications",
    "patent_grants_invention",
    "pct_applications",
    "trademarks_in_force",
    "enterprises_with_10_invention_patents",
    "gbt29490_enterprises",
)
# The zones' table: what applies to a zone, with the zones' own per-10k ratio (P2.1).
ZONE_COMPARISON = (
    "invention_patents_in_force",
    "zone_invention_patents_per_10k_residents",
    "high_value_invention_patents",
    "patent_applications",
    "patent_grants_invention",
    "trademarks_in_force",
    "enterprises_with_10_invention_patents",
    "gbt29490_enterprises",
)
# Where a listed record is shown in full (the registers are searched by its number).
RECORD_LINKS = {
    "trademark": "/registers/trademarks?q=",
    "gi": "/registers/gis?q=",
    "copyright": "/registers/copyrights?q=",
    "plant_variety": "/registers/plant-varieties?q=",
}
PALETTE = ["#0b4a8b", "#3a9e8f", "#e0a030", "#c0392b", "#7d5ba6", "#5d6d7e", "#2e86c1", "#a04000"]


def _year(session: Any, year: int | None) -> int:
    chosen = year or service.latest_complete_year(session)
    service.year_end(chosen)  # refuses (400) a year that has not ended: no year-end figures yet
    return chosen


def _assessment(session: Any, actor: Any, year: int | None) -> Any:
    """The county assessment of ``year`` (default: the last complete one) for the page, its
    exports and the API: who may see it is checked before the year, so that anyone not
    logged in is sent to log in (401) whatever year was asked, not told the year is bad."""
    require(actor, "indicators.assessment")
    return service.county_assessment(session, actor, _year(session, year))


def _download(data: bytes, media: str, name: str) -> Response:
    return Response(data, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _area(area: str | None, region: str | None) -> str:
    """The area asked for: ``area`` or its synonym ``region`` (as /api/v1/indicators and
    ``ipcity indicators --region`` name it); both given and different is refused (400)."""
    if area and region and area != region:
        raise ValidationFailed(MSG_AREA_REGION_DIFFER, area=area, region=region)
    return area or region or service.DEFAULT_CITY


def _percent(indicator: definitions.Indicator | None) -> bool:
    return indicator is not None and indicator.unit_en.strip() == "%"


def _fmt_number(x: float | None, indicator: definitions.Indicator | None = None) -> str:
    """A figure as the indicator pages show it: a percentage (the indicator's unit is %)
    always with one decimal (50.0, -66.7), as the value is computed; any other figure
    whole where it is whole, else with two decimals."""
    if x is None:
        return "—"
    if _percent(indicator):
        return f"{x:,.1f}"
    return f"{int(x):,}" if float(x).is_integer() else f"{x:,.2f}"


def _fmt(value: Value | None, indicator: definitions.Indicator | None = None) -> str:
    """An indicator's value (``—`` where not assessable), by :func:`_fmt_number`."""
    return _fmt_number(None if value is None else value.value, indicator)


def _lone_points(data: list[float | None]) -> list[Any]:
    """The data of a line, each value with no neighbour (per 10,000 residents where only a
    census year has a population) made a larger dot with its value written beside it: a
    line needs two points, so a lone value would otherwise be a speck."""
    out: list[Any] = []
    for i, v in enumerate(data):
        alone = (
            v is not None and (i == 0 or data[i - 1] is None) and (i + 1 == len(data) or data[i + 1] is None)
        )
        out.append({"value": v, "symbolSize": 9, "label": {"show": True, "position": "top"}} if alone else v)
    return out


def _line_chart(years: list[int], series: dict[str, list[float | None]], target: float | None = None) -> str:
    legend = len(series) > 1
    option: dict[str, Any] = {
        "color": PALETTE,
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0, "type": "scroll", "show": legend},
        "grid": {"left": 48, "right": 24, "bottom": 30, "top": 40 if legend else 12},
        "xAxis": {"type": "category", "data": [str(y) for y in years]},
        "yAxis": {"type": "value"},
        "series": [
            # Every point marked with a filled dot: a value between years that are not
            # assessable (per-10k where only a census year has a population) is a lone point,
            # which ECharts' default hollow symbol does not show.
            {
                "name": name,
                "type": "line",
                "connectNulls": False,
                "showSymbol": True,
                "showAllSymbol": True,
                "symbol": "circle",
                "symbolSize": 5,
                "data": _lone_points(data),
            }
            for name, data in series.items()
        ],
    }
    if target is not None and option["series"]:
        values = [v for data in series.values() for v in data if v is not None]
        if all(v < target for v in values):
            # The axis reaches the target, so its dashed line shows how far off the value is.
            option["yAxis"]["max"] = target
        option["grid"]["right"] = 44  # room for the target's label at the line's end
        option["series"][0]["markLine"] = {
            "symbol": "none",
            "data": [{"yAxis": target, "name": "target"}],
            "lineStyle": {"type": "dashed", "color": "#c0392b"},
        }
    return json.dumps(option, ensure_ascii=False)


def _bar_chart(names: list[str], values: list[float | None], label: str) -> str:
    """Horizontal bars, the areas down the left in the table's order: a long name (Hebi
    Economic and Technological Development Zone) wraps in its own band instead of running into
    the next one, and the bars keep the width a phone has; each bar has its figure at its
    end, and the tooltip names the area in full."""
    option: dict[str, Any] = {
        "color": PALETTE,
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 120, "right": 56, "bottom": 24, "top": 12},
        "yAxis": {
            "type": "category",
            "data": names,
            "inverse": True,
            "axisTick": {"show": False},
            "axisLabel": {"interval": 0, "width": 110, "overflow": "break", "lineHeight": 14},
        },
        "xAxis": {"type": "value", "splitNumber": 3},
        "series": [
            {
                "name": label,
                "type": "bar",
                "barMaxWidth": 28,
                "label": {"show": True, "position": "right"},
                "data": values,
            }
        ],
    }
    return json.dumps(option, ensure_ascii=False)


# ---- JSON API ---------------------------------------------------------------------------


@router.get("/api/v1/indicators", tags=["indicators"], summary="指标值 / indicator values for a year")
def api_indicators(
    session: SessionDep, actor: CurrentActor, locale: LocaleDep, year: YearQ = None, region: AreaQ = None
) -> dict[str, Any]:
    """Every indicator at the end of ``year`` for the city and each county and zone (as
    ``ipcity indicators --json``); ``reasons`` says why a value is not assessable, in the
    reader's language (``?lang=``, Accept-Language; Chinese by default)."""
    return service.indicators_json(session, actor, service.year_end(_year(session, year)), region, locale)


@router.get("/api/v1/indicators/catalogue", tags=["indicators"], summary="指标目录 / the indicators")
def api_catalogue(locale: LocaleDep) -> list[dict[str, Any]]:
    """Every indicator: id, name, definition, clause, unit, areas."""
    return [
        {
            "id": i.id,
            "name": i.name(locale),
            "definition": i.definition(locale),
            "clause": i.clause,
            "unit": i.unit(locale),
            "areas": sorted(i.areas),
        }
        for i in INDICATORS
    ]


@router.get("/api/v1/indicators/targets", tags=["indicators"], summary="目标进度 / progress to targets")
def api_targets(session: SessionDep, actor: CurrentActor, year: YearQ = None) -> list[dict[str, Any]]:
    """Each target of the 2020 set: baseline, current value, progress, projection, status."""
    rows = service.target_progress(session, actor, service.year_end(_year(session, year)))
    return [
        {
            "indicator": r.target.indicator,
            "area": r.area_code,
            "target": r.target.target,
            "clause": r.target.clause,
            "baseline": r.baseline,
            "current": r.current,
            "progress_pct": half_up_pct(r.progress_pct),
            "projection": r.projection,
            "status": r.status,
            "date": r.on.isoformat(),
        }
        for r in rows
    ]


@router.get("/api/v1/indicators/assessment", tags=["indicators"], summary="县区考核 / county assessment")
def api_assessment(
    session: SessionDep, actor: CurrentActor, locale: LocaleDep, year: YearQ = None
) -> dict[str, Any]:
    """Each county's score, rank and the reasons behind each point (officers)."""
    result = _assessment(session, actor, year)
    return {
        "year": result.year,
        "scheme": result.scheme.label(locale),
        "clause": result.scheme.clause,
        "notes": [n.text(locale) for n in result.notes],
        "counties": [
            {
                "code": c.code,
                "name": c.name,
                "name_en": english_name(c.code),
                "score": c.score,
                "rank": c.rank,
                "points": [
                    {
                        "indicator": p.indicator,
                        "part": p.part,
                        "points": p.points,
                        "max": p.max_points,
                        "counted": p.counted,
                        "reason": p.text(locale),
                    }
                    for p in c.points
                ],
                "notes": [n.text(locale) for n in c.notes],
            }
            for c in result.counties
        ],
    }


@router.get(
    "/api/v1/indicators/{indicator_id}/records",
    tags=["indicators"],
    summary="构成记录 / the records behind a count",
)
def api_records(
    indicator_id: IndicatorPath,
    session: SessionDep,
    actor: CurrentActor,
    locale: LocaleDep,
    year: YearQ = None,
    area: AreaQ = None,
    region: RegionQ = None,
    page: PageQ = 1,
    per_page: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """The records that make an indicator's number for an area at the end of ``year``: the
    patents, trademarks, GIs, copyrights, plant-variety rights, PCT applications or
    enterprises (with the value counted for each) — ``total`` equals the count; a ratio or a
    growth rate lists its numerator (``listed``). Where there is no list, ``reason`` says why.
    ``region`` is a synonym of ``area`` (as in /api/v1/indicators)."""
    area_code = _area(area, region)
    on = service.year_end(_year(session, year))
    found = service.records(
        session,
        actor,
        indicator_id,
        area_code,
        on,
        limit=per_page,
        offset=(page - 1) * per_page,
    )
    return {
        "indicator": found.indicator.id,
        "listed": found.listed.id,
        "area": found.area.code,
        "date": on.isoformat(),
        "shows": found.shows,
        "total": found.total,
        "page": page,
        "per_page": per_page,
        "reason": found.reason_text(locale),
        "items": [_record_json(r, locale) for r in found.rows],
    }


def _record_json(record: Any, locale: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in asdict(record).items():
        if key == "notes":
            out[key] = exports.notes_text(record.notes, locale)
        else:
            out[key] = value.isoformat() if isinstance(value, date) else value
    return out


@router.get(
    "/api/v1/indicators/{indicator_id}", tags=["indicators"], summary="指标序列 / one indicator over years"
)
def api_indicator(
    indicator_id: IndicatorPath,
    session: SessionDep,
    actor: CurrentActor,
    locale: LocaleDep,
    start: Annotated[int | None, Query(alias="from", ge=1985, le=2100)] = None,
    end: Annotated[int | None, Query(alias="to", ge=1985, le=2100)] = None,
) -> dict[str, Any]:
    """An indicator at each year-end for every area it applies to; ``reasons``: why a year's
    value is not assessable, in the reader's language."""
    years = service.data_years(session)
    first, last = start or years[0], end or years[-1]
    if last - first > 40 or last < first:
        raise ValidationFailed("年份范围应为不超过40年的递增区间，收到：{value}", value=f"{first}-{last}")
    indicator, board = service.series(session, actor, indicator_id, list(range(first, last + 1)))
    return {
        "id": indicator.id,
        "clause": indicator.clause,
        "series": {
            a.code: {
                str(on.year): v.as_json()
                for on in board.dates
                if (v := board.value(on, a.code, indicator.id))
            }
            for a in board.areas
            if indicator.applies_to(a)
        },
        "reasons": {
            a.code: {
                str(on.year): v.reason_text(locale) or ""
                for on in board.dates
                if (v := board.value(on, a.code, indicator.id)) and not v.assessable
            }
            for a in board.areas
            if indicator.applies_to(a)
        },
    }


# ---- pages ---------------------------------------------------------------------------------


@router.get("/indicators", include_in_schema=False)
def dashboard(
    request: Request, session: SessionDep, actor: CurrentActor, locale: LocaleDep, year: YearQ = None
) -> Response:
    """The city dashboard: headline numbers with their targets and trend lines."""
    chosen = _year(session, year)
    all_years = service.data_years(session)
    years = [y for y in all_years if y <= chosen] or [chosen]
    # Every data year, not only those charted: a card whose year cannot be assessed offers
    # the latest year that can, which may come after the one chosen.
    board_years = sorted({*all_years, chosen})
    city = service.DEFAULT_CITY
    board = service.scoreboard(session, actor, [service.year_end(y) for y in board_years], [city])
    on = service.year_end(chosen)
    targets = load_targets()
    progress = {
        (p.target.indicator, p.area_code): p for p in service.target_progress(session, actor, on, targets)
    }
    cards = []
    for ident in HEADLINES:
        ind = definitions.BY_ID[ident]
        value = board.value(on, city, ident)
        p = progress.get((ident, city))
        data = [
            (lambda v: v.value if v else None)(board.value(service.year_end(y), city, ident)) for y in years
        ]
        cards.append(
            {
                "indicator": ind,
                "value": value,
                "text": _fmt(value, ind),
                "latest": _latest(board, city, ident, value),
                "progress": p,
                "chart": _line_chart(years, {ind.name(locale): data}, p.target.target if p else None),
            }
        )
    rows = [p for p in progress.values()]
    return render(
        request,
        "indicators/dashboard.html",
        {
            "year": chosen,
            "years": all_years,
            "city": require_division(city).label(locale),
            "cards": cards,
            "progress_rows": rows,
            "targets": targets,
            "status_labels": STATUS_LABELS,
            "indicators": definitions.BY_ID,
            "fmt_number": _fmt_number,
            "fmt_pct": fmt_pct,
            "area_names": {a.code: a.name for a in service.city_areas(session)},
        },
    )


def _latest(
    board: service.Scoreboard, area_code: str, ident: str, value: Value | None
) -> dict[str, Any] | None:
    """Where ``value`` is not assessable for want of a population figure: the latest year
    that is (``year``, ``text``), or ``{"year": None}`` where no year is. None otherwise."""
    if value is None or value.reason != definitions.MSG_NO_POPULATION:
        return None
    found = board.latest_assessable(area_code, ident)
    if found is None:
        return {"year": None, "text": ""}
    return {"year": found[0], "text": _fmt(found[1], definitions.BY_ID.get(ident))}


@router.get("/indicators/counties", include_in_schema=False)
def counties_page(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    locale: LocaleDep,
    year: YearQ = None,
    sort: Annotated[str | None, Query(max_length=64)] = None,
    desc: bool = True,
    zsort: Annotated[str | None, Query(max_length=64)] = None,
    zdesc: bool = True,
) -> Response:
    """County comparison: the main indicators for each county, sortable, with a chart of the
    column sorted by; the zones' table below, sortable on its own."""
    chosen = _year(session, year)
    on = service.year_end(chosen)
    board = service.scoreboard(session, actor, [on], None, list(dict.fromkeys(COMPARISON + ZONE_COMPARISON)))
    counties = [a for a in board.areas if a.kind != "zone"]
    key = sort if sort in COMPARISON else COMPARISON[0]
    zone_key = zsort if zsort in ZONE_COMPARISON else ZONE_COMPARISON[0]

    def sorter(ident: str) -> Any:
        def sort_value(area: Any) -> float:
            v = board.value(on, area.code, ident)
            return float(v.value) if v and v.value is not None else float("-inf")

        return sort_value

    city, rest = counties[0], sorted(counties[1:], key=sorter(key), reverse=desc)
    zones = sorted((a for a in board.areas if a.kind == "zone"), key=sorter(zone_key), reverse=zdesc)
    shown = [board.value(on, a.code, key) for a in rest]
    chart_values = [v.value if v else None for v in shown]
    chosen_indicator = definitions.BY_ID[key]
    # Nothing to draw (per 10,000 residents without population figures): say why instead of
    # an empty plot — the first county's reason; the table's cells give each one's.
    nothing = all(x is None for x in chart_values)
    why = next((v for v in shown if v is not None), None) if nothing else None
    return render(
        request,
        "indicators/counties.html",
        {
            "year": chosen,
            "years": service.data_years(session),
            "columns": [definitions.BY_ID[i] for i in COMPARISON],
            "zone_columns": [definitions.BY_ID[i] for i in ZONE_COMPARISON],
            "rows": [city, *rest],
            "zones": zones,
            "board": board,
            "on": on,
            "fmt": _fmt,
            "sort": key,
            "desc": desc,
            "zsort": zone_key,
            "zdesc": zdesc,
            "chart_indicator": chosen_indicator,
            "chart_empty": nothing,
            "chart_reason": why.reason_text(locale) if why else None,
            "chart": _bar_chart(
                [place_name(a.name, locale) for a in rest], chart_values, chosen_indicator.name(locale)
            ),
        },
    )


@router.get("/indicators/assessment", include_in_schema=False)
def assessment_page(
    request: Request, session: SessionDep, actor: CurrentActor, locale: LocaleDep, year: YearQ = None
) -> Response:
    """The county assessment table with the reasons behind each point, and what could not be
    assessed (left out, the rest re-weighted)."""
    result = _assessment(session, actor, year)
    return render(
        request,
        "indicators/assessment.html",
        {
            "result": result,
            "years": service.data_years(session),
            "indicators": definitions.BY_ID,
            "year": result.year,
            "fmt_points": fmt_points,
            "sep": exports.separator(locale),
        },
    )


@router.get("/indicators/assessment.{fmt}", include_in_schema=False)
def assessment_export(
    fmt: Literal["xlsx", "docx"],
    session: SessionDep,
    actor: CurrentActor,
    locale: LocaleDep,
    year: YearQ = None,
) -> Response:
    """The assessment as XLSX or as a Word report."""
    result = _assessment(session, actor, year)
    if fmt == "docx":
        return _download(exports.assessment_docx(result, locale), DOCX, f"assessment-{result.year}.docx")
    return _download(exports.assessment_xlsx(result, locale), XLSX, f"assessment-{result.year}.xlsx")


@router.get("/indicators/{indicator_id}/records.{fmt}", include_in_schema=False)
def records_export(
    indicator_id: IndicatorPath,
    fmt: Literal["csv", "xlsx"],
    session: SessionDep,
    actor: CurrentActor,
    locale: LocaleDep,
    year: YearQ = None,
    area: AreaQ = None,
    region: RegionQ = None,
) -> Response:
    """The records behind a count, as CSV or XLSX (``area`` or its synonym ``region``)."""
    area_code = _area(area, region)
    on = service.year_end(_year(session, year))
    found = service.records(session, actor, indicator_id, area_code, on, limit=service.MAX_RECORDS)
    header, rows = exports.record_rows(found, locale)
    data = exports.table_bytes(header, rows, fmt, found.listed.name(locale))
    name = f"{indicator_id}-{found.area.code}-{on.year}.{fmt}"
    return _download(data, "text/csv; charset=utf-8" if fmt == "csv" else XLSX, name)


@router.get("/indicators/{indicator_id}", include_in_schema=False)
def indicator_page(
    indicator_id: IndicatorPath,
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    locale: LocaleDep,
    year: YearQ = None,
    area: AreaQ = None,
    region: RegionQ = None,
    page: PageQ = 1,
) -> Response:
    """One indicator: definition, series over years, breakdown by county and zone, records
    (of ``area``, or its synonym ``region``)."""
    area_code = _area(area, region)
    chosen = _year(session, year)
    all_years = service.data_years(session)
    years = [y for y in all_years if y <= chosen] or [chosen]
    # Every data year: where the chosen one cannot be assessed, the page offers the latest that can.
    indicator, board = service.series(session, actor, indicator_id, sorted({*all_years, chosen}))
    on = service.year_end(chosen)
    current = service.find_area(session, area_code)
    lines: dict[str, list[float | None]] = {}
    for a in board.areas:
        if a.kind != "zone" and indicator.applies_to(a):
            lines[place_name(a.name, locale)] = [
                (lambda v: v.value if v else None)(board.value(service.year_end(y), a.code, indicator.id))
                for y in years
            ]
    if not lines:
        for a in board.areas:
            if indicator.applies_to(a):
                lines[place_name(a.name, locale)] = [
                    (lambda v: v.value if v else None)(board.value(service.year_end(y), a.code, indicator.id))
                    for y in years
                ]
    per_page = RECORDS_PER_PAGE
    found = service.records(
        session, actor, indicator_id, area_code, on, limit=per_page, offset=(page - 1) * per_page
    )
    pager = Pager.of(page, total=found.total, per_page=per_page)
    if pager.page != page:  # past the last page: show the last
        found = service.records(
            session, actor, indicator_id, area_code, on, limit=per_page, offset=pager.offset
        )
    return render(
        request,
        "indicators/indicator.html",
        {
            "indicator": indicator,
            "year": chosen,
            "years": service.data_years(session),
            "series_years": years,
            "board": board,
            "year_ends": {y: service.year_end(y) for y in years},
            "on": on,
            "fmt": _fmt,
            "area": current,
            "latest": _latest(board, current.code, indicator.id, board.value(on, current.code, indicator.id)),
            "chart": _line_chart(years, lines),
            # Nothing to draw (a zone's per-10k ratio where no zone has a population figure):
            # say so instead of an empty plot, as the county comparison does.
            "chart_empty": all(v is None for data in lines.values() for v in data),
            "records": found,
            "record_links": RECORD_LINKS,
            "labels": {
                "patent_types": PATENT_TYPE_LABELS,
                "patent_status": PATENT_STATUS_LABELS,
                "category": CATEGORY_LABELS,
                "status": RECORD_STATUS_LABELS,
                "tier": TIER_LABELS,
            },
            "notes_text": exports.notes_text,
            "sep": exports.separator(locale),
            "pager": pager,
            "today": clock.today(),
        },
    )
