"""Raising findings. Checks call :func:`raise_finding` as often as they like: a finding is
identified by its key, so a retried or repeated check never doubles it."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from ..chain import _plain, canonical_json
from ..db import utcnow
from ..models import Finding, FindingParty, Manifest
from ..models.findings import FINDING_TYPES, SEVERITIES

#: Days a party has to explain a finding before it is escalated (DOMAIN default).
DEFAULT_DUE_DAYS = 15


def manifest_parties(manifest: Manifest) -> dict[int, str]:
    """Organisation id -> role, for every party of the manifest (transporters of all legs)."""
    parties = {manifest.generator_id: "generator", manifest.receiver_id: "receiver"}
    for leg in manifest.legs:
        parties.setdefault(leg.transporter_id, "transporter")
    parties.setdefault(manifest.transporter_id, "transporter")
    return parties


def raise_finding(session, *, type: str, severity: str, key: str, message: str,
                  measured: dict | None = None, manifest: Manifest | None = None,
                  parties: dict[int, str] | None = None, vehicle_plate: str | None = None,
                  due_days: int = DEFAULT_DUE_DAYS, now: datetime | None = None
                  ) -> tuple[Finding, bool]:
    """The finding with ``key``, created if it does not exist yet. Returns (finding, created).

    The key is made unique across the service by prefixing the manifest id when given.
    Nothing is committed here: the caller's unit of work owns the transaction.
    """
    if type not in FINDING_TYPES or severity not in SEVERITIES:
        raise ValueError(f"unknown finding type or severity: {type}, {severity}")
    full_key = f"m{manifest.id}:{key}" if manifest is not None else key
    existing = session.scalar(select(Finding).where(Finding.key == full_key))
    if existing is not None:
        return existing, False
    now = now or utcnow()
    finding = Finding(
        key=full_key, type=type, severity=severity, status="open",
        manifest_id=None if manifest is None else manifest.id,
        vehicle_plate=vehicle_plate or (manifest.vehicle_plate if manifest is not None else None),
        message=message, measured=canonical_json(_plain(measured or {})).decode("utf-8"),
        due_at=now + timedelta(days=due_days), created_at=now, updated_at=now,
    )
    session.add(finding)
    session.flush()
    involved = dict(parties or {})
    if manifest is not None:
        involved = {**manifest_parties(manifest), **involved}
    session.add_all(FindingParty(finding_id=finding.id, organization_id=org_id, role=role)
                    for org_id, role in involved.items())
    session.flush()
    session.expire(finding, ["parties"])
    return finding, True
