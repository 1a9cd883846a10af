"""Moving manifests with chosen tallies and times, through the real services."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from manifest.models import Finding
from manifest.services import lifecycle
from tests.builders import World, create_manifest


def findings(uow, manifest_id=None, type=None):
    stmt = select(Finding).order_by(Finding.id)
    if manifest_id is not None:
        stmt = stmt.where(Finding.manifest_id == manifest_id)
    if type is not None:
        stmt = stmt.where(Finding.type == type)
    uow.session.expire_all()
    return list(uow.session.scalars(stmt))


def measured(finding) -> dict:
    return json.loads(finding.measured)


def receiver_of(world: World, manifest):
    return world.centre if manifest.receiver_id == world.centre.id else world.kiln


def generator_of(world: World, manifest):
    return {world.plating.id: world.plating, world.wwtp.id: world.wwtp}.get(
        manifest.generator_id, world.outsider
    )


def issue(world, manifest, at):
    return lifecycle.issue_manifest(
        world.uow, actor=generator_of(world, manifest).actor(), ref=manifest.id, at=at
    )


def pickup(world, manifest, at, loaded=None):
    loaded = loaded or {ln.line_no: ln.declared for ln in manifest.lines}
    return lifecycle.pickup(
        world.uow,
        actor=world.carrier.actor("driver"),
        ref=manifest.id,
        vehicle_plate=manifest.vehicle_plate,
        driver="李师傅",
        at=at,
        lines=[{"line_no": n, "quantity": q} for n, q in loaded.items()],
    )


def deliver(world, manifest, at, received=None, moisture=None, codes=None):
    received = received or {ln.line_no: ln.loaded for ln in manifest.lines}
    lines = [{"line_no": n, "quantity": q, **(codes or {}).get(n, {})} for n, q in received.items()]
    return lifecycle.deliver(
        world.uow,
        actor=receiver_of(world, manifest).actor(),
        ref=manifest.id,
        at=at,
        lines=lines,
        moisture_pct=moisture if moisture is not None else manifest.moisture_pct,
    )


def decide(world, manifest, at, rejected=None, reason="含水率超标"):
    rejected = rejected or {}
    lines = []
    for ln in manifest.lines:
        r = Decimal(rejected.get(ln.line_no, 0))
        lines.append(
            {
                "line_no": ln.line_no,
                "accepted": ln.received - r,
                "rejected": r,
                "reason": reason if r else None,
            }
        )
    return lifecycle.decide(
        world.uow, actor=receiver_of(world, manifest).actor(), ref=manifest.id, at=at, lines=lines
    )


def trip(
    world,
    *,
    kind="hazardous",
    start: datetime,
    to="delivered",
    received=None,
    loaded=None,
    moisture=None,
    **overrides,
):
    """A manifest issued at ``start`` and moved on at half-hour steps up to ``to``."""
    manifest = create_manifest(world, kind=kind, **overrides)
    t = start
    manifest = issue(world, manifest, t)
    if to == "issued":
        return manifest
    t += timedelta(minutes=30)
    manifest = pickup(world, manifest, t, loaded)
    if to == "in_transit":
        return manifest
    t += timedelta(minutes=30)
    manifest = deliver(world, manifest, t, received, moisture)
    if to == "delivered":
        return manifest
    t += timedelta(minutes=30)
    manifest = decide(world, manifest, t)
    if to == "accepted":
        return manifest
    return lifecycle.complete(
        world.uow,
        actor=receiver_of(world, manifest).actor(),
        ref=manifest.id,
        operation=manifest.operation,
        completed_at=t + timedelta(minutes=30),
    )
