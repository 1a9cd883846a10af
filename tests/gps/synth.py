"""Synthetic sludge-truck drives in Jiangmen, with known injected events.

Independent of the ``gps`` package (its own projection, its own GPX writer),
so the tests compare the analysis with a ground truth it did not produce.

A truck drives the planned route from an industrial park in Pengjiang
(22.580 N, 113.080 E) to a disposal centre about 20 km to the north-east,
1 fix per second, with realistic acceleration and braking, speed limits,
dwell at both sites, and GPS noise modelled as a slowly drifting error
(first-order Gauss-Markov, a few metres) plus sub-metre jitter. Stops,
deviations, signal gaps and teleports can be injected; :class:`Trip` records
when each really happened.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np

ORIGIN = (22.5800, 113.0800)  # industrial park, Pengjiang District
DESTINATION = (22.7300, 113.1800)  # hazardous-waste disposal centre
WAYPOINTS = [
    ORIGIN,
    (22.5950, 113.0900),
    (22.6300, 113.0950),
    (22.6700, 113.1300),
    (22.7100, 113.1500),
    DESTINATION,
]
START = datetime(2024, 5, 6, 1, 30, tzinfo=UTC)  # 09:30 Beijing time

_A = 6378137.0
_E2 = 0.00669437999014


class Plane:
    """Local equirectangular metres around a reference point (good to ~1e-4 here)."""

    def __init__(self, lat0: float, lon0: float) -> None:
        phi = math.radians(lat0)
        w = math.sqrt(1 - _E2 * math.sin(phi) ** 2)
        self.m_per_deg_lat = math.radians(1) * _A * (1 - _E2) / w**3
        self.m_per_deg_lon = math.radians(1) * _A * math.cos(phi) / w
        self.lat0, self.lon0 = lat0, lon0

    def xy(self, lat, lon):
        lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
        return (lon - self.lon0) * self.m_per_deg_lon, (lat - self.lat0) * self.m_per_deg_lat

    def latlon(self, x, y):
        return self.lat0 + np.asarray(y) / self.m_per_deg_lat, self.lon0 + np.asarray(
            x
        ) / self.m_per_deg_lon


PLANE = Plane(22.65, 113.13)


@dataclass
class Event:
    """Something injected, with its true start and end (epoch seconds)."""

    kind: str
    start: float
    end: float
    where: tuple[float, float] | None = None  # lat, lon


@dataclass
class Trip:
    """A generated drive: one fix per row, times in epoch seconds (UTC)."""

    t: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    ele: np.ndarray
    offset_m: np.ndarray  # true distance from the route line (lateral offset)
    events: list[Event] = field(default_factory=list)

    def __len__(self) -> int:
        return int(self.t.shape[0])

    def of(self, kind: str) -> list[Event]:
        return [event for event in self.events if event.kind == kind]

    def to_gpx(self, *, version: str = "1.1", utc_offset_h: int = 0, segments: int = 1) -> bytes:
        """The drive as a GPX document (times written in the given UTC offset)."""
        namespace = f"http://www.topografix.com/GPX/{version.replace('.', '/')}"
        zone = "Z" if utc_offset_h == 0 else f"{utc_offset_h:+03d}:00"
        local = self.t + utc_offset_h * 3600
        stamps = np.datetime_as_string(
            (local * 1000).round().astype("int64").astype("datetime64[ms]"), unit="s"
        )
        cuts = np.linspace(0, len(self), segments + 1).astype(int)
        out = [
            '<?xml version="1.0" encoding="UTF-8"?>\n',
            f'<gpx version="{version}" creator="hwm synth" xmlns="{namespace}">\n',
            "<trk><name>synthetic sludge run</name>\n",
        ]
        lat, lon, ele = self.lat.tolist(), self.lon.tolist(), self.ele.tolist()
        stamps = stamps.tolist()
        for a, b in zip(cuts[:-1], cuts[1:], strict=True):
            out.append("<trkseg>\n")
            out.extend(
                f'<trkpt lat="{lat[i]:.7f}" lon="{lon[i]:.7f}"><ele>{ele[i]:.1f}</ele>'
                f"<time>{stamps[i]}{zone}</time></trkpt>\n"
                for i in range(a, b)
            )
            out.append("</trkseg>\n")
        out.append("</trk>\n</gpx>\n")
        return "".join(out).encode()


def route_geojson(waypoints=WAYPOINTS) -> bytes:
    """The planned route as a GeoJSON Feature."""
    return json.dumps(
        {
            "type": "Feature",
            "properties": {"name": "Pengjiang industrial park to disposal centre"},
            "geometry": {
                "type": "LineString",
                "coordinates": [[lon, lat] for lat, lon in waypoints],
            },
        }
    ).encode()


class _Path:
    def __init__(self, waypoints) -> None:
        lat, lon = zip(*waypoints, strict=True)
        self.x, self.y = PLANE.xy(lat, lon)
        self.seg = np.hypot(np.diff(self.x), np.diff(self.y))
        self.cum = np.concatenate([[0.0], np.cumsum(self.seg)])
        self.length = float(self.cum[-1])

    def at(self, s: np.ndarray, offset: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        i = np.clip(np.searchsorted(self.cum, s, side="right") - 1, 0, len(self.seg) - 1)
        f = (s - self.cum[i]) / self.seg[i]
        dx, dy = np.diff(self.x)[i] / self.seg[i], np.diff(self.y)[i] / self.seg[i]
        px, py = self.x[i] + f * self.seg[i] * dx, self.y[i] + f * self.seg[i] * dy
        return px - dy * offset, py + dx * offset  # offset to the left of travel


def _speed_limit(s: float, length: float) -> float:
    if s < 3000 or s > length - 2500:
        return 50 / 3.6  # town roads at both ends
    return 80 / 3.6  # expressway; loaded trucks are limited to 80 km/h


def _leg(length: float, stops: list[tuple[float, float]], dwell_s: float, t0: int):
    """Kinematics of one leg at 1 Hz: (time, s) rows plus the stop intervals."""
    accel, brake = 0.8, 1.2
    targets = sorted(stops) + [(length, dwell_s)]
    rows: list[tuple[int, float]] = []
    halts: list[tuple[int, int, float]] = []
    t, s, v = t0, 0.0, 0.0
    for position, dwell in targets:
        while True:
            rows.append((t, s))
            remaining = position - s
            allowed = math.sqrt(2 * brake * max(remaining, 0.0))
            v = min(v + accel, _speed_limit(s, length), allowed)
            t += 1
            if v >= remaining or remaining < 0.3:
                s, v = position, 0.0
                break
            s += v
        arrival = t
        for _ in range(int(dwell)):
            rows.append((t, s))
            t += 1
        halts.append((arrival, t - 1, position))
    return rows, halts, t


def drive(
    *,
    seed: int = 7,
    start: datetime = START,
    stops: list[tuple[float, float]] = (),
    deviations: list[tuple[float, float, float]] = (),
    gaps: list[tuple[float, float]] = (),
    teleports: list[float] = (),
    legs: int = 1,
    dwell_s: float = 180,
    noise_m: float = 3.0,
) -> Trip:
    """Generate a drive along the planned route (and back, for ``legs`` > 1).

    ``stops``: (km along the first leg, seconds standing); ``deviations``:
    (from km, to km, metres off the route) on the first leg; ``gaps``:
    (seconds after start, seconds without fixes); ``teleports``: seconds after
    start of single fixes moved 5 km away. Each leg begins and ends with
    ``dwell_s`` at the site.
    """
    rng = np.random.default_rng(seed)
    path = _Path(WAYPOINTS)
    t0 = int(start.timestamp())
    times, along, leg_of, events = [], [], [], []
    t = t0
    for leg in range(legs):
        rows = [(t + i, 0.0) for i in range(int(dwell_s))]  # loading at the site
        t += int(dwell_s)
        leg_rows, halts, t = _leg(
            path.length, [(km * 1000, sec) for km, sec in stops] if leg == 0 else [], dwell_s, t
        )
        rows += leg_rows
        for arrival, departure, position in halts[:-1]:
            lat, lon = PLANE.latlon(*path.at(np.array([position]), np.array([0.0])))
            events.append(Event("stop", arrival, departure, (float(lat[0]), float(lon[0]))))
        times += [row[0] for row in rows]
        along += [row[1] for row in rows]
        leg_of += [leg] * len(rows)
    time = np.array(times, dtype=float)
    s = np.array(along)
    backwards = np.array(leg_of) % 2 == 1
    s = np.where(backwards, path.length - s, s)

    offset = np.zeros_like(s)
    first_leg = np.array(leg_of) == 0
    for from_km, to_km, metres in deviations:
        ramp = 1.5 * metres
        a, b = from_km * 1000, to_km * 1000
        shape = np.clip(np.minimum((s - a) / ramp, (b - s) / ramp), 0.0, 1.0)
        offset = np.where(first_leg, np.maximum(offset, metres * shape), offset)
    x, y = path.at(s, offset)

    # GPS error: a slowly wandering bias (tau 60 s) plus jitter.
    n = time.shape[0]
    rho = math.exp(-1 / 60)
    drive_noise = rng.normal(0.0, noise_m * math.sqrt(1 - rho**2), size=(n, 2))
    bias = np.empty((n, 2))
    bias[0] = rng.normal(0.0, noise_m, 2)
    for i in range(1, n):
        bias[i] = rho * bias[i - 1] + drive_noise[i]
    jitter = rng.normal(0.0, 0.5, size=(n, 2))
    x = x + bias[:, 0] + jitter[:, 0]
    y = y + bias[:, 1] + jitter[:, 1]

    keep = np.ones(n, dtype=bool)
    for after_s, seconds in gaps:
        hole = (time > t0 + after_s) & (time < t0 + after_s + seconds)
        keep &= ~hole
        before = time[~hole & (time <= t0 + after_s)][-1]
        after = time[~hole & (time >= t0 + after_s + seconds)][0]
        events.append(Event("gap", float(before), float(after)))
    for after_s in teleports:
        i = int(np.searchsorted(time, t0 + after_s))
        x[i] += 5000.0
        events.append(Event("teleport", float(time[i]), float(time[i])))

    lat, lon = PLANE.latlon(x, y)
    ele = 8 + 6 * np.sin(s / 3000) + rng.normal(0, 1.5, n)
    events.sort(key=lambda e: e.start)
    return Trip(time[keep], lat[keep], lon[keep], ele[keep], offset[keep], events)


def iso(epoch_s: float) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=epoch_s)
