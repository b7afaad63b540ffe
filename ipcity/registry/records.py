"""Plain records that importers produce and the registry service stores.

They carry no database or web import: an importer turns a row of a file into one of these
(or a :class:`RowError`), and :mod:`ipcity.registry.service` decides what is new, changed or
unchanged. Dates are :class:`datetime.date`; money is integer yuan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

PatentType = Literal["invention", "utility_model", "design"]
HolderKind = Literal["enterprise", "university", "institute", "individual", "other"]

# Legal-status vocabulary of the status history (DESIGN: "granted, lapsed for unpaid annuity,
# expired, invalidated, withdrawn, rejected"), plus the pre-grant states exports report.
LegalStatus = Literal[
    "filed",  # 申请/公开 — pending, published
    "examination",  # 实质审查
    "granted",  # 授权
    "lapsed_unpaid_annuity",  # 未缴年费 / 专利权终止
    "expired",  # 期限届满
    "invalidated",  # 全部无效
    "withdrawn",  # 撤回 / 视为撤回 / 放弃
    "rejected",  # 驳回
    "restored",  # 权利恢复
    "ceased",  # 失效/无效 where the source gives no reason (Patentics "无效")
]

# Statuses after which a granted right is no longer in force.
TERMINAL_STATUSES: frozenset[str] = frozenset(
    {"lapsed_unpaid_annuity", "expired", "invalidated", "withdrawn", "rejected", "ceased"}
)


@dataclass(frozen=True, slots=True)
class RowError:
    """Why one cell of one row was rejected. ``row`` is the 1-based line in the file
    (the header is row 1), ``column`` the header text as it appears in the file."""

    row: int
    column: str
    value: str
    reason: str  # Chinese message id, translated at render time
    params: tuple[tuple[str, str], ...] = ()


@dataclass(slots=True)
class StatusEvent:
    """One entry of a patent's legal-status history.

    ``date`` is the date the event took effect when the source gives it; where the source
    only reports the current status without a date, ``date`` is the date the export was
    observed and ``date_observed`` is True (the event happened no later than that day).
    """

    status: str
    date: date | None
    date_observed: bool = False


@dataclass(slots=True)
class PublicationRecord:
    """One publication of an application: number with kind code and its date."""

    number: str  # canonical, e.g. "CN110298449A"
    kind: str  # "A", "B", "U", "S", "A1", "B2" …
    date: date | None = None


@dataclass(slots=True)
class PatentRecord:
    """One application as read from a source row (several rows may describe one application:
    the service merges records with the same ``application_number``)."""

    source_row: int
    jurisdiction: str  # "CN", "US", "WO" …
    application_number: str  # canonical: "CN201910593937.7", "US15950587"
    patent_type: PatentType | None
    title: str
    title_en: str | None = None
    abstract: str | None = None
    filing_date: date | None = None
    publication_date: date | None = None
    grant_date: date | None = None
    ipc_main: str | None = None  # CNIPA style, no spaces: "G06F3/01"
    ipc_all: list[str] = field(default_factory=list)
    applicants: list[str] = field(default_factory=list)  # in the order filed
    applicant_address: str | None = None  # first applicant's address where the file has it
    inventors: list[str] = field(default_factory=list)
    publications: list[PublicationRecord] = field(default_factory=list)
    statuses: list[StatusEvent] = field(default_factory=list)
    pct_application_number: str | None = None
    pct_publication_number: str | None = None
    family: list[str] = field(default_factory=list)
    claims_count: int | None = None
    # Whether the row stated a current status (a status column with a definite value). A
    # file without one (a short list, an export with grant dates only) tells the dated facts
    # it has, never that the registry's later status (a lapse) is no longer so.
    status_shown: bool = True


@dataclass(slots=True)
class HolderRecord:
    """A holder row from the holders template."""

    source_row: int
    name: str
    kind: HolderKind | None = None
    uscc: str | None = None
    region_code: str | None = None
    address: str | None = None
    zone_code: str | None = None
    tags: list[str] = field(default_factory=list)
    tiers: list[tuple[str, int]] = field(default_factory=list)  # (tier id, year)
    # The receiving account (registry/payee.py), checked: all three or none.
    payee_name: str | None = None
    payee_bank: str | None = None
    payee_account: str | None = None  # digits only


@dataclass(slots=True)
class PopulationRecord:
    """Resident population (常住人口) of a region or zone in a year."""

    source_row: int
    region_code: str
    year: int
    residents: int
    source: str | None = None


# --- other kinds of right (P2.5, P2.8): produced by the import templates --------------------

TrademarkType = Literal["ordinary", "collective", "certification", "gi_certification", "gi_collective"]
GIKind = Literal["protected_product", "gi_certification_mark", "gi_collective_mark", "agricultural_product"]


@dataclass(slots=True)
class TrademarkRecord:
    """A registered trademark from the trademarks template (P2.5)."""

    source_row: int
    registration_number: str
    mark: str
    nice_classes: list[int] = field(default_factory=list)
    # None: the row left the type blank (a new mark is ordinary, a registered one keeps its type).
    mark_type: TrademarkType | None = "ordinary"
    holder: str | None = None
    filing_date: date | None = None
    registration_date: date | None = None
    expiry_date: date | None = None  # 专用权期限至
    well_known_date: date | None = None  # 驰名商标认定日
    status: str | None = None  # registered | pending | invalidated | cancelled | revoked | expired


@dataclass(slots=True)
class CopyrightRecord:
    """A copyright registration (software or work) from the copyrights template."""

    source_row: int
    registration_number: str
    title: str
    category: Literal["software", "work"]
    holder: str | None = None
    registration_date: date | None = None


@dataclass(slots=True)
class PlantVarietyRecord:
    """A plant-variety right (植物新品种权) from the plant-varieties template (P2.5)."""

    source_row: int
    right_number: str
    crop: str
    variety: str
    holder: str | None = None
    grant_date: date | None = None


@dataclass(slots=True)
class GIRecord:
    """A geographical indication from the GIs template (P2.5)."""

    source_row: int
    name: str
    kind: GIKind
    registration_number: str
    region_code: str | None = None
    holder: str | None = None
    registration_date: date | None = None


# --- the policy's evidence (P2.2, P2.3, P2.7): produced by the evidence templates ------------


@dataclass(slots=True)
class AwardRecord:
    """A patent award from an award list (P2.2): the key is patent, level and date."""

    source_row: int
    patent_number: str
    level: str  # an id of policy.formulas.AWARD_LABELS
    award_date: date
    holder: str
    uscc: str | None = None
    evidence: str | None = None


@dataclass(slots=True)
class CertificateRecord:
    """A GB/T 29490 certificate from a certifier's list (P2.3)."""

    source_row: int
    certificate_number: str
    holder: str
    issued_on: date
    uscc: str | None = None
    certifier: str | None = None
    standard: str = "GB/T 29490"


@dataclass(slots=True)
class PledgeLoanRecord:
    """An IP-pledge loan from a lender's list (P2.7), with the costs of one year when given."""

    source_row: int
    contract_number: str
    holder: str
    start_date: date
    uscc: str | None = None
    lender: str | None = None
    pledge_registration: str | None = None
    principal_yuan: int | None = None
    end_date: date | None = None
    year: int | None = None  # the year of the costs below (None: the loan alone)
    interest_yuan: int = 0
    valuation_yuan: int = 0
    guarantee_yuan: int = 0
    insurance_yuan: int = 0


@dataclass(slots=True)
class InsurancePolicyRecord:
    """A patent insurance policy from an insurer's list (P2.7)."""

    source_row: int
    policy_number: str
    holder: str
    patent_number: str
    premium_yuan: int
    start_date: date
    uscc: str | None = None
    insurer: str | None = None


@dataclass(slots=True)
class PctApplicationRecord:
    """A PCT international application from a list (P2.1-d: paid with a search report)."""

    source_row: int
    pct_number: str
    holder: str
    filing_date: date
    uscc: str | None = None
    title: str | None = None
    search_report_date: date | None = None
