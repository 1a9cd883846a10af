"""Working days for deadlines (e.g. "the receiver decides within 5 working days").

A working day is Monday–Friday that is not a holiday, plus any make-up working day (调休,
usually a Saturday or Sunday next to a long holiday). Days are calendar dates in the
region's local time, Asia/Shanghai (UTC+8, no daylight saving).

Deadline rule: n working days after an event at instant *t* end at the end of the n-th
working day after *t*'s local date; the event's own day never counts, whatever the hour.
A delivery on Friday 10:00 with 5 working days is due by the end of the next Friday. The
end of a day is represented as the exclusive instant 00:00 local time of the following
calendar day, returned in UTC: a decision is late when it is made at or after that instant.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import overload

from .errors import ValidationFailed
from .local_time import CHINA, local_date, start_of_day


def _days(*spans: tuple[str, str] | str) -> frozenset[date]:
    out: set[date] = set()
    for span in spans:
        first, last = (span, span) if isinstance(span, str) else span
        day, end = date.fromisoformat(first), date.fromisoformat(last)
        while day <= end:
            out.add(day)
            day += timedelta(days=1)
    return frozenset(out)


#: Public holidays in mainland China as announced by the State Council General Office
#: (国办发明电〔2024〕12号 of 2024-11-12 for 2025; notice of 2025-11-04 for 2026). Later
#: years are announced each November: add them here or through configuration.
CN_HOLIDAYS_2025_2026: frozenset[date] = _days(
    "2025-01-01",
    ("2025-01-28", "2025-02-04"),
    ("2025-04-04", "2025-04-06"),
    ("2025-05-01", "2025-05-05"),
    ("2025-05-31", "2025-06-02"),
    ("2025-10-01", "2025-10-08"),
    ("2026-01-01", "2026-01-03"),
    ("2026-02-15", "2026-02-23"),
    ("2026-04-04", "2026-04-06"),
    ("2026-05-01", "2026-05-05"),
    ("2026-06-19", "2026-06-21"),
    ("2026-09-25", "2026-09-27"),
    ("2026-10-01", "2026-10-07"),
)
#: The make-up working weekend days (调休) of the same notices.
CN_EXTRA_WORKDAYS_2025_2026: frozenset[date] = _days(
    "2025-01-26",
    "2025-02-08",
    "2025-04-27",
    "2025-09-28",
    "2025-10-11",
    "2026-01-04",
    "2026-02-14",
    "2026-02-28",
    "2026-05-09",
    "2026-09-20",
    "2026-10-10",
)


class WorkCalendar:
    """Working days with configured holidays and make-up working days.

    A date may not be both a holiday and an extra working day (ValueError).
    """

    def __init__(
        self,
        holidays: Iterable[date] = (),
        extra_workdays: Iterable[date] = (),
        *,
        tz: tzinfo = CHINA,
    ):
        self.holidays = frozenset(holidays)
        self.extra_workdays = frozenset(extra_workdays)
        both = self.holidays & self.extra_workdays
        if both:
            listed = ", ".join(d.isoformat() for d in sorted(both))
            raise ValueError(f"dates both holiday and working day: {listed}")
        self.tz = tz

    @classmethod
    def china(
        cls, holidays: Iterable[date] = (), extra_workdays: Iterable[date] = ()
    ) -> WorkCalendar:
        """The built-in 2025–2026 Chinese calendar, extended by the given dates.

        A configured holiday overrides a built-in make-up day and vice versa.
        """
        holidays, extra = frozenset(holidays), frozenset(extra_workdays)
        return cls(
            (CN_HOLIDAYS_2025_2026 - extra) | holidays,
            (CN_EXTRA_WORKDAYS_2025_2026 - holidays) | extra,
        )

    def is_workday(self, d: date | datetime) -> bool:
        """Whether the (local) date is a working day."""
        day = local_date(d, self.tz)
        if day in self.extra_workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def next_workday(self, d: date | datetime) -> date:
        """The first working day strictly after the (local) date."""
        day = local_date(d, self.tz) + timedelta(days=1)
        while not self.is_workday(day):
            day += timedelta(days=1)
        return day

    @overload
    def add_workdays(self, start: datetime, n: int) -> datetime: ...
    @overload
    def add_workdays(self, start: date, n: int) -> date: ...

    def add_workdays(self, start: date | datetime, n: int) -> date | datetime:
        """n working days after ``start``; ``start``'s own date is never counted.

        For a ``date``: the n-th working day after it (``n == 0`` gives ``start``). For an
        aware ``datetime``: the deadline instant in UTC, i.e. 00:00 local time on the day
        after the n-th working day after the event's local date (``n == 0``: the end of the
        event's own local day). Raises ValueError for a negative ``n`` or a naive datetime.
        """
        if n < 0:
            raise ValueError("n must not be negative")
        day = local_date(start, self.tz)
        for _ in range(n):
            day = self.next_workday(day)
        if not isinstance(start, datetime):
            return day
        return start_of_day(day + timedelta(days=1), self.tz).astimezone(UTC)

    def deadline(self, event: datetime, n: int) -> datetime:
        """Alias of :meth:`add_workdays` for an event instant; returns aware UTC."""
        return self.add_workdays(event, n)

    def workdays_between(self, a: date | datetime, b: date | datetime) -> int:
        """Working days d with a < d <= b (local dates); negative when b is before a.

        The inverse of :meth:`add_workdays` on dates: ``workdays_between(a,
        add_workdays(a, n)) == n``.
        """
        first, last = local_date(a, self.tz), local_date(b, self.tz)
        if last < first:
            return -self.workdays_between(last, first)
        count, day = 0, first + timedelta(days=1)
        while day <= last:
            count += self.is_workday(day)
            day += timedelta(days=1)
        return count


def parse_holidays(text: str | None, *, field: str = "holidays") -> list[date]:
    """Dates from a configuration string, sorted and without repeats.

    Items are ISO dates separated by commas, semicolons or blanks; ``A..B`` is the inclusive
    range from A to B. An empty or None string gives ``[]``. Raises ValidationFailed naming
    the first item that is not a date or a range that runs backwards.
    """
    out: set[date] = set()
    for item in re.split(r"[\s,;，；]+", (text or "").strip()):
        if not item:
            continue
        first, _, last = item.partition("..")
        try:
            start = date.fromisoformat(first)
            end = date.fromisoformat(last) if last else start
        except ValueError:
            message = f"{item!r} is not a date (YYYY-MM-DD) or a range (YYYY-MM-DD..YYYY-MM-DD)"
            raise ValidationFailed(message, errors={field: [message]}) from None
        if end < start:
            message = f"range {item!r} ends before it starts"
            raise ValidationFailed(message, errors={field: [message]})
        out |= _days((start.isoformat(), end.isoformat()))
    return sorted(out)
