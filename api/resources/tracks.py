"""Planned routes and GPS tracks of a manifest's trip."""

from __future__ import annotations

import json

import marshmallow as ma
from flask import Response, request
from marshmallow import fields, validate

from gps.crs import NAMES as CRS_NAMES
from manifest.digits import parse_ascii_int
from manifest.errors import ValidationFailed
from manifest.services import tracks

from ..auth import current_actor
from ..db import session, uow
from ..guards import accepts
from ..schemas import StoredJson
from . import api_blueprint
from .declare import reads

blp = api_blueprint("tracks", "/manifests", "Planned routes and GPS tracks")

GPX_TYPES = ("application/gpx+xml", "application/xml", "text/xml")
GEOJSON_TYPES = ("application/geo+json",)
#: Fleet-platform exports. Windows browsers send CSV files as application/vnd.ms-excel.
EXPORT_TYPES = (
    "text/csv",
    "application/csv",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
MULTIPART = ("multipart/form-data",)


def FileDigest() -> fields.String:  # noqa: N802 - reads as a field class
    """The SHA-256 of a file kept for the trip (a route, a track), as it was received."""
    return fields.String(metadata={"description": "SHA-256 of the file as received, in hex"})


def DeclaredCrs() -> fields.String:  # noqa: N802 - reads as a field class
    """The coordinate system a kept file was declared in, one of those an upload accepts."""
    return fields.String(
        validate=validate.OneOf(CRS_NAMES),
        metadata={"description": "the coordinate system the file was declared in"},
    )


class TripFileOut(ma.Schema):
    """A file kept for a manifest's trip (its planned route, a GPS track): its id and its
    manifest's come first; each kind then lists its own fields, the file's digest and declared
    coordinate system among them (:func:`FileDigest`, :func:`DeclaredCrs`), in its published
    order."""

    id = fields.Integer()
    manifest_id = fields.Integer()


class RouteOut(TripFileOut):
    corridor_m = fields.Integer()
    crs = DeclaredCrs()
    points = fields.Integer()
    file_sha256 = FileDigest()
    geometry = StoredJson("geometry")
    created_at = fields.AwareDateTime()


class TrackOut(TripFileOut):
    organization_id = fields.Integer()
    vehicle_plate = fields.String()
    file_sha256 = FileDigest()
    crs = DeclaredCrs()
    route_id = fields.Integer(allow_none=True)
    fixes = fields.Integer()
    started_at = fields.AwareDateTime()
    ended_at = fields.AwareDateTime()
    created_at = fields.AwareDateTime()
    analysis = StoredJson("analysis")


def _uploaded_file() -> dict:
    """The file sent, from a raw body or from the ``file`` part of a multipart form, as the
    services take it: ``data``, ``content_type`` and the declared coordinate system ``crs``."""
    if request.mimetype == "multipart/form-data":
        part = request.files.get("file")
        if part is None:
            raise ValidationFailed(
                "send the file in a form field named 'file'", errors={"file": ["missing"]}
            )
        data, content_type = part.read(), part.mimetype
    else:
        data, content_type = request.get_data(cache=False), request.mimetype
    return {"data": data, "content_type": content_type or "application/octet-stream", "crs": _crs()}


def _corridor() -> int:
    raw = request.args.get("corridor_m") or request.form.get("corridor_m") or "500"
    number = parse_ascii_int(raw)
    if number is None:
        raise ValidationFailed(
            "corridor_m must be a whole number of metres",
            errors={"corridor_m": ["not a whole number"]},
        )
    return number


def _crs() -> str:
    """The declared coordinate system (``?crs=`` or a form field), default WGS-84."""
    return request.args.get("crs") or request.form.get("crs") or "wgs84"


@blp.route("/<ref>/route", methods=["PUT"])
@accepts(*GPX_TYPES, *GEOJSON_TYPES, *MULTIPART)
@blp.response(200, RouteOut)
def put_route(ref):
    """Set the planned route: GeoJSON LineString, or a GPX route or track.

    ?corridor_m=500; ?crs=wgs84|gcj02|bd09 (the map the route was drawn on)."""
    actor = current_actor()
    return tracks.set_route(uow(), actor=actor, ref=ref, **_uploaded_file(), corridor_m=_corridor())


@reads(blp, "/<ref>/route", RouteOut, tracks.get_route)
def get_route():
    """The planned route in force."""


@blp.route("/<ref>/tracks", methods=["POST"])
@accepts(*GPX_TYPES, *EXPORT_TYPES, *MULTIPART)
@blp.response(201, TrackOut)
def post_track(ref):
    """Upload the GPS log of the trip (raw body or multipart 'file'); answers the analysis.

    GPX, or a fleet platform's CSV/XLSX export (Chinese or English headers, UTF-8 or GBK,
    Beijing time unless an offset is given), told apart by content. Rows that cannot be read
    refuse the file, each listed in details.detail.rows (line, column, problem).
    ?crs=wgs84|gcj02|bd09 declares the coordinate system of the positions (default wgs84)."""
    actor = current_actor()
    row, created = tracks.upload_track(uow(), actor=actor, ref=ref, **_uploaded_file())
    return row, 201 if created else 200


@reads(blp, "/<ref>/tracks", TrackOut(many=True), tracks.list_tracks)
def list_tracks():
    """The tracks uploaded for the trip."""


@reads(blp, "/<ref>/tracks/<int:track_id>", TrackOut, tracks.get_track)
def get_track():
    """One track with its analysis."""


@blp.route("/<ref>/tracks/<int:track_id>.geojson", methods=["GET"])
@blp.response(200, content_type="application/geo+json")
def track_geojson(ref, track_id):
    """Map layers: route, corridor, sites, the track and each episode, as GeoJSON."""
    body = tracks.track_geojson(session(), current_actor(), ref, track_id)
    return Response(json.dumps(body, ensure_ascii=False), mimetype="application/geo+json")
