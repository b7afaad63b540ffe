"""Legal status over time: which status a patent has on a date, and whether it is in force.

"In force at the end of year Y" is computed from the status history, never stored as a flag
(DESIGN, data model). Pure functions over plain values, so they are tested with real dates.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from ipcity import clock
from ipcity.registry.records import TERMINAL_STATUSES

# Statuses under which a granted right exists.
IN_FORCE_STATUSES = frozenset({"granted", "restored"})

# Order of statuses that fall on the same day: a grant and a lapse recorded with one date
# means the lapse came later. Every other status ranks SAME_DAY_LAST. The SQL of the patent
# search (``registry.service``) orders by the same ranks, so that both give one answer.
SAME_DAY_ORDER = {
    "filed": 0,
    "examination": 1,
    "granted": 2,
    "restored": 3,
}
SAME_DAY_LAST = 9
_SAME_DAY_ORDER = SAME_DAY_ORDER

STATUS_LABELS = {
    "filed": "公开/在审",
    "examination": "实质审查",
    "granted": "授权",
    "restored": "权利恢复",
    "lapsed_unpaid_annuity": "未缴年费终止",
    "expired": "期限届满",
    "invalidated": "宣告无效",
    "withdrawn": "撤回",
    "rejected": "驳回",
    "ceased": "失效",
}

PATENT_TYPE_LABELS = {"invention": "发明", "utility_model": "实用新型", "design": "外观设计"}


def term_end(patent_type: str | None, filing_date: date | None) -> date | None:
    """The day after which the right expires at the latest (Patent Law art. 42).

    Inventions 20 years from filing; utility models 10 years; designs 10 years, or 15 for
    applications filed from 2021-06-01 (the fourth amendment). The term counts from the
    filing day, so its last day is the day before the anniversary and the right has ended
    on the anniversary itself. Filed on 29 February, the term runs to the end of February
    of its last year (there is no anniversary to end on): the right has ended on 1 March.

    >>> term_end("invention", date(2010, 3, 1))
    datetime.date(2030, 3, 1)
    >>> term_end("utility_model", date(2012, 2, 29))
    datetime.date(2022, 3, 1)
    """
    if patent_type is None or filing_date is None:
        return None
    if patent_type == "invention":
        years = 20
    elif patent_type == "design" and filing_date >= date(2021, 6, 1):
        years = 15
    else:
        years = 10
    try:
        return filing_date.replace(year=filing_date.year + years)
    except ValueError:  # 29 February, and the last year has none
        return date(filing_date.year + years, 3, 1)


def _sort_key(event: tuple[str, date | None]) -> tuple[date, int]:
    status, when = event
    return (when or date.min, SAME_DAY_ORDER.get(status, SAME_DAY_LAST))


def status_at(events: Iterable[tuple[str, date | None]], on: date) -> str | None:
    """The status in effect on ``on``: the latest event dated on or before it (None if none).

    >>> status_at([("granted", date(2015, 5, 1)), ("lapsed_unpaid_annuity", date(2019, 3, 1))], date(2018, 12, 31))
    'granted'
    """
    # One pass, no sort (a year's policy and indicators ask this of tens of thousands of
    # patents): the latest (date, same-day rank) on or before ``on`` wins; of events equal
    # in both, the later in ``events`` (as a stable sort would leave it last).
    current: str | None = None
    latest: tuple[date, int] | None = None
    for status, when in events:
        if when is None or when > on:
            continue
        key = (when, _SAME_DAY_ORDER.get(status, SAME_DAY_LAST))
        if latest is None or key >= latest:
            current, latest = status, key
    return current


def in_force_on(
    patent_type: str | None,
    filing_date: date | None,
    events: Iterable[tuple[str, date | None]],
    on: date,
) -> bool:
    """Whether the patent is in force on ``on``: granted (or restored) by then, not since
    lapsed, invalidated or otherwise ended, and within its legal term.

    >>> events = [("granted", date(2015, 5, 1)), ("lapsed_unpaid_annuity", date(2019, 3, 1))]
    >>> [in_force_on("invention", date(2012, 1, 1), events, date(y, 12, 31)) for y in (2014, 2015, 2018, 2019)]
    [False, True, True, False]
    """
    if status_at(events, on) not in IN_FORCE_STATUSES:
        return False
    end = term_end(patent_type, filing_date)
    return end is None or on < end


def in_force_at_year_end(
    patent_type: str | None, filing_date: date | None, events: Iterable[tuple[str, date | None]], year: int
) -> bool:
    """:func:`in_force_on` at 31 December of ``year``."""
    return in_force_on(patent_type, filing_date, events, date(year, 12, 31))


def current_status(events: Iterable[tuple[str, date | None]], today: date | None = None) -> str | None:
    """The latest status (today by default); ``expired`` is not inferred here."""
    return status_at(events, today or clock.today())


def is_terminal(status: str | None) -> bool:
    """True for statuses that end a right or an application."""
    return status in TERMINAL_STATUSES
