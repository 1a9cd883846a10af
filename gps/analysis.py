"""Analysis of one trip's GPS track against its plan: :func:`analyse`.

The result, :class:`Analysis`, holds a summary, the episodes found (each named
after the finding type it suggests, with a suggested severity) and the data
problems met while reading the track. Episode kinds (the ``gps`` family of
:mod:`manifest.finding_types`; an episode of any other kind is refused):

====================== =====================================================
kind                   what happened; meaning of ``distance_m``
====================== =====================================================
route_deviation        outside the corridor for ``min_deviation_s`` or more;
                       distance driven outside (``max_distance_m`` in details)
unscheduled_stop       stayed within ``stop_radius_m`` for ``stop_min_s`` or
                       more, outside the origin and destination sites;
                       largest distance of a fix from the stop's centre
gps_gap                no fix for more than ``gap_s``; straight-line distance
                       between the fixes on either side
implausible_speed      consecutive fixes imply more than ``max_speed_kmh``;
                       the longest such step
start_outside_origin   first fix farther than the origin's radius from it;
                       distance of that fix from the origin
end_outside_destination last fix farther than the destination's radius;
                       distance of that fix from the destination
track_missing          part of the pickup-to-delivery interval before the
                       first fix or after the last one, longer than
                       ``gap_s`` (gaps inside the track are gps_gap); 0
====================== =====================================================

Times of an episode are those of the fixes that bound it (for track_missing
one end is the interval's end, without a position). A fix reached by an
implausible step and left by another (a lone teleport) is reported as
implausible_speed and left out of everything else.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import shapely

from gps import detect
from gps.geometry import LocalFrame, RouteGeometry
from gps.settings import PositiveSettings
from gps.times import format_ms, to_ms
from gps.track import Problem, Route, Site, Track
from manifest.finding_types import GPS_KINDS, SEVERITIES

# Every episode is named after a registered finding type of the GPS family, in its order.
KINDS = GPS_KINDS
SUMMARY_KEYS = (
    "fixes",
    "fixes_read",
    "start",
    "end",
    "duration_s",
    "length_km",
    "max_speed_kmh",
    "median_interval_s",
    "inside_corridor_share",
    "route",
    "starts_at_origin",
    "origin_distance_m",
    "ends_at_destination",
    "destination_distance_m",
    "coverage",
    "stops",
    "stops_at_sites",
    "outlier_fixes",
    "duplicates_dropped",
    "out_of_order_dropped",
    "conflicting_dropped",
    "problems",
    "episodes",
)
_COVERAGE_STEP_M = 100.0  # resolution of the route-covered share


@dataclass(frozen=True)
class Thresholds(PositiveSettings, kind="threshold"):
    """Every limit the analysis uses; the defaults are the ones the README promises
    ("GPS tracks and the planned route")."""

    corridor_m: float = 500.0
    """Largest allowed distance from the planned route line (half the corridor's width)."""
    min_deviation_s: float = 60.0
    """Shortest time outside the corridor reported as a route deviation."""
    stop_radius_m: float = 100.0
    """A stop is staying within this distance ..."""
    stop_min_s: float = 300.0
    """... for at least this long."""
    stop_core_m: float = 25.0
    """Distance from a stop's centre counted as standing (for its start and end times)."""
    gap_s: float = 300.0
    """Longest time without a fix that is not a gap (also the tolerance for coverage)."""
    max_speed_kmh: float = 160.0
    """Implied speeds above this between consecutive fixes are implausible."""
    speed_window_s: float = 10.0
    """Window over which the reported maximum speed is averaged."""
    deviation_violation_s: float = 600.0
    """A route deviation this long is suggested as a violation, else a warning."""
    gap_violation_s: float = 1800.0
    """A signal gap this long is suggested as a violation, else a warning."""

    def to_dict(self) -> dict[str, float]:
        """The thresholds by name."""
        return asdict(self)


@dataclass(frozen=True)
class Moment:
    """A time (epoch ms, UTC) and, when known, the position at that time."""

    time_ms: int
    lat: float | None = None
    lon: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """``{"time": ISO 8601 with offset, "lat", "lon"}`` (lat/lon may be null)."""
        return {"time": format_ms(self.time_ms), "lat": _deg(self.lat), "lon": _deg(self.lon)}


@dataclass(frozen=True)
class Episode:
    """Something found in the track, shaped like the finding it suggests."""

    kind: str
    severity: str
    start: Moment
    end: Moment
    distance_m: float
    details: Mapping[str, Any] = field(default_factory=dict)
    fixes: tuple[int, int] | None = None  # first and last track index concerned

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.kind!r} is not a finding type of the GPS family")
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")

    @property
    def duration_s(self) -> float:
        """Seconds from start to end."""
        return (self.end.time_ms - self.start.time_ms) / 1000.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form; ``details`` are merged in at the top level."""
        result = {
            "kind": self.kind,
            "severity": self.severity,
            "start": self.start.to_dict(),
            "end": self.end.to_dict(),
            "duration_s": round(self.duration_s, 3),
            "distance_m": _metres(self.distance_m),
        }
        result.update(_jsonable(self.details))
        return result


@dataclass(frozen=True, eq=False)
class Analysis:
    """The outcome of :func:`analyse`: summary, episodes, problems."""

    summary: Mapping[str, Any]
    episodes: tuple[Episode, ...]
    problems: tuple[Problem, ...]
    thresholds: Thresholds
    track: Track
    route: Route | None = None
    origin: Site | None = None
    destination: Site | None = None
    corridor: Any = None  # shapely Polygon in lon/lat, None without a route

    def episodes_of(self, kind: str) -> list[Episode]:
        """The episodes of one kind, in time order."""
        if kind not in KINDS:
            raise ValueError(f"unknown episode kind {kind!r}")
        return [episode for episode in self.episodes if episode.kind == kind]

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable: ``summary``, ``episodes``, ``problems``, ``thresholds``."""
        return {
            "summary": _jsonable(self.summary),
            "episodes": [episode.to_dict() for episode in self.episodes],
            "problems": [problem.to_dict() for problem in self.problems],
            "thresholds": self.thresholds.to_dict(),
        }

    def to_geojson(self) -> dict[str, Any]:
        """A GeoJSON FeatureCollection (RFC 7946) for maps and desktop GIS.

        Features, each with a ``kind`` property: ``route``, ``corridor``,
        ``origin``, ``destination`` (when given), ``track`` (a MultiLineString
        broken at gaps and implausible jumps) and one feature per episode
        with the episode's properties.
        """
        from gps.geojson import analysis_features

        return {"type": "FeatureCollection", "features": analysis_features(self)}


def gap_severity(seconds: float, thresholds: Thresholds) -> str:
    """The suggested severity of ``seconds`` without a fix (already longer than ``gap_s``)."""
    return "violation" if seconds >= thresholds.gap_violation_s else "warning"


def analyse(
    track: Track,
    *,
    route: Route | None = None,
    origin: Site | None = None,
    destination: Site | None = None,
    interval: tuple[datetime, datetime] | None = None,
    thresholds: Thresholds = Thresholds(),
) -> Analysis:
    """Analyse a cleaned track; every input but the track is optional.

    Without a route there is no corridor analysis (stops, gaps and jumps
    still work); without sites every stop is reported and the start/end
    checks are skipped; without ``interval`` (pickup and delivery signature
    times, aware datetimes) coverage is not checked. Raises ``ValueError``
    for a naive or reversed interval.
    """
    if len(track) == 0:
        raise ValueError("cannot analyse an empty track")
    window = None
    if interval is not None:
        window = (to_ms(interval[0]), to_ms(interval[1]))
        if window[1] < window[0]:
            raise ValueError("the interval ends before it starts")
    return _Run(track, route, origin, destination, window, thresholds).result()


class _Run:
    """One analysis; attributes hold the intermediate arrays."""

    def __init__(
        self,
        track: Track,
        route: Route | None,
        origin: Site | None,
        destination: Site | None,
        window: tuple[int, int] | None,
        th: Thresholds,
    ) -> None:
        self.track, self.route, self.th = track, route, th
        self.origin, self.destination, self.window = origin, destination, window
        self.episodes: list[Episode] = []
        self.summary: dict[str, Any] = {}
        self._stops_total = 0
        self._stops_at_sites = 0
        self._site_xy: dict[Site, tuple[float, float]] = {}

        lats = [track.lat.min(), track.lat.max()]
        lons = [track.lon[0], track.lon.min(), track.lon.max()]
        for site in (origin, destination):
            if site is not None:
                lats.append(site.lat)
                lons.append(site.lon)
        if route is not None:
            lats += [route.lat.min(), route.lat.max()]
            lons += [route.lon.min(), route.lon.max()]
        self.frame = LocalFrame.around(np.array(lats), np.array(lons))

        t_ms = track.time_ms
        self.t = (t_ms - t_ms[0]) / 1000.0
        self.x, self.y = self.frame.forward(track.lat, track.lon)
        steps = detect.step_lengths(self.x, self.y)
        implausible = detect.implausible_steps(self.t, steps, th.max_speed_kmh / 3.6)
        self.spike = detect.spikes(implausible)
        self.jumps = detect.jumps(self.t, steps, implausible)
        self.gaps = detect.gaps(self.t, th.gap_s)

        # Everything geometric works on the fixes that are not lone teleports.
        if self.spike.any():
            self.kept = np.flatnonzero(~self.spike)
            self.kt, self.kx, self.ky = self.t[self.kept], self.x[self.kept], self.y[self.kept]
            self.ksteps = detect.step_lengths(self.kx, self.ky)
            self.kimplausible = detect.implausible_steps(
                self.kt, self.ksteps, th.max_speed_kmh / 3.6
            )
        else:
            self.kept = None
            self.kt, self.kx, self.ky = self.t, self.x, self.y
            self.ksteps, self.kimplausible = steps, implausible

    def index(self, k: int) -> int:
        """Track index of kept fix ``k``."""
        return int(k) if self.kept is None else int(self.kept[k])

    def moment(self, i: int) -> Moment:
        track = self.track
        return Moment(int(track.time_ms[i]), float(track.lat[i]), float(track.lon[i]))

    def add(
        self, kind: str, severity: str, first: int, last: int, distance: float, **details: Any
    ) -> None:
        self.episodes.append(
            Episode(
                kind,
                severity,
                self.moment(first),
                self.moment(last),
                float(distance),
                details,
                (first, last),
            )
        )

    def result(self) -> Analysis:
        th = self.th
        corridor = None
        stop_steps = np.zeros(self.ksteps.shape[0], dtype=bool)
        for span in detect.stops(
            self.kt, self.kx, self.ky, th.stop_radius_m, th.stop_min_s, th.stop_core_m
        ):
            stop_steps[span.first : span.last] = True
            self._stop(span)
        self.summary["stops"] = self._stops_total
        self.summary["stops_at_sites"] = self._stops_at_sites

        for span in self.gaps:
            i, j = span.first, span.last
            dt = self.t[j] - self.t[i]
            distance = math.hypot(self.x[j] - self.x[i], self.y[j] - self.y[i])
            self.add(
                "gps_gap",
                gap_severity(dt, th),
                i,
                j,
                distance,
                implied_speed_kmh=distance / dt * 3.6,
            )
        for span in self.jumps:
            self.add(
                "implausible_speed",
                "warning",
                span.first,
                span.last,
                span.values["max_step_m"],
                max_speed_kmh=span.values["max_speed_ms"] * 3.6,
            )
        if self.route is not None:
            corridor = self._route()
        self._sites()
        self._coverage()
        self._summary(stop_steps)
        self.episodes.sort(key=lambda e: (e.start.time_ms, KINDS.index(e.kind)))
        counts = dict.fromkeys(KINDS, 0)
        for episode in self.episodes:
            counts[episode.kind] += 1
        self.summary["episodes"] = counts
        summary = {key: self.summary[key] for key in SUMMARY_KEYS}
        return Analysis(
            summary=summary,
            episodes=tuple(self.episodes),
            problems=self.track.problems,
            thresholds=th,
            track=self.track,
            route=self.route,
            origin=self.origin,
            destination=self.destination,
            corridor=corridor,
        )

    def _stop(self, span: detect.Span) -> None:
        self._stops_total += 1
        cx, cy = span.values["x"], span.values["y"]
        for site in (self.origin, self.destination):
            if site is not None and self._site_distance(site, cx, cy) <= site.radius_m:
                self._stops_at_sites += 1
                return
        lat, lon = self.frame.inverse(np.array([cx]), np.array([cy]))
        first, last = self.index(span.first), self.index(span.last)
        self.add(
            "unscheduled_stop",
            "warning",
            first,
            last,
            span.values["spread_m"],
            centre={"lat": float(lat[0]), "lon": float(lon[0])},
        )

    def _site_distance(self, site: Site, x: float, y: float) -> float:
        if site not in self._site_xy:
            sx, sy = self.frame.forward(np.array([site.lat]), np.array([site.lon]))
            self._site_xy[site] = (float(sx[0]), float(sy[0]))
        sx, sy = self._site_xy[site]
        return math.hypot(sx - x, sy - y)

    def _route(self) -> Any:
        th, route = self.th, self.route
        assert route is not None
        rx, ry = self.frame.forward(route.lat, route.lon)
        geometry = RouteGeometry(rx, ry, th.corridor_m)
        inside = geometry.inside(self.kx, self.ky)
        outside = np.flatnonzero(~inside)
        near = geometry.nearest(self.kx[outside], self.ky[outside])
        distance_of = np.zeros(self.kx.shape[0])
        progress_of = np.zeros(self.kx.shape[0])
        distance_of[outside] = near.distance_m
        progress_of[outside] = near.progress_m
        for span in detect.outside_runs(self.kt, ~inside, th.min_deviation_s):
            a, b = span.first, span.last
            farthest = a + int(np.argmax(distance_of[a : b + 1]))
            where = self.moment(self.index(farthest))
            self.add(
                "route_deviation",
                "violation" if self.kt[b] - self.kt[a] >= th.deviation_violation_s else "warning",
                self.index(a),
                self.index(b),
                float(self.ksteps[a:b].sum()),
                max_distance_m=float(distance_of[farthest]),
                farthest=where.to_dict(),
                route_km_from=progress_of[a] / 1000.0,
                route_km_to=progress_of[b] / 1000.0,
            )

        # Route covered: fixes inside the corridor, thinned to one per
        # _COVERAGE_STEP_M driven, mark the route around their nearest point.
        driven = np.concatenate([[0.0], np.cumsum(self.ksteps)])
        bucket = np.floor(driven / _COVERAGE_STEP_M)
        first_in_bucket = np.concatenate([[True], bucket[1:] != bucket[:-1]])
        sample = np.flatnonzero(first_in_bucket & inside)
        # Repeated runs over the same road add nothing: one sample per 50 m cell.
        cell = np.floor(self.kx[sample] / 50.0) * 1e6 + np.floor(self.ky[sample] / 50.0)
        sample = sample[np.unique(cell, return_index=True)[1]]
        progress = geometry.nearest(self.kx[sample], self.ky[sample]).progress_m
        self.summary["route"] = {
            "length_km": geometry.length_m / 1000.0,
            "corridor_m": th.corridor_m,
            "inside_share": float(inside.mean()),
            "covered_share": geometry.covered_share(progress, _COVERAGE_STEP_M),
        }
        self.summary["inside_corridor_share"] = float(inside.mean())
        return shapely.transform(geometry.corridor, self._to_lonlat)

    def _to_lonlat(self, xy: np.ndarray) -> np.ndarray:
        lat, lon = self.frame.inverse(xy[:, 0], xy[:, 1])
        return np.column_stack([lon, lat])

    def _sites(self) -> None:
        first, last = self.index(0), self.index(self.kx.shape[0] - 1)
        checks = (
            ("origin", self.origin, first, "start_outside_origin", "starts_at_origin"),
            (
                "destination",
                self.destination,
                last,
                "end_outside_destination",
                "ends_at_destination",
            ),
        )
        for name, site, i, kind, flag in checks:
            if site is None:
                self.summary[flag] = None
                self.summary[f"{name}_distance_m"] = None
                continue
            distance = self._site_distance(site, float(self.x[i]), float(self.y[i]))
            self.summary[flag] = distance <= site.radius_m
            self.summary[f"{name}_distance_m"] = distance
            if distance > site.radius_m:
                self.add(kind, "warning", i, i, distance, site_radius_m=site.radius_m)

    def _coverage(self) -> None:
        if self.window is None:
            self.summary["coverage"] = None
            return
        begin, finish = self.window
        t_ms = self.track.time_ms
        first, last = int(t_ms[0]), int(t_ms[-1])
        uncovered: list[tuple[int, int, str]] = []
        if first > begin:
            uncovered.append((begin, min(first, finish), "before_first_fix"))
        for span in self.gaps:
            a, b = max(int(t_ms[span.first]), begin), min(int(t_ms[span.last]), finish)
            if a < b:
                uncovered.append((a, b, "gps_gap"))
        if last < finish:
            uncovered.append((max(last, begin), finish, "after_last_fix"))
        total = finish - begin
        missing = sum(b - a for a, b, _ in uncovered)
        self.summary["coverage"] = {
            "from": format_ms(begin),
            "to": format_ms(finish),
            "covered_share": 1.0 if total == 0 else 1.0 - missing / total,
            "uncovered": [
                {
                    "from": format_ms(a),
                    "to": format_ms(b),
                    "duration_s": (b - a) / 1000.0,
                    "reason": why,
                }
                for a, b, why in uncovered
            ],
        }
        none_inside = last < begin or first > finish
        for a, b, why in uncovered:
            if why == "gps_gap" or (b - a) / 1000.0 <= self.th.gap_s:
                continue
            known = self.moment(0 if why == "before_first_fix" else len(self.track) - 1)
            start = Moment(a) if why == "before_first_fix" else Moment(a, known.lat, known.lon)
            end = Moment(b, known.lat, known.lon) if why == "before_first_fix" else Moment(b)
            if none_inside:
                start, end = Moment(a), Moment(b)
            self.episodes.append(
                Episode(
                    "track_missing",
                    "violation" if none_inside else "warning",
                    start,
                    end,
                    0.0,
                    {"reason": "no_fix_in_interval" if none_inside else why},
                )
            )

    def _summary(self, stop_steps: np.ndarray) -> None:
        track, th = self.track, self.th
        t_ms = track.time_ms
        dt = np.diff(self.kt)
        usable = ~self.kimplausible
        length = float(self.ksteps[usable & ~stop_steps].sum())
        cumulative = np.concatenate([[0.0], np.cumsum(np.where(usable, self.ksteps, 0.0))])
        max_speed = detect.windowed_max_speed(
            self.kt, cumulative, th.speed_window_s, usable & (dt <= th.gap_s)
        )
        dropped = {problem.code: problem.count for problem in track.problems}
        self.summary.update(
            {
                "fixes": len(track),
                "fixes_read": track.fixes_read,
                "start": format_ms(int(t_ms[0])),
                "end": format_ms(int(t_ms[-1])),
                "duration_s": (int(t_ms[-1]) - int(t_ms[0])) / 1000.0,
                "length_km": length / 1000.0,
                "max_speed_kmh": None if max_speed is None else max_speed * 3.6,
                "median_interval_s": float(np.median(np.diff(self.t))) if len(track) > 1 else None,
                "outlier_fixes": int(self.spike.sum()),
                "duplicates_dropped": dropped.get("duplicate_fixes", 0),
                "out_of_order_dropped": dropped.get("out_of_order_fixes", 0),
                "conflicting_dropped": dropped.get("conflicting_fixes", 0),
                "problems": len(track.problems),
            }
        )
        self.summary.setdefault("route", None)
        self.summary.setdefault("inside_corridor_share", None)


def _deg(value: float | None) -> float | None:
    return None if value is None else round(float(value), 7)


def _metres(value: float) -> float:
    return round(float(value), 1)


def _jsonable(value: Any, key: str = "") -> Any:
    """Plain JSON types, with floats rounded by what they measure."""
    if isinstance(value, Mapping):
        return {k: _jsonable(v, k) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v, key) for v in value]
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        value = float(value)
        if not math.isfinite(value):
            return None
        if key in ("lat", "lon"):
            return round(value, 7)
        if key.endswith("_share"):
            return round(value, 4)
        if key.endswith("_km") or key.startswith("route_km"):
            return round(value, 3)
        if key.endswith("_s"):
            return round(value, 3)
        return round(value, 1)
    return value
