"""The rule that matches weighbridge records to manifests, stated once in plain Python.

The service decides a whole batch at once in SQL (``manifest.services.receipts.matching``);
a test holds that query to :func:`decide_matches` over generated cases, so the fast form and
this readable one cannot drift apart.

A record is matched only to a manifest addressed to the receiver that uploaded it:

1. by number: the receiver's own manifest whose number the scale operator typed, in any
   status and at any time. A number naming another receiver's manifest reads as a number
   naming nothing, so an upload tells its receiver nothing about other parties' manifests;
2. otherwise by plate: the receiver's manifests of the same vehicle, not cancelled, picked up
   at most ``window`` after the arrival and at most ``max_transit + window`` before it, and,
   once delivered, signed within ``window`` of the weighing either way, that no earlier
   record was weighed under. The nearest in time wins (to the delivery, or to the pickup
   while in transit); of two as near, the later-made one (higher id);
3. then per manifest: a cancelled one gives ``cancelled``; otherwise the earliest record (by
   arrival, then by record id) among those that found it is ``matched``, unless a record of
   an earlier run was weighed under it already; every other record that found it is
   ``already_received``. A record that found no manifest is ``unmanifested``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

#: How far a weighing may lie before the pickup, or from the delivery, of its manifest.
MATCH_WINDOW = timedelta(hours=12)
#: Longest trip a record is matched to by plate; longer ones are overdue anyway.
MAX_TRANSIT = timedelta(days=7)

MatchOutcome = Literal["matched", "cancelled", "already_received", "unmanifested"]

#: The finding each non-matching outcome raises. A cancelled manifest or one already weighed
#: in under another ticket cannot cover this load, so the load is unmanifested.
FINDING_FOR_OUTCOME: dict[str, str] = {
    "cancelled": "unmanifested_receipt",
    "already_received": "unmanifested_receipt",
    "unmanifested": "unmanifested_receipt",
}


@dataclass(frozen=True)
class PendingRecord:
    """A stored weighbridge record not matched yet (times aware)."""

    id: int
    receiver_id: int
    plate: str
    arrived_at: datetime
    manifest_number: str | None = None


@dataclass(frozen=True)
class Trip:
    """What matching reads of a manifest. ``weighed``: a record of an earlier run was matched
    to it."""

    id: int
    number: str | None
    receiver_id: int
    vehicle_plate: str | None
    status: str
    picked_up_at: datetime | None
    delivered_at: datetime | None
    weighed: bool = False


@dataclass(frozen=True)
class Decision:
    """Where one record landed: its manifest (if any), how it was found, and the outcome."""

    receipt_id: int
    manifest_id: int | None
    matched_by: Literal["number", "plate"] | None
    outcome: MatchOutcome


def fits_by_plate(
    record: PendingRecord,
    trip: Trip,
    *,
    window: timedelta = MATCH_WINDOW,
    max_transit: timedelta = MAX_TRANSIT,
) -> bool:
    """Whether ``trip`` may be the manifest of ``record`` found by plate (rule 2)."""
    if (trip.receiver_id, trip.vehicle_plate) != (record.receiver_id, record.plate):
        return False
    if trip.status == "cancelled" or trip.picked_up_at is None or trip.weighed:
        return False
    arrived, picked, delivered = record.arrived_at, trip.picked_up_at, trip.delivered_at
    if not picked - window <= arrived <= picked + max_transit + window:
        return False
    return delivered is None or abs(arrived - delivered) <= window


def find_trip(
    record: PendingRecord,
    trips: Iterable[Trip],
    *,
    window: timedelta = MATCH_WINDOW,
    max_transit: timedelta = MAX_TRANSIT,
) -> tuple[Trip | None, Literal["number", "plate"] | None]:
    """The manifest a record names by number, else the nearest that fits by plate."""
    trips = list(trips)
    if record.manifest_number is not None:
        for trip in trips:
            if (trip.number, trip.receiver_id) == (record.manifest_number, record.receiver_id):
                return trip, "number"
    fitting = [t for t in trips if fits_by_plate(record, t, window=window, max_transit=max_transit)]
    if not fitting:
        return None, None

    def nearness(trip: Trip):
        return abs(record.arrived_at - (trip.delivered_at or trip.picked_up_at)), -trip.id

    return min(fitting, key=nearness), "plate"


def decide_matches(
    records: Iterable[PendingRecord],
    trips: Iterable[Trip],
    *,
    window: timedelta = MATCH_WINDOW,
    max_transit: timedelta = MAX_TRANSIT,
) -> list[Decision]:
    """One decision per pending record, in the order given (rules 1 to 3 above)."""
    trips = list(trips)
    found = [
        (record, *find_trip(record, trips, window=window, max_transit=max_transit))
        for record in records
    ]
    by_trip: dict[int, list[PendingRecord]] = defaultdict(list)
    for record, trip, _how in found:
        if trip is not None:
            by_trip[trip.id].append(record)
    decisions = []
    for record, trip, how in found:
        if trip is None:
            outcome = "unmanifested"
        elif trip.status == "cancelled":
            outcome = "cancelled"
        else:
            first = min(by_trip[trip.id], key=lambda r: (r.arrived_at, r.id))
            outcome = "matched" if first is record and not trip.weighed else "already_received"
        decisions.append(Decision(record.id, None if trip is None else trip.id, how, outcome))
    return decisions
