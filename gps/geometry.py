"""Metric geometry for a trip: a local plane, the route, its corridor.

Positions are projected onto the plane tangent to the WGS84 ellipsoid at the
centre of the trip (east/north metres, "local ENU"), both ways in closed form
with numpy. This is exactly PROJ's ellipsoidal orthographic projection
(``+proj=ortho +ellps=WGS84``), which the tests check against pyproj.
Distances in the plane are within 0.01% of geodesic distances up to 100 km
from the centre and within 0.3% up to 500 km — far below GPS noise for
corridor and stop tests — and the projection of a million fixes costs a
tenth of what PROJ's per-point transformation costs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely

_A = 6378137.0  # WGS84 semi-major axis (m)
_F = 1 / 298.257223563
_E2 = _F * (2 - _F)
_B2 = _A * _A * (1 - _E2)  # semi-minor axis squared


class LocalFrame:
    """A metric plane tangent to the ellipsoid at (``lat0``, ``lon0``)."""

    def __init__(self, lat0: float, lon0: float) -> None:
        self.lat0 = float(lat0)
        self.lon0 = float(lon0)
        phi0 = np.radians(self.lat0)
        self._sin0, self._cos0 = float(np.sin(phi0)), float(np.cos(phi0))
        n0 = _A / np.sqrt(1 - _E2 * self._sin0**2)
        self._x0 = float(n0 * self._cos0)
        self._z0 = float(n0 * (1 - _E2) * self._sin0)

    @classmethod
    def around(cls, lat: np.ndarray, lon: np.ndarray) -> LocalFrame:
        """A frame centred on the middle of the bounding box of the positions."""
        return cls((float(lat.min()) + float(lat.max())) / 2, _middle_lon(lon))

    def forward(self, lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """East and north metres of WGS84 positions (arrays of degrees)."""
        phi = np.radians(lat)
        dlam = np.radians(np.remainder(np.asarray(lon) - self.lon0 + 180.0, 360.0) - 180.0)
        sin_phi, cos_phi = np.sin(phi), np.cos(phi)
        n = _A / np.sqrt(1 - _E2 * sin_phi * sin_phi)
        n_cos = n * cos_phi
        east = n_cos * np.sin(dlam)
        north = -self._sin0 * (n_cos * np.cos(dlam) - self._x0) + self._cos0 * (
            n * (1 - _E2) * sin_phi - self._z0
        )
        return east, north

    @property
    def crs(self) -> Any:
        """The plane as a pyproj CRS (for checks and for exporting plane coordinates)."""
        import pyproj

        return pyproj.CRS.from_proj4(
            f"+proj=ortho +lat_0={self.lat0!r} +lon_0={self.lon0!r} +ellps=WGS84 +units=m"
        )

    def inverse(self, east: np.ndarray, north: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Latitude and longitude (degrees) of plane coordinates.

        The point of the ellipsoid below (or above) the plane point: solve for
        the height ``u`` along the local vertical that puts it on the surface,
        taking the root on the near side.
        """
        east, north = np.asarray(east, dtype=float), np.asarray(north, dtype=float)
        x_c = self._x0 - north * self._sin0  # earth-centred, rotated to lon0 = 0
        z_c = self._z0 + north * self._cos0
        a2 = _A * _A
        qa = self._cos0**2 / a2 + self._sin0**2 / _B2
        qb = 2 * (x_c * self._cos0 / a2 + z_c * self._sin0 / _B2)
        qc = (x_c * x_c + east * east) / a2 + z_c * z_c / _B2 - 1
        u = -2 * qc / (qb + np.sqrt(qb * qb - 4 * qa * qc))
        x, z = x_c + u * self._cos0, z_c + u * self._sin0
        lat = np.degrees(np.arctan2(z, (1 - _E2) * np.hypot(x, east)))
        lon = np.remainder(self.lon0 + np.degrees(np.arctan2(east, x)) + 180.0, 360.0) - 180.0
        return lat, lon


def _middle_lon(lon: np.ndarray) -> float:
    # Trips never span half the globe; unwrap around the first fix so a trip
    # across the antimeridian is not centred on the other side of the Earth.
    first = float(lon.flat[0])
    relative = np.remainder(lon - first + 180.0, 360.0) - 180.0
    middle = first + (float(relative.min()) + float(relative.max())) / 2
    return float(np.remainder(middle + 180.0, 360.0) - 180.0)


@dataclass
class Nearest:
    """Where fixes are relative to the route."""

    distance_m: np.ndarray  # shortest distance to the route line
    progress_m: np.ndarray  # distance along the route to the nearest point


class RouteGeometry:
    """The route as a line in a :class:`LocalFrame`, with its corridor.

    The corridor is every point within ``corridor_m`` of the route line (a
    buffer with round ends): ``corridor_m`` is the largest allowed distance
    from the route, i.e. half the corridor's total width.
    """

    def __init__(self, x: np.ndarray, y: np.ndarray, corridor_m: float) -> None:
        if not corridor_m > 0:
            raise ValueError("corridor_m must be positive")
        self.corridor_m = float(corridor_m)
        coords = np.column_stack([x, y])
        self.line = shapely.linestrings(coords)
        # The polygon's arcs are chords inside the exact buffer, so a fix in
        # the polygon is certainly inside; the rest get an exact distance.
        self.corridor = shapely.buffer(self.line, self.corridor_m, quad_segs=16)
        shapely.prepare(self.corridor)
        self._start = coords[:-1]
        self._vector = coords[1:] - coords[:-1]
        self._length = np.hypot(self._vector[:, 0], self._vector[:, 1])
        self._offset = np.concatenate([[0.0], np.cumsum(self._length)[:-1]])
        self.length_m = float(self._length.sum())
        segments = shapely.linestrings(np.stack([coords[:-1], coords[1:]], axis=1))
        self._tree = shapely.STRtree(segments)

    def inside(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """True where a fix is within ``corridor_m`` of the route (exactly)."""
        inside = shapely.contains_xy(self.corridor, x, y)
        unsure = np.flatnonzero(~inside)
        if unsure.size:
            near = self.nearest(x[unsure], y[unsure])
            inside[unsure] = near.distance_m <= self.corridor_m
        return inside

    def nearest(self, x: np.ndarray, y: np.ndarray) -> Nearest:
        """Distance to the route and progress along it for each fix."""
        if x.size == 0:
            return Nearest(np.zeros(0), np.zeros(0))
        points = shapely.points(x, y)
        (which, segment), distance = self._tree.query_nearest(
            points, return_distance=True, all_matches=False
        )
        order = np.argsort(which, kind="stable")
        segment, distance = segment[order], distance[order]
        start, vector, length = self._start[segment], self._vector[segment], self._length[segment]
        along = ((x - start[:, 0]) * vector[:, 0] + (y - start[:, 1]) * vector[:, 1]) / length
        progress = self._offset[segment] + np.clip(along, 0.0, length)
        return Nearest(distance_m=distance, progress_m=progress)

    def covered_share(self, progress_m: np.ndarray, reach_m: float) -> float:
        """Share of the route within ``reach_m`` (along it) of the given progress values."""
        if progress_m.size == 0 or self.length_m == 0:
            return 0.0
        lo = np.clip(np.sort(progress_m) - reach_m, 0.0, self.length_m)
        hi = np.clip(np.sort(progress_m) + reach_m, 0.0, self.length_m)
        # Union of the intervals [lo, hi]: they are sorted by start and have equal widths.
        reach_so_far = np.maximum.accumulate(hi)
        new_start = np.concatenate([[True], lo[1:] > reach_so_far[:-1]])
        starts = lo[new_start]
        ends = np.maximum.reduceat(hi, np.flatnonzero(new_start))
        return float(np.sum(ends - starts) / self.length_m)
