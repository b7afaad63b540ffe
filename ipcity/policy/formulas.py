"""The formulas of the rules: small pure functions registered by name.

A formula reads the data of one object (``data``, plain values gathered from the registry)
and the parameter values in force on the object's reference date (``p``, by input name),
and says the amount and why, in Chinese and English. It returns ``None`` when the object
is not a case for the rule at all (below a ranking, say). Each formula declares the kind of
object it pays for and the candidate set (``source``) of the registry it reads; a rule of
the policy file names the formula and binds its inputs to parameters.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from ipcity.policy.parameters import Values

OBJECTS = ("patent", "pct_application", "award", "certificate", "loan_year", "insurance_policy", "holder")


class Outcome(NamedTuple):
    """What a formula computed: the amount in integer yuan and why (Chinese, English).
    A named tuple: a year's evaluation makes tens of thousands (cheaper than a frozen
    dataclass)."""

    amount: int
    why_zh: str
    why_en: str
    status: str = "eligible"


FormulaFn = Callable[[Mapping[str, Any], Values], Outcome | None]


@dataclass(frozen=True)
class Formula:
    """A registered formula: what it pays for, which candidates it reads, its inputs."""

    name: str
    object: str
    source: str
    inputs: tuple[str, ...]
    description: str
    fn: FormulaFn
    description_en: str = ""

    def describe(self, locale: str = "zh_CN") -> str:
        """The description in ``locale``'s words (Chinese where no English is given)."""
        return self.description_en if locale.startswith("en") and self.description_en else self.description


FORMULAS: dict[str, Formula] = {}


def formula(
    name: str,
    *,
    object: str,
    source: str,
    inputs: tuple[str, ...],
    description: str,
    description_en: str = "",
) -> Callable[[FormulaFn], FormulaFn]:
    """Register ``fn`` under ``name`` (see the module docstring)."""

    def register(fn: FormulaFn) -> FormulaFn:
        assert object in OBJECTS, object
        FORMULAS[name] = Formula(name, object, source, inputs, description, fn, description_en)
        return fn

    return register


@functools.cache  # a year's entitlements repeat a handful of amounts tens of thousands of times
def zh_yuan(amount: int) -> str:
    """``4000元``; ``1万元`` for whole ten-thousands.

    >>> zh_yuan(4000), zh_yuan(10000), zh_yuan(25000)
    ('4000元', '1万元', '2.5万元')
    """
    if amount >= 10000 and amount % 1000 == 0:
        wan = amount / 10000
        return f"{int(wan) if wan.is_integer() else wan:g}万元"
    return f"{amount}元"


@functools.cache
def en_yuan(amount: int) -> str:
    """``4,000 yuan``."""
    return f"{amount:,} yuan"


@formula(
    "per_invention_grant",
    object="patent",
    source="invention_grants",
    inputs=("amount",),
    description="每件国内发明专利授权一笔固定金额",
    description_en="A fixed amount per domestic invention patent granted",
)
def per_invention_grant(data: Mapping[str, Any], p: Values) -> Outcome:
    amount = p.need("amount")
    return Outcome(
        amount,
        f"发明专利{data['number']}于{data['grant_date']}授权，每件{zh_yuan(amount)}",
        f"invention patent {data['number']} granted on {data['grant_date']}, {en_yuan(amount)} each",
    )


@formula(
    "first_invention_grant",
    object="holder",
    source="first_invention_grants",
    inputs=("amount",),
    description="权利人有史以来首件发明专利授权，一次性奖补",
    description_en="The holder's first invention patent grant ever: a one-off award",
)
def first_invention_grant(data: Mapping[str, Any], p: Values) -> Outcome:
    amount = p.need("amount")
    return Outcome(
        amount,
        f"{data['holder_name']}的首件发明专利{data['number']}于{data['grant_date']}授权"
        f"（此前无发明专利授权），奖补{zh_yuan(amount)}",
        f"the first invention patent of {data['holder_name']}, {data['number']}, granted on "
        f"{data['grant_date']} (no earlier invention grant), {en_yuan(amount)}",
    )


@formula(
    "annuity_support",
    object="patent",
    source="inventions_in_force_after_years",
    inputs=("cap", "years"),
    description="授权后维持有效满规定年限的发明专利：min(实际缴纳年费, 上限)",
    description_en="Invention patents kept in force the set number of years after their grant: min(annuities actually paid, cap)",
)
def annuity_support(data: Mapping[str, Any], p: Values) -> Outcome | None:
    years = p.need("years")
    if data["years"] != years:
        return None
    cap = p.need("cap")
    paid = data.get("annuities_paid_yuan")
    head_zh = (
        f"发明专利{data['number']}于{data['grant_date']}授权，至{data['anniversary']}维持有效满{years}年"
    )
    head_en = (
        f"invention patent {data['number']} granted on {data['grant_date']}, in force {years} years "
        f"on {data['anniversary']}"
    )
    if data.get("supported_on"):
        earlier, span = data["supported_on"], data["supported_years"]
        return Outcome(
            0,
            f"{head_zh}；但该专利已于{earlier}维持有效满{span}年（当时规定的年限），"
            f"已属本项资助对象，每件专利仅资助一次",
            f"{head_en}; but it was already in force {span} years on {earlier} (the span then in "
            f"force) and qualified then: once per patent",
            status="already_received",
        )
    if paid is None:
        return Outcome(
            0,
            f"{head_zh}；缺少实际缴纳年费的凭证，待补充后按实际缴纳额计算（上限{zh_yuan(cap)}）",
            f"{head_en}; no evidence of the annuities paid yet, to be computed from it (cap {en_yuan(cap)})",
            status="needs_evidence",
        )
    amount = min(paid, cap)
    return Outcome(
        amount,
        f"{head_zh}；实际缴纳年费{zh_yuan(paid)}，按min(实缴, {zh_yuan(cap)})支持{zh_yuan(amount)}",
        f"{head_en}; annuities paid {en_yuan(paid)}, min(paid, {en_yuan(cap)}) = {en_yuan(amount)}",
    )


@formula(
    "per_pct_application",
    object="pct_application",
    source="pct_applications",
    inputs=("amount",),
    description="每件已收到国际检索报告的PCT申请一笔固定金额",
    description_en="A fixed amount per PCT application with its international search report",
)
def per_pct_application(data: Mapping[str, Any], p: Values) -> Outcome:
    amount = p.need("amount")
    if data.get("search_report_date") is None:
        return Outcome(
            0,
            f"PCT申请{data['pct_number']}于{data['filing_date']}提交，尚未收到国际检索报告，收到后每件{zh_yuan(amount)}",
            f"PCT application {data['pct_number']} filed on {data['filing_date']} has no international "
            f"search report yet; {en_yuan(amount)} once it has",
            status="needs_evidence",
        )
    return Outcome(
        amount,
        f"PCT申请{data['pct_number']}于{data['filing_date']}提交，{data['search_report_date']}收到国际检索报告，"
        f"每件{zh_yuan(amount)}",
        f"PCT application {data['pct_number']} filed on {data['filing_date']}, international search report "
        f"received on {data['search_report_date']}, {en_yuan(amount)} each",
    )


AWARD_LABELS = {
    "china_gold": "中国专利金奖",
    "china_excellence": "中国专利优秀奖",
    "provincial_special": "省专利奖特等奖",
    "provincial_first": "省专利奖一等奖",
    "provincial_second": "省专利奖二等奖",
    "provincial_third": "省专利奖三等奖",
}
AWARD_EN = {
    "china_gold": "China Patent Gold Award",
    "china_excellence": "China Patent Award for Excellence",
    "provincial_special": "provincial patent award, special prize",
    "provincial_first": "provincial patent award, first prize",
    "provincial_second": "provincial patent award, second prize",
    "provincial_third": "provincial patent award, third prize",
}


def _award(data: Mapping[str, Any], p: Values, level_input: str) -> Outcome:
    amount = p.need(level_input)
    level = data["level"]
    return Outcome(
        amount,
        f"专利{data['patent_number']}于{data['award_date']}获{AWARD_LABELS[level]}，奖励{zh_yuan(amount)}",
        f"patent {data['patent_number']} received the {AWARD_EN[level]} on {data['award_date']}, "
        f"{en_yuan(amount)}",
    )


@formula(
    "china_patent_award",
    object="award",
    source="china_patent_awards",
    inputs=("gold", "excellence"),
    description="中国专利金奖、优秀奖按等级奖励",
    description_en="China Patent Gold and Excellence Awards, by level",
)
def china_patent_award(data: Mapping[str, Any], p: Values) -> Outcome:
    return _award(data, p, {"china_gold": "gold", "china_excellence": "excellence"}[data["level"]])


@formula(
    "provincial_patent_award",
    object="award",
    source="provincial_patent_awards",
    inputs=("special", "first", "second", "third"),
    description="省专利奖特等、一、二、三等奖按等级奖励",
    description_en="Provincial patent awards (special, first, second, third prize), by level",
)
def provincial_patent_award(data: Mapping[str, Any], p: Values) -> Outcome:
    return _award(data, p, data["level"].removeprefix("provincial_"))


@formula(
    "gbt29490_certification",
    object="certificate",
    source="gbt29490_certificates",
    inputs=("amount",),
    description="通过GB/T 29490（贯标）认证的企业一次性奖励",
    description_en="A one-off award to an enterprise certified to GB/T 29490",
)
def gbt29490_certification(data: Mapping[str, Any], p: Values) -> Outcome:
    amount = p.need("amount")
    return Outcome(
        amount,
        f"{data['issued_on']}取得GB/T 29490认证证书{data['certificate_number']}（{data['certifier']}），"
        f"奖励{zh_yuan(amount)}",
        f"GB/T 29490 certificate {data['certificate_number']} ({data['certifier']}) issued on "
        f"{data['issued_on']}, {en_yuan(amount)}",
    )


@formula(
    "pledge_financing_costs",
    object="loan_year",
    source="pledge_loan_costs",
    inputs=("percent",),
    description="质押融资贷款当年利息、评估、担保、保险费用实际发生额的一定比例",
    description_en="A share of the year's interest, valuation, guarantee and insurance costs actually paid on pledge loans",
)
def pledge_financing_costs(data: Mapping[str, Any], p: Values) -> Outcome:
    percent = p.need("percent")
    costs = {k: int(data.get(k) or 0) for k in ("interest", "valuation", "guarantee", "insurance")}
    total = sum(costs.values())
    amount = total * percent // 100
    return Outcome(
        amount,
        f"质押贷款{data['contract_number']}在{data['year']}年实际发生利息{zh_yuan(costs['interest'])}、"
        f"评估费{zh_yuan(costs['valuation'])}、担保费{zh_yuan(costs['guarantee'])}、保险费{zh_yuan(costs['insurance'])}，"
        f"合计{zh_yuan(total)}，按{percent}%补助{zh_yuan(amount)}",
        f"pledge loan {data['contract_number']} in {data['year']}: interest {en_yuan(costs['interest'])}, valuation "
        f"{en_yuan(costs['valuation'])}, guarantee {en_yuan(costs['guarantee'])}, insurance "
        f"{en_yuan(costs['insurance'])}, total {en_yuan(total)}, {percent}% = {en_yuan(amount)}",
    )


@formula(
    "first_patent_insurance",
    object="insurance_policy",
    source="patent_insurance_policies",
    inputs=("percent",),
    description="企业首件参保专利的保费按比例（全额）补贴",
    description_en="The premium of an enterprise's first insured patent, subsidised at a rate (in full)",
)
def first_patent_insurance(data: Mapping[str, Any], p: Values) -> Outcome:
    percent = p.need("percent")
    premium = int(data["premium_yuan"])
    amount = premium * percent // 100
    return Outcome(
        amount,
        f"专利{data['patent_number']}的保单{data['policy_number']}于{data['start_date']}生效，"
        f"保费{zh_yuan(premium)}，首件参保专利补贴{percent}%即{zh_yuan(amount)}",
        f"policy {data['policy_number']} for patent {data['patent_number']} from {data['start_date']}, "
        f"premium {en_yuan(premium)}; an enterprise's first insured patent is subsidised at {percent}% = "
        f"{en_yuan(amount)}",
    )


def _ranking(data: Mapping[str, Any], p: Values, what_zh: str, what_en: str) -> Outcome | None:
    if data["rank"] > p.need("listed"):
        return None
    minimum = p.need("minimum")
    if data["count"] < minimum:
        return None
    amount = p.need("amount")
    return Outcome(
        amount,
        f"{data['year']}年{what_zh}{data['count']}件（第{data['rank']}位），达到{minimum}件的门槛，奖励{zh_yuan(amount)}",
        f"{data['count']} {what_en} in {data['year']} (rank {data['rank']}), at least {minimum}, {en_yuan(amount)}",
    )


@formula(
    "top_patent_grantee",
    object="holder",
    source="top_patent_grantees",
    inputs=("listed", "minimum", "amount"),
    description="年度专利授权量较大的企业、高校、科研机构：达到门槛的给予奖励",
    description_en="Enterprises, universities and institutes with many patents granted in the year: an award to those over the threshold",
)
def top_patent_grantee(data: Mapping[str, Any], p: Values) -> Outcome | None:
    return _ranking(data, p, "专利授权", "patent grants")


@formula(
    "top_software_registrant",
    object="holder",
    source="top_software_registrants",
    inputs=("listed", "minimum", "amount"),
    description="软件著作权登记量较大的软件企业：达到门槛的给予奖励",
    description_en="Software enterprises with many software copyright registrations in the year: an award to those over the threshold",
)
def top_software_registrant(data: Mapping[str, Any], p: Values) -> Outcome | None:
    return _ranking(data, p, "软件著作权登记", "software copyright registrations")
