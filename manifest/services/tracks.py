"""Planned routes and GPS tracks: storing the files, analysing trips, raising findings."""

from __future__ import annotations

import json
import zlib
from datetime import UTC, datetime

from sqlalchemy import select

import gps
from gps import errors as gps_errors
from gps.crs import WGS84, check_name
from gps.errors import GpxError, TooLarge, UnknownCrs

from ..actor import TRANSPORT_ROLES, WRITE_ROLES, Actor
from ..chain import file_digest
from ..errors import (
    BadFile,
    Conflict,
    Forbidden,
    InvalidTransition,
    NotFound,
    PayloadTooLarge,
    ValidationFailed,
    WrongVehicle,
)
from ..infra.db import settings_of, utcnow
from ..infra.uow import UnitOfWork
from ..models import GpsTrack, Manifest, ManifestLeg, ManifestRoute, Organization, StoredFile
from ..status import Party, actions_where, route_statuses, track_statuses
from ..texts import Text
from .access import load_visible
from .custody import append_event
from .episode_findings import raise_episode_findings
from .finding_sets import NewFinding, raise_findings
from .positions import last_trip_position, position_feature

#: Where a route may be set, and where a track may be filed (derived from the status table).
ROUTE_STATUSES = route_statuses()
TRACK_STATUSES = track_statuses()
#: Moves after which a trip without any uploaded track is a finding.
TRACKED_ACTIONS = actions_where("wants_track")
MAX_CORRIDOR_M = 20_000


def _gpx_failure(exc: GpxError):
    if isinstance(exc, TooLarge):
        return PayloadTooLarge(exc.message, details=exc.to_dict())
    if isinstance(exc, gps_errors.WrongVehicle):
        return WrongVehicle(exc.message, errors={"file": [exc.message]}, details=exc.to_dict())
    return BadFile(exc.message, errors={"file": [exc.message]}, details=exc.to_dict())


def declared_crs(crs: str) -> str:
    """The coordinate system a file is declared in. Raises ValidationFailed naming ``crs``."""
    try:
        return check_name(crs)
    except UnknownCrs as exc:
        raise ValidationFailed(exc.message, errors={"crs": [exc.message]}) from None


def store_file(session, data: bytes, content_type: str) -> StoredFile:
    """Keep the bytes as received, compressed; the same content is stored once."""
    digest = file_digest(data)
    row = session.get(StoredFile, digest)
    if row is None:
        row = StoredFile(
            sha256=digest,
            size=len(data),
            content_type=content_type[:100],
            data=zlib.compress(data, 6),
        )
        session.add(row)
        session.flush()
    return row


def file_bytes(row: StoredFile) -> bytes:
    return zlib.decompress(row.data)


def _site(org: Organization) -> gps.Site | None:
    if org.lat is None or org.lon is None:
        return None
    return gps.Site(lat=float(org.lat), lon=float(org.lon), radius_m=float(org.site_radius_m))


def current_route(session, manifest_id: int) -> ManifestRoute | None:
    return session.scalar(
        select(ManifestRoute)
        .where(ManifestRoute.manifest_id == manifest_id)
        .order_by(ManifestRoute.id.desc())
        .limit(1)
    )


def get_route(session, actor: Actor, ref) -> ManifestRoute:
    """The route in force for a manifest the actor may see. Raises NotFound."""
    manifest = load_visible(session, actor, ref)
    row = current_route(session, manifest.id)
    if row is None:
        raise NotFound("no planned route for this manifest")
    return row


def set_route(
    uow: UnitOfWork,
    *,
    actor: Actor,
    ref,
    data: bytes,
    content_type: str,
    corridor_m: int = 500,
    crs: str = WGS84,
) -> ManifestRoute:
    """Record the planned route of a trip (GeoJSON LineString, GPX route or track).

    The generator or the current transporter may set it while the trip has not ended; a new
    route supersedes the previous one, which is kept. The points are in the declared ``crs``
    (``wgs84``, ``gcj02``, ``bd09``); the file is kept as received, the route in force is
    stored converted to WGS-84. Raises NotFound, Forbidden, InvalidTransition,
    ValidationFailed, BadFile, PayloadTooLarge.
    """
    crs = declared_crs(crs)
    if not isinstance(corridor_m, int) or not 10 <= corridor_m <= MAX_CORRIDOR_M:
        raise ValidationFailed(
            Text("corridor_invalid", limit=MAX_CORRIDOR_M),
            errors={"corridor_m": [Text("corridor_range")]},
        )
    with uow:
        s = uow.session
        manifest = load_visible(s, actor, ref, lock=True)
        if actor.organization_id == manifest.generator_id:
            actor.require_user_role(WRITE_ROLES)
        elif actor.organization_id == manifest.transporter_id:
            actor.require_user_role(TRANSPORT_ROLES)
        else:
            raise Forbidden(Text("route_setters"))
        if manifest.status not in ROUTE_STATUSES:
            raise InvalidTransition(Text("route_final", status=manifest.status))
        try:
            route = gps.parse_route(
                data, content_type=content_type, max_bytes=settings_of(s).max_body_bytes, crs=crs
            )
        except GpxError as exc:
            raise _gpx_failure(exc) from None
        stored = store_file(s, data, content_type)
        geometry = {
            "type": "LineString",
            "coordinates": [
                [round(float(lon), 7), round(float(lat), 7)]
                for lat, lon in zip(route.lat, route.lon, strict=True)
            ],
        }
        row = ManifestRoute(
            manifest_id=manifest.id,
            file_sha256=stored.sha256,
            crs=crs,
            corridor_m=corridor_m,
            points=len(route),
            geometry=json.dumps(geometry, separators=(",", ":")),
            uploaded_by_id=actor.user_id,
            organization_id=actor.organization_id,
        )
        s.add(row)
        s.flush()
        party = (
            Party.GENERATOR
            if actor.organization_id == manifest.generator_id
            else (Party.TRANSPORTER)
        )
        append_event(
            s,
            manifest=manifest,
            action="route",
            actor=actor,
            party=party.value,
            payload={
                "file_sha256": stored.sha256,
                "crs": crs,
                "size": stored.size,
                "corridor_m": corridor_m,
                "points": len(route),
            },
        )
        uow.commit()
        return row


def _leg_of(manifest: Manifest, organization_id: int):
    legs = [leg for leg in manifest.legs if leg.transporter_id == organization_id]
    return legs[-1] if legs else None


def trip_context(session, manifest: Manifest, organization_id: int, route_row):
    """The route, sites and interval that apply to one transporter's part of the trip."""
    leg = _leg_of(manifest, organization_id)
    legs = manifest.legs
    first = leg is not None and leg.leg_no == 1
    last = leg is not None and leg.leg_no == len(legs)
    start = leg.started_at if leg is not None else manifest.picked_up_at
    if leg is not None and not last:
        end = legs[leg.leg_no].started_at  # the next leg starts where this one ended
    else:
        end = manifest.delivered_at
    interval = (start, end) if start is not None and end is not None and end > start else None
    route = None
    thresholds = gps.Thresholds()
    if route_row is not None:
        route = gps.parse_route(route_row.geometry.encode(), content_type="application/geo+json")
        thresholds = gps.Thresholds(corridor_m=float(route_row.corridor_m))
    origin = _site(session.get(Organization, manifest.generator_id)) if first else None
    destination = _site(session.get(Organization, manifest.receiver_id)) if last else None
    return {
        "route": route,
        "origin": origin,
        "destination": destination,
        "interval": interval,
        "thresholds": thresholds,
    }


def _analyse(session, manifest, organization_id, route_row, data: bytes, crs: str, plate: str):
    try:
        track = gps.read_track(
            data,
            expected_plate=plate,
            max_bytes=settings_of(session).max_body_bytes,
            elevation=False,
        )
        track = gps.track_to_wgs84(track, crs)
        return track, gps.analyse(
            track, **trip_context(session, manifest, organization_id, route_row)
        )
    except GpxError as exc:
        raise _gpx_failure(exc) from None


def check_may_upload_track(actor: Actor, manifest: Manifest):
    """The leg of the actor's organisation when it may upload a GPS track of ``manifest``:
    a carrier of the trip (a driver too), once the load is picked up. Raises Forbidden,
    InvalidTransition."""
    actor.require_user_role(TRANSPORT_ROLES)
    if manifest.status not in TRACK_STATUSES:
        raise InvalidTransition(Text("track_after_pickup", status=manifest.status))
    leg = _leg_of(manifest, actor.organization_id)
    if leg is None:
        raise Forbidden(Text("track_uploaders"))
    return leg


def upload_track(
    uow: UnitOfWork,
    *,
    actor: Actor,
    ref,
    data: bytes,
    content_type: str = "application/gpx+xml",
    crs: str = WGS84,
) -> tuple[GpsTrack, bool]:
    """Store and analyse the GPS log of a transporter's part of a trip: a GPX file or a
    fleet platform's CSV or XLSX export (:func:`gps.read_track`, told apart by content).

    The positions are in the declared ``crs`` and analysed in WGS-84; the file is kept as
    received. Each episode found becomes a finding linked to the manifest, its parties and
    the vehicle; the file's SHA-256, its crs and the summary go into the custody chain.
    Uploading the same file again with the same crs returns the first result and changes
    nothing. Returns (track, created). Raises NotFound, Forbidden, InvalidTransition,
    ValidationFailed, Conflict (the same file declared in another crs), BadFile (with the
    report of every bad row of an export in ``details``), WrongVehicle (an export whose plate
    column names another vehicle than the leg's), PayloadTooLarge.
    """
    crs = declared_crs(crs)
    actor.require_user_role(TRANSPORT_ROLES)
    with uow:
        s = uow.session
        manifest = load_visible(s, actor, ref, lock=True)
        leg = check_may_upload_track(actor, manifest)
        digest = file_digest(data)
        existing = s.scalar(
            select(GpsTrack).where(
                GpsTrack.manifest_id == manifest.id, GpsTrack.file_sha256 == digest
            )
        )
        if existing is not None:
            if existing.crs != crs:
                raise Conflict(
                    Text("track_crs_differs", declared=existing.crs, crs=crs),
                    errors={
                        "crs": [Text("track_crs_declared_before", declared=existing.crs, crs=crs)]
                    },
                )
            return existing, False
        row, stored, analysis = record_track(
            s,
            manifest=manifest,
            leg=leg,
            recorded_by_id=actor.user_id,
            data=data,
            content_type=content_type,
            crs=crs,
            source="upload",
        )
        append_event(
            s,
            manifest=manifest,
            action="track",
            actor=actor,
            party=Party.TRANSPORTER.value,
            payload=track_evidence(row, stored, analysis),
        )
        uow.commit()
        return row, True


def record_track(
    s,
    *,
    manifest: Manifest,
    leg: ManifestLeg,
    recorded_by_id: int,
    data: bytes,
    content_type: str,
    crs: str,
    source: str,
) -> tuple[GpsTrack, StoredFile, gps.Analysis]:
    """Analyse a GPX log of one transporter's part of the trip (its ``leg``: the carrier
    and the vehicle) against the route in force, store the file and the track, and raise a
    finding per episode (one per episode, see :mod:`.episode_findings`). Raises BadFile,
    PayloadTooLarge. Nothing is committed."""
    organization_id, vehicle_plate = leg.transporter_id, leg.vehicle_plate
    route_row = current_route(s, manifest.id)
    track, analysis = _analyse(s, manifest, organization_id, route_row, data, crs, vehicle_plate)
    stored = store_file(s, data, content_type)
    row = GpsTrack(
        manifest_id=manifest.id,
        file_sha256=stored.sha256,
        crs=crs,
        source=source,
        route_id=None if route_row is None else route_row.id,
        organization_id=organization_id,
        uploaded_by_id=recorded_by_id,
        vehicle_plate=vehicle_plate,
        fixes=len(track),
        started_at=_utc_ms(int(track.time_ms[0])),
        ended_at=_utc_ms(int(track.time_ms[-1])),
        analysis=json.dumps(analysis.to_dict(), ensure_ascii=False, separators=(",", ":")),
    )
    s.add(row)
    s.flush()
    raise_episode_findings(
        s,
        manifest=manifest,
        episodes=analysis.episodes,
        key_prefix=f"m{manifest.id}:track{row.id}:",
        vehicle_plate=vehicle_plate,
    )
    return row, stored, analysis


def track_evidence(row: GpsTrack, stored: StoredFile, analysis: gps.Analysis) -> dict:
    """What the custody chain records of a track: its file's hash and its summary."""
    summary = analysis.to_dict()["summary"]
    return {
        "file_sha256": stored.sha256,
        "crs": row.crs,
        "size": stored.size,
        "track_id": row.id,
        "fixes": row.fixes,
        "start": summary.get("start"),
        "end": summary.get("end"),
        "length_km": summary.get("length_km"),
        "inside_corridor_share": summary.get("inside_corridor_share"),
        "episodes": _counts(analysis),
    }


def _utc_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def _counts(analysis) -> dict[str, int]:
    counts: dict[str, int] = {}
    for episode in analysis.episodes:
        counts[episode.kind] = counts.get(episode.kind, 0) + 1
    return counts


def get_track(session, actor: Actor, ref, track_id: int) -> GpsTrack:
    manifest = load_visible(session, actor, ref)
    row = session.get(GpsTrack, track_id)
    if row is None or row.manifest_id != manifest.id:
        raise NotFound(f"track {track_id} not found")
    return row


def list_tracks(session, actor: Actor, ref) -> list[GpsTrack]:
    manifest = load_visible(session, actor, ref)
    return list(
        session.scalars(
            select(GpsTrack).where(GpsTrack.manifest_id == manifest.id).order_by(GpsTrack.id)
        )
    )


def track_geojson(session, actor: Actor, ref, track_id: int) -> dict:
    """Map layers for a track: route, corridor, sites, the track and its episodes.

    Recomputed from the stored file with the route in force at upload, so it always matches
    the analysis that raised the findings."""
    row = get_track(session, actor, ref, track_id)
    return _track_layers(session, session.get(Manifest, row.manifest_id), row)


def map_layers(session, *, actor: Actor, ref) -> dict:
    """Every map layer of a manifest's trip as one GeoJSON FeatureCollection: for each track
    the layers of :func:`track_geojson` (each feature's ``track_id`` says whose), the route
    and corridor of each route once; with no track yet, the planned route in force alone;
    and the trip's last known position (``GET /manifests/{ref}/position``) as a point of
    kind ``position``.

    Raises NotFound like :func:`get_track`."""
    manifest = load_visible(session, actor, ref)
    features: list[dict] = []
    drawn: set[tuple[str, int | None]] = set()
    for row in session.scalars(
        select(GpsTrack).where(GpsTrack.manifest_id == manifest.id).order_by(GpsTrack.id)
    ):
        for feature in _track_layers(session, manifest, row)["features"]:
            kind = feature["properties"].get("kind")
            if kind in ("route", "corridor", "origin", "destination"):
                # Tracks of one trip share the sites, and the route they were checked against.
                key = (kind, row.route_id if kind in ("route", "corridor") else None)
                if key in drawn:
                    continue
                drawn.add(key)
            feature["properties"]["track_id"] = row.id
            features.append(feature)
    if not features:
        route_row = current_route(session, manifest.id)
        if route_row is not None:
            features.append(
                {
                    "type": "Feature",
                    "geometry": json.loads(route_row.geometry),
                    "properties": {"kind": "route", "corridor_m": route_row.corridor_m},
                }
            )
    position = last_trip_position(session, manifest)
    if position is not None:
        features.append(position_feature(position))
    return {"type": "FeatureCollection", "features": features}


def _track_layers(session, manifest: Manifest, row: GpsTrack) -> dict:
    route_row = None if row.route_id is None else session.get(ManifestRoute, row.route_id)
    _, analysis = _analyse(
        session,
        manifest,
        row.organization_id,
        route_row,
        file_bytes(session.get(StoredFile, row.file_sha256)),
        row.crs,
        row.vehicle_plate,
    )
    return analysis.to_geojson()


def after_move(session, manifest: Manifest, action: str) -> None:
    """A trip closed (by the move the status table marks) without any uploaded track is a
    finding."""
    if action not in TRACKED_ACTIONS:
        return
    has_track = session.scalar(
        select(GpsTrack.id).where(GpsTrack.manifest_id == manifest.id).limit(1)
    )
    if has_track is None:
        raise_findings(
            session,
            [
                NewFinding.about(
                    manifest,
                    "track_missing",
                    type="track_missing",
                    severity="warning",
                    message=Text("finding_track_missing"),
                    measured={
                        "picked_up_at": manifest.picked_up_at,
                        "delivered_at": manifest.delivered_at,
                    },
                )
            ],
            now=utcnow(),
            due_days=settings_of(session).finding_due_days,
        )
