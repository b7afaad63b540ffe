"""Patent indicators: invention patents in force and per 10,000 residents (P1.2; zones P2.1),
high-value invention patents (P2.2), applications and grants by type (P2.1), PCT
international applications and their growth (P1.2).

Attribution: a patent counts for the region and zone of its **first holder**
(``Patent.first_holder_id``): a co-owned patent counts once, where its first-named holder
is. A holder without an address (no region) counts for no region; it is listed apart.
"""

from __future__ import annotations

from datetime import date

from ipcity.indicators.definitions.base import (
    EVERYWHERE,
    MSG_HIGH_VALUE_PARTIAL,
    MSG_NO_BASE_YEAR,
    MSG_NO_POPULATION,
    FactList,
    Indicator,
    Numerator,
    PatentList,
    Value,
    count_of,
    counted,
    same_day_year_before,
    sum_of,
    year_start,
)
from ipcity.indicators.facts import Area, DatedRow, RegistryFacts

_IN_FORCE_ZH = (
    "在该日有效的国内（CN）发明专利件数：按法律状态历史计算——该日最后一条状态为授权或权利恢复，"
    "且未超过法定保护期（发明20年，自申请日起）。按第一权利人所在地归属，共有专利只计一次；"
    "无地址的权利人不计入任何地区。"
)
_IN_FORCE_EN = (
    "Domestic (CN) invention patents in force on the date, computed from the legal-status history: "
    "the latest status on the date is granted or restored, and the legal term (20 years from filing) "
    "has not ended. Attributed to the region of the first holder; a co-owned patent counts once; "
    "holders without an address count for no region."
)
TYPES = (
    ("invention", "发明", "invention"),
    ("utility_model", "实用新型", "utility model"),
    ("design", "外观设计", "design"),
)


def _per_10k(facts: RegistryFacts, area: Area, on: date) -> Value:
    held = facts.counts("invention_in_force").total(area, on)
    residents = facts.population.get((area.code, on.year))
    if not residents:
        params = {"area": area.name, "code": area.code, "year": on.year, "numerator": held}
        return Value(None, MSG_NO_POPULATION, params=params)
    return Value(round(held * 10_000 / residents, 2), params={"numerator": held, "residents": residents})


def _high_value(facts: RegistryFacts, area: Area, on: date) -> Value:
    return Value(facts.counts("invention_in_force_high_value").total(area, on), note=MSG_HIGH_VALUE_PARTIAL)


def pct_between(facts: RegistryFacts, area: Area, start: date, end: date) -> list[DatedRow]:
    """PCT applications of the area dated from ``start`` to ``end``, one per PCT number (the
    WO record where the registry has one, else the first CN patent naming it)."""
    chosen: dict[str, DatedRow] = {}
    for row in facts.pct_applications:
        if row.on is not None and start <= row.on <= end and area.holds(row.region_code, row.zone_code):
            best = chosen.get(row.key)
            if best is None or (row.category != "WO", row.id) < (best.category != "WO", best.id):
                chosen[row.key] = row
    return sorted(chosen.values(), key=lambda r: (r.on or date.min, r.key))


def _pct_this_year(facts: RegistryFacts, area: Area, on: date) -> list[DatedRow]:
    return pct_between(facts, area, year_start(on), on)


PCT_APPLICATIONS = FactList(("pct_applications",), _pct_this_year, date_label="pct_filed")


def _pct_growth(facts: RegistryFacts, area: Area, on: date) -> Value:
    now = len(_pct_this_year(facts, area, on))
    before_end = same_day_year_before(on)
    before = len(pct_between(facts, area, year_start(before_end), before_end))
    if before == 0:
        return Value(None, MSG_NO_BASE_YEAR, params={"now": now})
    return Value(round((now - before) * 100 / before, 1), params={"now": now, "before": before})


def _declare() -> list[Indicator]:
    items = [
        Indicator(  # P1.2
            "invention_patents_in_force",
            "有效发明专利拥有量",
            "Invention patents in force",
            _IN_FORCE_ZH,
            _IN_FORCE_EN,
            "P1.2",
            "件",
            "patents",
            counted("invention_in_force"),
            EVERYWHERE,
            records=PatentList("invention_in_force"),
        ),
        Indicator(  # P1.2
            "invention_patents_per_10k_residents",
            "每万人口发明专利拥有量",
            "Invention patents in force per 10,000 residents",
            "有效发明专利拥有量（定义同上，按第一权利人所在地归属）除以该地区当年常住人口，乘以10000。"
            "常住人口取自人口表（统计公报或普查）；该地区该年无人口数据时为“无法评估”，不做估算。",
            "Invention patents in force (as defined above, attributed by the first holder's region) divided "
            "by the region's resident population of that year, times 10,000. Population comes from the "
            "population table (statistical bulletins, census); where a region/year has none the value is "
            "'not assessable', never an estimate.",
            "P1.2",
            "件/万人",
            "per 10,000 residents",
            _per_10k,
            records=Numerator("invention_patents_in_force"),
        ),
        Indicator(  # P2.1 (the zones' target)
            "zone_invention_patents_per_10k_residents",
            "园区每万人口发明专利拥有量",
            "Invention patents in force per 10,000 residents of a zone",
            "第一权利人属于该园区的有效国内发明专利件数，除以园区当年常住人口（人口表中以园区代码登记），"
            "乘以10000；园区无人口数据时为“无法评估”。",
            "Domestic invention patents in force whose first holder belongs to the zone, divided by the "
            "zone's resident population of that year (population table, zone code), times 10,000; "
            "'not assessable' where the zone has no population figure.",
            "P2.1",
            "件/万人",
            "per 10,000 residents",
            _per_10k,
            frozenset({"zone"}),
            records=Numerator("invention_patents_in_force"),
        ),
        Indicator(  # P2.2
            "high_value_invention_patents",
            "高价值发明专利拥有量",
            "High-value invention patents",
            "2021年起国家知识产权局口径的五类有效发明专利：战略性新兴产业、海外有同族专利权、维持年限超过10年、"
            "质押融资额1000万元以上、获国家科学技术奖或中国专利奖。本平台计入可由登记库判断的两类："
            "同族中有CN、WO以外国家或地区的专利（WO国际申请本身不是海外权利），以及维持年限超过10年（自申请日起算）仍有效的专利。",
            "The five categories CNIPA uses since 2021 (strategic emerging industries, an overseas family "
            "member, maintained over 10 years, pledged for over 10 million yuan, a national S&T award or China "
            "Patent Award). Counted here: the two the registry can tell — a family member of an office other "
            "than CN or WO (an international application is not a right abroad), and patents in force more "
            "than 10 years after filing (CNIPA counts the years maintained from the filing date); the other "
            "three are not assessable.",
            "P2.2",
            "件",
            "patents",
            _high_value,
            EVERYWHERE,
            records=PatentList("invention_in_force_high_value"),
        ),
        Indicator(  # P2.1
            "patent_applications",
            "专利申请量",
            "Patent applications",
            "当年1月1日至该日以本地第一申请人提交的国内专利申请件数（三种专利合计，按申请日）。",
            "Domestic patent applications filed from 1 January of the year to the date with a local first "
            "applicant (all three types, by filing date).",
            "P2.1",
            "件",
            "applications",
            sum_of(*(f"applications_{t}" for t, _, _ in TYPES)),
            EVERYWHERE,
            records=PatentList("applications"),
        ),
    ]
    for ptype, zh, en in TYPES:
        items.append(
            Indicator(  # P2.1
                f"patent_applications_{ptype}",
                f"{zh}专利申请量",
                f"Patent applications: {en}",
                f"当年1月1日至该日本地第一申请人提交的国内{zh}专利申请件数（按申请日）。",
                f"Domestic {en} applications filed from 1 January to the date with a local first applicant.",
                "P2.1",
                "件",
                "applications",
                counted(f"applications_{ptype}"),
                EVERYWHERE,
                records=PatentList(f"applications_{ptype}"),
            )
        )
    items.append(
        Indicator(  # P2.1
            "patent_grants",
            "专利授权量",
            "Patent grants",
            "当年1月1日至该日授权公告的本地第一权利人国内专利件数（三种专利合计，按授权公告日）。",
            "Domestic patents granted from 1 January of the year to the date to a local first holder (all "
            "three types, by grant date).",
            "P2.1",
            "件",
            "patents",
            sum_of(*(f"grants_{t}" for t, _, _ in TYPES)),
            EVERYWHERE,
            records=PatentList("grants"),
        )
    )
    for ptype, zh, en in TYPES:
        items.append(
            Indicator(  # P2.1
                f"patent_grants_{ptype}",
                f"{zh}专利授权量",
                f"Patent grants: {en}",
                f"当年1月1日至该日授权公告的本地第一权利人国内{zh}专利件数（按授权公告日）。",
                f"Domestic {en} patents granted from 1 January to the date to a local first holder.",
                "P2.1",
                "件",
                "patents",
                counted(f"grants_{ptype}"),
                EVERYWHERE,
                records=PatentList(f"grants_{ptype}"),
            )
        )
    items += [
        Indicator(  # P1.2
            "pct_applications",
            "PCT国际专利申请量",
            "PCT international applications",
            "当年1月1日至该日本地第一申请人提交的PCT国际申请件数，按PCT申请号去重。WO记录取其申请日；"
            "国内专利所附的PCT申请号取号中年份，日期按国内申请日后一年计（限于该年内）。",
            "PCT international applications with a local first applicant from 1 January to the date, "
            "distinct PCT application numbers. A WO record counts on its filing date; the PCT number of a CN "
            "patent in the year the number names, dated one year after the CN filing (kept inside that year).",
            "P1.2",
            "件",
            "applications",
            count_of(PCT_APPLICATIONS),
            records=PCT_APPLICATIONS,
        ),
        Indicator(  # P1.2
            "pct_growth",
            "PCT国际专利申请量年增长率",
            "PCT applications, growth year on year",
            "当年1月1日至该日的PCT申请量相比上年同期的增长百分比；上年同期为0时无法评估。",
            "Growth in per cent of PCT applications from 1 January to the date over the same period of the "
            "year before; not assessable where the year before had none.",
            "P1.2",
            "%",
            "%",
            _pct_growth,
            records=Numerator("pct_applications"),
        ),
    ]
    return items


INDICATORS: tuple[Indicator, ...] = tuple(_declare())
