"""Candidate objects of each source (the registry data a formula reads), for one year.

The readings of PROVISIONS.md live here, as code over plain records:

* a patent counts in the year of its grant (P2.1-a); co-owned: its holders in order, the
  engine pays the first local one;
* "first invention patent" (P2.1-b) is judged over the holder's whole history, any office;
* annuity support (P2.1-c) comes due on the N-th anniversary of the grant, if the patent is
  in force that day (N is the parameter, usually 6);
* a PCT application counts in the year of its international search report; one without a
  report is shown as waiting for evidence in the year it was filed (P2.1-d);
* sources of once-per-holder rules list the holder's earlier objects too, so that the
  engine can tell the first from the rest.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any, NamedTuple

from ipcity.policy.formulas import AWARD_EN, AWARD_LABELS
from ipcity.policy.loader import Policy
from ipcity.policy.snapshot import Snapshot
from ipcity.registry.legal_status import in_force_on

RANKED_KINDS = frozenset({"enterprise", "university", "institute"})

# What each field of a candidate's data is, as an entitlement's page labels it (the keys stay
# the JSON's and the formulas' own).
DATA_LABELS = {
    "number": "专利号",
    "title": "名称",
    "grant_date": "授权日",
    "holders": "权利人（按顺序）",
    "holder_name": "权利人",
    "anniversary": "授权满规定年限之日",
    "years": "规定年限（年）",
    "annuities_paid_yuan": "实际缴纳年费（元）",
    "pct_number": "PCT申请号",
    "filing_date": "申请日",
    "search_report_date": "国际检索报告日",
    "award_date": "获奖日期",
    "level": "奖项等级",
    "patent_number": "专利号",
    "certificate_number": "证书编号",
    "issued_on": "发证日期",
    "certifier": "认证机构",
    "contract_number": "借款合同号",
    "year": "年度",
    "interest": "利息（元）",
    "valuation": "评估费（元）",
    "guarantee": "担保费（元）",
    "insurance": "保险费（元）",
    "policy_number": "保单号",
    "premium_yuan": "保费（元）",
    "start_date": "保险起始日",
    "count": "件数",
    "rank": "名次",
    "before_cap": "按上限核减前金额（元）",
    "amount_when_due": "到期时应付金额（元）",
    "supported_on": "此前已满规定年限之日",
    "supported_years": "当时规定的年限（年）",
}


class Candidate(NamedTuple):
    """One object a rule may pay for (a named tuple: a year builds tens of thousands)."""

    object_type: str
    object_key: str
    object_label: str
    object_label_en: str
    holder_ids: tuple[int, ...]  # in order; the engine pays the first local one
    reference_date: date
    data: dict[str, Any]
    # What the payment is once for when that is not the object itself: an award pays once
    # per patent (P2.2), whichever award record of the list or application names it.
    pays_once_for: str | None = None


def anniversary(day: date, years: int) -> date:
    """The last day of a period of ``years`` years counted from ``day``: the same day
    ``years`` later, or, where that month has no such day (29 February), the month's last
    day (Civil Code art. 202: 到期月的对应日为期间的最后一日；没有对应日的，月末日为期间的最后一日).
    A patent granted on 29 February has been maintained six years on 28 February, six
    years on; one kept in force that day but lapsed on 1 March qualifies.

    >>> anniversary(date(2012, 2, 29), 6), anniversary(date(2013, 3, 1), 6)
    (datetime.date(2018, 2, 28), datetime.date(2019, 3, 1))
    """
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 2, 28)


def is_local(region_code: str | None, city: str) -> bool:
    """Whether a region code lies in the city (its counties share the first four digits).

    >>> is_local("410611", "410600"), is_local("410102", "410600"), is_local(None, "410600")
    (True, False, False)
    """
    return bool(region_code) and str(region_code).startswith(city[:4])


def _in(year: int, day: date | None) -> bool:
    return day is not None and day.year == year


class _IsoDates(dict[date, str]):
    """date -> its ISO text, each made once."""

    def __missing__(self, day: date) -> str:
        text = self[day] = day.isoformat()
        return text


def invention_label(number: str, title: str) -> tuple[str, str]:
    """What an invention patent is called in an entitlement (Chinese, English): its number
    and title, or its number alone where the registry has no title (no empty 《》).

    >>> invention_label("CN201710123456.0", "一种镁合金")[0], invention_label("CN201710123456.0", "")[1]
    ('发明专利CN201710123456.0《一种镁合金》', 'invention patent CN201710123456.0')
    """
    if not title:
        return f"发明专利{number}", f"invention patent {number}"
    return f"发明专利{number}《{title}》", f"invention patent {number} “{title}”"


def build(
    snapshot: Snapshot, year: int, policy: Policy, sources: set[str] | None = None
) -> dict[str, list[Candidate]]:
    """The candidates of ``year`` of every source (or of ``sources`` only: the rankings and
    histories a rule does not read are not built for it)."""
    wanted = sources if sources is not None else policy.sources()
    out: dict[str, list[Candidate]] = defaultdict(list)
    names = {h.id: h.name for h in snapshot.holders.values()}
    end = date(year, 12, 31)
    # A year has a few hundred distinct grant dates and tens of thousands of grants: each
    # date's ISO text is made once (a year's evaluation is a loop over these candidates).
    iso: dict[date, str] = _IsoDates()

    if "invention_grants" in wanted:
        year_grants = out["invention_grants"]
        for p in snapshot.patents:
            granted = p.grant_date
            if (
                granted is None
                or granted.year != year
                or p.patent_type != "invention"
                or p.jurisdiction != "CN"
            ):
                continue
            number, title = p.number, p.title
            label_zh, label_en = invention_label(number, title)
            year_grants.append(
                Candidate(
                    "patent",
                    number,
                    label_zh,
                    label_en,
                    p.holder_ids,
                    granted,
                    {
                        "number": number,
                        "title": title,
                        "grant_date": iso[granted],
                        "holders": [names.get(h, str(h)) for h in p.holder_ids],
                    },
                )
            )

    # P2.1-b: a holder's first invention grant ever (any office) is of this year when it has
    # an invention granted this year and none before: the earliest of this year's is the one.
    if "first_invention_grants" in wanted:
        start = date(year, 1, 1)
        first: dict[int, tuple[date, str]] = {}  # holder -> (grant date, number) of its first
        earlier: set[int] = set()  # holders with an invention granted before this year
        for p in snapshot.patents:
            granted = p.grant_date
            if granted is None or granted > end or p.patent_type != "invention":
                continue
            if granted < start:
                earlier.update(p.holder_ids)
                continue
            key = (granted, p.number)
            for h in p.holder_ids:
                known = first.get(h)
                if known is None or key < known:
                    first[h] = key
        year_firsts = out["first_invention_grants"]
        for h in sorted(first.keys() - earlier):
            granted, number = first[h]
            name = names.get(h, str(h))
            year_firsts.append(
                Candidate(
                    "holder",
                    f"H{h}",
                    f"{name}的首件发明专利{number}",
                    f"the first invention patent of {name}, {number}",
                    (h,),
                    granted,
                    {"holder_name": name, "number": number, "grant_date": iso[granted]},
                )
            )

    annuity_years = policy.values_of_input("annuity_support", "years")
    years_on = _years_in_force(policy)
    # For each span, the shorter spans the policy ever set (none while it has one span).
    shorter_spans = {n: [m for m in sorted(annuity_years) if m < n] for n in annuity_years}
    for n in sorted(annuity_years) if "inventions_in_force_after_years" in wanted else ():
        for p in snapshot.patents:
            if p.patent_type != "invention" or p.jurisdiction != "CN" or p.grant_date is None:
                continue
            if p.grant_date.year != year - n:
                continue
            due = anniversary(p.grant_date, n)
            if not in_force_on(p.patent_type, p.filing_date, p.events, due):
                continue
            data: dict[str, Any] = {
                "number": p.number,
                "grant_date": p.grant_date.isoformat(),
                "anniversary": due.isoformat(),
                "years": n,
                "annuities_paid_yuan": p.annuities_paid_yuan,
            }
            # P2.1-c pays a patent once (一次性资助): where the city lengthened the years
            # (6, later 7), a patent that came due at the shorter span, on a day that span was
            # in force, and was in force then, has had its support.
            for shorter in shorter_spans[n]:
                came_due = anniversary(p.grant_date, shorter)
                if shorter in years_on(came_due) and in_force_on(
                    p.patent_type, p.filing_date, p.events, came_due
                ):
                    data["supported_on"], data["supported_years"] = came_due.isoformat(), shorter
                    break
            out["inventions_in_force_after_years"].append(
                Candidate("patent", p.number, *invention_label(p.number, p.title), p.holder_ids, due, data)
            )

    for a in snapshot.pct_applications:
        report = a.search_report_date
        if _in(year, report) or (report is None and _in(year, a.filing_date)):
            out["pct_applications"].append(
                Candidate(
                    "pct_application",
                    a.pct_number,
                    f"PCT申请{a.pct_number}",
                    f"PCT application {a.pct_number}",
                    a.holder_ids,
                    report or a.filing_date,
                    {
                        "pct_number": a.pct_number,
                        "filing_date": a.filing_date.isoformat(),
                        "search_report_date": report.isoformat() if report else None,
                    },
                )
            )

    for w in snapshot.awards:
        if not _in(year, w.award_date):
            continue
        source = "china_patent_awards" if w.level.startswith("china_") else "provincial_patent_awards"
        out[source].append(
            Candidate(
                "award",
                f"A{w.id}",
                f"专利{w.patent_number}获{AWARD_LABELS.get(w.level, w.level)}",
                f"{AWARD_EN.get(w.level, w.level)} for patent {w.patent_number}",
                (w.holder_id,),
                w.award_date,
                {"patent_number": w.patent_number, "level": w.level, "award_date": w.award_date.isoformat()},
                w.patent_number,
            )
        )

    for c in snapshot.certificates:
        if c.issued_on <= end and c.standard.replace(" ", "").upper() == "GB/T29490":
            out["gbt29490_certificates"].append(
                Candidate(
                    "certificate",
                    c.certificate_number,
                    f"贯标认证证书{c.certificate_number}",
                    f"GB/T 29490 certificate {c.certificate_number}",
                    (c.holder_id,),
                    c.issued_on,
                    {
                        "certificate_number": c.certificate_number,
                        "issued_on": c.issued_on.isoformat(),
                        "certifier": c.certifier,
                    },
                )
            )

    for cost in snapshot.loan_costs:
        if cost.year == year:
            out["pledge_loan_costs"].append(
                Candidate(
                    "loan_year",
                    f"{cost.contract_number}@{year}",
                    f"质押贷款{cost.contract_number}（{year}年）",
                    f"pledge loan {cost.contract_number} ({year})",
                    (cost.holder_id,),
                    end,
                    {
                        "contract_number": cost.contract_number,
                        "year": year,
                        "interest": cost.interest,
                        "valuation": cost.valuation,
                        "guarantee": cost.guarantee,
                        "insurance": cost.insurance,
                    },
                )
            )

    for ins in snapshot.insurance_policies:
        if ins.start_date <= end:
            out["patent_insurance_policies"].append(
                Candidate(
                    "insurance_policy",
                    ins.policy_number,
                    f"专利保险保单{ins.policy_number}",
                    f"patent insurance policy {ins.policy_number}",
                    (ins.holder_id,),
                    ins.start_date,
                    {
                        "policy_number": ins.policy_number,
                        "patent_number": ins.patent_number,
                        "premium_yuan": ins.premium_yuan,
                        "start_date": ins.start_date.isoformat(),
                    },
                )
            )

    if "top_patent_grantees" in wanted:
        grants = snapshot.grant_counts
        if grants is None:
            grants = defaultdict(int)
            for p in snapshot.patents:
                if _in(year, p.grant_date):
                    for h in set(p.holder_ids):
                        grants[h] += 1
        out["top_patent_grantees"] = _ranked(
            snapshot,
            grants,
            year,
            policy,
            ("专利授权", "patent grants"),
            "grants",
            limit=listed_rank(policy, "top_patent_grantee"),
        )
    if "top_software_registrants" not in wanted:
        return out
    registrations: dict[int, int] = defaultdict(int)
    for s in snapshot.software:
        if _in(year, s.registration_date):
            registrations[s.holder_id] += 1
    out["top_software_registrants"] = _ranked(
        snapshot,
        registrations,
        year,
        policy,
        ("软件著作权登记", "software copyright registrations"),
        "registrations",
        kinds=frozenset({"enterprise"}),
        limit=listed_rank(policy, "top_software_registrant"),
    )
    return out


def _years_in_force(policy: Policy) -> Any:
    """``on -> {years}``: the spans of P2.1-c (the ``years`` input of the rules using the
    ``annuity_support`` formula) in force on a day."""
    parameters = [
        policy.parameters[r.inputs["years"]]
        for r in policy.rules
        if r.formula.name == "annuity_support" and "years" in r.inputs
    ]

    def on(day: date) -> set[int]:
        return {v for v in (p.value_on(day) for p in parameters) if v is not None}

    return on


def listed_rank(policy: Policy, formula_name: str) -> int | None:
    """The lowest rank a ranking rule can ever pay (its ``listed`` input at its largest), or
    None when that input is unset on some date: then every holder is ranked, and the
    formula says for each why nothing is paid."""
    values: list[int | None] = [
        v.value
        for r in policy.rules
        if r.formula.name == formula_name and "listed" in r.inputs
        for v in policy.parameters[r.inputs["listed"]].values
    ]
    if not values or any(v is None for v in values):
        return None
    return max(v for v in values if v is not None)


def _ranked(
    snapshot: Snapshot,
    counts: dict[int, int],
    year: int,
    policy: Policy,
    what_of: tuple[str, str],
    key: str,
    kinds: frozenset[str] = RANKED_KINDS,
    limit: int | None = None,
) -> list[Candidate]:
    """Local holders of ``kinds`` ranked by ``counts`` (competition ranking: ties share a
    rank), down to rank ``limit`` (all when None)."""
    rows = [
        (n, snapshot.holders[h])
        for h, n in counts.items()
        if h in snapshot.holders
        and snapshot.holders[h].kind in kinds
        and is_local(snapshot.holders[h].region_code, policy.city)
    ]
    rows.sort(key=lambda r: (-r[0], r[1].name))
    what, what_en = what_of  # what is counted, in Chinese and in English
    out: list[Candidate] = []
    rank = 0
    previous: int | None = None
    for i, (n, h) in enumerate(rows, start=1):
        if n != previous:
            rank, previous = i, n
        if limit is not None and rank > limit:
            break
        out.append(
            Candidate(
                "holder",
                f"H{h.id}@{year}-{key}",
                f"{h.name}（{year}年{what}{n}件）",
                f"{h.name} ({what_en} in {year}: {n})",
                (h.id,),
                date(year, 12, 31),
                {"holder_name": h.name, "year": year, "count": n, "rank": rank},
            )
        )
    return out
