""" "In force at the end of year Y", computed from hand-built status histories with real
dates (Patent Law art. 42 terms: inventions 20 years, utility models 10, designs 10 or 15
from 2021-06-01), and the same answer from the SQL filters of the patent search."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from registry_testkit import OFFICER
from sqlalchemy.orm import Session

from ipcity import clock
from ipcity.registry.legal_status import (
    IN_FORCE_STATUSES,
    SAME_DAY_LAST,
    SAME_DAY_ORDER,
    current_status,
    in_force_at_year_end,
    in_force_on,
    is_terminal,
    status_at,
    term_end,
)
from ipcity.registry.models import Patent, PatentStatusEvent
from ipcity.registry.numbers import check_digit
from ipcity.registry.service import PatentQuery, get_patent, search_patents

Events = list[tuple[str, date | None]]


def years_in_force(patent_type: str, filing: date, events: Events, years: range) -> list[int]:
    return [y for y in years if in_force_at_year_end(patent_type, filing, events, y)]


def test_granted_2015_lapsed_2019() -> None:
    events = [
        ("filed", date(2012, 3, 9)),
        ("examination", date(2012, 9, 14)),
        ("granted", date(2015, 5, 20)),
        ("lapsed_unpaid_annuity", date(2019, 3, 9)),
    ]
    filing = date(2012, 3, 9)
    assert years_in_force("invention", filing, events, range(2010, 2025)) == [2015, 2016, 2017, 2018]
    assert in_force_on("invention", filing, events, date(2019, 3, 8))
    assert not in_force_on("invention", filing, events, date(2019, 3, 9))
    assert not in_force_on("invention", filing, events, date(2015, 5, 19))
    assert status_at(events, date(2014, 12, 31)) == "examination"
    assert current_status(events, date(2024, 1, 1)) == "lapsed_unpaid_annuity"


def test_events_given_in_any_order() -> None:
    events = [
        ("lapsed_unpaid_annuity", date(2019, 3, 9)),
        ("granted", date(2015, 5, 20)),
        ("filed", date(2012, 3, 9)),
    ]
    assert years_in_force("invention", date(2012, 3, 9), events, range(2012, 2021)) == [
        2015,
        2016,
        2017,
        2018,
    ]


@pytest.mark.parametrize(
    ("patent_type", "filing", "last_day_in_force"),
    [
        # Inventions: 20 years from filing; the right ends on the 20th anniversary.
        ("invention", date(2003, 4, 15), date(2023, 4, 14)),
        # Utility models: 10 years.
        ("utility_model", date(2013, 7, 1), date(2023, 6, 30)),
        # Designs filed before 2021-06-01: 10 years …
        ("design", date(2021, 5, 31), date(2031, 5, 30)),
        ("design", date(2014, 11, 3), date(2024, 11, 2)),
        # … from 2021-06-01 (fourth amendment of the Patent Law): 15 years.
        ("design", date(2021, 6, 1), date(2036, 5, 31)),
        # Filed on 29 February: in force to the end of February of the final year.
        ("utility_model", date(2012, 2, 29), date(2022, 2, 28)),
        ("invention", date(2000, 2, 29), date(2020, 2, 28)),
    ],
)
def test_term_expiry(patent_type: str, filing: date, last_day_in_force: date) -> None:
    events = [("granted", date(filing.year + 1, 1, 10))]
    assert in_force_on(patent_type, filing, events, last_day_in_force)
    ended = date.fromordinal(last_day_in_force.toordinal() + 1)
    assert not in_force_on(patent_type, filing, events, ended)
    assert term_end(patent_type, filing) == ended
    # At the end of the last full year it is in force; at the end of the expiry year not.
    assert in_force_at_year_end(patent_type, filing, events, last_day_in_force.year - 1)
    assert not in_force_at_year_end(patent_type, filing, events, ended.year)


def test_term_of_a_utility_model_granted_late() -> None:
    # Granted 2016, never lapsed: counts at the end of 2016–2022, not 2023 (filed 2013-07-01).
    events = [("granted", date(2016, 2, 3))]
    assert years_in_force("utility_model", date(2013, 7, 1), events, range(2013, 2026)) == list(
        range(2016, 2023)
    )


def test_restored_after_lapse() -> None:
    events = [
        ("granted", date(2012, 8, 1)),
        ("lapsed_unpaid_annuity", date(2016, 3, 1)),
        ("restored", date(2016, 9, 20)),
    ]
    filing = date(2009, 11, 12)
    assert years_in_force("invention", filing, events, range(2010, 2020)) == [
        2012,
        2013,
        2014,
        2015,
        2016,
        2017,
        2018,
        2019,
    ]
    assert not in_force_on("invention", filing, events, date(2016, 6, 30))
    assert in_force_on("invention", filing, events, date(2016, 9, 20))
    # Lapsed again, for good.
    again = [*events, ("lapsed_unpaid_annuity", date(2020, 3, 1))]
    assert years_in_force("invention", filing, again, range(2010, 2025))[-1] == 2019


@pytest.mark.parametrize("order", ["grant_first", "lapse_first"])
def test_same_day_grant_and_lapse(order: str) -> None:
    events = [("granted", date(2018, 6, 1)), ("lapsed_unpaid_annuity", date(2018, 6, 1))]
    if order == "lapse_first":
        events.reverse()
    assert status_at(events, date(2018, 6, 1)) == "lapsed_unpaid_annuity"
    assert not in_force_at_year_end("invention", date(2015, 2, 2), events, 2018)
    assert not in_force_on("invention", date(2015, 2, 2), events, date(2018, 6, 1))


def test_pending_and_refused_applications_are_never_in_force() -> None:
    filing = date(2019, 7, 3)
    for events in (
        [("filed", filing)],
        [("filed", filing), ("examination", date(2020, 1, 17))],
        [("filed", filing), ("withdrawn", date(2021, 5, 6))],
        [("filed", filing), ("examination", date(2020, 1, 17)), ("rejected", date(2022, 8, 30))],
        [],
    ):
        assert years_in_force("invention", filing, events, range(2019, 2026)) == []


def test_invalidated_and_ceased() -> None:
    filing = date(2014, 4, 22)
    invalidated = [("granted", date(2015, 1, 7)), ("invalidated", date(2017, 10, 16))]
    assert years_in_force("utility_model", filing, invalidated, range(2014, 2025)) == [2015, 2016]
    # Patentics 无效 without a date: stored with the day it was observed.
    ceased = [("granted", date(2015, 1, 7)), ("ceased", date(2024, 6, 30))]
    assert years_in_force("utility_model", filing, ceased, range(2014, 2025)) == list(range(2015, 2024))


def test_undated_events_are_ignored() -> None:
    assert status_at([("granted", None)], date(2024, 1, 1)) is None
    assert not in_force_on("invention", date(2010, 1, 1), [("granted", None)], date(2024, 1, 1))


_STATUSES = [*SAME_DAY_ORDER, "lapsed_unpaid_annuity", "invalidated", "withdrawn", "rejected", "ceased"]


@given(
    st.lists(
        st.tuples(
            st.sampled_from(_STATUSES),
            st.one_of(st.none(), st.dates(min_value=date(2015, 1, 1), max_value=date(2015, 1, 20))),
        ),
        max_size=8,
    ),
    st.dates(min_value=date(2014, 12, 25), max_value=date(2015, 1, 25)),
)
def test_status_on_a_day_is_the_last_of_the_history_sorted_by_date_then_same_day_rank(
    events: Events, on: date
) -> None:
    # The reading status_at makes in one pass, written as its definition: the events dated
    # by then, in order of date and same-day rank (a stable sort: equals keep their order),
    # the last one. Few dates and statuses, so that ties are common.
    dated = [(s, d) for s, d in events if d is not None and d <= on]
    ordered = sorted(dated, key=lambda e: (e[1], SAME_DAY_ORDER.get(e[0], SAME_DAY_LAST)))
    assert status_at(events, on) == (ordered[-1][0] if ordered else None)


def test_unknown_type_or_filing_date_has_no_term() -> None:
    assert term_end(None, date(2000, 1, 1)) is None
    assert term_end("invention", None) is None
    events = [("granted", date(2001, 5, 5))]
    assert in_force_on(None, date(1990, 1, 1), events, date(2024, 1, 1))


def test_terminal_statuses() -> None:
    for status in ("lapsed_unpaid_annuity", "expired", "invalidated", "withdrawn", "rejected", "ceased"):
        assert is_terminal(status)
    for status in ("filed", "examination", "granted", "restored", None):
        assert not is_terminal(status)


# --------------------------------------------------------------------------- the SQL filters


def cn_number(year: int, type_digit: int, serial: int) -> str:
    digits = f"{year}{type_digit}{serial:07d}"
    return f"CN{digits}.{check_digit(digits)}"


TYPE_DIGIT = {"invention": 1, "utility_model": 2, "design": 3}

# Histories as a registry holds them, events in the order they were recorded.
HISTORIES: list[tuple[str, date, Events]] = [
    (
        "invention",
        date(2012, 3, 9),
        [("granted", date(2015, 5, 20)), ("lapsed_unpaid_annuity", date(2019, 3, 9))],
    ),
    ("invention", date(2003, 4, 15), [("granted", date(2006, 8, 2))]),
    ("utility_model", date(2013, 7, 1), [("granted", date(2014, 1, 8))]),
    ("utility_model", date(2012, 2, 29), [("granted", date(2012, 9, 5))]),
    ("design", date(2021, 5, 31), [("granted", date(2021, 10, 12))]),
    ("design", date(2021, 6, 1), [("granted", date(2021, 11, 30))]),
    (
        "invention",
        date(2009, 11, 12),
        [
            ("granted", date(2012, 8, 1)),
            ("lapsed_unpaid_annuity", date(2016, 3, 1)),
            ("restored", date(2016, 9, 20)),
        ],
    ),
    # Recorded lapse first, grant second (two exports), both on one day.
    (
        "invention",
        date(2015, 2, 2),
        [("lapsed_unpaid_annuity", date(2018, 6, 1)), ("granted", date(2018, 6, 1))],
    ),
    ("invention", date(2019, 7, 3), [("filed", date(2019, 7, 3)), ("examination", date(2020, 1, 17))]),
    ("invention", date(2019, 7, 4), [("filed", date(2019, 7, 4)), ("withdrawn", date(2021, 5, 6))]),
    (
        "utility_model",
        date(2014, 4, 22),
        [("granted", date(2015, 1, 7)), ("invalidated", date(2017, 10, 16))],
    ),
    ("invention", date(2020, 12, 1), []),
]

DAYS = [
    date(2014, 12, 31),
    date(2016, 6, 30),
    date(2016, 12, 31),
    date(2018, 6, 1),
    date(2019, 3, 8),
    date(2019, 3, 9),
    date(2020, 6, 1),
    date(2022, 2, 28),
    date(2022, 3, 1),
    date(2023, 4, 14),
    date(2023, 4, 15),
    date(2023, 6, 30),
    date(2023, 7, 1),
    date(2031, 5, 30),
    date(2031, 5, 31),
    date(2036, 5, 31),
    date(2036, 6, 1),
]


@pytest.fixture
def history_patents(session: Session) -> dict[int, tuple[str, date, Events]]:
    now = datetime.now(UTC)
    made: dict[int, tuple[str, date, Events]] = {}
    for serial, (patent_type, filing, events) in enumerate(HISTORIES, start=1):
        patent = Patent(
            application_number=cn_number(filing.year, TYPE_DIGIT[patent_type], serial),
            jurisdiction="CN",
            patent_type=patent_type,
            title=f"手工构造的法律状态样例{serial}",
            filing_date=filing,
            grant_date=next((d for s, d in events if s == "granted"), None),
            content_hash="-",
            created_at=now,
            updated_at=now,
        )
        session.add(patent)
        session.flush()
        for status, when in events:  # one flush each: ids follow the recording order
            session.add(PatentStatusEvent(patent_id=patent.id, status=status, date=when, date_observed=False))
            session.flush()
        made[patent.id] = (patent_type, filing, events)
    session.commit()
    return made


def _ids(session: Session, status: str | None) -> dict[int, str | None]:
    """Patent id → its current status, of the patents a status filter returns."""
    page = search_patents(session, OFFICER, PatentQuery(status=status, per_page=200))
    return {item.id: item.status for item in page.items}


def test_search_filters_agree_with_the_history(
    session: Session, history_patents: dict[int, tuple[str, date, Events]], monkeypatch: pytest.MonkeyPatch
) -> None:
    for number, day in enumerate(DAYS):
        monkeypatch.setattr(clock, "today", lambda day=day: day)
        expected = {pid for pid, (t, f, ev) in history_patents.items() if in_force_on(t, f, ev, day)}
        assert set(_ids(session, "in_force")) == expected, day
        ended, pending = set(_ids(session, "ended")), set(_ids(session, "pending"))
        assert expected.isdisjoint(ended) and expected.isdisjoint(pending), day
        # The status shown in lists is the history's status on that day, except that a right
        # in force by its history whose legal term has run out shows as expired.
        shown = _ids(session, None)

        def current(t: str, f: date, ev: Events, on: date) -> str | None:
            status = status_at(ev, on)
            end = term_end(t, f)
            return "expired" if status in IN_FORCE_STATUSES and end is not None and on >= end else status

        assert shown == {pid: current(t, f, ev, day) for pid, (t, f, ev) in history_patents.items()}, day
        # And each explicit status filter lists exactly the patents shown with that status.
        for status in set(shown.values()) - {None}:
            assert set(_ids(session, status)) == {p for p, s in shown.items() if s == status}, (day, status)
        if number % 4 == 0:
            for pid, (t, f, _ev) in history_patents.items():
                detail = get_patent(session, OFFICER, pid)
                assert detail.in_force_today == (pid in expected), (day, pid)
                end = term_end(t, f)
                assert detail.term_ended == (end is not None and day >= end), (day, pid)
                # The page states what the list shows.
                assert detail.current_status == shown[pid], (day, pid)
