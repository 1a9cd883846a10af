"""The work lists of carriers and receivers, the moves a user may make, and what became of
each row of a weighbridge upload: through the real services, on both databases."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from manifest.errors import Forbidden
from manifest.services import signing, worklists
from manifest.services.lifecycle import decide
from manifest.services.piles import INCOMING, PILES, TRIPS
from manifest.services.receipts import ingest_receipts
from manifest.services.worklist import worklist
from manifest.status import MOVES, Action, Status
from tests.builders import advance, create_manifest, name_next, now


def test_a_carrier_sees_todays_pickups_and_its_loads_on_the_road(world):
    today = advance(world, create_manifest(world), "issued")
    on_road = advance(world, create_manifest(world), "in_transit")
    later = create_manifest(world, planned_pickup_at=now() + timedelta(days=3))
    later = advance(world, later, "issued")
    delivered = advance(world, create_manifest(world), "delivered")
    s = world.uow.session

    rows, total = worklists.trips(s, world.carrier.actor("driver"), now=now())

    assert [m.id for m in rows] == [on_road.id, today.id]
    assert total == 2
    assert later.id not in {m.id for m in rows} and delivered.id not in {m.id for m in rows}
    # Another carrier has no trip of these; a receiver has no trips at all.
    assert worklists.trips(s, world.carrier2.actor(), now=now()) == ([], 0)
    with pytest.raises(Forbidden):
        worklists.trips(s, world.centre.actor(), now=now())


def test_a_named_next_transporter_finds_the_load_to_take_over(world):
    manifest = advance(world, create_manifest(world), "in_transit")
    name_next(world, manifest, world.carrier2)

    rows, _ = worklists.trips(world.uow.session, world.carrier2.actor(), now=now())

    assert [m.id for m in rows] == [manifest.id]
    assert signing.moves_open_to(world.carrier2.actor(), rows[0]) == [Action.HANDOFF]


def test_a_driver_is_offered_the_pickup_but_never_the_naming(world):
    manifest = advance(world, create_manifest(world), "issued")

    driver = signing.moves_open_to(world.carrier.actor("driver"), manifest)
    admin = signing.moves_open_to(world.carrier.actor(), manifest)

    assert driver == [Action.PICKUP]
    assert admin == [Action.PICKUP, Action.NAME_NEXT]
    assert signing.moves_open_to(world.plating.actor("reader"), manifest) == []


def test_a_receiver_sees_what_waits_for_its_signature_decisions_first(world):
    on_road = advance(world, create_manifest(world), "in_transit")
    delivered = advance(world, create_manifest(world), "delivered")
    accepted = advance(world, create_manifest(world), "accepted")
    advance(world, create_manifest(world), "completed")
    to_kiln = advance(world, create_manifest(world, kind="sludge"), "in_transit")

    rows, total = worklists.incoming(world.uow.session, world.centre.actor())

    assert [m.id for m in rows] == [delivered.id, accepted.id, on_road.id]
    assert total == 3
    assert to_kiln.id not in {m.id for m in rows}
    with pytest.raises(Forbidden):
        worklists.incoming(world.uow.session, world.carrier.actor())


def test_each_row_of_an_upload_says_what_became_of_it(world):
    manifest = advance(world, create_manifest(world), "delivered")
    weighed = (now() - timedelta(minutes=30)).strftime("%Y-%m-%d %H:%M:%S")
    csv = (
        "ticket,plate,arrived_at,gross_kg,tare_kg,net_kg,manifest_number\n"
        f"T1,粤J12345,{weighed},15000,7500,7500,{manifest.number}\n"
        f"T2,粤A99999,{weighed},9000,8000,1000,\n"
        f"T3,粤A99999,not a time,9000,8000,1000,\n"
    )
    first = ingest_receipts(
        world.uow, actor=world.centre.actor(), data=csv, fmt="text/csv", report_rows=True
    )
    again = ingest_receipts(
        world.uow, actor=world.centre.actor(), data=csv, fmt="text/csv", report_rows=True
    )

    assert [(r.record.row, r.record.ticket, r.stored, r.outcome) for r in first.rows] == [
        (2, "T1", "created", "matched"),
        (3, "T2", "created", "unmanifested"),
    ]
    assert first.rows[0].manifest_number == manifest.number
    assert [e.row for e in first.errors] == [4]
    assert [(r.stored, r.outcome) for r in again.rows] == [
        ("duplicate", "matched"),
        ("duplicate", "unmanifested"),
    ]
    # Without asking, an upload reports counts only, as the API answers.
    plain = ingest_receipts(world.uow, actor=world.centre.actor(), data=csv, fmt="text/csv")
    assert plain.rows is None and plain.duplicates == 2


def test_each_pile_holds_the_statuses_its_move_may_be_made_from():
    for rule in PILES.values():
        assert rule.statuses == MOVES[rule.action].sources, rule.key
    # The trips and incoming pages list piles of the home page, no list of their own.
    assert set(TRIPS) | set(INCOMING) <= set(PILES)


def _one_of_each_status(world):
    """A manifest of the world in every status a carrier or a receiver may have work in."""
    made = {"draft": create_manifest(world)}
    for status in ("issued", "in_transit", "delivered", "accepted", "completed"):
        made[status] = advance(world, create_manifest(world), status)
    made["handover"] = advance(world, create_manifest(world), "in_transit")
    name_next(world, made["handover"], world.carrier2)
    return made


def test_the_home_piles_and_the_trips_and_incoming_lists_hold_the_same_loads(world):
    _one_of_each_status(world)
    s = world.uow.session
    for party, keys, listing in (
        (world.carrier, TRIPS, lambda a: worklists.trips(s, a, now=now())),
        (world.carrier2, TRIPS, lambda a: worklists.trips(s, a, now=now())),
        (world.centre, INCOMING, lambda a: worklists.incoming(s, a)),
    ):
        actor = party.actor()
        home = {p.key: p for p in worklist(s, actor).piles}
        rows, total = listing(actor)
        assert total == sum(home[k].count for k in keys) > 0
        assert {e.manifest_id for k in keys for e in home[k].entries} == {m.id for m in rows}


def test_a_move_made_from_one_more_status_reaches_the_home_and_the_incoming_list(
    world, monkeypatch
):
    rejected = advance(world, create_manifest(world), "delivered")
    rejected = decide(
        world.uow,
        actor=world.centre.actor(),
        ref=rejected.id,
        at=now(),
        lines=[
            {"line_no": ln.line_no, "accepted": Decimal(0), "rejected": ln.received, "reason": "错"}
            for ln in rejected.lines
        ],
    )
    assert rejected.status == "rejected"
    s = world.uow.session
    actor = world.centre.actor()
    before = {p.key: p.count for p in worklist(s, actor).piles}
    assert before["completions"] == 0 and worklists.incoming(s, actor)[1] == 0

    complete = MOVES[Action.COMPLETE]
    widened = replace(complete, sources=complete.sources | {Status.REJECTED})
    monkeypatch.setitem(MOVES, Action.COMPLETE, widened)

    after = {p.key: p for p in worklist(s, actor).piles}
    assert after["completions"].count == 1
    assert [e.manifest_id for e in after["completions"].entries] == [rejected.id]
    assert [m.id for m in worklists.incoming(s, actor)[0]] == [rejected.id]
