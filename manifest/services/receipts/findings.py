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

PostgreSQL writes the findings of a matching run in one statement
(:func:`insert_receipt_findings`); elsewhere :func:`receipt_findings` builds the same ones in
Python for :func:`.finding_sets.raise_findings`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import and_, bindparam, func, or_, select, text
from sqlalchemy.orm import aliased

from ...infra.db import UTCDateTime
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

#: The findings of one matching run, written by the database itself (PostgreSQL): the same
#: key, message, canonical JSON ``measured``, parties and named manifest as
#: :func:`receipt_findings` builds in Python, without a round trip per finding. JSON strings
#: are escaped by ``to_json``, which escapes exactly what ``json.dumps`` does.
_SQL = """
WITH rows AS (
    SELECT w.receipt_id, r.receiver_id, r.plate, m.id AS manifest_id, m.generator_id,
           m.transporter_id, named.id AS named_manifest_id,
           CASE WHEN w.outcome = 'unmanifested' AND r.manifest_number IS NOT NULL THEN NULL
                ELSE v.organization_id END AS owner_id,
           'receipt:' || w.receipt_id || :key_suffix AS key,
           rc.name || ' weighed ' || rtrim(rtrim(r.net_kg::text, '0'), '.') || ' kg from '
             || r.plate
             || CASE WHEN owner.name <> '' THEN ' (vehicle of ' || owner.name || ')' ELSE '' END
             || ' under ticket ' || r.ticket || ' at '
             || to_char(r.arrived_at, :seconds_format)
             || CASE WHEN date_trunc('second', r.arrived_at) <> r.arrived_at
                     THEN to_char(r.arrived_at, '.US') ELSE '' END
             || :utc_suffix
             || CASE w.outcome
                  WHEN 'cancelled' THEN 'manifest ' || m.number || ' was cancelled'
                  WHEN 'already_received' THEN 'manifest ' || m.number
                    || ' was already weighed under another ticket'
                  ELSE 'no manifest of this receiver matches it'
                END AS message,
           '{"arrived_at":' || to_json(to_char(r.arrived_at, :micro_format))
             || ',"manifest_number":' || coalesce(to_json(r.manifest_number)::text, 'null')
             || ',"manifest_status":' || coalesce(to_json(m.status)::text, 'null')
             || ',"matched_manifest_number":' || coalesce(to_json(m.number)::text, 'null')
             || ',"net_kg":' || to_json(r.net_kg::text)
             || ',"outcome":' || to_json(w.outcome)
             || ',"plate":' || to_json(r.plate)
             || ',"receipt_id":' || w.receipt_id
             || ',"ticket":' || to_json(r.ticket) || '}' AS measured
    FROM {run_table} w
    JOIN weighbridge_receipts r ON r.id = w.receipt_id
    JOIN organizations rc ON rc.id = r.receiver_id
    LEFT JOIN manifests m ON m.id = w.manifest_id
    LEFT JOIN manifests named
           ON w.outcome = 'unmanifested' AND named.number = r.manifest_number
          AND named.receiver_id <> r.receiver_id
    LEFT JOIN vehicles v ON v.plate = r.plate
    LEFT JOIN organizations owner ON owner.id = v.organization_id
    WHERE w.outcome IN ('cancelled', 'already_received', 'unmanifested')
), created AS (
    INSERT INTO findings (key, type, severity, status, manifest_id, named_manifest_id,
                          vehicle_plate, message, measured, due_at, created_at, updated_at)
    SELECT key, 'unmanifested_receipt', 'violation', 'open', manifest_id, named_manifest_id,
           plate, message, measured, :due, :now, :now
    FROM rows
    ON CONFLICT (key) DO NOTHING
    RETURNING id, key
), parties AS (
    -- An organisation in two roles keeps the first of: receiver, vehicle owner, then the
    -- manifest's generator and transporter.
    INSERT INTO finding_parties (finding_id, organization_id, role)
    SELECT DISTINCT ON (c.id, p.organization_id) c.id, p.organization_id, p.role
    FROM created c
    JOIN rows ON rows.key = c.key
    CROSS JOIN LATERAL (VALUES (0, rows.receiver_id, 'receiver'),
                               (1, rows.owner_id, 'transporter'),
                               (2, rows.generator_id, 'generator'),
                               (3, rows.transporter_id, 'transporter'))
                       AS p (rank, organization_id, role)
    WHERE p.organization_id IS NOT NULL
    ORDER BY c.id, p.organization_id, p.rank
)
SELECT count(*) FROM created
"""


def insert_receipt_findings(session, run_table: str, *, now: datetime, due_days: int) -> int:
    """Write the findings of the decisions in ``run_table`` in one statement (PostgreSQL
    only); returns how many were created. A key that exists already is skipped."""
    params = {
        "now": now,
        "due": now + timedelta(days=due_days),
        # Python's isoformat() and the canonical JSON form of a UTC time.
        "seconds_format": 'YYYY-MM-DD"T"HH24:MI:SS',
        "utc_suffix": "+00:00: ",
        "micro_format": 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"',
        "key_suffix": ":unmanifested_receipt",
    }
    stmt = text(_SQL.replace("{run_table}", run_table)).bindparams(
        bindparam("now", type_=UTCDateTime()), bindparam("due", type_=UTCDateTime())
    )
    return session.execute(stmt, params).scalar_one()


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
