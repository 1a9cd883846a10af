"""GPS tracks through the service: routes, uploads, analysis, findings and the chain."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from manifest.models import Finding
from tests.builders import create_manifest, now
from tests.gps import synth


def _at(t: datetime) -> str:
    return t.isoformat()


def _post(client, url, body, headers, content_type="application/json"):
    return client.post(url, data=body, headers=headers, content_type=content_type)


def _on_the_road(client, world, *, with_route=True):
    """A manifest issued, routed and picked up; returns (manifest id, pickup time)."""
    m = create_manifest(world)
    gen = world.plating.auth()
    start = now() - timedelta(hours=3)
    if with_route:
        r = client.put(
            f"/api/v1/manifests/{m.id}/route?corridor_m=500",
            data=synth.route_geojson(),
            headers=gen,
            content_type="application/geo+json",
        )
        assert r.status_code == 200, r.get_json()
        assert r.get_json()["corridor_m"] == 500
    r = client.post(f"/api/v1/manifests/{m.id}/issue", json={"at": _at(start)}, headers=gen)
    assert r.status_code == 200, r.get_json()
    pickup_at = start + timedelta(minutes=10)
    r = client.post(
        f"/api/v1/manifests/{m.id}/pickup",
        headers=world.carrier.auth("driver"),
        json={
            "vehicle_plate": "粤J12345",
            "driver": "李师傅",
            "at": _at(pickup_at),
            "lines": [{"line_no": 1, "quantity": "6"}, {"line_no": 2, "quantity": "1500"}],
        },
    )
    assert r.status_code == 200, r.get_json()
    return m.id, pickup_at


def _deliver(client, world, mid, at):
    r = client.post(
        f"/api/v1/manifests/{mid}/deliver",
        headers=world.centre.auth(),
        json={
            "at": _at(at),
            "lines": [{"line_no": 1, "quantity": "6"}, {"line_no": 2, "quantity": "1500"}],
        },
    )
    assert r.status_code == 200, r.get_json()


def _drive(pickup_at, **inject):
    trip = synth.drive(start=pickup_at, **inject)
    end = datetime.fromtimestamp(float(trip.t[-1]), tz=UTC)
    return trip, end


def _gps_findings(world, mid):
    s = world.uow.session
    s.expire_all()
    rows = s.scalars(select(Finding).where(Finding.manifest_id == mid)).all()
    return [
        f
        for f in rows
        if f.type
        in (
            "route_deviation",
            "unscheduled_stop",
            "gps_gap",
            "implausible_speed",
            "start_outside_origin",
            "end_outside_destination",
            "track_missing",
        )
    ]


def test_a_clean_trip_is_stored_chained_and_raises_nothing(client, trip_world):
    world = trip_world
    mid, pickup_at = _on_the_road(client, world)
    trip, end = _drive(pickup_at)
    _deliver(client, world, mid, end + timedelta(seconds=30))
    gpx = trip.to_gpx()

    r = _post(
        client,
        f"/api/v1/manifests/{mid}/tracks",
        gpx,
        world.carrier.auth("driver"),
        "application/gpx+xml",
    )
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    summary = body["analysis"]["summary"]
    assert body["fixes"] == len(trip) and body["vehicle_plate"] == "粤J12345"
    assert summary["inside_corridor_share"] == 1.0
    assert summary["starts_at_origin"] and summary["ends_at_destination"]
    assert body["analysis"]["episodes"] == []
    assert _gps_findings(world, mid) == []

    sha = hashlib.sha256(gpx).hexdigest()
    assert body["file_sha256"] == sha
    events = client.get(f"/api/v1/manifests/{mid}/events", headers=world.plating.auth()).get_json()
    assert isinstance(events, list), events
    track_events = [e for e in events if e["action"] == "track"]
    assert len(track_events) == 1 and track_events[0]["payload"]["file_sha256"] == sha
    assert any(e["action"] == "route" for e in events)

    again = _post(
        client,
        f"/api/v1/manifests/{mid}/tracks",
        gpx,
        world.carrier.auth("driver"),
        "application/gpx+xml",
    )
    assert again.status_code == 200 and again.get_json()["id"] == body["id"]
    events_after = client.get(
        f"/api/v1/manifests/{mid}/events", headers=world.plating.auth()
    ).get_json()
    assert len(events_after) == len(events)
    verdict = client.get(f"/api/v1/manifests/{mid}/verify", headers=world.plating.auth())
    assert verdict.get_json()["valid"] is True


def test_a_stop_and_a_deviation_become_findings_for_the_regulator(client, trip_world):
    world = trip_world
    mid, pickup_at = _on_the_road(client, world)
    trip, end = _drive(pickup_at, stops=[(8.0, 900)], deviations=[(12.0, 15.5, 800.0)])
    _deliver(client, world, mid, end + timedelta(seconds=30))

    r = client.post(
        f"/api/v1/manifests/{mid}/tracks",
        headers=world.carrier.auth("driver"),
        data={"file": (__import__("io").BytesIO(trip.to_gpx()), "trip.gpx")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 201, r.get_json()
    kinds = sorted(f.type for f in _gps_findings(world, mid))
    assert kinds == ["route_deviation", "unscheduled_stop"]
    stop = next(f for f in _gps_findings(world, mid) if f.type == "unscheduled_stop")
    assert stop.vehicle_plate == "粤J12345"
    assert {p.organization_id for p in stop.parties} >= {world.carrier.id, world.plating.id}
    injected = trip.of("stop")[0]
    measured = __import__("json").loads(stop.measured)
    started = datetime.fromisoformat(measured["start"]["time"]).timestamp()
    assert abs(started - injected.start) < 15

    listed = client.get(
        f"/api/v1/findings?manifest={mid}", headers=world.regulator.auth()
    ).get_json()
    assert {"route_deviation", "unscheduled_stop"} <= {f["type"] for f in listed}


def test_map_layers_as_geojson(client, trip_world):
    world = trip_world
    mid, pickup_at = _on_the_road(client, world)
    trip, end = _drive(pickup_at, stops=[(8.0, 600)])
    _deliver(client, world, mid, end + timedelta(seconds=30))
    tid = _post(
        client,
        f"/api/v1/manifests/{mid}/tracks",
        trip.to_gpx(),
        world.carrier.auth("driver"),
        "application/gpx+xml",
    ).get_json()["id"]
    r = client.get(f"/api/v1/manifests/{mid}/tracks/{tid}.geojson", headers=world.regulator.auth())
    assert r.status_code == 200 and r.mimetype == "application/geo+json"
    kinds = {f["properties"]["kind"] for f in r.get_json()["features"]}
    assert {"route", "corridor", "track", "origin", "destination", "unscheduled_stop"} <= kinds
    one = client.get(f"/api/v1/manifests/{mid}/tracks/{tid}", headers=world.centre.auth())
    assert one.status_code == 200 and one.get_json()["id"] == tid


def test_only_the_trips_transporter_uploads_and_only_after_pickup(client, trip_world):
    world = trip_world
    draft = create_manifest(world)
    gpx = synth.drive().to_gpx()
    url = f"/api/v1/manifests/{draft.id}/tracks"
    assert (
        _post(client, url, gpx, world.carrier.auth("driver"), "application/gpx+xml").status_code
        == 409
    )
    mid, _ = _on_the_road(client, world, with_route=False)
    url = f"/api/v1/manifests/{mid}/tracks"
    assert _post(client, url, gpx, world.plating.auth(), "application/gpx+xml").status_code == 403
    assert _post(client, url, gpx, world.carrier2.auth(), "application/gpx+xml").status_code == 404
    assert (
        _post(client, url, gpx, world.carrier.auth("driver"), "application/pdf").status_code == 415
    )


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 '
            b'"&lol;&lol;&lol;">]><gpx version="1.1"><trk><trkseg><trkpt lat="1" lon="1">'
            b"<time>&lol2;</time></trkpt></trkseg></trk></gpx>",
            422,
            "bad_file",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            b"<gpx><name>&xxe;</name></gpx>",
            422,
            "bad_file",
        ),
        (
            b'<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>'
            b'<trkpt lat="91" lon="113"><time>2024-05-06T01:30:00Z</time></trkpt>',
            422,
            "bad_file",
        ),
        (b"<kml><Document/></kml>", 422, "bad_file"),
        (b"", 422, "bad_file"),
    ],
)
def test_hostile_files_are_refused_cleanly(client, trip_world, body, status, code):
    world = trip_world
    mid, _ = _on_the_road(client, world, with_route=False)
    r = _post(
        client,
        f"/api/v1/manifests/{mid}/tracks",
        body,
        world.carrier.auth("driver"),
        "application/gpx+xml",
    )
    assert r.status_code == status, r.get_json()
    assert r.get_json()["code"] == code
    assert (
        client.get(f"/api/v1/manifests/{mid}/tracks", headers=world.carrier.auth()).get_json() == []
    )


def test_an_oversized_upload_is_413(client, trip_world):
    world = trip_world
    mid, _ = _on_the_road(client, world, with_route=False)
    big = b"<gpx>" + b" " * (51 * 1024 * 1024)
    r = _post(
        client,
        f"/api/v1/manifests/{mid}/tracks",
        big,
        world.carrier.auth("driver"),
        "application/gpx+xml",
    )
    assert r.status_code == 413


def test_a_route_that_is_not_a_line_is_refused(client, trip_world):
    m = create_manifest(trip_world)
    r = client.put(
        f"/api/v1/manifests/{m.id}/route",
        data=b'{"type": "Point", "coordinates": [113.0, 22.5]}',
        headers=trip_world.plating.auth(),
        content_type="application/geo+json",
    )
    assert r.status_code == 422
    r = client.put(
        f"/api/v1/manifests/{m.id}/route?corridor_m=5",
        data=synth.route_geojson(),
        headers=trip_world.plating.auth(),
        content_type="application/geo+json",
    )
    assert r.status_code == 422 and "corridor_m" in r.get_json()["errors"]


def test_a_trip_completed_without_a_track_is_a_finding(world):
    from tests.builders import advance

    m = advance(world, create_manifest(world), "completed")
    assert [f.type for f in _gps_findings(world, m.id)] == ["track_missing"]
