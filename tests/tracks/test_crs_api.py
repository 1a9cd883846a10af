"""Routes and tracks declared in GCJ-02 or BD-09, through the API and into the chain."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
from datetime import timedelta

import numpy as np
from sqlalchemy import func, select

from gps import crs
from manifest.models import GpsTrack, ManifestRoute, StoredFile
from manifest.services.tracks import file_bytes
from tests.gps import synth
from tests.tracks.test_tracks_api import _deliver, _drive, _gps_findings, _on_the_road, _post


def _gcj02_route() -> bytes:
    lat, lon = crs.wgs84_to_gcj02(*(np.array(v) for v in zip(*synth.WAYPOINTS, strict=True)))
    return synth.route_geojson(list(zip(lat.tolist(), lon.tolist(), strict=True)))


def _put_route(client, world, mid, body, query):
    return client.put(
        f"/api/v1/manifests/{mid}/route?{query}",
        data=body,
        headers=world.plating.auth(),
        content_type="application/geo+json",
    )


def _post_track(client, world, mid, gpx, query=""):
    url = f"/api/v1/manifests/{mid}/tracks?{query}"
    return _post(client, url, gpx, world.carrier.auth("driver"), "application/gpx+xml")


def _events(client, world, mid, action):
    events = client.get(f"/api/v1/manifests/{mid}/events", headers=world.plating.auth())
    return [e for e in events.get_json() if e["action"] == action]


def _stored(world, sha):
    world.uow.session.expire_all()
    return file_bytes(world.uow.session.get(StoredFile, sha))


def _trip_with_route(client, world, route_query):
    mid, pickup_at = _on_the_road(client, world, with_route=False)
    r = _put_route(client, world, mid, _gcj02_route(), route_query)
    assert r.status_code == 200, r.get_json()
    trip, end = _drive(pickup_at)
    _deliver(client, world, mid, end + timedelta(seconds=30))
    upload = _post_track(client, world, mid, trip.to_gpx())
    assert upload.status_code == 201, upload.get_json()
    return mid, r.get_json(), upload.get_json()


def test_a_gcj02_route_deviates_unless_declared(client, trip_world):
    world = trip_world
    mid, _, track = _trip_with_route(client, world, "corridor_m=500")
    assert track["analysis"]["summary"]["inside_corridor_share"] < 0.5
    assert "route_deviation" in {f.type for f in _gps_findings(world, mid)}

    mid, route, track = _trip_with_route(client, world, "corridor_m=500&crs=gcj02")
    assert track["analysis"]["episodes"] == [] and _gps_findings(world, mid) == []
    assert track["analysis"]["summary"]["inside_corridor_share"] == 1.0
    assert route["crs"] == "gcj02"
    # The route in force is in WGS-84, within centimetres of where it was drawn ...
    for (lon, lat), (want_lat, want_lon) in zip(
        route["geometry"]["coordinates"], synth.WAYPOINTS, strict=True
    ):
        assert abs(lat - want_lat) < 2e-7 and abs(lon - want_lon) < 2e-7
    # ... while the file is kept byte for byte, and the chain records its hash and crs.
    body = _gcj02_route()
    sha = hashlib.sha256(body).hexdigest()
    assert route["file_sha256"] == sha and _stored(world, sha) == body
    (event,) = _events(client, world, mid, "route")
    assert event["payload"]["file_sha256"] == sha and event["payload"]["crs"] == "gcj02"


def test_a_bd09_track_is_analysed_in_wgs84_and_kept_as_sent(client, trip_world):
    world = trip_world
    mid, pickup_at = _on_the_road(client, world)
    trip, end = _drive(pickup_at)
    _deliver(client, world, mid, end + timedelta(seconds=30))
    lat, lon = crs.gcj02_to_bd09(*crs.wgs84_to_gcj02(trip.lat, trip.lon))
    gpx = dataclasses.replace(trip, lat=lat, lon=lon).to_gpx()
    r = client.post(
        f"/api/v1/manifests/{mid}/tracks",
        headers=world.carrier.auth("driver"),
        data={"file": (io.BytesIO(gpx), "trip.gpx"), "crs": "bd09"},
        content_type="multipart/form-data",
    )
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["crs"] == "bd09" and body["analysis"]["episodes"] == []
    assert body["analysis"]["summary"]["ends_at_destination"] is True
    sha = hashlib.sha256(gpx).hexdigest()
    assert body["file_sha256"] == sha and _stored(world, sha) == gpx
    (event,) = _events(client, world, mid, "track")
    assert event["payload"]["file_sha256"] == sha and event["payload"]["crs"] == "bd09"
    layers = client.get(
        f"/api/v1/manifests/{mid}/tracks/{body['id']}.geojson", headers=world.regulator.auth()
    ).get_json()
    assert not {f["properties"]["kind"] for f in layers["features"]} & {"route_deviation"}

    # The same file again under another declaration is refused, not silently re-used.
    again = _post_track(client, world, mid, gpx, "crs=wgs84")
    assert again.status_code == 409 and "crs" in again.get_json()["errors"]
    verdict = client.get(f"/api/v1/manifests/{mid}/verify", headers=world.plating.auth())
    assert verdict.get_json()["valid"] is True


def test_an_unknown_crs_is_422_and_stores_nothing(client, trip_world):
    world = trip_world
    s = world.uow.session

    def counts():
        s.expire_all()
        return [s.scalar(select(func.count()).select_from(t)) for t in (StoredFile, GpsTrack)]

    # In transit: both a route and a track could be stored now.
    mid, pickup_at = _on_the_road(client, world, with_route=False)
    trip, _ = _drive(pickup_at)
    before, events_before = counts(), _events(client, world, mid, "route")
    for query in ("crs=mars", "crs=WGS84", "crs=epsg:4326"):
        r = _put_route(client, world, mid, synth.route_geojson(), query)
        assert r.status_code == 422, r.get_json()
        assert "wgs84, gcj02, bd09" in r.get_json()["errors"]["crs"][0]
        r = _post_track(client, world, mid, trip.to_gpx(), query)
        assert r.status_code == 422 and "crs" in r.get_json()["errors"]
    assert counts() == before
    assert s.scalar(select(func.count()).select_from(ManifestRoute)) == 0
    assert _events(client, world, mid, "route") == events_before
    assert json.loads(json.dumps(_events(client, world, mid, "track"))) == []
