"""China's civil time, in which the domain counts its days, months and years (deadlines,
balances, capacity years, manifest numbers), reads times written without an offset (uploads,
fleet exports, terminals) and prints times (paper, pages)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: Its name in the tz database, for libraries that take a name (Babel on the web pages).
CHINA_ZONE = "Asia/Shanghai"

try:
    CHINA: tzinfo = ZoneInfo(CHINA_ZONE)
except ZoneInfoNotFoundError:  # no tz database: China has kept UTC+8 without DST since 1991
    CHINA = timezone(timedelta(hours=8), "CST")


def start_of_day(day: date, tz: tzinfo = CHINA) -> datetime:
    """The instant a calendar day begins in ``tz`` (00:00 local time)."""
    return datetime.combine(day, time(0), tzinfo=tz)


def as_instant(value: date | datetime, tz: tzinfo = CHINA) -> datetime:
    """An aware datetime as it is; a bare date as the start of that day in ``tz``.

    Raises ValueError for a datetime without an offset: it names no instant."""
    if not isinstance(value, datetime):
        return start_of_day(value, tz)
    if value.tzinfo is None:
        raise ValueError("datetime must carry a time zone")
    return value


def local_date(value: date | datetime, tz: tzinfo = CHINA) -> date:
    """The calendar date of ``value`` in ``tz``; a bare date is its own. Raises ValueError
    for a datetime without an offset."""
    return as_instant(value, tz).astimezone(tz).date()
