"""Raising many findings at once: a fixed number of statements however many there are.

Matching a year of weighbridge records or sweeping deadlines can produce thousands of findings;
one ORM insert per finding would cost several round trips each. Here the rows are built in
memory and written in a few statements per chunk (on PostgreSQL one, passing the chunk as a
JSON document). The unique finding key makes the insert skip what exists already, so a retried
batch, or two sweeps running at once, never double one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, text

from ..chain import _plain, canonical_json
from ..finding_types import FINDING_TYPES, SEVERITIES
from ..infra.db import UTCDateTime, insert, is_postgres
from ..models import Finding, FindingParty, Manifest
from ..texts import to_json
from .findings import DEFAULT_DUE_DAYS, manifest_parties

#: Keys per IN (...) list; SQLite allows 32766 parameters, PostgreSQL 65535.
CHUNK = 5000


@dataclass(frozen=True)
class NewFinding:
    """A finding to raise. ``key`` is the full, service-wide unique key."""

    key: str
    type: str
    severity: str
    #: The English text; a :class:`~manifest.texts.Text` is also stored as its key and
    #: parameters, for the pages to say in their language.
    message: str
    measured: dict = field(default_factory=dict)
    manifest_id: int | None = None
    #: Regulators only: a manifest the finding's evidence named without concerning its parties.
    named_manifest_id: int | None = None
    vehicle_plate: str | None = None
    #: Organisation id -> role (generator, transporter, receiver).
    parties: dict[int, str] = field(default_factory=dict)

    @classmethod
    def about(
        cls, manifest: Manifest, rule: str, *, parties: dict[int, str] | None = None, **fields
    ) -> NewFinding:
        """A finding about ``manifest`` raised at most once per manifest and ``rule`` (its key
        is ``m<id>:<rule>``), naming the manifest's vehicle and, unless ``parties`` is given,
        every party of the manifest (see :func:`.findings.manifest_parties`)."""
        return cls(
            key=f"m{manifest.id}:{rule}",
            manifest_id=manifest.id,
            vehicle_plate=manifest.vehicle_plate,
            parties=manifest_parties(manifest) if parties is None else parties,
            **fields,
        )


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
    rows = [
        {
            "key": i.key,
            "type": i.type,
            "severity": i.severity,
            "status": "open",
            "manifest_id": i.manifest_id,
            "named_manifest_id": i.named_manifest_id,
            "vehicle_plate": i.vehicle_plate,
            "message": i.message,
            "message_text": to_json(i.message),
            "measured": canonical_json(_plain(i.measured)).decode("utf-8"),
        }
        for i in fresh
    ]
    due = now + timedelta(days=due_days)
    if is_postgres(session):
        return _write_as_json(session, fresh, rows, due=due, now=now)
    return _write_rows(session, fresh, rows, due=due, now=now)


def _write_rows(session, fresh, rows, *, due: datetime, now: datetime) -> int:
    """Insert the findings, then the parties of those written; returns how many were."""
    # RETURNING names exactly the rows written here (a key another writer got in first is
    # skipped); with it, the rows go out as batches of multi-row VALUES.
    findings = Finding.__table__
    stamp = {"due_at": due, "created_at": now, "updated_at": now}
    ids = dict(
        session.connection()
        .execute(
            insert(session, findings)
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(findings.c.key, findings.c.id),
            [row | stamp for row in rows],
        )
        .all()
    )
    parties = [
        {"finding_id": ids[i.key], "organization_id": org_id, "role": role}
        for i in fresh
        if i.key in ids
        for org_id, role in i.parties.items()
    ]
    if parties:
        session.connection().execute(
            insert(session, FindingParty.__table__).on_conflict_do_nothing(), parties
        )
    return len(ids)


#: PostgreSQL takes a chunk of findings as one JSON document: one parameter, parsed in the
#: server, where thousands of bound values would each be handled by the driver.
_JSON_INSERT = """
WITH input AS (
    SELECT * FROM json_to_recordset(CAST(:rows AS json)) AS x (
        key text, type text, severity text, status text, manifest_id integer,
        named_manifest_id integer, vehicle_plate text, message text, message_text text,
        measured text, parties json)
), created AS (
    INSERT INTO findings (key, type, severity, status, manifest_id, named_manifest_id,
                          vehicle_plate, message, message_text, measured, due_at, created_at,
                          updated_at)
    SELECT key, type, severity, status, manifest_id, named_manifest_id, vehicle_plate,
           message, message_text, measured, :due, :now, :now
    FROM input
    ON CONFLICT (key) DO NOTHING
    RETURNING id, key
), parties AS (
    INSERT INTO finding_parties (finding_id, organization_id, role)
    SELECT c.id, (p.value ->> 0)::integer, p.value ->> 1
    FROM created c
    JOIN input i ON i.key = c.key
    CROSS JOIN LATERAL json_array_elements(i.parties) AS p (value)
    ON CONFLICT DO NOTHING
)
SELECT count(*) FROM created
"""


def _write_as_json(session, fresh, rows, *, due: datetime, now: datetime) -> int:
    """As :func:`_write_rows`, in one statement (PostgreSQL)."""
    document = [
        row | {"parties": [[org_id, role] for org_id, role in i.parties.items()]}
        for i, row in zip(fresh, rows, strict=True)
    ]
    stmt = text(_JSON_INSERT).bindparams(
        bindparam("due", type_=UTCDateTime()), bindparam("now", type_=UTCDateTime())
    )
    params = {"rows": json.dumps(document, ensure_ascii=False), "due": due, "now": now}
    return session.execute(stmt, params).scalar_one()
