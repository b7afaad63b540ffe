"""Indicators declared, not yet filled: the value added of IP-intensive industries (P1.2).
The area that would collect its data (industry statistics, P2.4) is not built; every value
is *not assessable* with that reason, and the indicator page says so instead of listing
records.
"""

from __future__ import annotations

from ipcity.indicators.definitions.base import (
    MSG_INDUSTRIES_NOT_BUILT,
    Indicator,
    Pending,
    not_assessable,
)

INDICATORS: tuple[Indicator, ...] = (
    Indicator(  # P1.2
        "ip_intensive_industries_value_added_share",
        "知识产权密集型产业增加值占GDP比重",
        "Value added of IP-intensive industries, share of GDP",
        "知识产权密集型产业增加值占地区生产总值的比重。",
        "Value added of IP-intensive industries as a share of regional GDP.",
        "P1.2",
        "%",
        "%",
        not_assessable(MSG_INDUSTRIES_NOT_BUILT),
        records=Pending(MSG_INDUSTRIES_NOT_BUILT),
        group="finance",
        attribution=None,
    ),
)
