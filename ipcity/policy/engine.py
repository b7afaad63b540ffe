"""Evaluate a policy over a year's candidates: entitlements with their amount, status, the
parameter values and data used, and a Chinese and English explanation (our "trace").

Pure: no database or web import. The steps for each rule and candidate, in order:

1. the payee: the first holder in order whose region lies in the city (none → ``not_local``);
2. the formula with the parameter values in force on the reference date (an unset value →
   amount 0, ``unset``, with the parameter named; a reference date before the parameter's
   first value → ``before_policy``: the policy did not cover it, nothing is to be set);
3. once per holder ever: only the holder's earliest object pays (``already_received``);
4. the dishonesty list on the reference date, or on the day of the evaluation (``as_of``)
   for a holder listed since (``held_back``, the listing's reason shown);
5. not before its day: an object whose reference date comes after the day of the evaluation
   (``as_of``) is ``not_due``, amount 0 (a patent due its 6-year support on 2026-12-01 may
   still lapse before then; nothing is proposed or paid ahead of the facts);
6. a cap per holder and year, over all the holder's objects of the rule.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import asdict, dataclass, replace
from datetime import date
from operator import attrgetter
from typing import Any

from ipcity.memory import paused_gc
from ipcity.policy import candidates as cand
from ipcity.policy.candidates import Candidate
from ipcity.policy.formulas import en_yuan, zh_yuan
from ipcity.policy.loader import Policy, Rule
from ipcity.policy.parameters import Unset, Values
from ipcity.policy.snapshot import Snapshot
from ipcity.protection.credit import listing_on

STATUS_LABELS = {
    "eligible": "应享受",
    "unset": "参数未设定",
    "needs_evidence": "待补充凭证",
    "held_back": "暂缓（失信名单）",
    "not_local": "非本市权利人",
    "already_received": "已享受过",
    "not_due": "未到期",
    "before_policy": "政策施行前",
}
STATUS_EN = {
    "eligible": "eligible",
    "unset": "parameter not set",
    "needs_evidence": "evidence needed",
    "held_back": "held back (dishonesty list)",
    "not_local": "holder outside the city",
    "already_received": "already received",
    "not_due": "not yet due",
    "before_policy": "before the policy took effect",
}


@dataclass(slots=True)
class Entitlement:
    """What the policy owes (or, with its reason, does not owe) a holder for one object."""

    id: str
    year: int
    rule: str
    clause: str
    object_type: str
    object: str
    object_label: str
    object_label_en: str
    holder_id: int | None
    holder: str
    amount: int
    status: str
    reference_date: date
    parameters: dict[str, int | None]
    data: dict[str, Any]
    explanation_zh: str
    explanation_en: str
    payment_key: str = ""

    def object_text(self, locale: str = "zh_CN") -> str:
        """What the entitlement is for, in ``locale``'s words."""
        return self.object_label_en if locale.startswith("en") and self.object_label_en else self.object_label

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (dates as ISO strings); ``explanation`` is the Chinese text."""
        out = asdict(self)
        out["reference_date"] = self.reference_date.isoformat()
        out["explanation"] = self.explanation_zh
        return out


def entitlement_id(year: int, rule_id: str, object_key: str) -> str:
    """``2019:P2.1-a:CN201710123456.0`` — the year, the rule and the object."""
    return f"{year}:{rule_id}:{object_key}"


# A candidate's place in a rule's order: by reference date, then object key.
_by_date_and_key = attrgetter("reference_date", "object_key")


def _with_tail(key: str, tail: str) -> str:
    """``key`` ending in ``tail`` (a loan-year's key already ends in its year)."""
    return key if key.endswith(tail) else key + tail


def _payee(c: Candidate, local: set[int]) -> int | None:
    """The first of the object's holders (in their order) who is in the city."""
    for h in c.holder_ids:
        if h in local:
            return h
    return None


def evaluate(
    policy: Policy,
    snapshot: Snapshot,
    year: int,
    rules: Iterable[str] | None = None,
    as_of: date | None = None,
    paid: Mapping[str, date] | None = None,
    settled: AbstractSet[str] = frozenset(),
) -> list[Entitlement]:
    """Every entitlement of ``year`` under ``policy`` (all rules, or those named), judged on
    the day ``as_of`` (an object whose reference date is later is not yet due; None: every
    reference date counts as come, as for a year long past). ``paid``: the payment keys
    already paid out, with the day (the city's) they were paid; a listing on the dishonesty
    list holds back what is still to pay, never what was paid (P3.2). ``settled``: the
    payment keys of cases already approved or paid: under a cap per holder and year they
    take its room first, so that a later item never cuts what was approved."""
    with paused_gc():
        return _evaluate(policy, snapshot, year, rules, as_of, paid or {}, settled)


def _evaluate(
    policy: Policy,
    snapshot: Snapshot,
    year: int,
    rules: Iterable[str] | None,
    as_of: date | None,
    paid: Mapping[str, date],
    settled: AbstractSet[str] = frozenset(),
) -> list[Entitlement]:
    wanted = set(rules) if rules is not None else None
    by_source = cand.build(snapshot, year, policy, policy.sources(rules))
    # The holders in the city: the only ones a rule pays (the first local holder of an object).
    # (is_local, written out: a year's snapshot holds tens of thousands of holders)
    city = policy.city[:4]
    local = {h for h, rec in snapshot.holders.items() if rec.region_code and rec.region_code.startswith(city)}
    chosen = [rule for rule in policy.rules if wanted is None or rule.id in wanted or rule.clause in wanted]
    readers = Counter(rule.formula.source for rule in chosen)
    out: list[Entitlement] = []
    for rule in chosen:
        source = rule.formula.source
        out.extend(
            _evaluate_rule(
                policy,
                rule,
                by_source.get(source, []),
                snapshot,
                year,
                local,
                as_of,
                readers[source] > 1,
                paid,
                settled,
            )
        )
    return out


def _values(policy: Policy, rule: Rule, on: date) -> tuple[Values, dict[str, int | None]]:
    by_param = {pid: policy.parameters[pid].value_on(on) for pid in rule.inputs.values()}
    return Values({i: by_param[pid] for i, pid in rule.inputs.items()}, rule.inputs), by_param


def _evaluate_rule(
    policy: Policy,
    rule: Rule,
    found: list[Candidate],
    snapshot: Snapshot,
    year: int,
    local: set[int],
    as_of: date | None = None,
    shared_data: bool = True,
    paid: Mapping[str, date] | None = None,
    settled: AbstractSet[str] = frozenset(),
) -> list[Entitlement]:
    holders = snapshot.holders
    # The parameter values in force on a reference date, computed once per date.
    values_on: dict[date, tuple[Values, dict[str, int | None]]] = {}
    prefix_zh, prefix_en = f"依据{rule.clause}：", f"Under {rule.clause}: "
    # Once per holder ever: the holder's earliest object is the one that pays.
    first_of: dict[int, Candidate] = {}
    ordered = sorted(found, key=_by_date_and_key)
    if rule.limits.once_per_holder:
        for c in ordered:
            payee = _payee(c, local)
            if payee is not None:
                first_of.setdefault(payee, c)
    # Once per object where several records name it (two awards of one patent): the earliest.
    first_for: dict[str, Candidate] = {}
    for c in ordered:
        if c.pays_once_for is not None:
            first_for.setdefault(c.pays_once_for, c)
    # Only the holders on the dishonesty list need looking up in it.
    listed = {x.holder_id for x in snapshot.credit}
    # A candidate's data dict goes to its entitlement as it is where no other rule of this
    # evaluation reads the same candidates; the parameter values of one date are one dict for
    # the rule's entitlements of that date. Neither is changed in place afterwards (a cap or
    # a due date puts a new dict in its place).
    id_head, key_head = f"{year}:{rule.id}:", f"{rule.id}:"
    # Once per object ever (the key is the rule and the object) unless the rule pays yearly.
    key_tail = "" if rule.limits.once_per_object else f"@{year}"
    results: list[Entitlement] = []
    for c in ordered:
        reference_date = c.reference_date
        if reference_date.year != year:
            continue  # an earlier object, listed only to judge "once per holder"
        holder_ids = c.holder_ids
        payee = holder_ids[0] if len(holder_ids) == 1 and holder_ids[0] in local else _payee(c, local)
        found_values = values_on.get(reference_date)
        if found_values is None:
            found_values = values_on[reference_date] = _values(policy, rule, reference_date)
        values, by_param = found_values
        # Positional: a year makes tens of thousands, and keywords cost three times as much.
        ent = Entitlement(
            id_head + c.object_key,  # entitlement_id(year, rule.id, c.object_key)
            year,
            rule.id,
            rule.clause,
            c.object_type,
            c.object_key,
            c.object_label,
            c.object_label_en,
            payee,  # holder_id
            holders[payee].name
            if payee is not None
            else "、".join(holders[h].name for h in c.holder_ids if h in holders),
            0,  # amount
            "eligible",
            reference_date,
            by_param,  # parameters
            dict(c.data) if shared_data else c.data,
            "",  # explanation_zh
            "",  # explanation_en
            key_head + _with_tail(c.pays_once_for or c.object_key, key_tail),  # payment_key
        )
        if payee is None:
            ent.status = "not_local"
            ent.explanation_zh = (
                f"{prefix_zh}{c.object_label}的权利人均不在本市（{policy.city[:4]}xx），不予支付"
            )
            ent.explanation_en = f"{prefix_en}no holder of {c.object_label_en} is registered in the city ({policy.city[:4]}xx); nothing is paid"
            results.append(ent)
            continue
        try:
            outcome = rule.formula.fn(c.data, values)
        except Unset as unset:
            param = policy.parameters[unset.name]
            begins = param.values[0].start if param.values else None
            if begins is not None and reference_date < begins:
                # Before the policy's first value (the opinions took effect on 2017-09-30): not
                # a parameter the city has yet to set, but an object the policy never covered.
                ent.status = "before_policy"
                ent.explanation_zh = (
                    f"{prefix_zh}{c.object_label}的参考日期{reference_date}早于本项施行之日{begins}"
                    f"（参数 {unset.name} 自该日起有值），不属本项支持范围"
                )
                ent.explanation_en = (
                    f"{prefix_en}the reference date of {c.object_label_en}, {reference_date}, is before "
                    f"the item took effect on {begins} (parameter {unset.name} has values from that day): "
                    f"not covered"
                )
                results.append(ent)
                continue
            ent.status = "unset"
            ent.explanation_zh = (
                f"{prefix_zh}{c.object_label}：{param.description}（参数 {unset.name}）在{c.reference_date}未设定，"
                f"本项在设定前不支付"
            )
            ent.explanation_en = (
                f"{prefix_en}{c.object_label_en}: {param.describe('en')} (parameter {unset.name}) is not set on "
                f"{c.reference_date}; "
                f"nothing is paid until it is"
            )
            results.append(ent)
            continue
        if outcome is None:
            continue
        ent.amount, ent.status = outcome.amount, outcome.status
        ent.explanation_zh, ent.explanation_en = prefix_zh + outcome.why_zh, prefix_en + outcome.why_en
        if len(c.holder_ids) > 1:
            position = c.holder_ids.index(payee) + 1
            ent.explanation_zh += (
                f"；共有{len(c.holder_ids)}个权利人，支付一次，给排序第{position}位的本地权利人{ent.holder}"
            )
            ent.explanation_en += f"; {len(c.holder_ids)} holders, paid once, to the first local holder {ent.holder} (position {position})"
        if rule.limits.once_per_holder:
            ent.payment_key = f"{rule.id}:H{payee}"
            earlier = first_of.get(payee)
            if earlier is not None and earlier is not c:
                ent.amount, ent.status = 0, "already_received"
                ent.explanation_zh += f"；但{ent.holder}已于{earlier.reference_date}因{earlier.object_label}享受本项，每个权利人仅一次"
                ent.explanation_en += f"; but {ent.holder} already qualified on {earlier.reference_date} with {earlier.object_label_en}; once per holder"
        same = first_for.get(c.pays_once_for) if c.pays_once_for is not None else None
        if same is not None and same is not c and ent.status == "eligible":
            ent.amount, ent.status = 0, "already_received"
            ent.explanation_zh += (
                f"；但同一专利已于{same.reference_date}因“{same.object_label}”享受本项，每件专利仅奖励一次"
            )
            ent.explanation_en += f"; but the same patent already qualified on {same.reference_date} ({same.object_label_en}); once per patent"
        paid_on = paid.get(ent.payment_key) if paid and payee in listed else None
        if paid_on is not None and ent.status == "eligible":
            # Paid before the holder was listed (or whatever the listing's date): the money
            # is out and stays paid; the listing holds back only what is still to pay (P3.2).
            listing = listing_on(snapshot.credit, payee, as_of or c.reference_date) or listing_on(
                snapshot.credit, payee, c.reference_date
            )
            if listing is not None:
                ent.explanation_zh += f"；本项已于{paid_on}拨付，该权利人于{listing.listed_on}列入失信名单（{listing.reason}）不影响已拨付的款项"
                ent.explanation_en += f"; paid on {paid_on}: the holder's listing on the dishonesty list on {listing.listed_on} ({listing.reason}) does not touch what was paid"
            listing = None
        else:
            listing = listing_on(snapshot.credit, payee, c.reference_date) if payee in listed else None
        if listing is not None and ent.status == "eligible":
            ent.status = "held_back"
            ent.explanation_zh += f"；该权利人于{listing.listed_on}列入失信名单（{listing.reason}），暂缓支付"
            ent.explanation_en += f"; the holder is on the dishonesty list since {listing.listed_on} ({listing.reason}): held back"
        elif (
            payee in listed
            and paid_on is None
            and as_of is not None
            and as_of > reference_date
            and ent.status == "eligible"
        ):
            # Listed after the reference date and still listed on the day of the evaluation:
            # nothing is paid to a holder on the list now (the approval checks the same day).
            listing = listing_on(snapshot.credit, payee, as_of)
            if listing is not None:
                ent.status = "held_back"
                ent.explanation_zh += f"；该权利人于{listing.listed_on}列入失信名单（{listing.reason}），至今（{as_of}）仍在名单中，暂缓支付"
                ent.explanation_en += f"; the holder was put on the dishonesty list on {listing.listed_on} ({listing.reason}) and is still on it today ({as_of}): held back"
        if as_of is not None and c.reference_date > as_of and ent.status == "eligible":
            ent.data = {**ent.data, "amount_when_due": ent.amount}
            ent.amount, ent.status = 0, "not_due"
            ent.explanation_zh += (
                f"；参考日期{c.reference_date}尚未到来（今天是{as_of}），届时按当日的数据核定，此前不予支付"
            )
            ent.explanation_en += f"; its reference date {c.reference_date} has not come yet (today is {as_of}): it is settled on that day's data, nothing is paid before"
        results.append(ent)
    if rule.limits.cap_per_holder_year:
        results = _apply_cap(policy, rule, results, year, settled)
    return results


def _apply_cap(
    policy: Policy, rule: Rule, results: list[Entitlement], year: int, settled: AbstractSet[str] = frozenset()
) -> list[Entitlement]:
    cap_id = rule.limits.cap_per_holder_year
    assert cap_id is not None
    cap_parameter = policy.parameters[cap_id]
    cap = cap_parameter.value_on(date(year, 12, 31))
    if cap is None:
        # A cap the city has not set is not "no cap": like any unset parameter, the item
        # pays nothing until it is set (P2.1-e's reading, applied to every limit).
        out_unset: list[Entitlement] = []
        for ent in results:
            if ent.status == "eligible":
                ent = replace(
                    ent,
                    amount=0,
                    status="unset",
                    data={**ent.data, "before_cap": ent.amount},
                    parameters={**ent.parameters, cap_id: None},
                )
                ent.explanation_zh += (
                    f"；但每个权利人每年的上限（{cap_parameter.description}，参数 {cap_id}）在{year}-12-31未设定，"
                    f"本项在设定前不支付"
                )
                ent.explanation_en += (
                    f"; but the cap per holder and year ({cap_parameter.describe('en')}, parameter {cap_id}) "
                    f"is not set on {year}-12-31: nothing is paid until it is"
                )
            out_unset.append(ent)
        return out_unset
    paid: dict[int | None, int] = defaultdict(int)
    out: list[Entitlement | None] = [None] * len(results)
    # What is approved or paid takes the room first (P2.7-a: 200,000 per enterprise and
    # year, over all its loans): a loan applied for later gets what is left, and never
    # reduces an amount already approved. The rest in the order given; the output keeps it.
    order = sorted(range(len(results)), key=lambda i: results[i].payment_key not in settled)
    for place in order:
        ent = results[place]
        if ent.status != "eligible":
            out[place] = ent
            continue
        room = max(cap - paid[ent.holder_id], 0)
        if ent.amount > room:
            computed = ent.amount
            ent = replace(
                ent,
                amount=room,
                data={**ent.data, "before_cap": computed},
                parameters={**ent.parameters, cap_id: cap},
            )
            ent.explanation_zh += f"；{ent.holder}{year}年本项合计以{zh_yuan(cap)}为上限（{cap_id}），本笔由{zh_yuan(computed)}核减为{zh_yuan(room)}"
            ent.explanation_en += f"; capped at {en_yuan(cap)} per holder in {year} ({cap_id}): {en_yuan(computed)} → {en_yuan(room)}"
        paid[ent.holder_id] += ent.amount
        out[place] = ent
    return [ent for ent in out if ent is not None]
