"""Every indicator of the scoreboard, declared once: id, names and definition in Chinese and
English, the clause of PROVISIONS.md that orders it, its unit, the areas it applies to, a
function of (registry facts, area, date) that computes it and where the records that make
its number come from.

Declarations by subject, in the order of the scoreboard:

* :mod:`.patents` — invention patents in force, per 10,000 residents (city, counties; zones),
  high-value, applications, grants, PCT (P1.2, P2.1, P2.2);
* :mod:`.other_assets` — trademarks, GI marks, plant-variety rights, copyrights (P1.2);
* :mod:`.enterprises` — enterprises by invention patents in force (P2.1) and by
  recognition (P2.3);
* :mod:`.finance` — IP pledge loans, the enterprises they financed and the amount (P2.7),
  from the loans the policy area records for the interest subsidy;
* :mod:`.pending` — declared, not yet filled: IP-intensive industries (P1.2).

:mod:`.base` holds what they are made of. Pure: the functions read
:class:`ipcity.indicators.facts.RegistryFacts`, never the database. A value that cannot be
computed honestly is *not assessable* with its reason (a message id with parameters),
never a guess.

Attribution: a patent counts for the region and zone of its **first holder**
(``Patent.first_holder_id``): a co-owned patent counts once, where its first-named holder
is. A holder without an address (no region) counts for no region; it is listed apart.
"""

from __future__ import annotations

from datetime import date

from ipcity.indicators.definitions import enterprises, finance, other_assets, patents, pending
from ipcity.indicators.definitions.base import (
    ATTRIBUTION,
    EVERYWHERE,
    JSON_REASONS,
    MSG_HIGH_VALUE_PARTIAL,
    MSG_INDUSTRIES_NOT_BUILT,
    MSG_NO_BASE_YEAR,
    MSG_NO_LOAN_AMOUNT,
    MSG_NO_LOANS_REGISTERED,
    MSG_NO_POPULATION,
    MSG_NOT_FOR_AREA,
    NOT_ASSESSABLE_PREFIX,
    RECORD_DATE_LABELS,
    Compute,
    FactList,
    Indicator,
    Numerator,
    PatentList,
    Pending,
    RecordSource,
    Select,
    Value,
    render_message,
    same_day_year_before,
    year_start,
)
from ipcity.indicators.facts import Area, RegistryFacts

__all__ = [
    "ATTRIBUTION",
    "BY_ID",
    "EVERYWHERE",
    "GROUP_LABELS",
    "INDICATORS",
    "JSON_REASONS",
    "MSG_HIGH_VALUE_PARTIAL",
    "MSG_INDUSTRIES_NOT_BUILT",
    "MSG_NOT_FOR_AREA",
    "MSG_NO_BASE_YEAR",
    "MSG_NO_LOANS_REGISTERED",
    "MSG_NO_LOAN_AMOUNT",
    "MSG_NO_POPULATION",
    "NOT_ASSESSABLE_PREFIX",
    "RECORD_DATE_LABELS",
    "Compute",
    "FactList",
    "Indicator",
    "Numerator",
    "PatentList",
    "Pending",
    "RecordSource",
    "Select",
    "Value",
    "compute_all",
    "get",
    "listed_by",
    "render_message",
    "same_day_year_before",
    "year_start",
]

INDICATORS: tuple[Indicator, ...] = (
    *patents.INDICATORS,
    *other_assets.INDICATORS,
    *enterprises.INDICATORS,
    *finance.INDICATORS,
    *pending.INDICATORS,
)
BY_ID: dict[str, Indicator] = {i.id: i for i in INDICATORS}
GROUP_LABELS = {
    "patents": "专利",
    "brands": "商标、版权与植物新品种",
    "enterprises": "企业",
    "finance": "金融与产业",
}


def get(indicator_id: str) -> Indicator | None:
    """The indicator with this id, or None."""
    return BY_ID.get(indicator_id)


def listed_by(indicator: Indicator) -> Indicator:
    """The indicator whose records ``indicator``'s page lists: itself, or for a ratio or a
    growth rate the count it is computed from (its numerator)."""
    source = indicator.records
    return BY_ID[source.indicator] if isinstance(source, Numerator) else indicator


def compute_all(
    facts: RegistryFacts, areas: list[Area], on: date, ids: list[str] | None = None
) -> dict[str, dict[str, Value]]:
    """``{area code: {indicator id: Value}}`` for every area on ``on`` (indicators that
    apply to the area's kind only)."""
    chosen = [BY_ID[i] for i in ids] if ids else list(INDICATORS)
    return {
        area.code: {ind.id: ind.compute(facts, area, on) for ind in chosen if ind.applies_to(area)}
        for area in areas
    }
