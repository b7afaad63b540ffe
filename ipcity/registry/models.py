"""Tables of the registry: holders, patents (with publications, holders in order and the
legal-status history), trademarks, copyrights, plant-variety rights, geographical
indications, and the import batches that brought them in (P2.8, P2.5)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipcity.db import Base


class Holder(Base):
    """An applicant or right holder (申请人/权利人): enterprise, university, institute, person."""

    __tablename__ = "holders"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    normalized_name: Mapped[str] = mapped_column(String(300), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="other")
    uscc: Mapped[str | None] = mapped_column(String(18), unique=True)
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zones.id"), index=True)
    # True when the zone was assigned by an officer (explicit list), not by address keywords.
    zone_explicit: Mapped[bool] = mapped_column(Boolean, default=False)
    address: Mapped[str | None] = mapped_column(String(500))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The receiving account the policy's money is paid into (收款账户; registry/payee.py):
    # all three or none (migration 0012). Never public.
    payee_name: Mapped[str | None] = mapped_column(String(300))
    payee_bank: Mapped[str | None] = mapped_column(String(200))
    payee_account: Mapped[str | None] = mapped_column(String(32))
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    tiers: Mapped[list[HolderTier]] = relationship(back_populates="holder", cascade="all, delete-orphan")
    former_names: Mapped[list[HolderName]] = relationship(
        back_populates="holder", cascade="all, delete-orphan", order_by="HolderName.replaced_at"
    )


class HolderName(Base):
    """A name a holder was known by before its present one (曾用名): a company renamed
    (有限公司 → 股份有限公司 on listing, a new trade name) is the same holder, and the
    patents filed under the old name are its own. Matching a file's applicant looks up these
    names beside the holders' present ones, so a renamed holder is never created again
    under its old name (P2.1-b's "first invention patent" is judged over one history).
    A normalized name belongs to one holder only, present or former."""

    __tablename__ = "holder_names"

    id: Mapped[int] = mapped_column(primary_key=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("holders.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    normalized_name: Mapped[str] = mapped_column(String(300), unique=True)
    replaced_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    holder: Mapped[Holder] = relationship(back_populates="former_names")


class HolderTier(Base):
    """A recognition with its year: national IP-advantage enterprise, provincial IP-strong
    enterprise, municipal demonstration enterprise, GB/T 29490 certified (P2.3, P5.1)."""

    __tablename__ = "holder_tiers"
    __table_args__ = (UniqueConstraint("holder_id", "tier", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("holders.id", ondelete="CASCADE"), index=True)
    tier: Mapped[str] = mapped_column(String(48))
    year: Mapped[int] = mapped_column(Integer)

    holder: Mapped[Holder] = relationship(back_populates="tiers")


class Patent(Base):
    """One patent application (of any office), however many publications it has."""

    __tablename__ = "patents"
    __table_args__ = (Index("ix_patents_type_grant_date", "patent_type", "grant_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_number: Mapped[str] = mapped_column(String(40), unique=True)
    jurisdiction: Mapped[str] = mapped_column(String(4), index=True)
    # Indexed with grant_date (ix_patents_type_grant_date, below): "the inventions granted
    # in a year" is one range of it, the policy's busiest read (P2.1-a/-c).
    patent_type: Mapped[str | None] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(Text)
    title_en: Mapped[str | None] = mapped_column(Text)
    abstract: Mapped[str | None] = mapped_column(Text)
    filing_date: Mapped[date | None] = mapped_column(Date, index=True)
    publication_date: Mapped[date | None] = mapped_column(Date)
    grant_date: Mapped[date | None] = mapped_column(Date, index=True)
    ipc_main: Mapped[str | None] = mapped_column(String(32), index=True)
    ipc_all: Mapped[str | None] = mapped_column(Text)  # "|"-joined, CNIPA style
    inventors: Mapped[str | None] = mapped_column(Text)  # "|"-joined, in order
    first_holder_id: Mapped[int | None] = mapped_column(ForeignKey("holders.id"), index=True)
    pct_application_number: Mapped[str | None] = mapped_column(String(40))
    pct_publication_number: Mapped[str | None] = mapped_column(String(40))
    family: Mapped[str | None] = mapped_column(Text)
    claims_count: Mapped[int | None] = mapped_column(Integer)
    annuities_paid_yuan: Mapped[int | None] = mapped_column(Integer)
    # Hash of the bibliographic content last imported: a re-import with the same hash is
    # "unchanged" without comparing every column.
    content_hash: Mapped[str] = mapped_column(String(32))
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    publications: Mapped[list[PatentPublication]] = relationship(
        back_populates="patent", cascade="all, delete-orphan", order_by="PatentPublication.date"
    )
    holder_links: Mapped[list[PatentHolder]] = relationship(
        back_populates="patent", cascade="all, delete-orphan", order_by="PatentHolder.position"
    )
    status_events: Mapped[list[PatentStatusEvent]] = relationship(
        back_populates="patent", cascade="all, delete-orphan", order_by="PatentStatusEvent.date"
    )


class PatentPublication(Base):
    """A publication of an application: number with kind code (A, B, U, S, A1 …) and date."""

    __tablename__ = "patent_publications"

    id: Mapped[int] = mapped_column(primary_key=True)
    patent_id: Mapped[int] = mapped_column(ForeignKey("patents.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(4))
    date: Mapped[date | None] = mapped_column(Date)

    patent: Mapped[Patent] = relationship(back_populates="publications")


class PatentHolder(Base):
    """A holder of a patent at a position: position 0 is the first-named holder, who matters
    for attribution (P2.1-a pays a co-owned patent once, to the first local holder)."""

    __tablename__ = "patent_holders"
    # Both ways between patents and holders are walked by the thousand (the policy's year:
    # the grants' holders in order, each grantee's earlier grants, the ranking's counts; a
    # holder's portfolio): each way has an index that holds the other id (and the position),
    # so a walk reads the index alone, not a table row per link.
    __table_args__ = (
        UniqueConstraint("patent_id", "position"),
        Index("ix_patent_holders_patent_position_holder", "patent_id", "position", "holder_id"),
        Index("ix_patent_holders_holder_patent", "holder_id", "patent_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patent_id: Mapped[int] = mapped_column(ForeignKey("patents.id", ondelete="CASCADE"))
    holder_id: Mapped[int] = mapped_column(ForeignKey("holders.id"))
    position: Mapped[int] = mapped_column(Integer)
    name_as_filed: Mapped[str] = mapped_column(String(300))

    patent: Mapped[Patent] = relationship(back_populates="holder_links")
    holder: Mapped[Holder] = relationship()


class PatentStatusEvent(Base):
    """One entry of the legal-status history. ``in force at the end of year Y`` is computed
    from these (never stored as a flag)."""

    __tablename__ = "patent_status_events"
    __table_args__ = (Index("ix_patent_status_events_patent_date", "patent_id", "date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patent_id: Mapped[int] = mapped_column(ForeignKey("patents.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(32))
    date: Mapped[date | None] = mapped_column(Date)
    # True when the source gave the status without a date: ``date`` is the day it was observed.
    date_observed: Mapped[bool] = mapped_column(Boolean, default=False)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))

    patent: Mapped[Patent] = relationship(back_populates="status_events")


class Trademark(Base):
    """A registered trademark (P2.5): ordinary, collective, certification or GI certification mark."""

    __tablename__ = "trademarks"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_number: Mapped[str] = mapped_column(String(32), unique=True)
    mark: Mapped[str] = mapped_column(String(300))
    nice_classes: Mapped[list[int]] = mapped_column(JSON, default=list)
    mark_type: Mapped[str] = mapped_column(String(32), default="ordinary")
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("holders.id"), index=True)
    filing_date: Mapped[date | None] = mapped_column(Date)
    registration_date: Mapped[date | None] = mapped_column(Date)
    expiry_date: Mapped[date | None] = mapped_column(Date)
    well_known_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str | None] = mapped_column(String(32))
    content_hash: Mapped[str] = mapped_column(String(32))
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)


class Copyright(Base):
    """A copyright registration: computer software or a work."""

    __tablename__ = "copyrights"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_number: Mapped[str] = mapped_column(String(48), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(16))  # software | work
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("holders.id"), index=True)
    registration_date: Mapped[date | None] = mapped_column(Date)
    content_hash: Mapped[str] = mapped_column(String(32))
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)


class PlantVariety(Base):
    """A plant-variety right (植物新品种权), P2.5."""

    __tablename__ = "plant_varieties"

    id: Mapped[int] = mapped_column(primary_key=True)
    right_number: Mapped[str] = mapped_column(String(48), unique=True)
    crop: Mapped[str] = mapped_column(String(64))
    variety: Mapped[str] = mapped_column(String(128))
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("holders.id"), index=True)
    grant_date: Mapped[date | None] = mapped_column(Date)
    content_hash: Mapped[str] = mapped_column(String(32))
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)


class GeographicalIndication(Base):
    """A geographical indication: protected product, GI certification or collective mark (P2.5)."""

    __tablename__ = "geographical_indications"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(32))
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("holders.id"), index=True)
    registration_number: Mapped[str] = mapped_column(String(48), unique=True)
    registration_date: Mapped[date | None] = mapped_column(Date)
    content_hash: Mapped[str] = mapped_column(String(32))
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)


class ImportBatch(Base):
    """One confirmed import of one file: who, when, which layout, what it changed."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    layout: Mapped[str] = mapped_column(String(48))
    filename: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    errors_file: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ColumnMapping(Base):
    """A column mapping an officer gave for a file of an unknown layout, saved for reuse."""

    __tablename__ = "column_mappings"
    __table_args__ = (UniqueConstraint("kind", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    name: Mapped[str] = mapped_column(String(100))
    mapping: Mapped[dict[str, str]] = mapped_column(JSON)
    created_by: Mapped[str | None] = mapped_column(String(64))


class IpcTitle(Base):
    """A title of the International Patent Classification (Chinese from CNIPA's tables,
    English from WIPO's), loaded with ``ipcity ipc import``."""

    __tablename__ = "ipc_titles"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)  # CNIPA style: "G06F3/01"
    level: Mapped[str | None] = mapped_column(String(16))
    title_zh: Mapped[str | None] = mapped_column(Text)
    title_en: Mapped[str | None] = mapped_column(Text)


class RegistryChange(Base):
    """One row per transaction that wrote to the patents, their holders and status events,
    the holders or the zones (written by the engine, see ``ipcity.db.note_registry_change``):
    what tells the indicators' column copy that it must be read again."""

    __tablename__ = "registry_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32))
