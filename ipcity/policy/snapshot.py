"""The registry data the rules read, as plain records (no database import).

:mod:`ipcity.policy.sources` fills a :class:`Snapshot` from the database for a year; a
scenario file fills one from its ``input`` section. Both are evaluated by the same code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple


# The two records a year's snapshot holds by the ten thousand are named tuples, not frozen
# dataclasses: as immutable, and built four times faster (a policy year builds ~90,000).
class HolderRec(NamedTuple):
    """A holder: id, name, region code (GB/T 2260) and kind."""

    id: int
    name: str
    region_code: str | None
    kind: str = "enterprise"


class PatentRec(NamedTuple):
    """A patent with its holders in order (position 0 first) and its legal-status history.

    A patent loaded only as a grantee's earlier invention grant (P2.1-b) lists only the
    grantees it was found for."""

    id: int
    number: str
    patent_type: str | None
    jurisdiction: str
    title: str
    filing_date: date | None
    grant_date: date | None
    holder_ids: tuple[int, ...]
    events: tuple[tuple[str, date | None], ...] = ()
    annuities_paid_yuan: int | None = None


@dataclass(frozen=True)
class PctRec:
    """A PCT international application with its applicants in order and its search report."""

    id: int
    pct_number: str
    holder_ids: tuple[int, ...]
    filing_date: date
    search_report_date: date | None
    title: str = ""


@dataclass(frozen=True)
class AwardRec:
    """A patent award of the award list (P2.2): level ``china_gold`` … ``provincial_third``."""

    id: int
    holder_id: int
    patent_number: str
    level: str
    award_date: date


@dataclass(frozen=True)
class CertificateRec:
    """A management-standard certificate (GB/T 29490, P2.3-a)."""

    id: int
    holder_id: int
    certificate_number: str
    issued_on: date
    certifier: str = ""
    standard: str = "GB/T 29490"


@dataclass(frozen=True)
class LoanCostRec:
    """The costs of one pledge loan in one year, actually paid (P2.7-a)."""

    id: int
    holder_id: int
    contract_number: str
    year: int
    interest: int = 0
    valuation: int = 0
    guarantee: int = 0
    insurance: int = 0


@dataclass(frozen=True)
class InsuranceRec:
    """A patent insurance policy of an enterprise (P2.7-b)."""

    id: int
    holder_id: int
    policy_number: str
    patent_number: str
    premium_yuan: int
    start_date: date


@dataclass(frozen=True)
class SoftwareRec:
    """A software copyright registration (P2.1-e)."""

    holder_id: int
    registration_number: str
    registration_date: date


@dataclass(frozen=True)
class CreditRec:
    """An entry of the dishonesty list (P3.2): listed, expiring, removed."""

    holder_id: int
    listed_on: date
    reason: str
    expires_on: date | None = None
    removed_on: date | None = None


@dataclass
class Snapshot:
    """Everything a year's evaluation reads."""

    holders: dict[int, HolderRec] = field(default_factory=dict)
    patents: list[PatentRec] = field(default_factory=list)
    pct_applications: list[PctRec] = field(default_factory=list)
    awards: list[AwardRec] = field(default_factory=list)
    certificates: list[CertificateRec] = field(default_factory=list)
    loan_costs: list[LoanCostRec] = field(default_factory=list)
    insurance_policies: list[InsuranceRec] = field(default_factory=list)
    software: list[SoftwareRec] = field(default_factory=list)
    credit: list[CreditRec] = field(default_factory=list)
    # P2.1-e: patents (any type, any office) granted in the year, per holder. The database
    # loader counts them in SQL instead of loading every grant of the year, and gives only
    # the holders the ranking can list (local, of a ranked kind, down to the rule's lowest
    # rank); None: count them from ``patents`` (a scenario file lists its patents in full).
    grant_counts: dict[int, int] | None = None
