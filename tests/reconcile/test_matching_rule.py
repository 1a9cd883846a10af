"""The matching query decides as the plain rule of manifest.receipt_matching, case by case.

Manifests and records are generated at random (seeded), with arrival times placed on and
around every edge of the windows, then matched by the service; each stored decision must be
the one :func:`decide_matches` gives for the same pending records and manifests.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import exists, select

from manifest.models import Manifest, WeighbridgeReceipt
from manifest.models.receipts import WeighbridgeMatch
from manifest.receipt_matching import (
    MATCH_WINDOW,
    MAX_TRANSIT,
    Decision,
    PendingRecord,
    Trip,
    decide_matches,
)
from manifest.services.receipts import match_pending

BASE = datetime(2026, 3, 2, tzinfo=UTC)
PLATES = ("粤J12345", "粤J88888", "粤J66666")
STATUSES = ("issued", "in_transit", "delivered", "accepted", "completed", "cancelled")
MINUTE = timedelta(minutes=1)
#: Offsets from a manifest's pickup or delivery that sit on and beside each edge.
EDGES = (
    timedelta(0),
    MATCH_WINDOW,
    -MATCH_WINDOW,
    MATCH_WINDOW + MINUTE,
    -MATCH_WINDOW - MINUTE,
    MAX_TRANSIT + MATCH_WINDOW,
    MAX_TRANSIT + MATCH_WINDOW + MINUTE,
    timedelta(hours=3),
    -timedelta(hours=3),
)


def _manifests(session, world, rnd: random.Random, count: int, serial: int) -> list[Manifest]:
    receivers = (world.centre.id, world.kiln.id)
    creator = world.plating.users["admin"][0].id
    made = []
    for i in range(count):
        status = rnd.choice(STATUSES)
        picked = delivered = None
        if status != "issued" and rnd.random() < 0.9:
            picked = BASE + rnd.randrange(0, 10 * 24 * 60, 30) * MINUTE
        if picked is not None and status in ("delivered", "accepted", "completed"):
            delivered = picked + rnd.randrange(60, 20 * 60, 60) * MINUTE
        receiver, plate = rnd.choice(receivers), rnd.choice(PLATES)
        if made and rnd.random() < 0.25:  # a twin: as near to any record as the one before
            twin = made[-1]
            receiver, plate = twin.receiver_id, twin.vehicle_plate
            picked, delivered = twin.picked_up_at, twin.delivered_at
            status = twin.status if status == "cancelled" else status
        m = Manifest(
            number=f"202644079{serial}{i:04d}",
            kind="hazardous",
            status=status,
            category="HW17",
            generator_id=world.plating.id,
            transporter_id=world.carrier.id,
            receiver_id=receiver,
            vehicle_plate=plate,
            planned_pickup_at=BASE,
            operation="D10",
            created_by_id=creator,
            issued_at=BASE,
            picked_up_at=picked,
            delivered_at=delivered,
        )
        session.add(m)
        made.append(m)
    session.flush()
    return made


def _records(session, world, rnd: random.Random, manifests, count: int, prefix: str):
    receivers = (world.centre.id, world.kiln.id)
    for i in range(count):
        near = rnd.choice(manifests)
        anchor = rnd.choice([near.picked_up_at, near.delivered_at]) or BASE
        number = rnd.choice([None, None, None, near.number, "20264407900999"])
        session.add(
            WeighbridgeReceipt(
                receiver_id=rnd.choice([near.receiver_id, *receivers]),
                ticket=f"{prefix}{i}",
                plate=rnd.choice([near.vehicle_plate, near.vehicle_plate, *PLATES]),
                arrived_at=anchor + rnd.choice(EDGES) * rnd.choice([1, 1, -1]),
                net_kg=Decimal("1000"),
                manifest_number=number,
            )
        )
    session.flush()


def _expected(session, receiver_id: int | None) -> list[Decision]:
    R, WM = WeighbridgeReceipt, WeighbridgeMatch
    pending = select(R).where(~exists().where(WM.receipt_id == R.id)).order_by(R.id)
    if receiver_id is not None:
        pending = pending.where(R.receiver_id == receiver_id)
    weighed = set(session.scalars(select(WM.manifest_id).where(WM.outcome == "matched")))
    records = [
        PendingRecord(r.id, r.receiver_id, r.plate, r.arrived_at, r.manifest_number)
        for r in session.scalars(pending)
    ]
    trips = [
        Trip(
            m.id,
            m.number,
            m.receiver_id,
            m.vehicle_plate,
            m.status,
            m.picked_up_at,
            m.delivered_at,
            weighed=m.id in weighed,
        )
        for m in session.scalars(select(Manifest))
    ]
    return decide_matches(records, trips)


def _stored(session, receipt_ids) -> list[Decision]:
    WM = WeighbridgeMatch
    rows = session.execute(
        select(WM.receipt_id, WM.manifest_id, WM.matched_by, WM.outcome)
        .where(WM.receipt_id.in_(receipt_ids))
        .order_by(WM.receipt_id)
    )
    return [Decision(*row) for row in rows]


def test_the_matching_query_decides_as_the_rule(world, uow):
    s = uow.session
    seen = set()
    for seed in range(6):
        rnd = random.Random(seed)
        manifests = _manifests(s, world, rnd, 16, serial=seed)
        # Two runs: the second sees the first's weighings, and is one receiver's only.
        for run, receiver_id in enumerate((None, world.centre.id)):
            _records(s, world, rnd, manifests, 24, prefix=f"S{seed}R{run}-")
            expected = _expected(s, receiver_id)
            match_pending(s, receiver_id=receiver_id, now=BASE + timedelta(days=30))
            assert _stored(s, [d.receipt_id for d in expected]) == expected, (seed, run)
            seen |= {(d.outcome, d.matched_by) for d in expected}
        uow.commit()
    # The generated cases reach every outcome, by number and by plate.
    assert seen >= {
        ("matched", "number"),
        ("matched", "plate"),
        ("already_received", "number"),
        ("already_received", "plate"),
        ("cancelled", "number"),
        ("unmanifested", None),
    }
