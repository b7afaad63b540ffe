"""Writers of the policy's evidence from the import templates (P2.1-d, P2.2, P2.3, P2.7):
PCT applications with their search reports, patent awards, GB/T 29490 certificates,
IP-pledge loans with their yearly costs, patent insurance policies — the lists an office
receives from the receiving office, award bodies, certifiers, banks and insurers.

Imported through the registry's import front door (``ipcity import FILE --kind awards``, the
import page), with its preview, rejected-rows file, strict mode, audit entry and single
transaction; what it writes is the same rows an enterprise's application writes
(:mod:`ipcity.policy.applications`), so the rules then propose the entitlements from the
data (免申即享) instead of waiting for an application.

Each row is matched to what is stored by its key — an award by patent, level and date (the
table's unique constraint), a certificate, loan or policy by its number, a loan's costs by
loan and year — and is new, changed or unchanged. A row is the whole truth about its
record: a blank optional cell clears what was stored. The holder is found by unified
social credit code when the row gives one, else by normalised name, and created (without a
place) when the registry does not know it yet.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipcity.errors import InvalidNumber
from ipcity.policy.evidence_numbers import evidence_key
from ipcity.policy.models import (
    IpCertificate,
    PatentAward,
    PatentInsurancePolicy,
    PctApplication,
    PledgeLoan,
    PledgeLoanCost,
)
from ipcity.registry.models import Holder
from ipcity.registry.normalize import normalize_name
from ipcity.registry.numbers import parse_application_number
from ipcity.registry.records import (
    AwardRecord,
    CertificateRecord,
    InsurancePolicyRecord,
    PctApplicationRecord,
    PledgeLoanRecord,
)
from ipcity.registry.store import HolderSeed, ensure_holders, holders_named

EvidenceRecord = (
    AwardRecord | CertificateRecord | PledgeLoanRecord | InsurancePolicyRecord | PctApplicationRecord
)


def record_key(kind: str, record: Any) -> Any:
    """What makes two rows of one file, or a row and a stored record, the same record (the
    later row wins). Certificate, contract and policy numbers are compared folded
    (:func:`~ipcity.policy.evidence_numbers.evidence_key`): ``ZY-1`` in a bank's list is the
    loan ``zy-1`` an enterprise applied with."""
    if kind == "pct-applications":
        return record.pct_number
    if kind == "awards":
        return (record.patent_number, record.level, record.award_date)
    if kind == "certificates":
        return evidence_key(record.certificate_number)
    if kind == "pledge-loans":
        return (evidence_key(record.contract_number), record.year)
    return evidence_key(record.policy_number)


@dataclass
class EvidencePlan:
    """Rows sorted into new, changed and unchanged before anything is written."""

    kind: str
    new: list[Any] = field(default_factory=list)
    changed: list[Any] = field(default_factory=list)
    unchanged: int = 0


def canonical_patent_number(text: str) -> str:
    """A patent number as the registry stores it (``ZL…`` or spaced forms read as
    ``CN….d``); a text that is not a valid CN number is kept as written, upper case. Awards
    and insurance policies are matched by it, whoever entered them."""
    try:
        return parse_application_number(text).canonical
    except InvalidNumber:
        return text.strip().upper()


def resolve_holders(session: Session, records: Sequence[Any]) -> dict[int, int | None]:
    """The registered holder each row names (by source row): the holder with the row's
    unified social credit code, else the one with its normalised name; None when the
    registry does not know it yet (the write creates it). Plan and write both use this."""
    codes = {r.uscc for r in records if r.uscc}
    by_code: dict[str, int] = {}
    if codes:
        by_code = {
            code: hid
            for code, hid in session.execute(select(Holder.uscc, Holder.id).where(Holder.uscc.in_(codes)))
            if code is not None
        }
    # By the name it bears now or bore before (a renamed holder's old name is still it).
    by_name = holders_named(session, {normalize_name(r.holder) for r in records if r.uscc not in by_code})
    return {
        r.source_row: by_code[r.uscc] if r.uscc in by_code else by_name.get(normalize_name(r.holder))
        for r in records
    }


def _stored(
    session: Session, model: Any, key_columns: Sequence[Any], *value_columns: Any
) -> dict[Any, tuple[Any, ...]]:
    """Every stored row of ``model``: key → (holder id, the row's other values …). Evidence
    lists are hundreds of rows, not millions. A patent number in the key is compared in its
    canonical form (rows an enterprise typed before numbers were made canonical match too)."""
    out: dict[Any, tuple[Any, ...]] = {}
    width = len(key_columns)
    for row in session.execute(select(*key_columns, model.holder_id, *value_columns)):
        key = tuple(row[:width])
        if model is PatentAward:
            key = (canonical_patent_number(key[0]), *key[1:])
        out[key[0] if width == 1 else key] = tuple(row[width:])
    return out


def _loan_state(r: PledgeLoanRecord) -> tuple[Any, ...]:
    return (r.lender, r.pledge_registration, r.principal_yuan or 0, r.start_date, r.end_date)


def _cost_state(r: PledgeLoanRecord) -> tuple[Any, ...]:
    return (r.interest_yuan, r.valuation_yuan, r.guarantee_yuan, r.insurance_yuan)


# Per kind with one table: the model, its key columns and the columns a row's state is
# compared on (the record's fields of the same names; pledge loans have two tables).
_KEYED: dict[str, tuple[Any, tuple[str, ...], tuple[str, ...]]] = {
    "awards": (PatentAward, ("patent_number", "level", "award_date"), ("evidence",)),
    "certificates": (IpCertificate, ("certificate_key",), ("issued_on", "certifier", "standard")),
    "pct-applications": (PctApplication, ("pct_number",), ("title", "filing_date", "search_report_date")),
    "insurance-policies": (
        PatentInsurancePolicy,
        ("policy_key",),
        ("patent_number", "premium_yuan", "start_date", "insurer"),
    ),
}


def plan_evidence(session: Session, kind: str, records: Sequence[Any]) -> EvidencePlan:
    """Compare evidence rows with what is stored."""
    plan = EvidencePlan(kind)
    if kind not in _KEYED:
        _plan_loans(session, records, plan)
        return plan
    model, keys, compared = _KEYED[kind]
    stored = _stored(
        session, model, [getattr(model, k) for k in keys], *(getattr(model, c) for c in compared)
    )

    def state(record: Any) -> tuple[Any, ...]:
        return tuple(getattr(record, c) for c in compared)

    holders = resolve_holders(session, records)
    for record in records:
        found = stored.get(record_key(kind, record))
        if found is None:
            plan.new.append(record)
        elif found[0] != holders[record.source_row] or tuple(found[1:]) != state(record):
            plan.changed.append(record)
        else:
            plan.unchanged += 1
    return plan


def _plan_loans(session: Session, records: Sequence[Any], plan: EvidencePlan) -> None:
    holders = resolve_holders(session, records)
    loans = _stored(
        session,
        PledgeLoan,
        (PledgeLoan.contract_key,),
        PledgeLoan.lender,
        PledgeLoan.pledge_registration,
        PledgeLoan.principal_yuan,
        PledgeLoan.start_date,
        PledgeLoan.end_date,
    )
    costs = {
        (key, year): tuple(values)
        for key, year, *values in session.execute(
            select(
                PledgeLoan.contract_key,
                PledgeLoanCost.year,
                PledgeLoanCost.interest_yuan,
                PledgeLoanCost.valuation_yuan,
                PledgeLoanCost.guarantee_yuan,
                PledgeLoanCost.insurance_yuan,
            ).join(PledgeLoan, PledgeLoan.id == PledgeLoanCost.loan_id)
        )
    }
    for record in records:
        key = evidence_key(record.contract_number)
        loan = loans.get(key)
        if loan is None:
            plan.new.append(record)
            continue
        same_loan = loan[0] == holders[record.source_row] and tuple(loan[1:]) == _loan_state(record)
        same_cost = record.year is None or costs.get((key, record.year)) == _cost_state(record)
        if same_loan and same_cost:
            plan.unchanged += 1
        else:
            plan.changed.append(record)


def _holder_ids(
    session: Session,
    records: Sequence[Any],
    now: datetime,
    locate_address: Callable[[str], tuple[str | None, int | None]] | None,
) -> dict[int, int]:
    """The holder id of each record (by its source row), creating the unknown holders
    (with the row's credit code)."""
    found = resolve_holders(session, records)
    missing = [r for r in records if found[r.source_row] is None]
    created, _ = ensure_holders(
        session, [HolderSeed(r.holder, None, r.uscc) for r in missing], now, locate_address
    )
    return {
        r.source_row: hid if (hid := found[r.source_row]) is not None else created[normalize_name(r.holder)]
        for r in records
    }


def write_evidence(
    session: Session,
    plan: EvidencePlan,
    locate_address: Callable[[str], tuple[str | None, int | None]] | None = None,
) -> None:
    """Insert the new rows and update the changed ones (the caller's transaction)."""
    now = datetime.now(UTC)
    records = [*plan.new, *plan.changed]
    holders = _holder_ids(session, records, now, locate_address)
    if plan.kind == "awards":
        _write_awards(session, records, holders)
    elif plan.kind == "certificates":
        _write_keyed(
            session,
            IpCertificate,
            IpCertificate.certificate_key,
            records,
            lambda r: {
                "holder_id": holders[r.source_row],
                "certificate_number": r.certificate_number,
                "issued_on": r.issued_on,
                "certifier": r.certifier,
                "standard": r.standard,
            },
        )
    elif plan.kind == "pct-applications":
        _write_keyed(
            session,
            PctApplication,
            PctApplication.pct_number,
            records,
            lambda r: {
                "holder_id": holders[r.source_row],
                "pct_number": r.pct_number,
                "title": r.title,
                "filing_date": r.filing_date,
                "search_report_date": r.search_report_date,
            },
            {"created_at": now},
        )
    elif plan.kind == "insurance-policies":
        _write_keyed(
            session,
            PatentInsurancePolicy,
            PatentInsurancePolicy.policy_key,
            records,
            lambda r: {
                "holder_id": holders[r.source_row],
                "policy_number": r.policy_number,
                "patent_number": r.patent_number,
                "premium_yuan": r.premium_yuan,
                "start_date": r.start_date,
                "insurer": r.insurer,
            },
        )
    else:
        _write_loans(session, records, holders)
    session.flush()


def _write_keyed(
    session: Session,
    model: Any,
    key: Any,
    records: Sequence[Any],
    values: Callable[[Any], dict[str, Any]],
    on_insert: dict[str, Any] | None = None,
) -> None:
    """Insert or update ``model``'s rows matched on the column ``key``. A folded key column
    (``certificate_key``, ``policy_key``) is matched with the record's number folded, and an
    updated row keeps the number as first written (the spelling its cases show)."""
    folded = key.key.endswith("_key")
    number = key.key.replace("_key", "_number") if folded else key.key

    def key_of(record: Any) -> Any:
        value = getattr(record, number)
        return evidence_key(value) if folded else value

    wanted = [key_of(r) for r in records]
    existing = {getattr(row, key.key): row for row in session.scalars(select(model).where(key.in_(wanted)))}
    for record in records:
        row = existing.get(key_of(record))
        if row is None:
            row = model(**values(record), **(on_insert or {}))
            session.add(row)
            existing[key_of(record)] = row
        else:
            for name, value in values(record).items():
                if name != number:
                    setattr(row, name, value)


def _write_awards(session: Session, records: Sequence[AwardRecord], holders: dict[int, int]) -> None:
    existing = {
        (canonical_patent_number(w.patent_number), w.level, w.award_date): w
        for w in session.scalars(select(PatentAward))
    }
    for r in records:
        row = existing.get((r.patent_number, r.level, r.award_date))
        if row is None:
            session.add(
                PatentAward(
                    holder_id=holders[r.source_row],
                    patent_number=r.patent_number,
                    level=r.level,
                    award_date=r.award_date,
                    evidence=r.evidence,
                )
            )
        else:
            row.holder_id, row.evidence = holders[r.source_row], r.evidence
            row.patent_number = r.patent_number  # canonical from now on


def _write_loans(session: Session, records: Sequence[PledgeLoanRecord], holders: dict[int, int]) -> None:
    # Matched on the folded number; a loan keeps the spelling it was first written with.
    loans = {
        loan.contract_key: loan
        for loan in session.scalars(
            select(PledgeLoan).where(
                PledgeLoan.contract_key.in_({evidence_key(r.contract_number) for r in records})
            )
        )
    }
    for r in records:
        loan = loans.get(evidence_key(r.contract_number))
        if loan is None:
            loan = PledgeLoan(contract_number=r.contract_number)
            session.add(loan)
            loans[loan.contract_key] = loan
        loan.holder_id = holders[r.source_row]
        loan.lender, loan.pledge_registration = r.lender, r.pledge_registration
        loan.principal_yuan, loan.start_date, loan.end_date = r.principal_yuan or 0, r.start_date, r.end_date
    session.flush()
    costs = {
        (c.loan_id, c.year): c
        for c in session.scalars(
            select(PledgeLoanCost).where(PledgeLoanCost.loan_id.in_({loan.id for loan in loans.values()}))
        )
    }
    for r in records:
        if r.year is None:
            continue
        loan_id = loans[evidence_key(r.contract_number)].id
        cost = costs.get((loan_id, r.year))
        if cost is None:
            cost = PledgeLoanCost(loan_id=loan_id, year=r.year)
            session.add(cost)
            costs[(loan_id, r.year)] = cost
        cost.interest_yuan, cost.valuation_yuan = r.interest_yuan, r.valuation_yuan
        cost.guarantee_yuan, cost.insurance_yuan = r.guarantee_yuan, r.insurance_yuan
