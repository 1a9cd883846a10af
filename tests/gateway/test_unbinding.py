"""Unbinding a terminal, or moving it to another vehicle, through the API: the gateway then
refuses it over real TCP, also on a connection authenticated before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from manifest.models import Terminal as TerminalRow
from manifest.models import Vehicle, VehiclePosition
from tests.gateway.conftest import PHONE, bind
from tests.gateway.harness import running_gateway
from tests.gateway.terminal import Fix, Terminal
from tests.gateway.test_trip import world_url

AT = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)


def _url(world, terminal_id) -> str:
    return f"/api/v1/organizations/{world.carrier.id}/terminals/{terminal_id}"


def _listed(client, world) -> list[dict]:
    return client.get(
        f"/api/v1/organizations/{world.carrier.id}/terminals", headers=world.carrier.auth()
    ).get_json()


def _stored(world) -> list[tuple[str, datetime]]:
    s = world.uow.session
    s.rollback()
    return [
        tuple(row)
        for row in s.execute(
            select(Vehicle.plate, VehiclePosition.fixed_at)
            .join(Vehicle, Vehicle.id == VehiclePosition.vehicle_id)
            .order_by(VehiclePosition.fixed_at)
        )
    ]


def test_an_unbound_terminal_is_refused_even_on_its_open_connection(client, world):
    bound = bind(client, world).get_json()
    with running_gateway(world_url(world)) as gw:
        t = Terminal(PHONE).connect(gw.port)
        result, code = t.register("粤J12345")
        assert result == 0 and t.authenticate(code) == 0
        serial = t.report(Fix(22.6, 113.1, AT))
        assert t.answer() == (serial, 0x0200, 0)

        gone = client.delete(_url(world, bound["id"]), headers=world.carrier.auth())
        assert gone.status_code == 204, gone.get_json()

        serial = t.report(Fix(22.6, 113.1, AT + timedelta(seconds=10)))
        assert t.answer() == (serial, 0x0200, 1)  # refused on the connection already open
        t.close()
        again = Terminal(PHONE).connect(gw.port)
        assert again.register("粤J12345") == (4, "")  # the platform no longer knows it
        assert again.authenticate(code) == 1
        serial = again.report(Fix(22.6, 113.1, AT + timedelta(seconds=20)))
        assert again.answer() == (serial, 0x0200, 1)
        again.close()
        gw.settle()
    assert _stored(world) == [("粤J12345", AT)]
    assert _listed(client, world) == []
    # Unbinding twice: the binding is no longer there.
    twice = client.delete(_url(world, bound["id"]), headers=world.carrier.auth())
    assert twice.status_code == 404


def test_a_terminal_moved_to_another_vehicle_feeds_that_vehicle_only(client, world):
    bound = bind(client, world).get_json()
    with running_gateway(world_url(world)) as gw:
        t = Terminal(PHONE).connect(gw.port)
        assert t.authenticate(t.register("粤J12345")[1]) == 0
        moved = client.put(
            _url(world, bound["id"]),
            json={"vehicle_plate": "粤J88888", "plate_colour": 1},
            headers=world.carrier.auth(),
        )
        assert moved.status_code == 200, moved.get_json()
        body = moved.get_json()
        assert (body["phone"], body["vehicle_plate"], body["plate_colour"]) == (
            PHONE,
            "粤J88888",
            1,
        )
        assert body["id"] != bound["id"] and body["registered_at"] is None
        serial = t.report(Fix(22.6, 113.1, AT))
        assert t.answer() == (serial, 0x0200, 1)  # the old binding ended under it
        t.close()
        again = Terminal(PHONE).connect(gw.port)
        assert again.register("粤J12345", colour=2) == (2, "")  # its old vehicle
        result, code = again.register("粤J88888", colour=1)
        assert result == 0 and again.authenticate(code) == 0
        serial = again.report(Fix(22.7, 113.2, AT + timedelta(seconds=10)))
        assert again.answer() == (serial, 0x0200, 0)
        again.close()
        gw.settle()
    assert _stored(world) == [("粤J88888", AT + timedelta(seconds=10))]
    listed = _listed(client, world)
    assert [(t["phone"], t["vehicle_plate"]) for t in listed] == [(PHONE, "粤J88888")]
    assert listed[0]["last_fix_at"] == (AT + timedelta(seconds=10)).isoformat()
    assert listed[0]["last_seen_at"] is not None


def test_bad_unbindings_and_moves_are_refused_and_change_nothing(client, world):
    bound = bind(client, world).get_json()
    theirs = client.post(
        f"/api/v1/organizations/{world.carrier2.id}/terminals",
        json={"phone": "13900000077", "vehicle_plate": "粤E54321", "plate_colour": 2},
        headers=world.carrier2.auth(),
    ).get_json()
    admin = world.carrier.auth()
    # Another transporter's terminal, under one's own organisation, is not there.
    assert client.delete(_url(world, theirs["id"]), headers=admin).status_code == 404
    move = {"vehicle_plate": "粤J88888", "plate_colour": 2}
    assert client.put(_url(world, theirs["id"]), json=move, headers=admin).status_code == 404
    assert client.delete(_url(world, 987654), headers=admin).status_code == 404
    # Not the transporter's administrator.
    for headers in (world.carrier.auth("driver"), world.carrier2.auth(), world.regulator.auth()):
        assert client.delete(_url(world, bound["id"]), headers=headers).status_code == 403
        assert client.put(_url(world, bound["id"]), json=move, headers=headers).status_code == 403
    # A vehicle that is not the organisation's, or a colour that is no colour.
    for change, field in (
        ({"vehicle_plate": "粤E54321"}, "vehicle_plate"),
        ({"plate_colour": 8}, "plate_colour"),
    ):
        r = client.put(_url(world, bound["id"]), json=move | change, headers=admin)
        assert r.status_code == 422 and field in str(r.get_json()), r.get_json()
    s = world.uow.session
    s.rollback()
    rows = s.scalars(select(TerminalRow).where(TerminalRow.unbound_at.is_(None))).all()
    assert sorted((r.id, r.phone) for r in rows) == sorted(
        [(bound["id"], PHONE), (theirs["id"], "13900000077")]
    )
