"""Tables of the places area: regions (GB/T 2260), zones and resident population."""

from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ipcity.db import Base


class Region(Base):
    """An administrative division (province, city, county) by its six-digit GB/T 2260 code."""

    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(16))  # province | city | county
    parent_code: Mapped[str | None] = mapped_column(String(6), index=True)


class Zone(Base):
    """A development zone, park or cluster: not an administrative division (P2.1 names five).

    Holders belong to a zone by an explicit assignment or by address keywords."""

    __tablename__ = "zones"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    clause: Mapped[str | None] = mapped_column(String(16))


class Population(Base):
    """Resident population (常住人口) of a region or zone in a year, with its public source."""

    __tablename__ = "population"
    __table_args__ = (UniqueConstraint("area_code", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # A region code (six digits) or a zone code: zones with a population have indicators too.
    area_code: Mapped[str] = mapped_column(String(32), index=True)
    year: Mapped[int] = mapped_column(Integer)
    residents: Mapped[int] = mapped_column(Integer)
    source: Mapped[str | None] = mapped_column(String(300))
