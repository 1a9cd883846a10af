"""Planned routes: a GeoJSON LineString, or the route or track of a GPX file."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from gps.crs import WGS84, check_name, route_to_wgs84
from gps.errors import BadCoordinate, EmptyRoute, Malformed, UnsupportedFormat
from gps.guard import DEFAULT_MAX_BYTES, Source, iter_chunks, read_all
from gps.parse import read_fixes
from gps.track import Route, build_route
from manifest.texts import Text

_GEOJSON_TYPES = {"application/geo+json", "application/vnd.geo+json", "application/json"}
_GPX_TYPES = {"application/gpx+xml", "application/xml", "text/xml"}
_SNIFF_TYPES = {"", "application/octet-stream", "text/plain"}


def parse_route(
    source: Source,
    content_type: str | None = None,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    crs: str = WGS84,
) -> Route:
    """Read a planned route.

    Accepted: GeoJSON — a LineString geometry, a Feature holding one, or a
    FeatureCollection with exactly one LineString feature (other features
    such as site points are ignored); GPX — the points of its ``<rte>``
    elements in file order, or, when it has none, of its tracks (all
    segments, in order; times are ignored). The format comes from
    ``content_type`` (``application/geo+json``, ``application/gpx+xml``, ...)
    or, when that is None or generic, from the first character. The points
    are in the declared coordinate system ``crs`` (``wgs84``, ``gcj02`` or
    ``bd09``, see :mod:`gps.crs`); the route returned is in WGS-84.

    Raises ``UnknownCrs`` before reading anything, the XML errors of :func:`gps.parse.parse_gpx`, ``Malformed`` for
    broken JSON, ``UnsupportedFormat`` for other formats or geometries,
    ``BadCoordinate`` and ``EmptyRoute`` (fewer than two distinct points).
    """
    check_name(crs)
    data = read_all(source, max_bytes)
    kind = _format(content_type, data)
    if kind == "geojson":
        lat, lon = _geojson_line(data)
        return route_to_wgs84(build_route(lat, lon), crs)
    raw = read_fixes(iter_chunks(data, max_bytes), "rtept", with_time=False)
    if raw.lat.shape[0] == 0:
        raw = read_fixes(iter_chunks(data, max_bytes), "trkpt", with_time=False)
    if raw.lat.shape[0] == 0:
        raise EmptyRoute(Text("route_gpx_empty"))
    return route_to_wgs84(build_route(raw.lat, raw.lon), crs)


def _format(content_type: str | None, data: bytes) -> str:
    media = (content_type or "").split(";")[0].strip().lower()
    if media in _GEOJSON_TYPES:
        return "geojson"
    if media in _GPX_TYPES:
        return "gpx"
    if media not in _SNIFF_TYPES:
        raise UnsupportedFormat(Text("route_media", media=media))
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{"):
        return "geojson"
    if head.startswith(b"<"):
        return "gpx"
    raise UnsupportedFormat(Text("route_neither"))


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _geojson_line(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    try:
        document = json.loads(data, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as error:
        raise Malformed(Text("route_bad_json", reason=str(error))) from None
    geometry = _line_geometry(document)
    coordinates = geometry.get("coordinates")
    if not isinstance(coordinates, list):
        raise Malformed(Text("route_no_coordinates"))
    lon = np.empty(len(coordinates))
    lat = np.empty(len(coordinates))
    for index, position in enumerate(coordinates):
        if (
            not isinstance(position, list)
            or len(position) < 2
            or not all(_is_number(value) for value in position)
        ):
            raise BadCoordinate(
                Text("route_bad_point", point=index + 1, position=repr(position)),
                point=index + 1,
            )
        lon[index], lat[index] = position[0], position[1]
    return lat, lon


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _line_geometry(document: Any) -> dict[str, Any]:
    if not isinstance(document, dict):
        raise UnsupportedFormat(Text("route_not_object"))
    kind = document.get("type")
    if kind == "LineString":
        return document
    if kind == "Feature":
        geometry = document.get("geometry")
        if isinstance(geometry, dict) and geometry.get("type") == "LineString":
            return geometry
        found = geometry.get("type") if isinstance(geometry, dict) else None
        raise UnsupportedFormat(Text("route_feature_geometry", found=str(found)))
    if kind == "FeatureCollection":
        features = document.get("features")
        if not isinstance(features, list):
            raise Malformed(Text("route_no_features"))
        lines = [
            feature["geometry"]
            for feature in features
            if isinstance(feature, dict)
            and isinstance(feature.get("geometry"), dict)
            and feature["geometry"].get("type") == "LineString"
        ]
        if len(lines) != 1:
            raise UnsupportedFormat(Text("route_line_count", count=len(lines)))
        return lines[0]
    raise UnsupportedFormat(Text("route_not_a_line", kind=repr(kind)))
