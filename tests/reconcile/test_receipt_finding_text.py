"""Receipt findings read the same whichever database wrote them (PostgreSQL builds them in
SQL, SQLite in Python): the exact message and figures a regulator sees."""

from __future__ import annotations

import json
from datetime import UTC, timedelta

from manifest.models import Finding
from tests.builders import now
from tests.reconcile.helpers import trip
from tests.reconcile.test_receipts import receipt, record, upload


def _finding(uow, receipt_id):
    uow.session.expire_all()
    return uow.session.query(Finding).filter(Finding.key.like(f"receipt:{receipt_id}:%")).one()


def test_an_unmanifested_load_with_an_awkward_ticket(world, uow):
    at = (now() - timedelta(hours=2)).replace(microsecond=250000)
    ticket = 'JM"2026\\07'
    upload(world, world.centre, [record(ticket, "粤J·88888", at, "7490.5")])
    r = receipt(uow, ticket)
    f = _finding(uow, r.id)
    arrived = at.astimezone(UTC)
    assert f.type == "unmanifested_receipt" and f.severity == "violation"
    assert f.message == (
        f"{world.centre.org.name} weighed 7490.5 kg from 粤J88888 (vehicle of "
        f"{world.carrier.org.name}) under ticket {ticket} at {arrived.isoformat()}: "
        "no manifest of this receiver matches it"
    )
    assert json.loads(f.measured) == {
        "receipt_id": r.id,
        "ticket": ticket,
        "plate": "粤J88888",
        "arrived_at": arrived.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "net_kg": "7490.500",
        "outcome": "unmanifested",
        "manifest_number": None,
        "matched_manifest_number": None,
        "manifest_status": None,
    }
    assert {(p.organization_id, p.role) for p in f.parties} == {
        (world.centre.id, "receiver"),
        (world.carrier.id, "transporter"),
    }


def test_a_load_for_another_receivers_manifest(world, uow):
    t = now() - timedelta(hours=6)
    m = trip(world, start=t, to="in_transit")  # addressed to the disposal centre
    at = (t + timedelta(hours=2)).replace(microsecond=0)
    upload(world, world.kiln, [record("K-1", "粤J12345", at, "7500", m.number)])
    r = receipt(uow, "K-1")
    f = _finding(uow, r.id)
    assert f.type == "misdirected_receipt" and f.manifest_id == m.id
    assert f.message.endswith(f": manifest {m.number} is addressed to another receiver")
    assert f.message.startswith(f"{world.kiln.org.name} weighed 7500 kg from 粤J12345")
    figures = json.loads(f.measured)
    assert (
        figures["outcome"],
        figures["manifest_number"],
        figures["matched_manifest_number"],
        figures["manifest_status"],
    ) == ("misdirected", m.number, m.number, "in_transit")
    assert {(p.organization_id, p.role) for p in f.parties} >= {
        (world.kiln.id, "receiver"),
        (world.centre.id, "receiver"),
        (world.plating.id, "generator"),
        (world.carrier.id, "transporter"),
    }
