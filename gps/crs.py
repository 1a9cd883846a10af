"""China's map coordinate systems, converted to WGS-84 (vectorised).

Terminals report WGS-84, but maps served in China draw in GCJ-02
(AutoNavi/Amap, Tencent) and Baidu in BD-09, so a route drawn on such a map
is several hundred metres off a WGS-84 track. GCJ-02 is the published
obfuscation formula, applied only inside a bounding box of China (outside it
GCJ-02 equals WGS-84); BD-09 is GCJ-02 rotated and shifted by Baidu's
published formula. Neither has a closed-form inverse: the way back to
WGS-84 is a fixed-point iteration on the forward formula, run until the
forward image of the result is within :data:`RESIDUAL_DEG` of the input
(about 1 mm).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from gps.errors import UnknownCrs
from gps.track import Route, Track
from manifest.texts import Text

WGS84, GCJ02, BD09 = "wgs84", "gcj02", "bd09"
NAMES = (WGS84, GCJ02, BD09)

RESIDUAL_DEG = 1e-8
_MAX_ITERATIONS = 30

# The ellipsoid the GCJ-02 formula is defined on (Krasovsky 1940).
_A = 6378245.0
_EE = 0.00669342162296594323
_BAIDU_K = np.pi * 3000.0 / 180.0


def check_name(name: object) -> str:
    """The declared coordinate system, checked. Raises :class:`UnknownCrs`."""
    if not isinstance(name, str) or name not in NAMES:
        raise UnknownCrs(Text("crs_unknown", choices=list(NAMES), crs=name), crs=name)
    return name


def in_china(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """True where the GCJ-02 offset applies (the formula's rectangle around China)."""
    return (lon >= 72.004) & (lon <= 137.8347) & (lat >= 0.8293) & (lat <= 55.8271)


def _offset_terms(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # x, y: degrees east of 105 E and north of 35 N; the published polynomial
    # and sine series, in metres-like units on the Krasovsky ellipsoid.
    waves = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    root = np.sqrt(np.abs(x))
    north = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * root + waves
    north += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    north += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    east = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * root + waves
    east += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    east += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    return north, east


def wgs84_to_gcj02(lat, lon) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 degrees of WGS-84 positions (unchanged outside China)."""
    lat, lon = np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64)
    north, east = _offset_terms(lon - 105.0, lat - 35.0)
    phi = np.radians(lat)
    w = 1.0 - _EE * np.sin(phi) ** 2
    dlat = north * 180.0 / ((_A * (1.0 - _EE)) / (w * np.sqrt(w)) * np.pi)
    dlon = east * 180.0 / (_A / np.sqrt(w) * np.cos(phi) * np.pi)
    inside = in_china(lat, lon)
    return np.where(inside, lat + dlat, lat), np.where(inside, lon + dlon, lon)


def gcj02_to_bd09(lat, lon) -> tuple[np.ndarray, np.ndarray]:
    """BD-09 degrees of GCJ-02 positions."""
    lat, lon = np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64)
    radius = np.hypot(lon, lat) + 0.00002 * np.sin(lat * _BAIDU_K)
    angle = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * _BAIDU_K)
    return radius * np.sin(angle) + 0.006, radius * np.cos(angle) + 0.0065


def _invert(forward, lat, lon) -> tuple[np.ndarray, np.ndarray]:
    """Positions whose ``forward`` image is (lat, lon), to within RESIDUAL_DEG."""
    target_lat = np.asarray(lat, dtype=np.float64)
    target_lon = np.asarray(lon, dtype=np.float64)
    guess_lat, guess_lon = target_lat.copy(), target_lon.copy()
    for _ in range(_MAX_ITERATIONS):
        image_lat, image_lon = forward(guess_lat, guess_lon)
        miss_lat, miss_lon = image_lat - target_lat, image_lon - target_lon
        guess_lat, guess_lon = guess_lat - miss_lat, guess_lon - miss_lon
        if not (np.abs(miss_lat).max(initial=0.0) > RESIDUAL_DEG) and not (
            np.abs(miss_lon).max(initial=0.0) > RESIDUAL_DEG
        ):
            break
    return guess_lat, guess_lon


def gcj02_to_wgs84(lat, lon) -> tuple[np.ndarray, np.ndarray]:
    """WGS-84 degrees of GCJ-02 positions, by inverting :func:`wgs84_to_gcj02`."""
    return _invert(wgs84_to_gcj02, lat, lon)


def bd09_to_gcj02(lat, lon) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 degrees of BD-09 positions, by inverting :func:`gcj02_to_bd09`."""
    return _invert(gcj02_to_bd09, lat, lon)


def to_wgs84(lat, lon, crs: str) -> tuple[np.ndarray, np.ndarray]:
    """WGS-84 degrees of positions given in ``crs``. Raises :class:`UnknownCrs`."""
    crs = check_name(crs)
    lat, lon = np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64)
    if crs == BD09:
        lat, lon = bd09_to_gcj02(lat, lon)
    if crs in (GCJ02, BD09):
        lat, lon = gcj02_to_wgs84(lat, lon)
    return lat, lon


def _frozen(values: np.ndarray) -> np.ndarray:
    values = np.ascontiguousarray(values, dtype=np.float64)
    values.flags.writeable = False
    return values


def track_to_wgs84(track: Track, crs: str) -> Track:
    """The track with its positions converted from ``crs``; times and problems kept."""
    if check_name(crs) == WGS84:
        return track
    lat, lon = to_wgs84(track.lat, track.lon, crs)
    return dataclasses.replace(track, lat=_frozen(lat), lon=_frozen(lon))


def route_to_wgs84(route: Route, crs: str) -> Route:
    """The route with its points converted from ``crs``."""
    if check_name(crs) == WGS84:
        return route
    lat, lon = to_wgs84(route.lat, route.lon, crs)
    return Route(_frozen(lat), _frozen(lon))
