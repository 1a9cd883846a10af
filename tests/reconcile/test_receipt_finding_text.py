"""Receipt findings read the same on either database: the exact message and figures a
regulator sees."""

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
    assert (f.type, f.manifest_id, f.named_manifest_id) == ("unmanifested_receipt", None, m.id)
    assert f.message == (
        f"{world.kiln.org.name} weighed 7500 kg from 粤J12345 (vehicle of "
        f"{world.carrier.org.name}) under ticket K-1 at {at.astimezone(UTC).isoformat()}: "
        "no manifest of this receiver matches it"
    )
    figures = json.loads(f.measured)
    assert (
        figures["outcome"],
        figures["manifest_number"],
        figures["matched_manifest_number"],
        figures["manifest_status"],
    ) == ("unmanifested", m.number, None, None)
    assert {(p.organization_id, p.role) for p in f.parties} == {(world.kiln.id, "receiver")}


def test_a_cancelled_manifest_of_the_receiver_itself(world, uow):
    from manifest.services import lifecycle

    t = now() - timedelta(hours=6)
    m = trip(world, start=t, to="issued")
    lifecycle.cancel_manifest(
        world.uow, actor=world.plating.actor(), ref=m.id, reason="改期", at=t + timedelta(minutes=5)
    )
    at = (t + timedelta(hours=2)).replace(microsecond=0)
    upload(world, world.centre, [record("C-1", "粤J12345", at, "7500", m.number)])
    f = _finding(uow, receipt(uow, "C-1").id)
    assert (f.type, f.manifest_id, f.named_manifest_id) == ("unmanifested_receipt", m.id, None)
    assert f.message.endswith(f": manifest {m.number} was cancelled")
    figures = json.loads(f.measured)
    assert (figures["outcome"], figures["matched_manifest_number"], figures["manifest_status"]) == (
        "cancelled",
        m.number,
        "cancelled",
    )
    assert {(p.organization_id, p.role) for p in f.parties} == {
        (world.centre.id, "receiver"),
        (world.carrier.id, "transporter"),
        (world.plating.id, "generator"),
    }
