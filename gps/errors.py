"""Errors raised when a GPS file or a planned route cannot be used.

Every error is a :class:`GpxError` (a ``ValueError``) with a stable, machine
readable ``code`` that callers (the HTTP layer, the command line) map to a
response; ``message`` is for people and may change between versions.
``detail`` carries what is known about the place of the fault, e.g. the
1-based number of the offending fix, the line in the file or the size limit.
"""

from __future__ import annotations

from typing import Any

from manifest.errors import NamedByClass


class GpxError(NamedByClass, ValueError):
    """Base class: the input is refused. ``code`` identifies the reason: a subclass's code is
    its name in snake case (``TooLarge``: ``too_large``)."""

    def __init__(self, message: str, **detail: Any) -> None:
        super().__init__(message)
        self.message = message
        self.detail: dict[str, Any] = detail

    def to_dict(self) -> dict[str, Any]:
        """The error as ``{"code", "message", "detail"}`` for a JSON response."""
        return {"code": self.code, "message": self.message, "detail": dict(self.detail)}


class TooLarge(GpxError):
    """The input is larger than the configured size limit (HTTP 413)."""


class ForbiddenXml(GpxError):
    """The XML has a DOCTYPE, an entity declaration or an entity reference."""


class Malformed(GpxError):
    """The file is not well-formed (truncated, broken XML or JSON, bad encoding)."""


class NotGpx(GpxError):
    """Well-formed XML, but its root element is not a GPX 1.0/1.1 ``<gpx>``."""


class UnsupportedFormat(GpxError):
    """A route that is neither GPX nor a GeoJSON LineString."""


class EmptyTrack(GpxError):
    """The GPX file has no track points (``<trkpt>``)."""


class EmptyRoute(GpxError):
    """The route has fewer than two distinct points."""


class BadCoordinate(GpxError):
    """A latitude, longitude or elevation is missing, non-numeric or out of range."""


class BadTime(GpxError):
    """A track point has no ``<time>`` or one that is not an ISO 8601 date-time."""


class UnknownCrs(GpxError):
    """The declared coordinate system is not ``wgs84``, ``gcj02`` or ``bd09``."""


class NotATrackTable(GpxError):
    """A CSV or XLSX file without a header row naming the time, latitude and longitude."""


class TooManyRows(GpxError):
    """A CSV or XLSX export with more rows than the limit."""


class BadRows(GpxError):
    """Rows of a CSV or XLSX export that cannot be read; ``detail["rows"]`` lists them as
    ``{"line", "column", "problem"}`` and ``detail["count"]`` says how many there are."""


class WrongVehicle(GpxError):
    """The plate column of an export names another vehicle than the one expected."""
