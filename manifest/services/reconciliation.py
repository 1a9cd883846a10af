"""Reconciling each manifest's tallies after every move, and the licence capacity findings.

:func:`after_move` runs inside each signed move's transaction (called from
:mod:`.followups`). It gathers the tallies
known so far, lets the pure :func:`manifest.reconcile.reconcile` find the discrepancies and
stores one finding per discrepancy key, so a retried or later move never doubles a finding:
the figures recorded are those of the move that first showed the difference.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from ..checks import CAPACITY_HARD_LIMIT, CAPACITY_SOFT_LIMIT, category_of
from ..config import Settings
from ..db import utcnow
from ..models import Licence, LicenceCapacity, Manifest, ManifestLine, WeighbridgeReceipt
from ..models.receipts import WeighbridgeMatch
from ..numbering import CHINA
from ..quantities import Quantity
from ..reconcile import Discrepancy, LineTallies, ManifestTallies, reconcile
from . import lifecycle
from .finding_sets import NewFinding, raise_findings
from .findings import manifest_parties
from .tolerances import tolerance_for_manifest

#: Moves after which the tallies are compared again.
RECONCILED_ACTIONS = frozenset({"pickup", "handoff", "deliver", "decide"})


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
    own (see :func:`manifest_parties`), for callers that hold the ids rather than the row."""
    return NewFinding(
        key=f"m{manifest.id}:{discrepancy.key}",
        type=discrepancy.type,
        severity=discrepancy.severity,
        message=discrepancy.message,
        measured={
            "stage": discrepancy.stage,
            "line_no": discrepancy.line_no,
            **discrepancy.measured,
        },
        manifest_id=manifest.id,
        vehicle_plate=manifest.vehicle_plate,
        parties=manifest_parties(manifest) if parties is None else parties,
    )


def reconcile_manifest(
    session, manifest: Manifest, *, now: datetime | None = None, settings: Settings | None = None
) -> int:
    """Raise a finding for each discrepancy the manifest's tallies show and none was raised
    for yet; returns how many were created. Nothing is committed."""
    settings = settings or Settings()
    found = reconcile(
        manifest_tallies(session, manifest), tolerance_for_manifest(session, manifest)
    )
    return raise_findings(
        session,
        (as_new_finding(manifest, d) for d in found),
        now=now or utcnow(),
        due_days=settings.finding_due_days,
    )


# ---------------------------------------------------------------- licence capacity


def _manifest_tonnes(manifest: Manifest, amount) -> dict[str, Decimal]:
    """Tonnes of the manifest per capacity scope (code, category, ``*``)."""
    by_scope: dict[str, Decimal] = {}
    for ln in manifest.lines:
        value = amount(ln)
        tonnes = (
            Quantity(Decimal(value), ln.unit).to_tonnes(ln.density_t_m3)
            if value is not None
            else None
        ) or Decimal(0)
        for scope in (ln.waste_code, category_of(ln.waste_code), "*"):
            by_scope[scope] = by_scope.get(scope, Decimal(0)) + tonnes
    return by_scope


def licensed_capacity(session, receiver_id: int, day: date) -> dict[str, Decimal]:
    """Licensed annual tonnes per scope over the receiver's operation licences active on
    ``day`` (the largest figure when two licences name the same scope)."""
    rows = session.execute(
        select(LicenceCapacity.scope, LicenceCapacity.tonnes)
        .join(Licence, Licence.id == LicenceCapacity.licence_id)
        .where(
            Licence.organization_id == receiver_id,
            Licence.kind == "hw_operation",
            Licence.status == "active",
            Licence.valid_from <= day,
            Licence.valid_to >= day,
        )
    )
    capacity: dict[str, Decimal] = {}
    for scope, tonnes in rows:
        capacity[scope] = max(capacity.get(scope, Decimal(0)), Decimal(tonnes))
    return capacity


def capacity_findings(session, manifest: Manifest, action: str) -> list[NewFinding]:
    """Licence capacity findings for the receiver: at issue on the projected tonnage (what
    the receiver accepted this year plus this manifest's declared tonnes), at the decision on
    the tonnage actually accepted, which then includes this manifest.

    Reaching 100 % of a licensed capacity is a warning, passing 120 % a violation; one finding
    per receiver, year, scope and level, whichever manifest first got there.
    """
    if action == "issue":
        moment = manifest.planned_pickup_at
        extra = _manifest_tonnes(manifest, lambda ln: ln.declared)
    elif action == "decide" and manifest.status in lifecycle.ACCEPTED_STATUSES:
        moment = manifest.decided_at
        extra = {}
    else:
        return []
    day = moment.astimezone(CHINA).date()
    capacity = licensed_capacity(session, manifest.receiver_id, day)
    if not capacity:
        return []
    accepted = lifecycle.accepted_tonnes_this_year(session, manifest.receiver_id, day.year)
    out = []
    for scope, licensed in sorted(capacity.items()):
        if scope not in extra and action == "issue":
            continue  # this manifest does not count against that scope
        if action == "decide" and scope not in _manifest_tonnes(manifest, lambda ln: ln.accepted):
            continue
        total = accepted.get(scope, Decimal(0)) + extra.get(scope, Decimal(0))
        share = total / licensed
        if share < CAPACITY_SOFT_LIMIT:
            continue
        level = "120" if share > CAPACITY_HARD_LIMIT else "100"
        percent = (share * 100).quantize(Decimal("0.01"))
        basis = "projected at issue" if action == "issue" else "accepted"
        out.append(
            NewFinding(
                key=f"licence_capacity:r{manifest.receiver_id}:{day.year}:{scope}:{level}",
                type="licence_capacity",
                severity="violation" if level == "120" else "warning",
                message=(
                    f"{manifest.receiver.name}: {total.normalize():f} t of {scope} {basis} in "
                    f"{day.year}, {percent} % of the licensed {licensed.normalize():f} t"
                ),
                measured={
                    "receiver_id": manifest.receiver_id,
                    "year": day.year,
                    "scope": scope,
                    "licensed_t": licensed,
                    "accepted_t": accepted.get(scope, Decimal(0)),
                    "this_manifest_t": extra.get(scope, Decimal(0)),
                    "total_t": total,
                    "share_pct": percent,
                    "basis": basis,
                    "manifest_number": manifest.number,
                },
                manifest_id=manifest.id,
                vehicle_plate=manifest.vehicle_plate,
                parties={manifest.receiver_id: "receiver"},
            )
        )
    return out


# ---------------------------------------------------------------- the hook


def after_move(session, manifest: Manifest, action: str) -> None:
    """Reconcile after a move, in the move's transaction (see the module docstring)."""
    settings = Settings()
    now = utcnow()
    if action in RECONCILED_ACTIONS:
        reconcile_manifest(session, manifest, now=now, settings=settings)
    if action in ("issue", "decide"):
        raise_findings(
            session,
            capacity_findings(session, manifest, action),
            now=now,
            due_days=settings.finding_due_days,
        )
