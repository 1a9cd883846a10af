"""Manifest numbers: year (4) + province and city (4) + serial (6), e.g. 20264407000123."""

from __future__ import annotations

import re
from datetime import datetime

from .errors import ValidationFailed
from .local_time import CHINA

NUMBER_RE = re.compile(r"^(\d{4})(\d{4})(\d{6})$", re.ASCII)
MAX_SERIAL = 999_999


def city_of(region_code: str) -> str:
    """The 4-digit province-and-city part of a division code (440703 -> 4407)."""
    return region_code[:4]


def issue_year(at: datetime) -> int:
    """Numbers follow the calendar year in China, not in UTC."""
    return at.astimezone(CHINA).year


def format_number(year: int, city: str, serial: int) -> str:
    if not 1 <= serial <= MAX_SERIAL:
        raise ValidationFailed(f"serial {serial} out of range for city {city} in {year}")
    return f"{year:04d}{city}{serial:06d}"


def parse_number(number: str) -> tuple[int, str, int]:
    """Split a 14-digit number into (year, city, serial). Raises ValidationFailed."""
    m = NUMBER_RE.match(number or "")
    if not m or int(m.group(3)) == 0:
        raise ValidationFailed(f"{number!r} is not a 14-digit manifest number")
    return int(m.group(1)), m.group(2), int(m.group(3))


def looks_like_number(ref: str) -> bool:
    return bool(NUMBER_RE.match(ref or ""))
