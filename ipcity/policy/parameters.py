"""Parameters with dated values (OpenFisca style): a value holds from a date (until a date or
the next value); a payment uses the values in force on its reference date. ``None`` is an
unset value: the rule exists but pays nothing until the city sets it (P2.1-e).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class DatedValue:
    """A value in force from ``start`` to ``end`` (inclusive; ``None``: until the next value)."""

    start: date
    end: date | None
    value: int | None
    line: int = 0


@dataclass(frozen=True)
class Parameter:
    """A named amount, share or threshold of the policy with its clause and dated values."""

    id: str
    clause: str
    description: str
    unit: str
    values: tuple[DatedValue, ...]
    description_en: str = ""  # the English pages' description; empty: the Chinese one

    def describe(self, locale: str = "zh_CN") -> str:
        """The description in ``locale``'s words (Chinese where no English is given)."""
        return self.description_en if locale.startswith("en") and self.description_en else self.description

    def entry_on(self, on: date) -> DatedValue | None:
        """The dated value in force on ``on`` (``None`` before the first or in a gap)."""
        found: DatedValue | None = None
        for i, entry in enumerate(self.values):
            end = entry.end
            if end is None and i + 1 < len(self.values):
                end = self.values[i + 1].start - timedelta(days=1)
            if entry.start <= on and (end is None or on <= end):
                found = entry
        return found

    def value_on(self, on: date) -> int | None:
        """The value in force on ``on``; ``None`` when unset.

        >>> p = Parameter("x", "P2.1-a", "", "yuan", (DatedValue(date(2017, 9, 30), None, 4000),
        ...     DatedValue(date(2021, 1, 1), None, 5000)))
        >>> p.value_on(date(2020, 12, 31)), p.value_on(date(2021, 1, 1)), p.value_on(date(2017, 1, 1))
        (4000, 5000, None)
        """
        entry = self.entry_on(on)
        return None if entry is None else entry.value


def overlap(a: DatedValue, b: DatedValue) -> bool:
    """Whether two explicit ranges share a day (``b`` starts on or after ``a``)."""
    if a.start == b.start:
        return True
    return a.end is not None and b.start <= a.end


class Unset(Exception):
    """A formula needed a parameter that has no value on the reference date."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class Values(Mapping[str, int | None]):
    """The values a formula reads, by input name; :meth:`need` raises :class:`Unset`."""

    def __init__(self, values: Mapping[str, int | None], names: Mapping[str, str]) -> None:
        self._values = dict(values)
        self._names = dict(names)  # input -> parameter id

    def need(self, name: str) -> int:
        """The value of input ``name``; raises :class:`Unset` (with the parameter id) if unset."""
        value = self._values.get(name)
        if value is None:
            raise Unset(self._names.get(name, name))
        return value

    def __getitem__(self, key: str) -> int | None:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)
