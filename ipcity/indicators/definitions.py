"""Every indicator of the scoreboard, declared once: id, names and definition in Chinese and
English, the clause of PROVISIONS.md that orders it, its unit, the areas it applies to and
a function of (registry facts, area, date) that computes it.

Pure: the functions read :class:`ipcity.indicators.facts.RegistryFacts`, never the
database. A value that cannot be computed honestly is *not assessable* with its reason
(a message id with parameters), never a guess.

Attribution: a patent counts for the region and zone of its **first holder**
(``Patent.first_holder_id``): a co-owned patent counts once, where its first-named holder
is. A holder without an address (no region) counts for no region; it is listed apart.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ipcity.indicators.facts import Area, AreaKind, RegistryFacts

ATTRIBUTION = "first_holder"

# Reasons a value is not assessable (message ids; English in en.po).
MSG_NO_POPULATION = "{area}（{code}）{year}年常住人口数据缺失"
MSG_FINANCE_NOT_BUILT = "知识产权金融模块尚未建设，无质押融资数据"
MSG_INDUSTRIES_NOT_BUILT = "知识产权密集型产业统计模块尚未建设"
MSG_NO_BASE_YEAR = "上年同期PCT申请量为0，无法计算增长率"
MSG_NOT_FOR_AREA = "不适用于该地区"
MSG_HIGH_VALUE_PARTIAL = (
    "仅计入登记库可判断的两类（海外有同族专利权、维持年限超过10年）；战略性新兴产业、"
    "质押融资额1000万元以上、获国家科学技术奖或中国专利奖三类无法评估"
)

NOT_ASSESSABLE_PREFIX = "not assessable"
# The reason as machine output gives it (JSON, CSV): fixed English, whatever the catalogue says.
JSON_REASONS = {
    MSG_NO_POPULATION: "no population for region/year ({code}/{year})",
    MSG_FINANCE_NOT_BUILT: "finance area not built",
    MSG_INDUSTRIES_NOT_BUILT: "industries area not built",
    MSG_NO_BASE_YEAR: "no PCT applications in the same period of the year before",
    MSG_NOT_FOR_AREA: "not applicable to this area",
}


@dataclass(frozen=True)
class Value:
    """An indicator's value on a date for an area, or why it is not assessable.

    ``reason`` and ``note`` are Chinese message ids; ``params`` fill their placeholders.
    """

    value: float | None
    reason: str | None = None
    note: str | None = None
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def assessable(self) -> bool:
        """True when the value is a number."""
        return self.value is not None

    def reason_text(self, locale: str = "zh_CN") -> str | None:
        """The reason in ``locale`` with its parameters filled in."""
        return _render(self.reason, self.params, locale)

    def note_text(self, locale: str = "zh_CN") -> str | None:
        """The note (what the value covers) in ``locale``."""
        return _render(self.note, self.params, locale)

    def as_json(self) -> float | int | str:
        """The value for JSON: a number, or ``"not assessable: <reason in English>"``."""
        if self.value is None:
            reason = JSON_REASONS.get(self.reason or "", "")
            with contextlib.suppress(KeyError, IndexError, ValueError):
                reason = reason.format(**self.params)
            return f"{NOT_ASSESSABLE_PREFIX}: {reason}"
        return int(self.value) if float(self.value).is_integer() else self.value


def _render(message: str | None, params: dict[str, Any], locale: str) -> str | None:
    if message is None:
        return None
    from ipcity.i18n import gettext

    text = gettext(message, locale)
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return text


Compute = Callable[[RegistryFacts, Area, date], Value]


@dataclass(frozen=True)
class Indicator:
    """One indicator: what it counts, by which clause, in which unit, for which areas."""

    id: str
    name_zh: str
    name_en: str
    definition_zh: str
    definition_en: str
    clause: str
    unit_zh: str
    unit_en: str
    compute: Compute
    areas: frozenset[AreaKind] = frozenset({"city", "county"})
    # Which records a count is made of (the indicator page lists them), or None.
    records: str | None = None
    group: str = "patents"

    def name(self, locale: str) -> str:
        """The name in ``locale``."""
        return self.name_en if locale == "en" else self.name_zh

    def definition(self, locale: str) -> str:
        """The definition in ``locale``."""
        return self.definition_en if locale == "en" else self.definition_zh

    def unit(self, locale: str) -> str:
        """The unit in ``locale``."""
        return self.unit_en if locale == "en" else self.unit_zh

    def applies_to(self, area: Area) -> bool:
        """Whether the indicator is computed for this kind of area."""
        return area.kind in self.areas

    def value(self, facts: RegistryFacts, area: Area, on: date) -> Value:
        """The value for ``area`` on ``on`` (not assessable for an area it does not apply to)."""
        if not self.applies_to(area):
            return Value(None, MSG_NOT_FOR_AREA)
        return self.compute(facts, area, on)


def year_start(on: date) -> date:
    """1 January of the date's year."""
    return date(on.year, 1, 1)


def same_day_year_before(on: date) -> date:
    """The same day one year earlier (28 February for 29 February)."""
    try:
        return on.replace(year=on.year - 1)
    except ValueError:
        return on.replace(year=on.year - 1, day=28)


# ---- computations -------------------------------------------------------------------


def _counted(name: str) -> Compute:
    def compute(facts: RegistryFacts, area: Area, on: date) -> Value:
        return Value(facts.counts(name).total(area, on))

    return compute


def _per_10k(facts: RegistryFacts, area: Area, on: date) -> Value:
    residents = facts.population.get((area.code, on.year))
    if not residents:
        return Value(None, MSG_NO_POPULATION, params={"area": area.name, "code": area.code, "year": on.year})
    held = facts.counts("invention_in_force").total(area, on)
    return Value(round(held * 10_000 / residents, 2), params={"numerator": held, "residents": residents})


def _sum_of(*names: str) -> Compute:
    def compute(facts: RegistryFacts, area: Area, on: date) -> Value:
        return Value(sum(facts.counts(n).total(area, on) for n in names))

    return compute


def _pct_between(facts: RegistryFacts, area: Area, start: date, end: date) -> int:
    return len(
        {
            row.key
            for row in facts.pct_applications
            if row.on is not None and start <= row.on <= end and area.holds(row.region_code, row.zone_code)
        }
    )


def _pct_applications(facts: RegistryFacts, area: Area, on: date) -> Value:
    return Value(_pct_between(facts, area, year_start(on), on))


def _pct_growth(facts: RegistryFacts, area: Area, on: date) -> Value:
    now = _pct_between(facts, area, year_start(on), on)
    before_end = same_day_year_before(on)
    before = _pct_between(facts, area, year_start(before_end), before_end)
    if before == 0:
        return Value(None, MSG_NO_BASE_YEAR, params={"now": now})
    return Value(round((now - before) * 100 / before, 1), params={"now": now, "before": before})


_ENDED_MARK_STATUSES = frozenset({"cancelled", "invalidated", "revoked"})


def _mark_in_force(row: Any, on: date) -> bool:
    # A cancellation, invalidation or revocation is stored without its date: such a mark is
    # left out at every date rather than counted on a guessed day.
    if row.registration_date is None or row.registration_date > on:
        return False
    if row.status in _ENDED_MARK_STATUSES:
        return False
    return row.expiry_date is None or on <= row.expiry_date


def _trademarks_in_force(facts: RegistryFacts, area: Area, on: date) -> Value:
    return Value(
        sum(1 for t in facts.trademarks if area.holds(t.region_code, t.zone_code) and _mark_in_force(t, on))
    )


def _well_known(facts: RegistryFacts, area: Area, on: date) -> Value:
    return Value(
        sum(
            1
            for t in facts.trademarks
            if t.well_known_date is not None
            and t.well_known_date <= on
            and area.holds(t.region_code, t.zone_code)
            and _mark_in_force(t, on)
        )
    )


def _gi_marks(facts: RegistryFacts, area: Area, on: date) -> Value:
    numbers = {
        t.registration_number
        for t in facts.trademarks
        if t.mark_type == "gi_certification"
        and area.holds(t.region_code, t.zone_code)
        and _mark_in_force(t, on)
    }
    numbers |= {
        g.key
        for g in facts.gi_marks
        if g.on is not None and g.on <= on and area.holds(g.region_code, g.zone_code)
    }
    return Value(len(numbers))


def _plant_varieties(facts: RegistryFacts, area: Area, on: date) -> Value:
    return Value(
        sum(
            1
            for r in facts.plant_varieties
            if r.on is not None and r.on <= on and area.holds(r.region_code, r.zone_code)
        )
    )


def _copyrights(category: str | None) -> Compute:
    def compute(facts: RegistryFacts, area: Area, on: date) -> Value:
        start = year_start(on)
        return Value(
            sum(
                1
                for r in facts.copyrights
                if r.on is not None
                and start <= r.on <= on
                and (category is None or r.category == category)
                and area.holds(r.region_code, r.zone_code)
            )
        )

    return compute


def _enterprises_with(minimum: int) -> Compute:
    def compute(facts: RegistryFacts, area: Area, on: date) -> Value:
        return Value(
            sum(
                1
                for h in facts.enterprise_inventions.get(on, [])
                if h.count >= minimum and area.holds(h.region_code, h.zone_code)
            )
        )

    return compute


def _tiered(*tiers: str) -> Compute:
    def compute(facts: RegistryFacts, area: Area, on: date) -> Value:
        return Value(
            len(
                {
                    t.holder_id
                    for t in facts.tiers
                    if t.tier in tiers and t.year <= on.year and area.holds(t.region_code, t.zone_code)
                }
            )
        )

    return compute


def _high_value(facts: RegistryFacts, area: Area, on: date) -> Value:
    return Value(facts.counts("invention_in_force_high_value").total(area, on), note=MSG_HIGH_VALUE_PARTIAL)


def _not_assessable(reason: str) -> Compute:
    def compute(facts: RegistryFacts, area: Area, on: date) -> Value:
        return Value(None, reason)

    return compute


# ---- the declarations -----------------------------------------------------------------

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
_TYPES = (
    ("invention", "发明", "invention"),
    ("utility_model", "实用新型", "utility model"),
    ("design", "外观设计", "design"),
)


def _declare() -> list[Indicator]:
    everywhere: frozenset[AreaKind] = frozenset({"city", "county", "zone"})
    items = [
        Indicator(
            "invention_patents_in_force",
            "有效发明专利拥有量",
            "Invention patents in force",
            _IN_FORCE_ZH,
            _IN_FORCE_EN,
            "P1.2",
            "件",
            "patents",
            _counted("invention_in_force"),
            everywhere,
            records="invention_in_force",
        ),
        Indicator(
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
            records="invention_in_force",
        ),
        Indicator(
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
            records="invention_in_force",
        ),
        Indicator(
            "high_value_invention_patents",
            "高价值发明专利拥有量",
            "High-value invention patents",
            "2021年起国家知识产权局口径的五类有效发明专利：战略性新兴产业、海外有同族专利权、维持年限超过10年、"
            "质押融资额1000万元以上、获国家科学技术奖或中国专利奖。本平台计入可由登记库判断的两类："
            "同族中有CN、WO以外国家或地区的专利（WO国际申请本身不是海外权利），以及授权满10年仍有效的专利。",
            "The five categories CNIPA uses since 2021 (strategic emerging industries, an overseas family "
            "member, maintained over 10 years, pledged for over 10 million yuan, a national S&T award or China "
            "Patent Award). Counted here: the two the registry can tell — a family member of an office other "
            "than CN or WO (an international application is not a right abroad), and patents in force more "
            "than 10 years after grant; the other three are not assessable.",
            "P2.2",
            "件",
            "patents",
            _high_value,
            everywhere,
            records="invention_in_force_high_value",
        ),
        Indicator(
            "patent_applications",
            "专利申请量",
            "Patent applications",
            "当年1月1日至该日以本地第一申请人提交的国内专利申请件数（三种专利合计，按申请日）。",
            "Domestic patent applications filed from 1 January of the year to the date with a local first "
            "applicant (all three types, by filing date).",
            "P2.1",
            "件",
            "applications",
            _sum_of(*(f"applications_{t}" for t, _, _ in _TYPES)),
            everywhere,
            records="applications",
        ),
    ]
    for ptype, zh, en in _TYPES:
        items.append(
            Indicator(
                f"patent_applications_{ptype}",
                f"{zh}专利申请量",
                f"Patent applications: {en}",
                f"当年1月1日至该日本地第一申请人提交的国内{zh}专利申请件数（按申请日）。",
                f"Domestic {en} applications filed from 1 January to the date with a local first applicant.",
                "P2.1",
                "件",
                "applications",
                _counted(f"applications_{ptype}"),
                everywhere,
                records=f"applications_{ptype}",
            )
        )
    items.append(
        Indicator(
            "patent_grants",
            "专利授权量",
            "Patent grants",
            "当年1月1日至该日授权公告的本地第一权利人国内专利件数（三种专利合计，按授权公告日）。",
            "Domestic patents granted from 1 January of the year to the date to a local first holder (all "
            "three types, by grant date).",
            "P2.1",
            "件",
            "patents",
            _sum_of(*(f"grants_{t}" for t, _, _ in _TYPES)),
            everywhere,
            records="grants",
        )
    )
    for ptype, zh, en in _TYPES:
        items.append(
            Indicator(
                f"patent_grants_{ptype}",
                f"{zh}专利授权量",
                f"Patent grants: {en}",
                f"当年1月1日至该日授权公告的本地第一权利人国内{zh}专利件数（按授权公告日）。",
                f"Domestic {en} patents granted from 1 January to the date to a local first holder.",
                "P2.1",
                "件",
                "patents",
                _counted(f"grants_{ptype}"),
                everywhere,
                records=f"grants_{ptype}",
            )
        )
    items += [
        Indicator(
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
            _pct_applications,
            records="pct",
        ),
        Indicator(
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
        ),
        Indicator(
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
            _trademarks_in_force,
            everywhere,
            records="trademarks",
            group="brands",
        ),
        Indicator(
            "well_known_trademarks",
            "驰名商标数",
            "Well-known trademarks",
            "该日有效、且已被认定为驰名商标（认定日不晚于该日）的本地注册商标件数。",
            "Registered trademarks of local holders in force on the date and recognised as well known by then.",
            "P1.2",
            "件",
            "marks",
            _well_known,
            records="well_known",
            group="brands",
        ),
        Indicator(
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
            _gi_marks,
            group="brands",
        ),
        Indicator(
            "plant_variety_rights",
            "植物新品种权拥有量",
            "Plant-variety rights",
            "该日之前授权的本地权利人植物新品种权件数（登记库无终止记录，按已授权累计）。",
            "Plant-variety rights granted to local holders by the date (the registry records no "
            "termination: cumulative grants).",
            "P1.2",
            "件",
            "rights",
            _plant_varieties,
            group="brands",
        ),
        Indicator(
            "copyright_registrations",
            "著作权登记量",
            "Copyright registrations",
            "当年1月1日至该日本地权利人的著作权登记件数（计算机软件与作品合计，按登记日）。",
            "Copyright registrations of local holders from 1 January to the date (software and works, by "
            "registration date).",
            "P1.2",
            "件",
            "registrations",
            _copyrights(None),
            group="brands",
        ),
        Indicator(
            "copyright_registrations_software",
            "计算机软件著作权登记量",
            "Software copyright registrations",
            "当年1月1日至该日本地权利人的计算机软件著作权登记件数。",
            "Software copyright registrations of local holders from 1 January to the date.",
            "P1.2",
            "件",
            "registrations",
            _copyrights("software"),
            group="brands",
        ),
        Indicator(
            "copyright_registrations_works",
            "作品著作权登记量",
            "Copyright registrations of works",
            "当年1月1日至该日本地权利人的作品著作权登记件数。",
            "Copyright registrations of works of local holders from 1 January to the date.",
            "P1.2",
            "件",
            "registrations",
            _copyrights("work"),
            group="brands",
        ),
    ]
    for minimum in (50, 30, 10):
        items.append(
            Indicator(
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
                _enterprises_with(minimum),
                everywhere,
                records=f"enterprises_{minimum}",
                group="enterprises",
            )
        )
    for tier_ids, ident, zh, en, clause in (
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
    ):
        extra_zh = "（含国家知识产权示范企业，示范企业是优势企业中的更高一级）" if len(tier_ids) > 1 else ""
        extra_en = (
            " (national IP demonstration enterprises, the higher grade, included)"
            if len(tier_ids) > 1
            else ""
        )
        items.append(
            Indicator(
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
                _tiered(*tier_ids),
                everywhere,
                records="tier:" + ",".join(tier_ids),
                group="enterprises",
            )
        )
    items += [
        Indicator(
            "pledge_financed_enterprises",
            "知识产权质押融资企业数",
            "Enterprises financed by IP pledge",
            "当年通过知识产权质押获得融资的企业家数。",
            "Enterprises that obtained financing against an IP pledge in the year.",
            "P2.7",
            "家",
            "enterprises",
            _not_assessable(MSG_FINANCE_NOT_BUILT),
            group="finance",
        ),
        Indicator(
            "pledge_financing_amount",
            "知识产权质押融资额",
            "IP pledge financing amount",
            "当年知识产权质押融资金额合计。",
            "Total amount financed against IP pledges in the year.",
            "P2.7",
            "元",
            "yuan",
            _not_assessable(MSG_FINANCE_NOT_BUILT),
            group="finance",
        ),
        Indicator(
            "ip_intensive_industries_value_added_share",
            "知识产权密集型产业增加值占GDP比重",
            "Value added of IP-intensive industries, share of GDP",
            "知识产权密集型产业增加值占地区生产总值的比重。",
            "Value added of IP-intensive industries as a share of regional GDP.",
            "P1.2",
            "%",
            "%",
            _not_assessable(MSG_INDUSTRIES_NOT_BUILT),
            group="finance",
        ),
    ]
    return items


INDICATORS: tuple[Indicator, ...] = tuple(_declare())
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
