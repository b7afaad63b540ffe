"""Enterprise counts: enterprises holding 50/30/10 or more invention patents in force (P2.1)
and enterprises by recognition — national IP-advantage, provincial IP-strong, municipal IP
demonstration, GB/T 29490 (P2.3).

An enterprise counts by its own region and zone; its invention patents are every patent it
holds in any position (unlike the patent counts, which follow the first holder). The records
behind a count are the enterprises with the value counted for each (patents in force, or the
recognition and its year).
"""

from __future__ import annotations

from datetime import date

from ipcity.indicators.definitions.base import EVERYWHERE, FactList, Indicator, count_of
from ipcity.indicators.facts import Area, HolderCount, RegistryFacts, TierRow


def _enterprises_with(minimum: int) -> FactList:
    def select(facts: RegistryFacts, area: Area, on: date) -> list[HolderCount]:
        return sorted(
            (
                h
                for h in facts.enterprise_inventions.get(on, [])
                if h.count >= minimum and area.holds(h.region_code, h.zone_code)
            ),
            key=lambda h: (-h.count, h.holder_id),
        )

    return FactList(("enterprise_inventions",), select, shows="enterprises")


def _tiered(*tiers: str) -> FactList:
    def select(facts: RegistryFacts, area: Area, on: date) -> list[TierRow]:
        # One per enterprise: its earliest recognition among ``tiers`` by the date's year.
        chosen: dict[int, TierRow] = {}
        for t in facts.tiers:
            if t.tier in tiers and t.year <= on.year and area.holds(t.region_code, t.zone_code):
                best = chosen.get(t.holder_id)
                if best is None or (t.year, t.tier) < (best.year, best.tier):
                    chosen[t.holder_id] = t
        return sorted(chosen.values(), key=lambda t: (t.year, t.holder_id))

    return FactList(("tiers",), select, shows="tiers")


TIERS = (
    (
        ("national_ip_advantage", "national_ip_demonstration"),
        "national_ip_advantage_enterprises",
        "国家知识产权优势企业数",
        "National IP-advantage enterprises",
        "P2.3",
    ),
    (
        ("provincial_ip_strong",),
        "provincial_ip_strong_enterprises",
        "省知识产权强企数",
        "Provincial IP-strong enterprises",
        "P2.3",
    ),
    (
        ("municipal_ip_demonstration",),
        "municipal_ip_demonstration_enterprises",
        "市知识产权示范企业数",
        "Municipal IP demonstration enterprises",
        "P2.3",
    ),
    (
        ("gbt29490",),
        "gbt29490_enterprises",
        "贯彻《企业知识产权管理规范》企业数",
        "Enterprises implementing GB/T 29490",
        "P2.3",
    ),
)


def _declare() -> list[Indicator]:
    items = []
    for minimum in (50, 30, 10):
        listing = _enterprises_with(minimum)
        items.append(
            Indicator(  # P2.1
                f"enterprises_with_{minimum}_invention_patents",
                f"拥有{minimum}件以上有效发明专利的企业数",
                f"Enterprises holding {minimum} or more invention patents in force",
                f"该日持有不少于{minimum}件有效国内发明专利的企业家数（企业为任一顺位的权利人均计入其持有量；"
                "企业按其自身所在地归属）。",
                f"Enterprises holding at least {minimum} domestic invention patents in force on the date (a "
                "patent counts for every enterprise among its holders; the enterprise by its own region).",
                "P2.1",
                "家",
                "enterprises",
                count_of(listing),
                EVERYWHERE,
                records=listing,
                group="enterprises",
                attribution="enterprise",
            )
        )
    for tier_ids, ident, zh, en, clause in TIERS:
        extra_zh = "（含国家知识产权示范企业，示范企业是优势企业中的更高一级）" if len(tier_ids) > 1 else ""
        extra_en = (
            " (national IP demonstration enterprises, the higher grade, included)"
            if len(tier_ids) > 1
            else ""
        )
        listing = _tiered(*tier_ids)
        items.append(
            Indicator(  # P2.3
                ident,
                zh,
                en,
                f"截至该日所在年度已获该资质的本地企业家数（资质登记年份不晚于该年）{extra_zh}；"
                "资质来自权利人资质记录（导入模板或示例数据中的名称均可识别）。",
                f"Local enterprises recognised by the date's year (recognition year not later){extra_en}; "
                "from the holders' tier records (ids of the import templates and labels of the sample data "
                "both recognised).",
                clause,
                "家",
                "enterprises",
                count_of(listing),
                EVERYWHERE,
                records=listing,
                group="enterprises",
                attribution="recognised",
            )
        )
    return items


INDICATORS: tuple[Indicator, ...] = tuple(_declare())
