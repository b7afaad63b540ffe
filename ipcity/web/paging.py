"""Paging of lists shown a page at a time: one rule for every list page.

A page number past the last shows the last page (a link kept from a longer list still
lands on rows); the page count is at least 1, so an empty list reads "1 / 1".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Pager:
    """Where a page lies in a list of ``total`` items shown ``per_page`` at a time.

    >>> p = Pager.of(7, total=250, per_page=100)
    >>> p.page, p.pages, p.offset, p.has_previous, p.has_next
    (3, 3, 200, True, False)
    >>> Pager.of(1, total=0, per_page=20).pages
    1
    """

    page: int
    per_page: int
    total: int

    @classmethod
    def of(cls, page: int, *, total: int, per_page: int) -> Pager:
        """The pager of ``page`` (1-based; past the last: the last) over ``total`` items."""
        pages = max(1, -(-total // per_page))
        return cls(min(max(page, 1), pages), per_page, total)

    @property
    def pages(self) -> int:
        """The number of pages (at least 1)."""
        return max(1, -(-self.total // self.per_page))

    @property
    def offset(self) -> int:
        """How many items come before this page."""
        return (self.page - 1) * self.per_page

    @property
    def has_previous(self) -> bool:
        """Whether a page comes before this one."""
        return self.page > 1

    @property
    def previous(self) -> int:
        """The page before this one (from past the end: the last page)."""
        return min(self.page - 1, self.pages)

    @property
    def has_next(self) -> bool:
        """Whether a page comes after this one."""
        return self.page < self.pages

    def slice(self, items: Sequence[T]) -> Sequence[T]:
        """This page's items of the whole list ``items``."""
        return items[self.offset : self.offset + self.per_page]
