"""The findings of a matching run: records no manifest covers, and weights that disagree.

A quantity finding is raised where a newly matched net weight departs from the manifest's
declared mass beyond tolerance (:func:`weighbridge_findings`).

One ``unmanifested_receipt`` finding per such record: no manifest matched it, or the
receiver's own manifest it matched was cancelled or already weighed under another ticket.

What the uploading receiver sees of a finding must not depend on other parties' manifests. A
record whose typed number names no manifest of its receiver gives the same finding whether
that number names another receiver's manifest (in any status, in any region) or nothing at
all: same message, same figures, and the uploader as its only party (not even the owner of
the plate, who may be a party of the manifest named). The manifest named, if any, is written
to ``named_manifest_id``, which only regulators read: a load weighed in against someone
else's manifest is a possible diversion for them to look into, not an accusation of that
manifest's parties.

On every database :func:`receipt_findings` builds them as sentences
(:class:`~manifest.texts.Text`) and :func:`.finding_sets.raise_findings` writes them, as it
writes every finding: the English and, beside it, the sentence's key and typed parameters, so
that a page says the finding in its own language.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from ...models import (
    Manifest,
    ManifestLeg,
    ManifestLine,
    Organization,
    Vehicle,
    WeighbridgeReceipt,
)
from ...models.receipts import WeighbridgeMatch
from ...receipt_matching import FINDING_FOR_OUTCOME
from ...reconcile import weighbridge_discrepancy
from ...texts import Text
from ...tolerances import TolerancePolicy
from ..finding_sets import NewFinding
from ..findings import parties_of
from ..reconciliation import as_new_finding, manifest_tallies
from ..tolerances import issuing_regions

#: The outcomes of matching that raise a finding here.
NOT_MATCHED = tuple(FINDING_FOR_OUTCOME)


def receipt_findings(session, run) -> list[NewFinding]:
    """A finding per decision of the run table ``run`` whose record no manifest of its
    receiver covers."""
    R, M, Named, Owner = WeighbridgeReceipt, Manifest, aliased(Manifest), aliased(Organization)
    rows = session.execute(
        select(
            R.id,
            R.receiver_id,
            R.ticket,
            R.plate,
            R.arrived_at,
            R.net_kg,
            run.c.outcome,
            R.manifest_number,
            Organization.name,
            M.id,
            M.number,
            M.status,
            M.generator_id,
            M.transporter_id,
            Named.id,
            Vehicle.organization_id,
            Owner.name,
        )
        .select_from(run)
        .join(R, R.id == run.c.receipt_id)
        .join(Organization, Organization.id == R.receiver_id)
        .outerjoin(M, M.id == run.c.manifest_id)
        .outerjoin(
            Named,
            and_(
                run.c.outcome == "unmanifested",
                Named.number == R.manifest_number,
                Named.receiver_id != R.receiver_id,
            ),
        )
        .outerjoin(Vehicle, Vehicle.plate == R.plate)
        .outerjoin(Owner, Owner.id == Vehicle.organization_id)
        .where(run.c.outcome.in_(NOT_MATCHED))
    )
    out = []
    for (
        rid,
        receiver_id,
        ticket,
        plate,
        arrived,
        net,
        outcome,
        typed_number,
        receiver_name,
        mid,
        number,
        status,
        generator_id,
        transporter_id,
        named_id,
        owner_id,
        owner_name,
    ) in rows:
        kind = FINDING_FOR_OUTCOME[outcome]
        parties = {receiver_id: "receiver"}
        # A number that names no manifest of this receiver accuses nobody else.
        if owner_id is not None and not (outcome == "unmanifested" and typed_number):
            parties.setdefault(owner_id, "transporter")
        if mid is not None:
            parties.setdefault(generator_id, "generator")
            parties.setdefault(transporter_id, "transporter")
        why = {
            "unmanifested": Text("no_manifest_matches"),
            "cancelled": Text("manifest_was_cancelled", number=number),
            "already_received": Text("manifest_already_weighed", number=number),
        }[outcome]
        carrier = Text("vehicle_of", owner=owner_name) if owner_name else ""
        out.append(
            NewFinding(
                key=f"receipt:{rid}:{kind}",
                type=kind,
                severity="violation",
                message=Text(
                    "finding_receipt",
                    receiver=receiver_name,
                    net=f"{net.normalize():f}",
                    plate=plate,
                    carrier=carrier,
                    ticket=ticket,
                    arrived=arrived,
                    why=why,
                ),
                measured={
                    "receipt_id": rid,
                    "ticket": ticket,
                    "plate": plate,
                    "arrived_at": arrived,
                    "net_kg": net,
                    "outcome": outcome,
                    "manifest_number": typed_number,
                    "matched_manifest_number": number,
                    "manifest_status": status,
                },
                manifest_id=mid,
                named_manifest_id=named_id,
                vehicle_plate=plate,
                parties=parties,
            )
        )
    return out


def worth_weighing(net_kg, manifest, tolerances: TolerancePolicy):
    """SQL: whether the exact weighbridge comparison could find ``net_kg`` departing from the
    manifest's declared mass under the strictest tolerance of any region: every line has a
    mass (the stored totals say so) and the difference reaches both limits, or it is sludge
    with both moisture figures, which is compared on dry solids. Comparing with >= keeps every
    borderline case for the exact rules."""
    M = manifest
    min_pct, min_kg = tolerances.strictest_mass()
    difference = func.abs(net_kg - M.declared_kg)
    return and_(
        M.unmeasured_lines == 0,
        or_(
            and_(M.moisture_pct.is_not(None), M.received_moisture_pct.is_not(None)),
            and_(difference >= min_kg, difference * 100 >= M.declared_kg * min_pct),
        ),
    )


#: The manifest columns the weighbridge check and its finding read.
_CHECKED = (
    Manifest.id,
    Manifest.kind,
    Manifest.vehicle_plate,
    Manifest.moisture_pct,
    Manifest.received_moisture_pct,
    Manifest.generator_id,
    Manifest.transporter_id,
    Manifest.receiver_id,
)


def weighbridge_findings(session, run, tolerances: TolerancePolicy) -> list[NewFinding]:
    """Quantity findings where a newly matched net weight departs from the declared mass.

    The run's decisions say which matched manifests could show a difference
    (:func:`worth_weighing`); the pure reconciliation decides on those few, exactly.
    """
    M, L, Leg = Manifest, ManifestLine.__table__.c, ManifestLeg
    mids = list(
        session.scalars(
            select(run.c.manifest_id).where(run.c.outcome == "matched", run.c.weigh_check.is_(True))
        )
    )
    out = []
    for start in range(0, len(mids), 1000):
        chunk = mids[start : start + 1000]
        nets = net_weights(session, chunk)
        regions = issuing_regions(session, chunk)
        # Plain rows rather than ORM objects: only figures and ids are read here.
        lines, legs = defaultdict(list), defaultdict(list)
        for line in session.execute(
            select(ManifestLine.__table__)
            .where(L.manifest_id.in_(chunk))
            .order_by(L.manifest_id, L.line_no)
        ):
            lines[line.manifest_id].append(line)
        for manifest_id, transporter_id in session.execute(
            select(Leg.manifest_id, Leg.transporter_id)
            .where(Leg.manifest_id.in_(chunk))
            .order_by(Leg.manifest_id, Leg.leg_no)
        ):
            legs[manifest_id].append(transporter_id)
        for m in session.execute(select(*_CHECKED).where(M.id.in_(chunk))):
            tallies = manifest_tallies(session, m, lines=lines[m.id], net_kg=nets.get(m.id))
            tolerance = tolerances.applicable(regions[m.id], m.kind).tolerance
            found = weighbridge_discrepancy(tallies, tolerance)
            if found is not None:
                parties = parties_of(
                    generator_id=m.generator_id,
                    receiver_id=m.receiver_id,
                    transporter_id=m.transporter_id,
                    leg_transporters=legs[m.id],
                )
                out.append(as_new_finding(m, found, parties=parties))
    return out


def net_weights(session, manifest_ids: list[int]) -> dict[int, Decimal]:
    """The matched weighbridge net weight per manifest, for those that have one."""
    R, WM = WeighbridgeReceipt, WeighbridgeMatch
    return dict(
        session.execute(
            select(WM.manifest_id, R.net_kg)
            .join(R, R.id == WM.receipt_id)
            .where(WM.manifest_id.in_(manifest_ids), WM.outcome == "matched")
        ).all()
    )
