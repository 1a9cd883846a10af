"""China's civil time, in which the domain counts its days, months and years (deadlines,
balances, capacity years, manifest numbers), reads times written without an offset (uploads,
fleet exports, terminals) and prints times (paper, pages)."""

from __future__ import annotations

from datetime import timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: Its name in the tz database, for libraries that take a name (Babel on the web pages).
CHINA_ZONE = "Asia/Shanghai"

try:
    CHINA: tzinfo = ZoneInfo(CHINA_ZONE)
except ZoneInfoNotFoundError:  # no tz database: China has kept UTC+8 without DST since 1991
    CHINA = timezone(timedelta(hours=8), "CST")
