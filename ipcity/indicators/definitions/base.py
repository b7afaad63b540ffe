"""What every declaration is made of: :class:`Value`, :class:`Indicator`, where the records
behind a count come from (:data:`RecordSource`), the reasons a value is not assessable, and
the small helpers the subject modules compute with.

Pure: reads :class:`ipcity.indicators.facts.RegistryFacts`, never the database.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from ipcity.indicators.facts import Area, AreaKind, Member, RegistryFacts

ATTRIBUTION = "first_holder"

# Reasons a value is not assessable (message ids; English in en.po).
MSG_NO_POPULATION = "{area}（{code}）{year}年常住人口数据缺失"
MSG_NO_LOAN_AMOUNT = "当年 {total} 笔质押贷款中有 {n} 笔未登记贷款金额（合同号：{contracts}），融资额无法评估"
MSG_NO_LOANS_REGISTERED = "平台尚未登记任何知识产权质押贷款（由质押贷款贴息申请或出借机构清单导入）"
MSG_PLEDGE_COVERAGE = (
    "仅计入平台登记的知识产权质押贷款（质押贷款贴息申请与出借机构清单导入，P2.7）；未在平台登记的贷款不在其中"
)
MSG_INDUSTRIES_NOT_BUILT = "知识产权密集型产业统计模块尚未建设"
MSG_NO_BASE_YEAR = "上年同期PCT申请量为0，无法计算增长率"
MSG_NOT_FOR_AREA = "不适用于该地区"
MSG_HIGH_VALUE_PARTIAL = (
    "仅计入登记库可判断的两类（海外有同族专利权、维持年限超过10年）；战略性新兴产业、"
    "质押融资额1000万元以上、获国家科学技术奖或中国专利奖三类无法评估"
)

NOT_ASSESSABLE_PREFIX = "not assessable"
# The reason as machine output gives it (JSON, CSV): fixed English, whatever the catalogue says,
# since clients match on it; the sentence for a reader goes beside it (``reasons`` in the JSON).
JSON_REASONS = {
    MSG_NO_POPULATION: "no population for region/year ({code}/{year})",
    MSG_NO_LOAN_AMOUNT: "no loan amount recorded for {n} of {total} pledge loans ({contracts})",
    MSG_NO_LOANS_REGISTERED: "no pledge loan registered on the platform",
    MSG_INDUSTRIES_NOT_BUILT: "industries area not built",
    MSG_NO_BASE_YEAR: "no PCT applications in the same period of the year before",
    MSG_NOT_FOR_AREA: "not applicable to this area",
}

# Where each indicator counts a record (``Indicator.attribution``; message ids: the
# indicator page's "Attributed to").
ATTRIBUTION_LABELS = {
    "first_holder": "权利人所在地（共有时取第一权利人）",
    "holder": "权利人所在地",
    "gi": "权利人所在地；无权利人的地理标志按其所标示的地区",
    "enterprise": "企业自身所在地；共有专利计入每一家共有企业",
    "recognised": "企业自身所在地",
    "borrower": "借款企业所在地",
}

# Headers of the date column of a list of records (message ids).
RECORD_DATE_LABELS = {
    "registered": "注册日",
    "registration": "登记日",
    "granted": "授权日",
    "pct_filed": "PCT申请日",
    "loan_start": "放款日期",
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
        return render_message(self.reason, self.params, locale)

    def note_text(self, locale: str = "zh_CN") -> str | None:
        """The note (what the value covers) in ``locale``."""
        return render_message(self.note, self.params, locale)

    def as_json(self) -> float | int | str:
        """The value for JSON: a number, or ``"not assessable: <reason in English>"``."""
        if self.value is None:
            reason = JSON_REASONS.get(self.reason or "", "")
            with contextlib.suppress(KeyError, IndexError, ValueError):
                reason = reason.format(**self.params)
            return f"{NOT_ASSESSABLE_PREFIX}: {reason}"
        return int(self.value) if float(self.value).is_integer() else self.value


def render_message(message: str | None, params: dict[str, Any], locale: str) -> str | None:
    """A message id in ``locale`` with its parameters filled in (None stays None)."""
    if message is None:
        return None
    from ipcity.i18n import gettext

    text = gettext(message, locale)
    try:
        return text.format(**localized_params(params, locale))
    except (KeyError, IndexError, ValueError):
        return text


def localized_params(params: dict[str, Any], locale: str) -> dict[str, Any]:
    """``params`` for a message in ``locale``: the parameter ``area`` (a region's or zone's
    name, by the convention of these messages) in the reader's language.

    >>> localized_params({"area": "山城区", "year": 2025}, "en")
    {'area': 'Shancheng District', 'year': 2025}
    """
    if "area" not in params or locale != "en":
        return params
    from ipcity.places.names import place_name

    return {**params, "area": place_name(params["area"], locale)}


Compute = Callable[[RegistryFacts, Area, date], Value]
Select = Callable[[RegistryFacts, Area, date], Sequence[Member]]


# ---- where the records behind a count come from ------------------------------------------


@dataclass(frozen=True)
class PatentList:
    """The patents behind a patent count, listed by SQL (``records.patent_records``): the
    counts are aggregated in SQL at a million patents, so the list is a second query over the
    same definition (a test compares the two for every area and date)."""

    kind: str


@dataclass(frozen=True)
class FactList:
    """Records chosen from the facts by ``select``, the very function the count is the
    length of (:func:`count_of`): list and number cannot disagree.

    ``needs``: the parts of :class:`RegistryFacts` ``select`` reads (its field names);
    ``shows``: ``assets`` (trademarks, GIs, copyrights, plant varieties, PCT applications),
    ``enterprises`` (holders with their invention patents in force), ``tiers`` (holders
    with their recognition) or ``loans`` (IP-pledge loans); ``date_label``: a key of
    :data:`RECORD_DATE_LABELS`.
    """

    needs: tuple[str, ...]
    select: Select
    shows: Literal["assets", "enterprises", "tiers", "loans"] = "assets"
    date_label: str = "registration"


@dataclass(frozen=True)
class Numerator:
    """A value computed from a count's records — a ratio, a growth rate, the enterprises or
    the amount of the pledge loans — lists the records of that count."""

    indicator: str


@dataclass(frozen=True)
class Pending:
    """Declared, not yet filled: the data this indicator needs is not collected yet."""

    reason: str


RecordSource = PatentList | FactList | Numerator | Pending


@dataclass(frozen=True)
class Indicator:
    """One indicator: what it counts, by which clause, in which unit, for which areas, and
    which records make its number."""

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
    records: RecordSource | None = None
    group: str = "patents"
    # Where a record counts (a key of ``ATTRIBUTION_LABELS``); None where the indicator
    # counts no holders' records (IP-intensive industries).
    attribution: str | None = "first_holder"

    def name(self, locale: str) -> str:
        """The name in ``locale``."""
        return self.name_en if locale == "en" else self.name_zh

    def definition(self, locale: str) -> str:
        """The definition in ``locale``."""
        return self.definition_en if locale == "en" else self.definition_zh

    def unit(self, locale: str) -> str:
        """The unit in ``locale``."""
        return self.unit_en if locale == "en" else self.unit_zh

    def attributed_to(self, locale: str) -> str | None:
        """Where the indicator counts a record, in ``locale`` (None: not a count of records)."""
        if self.attribution is None:
            return None
        return render_message(ATTRIBUTION_LABELS[self.attribution], {}, locale)

    def applies_to(self, area: Area) -> bool:
        """Whether the indicator is computed for this kind of area."""
        return area.kind in self.areas

    def value(self, facts: RegistryFacts, area: Area, on: date) -> Value:
        """The value for ``area`` on ``on`` (not assessable for an area it does not apply to)."""
        if not self.applies_to(area):
            return Value(None, MSG_NOT_FOR_AREA)
        return self.compute(facts, area, on)


EVERYWHERE: frozenset[AreaKind] = frozenset({"city", "county", "zone"})


# ---- helpers ---------------------------------------------------------------------------------


def year_start(on: date) -> date:
    """1 January of the date's year."""
    return date(on.year, 1, 1)


def same_day_year_before(on: date) -> date:
    """The same day one year earlier (28 February for 29 February)."""
    try:
        return on.replace(year=on.year - 1)
    except ValueError:
        return on.replace(year=on.year - 1, day=28)


def counted(name: str) -> Compute:
    """The dated patent count ``name`` of the facts."""

    def compute(facts: RegistryFacts, area: Area, on: date) -> Value:
        return Value(facts.counts(name).total(area, on))

    return compute


def sum_of(*names: str) -> Compute:
    """The sum of dated patent counts."""

    def compute(facts: RegistryFacts, area: Area, on: date) -> Value:
        return Value(sum(facts.counts(n).total(area, on) for n in names))

    return compute


def count_of(listing: FactList) -> Compute:
    """The number of records ``listing`` selects: the count *is* the list's length."""

    def compute(facts: RegistryFacts, area: Area, on: date) -> Value:
        return Value(len(listing.select(facts, area, on)))

    return compute


def not_assessable(reason: str) -> Compute:
    """Always not assessable, for ``reason``."""

    def compute(facts: RegistryFacts, area: Area, on: date) -> Value:
        return Value(None, reason)

    return compute
