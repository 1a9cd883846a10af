"""The values the parsers produce: tracks, routes, sites and data problems.

:func:`build_track` is the one place where raw fixes become a :class:`Track`,
whichever parser read them, so both parsers validate and clean identically.

Cleaning rules (each reported as a :class:`Problem`, never silently):

* A fix whose time is earlier than a fix before it in the file is **dropped**
  (``out_of_order_fixes``). Sorting would invent a path from timestamps a
  logger got wrong; dropping keeps the recorded order, which is the evidence,
  and the original file is kept with its hash anyway.
* A fix with the same time and position as the previous kept fix is dropped
  (``duplicate_fixes``).
* A fix with the same time as the previous kept fix but another position is
  dropped too (``conflicting_fixes``): two places at one instant cannot both
  be true and the first one recorded is kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gps.errors import BadCoordinate, EmptyRoute, EmptyTrack
from manifest.texts import Text


@dataclass(frozen=True)
class Problem:
    """Something wrong in the data that did not prevent the analysis."""

    code: str
    message: str
    count: int = 1
    first_fix: int | None = None  # 1-based number of the first fix concerned, in file order

    def to_dict(self) -> dict[str, object]:
        """JSON-serialisable form."""
        return {
            "code": self.code,
            "message": self.message,
            "count": self.count,
            "first_fix": self.first_fix,
        }


@dataclass(frozen=True)
class Site:
    """A place where a trip should start or end: a circle around a point."""

    lat: float
    lon: float
    radius_m: float = 300.0

    def __post_init__(self) -> None:
        _check_point(self.lat, self.lon)
        if not (self.radius_m > 0 and np.isfinite(self.radius_m)):
            raise ValueError("a site radius must be a positive number of metres")


def _check_point(lat: float, lon: float) -> None:
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise ValueError(f"not a WGS84 position: lat {lat!r}, lon {lon!r}")


def _readonly(values: np.ndarray, dtype: type) -> np.ndarray:
    array = np.ascontiguousarray(values, dtype=dtype)
    if array.base is not None:
        array = array.copy()  # never share memory with the caller's arrays
    array.flags.writeable = False
    return array


@dataclass(frozen=True, eq=False)
class Track:
    """A cleaned GPS log: fixes in time order, no two with the same time.

    ``lat``/``lon`` are WGS84 degrees (float64), ``time_ms`` milliseconds since
    1970-01-01 UTC (int64, strictly increasing), ``ele`` metres (float64, NaN
    where the file has none). Arrays are read-only. ``fixes_read`` counts the
    fixes in the file; ``problems`` says what was dropped and why.
    """

    lat: np.ndarray
    lon: np.ndarray
    time_ms: np.ndarray
    ele: np.ndarray
    fixes_read: int
    problems: tuple[Problem, ...] = field(default=())

    def __len__(self) -> int:
        return int(self.lat.shape[0])

    def same_as(self, other: Track) -> bool:
        """True when both tracks hold exactly the same fixes and problems."""
        return (
            np.array_equal(self.lat, other.lat)
            and np.array_equal(self.lon, other.lon)
            and np.array_equal(self.time_ms, other.time_ms)
            and np.array_equal(self.ele, other.ele, equal_nan=True)
            and self.fixes_read == other.fixes_read
            and self.problems == other.problems
        )


@dataclass(frozen=True, eq=False)
class Route:
    """A planned route: at least two distinct WGS84 points, in driving order."""

    lat: np.ndarray
    lon: np.ndarray

    def __len__(self) -> int:
        return int(self.lat.shape[0])


def check_coordinates(
    lat: np.ndarray, lon: np.ndarray, first_fix: int = 1, key: str = "fix_out_of_range"
) -> None:
    """Raise :class:`BadCoordinate` naming the first point outside WGS84 ranges.

    NaN (a missing or non-numeric value) and infinities are out of range too. ``key`` is
    the sentence that names the point (a track's fix or a route's point).
    """
    bad = ~((lat >= -90.0) & (lat <= 90.0) & (lon >= -180.0) & (lon <= 180.0))
    if bad.any():
        index = int(np.argmax(bad))
        fix = index + first_fix
        raise BadCoordinate(
            Text(key, fix=fix, lat=repr(float(lat[index])), lon=repr(float(lon[index]))), fix=fix
        )


def build_track(lat: np.ndarray, lon: np.ndarray, time_ms: np.ndarray, ele: np.ndarray) -> Track:
    """Validate and clean raw fixes (in file order) into a :class:`Track`.

    Raises :class:`EmptyTrack` when there is no fix and :class:`BadCoordinate`
    for the first fix with an invalid position. Dropped fixes are reported as
    problems (see the module docstring for the rules).
    """
    lat = np.asarray(lat, dtype=np.float64)
    lon = np.asarray(lon, dtype=np.float64)
    time_ms = np.asarray(time_ms, dtype=np.int64)
    ele = np.asarray(ele, dtype=np.float64)
    n = lat.shape[0]
    if n == 0:
        raise EmptyTrack(Text("track_empty"))
    check_coordinates(lat, lon)
    problems: list[Problem] = []

    # Out of order: earlier than the latest time seen before it.
    previous_max = np.empty(n, dtype=np.int64)
    previous_max[0] = np.iinfo(np.int64).min
    np.maximum.accumulate(time_ms[:-1], out=previous_max[1:])
    late = time_ms < previous_max
    keep = ~late
    if late.any():
        problems.append(
            Problem(
                "out_of_order_fixes",
                f"{int(late.sum())} fixes earlier than a fix before them were dropped",
                int(late.sum()),
                int(np.argmax(late)) + 1,
            )
        )

    # Same time as the previous kept fix: a duplicate or a contradiction.
    kept = np.flatnonzero(keep)
    t = time_ms[kept]
    repeat = np.zeros(kept.shape[0], dtype=bool)
    repeat[1:] = t[1:] == t[:-1]
    if repeat.any():
        # Compare each repeat with the first fix of its run of equal times.
        run_start = np.maximum.accumulate(np.where(repeat, 0, np.arange(kept.shape[0])))
        first = kept[run_start]
        same_place = (lat[kept] == lat[first]) & (lon[kept] == lon[first])
        duplicate = repeat & same_place
        conflict = repeat & ~same_place
        for mask, code, what in (
            (duplicate, "duplicate_fixes", "repeating the time and position of a fix before"),
            (conflict, "conflicting_fixes", "with the time of a fix before but another position"),
        ):
            if mask.any():
                count = int(mask.sum())
                problems.append(
                    Problem(
                        code,
                        f"{count} fixes {what} them were dropped",
                        count,
                        int(kept[np.argmax(mask)]) + 1,
                    )
                )
        keep[kept[repeat]] = False

    if not keep.all():
        lat, lon, time_ms, ele = lat[keep], lon[keep], time_ms[keep], ele[keep]
    return Track(
        lat=_readonly(lat, np.float64),
        lon=_readonly(lon, np.float64),
        time_ms=_readonly(time_ms, np.int64),
        ele=_readonly(ele, np.float64),
        fixes_read=n,
        problems=tuple(problems),
    )


def build_route(lat: np.ndarray, lon: np.ndarray) -> Route:
    """Validate route points; repeated consecutive points are merged.

    Raises :class:`BadCoordinate` for a point outside WGS84 ranges and
    :class:`EmptyRoute` when fewer than two distinct points remain.
    """
    lat = np.asarray(lat, dtype=np.float64)
    lon = np.asarray(lon, dtype=np.float64)
    check_coordinates(lat, lon, key="route_point_out_of_range")
    if lat.shape[0]:
        moved = np.ones(lat.shape[0], dtype=bool)
        moved[1:] = (lat[1:] != lat[:-1]) | (lon[1:] != lon[:-1])
        lat, lon = lat[moved], lon[moved]
    if lat.shape[0] < 2:
        raise EmptyRoute(Text("route_too_short"))
    return Route(lat=_readonly(lat, np.float64), lon=_readonly(lon, np.float64))
