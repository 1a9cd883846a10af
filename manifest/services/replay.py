"""Replaying signed events to check the stored manifest against what was signed.

The chain proves the events were not altered; this proves the manifest row and its lines
were not altered behind the events' back (say, a quantity edited by SQL, or the carrier or
the named next transporter swapped), and that the mass totals stored on the row still add
up from its lines.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal

from ..models import CustodyEvent, Manifest
from ..status import LINE_TALLY_TOTALS, MOVES, Action, Move, Status
from ..tonnage import mass_totals


def line_tallies(moves: dict[Action, Move]) -> dict[str, list[tuple[str, str]]]:
    """Which line tallies each action signs, as (payload key, line attribute)."""
    return {a.value: list(m.tallies) for a, m in moves.items() if m.tallies}


def total_sources(moves: dict[Action, Move]) -> dict[str, tuple[str, ...]]:
    """Which stored totals follow from the line tallies each action sets or signs: the
    totals of the tallies it signs, and the declared figures of the moves that write the
    lines themselves."""
    sources = {}
    for action, move in moves.items():
        totals = tuple(LINE_TALLY_TOTALS[tally] for _, tally in move.tallies)
        if move.drafts_lines:
            totals = ("declared_kg", "unmeasured_lines")
        if totals:
            sources[action.value] = totals
    return sources


def carriers_signed(moves: dict[Action, Move]) -> dict[str, dict[str, str | None]]:
    """Which carrier columns each action signs, as {column: payload key}; a key of None
    means the action clears the column (the hand-over consumes the naming of the next
    transporter). Manifests filed before the naming existed signed no next transporter: it
    is absent, None."""
    return {a.value: dict(m.carriers) for a, m in moves.items() if m.carriers}


def status_after(moves: dict[Action, Move]) -> dict[str, Status]:
    """The status each action leads to, for the moves that lead to one."""
    return {a.value: m.status_after for a, m in moves.items() if m.status_after is not None}


def status_keys(moves: dict[Action, Move]) -> dict[str, str]:
    """The payload key signing the outcome, for the moves with several possible targets."""
    return {a.value: m.status_key for a, m in moves.items() if m.status_key is not None}


LINE_TALLIES = line_tallies(MOVES)
TOTAL_SOURCES = total_sources(MOVES)
CARRIERS_SIGNED = carriers_signed(MOVES)
STATUS_AFTER = status_after(MOVES)
STATUS_KEYS = status_keys(MOVES)


def first_disagreement(
    manifest: Manifest, events: Sequence[CustodyEvent]
) -> tuple[int, str] | None:
    """The earliest event whose signed content the stored manifest no longer matches."""
    signed: dict[tuple[int, str], tuple[Decimal, CustodyEvent]] = {}
    status_event: CustodyEvent | None = None
    status: str | None = None
    number_event: CustodyEvent | None = None
    number = None
    carriers: dict[str, tuple[int | None, CustodyEvent]] = {}
    for ev in events:
        payload = json.loads(ev.payload)
        for column, key in CARRIERS_SIGNED.get(ev.action, {}).items():
            carriers[column] = (None if key is None else payload.get(key), ev)
        for key, attr in LINE_TALLIES.get(ev.action, []):
            for line in payload.get("lines", []):
                if line.get(key) is not None:
                    signed[(line["line_no"], attr)] = (Decimal(line[key]), ev)
        if ev.action in STATUS_KEYS:
            status, status_event = payload[STATUS_KEYS[ev.action]], ev
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
    for column, (value, ev) in carriers.items():
        if getattr(manifest, column) != value:
            problems.append(
                (
                    ev.sequence,
                    ev.id,
                    f"{column} is {getattr(manifest, column)}, the signed events say {value}",
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
    if not problems and events:
        problems = _total_problems(manifest, events)
    if not problems:
        return None
    _, event_id, reason = min(problems)
    return event_id, reason


def _total_problems(
    manifest: Manifest, events: Sequence[CustodyEvent]
) -> list[tuple[int, int, str]]:
    """The stored mass totals that differ from the stored lines' totals, each named by the
    last event that set or signed the tally behind it (the latest event when none did).

    Checked once the lines agree with the signatures, so an edited line is reported as the
    line, not as the totals that no longer add up to it.
    """
    latest = {}
    for ev in events:
        for column in TOTAL_SOURCES.get(ev.action, ()):
            latest[column] = ev
    problems = []
    for column, expected in mass_totals(manifest.lines).as_dict().items():
        stored = getattr(manifest, column)
        if stored is None or stored != expected:
            ev = latest.get(column, events[-1])
            problems.append(
                (
                    ev.sequence,
                    ev.id,
                    f"stored total {column} is {stored}, the lines add up to {expected}",
                )
            )
    return problems
