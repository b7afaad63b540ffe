"""Pydantic shapes of the registry as served by the API (``/api/v1``) and the pages."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class StatusEventOut(BaseModel):
    """One entry of a patent's legal-status history."""

    status: str
    label: str
    date: date | None
    date_observed: bool = False


class PublicationOut(BaseModel):
    """A publication with its kind code."""

    number: str
    kind: str
    date: date | None


class HolderRef(BaseModel):
    """A holder as named on a patent, in order."""

    id: int
    name: str
    position: int
    region_code: str | None = None
    is_sample: bool = False


class PatentSummary(BaseModel):
    """A row of a patent list."""

    id: int
    application_number: str
    jurisdiction: str
    patent_type: str | None
    patent_type_label: str | None
    title: str
    filing_date: date | None
    grant_date: date | None
    ipc_main: str | None
    first_holder: str | None
    first_holder_id: int | None
    status: str | None
    status_label: str | None
    is_sample: bool = False


class PatentDetail(PatentSummary):
    """Everything the registry holds about one application."""

    title_en: str | None = None
    abstract: str | None = None
    publication_date: date | None = None
    ipc_all: list[str] = Field(default_factory=list)
    ipc_titles: dict[str, str] = Field(default_factory=dict)
    inventors: list[str] = Field(default_factory=list)
    holders: list[HolderRef] = Field(default_factory=list)
    publications: list[PublicationOut] = Field(default_factory=list)
    status_history: list[StatusEventOut] = Field(default_factory=list)
    pct_application_number: str | None = None
    pct_publication_number: str | None = None
    family: list[str] = Field(default_factory=list)
    in_force_today: bool = False
    term_end: date | None = None
    term_ended: bool = False  # the legal term has run out
    # The status a list shows for it: the latest recorded, 期限届满 for a right past its term.
    current_status: str | None = None
    annuities_paid_yuan: int | None = None  # non-public: officers and the holder only


class PatentPage(BaseModel):
    """One page of a patent search."""

    total: int
    page: int
    per_page: int
    items: list[PatentSummary]


class HolderSummary(BaseModel):
    """A row of a holder list."""

    id: int
    name: str
    kind: str
    region_code: str | None
    region_name: str | None = None
    region_name_en: str | None = Field(
        None, description="the region's English name; null where none is given"
    )
    zone: str | None = None
    zone_en: str | None = Field(None, description="the zone's English name; null where none is given")
    patents: int = 0
    is_sample: bool = False


class HolderDetail(HolderSummary):
    """A holder with its portfolio counts."""

    uscc: str | None = None
    address: str | None = None
    former_names: list[str] = Field(
        default_factory=list, description="曾用名，先旧后新 / names it was known by before, oldest first"
    )
    tags: list[str] = Field(default_factory=list)
    tiers: list[tuple[str, int]] = Field(default_factory=list)
    counts_by_type: dict[str, int] = Field(default_factory=dict)
    counts_by_year: dict[int, dict[str, int]] = Field(default_factory=dict)
    trademarks: int = 0
    copyrights: int = 0
    plant_varieties: int = 0
    geographical_indications: int = 0
    invention_patents_in_force: int = 0
    private_visible: bool = False
    payee_name: str | None = Field(
        None, description="收款账户户名；仅对本企业与辖区内管理人员可见 / account name, never public"
    )
    payee_bank: str | None = Field(None, description="开户银行；同上 / bank, never public")
    payee_account: str | None = Field(
        None, description="银行账号（仅数字）；同上 / account number, never public"
    )
    payee_name_differs: bool = Field(
        False, description="户名与权利人名称不一致 / the account is held in another name"
    )


class HolderPage(BaseModel):
    """One page of a holder list."""

    total: int
    page: int
    per_page: int
    items: list[HolderSummary]


class RegionDetail(BaseModel):
    """A region with its holders and counts of assets."""

    code: str
    name: str
    name_en: str | None = Field(description="the English name; null where none is given")
    level: str
    parent_code: str | None
    children: list[dict[str, str | None]] = Field(
        default_factory=list, description="code, name and name_en (null where none is given) of each"
    )
    holders: int = 0
    patents: int = 0
    counts: dict[str, int] = Field(default_factory=dict)
    population: dict[int, int] = Field(default_factory=dict)
    top_holders: list[HolderSummary] = Field(default_factory=list)


class ImportSummary(BaseModel):
    """The counts of a preview or a confirmed import (also the CLI's ``--json``)."""

    read: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    merged: int = 0  # valid rows adding to another row's record (a patent's further publications)
    errors_file: str | None = None
