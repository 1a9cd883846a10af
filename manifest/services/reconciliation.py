"""Reconciling each manifest's tallies after every move, and raising the licence capacity
findings (judged in :mod:`.capacity`) after the issue and the decision.

:func:`after_move` runs inside each signed move's transaction (called from
:mod:`.followups`). It gathers the tallies
known so far, lets the pure :func:`manifest.reconcile.reconcile` find the discrepancies and
stores one finding per discrepancy key, so a retried or later move never doubles a finding:
the figures recorded are those of the move that first showed the difference.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from ..config import Settings
from ..infra.db import settings_of, utcnow
from ..models import Manifest, ManifestLine, WeighbridgeReceipt
from ..models.receipts import WeighbridgeMatch
from ..reconcile import Discrepancy, LineTallies, ManifestTallies, reconcile
from ..status import actions_where
from .capacity import capacity_findings
from .finding_sets import NewFinding, raise_findings
from .tolerances import tolerance_for_manifest

#: Moves after which the tallies are compared again (marked in the status table).
RECONCILED_ACTIONS = actions_where("reconciles")
#: Moves after which the receiver's licence capacity is judged.
CAPACITY_ACTIONS = actions_where("judges_capacity")


# ---------------------------------------------------------------- tallies


def _count(value: Decimal | None) -> Decimal | None:
    # Counts are stored with the quantity scale (20.000); findings show whole containers.
    return None if value is None else Decimal(value).to_integral_value()


def _pct(value) -> Decimal | None:
    # The column keeps two decimals; fix the scale so both databases report the same figure.
    return None if value is None else Decimal(value).quantize(Decimal("0.01"))


def line_tallies(line: ManifestLine) -> LineTallies:
    amount = _count if line.unit == "pcs" else (lambda v: v)
    return LineTallies(
        line_no=line.line_no,
        unit=line.unit,
        declared=amount(line.declared),
        loaded=amount(line.loaded),
        received=amount(line.received),
        waste_code=line.waste_code,
        physical_form=line.physical_form,
        received_waste_code=line.received_waste_code,
        received_physical_form=line.received_physical_form,
        container_count=line.container_count,
        density_t_per_m3=line.density_t_m3,
        rejected=amount(line.rejected),
        rejection_reason=line.rejection_reason,
    )


def weighbridge_net_kg(session, manifest_id: int) -> Decimal | None:
    """The net weight of the weighbridge record matched to the manifest, if any."""
    return session.scalar(
        select(WeighbridgeReceipt.net_kg)
        .join(WeighbridgeMatch, WeighbridgeMatch.receipt_id == WeighbridgeReceipt.id)
        .where(WeighbridgeMatch.manifest_id == manifest_id, WeighbridgeMatch.outcome == "matched")
    )


def manifest_tallies(
    session,
    manifest: Manifest,
    *,
    lines=None,
    net_kg: Decimal | None = None,
    lookup_net: bool = True,
) -> ManifestTallies:
    """Every tally known for the manifest: declared, loaded, received, weighbridge."""
    if lookup_net and net_kg is None:
        net_kg = weighbridge_net_kg(session, manifest.id)
    return ManifestTallies(
        kind=manifest.kind,
        lines=[line_tallies(ln) for ln in (manifest.lines if lines is None else lines)],
        moisture_declared_pct=_pct(manifest.moisture_pct),
        moisture_received_pct=_pct(manifest.received_moisture_pct),
        weighbridge_net_kg=net_kg,
    )


def as_new_finding(
    manifest: Manifest, discrepancy: Discrepancy, *, parties: dict[int, str] | None = None
) -> NewFinding:
    """The finding for a discrepancy of the manifest; ``parties`` defaults to the manifest's
    own, for callers that hold the ids rather than the row."""
    return NewFinding.about(
        manifest,
        discrepancy.key,
        parties=parties,
        type=discrepancy.type,
        severity=discrepancy.severity,
        message=discrepancy.message,
        measured={
            "stage": discrepancy.stage,
            "line_no": discrepancy.line_no,
            **discrepancy.measured,
        },
    )


def reconcile_manifest(
    session, manifest: Manifest, *, now: datetime | None = None, settings: Settings | None = None
) -> int:
    """Raise a finding for each discrepancy the manifest's tallies show and none was raised
    for yet; returns how many were created. Nothing is committed."""
    settings = settings or settings_of(session)
    found = reconcile(
        manifest_tallies(session, manifest), tolerance_for_manifest(session, manifest)
    )
    return raise_findings(
        session,
        (as_new_finding(manifest, d) for d in found),
        now=now or utcnow(),
        due_days=settings.finding_due_days,
    )


# ---------------------------------------------------------------- the hook


def after_move(session, manifest: Manifest, action: str) -> None:
    """Reconcile after a move, in the move's transaction (see the module docstring)."""
    settings = settings_of(session)
    now = utcnow()
    if action in RECONCILED_ACTIONS:
        reconcile_manifest(session, manifest, now=now, settings=settings)
    if action in CAPACITY_ACTIONS:
        raise_findings(
            session,
            capacity_findings(session, manifest, action),
            now=now,
            due_days=settings.finding_due_days,
        )
