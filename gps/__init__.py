"""GPS tracks of waste transports, checked against the planned route.

A pure library (no Flask, no database). The public API:

* :func:`parse_gpx` — the fast GPX reader (streaming expat into numpy);
* :func:`parse_gpx_reference` — the same result through gpxpy;
* :func:`read_track` — a GPX file or a fleet platform's CSV/XLSX export, told apart by
  content; :func:`parse_fleet_export` reads only the latter (:mod:`gps.fleet`);
* :func:`parse_route` — a planned route from GeoJSON or GPX;
* :func:`track_to_wgs84` and :data:`CRS_NAMES` — tracks recorded in China's
  map coordinate systems (GCJ-02, BD-09) brought to WGS-84 (:mod:`gps.crs`);
* :func:`analyse` — the analysis of a track, returning an :class:`Analysis`;
* :class:`Track`, :class:`Route`, :class:`Site`, :class:`Thresholds`,
  :class:`Episode`, :class:`Problem`; errors in :mod:`gps.errors`.
"""

from gps.analysis import KINDS, Analysis, Episode, Moment, Thresholds, analyse
from gps.crs import NAMES as CRS_NAMES
from gps.crs import track_to_wgs84
from gps.errors import GpxError
from gps.fleet import parse_fleet_export, read_track, sniff_format
from gps.guard import DEFAULT_MAX_BYTES
from gps.parse import parse_gpx
from gps.reference import parse_gpx_reference
from gps.route import parse_route
from gps.track import Problem, Route, Site, Track

__all__ = [
    "CRS_NAMES",
    "DEFAULT_MAX_BYTES",
    "KINDS",
    "Analysis",
    "Episode",
    "GpxError",
    "Moment",
    "Problem",
    "Route",
    "Site",
    "Thresholds",
    "Track",
    "analyse",
    "parse_fleet_export",
    "parse_gpx",
    "parse_gpx_reference",
    "parse_route",
    "read_track",
    "sniff_format",
    "track_to_wgs84",
]
