"""The registry data indicators are computed from: counts and small lists gathered by
:mod:`ipcity.indicators.queries` (SQL) for a set of dates, as plain values.

Pure: no database or web import, so every indicator is tested with values built by hand.
Each count is keyed by the *raw* attribution of its holder — the holder's region code
(``None`` for a holder without an address) and zone code — so that any area (the city,
a county, a zone) is a sum over keys (:meth:`Area.holds`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

AreaKind = Literal["city", "county", "zone"]

# Tier ids as the importers store them (importers/templates.py HOLDER_TIERS values) and the
# Chinese labels the demo stores (demo/sample_holders.py): both mean the same recognition.
TIER_IDS: dict[str, str] = {
    "national_ip_advantage": "national_ip_advantage",
    "national_ip_demonstration": "national_ip_demonstration",
    "provincial_ip_strong": "provincial_ip_strong",
    "municipal_ip_demonstration": "municipal_ip_demonstration",
    "gbt29490": "gbt29490",
    "国家知识产权优势企业": "national_ip_advantage",
    "国家知识产权示范企业": "national_ip_demonstration",
    "省知识产权强企": "provincial_ip_strong",
    "省级知识产权强企": "provincial_ip_strong",
    "市知识产权示范企业": "municipal_ip_demonstration",
    "市级知识产权示范企业": "municipal_ip_demonstration",
    "贯标": "gbt29490",
    "贯标认证": "gbt29490",
    "GB/T 29490": "gbt29490",
    "GB/T29490": "gbt29490",
}


def tier_id(stored: str) -> str | None:
    """The tier id of a stored tier (an id or a Chinese label), ``None`` when unknown.

    >>> tier_id("贯标认证"), tier_id("national_ip_advantage"), tier_id("x")
    ('gbt29490', 'national_ip_advantage', None)
    """
    return TIER_IDS.get(stored.strip())


@dataclass(frozen=True)
class Area:
    """Where an indicator is computed: the city, one of its counties, or a zone."""

    code: str
    kind: AreaKind
    name: str
    name_en: str | None = None

    def holds(self, region_code: str | None, zone_code: str | None) -> bool:
        """Whether a holder attributed to (region, zone) counts for this area.

        The city takes every code of the city (its counties, development-zone codes and
        holders placed in the city without a county); a county its own code; a zone its code.

        >>> Area("410600", "city", "鹤壁市").holds("410611", None)
        True
        >>> Area("410611", "county", "淇滨区").holds("410600", None)
        False
        """
        if self.kind == "zone":
            return zone_code == self.code
        if region_code is None:
            return False
        if self.kind == "city":
            return region_code[:4] == self.code[:4]
        return region_code == self.code


Key = tuple[str | None, str | None]  # (holder region code, holder zone code)


@dataclass
class DatedCounts:
    """Counts by (region, zone) for each date: ``data[on][key] = n``."""

    data: dict[date, dict[Key, int]] = field(default_factory=lambda: defaultdict(dict))

    def add(self, on: date, region: str | None, zone: str | None, n: int) -> None:
        """Add ``n`` to the count of (region, zone) on ``on``."""
        bucket = self.data.setdefault(on, {})
        bucket[(region, zone)] = bucket.get((region, zone), 0) + int(n)

    def total(self, area: Area, on: date) -> int:
        """The sum over the keys the area holds, on ``on`` (0 when nothing was counted)."""
        return sum(n for (region, zone), n in self.data.get(on, {}).items() if area.holds(region, zone))


@dataclass(frozen=True)
class HolderCount:
    """A holder's count of something on a date (enterprises by invention patents in force)."""

    holder_id: int
    region_code: str | None
    zone_code: str | None
    count: int


@dataclass(frozen=True)
class TierRow:
    """A recognition of an enterprise: tier id and year (P2.3, P5.1)."""

    holder_id: int
    region_code: str | None
    zone_code: str | None
    tier: str
    year: int


@dataclass(frozen=True)
class TrademarkRow:
    """What the indicators need of a trademark (``id``: its row, to list it)."""

    registration_number: str
    region_code: str | None
    zone_code: str | None
    mark_type: str
    registration_date: date | None
    expiry_date: date | None
    well_known_date: date | None
    status: str | None
    id: int = 0


@dataclass(frozen=True)
class DatedRow:
    """A record with a date and a category (copyrights, plant varieties, GI marks, PCT).

    ``source`` names its table (``copyright``, ``plant_variety``, ``gi``, ``pct``: a patent)
    and ``id`` its row there, so that the records behind a count can be listed.
    """

    key: str
    region_code: str | None
    zone_code: str | None
    on: date | None
    category: str = ""
    source: str = ""
    id: int = 0


@dataclass(frozen=True)
class LoanRow:
    """A loan secured by an IP pledge (P2.7), as the policy area records it for the
    interest subsidy: the borrowing enterprise (``holder_id``) places it; ``principal_yuan``
    is ``None`` where the amount was not recorded (stored as 0)."""

    id: int
    contract_number: str
    holder_id: int
    region_code: str | None
    zone_code: str | None
    start_date: date
    principal_yuan: int | None


# One thing a count is made of, as the facts hold it (the indicator page lists these).
Member = TrademarkRow | DatedRow | HolderCount | TierRow | LoanRow


@dataclass
class RegistryFacts:
    """Everything indicators read, for the dates in ``dates``.

    ``patent_counts[name]`` holds DatedCounts for: ``invention_in_force`` (CN invention
    patents in force, first holder), ``invention_in_force_maintained_10y`` (of those, filed
    more than 10 years before the date: maintained over 10 years, as CNIPA counts),
    ``invention_in_force_overseas_family``,
    ``invention_in_force_high_value`` (either of the two), ``applications_<type>`` and
    ``grants_<type>`` (CN, from 1 January of the date's year to the date).
    """

    dates: tuple[date, ...]
    patent_counts: dict[str, DatedCounts] = field(default_factory=dict)
    enterprise_inventions: dict[date, list[HolderCount]] = field(default_factory=dict)
    tiers: list[TierRow] = field(default_factory=list)
    trademarks: list[TrademarkRow] = field(default_factory=list)
    copyrights: list[DatedRow] = field(default_factory=list)
    plant_varieties: list[DatedRow] = field(default_factory=list)
    gi_marks: list[DatedRow] = field(default_factory=list)
    pct_applications: list[DatedRow] = field(default_factory=list)
    pledge_loans: list[LoanRow] = field(default_factory=list)
    population: dict[tuple[str, int], int] = field(default_factory=dict)

    def counts(self, name: str) -> DatedCounts:
        """The dated counts called ``name`` (empty when none were gathered)."""
        return self.patent_counts.setdefault(name, DatedCounts())

    def covers(self, on: date) -> bool:
        """Whether the facts were gathered for ``on``."""
        return on in self.dates
