"""Writing a track as GPX 1.1, exactly: coordinates given in millionths of a degree are
written as decimal degrees with six places, so reading the file back gives the same
numbers a terminal reported."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime


def _micro(value: int) -> str:
    sign = "-" if value < 0 else ""
    whole, part = divmod(abs(int(value)), 1_000_000)
    return f"{sign}{whole}.{part:06d}"


def gpx_from_micro_degrees(
    lat_e6: Sequence[int], lon_e6: Sequence[int], times: Sequence[datetime], name: str = ""
) -> bytes:
    """A GPX 1.1 document with one track segment of the given fixes, in the given order.

    Times must be aware; they are written in UTC to the second (or with microseconds when
    they have any). Raises ValueError for sequences of different lengths or a naive time."""
    if not len(lat_e6) == len(lon_e6) == len(times):
        raise ValueError("latitudes, longitudes and times differ in number")
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        '<gpx version="1.1" creator="hwm" xmlns="http://www.topografix.com/GPX/1/1">\n',
        f"<trk><name>{_escape(name)}</name><trkseg>\n",
    ]
    for lat, lon, at in zip(lat_e6, lon_e6, times, strict=True):
        if at.tzinfo is None:
            raise ValueError("a fix time without an offset")
        stamp = at.astimezone(UTC).isoformat().replace("+00:00", "Z")
        out.append(f'<trkpt lat="{_micro(lat)}" lon="{_micro(lon)}"><time>{stamp}</time></trkpt>\n')
    out.append("</trkseg></trk>\n</gpx>\n")
    return "".join(out).encode()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
