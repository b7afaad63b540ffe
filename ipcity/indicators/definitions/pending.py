"""Indicators declared, not yet filled: IP pledge financing (P2.7) and the value added of
IP-intensive industries (P1.2). The areas that would collect their data are not built;
every value is *not assessable* with that reason, and the indicator page says so instead of
listing records.
"""

from __future__ import annotations

from ipcity.indicators.definitions.base import (
    MSG_FINANCE_NOT_BUILT,
    MSG_INDUSTRIES_NOT_BUILT,
    Indicator,
    Pending,
    not_assessable,
)


def _pending(
    ident: str,
    name_zh: str,
    name_en: str,
    definition_zh: str,
    definition_en: str,
    clause: str,
    unit_zh: str,
    unit_en: str,
    reason: str,
) -> Indicator:
    return Indicator(
        ident,
        name_zh,
        name_en,
        definition_zh,
        definition_en,
        clause,
        unit_zh,
        unit_en,
        not_assessable(reason),
        records=Pending(reason),
        group="finance",
    )


INDICATORS: tuple[Indicator, ...] = (
    _pending(  # P2.7
        "pledge_financed_enterprises",
        "知识产权质押融资企业数",
        "Enterprises financed by IP pledge",
        "当年通过知识产权质押获得融资的企业家数。",
        "Enterprises that obtained financing against an IP pledge in the year.",
        "P2.7",
        "家",
        "enterprises",
        MSG_FINANCE_NOT_BUILT,
    ),
    _pending(  # P2.7
        "pledge_financing_amount",
        "知识产权质押融资额",
        "IP pledge financing amount",
        "当年知识产权质押融资金额合计。",
        "Total amount financed against IP pledges in the year.",
        "P2.7",
        "元",
        "yuan",
        MSG_FINANCE_NOT_BUILT,
    ),
    _pending(  # P1.2
        "ip_intensive_industries_value_added_share",
        "知识产权密集型产业增加值占GDP比重",
        "Value added of IP-intensive industries, share of GDP",
        "知识产权密集型产业增加值占地区生产总值的比重。",
        "Value added of IP-intensive industries as a share of regional GDP.",
        "P1.2",
        "%",
        "%",
        MSG_INDUSTRIES_NOT_BUILT,
    ),
)
