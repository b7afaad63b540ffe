"""Tables of the protection area. For now the dishonesty list (P3.2), which the policy
engine checks before any amount is paid; the protection area fills it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ipcity.db import Base


class CreditListing(Base):
    """An entry of the IP dishonesty list (知识产权失信名单): who, since when, until when, why."""

    __tablename__ = "credit_list"

    id: Mapped[int] = mapped_column(primary_key=True)
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("holders.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    uscc: Mapped[str | None] = mapped_column(String(18), index=True)
    reason: Mapped[str] = mapped_column(Text)
    listed_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    removed_on: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
