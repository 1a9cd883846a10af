"""The trip's track from its vehicles' terminals, and the checks made on the road.

While a manifest is in transit, the positions its current vehicle's terminal reports are
checked as they arrive (:func:`check_live`); at the delivery signature the positions of each
leg, pickup to hand-over or delivery, become that leg's track (:func:`record_terminal_tracks`):
written as GPX and analysed exactly as an uploaded GPX file, its hash signed in the delivery
event. Both use the one analysis in :mod:`gps` and the one way episodes become findings in
:mod:`.episode_findings`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import exists, select

from gps.analysis import Moment
from gps.crs import WGS84
from gps.live import live_episodes, silence_episode
from gps.write import gpx_from_micro_degrees

from ..infra.uow import UnitOfWork
from ..models import Manifest, Terminal, Vehicle
from ..status import Status
from .episode_findings import live_key_prefix, raise_episode_findings
from .positions import fixes_track, last_fix, usable_fixes
from .tracks import current_route, record_track, track_evidence, trip_context

GPX = "application/gpx+xml"
#: How much of the trip a live check analyses: enough for any episode to be seen whole
#: while it is shorter than this; a longer one has been raised already.
LIVE_WINDOW = timedelta(hours=1)


def _leg_end(manifest: Manifest, leg) -> datetime | None:
    legs = manifest.legs
    return legs[leg.leg_no].started_at if leg.leg_no < len(legs) else manifest.delivered_at


def _binder(session, vehicle_id: int) -> int | None:
    """Who answers for the vehicle's positions: the administrator who bound its latest
    terminal."""
    return session.scalar(
        select(Terminal.bound_by_id)
        .where(Terminal.vehicle_id == vehicle_id)
        .order_by(Terminal.created_at.desc(), Terminal.id.desc())
        .limit(1)
    )


def record_terminal_tracks(session, manifest: Manifest) -> list[dict]:
    """At delivery: one track per leg whose vehicle's terminal reported usable positions in
    the leg's interval, analysed and stored as an upload would be (``source`` terminal).
    Returns the evidence of each for the delivery event. Nothing is committed."""
    evidence = []
    for leg in manifest.legs:
        vehicle = session.scalar(select(Vehicle).where(Vehicle.plate == leg.vehicle_plate))
        end = _leg_end(manifest, leg)
        if vehicle is None or end is None:
            continue
        fixes = usable_fixes(session, vehicle_id=vehicle.id, start=leg.started_at, end=end)
        binder = _binder(session, vehicle.id)
        if not fixes or binder is None:
            continue
        data = gpx_from_micro_degrees(
            [f[0] for f in fixes], [f[1] for f in fixes], [f[2] for f in fixes], leg.vehicle_plate
        )
        row, stored, analysis = record_track(
            session,
            manifest=manifest,
            leg=leg,
            recorded_by_id=binder,
            data=data,
            content_type=GPX,
            crs=WGS84,
            source="terminal",
        )
        evidence.append(
            {"vehicle_plate": leg.vehicle_plate, "source": "terminal"}
            | track_evidence(row, stored, analysis)
        )
    return evidence


def _on_the_road(session, vehicle_ids):
    """(manifest, vehicle) of every manifest in transit whose vehicle has a bound terminal,
    limited to ``vehicle_ids`` when given."""
    bound = exists().where(Terminal.vehicle_id == Vehicle.id, Terminal.unbound_at.is_(None))
    query = (
        select(Manifest, Vehicle)
        .join(Vehicle, Vehicle.plate == Manifest.vehicle_plate)
        .where(Manifest.status == Status.IN_TRANSIT.value, bound)
        .order_by(Manifest.id)
    )
    if vehicle_ids is not None:
        query = query.where(Vehicle.id.in_(list(vehicle_ids)))
    return session.execute(query).all()


def check_live(uow: UnitOfWork, *, now: datetime, vehicle_ids=None) -> int:
    """The checks of manifests in transit on vehicles with a terminal, as of ``now``.

    For ``vehicle_ids`` (those that reported since the last check) the fixes of the last
    :data:`LIVE_WINDOW` of the trip are analysed against the route and sites: deviations,
    stops outside the sites and gaps become findings now. Without ``vehicle_ids`` every such
    manifest is swept for silence since its last fix. Returns how many findings were raised.
    """
    raised = 0
    now_ms = int(now.timestamp() * 1000)
    with uow:
        s = uow.session
        for manifest, vehicle in _on_the_road(s, vehicle_ids):
            leg = manifest.current_leg
            if leg is None:
                continue
            if vehicle_ids is None:
                episodes = _silence(s, vehicle.id, leg.started_at, now_ms)
            else:
                start = max(leg.started_at, now - LIVE_WINDOW)
                fixes = usable_fixes(s, vehicle_id=vehicle.id, start=start, end=None)
                context = trip_context(
                    s, manifest, leg.transporter_id, current_route(s, manifest.id)
                )
                episodes = live_episodes(
                    fixes_track(fixes),
                    now_ms=now_ms,
                    since_ms=int(leg.started_at.timestamp() * 1000),
                    **context,
                )
            raised += raise_episode_findings(
                s,
                manifest=manifest,
                episodes=episodes,
                key_prefix=live_key_prefix(manifest.id),
                vehicle_plate=vehicle.plate,
                now=now,
                update_known=False,
            )
        uow.commit()
    return raised


def _silence(session, vehicle_id: int, since: datetime, now_ms: int) -> list:
    last = last_fix(session, vehicle_id=vehicle_id, since=since)
    moment = (
        Moment(int(since.timestamp() * 1000))
        if last is None
        else Moment(int(last[2].timestamp() * 1000), last[0] / 1e6, last[1] / 1e6)
    )
    episode = silence_episode(moment, now_ms)
    return [] if episode is None else [episode]
