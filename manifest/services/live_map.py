"""The regulator's live map: where each vehicle on the road in its regions was last fixed.

A regulator sees the manifests in transit that it may see (a party registered in one of its
regions, :func:`manifest.services.access.visible_manifests`), one page at a time, each with
its vehicle's last known position on the trip (:func:`last_trip_positions`, the rule of the
manifest page) and the findings the live checks raised about it that are not resolved yet.
Nobody else has a live map.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..actor import Actor
from ..models import Finding, Manifest
from ..paging import page_count
from ..status import Status
from .access import visible_manifests
from .episode_findings import live_key_prefix
from .positions import last_trip_positions

#: The vehicles shown on one page of the map and its table.
PER_PAGE = 25


@dataclass(frozen=True)
class LiveFinding:
    id: int
    type: str
    severity: str
    status: str
    raised_at: datetime


@dataclass(frozen=True)
class VehicleOnMap:
    """One manifest in transit: its vehicle, where it was last fixed (None before the first
    usable fix of the trip) and its unresolved live findings, oldest first."""

    manifest_id: int
    number: str
    vehicle_plate: str
    position: dict | None
    findings: list[LiveFinding]


@dataclass(frozen=True)
class LiveMap:
    vehicles: list[VehicleOnMap]
    page: int
    pages: int
    total: int


def live_map(session, *, actor: Actor, page: int = 1, per_page: int = PER_PAGE) -> LiveMap:
    """Page ``page`` (from 1; past the last page, the last) of the manifests in transit the
    regulator ``actor`` may see, by manifest number, with their vehicles' last known positions
    and unresolved live findings. A fixed number of queries whatever the page holds.

    Raises Forbidden for anyone but a regulator."""
    actor.require_regulator()
    in_transit = visible_manifests(actor).where(Manifest.status == Status.IN_TRANSIT)
    total = session.scalar(select(func.count()).select_from(in_transit.subquery())) or 0
    pages = page_count(total, per_page)
    page = min(max(1, page), pages)
    manifests = session.scalars(
        in_transit.options(selectinload(Manifest.legs))
        .order_by(Manifest.number, Manifest.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    positions = last_trip_positions(session, manifests)
    findings = _live_findings(session, [m.id for m in manifests])
    vehicles = [
        VehicleOnMap(
            manifest_id=m.id,
            number=m.number or "",
            vehicle_plate=m.current_leg.vehicle_plate if m.current_leg else m.vehicle_plate,
            position=positions.get(m.id),
            findings=findings.get(m.id, []),
        )
        for m in manifests
    ]
    return LiveMap(vehicles=vehicles, page=page, pages=pages, total=total)


def _live_findings(session, manifest_ids: list[int]) -> dict[int, list[LiveFinding]]:
    """The unresolved findings the live checks raised about each manifest, oldest first."""
    if not manifest_ids:
        return {}
    rows = session.scalars(
        select(Finding)
        .where(Finding.manifest_id.in_(manifest_ids), Finding.status != "resolved")
        .order_by(Finding.created_at, Finding.id)
    )
    found: dict[int, list[LiveFinding]] = {}
    for f in rows:
        if f.key.startswith(live_key_prefix(f.manifest_id)):
            found.setdefault(f.manifest_id, []).append(
                LiveFinding(f.id, f.type, f.severity, f.status, f.created_at)
            )
    return found
