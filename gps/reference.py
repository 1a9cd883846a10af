"""The reference GPX reader, built on gpxpy: slow, simple, trusted.

It exists to check the fast reader (:mod:`gps.parse`) and as a fallback for
callers who prefer gpxpy's reading. The input passes the same guards first
(size limit, DOCTYPE and entity refusal, well-formedness, a ``<gpx>`` root)
because gpxpy itself parses with entity expansion on.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import gpxpy
import gpxpy.gpx
import numpy as np

from gps.errors import BadCoordinate, BadTime, Malformed, NotGpx
from gps.guard import DEFAULT_MAX_BYTES, Source, iter_chunks, new_parser, parse_xml, read_all
from gps.parse import GPX_NAMESPACES
from gps.track import Track, build_track
from manifest.texts import Text

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)


def parse_gpx_reference(source: Source, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Track:
    """Like :func:`gps.parse.parse_gpx`, reading the points with gpxpy.

    Raises the same :class:`gps.errors.GpxError` subclasses for the same
    faults; the whole file is held in memory (gpxpy needs it).
    """
    data = read_all(source, max_bytes)
    check_gpx_xml(data)
    try:
        gpx = gpxpy.parse(data)
    except gpxpy.gpx.GPXXMLSyntaxException as error:
        raise Malformed(Text("xml_not_well_formed_reason", reason=str(error))) from None
    except gpxpy.gpx.GPXException as error:
        raise BadCoordinate(Text("gpx_value_refused", reason=str(error))) from None
    except UnicodeDecodeError as error:
        raise Malformed(Text("file_not_utf8", reason=str(error))) from None
    points = [
        point for track in gpx.tracks for segment in track.segments for point in segment.points
    ]
    times = np.empty(len(points), dtype=np.int64)
    for index, point in enumerate(points):
        if point.time is None:
            # gpxpy turns an unreadable time into None as well.
            raise BadTime(Text("gpx_fix_no_valid_time", fix=index + 1), fix=index + 1)
        times[index] = _epoch_ms(point.time)
    return build_track(
        np.array([point.latitude for point in points], dtype=np.float64),
        np.array([point.longitude for point in points], dtype=np.float64),
        times,
        np.array(
            [np.nan if point.elevation is None else point.elevation for point in points],
            dtype=np.float64,
        ),
    )


def _epoch_ms(moment: datetime) -> int:
    if moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=UTC)  # GPX 1.1: no offset means UTC
    return (moment - _EPOCH) // _MS


def check_gpx_xml(data: bytes) -> None:
    """Raise unless ``data`` is well-formed XML without DTD whose root is GPX."""
    parser = new_parser()

    def root(name: str, attrs: Any) -> None:
        namespace, _, local = name.rpartition(" ")
        if local != "gpx" or namespace not in GPX_NAMESPACES:
            raise NotGpx(Text("gpx_root_not_gpx", root=local))
        parser.StartElementHandler = None

    parser.StartElementHandler = root
    parse_xml(parser, iter_chunks(data, len(data) or 1))
