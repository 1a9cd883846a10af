"""Weighbridge receipts: matching, unmanifested loads, re-sent tickets."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from manifest.models import WeighbridgeReceipt
from manifest.services.receipts import ingest_receipts
from tests.builders import now
from tests.reconcile.helpers import findings, measured, trip


def upload(world, receiver, records):
    return ingest_receipts(
        world.uow, actor=receiver.actor(), data=json.dumps(records), fmt="application/json"
    )


def record(ticket, plate, at, net, number=None):
    return {
        "ticket": ticket,
        "plate": plate,
        "arrived_at": at.isoformat(),
        "net_kg": net,
        **({"manifest_number": number} if number else {}),
    }


def receipt(uow, ticket):
    uow.session.expire_all()
    return uow.session.scalar(select(WeighbridgeReceipt).where(WeighbridgeReceipt.ticket == ticket))


def test_match_by_number_gives_the_fourth_tally(world, uow):
    t = now() - timedelta(hours=6)
    m = trip(world, start=t, to="in_transit")
    result = upload(
        world, world.centre, [record("T1", "粤J12345", t + timedelta(hours=2), "7500", m.number)]
    )
    assert (result.created, result.matched, result.unmanifested, result.findings) == (1, 1, 0, 0)
    r = receipt(uow, "T1")
    assert (r.manifest_id, r.outcome, r.matched_by, r.net_kg) == (
        m.id,
        "matched",
        "number",
        Decimal("7500.000"),
    )


def test_match_by_plate_receiver_and_time(world, uow):
    t = now() - timedelta(hours=6)
    m = trip(world, start=t, to="in_transit", vehicle_plate="粤J88888")
    upload(world, world.centre, [record("T4", "粤j·88888", t + timedelta(hours=3), "7490")])
    r = receipt(uow, "T4")
    assert (r.manifest_id, r.outcome, r.matched_by) == (m.id, "matched", "plate")
    assert findings(uow) == []


def test_plate_outside_the_window_is_unmanifested(world, uow):
    t = now() - timedelta(hours=6)
    trip(world, start=t, to="in_transit", vehicle_plate="粤J88888")
    upload(world, world.centre, [record("T5", "粤J88888", t - timedelta(hours=13), "7490")])
    assert receipt(uow, "T5").outcome == "unmanifested"


@pytest.mark.parametrize(
    ("after_pickup", "outcome"),
    [
        (-timedelta(hours=12) + timedelta(minutes=1), "matched"),
        (-timedelta(hours=12) - timedelta(minutes=1), "unmanifested"),
        (timedelta(days=7, hours=12) - timedelta(minutes=1), "matched"),
        (timedelta(days=7, hours=12) + timedelta(minutes=1), "unmanifested"),
    ],
)
def test_plate_match_reaches_from_half_a_day_before_pickup_to_the_longest_trip(
    world, uow, after_pickup, outcome
):
    start = now() - timedelta(days=9)
    m = trip(world, start=start, to="in_transit", vehicle_plate="粤J88888")
    upload(world, world.centre, [record("T6", "粤J88888", m.picked_up_at + after_pickup, "7490")])
    r = receipt(uow, "T6")
    assert (r.outcome, r.manifest_id) == (outcome, m.id if outcome == "matched" else None)


def test_weighbridge_net_weight_departing_from_the_declaration_is_a_finding(world, uow):
    t = now() - timedelta(hours=6)
    m = trip(world, start=t, to="in_transit")
    upload(
        world, world.centre, [record("T6", "粤J12345", t + timedelta(hours=2), "7000", m.number)]
    )
    [f] = findings(uow, m.id)
    assert f.key == f"m{m.id}:quantity_discrepancy:weighbridge:manifest"
    got = measured(f)
    assert (got["reference_kg"], got["observed_kg"], got["difference_kg"]) == (
        "7500.000",
        "7000.000",
        "-500.000",
    )
    assert got["difference_pct"] == "-6.67"


def test_weighbridge_compares_sludge_on_dry_solids(world, uow):
    # 20 t declared at 80% moisture: 4,000 kg of dry solids. 19,600 kg on the weighbridge is
    # within 2% wet; at 79.6% it is the same solids, at 85% a quarter of them are missing.
    t = now() - timedelta(hours=6)
    same = trip(world, kind="sludge", start=t, to="delivered", moisture="79.6")
    lost = trip(world, kind="sludge", start=t, to="delivered", moisture="85")
    at = t + timedelta(hours=1)
    upload(
        world,
        world.kiln,
        [
            record("S1", "粤J88888", at, "19600", same.number),
            record("S2", "粤J88888", at, "19600", lost.number),
        ],
    )
    assert [f.key for f in findings(uow, same.id) if "weighbridge" in f.key] == []
    [f] = [f for f in findings(uow, lost.id) if "weighbridge" in f.key]
    got = measured(f)
    assert (got["reference_kg"], got["observed_kg"]) == ("4000.000", "2940.000")


def test_receipt_without_a_manifest(world, uow):
    result = upload(
        world, world.centre, [record("T2", "粤E99999", now() - timedelta(hours=1), "12000")]
    )
    assert (result.created, result.matched, result.unmanifested, result.findings) == (1, 0, 1, 1)
    [f] = findings(uow, type="unmanifested_receipt")
    assert (f.severity, f.manifest_id, f.vehicle_plate) == ("violation", None, "粤E99999")
    got = measured(f)
    assert (got["ticket"], got["net_kg"], got["outcome"]) == ("T2", "12000.000", "unmanifested")
    assert [(p.organization_id, p.role) for p in f.parties] == [(world.centre.id, "receiver")]


def test_unmanifested_receipt_names_the_vehicle_owner(world, uow):
    upload(world, world.centre, [record("T7", "粤E54321", now() - timedelta(hours=1), "9000")])
    [f] = findings(uow, type="unmanifested_receipt")
    assert {p.organization_id: p.role for p in f.parties} == {
        world.centre.id: "receiver",
        world.carrier2.id: "transporter",
    }


def test_receipt_for_another_receivers_manifest_is_unmanifested_for_the_uploader(world, uow):
    t = now() - timedelta(hours=6)
    to_kiln = trip(world, kind="sludge", start=t, to="in_transit")
    result = upload(
        world,
        world.centre,
        [record("T3", "粤J88888", t + timedelta(hours=2), "20000", to_kiln.number)],
    )
    assert (result.matched, result.unmanifested, result.findings) == (0, 1, 1)
    [f] = findings(uow)
    assert (f.type, f.manifest_id, f.named_manifest_id) == (
        "unmanifested_receipt",
        None,
        to_kiln.id,
    )
    # Neither the manifest's parties nor the owner of the plate, its transporter.
    assert [(p.organization_id, p.role) for p in f.parties] == [(world.centre.id, "receiver")]
    r = receipt(uow, "T3")
    assert (r.outcome, r.manifest_id, r.matched_by) == ("unmanifested", None, None)


def test_a_foreign_number_still_matches_the_uploaders_own_manifest_by_plate(world, uow):
    t = now() - timedelta(hours=6)
    to_kiln = trip(world, kind="sludge", start=t, to="in_transit", vehicle_plate="粤J88888")
    mine = trip(world, start=t, to="in_transit", vehicle_plate="粤J12345")
    upload(
        world,
        world.centre,
        [record("T11", "粤J12345", t + timedelta(hours=2), "7500", to_kiln.number)],
    )
    r = receipt(uow, "T11")
    assert (r.outcome, r.manifest_id, r.matched_by) == ("matched", mine.id, "plate")
    assert findings(uow) == []


def test_receipt_for_a_cancelled_manifest_is_unmanifested(world, uow):
    from manifest.services import lifecycle

    t = now() - timedelta(hours=6)
    m = trip(world, start=t, to="issued")
    lifecycle.cancel_manifest(
        world.uow,
        actor=world.plating.actor(),
        ref=m.id,
        reason="改期",
        at=t + timedelta(minutes=10),
    )
    upload(
        world, world.centre, [record("T8", "粤J12345", t + timedelta(hours=2), "7500", m.number)]
    )
    [f] = findings(uow, type="unmanifested_receipt")
    assert measured(f)["outcome"] == "cancelled"


def test_second_ticket_for_one_manifest_is_unmanifested(world, uow):
    t = now() - timedelta(hours=6)
    m = trip(world, start=t, to="in_transit")
    upload(
        world,
        world.centre,
        [
            record("T9", "粤J12345", t + timedelta(hours=2), "7500", m.number),
            record("T10", "粤J12345", t + timedelta(hours=3), "7400", m.number),
        ],
    )
    assert (receipt(uow, "T9").outcome, receipt(uow, "T10").outcome) == (
        "matched",
        "already_received",
    )
    [f] = findings(uow, type="unmanifested_receipt")
    assert measured(f)["ticket"] == "T10"


def test_resent_ticket_changes_nothing(world, uow):
    t = now() - timedelta(hours=6)
    m = trip(world, start=t, to="in_transit")
    first = [
        record("T1", "粤J12345", t + timedelta(hours=2), "7500", m.number),
        record("T2", "粤E99999", t + timedelta(hours=2), "12000"),
    ]
    upload(world, world.centre, first)
    again = upload(
        world,
        world.centre,
        [record("T1", "粤J12345", t + timedelta(hours=2), "9999", m.number), *first[1:]],
    )
    assert (again.created, again.duplicates, again.matched, again.findings) == (0, 2, 0, 0)
    assert receipt(uow, "T1").net_kg == Decimal("7500.000")
    assert len(findings(uow)) == 1


def test_the_same_ticket_number_at_two_receivers_is_two_records(world, uow):
    upload(world, world.centre, [record("A1", "粤E99999", now() - timedelta(hours=1), "100")])
    result = upload(
        world, world.kiln, [record("A1", "粤E99999", now() - timedelta(hours=1), "100")]
    )
    assert (result.created, result.duplicates) == (1, 0)


def test_a_file_imported_for_a_receiver_treats_another_receivers_number_as_no_number(world, uow):
    from manifest.services.receipts import import_file

    t = now() - timedelta(hours=6)
    to_centre = trip(world, start=t, to="in_transit")
    at = (t + timedelta(hours=2)).isoformat()
    lines = [
        "ticket,plate,arrived_at,net_kg,manifest_number\n",
        f"K1,粤J12345,{at},7500,{to_centre.number}\n",
        f"K2,粤J12345,{at},7500,{to_centre.number[:-6]}999999\n",
    ]
    result = import_file(world.uow, lines=lines, receiver_uscc=world.kiln.org.uscc, sha256="0" * 64)
    assert (result.created, result.matched, result.unmanifested, result.findings) == (2, 0, 2, 2)
    first, second = findings(uow)
    assert (first.named_manifest_id, second.named_manifest_id) == (to_centre.id, None)
    for f in (first, second):
        assert (f.type, f.manifest_id) == ("unmanifested_receipt", None)
        assert [(p.organization_id, p.role) for p in f.parties] == [(world.kiln.id, "receiver")]
    assert findings(uow, to_centre.id) == []
