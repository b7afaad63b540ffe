"""Evidence tables the money rules read where the patent register says nothing: PCT
applications with their search report (P2.1-d), patent awards (P2.2), GB/T 29490
certificates (P2.3-a), pledge loans and their yearly costs (P2.7-a), patent insurance
policies (P2.7-b). Each row names its holder; money is integer yuan.
"""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, validates

from ipcity.db import Base
from ipcity.errors import IPCityError
from ipcity.policy.evidence_numbers import evidence_key


class PctApplication(Base):
    """A PCT international application of a holder; paid once, when the search report came (P2.1-d)."""

    __tablename__ = "pct_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    pct_number: Mapped[str] = mapped_column(String(40), unique=True)  # PCT/CN2019/123456
    holder_id: Mapped[int] = mapped_column(ForeignKey("holders.id"), index=True)
    patent_id: Mapped[int | None] = mapped_column(ForeignKey("patents.id"))
    title: Mapped[str | None] = mapped_column(String(500))
    filing_date: Mapped[date] = mapped_column(Date)
    search_report_date: Mapped[date | None] = mapped_column(Date)
    evidence: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PatentAward(Base):
    """A patent award from the award list (P2.2): China gold/excellence, provincial prizes."""

    __tablename__ = "patent_awards"
    __table_args__ = (UniqueConstraint("patent_number", "level", "award_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("holders.id"), index=True)
    patent_number: Mapped[str] = mapped_column(String(40))
    level: Mapped[str] = mapped_column(String(32))
    award_date: Mapped[date] = mapped_column(Date)
    evidence: Mapped[str | None] = mapped_column(String(500))


class IpCertificate(Base):
    """An IP-management certificate of an enterprise (GB/T 29490 “贯标”, P2.3-a)."""

    __tablename__ = "ip_certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("holders.id"), index=True)
    standard: Mapped[str] = mapped_column(String(32), default="GB/T 29490")
    certificate_number: Mapped[str] = mapped_column(String(64), unique=True)  # as typed, shown
    # The number folded (evidence_key, migration 0015): one certificate, however spelled,
    # is one row and one object of P2.3-a. Set with the number, never on its own.
    certificate_key: Mapped[str] = mapped_column(String(64), unique=True)
    certifier: Mapped[str | None] = mapped_column(String(200))
    issued_on: Mapped[date] = mapped_column(Date)

    @validates("certificate_number")
    def _keyed(self, _name: str, value: str) -> str:
        self.certificate_key = evidence_key(value)
        return value


class PledgeLoan(Base):
    """A loan secured by a pledge of IP rights (P2.7)."""

    __tablename__ = "pledge_loans"

    id: Mapped[int] = mapped_column(primary_key=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("holders.id"), index=True)
    contract_number: Mapped[str] = mapped_column(String(64), unique=True)  # as typed, shown
    # The number folded (evidence_key, migration 0015): ZY-1 and zy-1 are one loan, whose
    # year of costs P2.7-a pays once. Set with the number, never on its own.
    contract_key: Mapped[str] = mapped_column(String(64), unique=True)
    pledge_registration: Mapped[str | None] = mapped_column(String(64))
    lender: Mapped[str | None] = mapped_column(String(200))
    principal_yuan: Mapped[int] = mapped_column(Integer, default=0)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)

    @validates("contract_number")
    def _keyed(self, _name: str, value: str) -> str:
        self.contract_key = evidence_key(value)
        return value


class PledgeLoanCost(Base):
    """The costs of a pledge loan actually paid in one year, from the receipts (P2.7-a)."""

    __tablename__ = "pledge_loan_costs"
    __table_args__ = (UniqueConstraint("loan_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("pledge_loans.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    interest_yuan: Mapped[int] = mapped_column(Integer, default=0)
    valuation_yuan: Mapped[int] = mapped_column(Integer, default=0)
    guarantee_yuan: Mapped[int] = mapped_column(Integer, default=0)
    insurance_yuan: Mapped[int] = mapped_column(Integer, default=0)
    evidence: Mapped[str | None] = mapped_column(String(500))


class PatentInsurancePolicy(Base):
    """A patent insurance policy of an enterprise (P2.7-b)."""

    __tablename__ = "patent_insurance_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("holders.id"), index=True)
    policy_number: Mapped[str] = mapped_column(String(64), unique=True)  # as typed, shown
    # The number folded (evidence_key, migration 0015): one policy however spelled (P2.7-b).
    policy_key: Mapped[str] = mapped_column(String(64), unique=True)
    patent_number: Mapped[str] = mapped_column(String(40))
    insurer: Mapped[str | None] = mapped_column(String(200))
    premium_yuan: Mapped[int] = mapped_column(Integer)
    start_date: Mapped[date] = mapped_column(Date)

    @validates("policy_number")
    def _keyed(self, _name: str, value: str) -> str:
        self.policy_key = evidence_key(value)
        return value


# The road from an entitlement to a payment (免申即享): a case per payment key, its timeline,
# and the payment row whose UNIQUE(payment_key) makes the database refuse a second approval.


class PolicyCase(Base):
    """One entitlement on its way to payment, keyed by the engine's ``payment_key`` (rule +
    object; yearly rules carry the year in the object, e.g. ``P2.7-a:ZY2019-001@2019``)."""

    __tablename__ = "policy_cases"
    # One key, one live case: a rejected case may be reopened, or the enterprise may apply
    # again, only while no other case of its key is open or paid. Checked in the service and
    # decided here, so that two requests at the same moment cannot both pass the check.
    __table_args__ = (
        Index(
            "uq_policy_cases_live_payment_key",
            "payment_key",
            unique=True,
            sqlite_where=text("status <> 'rejected'"),
            postgresql_where=text("status <> 'rejected'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_key: Mapped[str] = mapped_column(String(200), index=True)
    entitlement_id: Mapped[str] = mapped_column(String(240))
    year: Mapped[int] = mapped_column(Integer, index=True)
    rule: Mapped[str] = mapped_column(String(32))
    clause: Mapped[str] = mapped_column(String(32))
    object_label: Mapped[str] = mapped_column(String(500))
    # The same in English (cases opened before it was kept have none: shown in Chinese).
    object_label_en: Mapped[str | None] = mapped_column(String(500))
    holder_id: Mapped[int] = mapped_column(ForeignKey("holders.id"), index=True)
    holder_name: Mapped[str] = mapped_column(String(300))
    region_code: Mapped[str | None] = mapped_column(String(12), index=True)
    amount_yuan: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(24), index=True)
    notice_until: Mapped[date | None] = mapped_column(Date)
    # When the enterprise confirmed (免申即享) or applied: the date the budget queue orders by.
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Why an approvable case waits (budget short, P2.1-f order), as the last run of the queue
    # said: JSON {"message": message id, "params": {...}}, shown in the reader's language.
    budget_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    def object_text(self, locale: str = "zh_CN") -> str:
        """What the case pays for, in ``locale``'s words."""
        return self.object_label_en if locale.startswith("en") and self.object_label_en else self.object_label

    def shown_status(self, today: date | None = None) -> str:
        """The status as pages show it: a case still ``in_notice`` whose notice has ended is
        waiting for approval (``notice_over``), no longer "in public notice"."""
        if self.status == "in_notice" and self.notice_until is not None:
            from ipcity import clock

            if self.notice_until < (today or clock.today()):
                return "notice_over"
        return self.status

    def budget_note_text(self, locale: str = "zh_CN") -> str | None:
        """The waiting reason in ``locale`` (a note stored as plain text is shown as it is)."""
        if not self.budget_note:
            return None
        try:
            note = json.loads(self.budget_note)
            return IPCityError(note["message"], **note["params"]).render(locale)
        except (ValueError, KeyError, TypeError):
            return self.budget_note


class PolicyCaseStep(Base):
    """One step of a case's timeline: who did what, when, from which status to which, why."""

    __tablename__ = "policy_case_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("policy_cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str] = mapped_column(String(24))
    reason: Mapped[str | None] = mapped_column(Text)


class PolicyPayment(Base):
    """An approved (then paid) amount. UNIQUE(payment_key): a key is approved once, ever."""

    __tablename__ = "policy_payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_key: Mapped[str] = mapped_column(String(200), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("policy_cases.id"), unique=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("holders.id"), index=True)
    rule: Mapped[str] = mapped_column(String(32))
    year: Mapped[int] = mapped_column(Integer)
    amount_yuan: Mapped[int] = mapped_column(Integer)
    approved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    approved_by: Mapped[str] = mapped_column(String(64))
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    paid_by: Mapped[str | None] = mapped_column(String(64))
    reference: Mapped[str | None] = mapped_column(String(100))
    # The account paid into, copied from the holder at payment (migration 0012): a later
    # change of the holder's account does not rewrite what was paid where. All null: the
    # holder had no account on record when it was paid.
    payee_name: Mapped[str | None] = mapped_column(String(300))
    payee_bank: Mapped[str | None] = mapped_column(String(200))
    payee_account: Mapped[str | None] = mapped_column(String(32))


class PolicyBudget(Base):
    """The money set aside for one item (rule) in one year. No row: no budget limit set."""

    __tablename__ = "policy_budgets"
    __table_args__ = (UniqueConstraint("year", "rule"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    rule: Mapped[str] = mapped_column(String(32))
    amount_yuan: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(String(64))


class PolicyEvidenceFile(Base):
    """A file an enterprise uploaded with its application (award certificate, GB/T 29490
    certificate, loan contract and receipts, insurance policy, PCT search report). The bytes
    live in the database, so an application and its files commit or vanish together."""

    __tablename__ = "policy_evidence_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("policy_cases.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
