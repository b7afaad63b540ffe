"""Trademarks, geographical indications, plant-variety rights and copyrights (P1.2).

Each count is the length of a selection over the facts (:class:`FactList`), and the
indicator page lists that very selection: the records behind the number.
"""

from __future__ import annotations

from datetime import date

from ipcity.indicators.definitions.base import (
    EVERYWHERE,
    FactList,
    Indicator,
    count_of,
    year_start,
)
from ipcity.indicators.facts import Area, DatedRow, Member, RegistryFacts, TrademarkRow

ENDED_MARK_STATUSES = frozenset({"cancelled", "invalidated", "revoked"})


def mark_in_force(row: TrademarkRow, on: date) -> bool:
    """Whether a registered mark is in force on ``on``.

    A cancellation, invalidation or revocation is stored without its date: such a mark is
    left out at every date rather than counted on a guessed day.
    """
    if row.registration_date is None or row.registration_date > on:
        return False
    if row.status in ENDED_MARK_STATUSES:
        return False
    return row.expiry_date is None or on <= row.expiry_date


def _by_date(rows: list[TrademarkRow]) -> list[TrademarkRow]:
    return sorted(rows, key=lambda t: (t.registration_date or date.min, t.registration_number))


def _trademarks_in_force(facts: RegistryFacts, area: Area, on: date) -> list[TrademarkRow]:
    return _by_date(
        [t for t in facts.trademarks if area.holds(t.region_code, t.zone_code) and mark_in_force(t, on)]
    )


def _well_known(facts: RegistryFacts, area: Area, on: date) -> list[TrademarkRow]:
    return _by_date(
        [
            t
            for t in facts.trademarks
            if t.well_known_date is not None
            and t.well_known_date <= on
            and area.holds(t.region_code, t.zone_code)
            and mark_in_force(t, on)
        ]
    )


def _gi_marks(facts: RegistryFacts, area: Area, on: date) -> list[Member]:
    # One per registration number: the trademark where the registry holds one (it carries the
    # term), else the GI record.
    chosen: dict[str, Member] = {}
    for t in _by_date(
        [
            t
            for t in facts.trademarks
            if t.mark_type == "gi_certification"
            and area.holds(t.region_code, t.zone_code)
            and mark_in_force(t, on)
        ]
    ):
        chosen.setdefault(t.registration_number, t)
    for g in sorted(facts.gi_marks, key=lambda g: (g.on or date.min, g.key, g.id)):
        if g.on is not None and g.on <= on and area.holds(g.region_code, g.zone_code):
            chosen.setdefault(g.key, g)
    return list(chosen.values())


def _plant_varieties(facts: RegistryFacts, area: Area, on: date) -> list[DatedRow]:
    return sorted(
        (
            r
            for r in facts.plant_varieties
            if r.on is not None and r.on <= on and area.holds(r.region_code, r.zone_code)
        ),
        key=lambda r: (r.on or date.min, r.key),
    )


def _copyrights(category: str | None, cumulative: bool = False) -> FactList:
    """Copyright registrations of the year to the date (a flow), or ``cumulative``: every
    registration by the date (the holdings, 版权拥有量; a registration does not lapse)."""

    def select(facts: RegistryFacts, area: Area, on: date) -> list[DatedRow]:
        start = date.min if cumulative else year_start(on)
        return sorted(
            (
                r
                for r in facts.copyrights
                if r.on is not None
                and start <= r.on <= on
                and (category is None or r.category == category)
                and area.holds(r.region_code, r.zone_code)
            ),
            key=lambda r: (r.on or date.min, r.key),
        )

    return FactList(("copyrights",), select)


TRADEMARKS_IN_FORCE = FactList(("trademarks",), _trademarks_in_force, date_label="registered")
WELL_KNOWN = FactList(("trademarks",), _well_known, date_label="registered")
GI_MARKS = FactList(("trademarks", "gi_marks"), _gi_marks, date_label="registered")
PLANT_VARIETIES = FactList(("plant_varieties",), _plant_varieties, date_label="granted")
COPYRIGHTS = _copyrights(None)
COPYRIGHTS_SOFTWARE = _copyrights("software")
COPYRIGHTS_WORKS = _copyrights("work")
COPYRIGHTS_HELD = _copyrights(None, cumulative=True)


def _declare() -> list[Indicator]:
    return [
        Indicator(  # P1.2
            "trademarks_in_force",
            "有效注册商标量",
            "Registered trademarks in force",
            "该日有效的本地权利人注册商标件数：注册日不晚于该日、未过有效期；已注销、无效或撤销的商标因无日期，"
            "在任何日期均不计入。",
            "Registered trademarks of local holders in force on the date: registered by then and not past "
            "their expiry; cancelled, invalidated or revoked marks (stored without a date) are never counted.",
            "P1.2",
            "件",
            "marks",
            count_of(TRADEMARKS_IN_FORCE),
            EVERYWHERE,
            records=TRADEMARKS_IN_FORCE,
            group="brands",
            attribution="holder",
        ),
        Indicator(  # P1.2
            "well_known_trademarks",
            "驰名商标数",
            "Well-known trademarks",
            "该日有效、且已被认定为驰名商标（认定日不晚于该日）的本地注册商标件数。",
            "Registered trademarks of local holders in force on the date and recognised as well known by then.",
            "P1.2",
            "件",
            "marks",
            count_of(WELL_KNOWN),
            records=WELL_KNOWN,
            group="brands",
            attribution="holder",
        ),
        Indicator(  # P1.2
            "gi_certification_marks",
            "地理标志证明商标数",
            "Geographical-indication certification marks",
            "该日有效的地理标志证明商标（商标类型为地理标志证明商标，或地理标志表中类别为地理标志证明商标），"
            "按注册号去重。",
            "Geographical-indication certification marks registered by the date (trademarks of that type in "
            "force, or GI records of that kind), distinct registration numbers.",
            "P1.2",
            "件",
            "marks",
            count_of(GI_MARKS),
            records=GI_MARKS,
            group="brands",
            attribution="gi",
        ),
        Indicator(  # P1.2
            "plant_variety_rights",
            "植物新品种权拥有量",
            "Plant-variety rights",
            "该日之前授权的本地权利人植物新品种权件数（登记库无终止记录，按已授权累计）。",
            "Plant-variety rights granted to local holders by the date (the registry records no "
            "termination: cumulative grants).",
            "P1.2",
            "件",
            "rights",
            count_of(PLANT_VARIETIES),
            records=PLANT_VARIETIES,
            group="brands",
            attribution="holder",
        ),
        Indicator(  # P1.2
            "copyright_registrations",
            "著作权登记量",
            "Copyright registrations",
            "当年1月1日至该日本地权利人的著作权登记件数（计算机软件与作品合计，按登记日）。",
            "Copyright registrations of local holders from 1 January to the date (software and works, by "
            "registration date).",
            "P1.2",
            "件",
            "registrations",
            count_of(COPYRIGHTS),
            records=COPYRIGHTS,
            group="brands",
            attribution="holder",
        ),
        Indicator(  # P1.2: 版权拥有量有较大幅度增长 is a stock, judged on this
            "copyright_holdings",
            "版权拥有量",
            "Copyright holdings",
            "截至该日本地权利人累计登记的著作权件数（计算机软件与作品合计，按登记日；登记不因年限失效，"
            "按累计计）。",
            "Copyrights registered by local holders up to the date (software and works, by registration "
            "date; a registration does not lapse, so the count is cumulative).",
            "P1.2",
            "件",
            "copyrights",
            count_of(COPYRIGHTS_HELD),
            records=COPYRIGHTS_HELD,
            group="brands",
            attribution="holder",
        ),
        Indicator(  # P1.2
            "copyright_registrations_software",
            "计算机软件著作权登记量",
            "Software copyright registrations",
            "当年1月1日至该日本地权利人的计算机软件著作权登记件数。",
            "Software copyright registrations of local holders from 1 January to the date.",
            "P1.2",
            "件",
            "registrations",
            count_of(COPYRIGHTS_SOFTWARE),
            records=COPYRIGHTS_SOFTWARE,
            group="brands",
            attribution="holder",
        ),
        Indicator(  # P1.2
            "copyright_registrations_works",
            "作品著作权登记量",
            "Copyright registrations of works",
            "当年1月1日至该日本地权利人的作品著作权登记件数。",
            "Copyright registrations of works of local holders from 1 January to the date.",
            "P1.2",
            "件",
            "registrations",
            count_of(COPYRIGHTS_WORKS),
            records=COPYRIGHTS_WORKS,
            group="brands",
            attribution="holder",
        ),
    ]


INDICATORS: tuple[Indicator, ...] = tuple(_declare())
