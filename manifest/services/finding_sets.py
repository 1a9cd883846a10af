"""Raising many findings at once: a fixed number of statements however many there are.

Matching a year of weighbridge records or sweeping deadlines can produce thousands of findings;
one ORM insert per finding would cost several round trips each. Here the rows are built in
memory and written with one multi-row INSERT per table. The unique finding key makes the insert
skip what exists already, so a retried batch, or two sweeps running at once, never double one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from ..chain import _plain, canonical_json
from ..models import Finding, FindingParty
from ..models.findings import FINDING_TYPES, SEVERITIES
from .findings import DEFAULT_DUE_DAYS

#: Keys per IN (...) list; SQLite allows 32766 parameters, PostgreSQL 65535.
CHUNK = 5000


@dataclass(frozen=True)
class NewFinding:
    """A finding to raise. ``key`` is the full, service-wide unique key."""

    key: str
    type: str
    severity: str
    message: str
    measured: dict = field(default_factory=dict)
    manifest_id: int | None = None
    vehicle_plate: str | None = None
    #: Organisation id -> role (generator, transporter, receiver).
    parties: dict[int, str] = field(default_factory=dict)


def _insert(session):
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def raise_findings(
    session, findings: Iterable[NewFinding], *, now: datetime, due_days: int = DEFAULT_DUE_DAYS
) -> int:
    """Store the findings whose key is new; returns how many were created.

    A key given twice in ``findings`` counts once (the first wins). Nothing is committed.
    Raises ValueError for an unknown type or severity, before anything is written.
    """
    unique: dict[str, NewFinding] = {}
    for item in findings:
        if item.type not in FINDING_TYPES or item.severity not in SEVERITIES:
            raise ValueError(f"unknown finding type or severity: {item.type}, {item.severity}")
        unique.setdefault(item.key, item)
    if not unique:
        return 0
    created = 0
    items = list(unique.values())
    for start in range(0, len(items), CHUNK):
        created += _raise_chunk(session, items[start : start + CHUNK], now, due_days)
    return created


def _raise_chunk(session, items: Sequence[NewFinding], now: datetime, due_days: int) -> int:
    keys = [i.key for i in items]
    existing = set(session.scalars(select(Finding.key).where(Finding.key.in_(keys))))
    fresh = [i for i in items if i.key not in existing]
    if not fresh:
        return 0
    insert = _insert(session)
    due = now + timedelta(days=due_days)
    session.execute(
        insert(Finding).on_conflict_do_nothing(index_elements=["key"]),
        [
            {
                "key": i.key,
                "type": i.type,
                "severity": i.severity,
                "status": "open",
                "manifest_id": i.manifest_id,
                "vehicle_plate": i.vehicle_plate,
                "message": i.message,
                "measured": canonical_json(_plain(i.measured)).decode("utf-8"),
                "due_at": due,
                "created_at": now,
                "updated_at": now,
            }
            for i in fresh
        ],
    )
    ids = dict(
        session.execute(
            select(Finding.key, Finding.id).where(
                Finding.key.in_([i.key for i in fresh]), Finding.created_at == now
            )
        ).all()
    )
    parties = [
        {"finding_id": ids[i.key], "organization_id": org_id, "role": role}
        for i in fresh
        if i.key in ids
        for org_id, role in i.parties.items()
    ]
    if parties:
        session.execute(insert(FindingParty).on_conflict_do_nothing(), parties)
    session.flush()
    # Only findings this call wrote carry its timestamp; a concurrent writer's do not.
    return len(ids)
