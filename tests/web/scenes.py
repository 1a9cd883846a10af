"""Manifests with a whole story behind them, made through the services, for the page tests:
a planned route, a trip with a GPS track whose episodes are findings, a short delivery, a
partial rejection and comments on the findings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import update

from manifest.models import Organization
from manifest.services import findings_triage, lifecycle, tracks
from manifest.services.drafts import create_manifest as create_draft
from tests.builders import PLATING_SLUDGE, hazardous_body, now
from tests.gps import synth


def place_receiver_at_the_end_of_the_drive(world) -> None:
    """The disposal centre's site where the synthetic drive ends."""
    lat, lon = synth.DESTINATION
    world.uow.session.execute(
        update(Organization).where(Organization.id == world.centre.id).values(lat=lat, lon=lon)
    )
    world.uow.session.commit()


def trip_story(world, *, lines: int = 2, routes: int = 1, track: bool = True):
    """A completed-to-decision manifest of ``lines`` lines: the route set ``routes`` times
    (one signed event each), issued, picked up in full, driven with a stop, a deviation, a
    signal gap and a jump (when ``track``), delivered a fifth short on every line, line 1
    partly rejected; each finding gets a comment from the receiver. Returns the manifest."""
    place_receiver_at_the_end_of_the_drive(world)
    body = hazardous_body(world)
    body["vehicle_plate"] = "粤J88888"  # 30 t: room for twenty one-tonne lines
    body["lines"] = [
        dict(PLATING_SLUDGE, name=f"电镀污泥 {n}", quantity="1.000", container_count=1)
        for n in range(1, lines + 1)
    ]
    gen = world.plating.actor()
    m = create_draft(world.uow, actor=gen, data=body)
    for n in range(routes):
        tracks.set_route(
            world.uow,
            actor=gen,
            ref=m.id,
            data=synth.route_geojson(),
            content_type="application/geo+json",
            corridor_m=500 + 10 * n,
        )
    start = now() - timedelta(hours=4)
    lifecycle.issue_manifest(world.uow, actor=gen, ref=m.id, at=start)
    pickup_at = start + timedelta(minutes=10)
    lifecycle.pickup(
        world.uow,
        actor=world.carrier.actor("driver"),
        ref=m.id,
        vehicle_plate="粤J88888",
        driver="李师傅",
        at=pickup_at,
        position={"lat": synth.ORIGIN[0], "lon": synth.ORIGIN[1]},
        lines=[{"line_no": n, "quantity": Decimal("1")} for n in range(1, lines + 1)],
    )
    trip = synth.drive(
        start=pickup_at,
        stops=[(8.0, 900)],
        deviations=[(12.0, 15.5, 800.0)],
        gaps=[(240, 420)],
        teleports=[100],
    )
    end = datetime.fromtimestamp(float(trip.t[-1]), tz=UTC)
    receiver = world.centre.actor()
    lifecycle.deliver(
        world.uow,
        actor=receiver,
        ref=m.id,
        at=end + timedelta(seconds=30),
        lines=[{"line_no": n, "quantity": Decimal("0.8")} for n in range(1, lines + 1)],
    )
    if track:
        tracks.upload_track(
            world.uow,
            actor=world.carrier.actor("driver"),
            ref=m.id,
            data=trip.to_gpx(),
            content_type="application/gpx+xml",
        )
    decided = [
        {"line_no": n, "accepted": Decimal("0.8"), "rejected": Decimal("0")}
        for n in range(1, lines + 1)
    ]
    decided[0] = {
        "line_no": 1,
        "accepted": Decimal("0.5"),
        "rejected": Decimal("0.3"),
        "reason": "含水率过高",
    }
    m = lifecycle.decide(
        world.uow, actor=receiver, ref=m.id, at=end + timedelta(minutes=20), lines=decided
    )
    found, _ = findings_triage.list_findings(
        world.uow.session, receiver, manifest=str(m.id), per_page=100
    )
    for finding in found:
        findings_triage.add_comment(
            world.uow,
            actor=receiver,
            finding_id=finding["id"],
            body=f"已核实：{finding['type']}",
        )
    return m
