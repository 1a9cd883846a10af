"""A manifest against its receiver's licensed capacity, and the capacity findings.

:func:`manifest_capacity` is the one reading of the figures: the issue refuses what it
judges above 120 % (:mod:`manifest.checks`), and :func:`capacity_findings` raises a finding
from 100 %, at issue and again at the decision. Both therefore give the same answer whatever
the number of licences the receiver holds (the rule is :func:`manifest.capacity.licensed_by_scope`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from sqlalchemy import and_, case, func, select

from ..capacity import (
    COUNTED_STATUSES,
    CapacityUse,
    Level,
    capacity_uses,
    licensed_by_scope,
    scopes_of,
    tonnes_by_scope,
)
from ..local_time import CHINA, local_date
from ..models import Licence, LicenceCapacity, Manifest, ManifestLine
from ..quantities import Quantity
from ..texts import Text
from .finding_sets import NewFinding

Stage = Literal["issue", "decision"]


@dataclass(frozen=True)
class ManifestCapacity:
    """The capacity uses of a manifest on the day that counts for it (China time)."""

    day: date
    uses: list[CapacityUse]


def licensed_tonnes(session, *, receiver_id: int, day: date) -> dict[str, Decimal]:
    """Licensed annual tonnes per scope over the receiver's operation licences in force on
    ``day``: active, and ``day`` within their validity."""
    rows = session.execute(
        select(LicenceCapacity.licence_id, LicenceCapacity.scope, LicenceCapacity.tonnes)
        .join(Licence, Licence.id == LicenceCapacity.licence_id)
        .where(
            Licence.organization_id == receiver_id,
            Licence.kind == "hw_operation",
            Licence.status == "active",
            Licence.valid_from <= day,
            Licence.valid_to >= day,
        )
    )
    by_licence: dict[int, dict[str, Decimal]] = {}
    for licence_id, scope, tonnes in rows:
        by_licence.setdefault(licence_id, {})[scope] = Decimal(tonnes)
    return licensed_by_scope(by_licence.values())


def _tonnes(quantity_column):
    """SQL for a line quantity in tonnes; counts and volumes without density give 0, as
    :meth:`manifest.quantities.Quantity.to_tonnes` gives None for them."""
    return case(
        (ManifestLine.unit == "t", quantity_column),
        (ManifestLine.unit == "kg", quantity_column / 1000),
        (
            and_(ManifestLine.unit == "m3", ManifestLine.density_t_m3.is_not(None)),
            quantity_column * ManifestLine.density_t_m3,
        ),
        else_=0,
    )


def accepted_tonnes(session, *, receiver_id: int, year: int) -> dict[str, Decimal]:
    """Tonnes a receiver accepted in a calendar year (China time, by decision time) per
    capacity scope; one aggregate query."""
    start = datetime(year, 1, 1, tzinfo=CHINA)
    end = datetime(year + 1, 1, 1, tzinfo=CHINA)
    rows = session.execute(
        select(ManifestLine.waste_code, func.sum(_tonnes(ManifestLine.accepted)))
        .join(Manifest, Manifest.id == ManifestLine.manifest_id)
        .where(
            Manifest.receiver_id == receiver_id,
            Manifest.status.in_(COUNTED_STATUSES),
            Manifest.decided_at >= start,
            Manifest.decided_at < end,
        )
        .group_by(ManifestLine.waste_code)
    )
    return tonnes_by_scope((code, Decimal(str(tonnes or 0))) for code, tonnes in rows)


def manifest_capacity(session, *, manifest: Manifest, stage: Stage) -> ManifestCapacity:
    """How the manifest stands against each licensed scope it counts against.

    At ``"issue"``: on the planned pickup day, this year's accepted tonnes plus the
    manifest's declared tonnes. At ``"decision"``: on the decision day, the accepted tonnes,
    which then include this manifest's (so ``this_manifest_t`` is zero). The manifest's
    changes must be flushed. Raises nothing; a receiver without capacity gives no uses.
    """
    if stage == "issue":
        moment = manifest.planned_pickup_at
        this_manifest = tonnes_by_scope(
            (ln.waste_code, Quantity(ln.declared, ln.unit).to_tonnes(ln.density_t_m3))
            for ln in manifest.lines
        )
        scopes = set(this_manifest)
    else:
        moment = manifest.decided_at
        this_manifest = {}
        scopes = {scope for ln in manifest.lines for scope in scopes_of(ln.waste_code)}
    day = local_date(moment)
    licensed = licensed_tonnes(session, receiver_id=manifest.receiver_id, day=day)
    if not licensed.keys() & scopes:
        return ManifestCapacity(day, [])
    accepted = accepted_tonnes(session, receiver_id=manifest.receiver_id, year=day.year)
    return ManifestCapacity(day, capacity_uses(licensed, accepted, this_manifest, scopes))


def capacity_findings(session, manifest: Manifest, action: str) -> list[NewFinding]:
    """Licence capacity findings for the receiver after a move: at issue on the projected
    tonnage, at the decision (when something was accepted) on the tonnage accepted.

    A warning from 100 %, a violation above 120 %; one finding per receiver, year, scope and
    level, whichever manifest first got there (its figures are the ones kept).
    """
    if action == "issue":
        stage: Stage = "issue"
    elif action == "decide" and manifest.status in COUNTED_STATUSES:
        stage = "decision"
    else:
        return []
    judged = manifest_capacity(session, manifest=manifest, stage=stage)
    year = judged.day.year
    basis = Text("projected_at_issue" if stage == "issue" else "accepted_so_far")
    out = []
    for use in judged.uses:
        level = use.level
        if level is Level.BELOW:
            continue
        percent = (use.share * 100).quantize(Decimal("0.01"))
        out.append(
            NewFinding(
                key=f"licence_capacity:r{manifest.receiver_id}:{year}:{use.scope}:{level.value}",
                type="licence_capacity",
                severity="violation" if level is Level.REFUSED else "warning",
                message=Text(
                    "finding_capacity",
                    receiver=manifest.receiver.name,
                    total=f"{use.total_t.normalize():f}",
                    scope=use.scope,
                    basis=basis,
                    year=year,
                    percent=percent,
                    licensed=f"{use.licensed_t.normalize():f}",
                ),
                measured={
                    "receiver_id": manifest.receiver_id,
                    "year": year,
                    "scope": use.scope,
                    "licensed_t": use.licensed_t,
                    "accepted_t": use.accepted_t,
                    "this_manifest_t": use.this_manifest_t,
                    "total_t": use.total_t,
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
