"""ISO 8601 date-times as they appear in GPX, to epoch milliseconds (UTC).

Times with an offset are converted to UTC; times without one are UTC (GPX
1.1). Fractions of a second are truncated to the millisecond. Accepted forms:
``YYYY-MM-DD[T ]hh:mm:ss[.f...][Z|+hh:mm|+hhmm|+hh]``, surrounding whitespace
allowed (XML Schema collapses it), single-digit month, day, hour, minute or
second tolerated as gpxpy does, and the Unicode minus sign in an offset.

:func:`parse_times` decodes the common canonical form for a whole column at
once with numpy; the rare other spellings go through :func:`parse_time_ms`
one by one, which defines the same result for every string both accept.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import numpy as np

_WIDTH = 41  # longer than any canonical time; longer strings take the slow path

_TEXT = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{1,2}):(\d{1,2})"
    r"(?:\.(\d+))?(Z|[+\-\u2212]\d{2}(?::?\d{2})?)?",
    re.ASCII,
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def parse_time_ms(text: str) -> int:
    """Epoch milliseconds (UTC) of one GPX time; ``ValueError`` if it is not one."""
    match = _TEXT.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"not an ISO 8601 date-time: {text!r}")
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    fraction, offset = match.group(7), match.group(8)
    millis = int((fraction or "")[:3].ljust(3, "0"))
    minutes = 0
    if offset and offset != "Z":
        sign = 1 if offset[0] == "+" else -1
        digits = offset[1:].replace(":", "")
        minutes = sign * (int(digits[:2]) * 60 + int(digits[2:4] or 0))
        if abs(minutes) >= 24 * 60 or int(digits[2:4] or 0) > 59:
            raise ValueError(f"offset out of range: {text!r}")
    # datetime() validates the calendar (month lengths, leap years, 23:59:59).
    moment = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    moment -= timedelta(minutes=minutes)
    return (moment - _EPOCH) // timedelta(milliseconds=1) + millis


def _digits(m: np.ndarray, columns: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """The decimal number in ``columns`` of each row, and whether all were digits."""
    value = np.zeros(m.shape[0], dtype=np.int64)
    ok = np.ones(m.shape[0], dtype=bool)
    for column in columns:
        digit = m[:, column].astype(np.int64) - 48
        ok &= (digit >= 0) & (digit <= 9)
        value = value * 10 + digit
    return value, ok


_DIGIT_AT = np.array([c not in (4, 7, 10, 13, 16) for c in range(19)])
_SEPARATORS = {4: ord("-"), 7: ord("-"), 13: ord(":"), 16: ord(":")}
_YEAR_ONE_S = -62135596800  # 0001-01-01T00:00:00Z: datetime's (and gpxpy's) first day


def _parse_plain(m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fast path of :func:`_parse_canonical` for whole seconds in UTC (``Z`` or no zone).

    Most loggers write only this form; checking column by column avoids the
    general path's work on the whole matrix. Returns (epoch ms, ok) like
    :func:`_parse_canonical`, which gives the same value for every row ok here.
    """
    n = m.shape[0]
    ok = ((m[:, 19] == 90) & (m[:, 20] == 0)) | (m[:, 19] == 0)
    for column in range(19):
        if column in _SEPARATORS:
            ok &= m[:, column] == _SEPARATORS[column]
        elif column == 10:
            ok &= (m[:, 10] == 84) | (m[:, 10] == 32)  # 'T' or ' '
        else:
            ok &= m[:, column] - 48 <= 9  # uint8: non-digits wrap above 9
    seconds = np.zeros(n, dtype=np.int64)
    rows = np.flatnonzero(ok)
    if rows.size:
        stamps = np.ascontiguousarray(m[rows, :19])
        stamps[:, 10] = 84
        try:
            # numpy checks the calendar (month lengths, leap years, ranges).
            seconds[rows] = stamps.view("S19").ravel().astype("datetime64[s]").astype(np.int64)
        except ValueError:
            ok[:] = False  # some row is no date; let the general path sort it out
    ok &= seconds >= _YEAR_ONE_S
    return seconds * 1000, ok


def _parse_canonical(m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised parse of ``YYYY-MM-DD[T ]hh:mm:ss[.f+][Z|±hh:mm]`` rows of bytes.

    Returns (epoch ms, ok); rows with ok False must be parsed another way.
    """
    n = m.shape[0]
    head = m[:, :19]
    ok = ((head - 48 <= 9) | ~_DIGIT_AT).all(axis=1)  # uint8: non-digits wrap above 9
    for column, byte in _SEPARATORS.items():
        ok &= head[:, column] == byte
    ok &= (head[:, 10] == 84) | (head[:, 10] == 32)  # 'T' or ' '
    seconds = np.zeros(n, dtype=np.int64)
    rows = np.flatnonzero(ok)
    if rows.size:
        stamps = np.ascontiguousarray(head[rows])
        stamps[:, 10] = 84
        try:
            # numpy checks the calendar (month lengths, leap years, ranges).
            seconds[rows] = stamps.view("S19").ravel().astype("datetime64[s]").astype(np.int64)
        except ValueError:
            ok[:] = False  # some row is no date; let the careful path find it
    ok &= seconds >= _YEAR_ONE_S

    # Fraction: '.' at 19, then a run of digits; only the first three count.
    tail = m[:, 20:]
    is_digit = (tail >= 48) & (tail <= 57)
    has_dot = m[:, 19] == 46
    run = np.cumprod(is_digit, axis=1, dtype=np.int8).sum(axis=1, dtype=np.int64)
    run = np.where(has_dot, run, 0)
    ok &= ~has_dot | (run > 0)
    millis = np.zeros(n, dtype=np.int64)
    for k, weight in enumerate((100, 10, 1)):
        if k < tail.shape[1]:
            digit = tail[:, k].astype(np.int64) - 48
            millis += np.where(run > k, digit * weight, 0)
    rest = np.where(has_dot, 20 + run, 19)

    # Zone: end of string, 'Z', or ±hh:mm — then end of string.
    width = m.shape[1]
    padded = np.concatenate([m, np.zeros((n, 7), dtype=np.uint8)], axis=1)
    at = rest[:, None] + np.arange(7)
    zone = np.take_along_axis(padded, np.minimum(at, width + 6), axis=1)
    first = zone[:, 0]
    naive = first == 0
    zulu = (first == 90) & (zone[:, 1] == 0)
    signed = (first == 43) | (first == 45)
    off_hour, ok_oh = _digits(zone, (1, 2))
    off_min, ok_om = _digits(zone, (4, 5))
    with_offset = signed & ok_oh & ok_om & (zone[:, 3] == 58) & (zone[:, 6] == 0)
    with_offset &= (off_hour <= 23) & (off_min <= 59)
    ok &= naive | zulu | with_offset
    offset_min = np.where(with_offset, np.where(first == 45, -1, 1) * (off_hour * 60 + off_min), 0)
    return (seconds - offset_min * 60) * 1000 + millis, ok


def parse_times(texts: Sequence[str]) -> tuple[np.ndarray, int | None]:
    """Epoch milliseconds (int64, UTC) of each text.

    Returns ``(ms, bad)`` where ``bad`` is the index of the first text that is
    not a date-time (its value in ``ms`` is meaningless), or None.
    """
    n = len(texts)
    if n == 0:
        return np.zeros(0, dtype=np.int64), None
    width = min(max(max(map(len, texts)) + 1, 21), _WIDTH)
    try:
        raw = np.array(texts, dtype=f"S{width}")
    except UnicodeEncodeError:
        raw = None
    if raw is None:
        result = np.zeros(n, dtype=np.int64)
        slow = np.arange(n)
    else:
        m = raw.view(np.uint8).reshape(n, width)
        result, ok = _parse_plain(m)
        rest = np.flatnonzero(~ok)
        if rest.size:
            result[rest], ok[rest] = _parse_canonical(m[rest])
        # A full row may have been cut at the width: never trust it.
        ok &= m[:, width - 1] == 0
        slow = np.flatnonzero(~ok)
    for index in slow.tolist():
        try:
            result[index] = parse_time_ms(texts[index])
        except (ValueError, OverflowError):
            return result, index
    return result, None


def format_ms(ms: int) -> str:
    """ISO 8601 in UTC with an explicit offset, e.g. ``2024-05-01T08:00:00+00:00``.

    Milliseconds are written only when they are not zero.
    """
    moment = _EPOCH + timedelta(milliseconds=int(ms))
    if moment.microsecond:
        return moment.isoformat(timespec="milliseconds")
    return moment.isoformat(timespec="seconds")


def to_ms(moment: datetime) -> int:
    """Epoch milliseconds of an aware datetime; ``ValueError`` for a naive one."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a time without a UTC offset is ambiguous; give an aware datetime")
    return (moment - _EPOCH) // timedelta(milliseconds=1)
