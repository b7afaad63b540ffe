"""The platform's clock: today's date and the time of day in the city's time zone.

The platform serves a Chinese city: a day begins at midnight Beijing time (China Standard
Time, UTC+8, one zone for the whole country and no daylight saving), not at midnight UTC.
A notice period that ends "today", a certificate that may not be dated after today, an
entitlement whose reference date has not come yet: each asks :func:`today`, never the
server's own ``date.today()``, which on a server kept in UTC is yesterday until 08:00.

Times are stored in UTC (aware on PostgreSQL, naive-as-UTC on SQLite); pages show them
with :func:`local_time`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

CITY_TIME_ZONE = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    """The current time, aware, in the city's time zone."""
    return datetime.now(CITY_TIME_ZONE)


def today() -> date:
    """Today's date in the city (Beijing time)."""
    return now().date()


def local_time(moment: datetime | None) -> datetime | None:
    """``moment`` in the city's time zone; a naive ``moment`` is read as UTC (how SQLite
    gives back what was stored).

    >>> local_time(datetime(2026, 11, 26, 23, 46)).strftime("%Y-%m-%d %H:%M")
    '2026-11-27 07:46'
    """
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(CITY_TIME_ZONE)
