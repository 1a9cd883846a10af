"""GeoJSON (RFC 7946) layers of an analysis: WGS84 longitude/latitude."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

if TYPE_CHECKING:
    from gps.analysis import Analysis, Episode

_DIGITS = 7  # about 1 cm


def _coords(lon: np.ndarray, lat: np.ndarray) -> list[list[float]]:
    return np.round(np.column_stack([lon, lat]), _DIGITS).tolist()


def _feature(geometry: dict[str, Any] | None, **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def _line(lon: np.ndarray, lat: np.ndarray) -> dict[str, Any]:
    return {"type": "LineString", "coordinates": _coords(lon, lat)}


def _point(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [round(lon, _DIGITS), round(lat, _DIGITS)]}


def _polygon(polygon: Any) -> dict[str, Any]:
    rings = [polygon.exterior, *polygon.interiors]
    return {
        "type": "Polygon",
        "coordinates": [np.round(np.asarray(ring.coords), _DIGITS).tolist() for ring in rings],
    }


def analysis_features(analysis: Analysis) -> list[dict[str, Any]]:
    """The features of :meth:`gps.analysis.Analysis.to_geojson`, in drawing order."""
    features = []
    if analysis.route is not None:
        route = analysis.route
        summary = analysis.summary["route"]
        features.append(
            _feature(
                _line(route.lon, route.lat),
                kind="route",
                length_km=round(summary["length_km"], 3),
            )
        )
    if analysis.corridor is not None:
        corridor = analysis.corridor
        if isinstance(corridor, shapely.MultiPolygon):
            geometry = {
                "type": "MultiPolygon",
                "coordinates": [_polygon(part)["coordinates"] for part in corridor.geoms],
            }
        else:
            geometry = _polygon(corridor)
        features.append(
            _feature(geometry, kind="corridor", corridor_m=analysis.thresholds.corridor_m)
        )
    for kind, site in (("origin", analysis.origin), ("destination", analysis.destination)):
        if site is not None:
            features.append(_feature(_point(site.lon, site.lat), kind=kind, radius_m=site.radius_m))
    features.append(_track_feature(analysis))
    features.extend(_episode_feature(analysis, episode) for episode in analysis.episodes)
    return features


def _track_feature(analysis: Analysis) -> dict[str, Any]:
    track = analysis.track
    breaks: set[int] = set()
    for episode in analysis.episodes:
        if episode.kind in ("gps_gap", "implausible_speed") and episode.fixes is not None:
            breaks.update(range(episode.fixes[0] + 1, episode.fixes[1] + 1))
    cuts = [0, *sorted(breaks), len(track)]
    parts = []
    for a, b in zip(cuts[:-1], cuts[1:], strict=True):
        if b - a >= 2:
            parts.append(_coords(track.lon[a:b], track.lat[a:b]))
    return _feature(
        {"type": "MultiLineString", "coordinates": parts},
        kind="track",
        fixes=len(track),
        start=analysis.summary["start"],
        end=analysis.summary["end"],
    )


def _episode_feature(analysis: Analysis, episode: Episode) -> dict[str, Any]:
    track = analysis.track
    properties = episode.to_dict()
    geometry: dict[str, Any] | None
    if episode.kind == "unscheduled_stop":
        centre = episode.details["centre"]
        geometry = _point(centre["lon"], centre["lat"])
    elif episode.kind in ("route_deviation", "implausible_speed", "gps_gap") and episode.fixes:
        a, b = episode.fixes
        geometry = _line(track.lon[a : b + 1], track.lat[a : b + 1])
    else:
        known = episode.start if episode.start.lat is not None else episode.end
        geometry = None if known.lat is None else _point(known.lon, known.lat)
    return _feature(geometry, **properties)
