"""A trip reported by a simulated terminal: live findings on the road, the track at delivery."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy import select

import gps
from manifest.gateway.limits import Limits
from manifest.models import Finding, GpsTrack, StoredFile
from manifest.services.tracks import file_bytes
from tests.gateway.conftest import PHONE, bind
from tests.gateway.harness import Clock, running_gateway
from tests.gateway.terminal import Fix, Terminal
from tests.gps import synth
from tests.tracks.test_tracks_api import _deliver, _on_the_road

FAST = Limits(frames_per_s=100_000, frame_burst=100_000, live_check_s=0.1, silence_sweep_s=0.2)
OUTAGE_S = 600


def _fixes(trip) -> list[Fix]:
    """The drive as a terminal reports it: whole seconds, millionths of a degree."""
    return [
        Fix(
            lat=round(float(lat) * 1e6) / 1e6,
            lon=round(float(lon) * 1e6) / 1e6,
            time=datetime.fromtimestamp(int(t), tz=UTC),
            mileage_km=i / 100,
        )
        for i, (t, lat, lon) in enumerate(zip(trip.t, trip.lat, trip.lon, strict=True))
    ]


def _gpx(fixes: list[Fix]) -> bytes:
    """The same fixes as a fleet platform's GPX export (written here, not by hwm)."""
    points = "".join(
        f'<trkpt lat="{f.lat:.6f}" lon="{f.lon:.6f}">'
        f"<time>{f.time.strftime('%Y-%m-%dT%H:%M:%SZ')}</time></trkpt>"
        for f in fixes
    )
    return (
        '<?xml version="1.0"?><gpx version="1.1" creator="fleet" '
        'xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>'
        f"{points}</trkseg></trk></gpx>"
    ).encode()


def _findings(world, mid) -> list[Finding]:
    s = world.uow.session
    s.rollback()  # a new snapshot: the gateway commits from its own connection
    return list(s.scalars(select(Finding).where(Finding.manifest_id == mid).order_by(Finding.id)))


def _wait_for(world, mid, kind: str, seconds: float = 90) -> Finding:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = [f for f in _findings(world, mid) if f.type == kind]
        if found:
            return found[0]
        time.sleep(0.05)
    raise AssertionError(f"no live {kind} finding within {seconds} s")


def _drain(terminal: Terminal, count: int) -> list[int]:
    return [terminal.answer()[2] for _ in range(count)]


def test_a_trip_reported_by_a_terminal_is_checked_on_the_road_and_becomes_its_track(
    client, trip_world
):
    world = trip_world
    mid, pickup_at = _on_the_road(client, world)
    assert bind(client, world).status_code == 201
    trip = synth.drive(start=pickup_at, deviations=[(12.0, 15.5, 800.0)])
    fixes = _fixes(trip)
    end = fixes[-1].time
    outage_from = 200  # just after leaving the site the truck loses the network
    outage = range(outage_from, outage_from + OUTAGE_S)
    off_route = np.flatnonzero(trip.offset_m > 500)
    assert off_route[0] > outage.stop  # the detour comes after the outage

    clock = Clock(pickup_at)
    with running_gateway(world_url(world), FAST, clock) as gw:
        terminal = Terminal(PHONE).connect(gw.port)
        result, code = terminal.register("粤J12345", colour=2)
        assert result == 0 and code
        assert terminal.authenticate(code) == 0

        for fix in fixes[: outage.start]:
            clock.now = fix.time
            terminal.report(fix)
        assert set(_drain(terminal, outage.start)) == {0}
        r = client.get(f"/api/v1/manifests/{mid}/position", headers=world.regulator.auth())
        last = r.get_json()["position"]
        assert (last["lat"], last["lon"]) == (
            fixes[outage.start - 1].lat,
            fixes[outage.start - 1].lon,
        )

        # Silent for longer than the gap threshold: a finding while the truck is on the road.
        clock.now = fixes[outage.start].time + timedelta(seconds=400)
        gap = _wait_for(world, mid, "gps_gap")
        assert json.loads(gap.measured)["ongoing"] is True

        # Back in the network: live reports resume, the stored ones follow as 0x0704.
        clock.now = fixes[outage.stop].time
        terminal.report(fixes[outage.stop])
        assert terminal.answer()[2] == 0
        body = terminal.batch_body([fixes[i] for i in outage])
        packages = terminal.send_in_packages(0x0704, body)
        assert len(packages) > 1
        assert set(_drain(terminal, len(packages))) == {0}

        detour_done = fixes[off_route[-1]].time
        sent = 0
        for fix in fixes[outage.stop + 1 :]:
            clock.now = fix.time
            terminal.report(fix)
            sent += 1
            if fix.time == detour_done + timedelta(seconds=60):
                deviation = _wait_for(world, mid, "route_deviation")
        assert set(_drain(terminal, sent)) == {0}
        gw.settle()
        terminal.close()

    # The detour was found on the road, before the delivery signature.
    assert deviation.created_at <= end
    _deliver(client, world, mid, end + timedelta(seconds=30))

    kinds = sorted(f.type for f in _findings(world, mid))
    assert kinds == ["gps_gap", "route_deviation"], kinds  # one finding per episode

    tracks = client.get(f"/api/v1/manifests/{mid}/tracks", headers=world.plating.auth()).get_json()
    assert len(tracks) == 1 and tracks[0]["fixes"] == len(fixes)
    terminal_track = tracks[0]

    # The custody chain signs the terminal track's hash at delivery.
    events = client.get(f"/api/v1/manifests/{mid}/events", headers=world.plating.auth()).get_json()
    deliver = next(e for e in events if e["action"] == "deliver")
    signed = deliver["payload"]["terminal_tracks"]
    assert [t["file_sha256"] for t in signed] == [terminal_track["file_sha256"]]
    assert signed[0]["source"] == "terminal" and signed[0]["fixes"] == len(fixes)
    verdict = client.get(f"/api/v1/manifests/{mid}/verify", headers=world.plating.auth())
    assert verdict.get_json()["valid"] is True

    # The same fixes uploaded as GPX give the same track and the same analysis.
    upload = client.post(
        f"/api/v1/manifests/{mid}/tracks",
        data=_gpx(fixes),
        headers=world.carrier.auth("driver"),
        content_type="application/gpx+xml",
    )
    assert upload.status_code == 201, upload.get_json()
    assert upload.get_json()["analysis"] == terminal_track["analysis"]
    s = world.uow.session
    s.rollback()
    stored = {
        row.source: gps.parse_gpx(file_bytes(s.get(StoredFile, row.file_sha256)))
        for row in s.scalars(select(GpsTrack).where(GpsTrack.manifest_id == mid))
    }
    assert stored["terminal"].time_ms.tolist() == stored["upload"].time_ms.tolist()
    assert stored["terminal"].lat.tolist() == stored["upload"].lat.tolist()
    assert stored["terminal"].lon.tolist() == stored["upload"].lon.tolist()
    assert sorted(f.type for f in _findings(world, mid)) == kinds  # no finding doubled


def world_url(world) -> str:
    return world.uow.session.get_bind().url.render_as_string(hide_password=False)


def test_a_stop_outside_the_sites_is_found_while_the_truck_still_stands(client, trip_world):
    world = trip_world
    mid, pickup_at = _on_the_road(client, world)
    assert bind(client, world).status_code == 201
    trip = synth.drive(start=pickup_at, stops=[(8.0, 900)])
    fixes = _fixes(trip)
    stop = trip.of("stop")[0]
    standing = [f for f in fixes if f.time.timestamp() <= stop.start + 400]  # not yet moving
    clock = Clock(pickup_at)
    with running_gateway(world_url(world), FAST, clock) as gw:
        terminal = Terminal(PHONE).connect(gw.port)
        assert terminal.authenticate(terminal.register("粤J12345")[1]) == 0
        for fix in standing:
            clock.now = fix.time
            terminal.report(fix)
        assert set(_drain(terminal, len(standing))) == {0}
        found = _wait_for(world, mid, "unscheduled_stop")
        terminal.close()
    measured = json.loads(found.measured)
    assert abs(datetime.fromisoformat(measured["start"]["time"]).timestamp() - stop.start) < 15
    assert found.vehicle_plate == "粤J12345" and found.created_at < fixes[-1].time
