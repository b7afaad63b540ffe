"""The dishonesty list (失信名单, P3.2) as pure logic: is a holder listed on a date?

The table lives in :mod:`ipcity.protection.models`; the protection area fills it. The
policy engine asks :func:`listing_on` before it lets an amount be paid.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Protocol


class Listing(Protocol):
    """What a listing needs to say for the check (a row or a plain record)."""

    @property
    def holder_id(self) -> int | None: ...
    @property
    def listed_on(self) -> date: ...
    @property
    def expires_on(self) -> date | None: ...
    @property
    def removed_on(self) -> date | None: ...
    @property
    def reason(self) -> str: ...


def in_force(listing: Listing, on: date) -> bool:
    """Whether a listing holds on ``on``: listed by then, not expired and not removed.

    >>> from types import SimpleNamespace as N
    >>> in_force(N(listed_on=date(2019, 1, 1), expires_on=date(2021, 1, 1), removed_on=None), date(2020, 6, 1))
    True
    """
    if listing.listed_on > on:
        return False
    if listing.expires_on is not None and on >= listing.expires_on:
        return False
    return not (listing.removed_on is not None and on >= listing.removed_on)


def listing_on(listings: Iterable[Listing], holder_id: int, on: date) -> Listing | None:
    """The listing of ``holder_id`` in force on ``on`` (the earliest), ``None`` when clean."""
    found = [x for x in listings if x.holder_id == holder_id and in_force(x, on)]
    return min(found, key=lambda x: x.listed_on) if found else None
