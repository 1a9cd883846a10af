"""Replaying signed events to check the stored manifest against what was signed.

The chain proves the events were not altered; this proves the manifest row and its lines
were not altered behind the events' back (say, a quantity edited by SQL).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal

from ..models import CustodyEvent, Manifest
from ..status import Status

#: Which line tally each action signs, as (payload key, line attribute).
LINE_TALLIES = {
    "issue": [("declared", "declared")],
    "pickup": [("quantity", "loaded")],
    "handoff": [("quantity", "loaded")],
    "deliver": [("quantity", "received")],
    "decide": [("accepted", "accepted"), ("rejected", "rejected")],
}
STATUS_AFTER = {
    "create": Status.DRAFT,
    "edit": Status.DRAFT,
    "issue": Status.ISSUED,
    "cancel": Status.CANCELLED,
    "pickup": Status.IN_TRANSIT,
    "handoff": Status.IN_TRANSIT,
    "deliver": Status.DELIVERED,
    "complete": Status.COMPLETED,
}


def first_disagreement(
    manifest: Manifest, events: Sequence[CustodyEvent]
) -> tuple[int, str] | None:
    """The earliest event whose signed content the stored manifest no longer matches."""
    signed: dict[tuple[int, str], tuple[Decimal, CustodyEvent]] = {}
    status_event: CustodyEvent | None = None
    status: str | None = None
    number_event: CustodyEvent | None = None
    number = None
    for ev in events:
        payload = json.loads(ev.payload)
        for key, attr in LINE_TALLIES.get(ev.action, []):
            for line in payload.get("lines", []):
                if line.get(key) is not None:
                    signed[(line["line_no"], attr)] = (Decimal(line[key]), ev)
        if ev.action == "decide":
            status, status_event = payload["status"], ev
        elif ev.action in STATUS_AFTER:
            status, status_event = STATUS_AFTER[ev.action].value, ev
        if ev.action == "issue":
            number, number_event = payload["number"], ev
    problems: list[tuple[int, int, str]] = []
    lines = {ln.line_no: ln for ln in manifest.lines}
    for (line_no, attr), (value, ev) in signed.items():
        line = lines.get(line_no)
        stored = None if line is None else getattr(line, attr)
        if stored is None or Decimal(stored) != value:
            problems.append(
                (
                    ev.sequence,
                    ev.id,
                    f"line {line_no} {attr} is {stored}, the signed event says {value}",
                )
            )
    if status_event is not None and manifest.status != status:
        problems.append(
            (
                status_event.sequence,
                status_event.id,
                f"status is {manifest.status}, the signed events lead to {status}",
            )
        )
    if number_event is not None and manifest.number != number:
        problems.append(
            (
                number_event.sequence,
                number_event.id,
                f"number is {manifest.number}, the issue event signed {number}",
            )
        )
    if not problems:
        return None
    _, event_id, reason = min(problems)
    return event_id, reason
