"""What officers and enterprises take away from the policy's money, as data, XLSX and Word:

* the payment list of a year (approved and paid cases: ``policy_payments`` joined to
  ``policy_cases``), per county and per item, with totals and a county × item summary;
* the public notice (公示) as a spreadsheet;
* a holder's statement — what the policy owes it in a year and why: every entitlement with
  its amount, status and explanation (held-back and zero-amount ones with their reason),
  the case of each and its payment, and the receiving account the money goes to.

The account of a payment line (户名, 开户银行, 银行账号) is the one recorded when it was
paid, for an approved line not yet paid the holder's account now; none on record is said
(未登记). Accounts are never public: every reader here may see them.

Each function checks role and scope (:mod:`ipcity.auth.roles`) itself: the payment list is
for officers (a county officer sees its own county), the statement for the enterprise bound
to the holder and officers in scope (anyone else: not found), the notice is public. Money is
integer yuan throughout.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from ipcity import clock
from ipcity.auth.roles import Actor, may_see_private, require
from ipcity.errors import NotFound
from ipcity.i18n import gettext
from ipcity.office import Sheet, add_table, document_bytes, new_document, office_text, workbook_bytes
from ipcity.places.divisions import get_division
from ipcity.policy import service, workflow
from ipcity.policy.engine import STATUS_LABELS as ENTITLEMENT_LABELS
from ipcity.policy.engine import Entitlement
from ipcity.policy.models import PolicyCase, PolicyCaseStep, PolicyPayment
from ipcity.registry import payee

NO_REGION = "未归属地区"
NOT_RECORDED = "未登记"
NO_CASE = "尚未生成案件"
NOT_PAYABLE = "不予支付"
# Why an item the policy does not owe now has no case, where "not payable" would say it is
# lost: a held-back item is deferred while its holder is on the dishonesty list (P3.2),
# one awaiting evidence or its reference date may still be owed.
NOT_PAYABLE_NOW = {"held_back": "暂缓支付", "needs_evidence": "待补充凭证", "not_due": "未到期"}
TOTAL = "合计"
PAID_TOTAL = "其中已拨付"


def _(message: str, locale: str, **params: Any) -> str:
    """``message`` in ``locale``, formatted with ``params`` (the extractor reads ``_`` calls)."""
    text = gettext(message, locale)
    return text.format(**params) if params else text


def county_name(region_code: str | None, locale: str = "zh_CN") -> str:
    """The county of a region code (GB/T 2260 name; the code itself when unknown).

    >>> county_name("410611"), county_name("410611", "en")
    ('淇滨区', 'Qibin District')
    """
    if not region_code:
        return gettext(NO_REGION, locale)
    division = get_division(region_code)
    return division.label(locale) if division is not None else region_code


def _rule_titles(rule_id: str, fallback: str) -> tuple[str, str]:
    rule = service.current_policy().rule(rule_id)
    return (rule.title, rule.title_en) if rule is not None else (fallback, fallback)


def rule_item(rule_id: str, locale: str) -> str:
    """A rule as lists name it, ``P2.1-c 有效发明专利年费支持``: clause and title in
    ``locale`` (the rule id alone for a rule the current policy no longer has)."""
    rule = service.current_policy().rule(rule_id)
    if rule is None:
        return rule_id
    return item_label(rule.clause, rule.title, rule.title_en, locale)


def item_label(clause: str, title: str, title_en: str, locale: str) -> str:
    """An item as lists show it: the clause and the rule's title in the UI language."""
    return f"{clause} {title_en if locale == 'en' else title}"


def _day(at: datetime | None) -> date | None:
    """The city's date of a stored UTC time: approved at 23:30 UTC is approved the next
    day in Hebi (07:30 Beijing time), and a list, notice or statement says so."""
    local = clock.local_time(at)
    return local.date() if local is not None else None


def _local_day(at: datetime) -> date:
    """:func:`_day` of a time that is there."""
    local = clock.local_time(at)
    assert local is not None
    return local.date()


# The payment list ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentLine:
    """One approved (perhaps paid) amount with its case: holder, item, object, county, dates."""

    case_id: int
    payment_key: str
    year: int
    holder_id: int
    holder: str
    region_code: str | None
    rule: str
    clause: str
    title: str
    title_en: str
    object_label: str
    object_label_en: str | None
    amount: int
    status: str  # "approved" or "paid"
    approved_on: date
    paid_on: date | None
    reference: str | None
    # The payee's unified social credit code: what the finance office pays against.
    uscc: str | None = None
    # The account to pay into: recorded at payment (paid) or the holder's now (approved).
    account: payee.AccountOnRecord | None = None

    @property
    def account_recorded(self) -> bool:
        """Whether an account is known for this line."""
        return self.account is not None and self.account.recorded

    def item(self, locale: str) -> str:
        """Clause and rule title in ``locale``."""
        return item_label(self.clause, self.title, self.title_en, locale)

    def object_text(self, locale: str) -> str:
        """What was paid for, in ``locale``'s words (Chinese where no English was kept)."""
        return self.object_label_en if locale.startswith("en") and self.object_label_en else self.object_label

    def to_json(self, locale: str) -> dict[str, Any]:
        """JSON-ready (dates as ISO strings)."""
        return {
            "case_id": self.case_id,
            "payment_key": self.payment_key,
            "year": self.year,
            "holder_id": self.holder_id,
            "holder": self.holder,
            "uscc": self.uscc,
            "region_code": self.region_code,
            "county": county_name(self.region_code, locale),
            "rule": self.rule,
            "clause": self.clause,
            "item": self.item(locale),
            "object": self.object_text(locale),
            "amount": self.amount,
            "status": self.status,
            "approved_on": self.approved_on.isoformat(),
            "paid_on": self.paid_on.isoformat() if self.paid_on else None,
            "reference": self.reference,
            "payee_name": self.account.name if self.account else None,
            "payee_bank": self.account.bank if self.account else None,
            "payee_account": self.account.number if self.account else None,
            "payee_recorded": self.account_recorded,
            "payee_name_differs": self.account.differs if self.account else False,
            # Paid: the account recorded at payment; approved: the holder's account now.
            "payee_recorded_at_payment": self.status == "paid",
        }


@dataclass(frozen=True)
class PaymentList:
    """The approved and paid amounts of a year in the viewer's scope (``region_code``: the
    county of a county officer; ``None``: the whole city)."""

    year: int
    region_code: str | None
    lines: list[PaymentLine]

    @property
    def total(self) -> int:
        """All amounts together."""
        return sum(x.amount for x in self.lines)

    @property
    def paid_total(self) -> int:
        """The amounts already paid."""
        return sum(x.amount for x in self.lines if x.status == "paid")

    def counties(self) -> list[str | None]:
        """The region codes present, in code order (unassigned last)."""
        codes = {x.region_code for x in self.lines}
        return sorted(codes, key=lambda c: (c is None, c or ""))

    def items(self) -> list[str]:
        """The rule ids present, in the order of the policy."""
        order = {r.id: i for i, r in enumerate(service.current_policy().rules)}
        return sorted({x.rule for x in self.lines}, key=lambda r: (order.get(r, len(order)), r))

    def item_labels(self, locale: str) -> dict[str, str]:
        """Rule id → clause and title in ``locale``."""
        return {x.rule: x.item(locale) for x in self.lines}

    def of_county(self, region_code: str | None) -> list[PaymentLine]:
        """The lines of one county."""
        return [x for x in self.lines if x.region_code == region_code]

    def of_item(self, rule: str) -> list[PaymentLine]:
        """The lines of one item (rule)."""
        return [x for x in self.lines if x.rule == rule]

    def matrix(self, paid_only: bool = False) -> dict[tuple[str | None, str], int]:
        """(region code, rule) → the sum of the amounts (approved, or only those paid)."""
        out: dict[tuple[str | None, str], int] = defaultdict(int)
        for x in self.lines:
            if not paid_only or x.status == "paid":
                out[(x.region_code, x.rule)] += x.amount
        return dict(out)

    def to_json(self, locale: str) -> dict[str, Any]:
        """JSON-ready: the lines, the totals per county and per item, and the matrix."""
        matrix = self.matrix()
        labels = self.item_labels(locale)
        return {
            "year": self.year,
            "region_code": self.region_code,
            "total": self.total,
            "paid_total": self.paid_total,
            "counties": [
                {
                    "region_code": c,
                    "county": county_name(c, locale),
                    "total": sum(x.amount for x in self.of_county(c)),
                    "by_item": {r: matrix[(c, r)] for r in self.items() if (c, r) in matrix},
                }
                for c in self.counties()
            ],
            "items": [
                {"rule": r, "item": labels[r], "total": sum(x.amount for x in self.of_item(r))}
                for r in self.items()
            ],
            "lines": [x.to_json(locale) for x in self.lines],
        }


def payments(session: Session, actor: Actor, year: int) -> PaymentList:
    """The approved and paid amounts of ``year`` (cases' payment rows) the officer may see:
    a city officer or the admin the whole city, a county officer its own county. Ordered by
    county, item (the policy's order), holder and case."""
    require(actor, "policy.payments_read")
    service.check_year(year)
    from ipcity.registry.models import Holder

    query = (
        select(
            PolicyPayment,
            PolicyCase,
            Holder.uscc,
            Holder.name,
            Holder.payee_name,
            Holder.payee_bank,
            Holder.payee_account,
        )
        .join(PolicyCase, PolicyCase.id == PolicyPayment.case_id)
        .outerjoin(Holder, Holder.id == PolicyCase.holder_id)
        .where(PolicyPayment.year == year)
    )
    scope = None
    if actor.role == "county_officer":
        scope = actor.region_code
        # No county on the account: nothing (never the unassigned cases by accident).
        query = query.where(PolicyCase.region_code == (scope or "-"))
    lines = []
    for payment, case, uscc, holder_name, account_name, bank, number in session.execute(query):
        title, title_en = _rule_titles(case.rule, case.rule)
        if payment.paid_at is not None:
            account = workflow.paid_into(payment, case.holder_name)
        else:
            account = payee.AccountOnRecord(holder_name or case.holder_name, account_name, bank, number)
        lines.append(
            PaymentLine(
                case_id=case.id,
                payment_key=payment.payment_key,
                year=payment.year,
                holder_id=case.holder_id,
                holder=case.holder_name,
                region_code=case.region_code,
                rule=case.rule,
                clause=case.clause,
                title=title,
                title_en=title_en,
                object_label=case.object_label,
                object_label_en=case.object_label_en,
                amount=payment.amount_yuan,
                status="paid" if payment.paid_at is not None else "approved",
                approved_on=_local_day(payment.approved_at),
                paid_on=_day(payment.paid_at),
                reference=payment.reference,
                uscc=uscc,
                account=account,
            )
        )
    order = {r.id: i for i, r in enumerate(service.current_policy().rules)}
    lines.sort(
        key=lambda x: (
            x.region_code is None,
            x.region_code or "",
            order.get(x.rule, 999),
            x.holder,
            x.case_id,
        )
    )
    return PaymentList(year, scope, lines)


def _payment_header(locale: str) -> list[str]:
    return [
        _("县区", locale),
        _("权利人", locale),
        _("统一社会信用代码", locale),
        _("项目", locale),
        _("对象", locale),
        _("金额（元）", locale),
        _("状态", locale),
        _("批准日期", locale),
        _("拨付日期", locale),
        _("支付凭证号", locale),
        _("户名", locale),
        _("开户银行", locale),
        _("银行账号", locale),
    ]


AMOUNT_COLUMN = 5  # index of the amount in the rows of a payment sheet


def payment_rows(lines: list[PaymentLine], locale: str) -> list[list[Any]]:
    """The rows of a payment sheet, the last one the totals row (合计 and the sum)."""
    rows: list[list[Any]] = [
        [
            county_name(x.region_code, locale),
            x.holder,
            x.uscc,
            x.item(locale),
            x.object_text(locale),
            x.amount,
            _(workflow.STATUS_LABELS[x.status], locale),
            x.approved_on,
            x.paid_on,
            x.reference,
            # Text, never a number: Excel keeps only 15 digits of a number.
            *(
                (x.account.name, x.account.bank, x.account.number)
                if x.account is not None and x.account.recorded
                else (None, None, _(NOT_RECORDED, locale))
            ),
        ]
        for x in lines
    ]
    total: list[Any] = [None] * 13
    total[0], total[AMOUNT_COLUMN] = _(TOTAL, locale), sum(x.amount for x in lines)
    total[1] = _("{n} 笔", locale, n=len(lines))
    paid = [x for x in lines if x.status == "paid"]
    of_which: list[Any] = [None] * 13
    of_which[0], of_which[AMOUNT_COLUMN] = _(PAID_TOTAL, locale), sum(x.amount for x in paid)
    of_which[1] = _("{n} 笔", locale, n=len(paid))
    return [*rows, total, of_which]


def summary_rows(
    plist: PaymentList, locale: str, paid_only: bool = False
) -> tuple[list[str], list[list[Any]]]:
    """The county × item matrix of amounts (approved, or with ``paid_only`` those already
    paid) with a total per county (last column) and per item (last row)."""
    items, matrix = plist.items(), plist.matrix(paid_only)
    labels = plist.item_labels(locale)
    header = [_("县区", locale), *[labels[r] for r in items], _(TOTAL, locale)]
    rows: list[list[Any]] = []
    for c in plist.counties():
        values = [matrix.get((c, r), 0) for r in items]
        rows.append([county_name(c, locale), *values, sum(values)])
    totals = [sum(matrix.get((c, r), 0) for c in plist.counties()) for r in items]
    rows.append([_(TOTAL, locale), *totals, sum(totals)])
    return header, rows


def _sheet_name(label: str, rule: str, limit: int = 31) -> str:
    """An item's sheet name: its label where it fits Excel's 31 characters, else the rule
    id alone (a title cut in the middle reads as another item; the sheet's rows name it).

    >>> _sheet_name("P2.1-a 发明专利授权资助", "P2.1-a")
    'P2.1-a 发明专利授权资助'
    >>> _sheet_name("P2.1-c Annuity support for invention patents in force", "P2.1-c")
    'P2.1-c'
    """
    return label if len(label) <= limit else rule[:limit]


def payments_xlsx(plist: PaymentList, locale: str) -> bytes:
    """The payment list as XLSX: a summary sheet (county × item with totals), then a sheet
    per county and a sheet per item, each with a totals row."""
    header = _payment_header(locale)
    sum_header, sum_rows = summary_rows(plist, locale)
    sheets = [Sheet(_("汇总", locale), sum_header, sum_rows, totals=frozenset({len(sum_rows) - 1}))]
    # What has been paid of it, county by item: the approved sum is not yet money out.
    paid_header, paid_rows = summary_rows(plist, locale, paid_only=True)
    sheets.append(
        Sheet(_("已拨付汇总", locale), paid_header, paid_rows, totals=frozenset({len(paid_rows) - 1}))
    )
    # Each list ends in its total and, below it, the part already paid.
    for c in plist.counties():
        rows = payment_rows(plist.of_county(c), locale)
        sheets.append(
            Sheet(county_name(c, locale), header, rows, totals=frozenset({len(rows) - 2, len(rows) - 1}))
        )
    labels = plist.item_labels(locale)
    for r in plist.items():
        rows = payment_rows(plist.of_item(r), locale)
        sheets.append(
            Sheet(_sheet_name(labels[r], r), header, rows, totals=frozenset({len(rows) - 2, len(rows) - 1}))
        )
    return workbook_bytes(sheets)


# The public notice --------------------------------------------------------------------------


def notice_rows(cases: list[PolicyCase], locale: str) -> tuple[list[str], list[list[Any]]]:
    """The public notice as a table: holder, item, object, amount, end of notice, status."""
    header = [
        _("编号", locale),
        _("年度", locale),
        _("权利人", locale),
        _("项目", locale),
        _("对象", locale),
        _("金额（元）", locale),
        _("公示截止", locale),
        _("状态", locale),
    ]
    rows: list[list[Any]] = []
    for c in cases:
        title, title_en = _rule_titles(c.rule, c.rule)
        rows.append(
            [
                c.id,
                c.year,
                c.holder_name,
                item_label(c.clause, title, title_en, locale),
                c.object_text(locale),
                c.amount_yuan,
                c.notice_until,
                _(workflow.SHOWN_STATUS_LABELS[c.shown_status()], locale),
            ]
        )
    return header, rows


def notices_xlsx(session: Session, locale: str) -> bytes:
    """The cases in public notice (公示) as XLSX; public, like the notice page."""
    header, rows = notice_rows(workflow.notices(session), locale)
    title = _sheet_name(_("资助奖励公示", locale), _("公示", locale))
    # A totals row, as every list of amounts the office hands out has (the payment list's
    # sheets too): the number of cases and their sum.
    total: list[Any] = [None] * len(header)
    total[0], total[2] = _(TOTAL, locale), _("{n} 笔", locale, n=len(rows))
    total[5] = sum(row[5] for row in rows)
    return workbook_bytes([Sheet(title, header, [*rows, total], totals=frozenset({len(rows)}))])


# A holder's statement -----------------------------------------------------------------------


@dataclass(frozen=True)
class StatementItem:
    """One entitlement of the holder with its case and payment; or a case of the year whose
    entitlement the evaluation no longer gives (``entitlement`` is ``None``)."""

    entitlement: Entitlement | None
    case: PolicyCase | None
    payment: PolicyPayment | None

    @property
    def rule(self) -> str:
        """The rule id."""
        return self.entitlement.rule if self.entitlement else self.case.rule if self.case else ""

    @property
    def clause(self) -> str:
        """The clause of the rule."""
        return self.entitlement.clause if self.entitlement else self.case.clause if self.case else ""

    @property
    def object_label(self) -> str:
        """What is paid for (a patent, a loan …), in Chinese."""
        return self.object_text("zh_CN")

    def object_text(self, locale: str) -> str:
        """What is paid for, in ``locale``'s words."""
        if self.entitlement:
            return self.entitlement.object_text(locale)
        return self.case.object_text(locale) if self.case else ""

    @property
    def amount(self) -> int:
        """The amount computed (or of the case, when the evaluation no longer gives it)."""
        if self.entitlement:
            return self.entitlement.amount
        return self.case.amount_yuan if self.case else 0

    @property
    def status(self) -> str | None:
        """The entitlement's status (``eligible``, ``held_back`` …), ``None`` without one."""
        return self.entitlement.status if self.entitlement else None

    @property
    def payable(self) -> bool:
        """Whether the policy owes this amount: eligible, above zero, and not refused by
        the office (a case rejected in review is not owed, whatever the data says)."""
        rejected = self.case is not None and self.case.status == "rejected"
        return self.status == "eligible" and self.amount > 0 and not rejected

    def item(self, locale: str) -> str:
        """Clause and rule title in ``locale``."""
        title, title_en = _rule_titles(self.rule, self.rule)
        return item_label(self.clause, title, title_en, locale)

    def status_label(self, locale: str) -> str:
        """The entitlement's status in words."""
        if self.status is None:
            return _("评估结果中已无此项", locale)
        if self.status == "eligible" and self.case is not None and self.case.status == "rejected":
            # The data says eligible, the office said no: what the holder is owed is the latter.
            return _("审核未通过，不予支付", locale)
        return _(ENTITLEMENT_LABELS[self.status], locale)

    def case_label(self, locale: str) -> str:
        """Where the case stands (workflow status), or why there is none."""
        if self.case is not None:
            return _(workflow.SHOWN_STATUS_LABELS[self.case.shown_status()], locale)
        if self.payable:
            return _(NO_CASE, locale)
        return _(NOT_PAYABLE_NOW.get(self.status or "", NOT_PAYABLE), locale)

    def payment_label(self, locale: str) -> str:
        """Approval and payment dates with the payment reference, or empty."""
        p = self.payment
        if p is None:
            return ""
        text = _("{date} 批准", locale, date=_local_day(p.approved_at).isoformat())
        if p.paid_at is not None and p.payee_account:
            # The account recorded at payment, by bank and last four digits.
            text += _(
                "；{date} 拨付至{bank}尾号 {tail} 的账户（凭证号 {ref}）",
                locale,
                date=_local_day(p.paid_at).isoformat(),
                bank=p.payee_bank or "",
                tail=p.payee_account[-4:],
                ref=p.reference or "",
            )
        elif p.paid_at is not None:
            text += _(
                "；{date} 拨付（凭证号 {ref}）",
                locale,
                date=_local_day(p.paid_at).isoformat(),
                ref=p.reference or "",
            )
        return text

    def explanation(self, locale: str) -> str:
        """Why: the engine's explanation in the UI language (the case's, when none)."""
        if self.entitlement is not None:
            return self.entitlement.explanation_en if locale == "en" else self.entitlement.explanation_zh
        return _("该案件对应的应享受项目在本年度评估结果中已不存在，请联系经办人核实", locale)


@dataclass(frozen=True)
class Statement:
    """A holder's statement of a year: every item with its amount, reason, case and payment."""

    year: int
    holder_id: int
    holder: str
    region_code: str | None
    items: list[StatementItem]
    # The receiving account on record now: where the money not yet paid goes.
    account: payee.AccountOnRecord | None = None
    # How many of the items the enterprise applied for with evidence (the rest came from
    # the registry's data: 免申即享).
    applied: int = 0

    def account_sentence(self, locale: str) -> str:
        """Where the money goes: the account on record, or that none is (with what to do)."""
        a = self.account
        if a is None or not a.recorded:
            return _(
                "尚未登记收款账户：请企业在“本企业的资助项目”页面登记，或联系经办人登记，以便拨付。", locale
            )
        text = _(
            "资助奖励拨付至收款账户：户名 {name}，开户银行 {bank}，银行账号 {number}。",
            locale,
            name=a.name or "",
            bank=a.bank or "",
            number=payee.group_digits(a.number),
        )
        if a.differs:
            text += _(payee.MSG_NAME_DIFFERS, locale) + ("." if locale == "en" else "。")
        return text

    @property
    def owed(self) -> int:
        """The amounts the policy owes (eligible entitlements)."""
        return sum(i.amount for i in self.items if i.payable)

    @property
    def withheld(self) -> int:
        """Amounts computed but not payable now (held back, evidence needed, rejected in
        review …)."""
        return sum(i.amount for i in self.items if i.entitlement is not None and not i.payable)

    @property
    def needing_evidence(self) -> int:
        """How many items wait for documents from the holder (a search report, a receipt …)."""
        return sum(1 for i in self.items if i.status == "needs_evidence")

    def introduction(self, locale: str) -> str:
        """The statement's opening sentence: what it lists, and whether the holder has
        anything to do (免申即享 where the data suffices; documents where it does not)."""
        text = _(
            "本对账单列出依据政策应支付给{holder}（{county}）的{year}年度资助奖励、每一项的计算理由和办理进度。",
            locale,
            holder=self.holder,
            county=county_name(self.region_code, locale),
            year=self.year,
        )
        if self.needing_evidence:
            text += _(
                "其中 {n} 项须由企业补充证明材料后办理（见该项说明）；",
                locale,
                n=self.needing_evidence,
            )
        if self.applied:
            text += _("其中 {n} 项由企业提交证明材料申请；", locale, n=self.applied)
        if self.needing_evidence or self.applied:
            return text + _("其余免申即享，无需申请。", locale)
        return text + _("免申即享：无需申请。", locale)

    @property
    def approved(self) -> int:
        """The amounts approved (paid or not)."""
        return sum(i.payment.amount_yuan for i in self.items if i.payment is not None)

    @property
    def paid(self) -> int:
        """The amounts paid."""
        return sum(
            i.payment.amount_yuan
            for i in self.items
            if i.payment is not None and i.payment.paid_at is not None
        )

    def to_json(self, locale: str) -> dict[str, Any]:
        """JSON-ready, with the explanations in ``locale``."""
        return {
            "year": self.year,
            "holder_id": self.holder_id,
            "holder": self.holder,
            "region_code": self.region_code,
            "county": county_name(self.region_code, locale),
            "owed": self.owed,
            "withheld": self.withheld,
            "approved": self.approved,
            "paid": self.paid,
            "payee_account": self.account.to_json() if self.account else None,
            "items": [
                {
                    "entitlement_id": i.entitlement.id if i.entitlement else None,
                    "rule": i.rule,
                    "clause": i.clause,
                    "item": i.item(locale),
                    "object": i.object_text(locale),
                    "amount": i.amount,
                    "status": i.status,
                    "explanation": i.explanation(locale),
                    "case_id": i.case.id if i.case else None,
                    "case_status": i.case.status if i.case else None,
                    "approved_on": _local_day(i.payment.approved_at).isoformat() if i.payment else None,
                    "paid_on": _iso(_day(i.payment.paid_at)) if i.payment else None,
                    "payment_reference": i.payment.reference if i.payment else None,
                    "paid_into": workflow.paid_into(i.payment, self.holder).to_json()
                    if i.payment is not None and i.payment.paid_at is not None
                    else None,
                }
                for i in self.items
            ],
        }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _holder(session: Session, holder_id: int) -> tuple[str, str | None] | None:
    # The registry's get_holder builds a whole portfolio; a statement needs the name and region.
    from ipcity.registry.models import Holder

    row = session.execute(select(Holder.name, Holder.region_code).where(Holder.id == holder_id)).first()
    return (row[0], row[1]) if row is not None else None


def statement(session: Session, actor: Actor, holder_id: int, year: int) -> Statement:
    """What the policy owes ``holder_id`` in ``year`` and why: each entitlement (eligible,
    held back, zero …) with its case and payment, plus cases of the year whose entitlement
    is gone. For the enterprise bound to the holder and officers in scope; anyone else is
    told there is no such holder (401 for the public)."""
    require(actor, "registry.read_private")
    service.check_year(year)
    found = _holder(session, holder_id)
    if found is None or not may_see_private(actor, holder_id, found[1]):
        raise NotFound("未找到权利人：{value}", value=holder_id)
    name, region = found
    owed = [e for e in service.entitlements(session, actor, year) if e.holder_id == holder_id]
    cases = list(
        session.scalars(
            select(PolicyCase)
            .where(PolicyCase.holder_id == holder_id, PolicyCase.year == year)
            .order_by(PolicyCase.id)
        )
    )
    # The latest case of an entitlement; an open or paid one before a rejected one.
    by_entitlement: dict[str, PolicyCase] = {}
    for c in cases:
        held = by_entitlement.get(c.entitlement_id)
        if held is None or held.status == "rejected" or c.status != "rejected":
            by_entitlement[c.entitlement_id] = c
    ids = [c.id for c in by_entitlement.values()]
    paid = {
        p.case_id: p
        for p in session.scalars(select(PolicyPayment).where(PolicyPayment.case_id.in_(ids or [-1])))
    }
    items = []
    for e in owed:
        case = by_entitlement.pop(e.id, None)
        items.append(StatementItem(e, case, paid.get(case.id) if case else None))
    for case in by_entitlement.values():
        items.append(StatementItem(None, case, paid.get(case.id)))
    from ipcity.registry import service as registry

    account = registry.holder_accounts(session, {holder_id}).get(holder_id, payee.AccountOnRecord(name))
    shown = [i.case.id for i in items if i.case is not None]
    applied = (
        session.scalar(
            select(func.count(distinct(PolicyCaseStep.case_id))).where(
                PolicyCaseStep.case_id.in_(shown), PolicyCaseStep.action == "apply"
            )
        )
        if shown
        else 0
    )
    return Statement(year, holder_id, name, region, items, account, applied or 0)


def statement_docx(st: Statement, locale: str, today: date | None = None) -> bytes:
    """The statement as a Word document the holder can keep: the items with amount, status,
    case and payment, the totals, then why for each item."""
    doc = new_document()
    doc.add_heading(
        office_text(_("{holder}{year}年度资助奖励对账单", locale, holder=st.holder, year=st.year)), level=1
    )
    # The holder's name and the objects' titles come from the registry: a title stored with
    # a control character (imported before the importers dropped them) would make Word's
    # XML refuse the whole document, so the texts built from them pass office_text.
    doc.add_paragraph(office_text(st.introduction(locale)))
    doc.add_paragraph(office_text(st.account_sentence(locale)))
    header = [
        _("项目", locale),
        _("对象", locale),
        _("金额（元）", locale),
        _("评估结果", locale),
        _("办理状态", locale),
        _("批准与拨付", locale),
    ]
    rows: list[list[Any]] = [
        [
            i.item(locale),
            i.object_text(locale),
            f"{i.amount:,}",
            i.status_label(locale),
            i.case_label(locale),
            i.payment_label(locale),
        ]
        for i in st.items
    ]
    if rows:
        add_table(doc, header, rows)
    else:
        doc.add_paragraph(_("该年度没有应享受项目", locale))
    doc.add_heading(_("合计", locale), level=2)
    for label, value in (
        (_("应享受合计", locale), st.owed),
        (_("暂缓或不予支付合计", locale), st.withheld),
        (_("已批准合计", locale), st.approved),
        (_("已拨付合计", locale), st.paid),
    ):
        doc.add_paragraph(
            _("{label}：{amount} 元", locale, label=label, amount=f"{value:,}"), style="List Bullet"
        )
    if st.items:
        doc.add_heading(_("计算说明", locale), level=2)
        for n, i in enumerate(st.items, start=1):
            colon = ": " if locale == "en" else "："
            doc.add_paragraph(
                office_text(f"{n}. {i.item(locale)} · {i.object_text(locale)}{colon}{i.explanation(locale)}")
            )
    doc.add_paragraph(_("生成日期：{date}", locale, date=(today or clock.today()).isoformat()))
    return document_bytes(doc)
