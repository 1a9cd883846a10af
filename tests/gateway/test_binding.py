"""Binding terminals to vehicles, and the gateway's registration in both protocol versions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text

from manifest.local_time import CHINA
from manifest.models import VehiclePosition
from manifest.services import terminals
from tests.gateway.conftest import PHONE, bind
from tests.gateway.harness import Clock, running_gateway
from tests.gateway.terminal import Fix, Terminal
from tests.gateway.test_trip import world_url


def test_the_transporters_administrator_binds_and_lists_terminals(client, world):
    r = bind(client, world, phone="0013912345678")
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["phone"] == PHONE and body["vehicle_plate"] == "粤J12345"
    assert body["plate_colour"] == 2 and body["registered_at"] is None
    listed = client.get(
        f"/api/v1/organizations/{world.carrier.id}/terminals", headers=world.carrier.auth()
    )
    assert [t["phone"] for t in listed.get_json()] == [PHONE]

    url = f"/api/v1/organizations/{world.carrier.id}/terminals"
    payload = {"phone": "13900000001", "vehicle_plate": "粤J88888", "plate_colour": 2}
    for headers in (world.carrier.auth("driver"), world.carrier2.auth(), world.regulator.auth()):
        assert client.post(url, json=payload, headers=headers).status_code == 403
        assert client.get(url, headers=headers).status_code == 403


def test_bad_bindings_are_refused_and_change_nothing(client, world):
    cases = [
        ({"phone": "13a"}, "phone"),
        ({"phone": "0000"}, "phone"),
        ({"phone": "1" * 21}, "phone"),
        ({"vehicle_plate": "粤E54321"}, "vehicle_plate"),  # another transporter's vehicle
        ({"vehicle_plate": "not a plate"}, "vehicle_plate"),
        ({"plate_colour": 7}, "plate_colour"),
        ({"plate_colour": True}, "plate_colour"),
    ]
    base = {"phone": PHONE, "vehicle_plate": "粤J12345", "plate_colour": 2}
    url = f"/api/v1/organizations/{world.carrier.id}/terminals"
    for change, field in cases:
        r = client.post(url, json=base | change, headers=world.carrier.auth())
        assert r.status_code == 422, (change, r.get_json())
        assert field in str(r.get_json()), r.get_json()
    assert client.get(url, headers=world.carrier.auth()).get_json() == []

    # A terminal bound by another transporter cannot be taken over.
    other = client.post(
        f"/api/v1/organizations/{world.carrier2.id}/terminals",
        json={"phone": PHONE, "vehicle_plate": "粤E54321", "plate_colour": 2},
        headers=world.carrier2.auth(),
    )
    assert other.status_code == 201
    taken = client.post(url, json=base, headers=world.carrier.auth())
    assert taken.status_code == 409
    assert client.get(url, headers=world.carrier.auth()).get_json() == []


def test_binding_another_terminal_to_a_vehicle_ends_the_previous_binding(client, world):
    assert bind(client, world).status_code == 201
    assert bind(client, world, phone="13900000002").status_code == 201
    # Moving a terminal to another vehicle of the same transporter is allowed.
    assert bind(client, world, phone="13900000002", plate="粤J88888").status_code == 201
    listed = client.get(
        f"/api/v1/organizations/{world.carrier.id}/terminals", headers=world.carrier.auth()
    ).get_json()
    assert [(t["phone"], t["vehicle_plate"]) for t in listed] == [("13900000002", "粤J88888")]


def test_a_2019_terminal_registers_authenticates_reports_and_logs_out(client, world):
    assert bind(client, world).status_code == 201
    at = datetime.now(UTC).replace(microsecond=0)
    with running_gateway(world_url(world)) as gw:
        t = Terminal(PHONE, version=2019).connect(gw.port)
        result, code = t.register("粤J12345", colour=2)
        assert result == 0 and len(code) >= 8
        assert t.authenticate(code) == 0
        serial = t.send(0x0002)
        assert t.answer() == (serial, 0x0002, 0)
        serial = t.report(Fix(22.6, 113.1, at))
        assert t.answer() == (serial, 0x0200, 0)
        serial = t.send(0x0003)
        assert t.answer() == (serial, 0x0003, 0)
        serial = t.report(Fix(22.6, 113.1, at.replace(second=(at.second + 1) % 60)))
        assert t.answer() == (serial, 0x0200, 1)  # logged out
        t.close()
        again = Terminal(PHONE, version=2013).connect(gw.port)
        assert again.authenticate(code) == 1  # the code ended with the logout
        again.close()
        gw.settle()
    listed = client.get(
        f"/api/v1/organizations/{world.carrier.id}/terminals", headers=world.carrier.auth()
    ).get_json()
    assert listed[0]["registered_at"] is not None
    s = world.uow.session
    s.rollback()
    rows = s.scalars(select(VehiclePosition)).all()
    assert [(r.lat_e6, r.lon_e6, r.fixed_at, r.usable, r.source) for r in rows] == [
        (22_600_000, 113_100_000, at, True, "live")
    ]


def test_unusable_fixes_are_kept_but_never_used(client, world):
    assert bind(client, world).status_code == 201
    at = datetime.now(UTC).replace(microsecond=0)
    fixes = [
        Fix(22.6, 113.1, at, positioned=False),
        Fix(0.0, 0.0, at.replace(year=at.year - 1)),  # a year old, at 0,0
        Fix(22.6, 113.1, at.replace(year=at.year + 1)),  # in the future
    ]
    with running_gateway(world_url(world)) as gw:
        t = Terminal(PHONE).connect(gw.port)
        assert t.authenticate(t.register("粤J12345")[1]) == 0
        for fix in fixes:
            serial = t.report(fix)
            assert t.answer() == (serial, 0x0200, 0)
        t.close()
        gw.settle()
    s = world.uow.session
    s.rollback()
    rows = s.scalars(select(VehiclePosition)).all()
    assert len(rows) == 3 and not any(r.usable for r in rows)
    sent = {f.time.astimezone(CHINA).strftime("%y%m%d%H%M%S") for f in fixes[1:]}
    assert sent <= {r.time_bcd for r in rows}
    # Out of the plausible window: stored at their receipt, the digits sent kept.
    assert not {f.time for f in fixes[1:]} & {r.fixed_at for r in rows}


def test_positions_land_in_monthly_partitions_on_postgresql(pg_world):
    world = pg_world
    terminals.bind_terminal(
        world.uow,
        actor=world.carrier.actor(),
        organization_id=world.carrier.id,
        phone=PHONE,
        vehicle_plate="粤J12345",
        plate_colour=2,
    )
    this_month = datetime.now(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    times = [last_month - timedelta(hours=1), this_month - timedelta(hours=1)]
    with running_gateway(world_url(world)) as gw:
        t = Terminal(PHONE).connect(gw.port)
        assert t.authenticate(t.register("粤J12345")[1]) == 0
        for at in times:
            t.report(Fix(22.6, 113.1, at))
        assert [t.answer()[2] for _ in times] == [0, 0]
        t.close()
    s = world.uow.session
    s.rollback()
    placed = s.execute(
        text(
            "SELECT tableoid::regclass::text, count(*) FROM vehicle_positions GROUP BY 1 ORDER BY 1"
        )
    ).all()
    assert [tuple(p) for p in placed] == [
        (f"vehicle_positions_y{at.year:04d}m{at.month:02d}", 1) for at in times
    ]


def test_a_terminal_sending_only_heartbeats_is_seen_without_positions(client, world):
    assert bind(client, world).status_code == 201
    registered = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    clock = Clock(registered)
    url = f"/api/v1/organizations/{world.carrier.id}/terminals"

    def last_seen() -> datetime:
        [row] = client.get(url, headers=world.carrier.auth()).get_json()
        assert row["last_fix_at"] is None
        return datetime.fromisoformat(row["last_seen_at"])

    with running_gateway(world_url(world), clock=clock) as gw:
        t = Terminal(PHONE).connect(gw.port)
        assert t.authenticate(t.register("粤J12345")[1]) == 0
        gw.settle()
        assert last_seen() == registered
        # A heartbeat on a connection that never authenticated is answered, not believed.
        stranger = Terminal(PHONE).connect(gw.port)
        clock.now = registered + timedelta(minutes=5)
        serial = stranger.send(0x0002)
        assert stranger.answer() == (serial, 0x0002, 0)
        gw.settle()
        assert last_seen() == registered
        stranger.close()
        for minutes in (10, 10.25, 11):  # the second is within 30 s of the first: not written
            clock.now = registered + timedelta(minutes=minutes)
            serial = t.send(0x0002)
            assert t.answer() == (serial, 0x0002, 0)
            gw.settle()
            if minutes == 10.25:
                assert last_seen() == registered + timedelta(minutes=10)
        assert last_seen() == registered + timedelta(minutes=11)
        t.close()
    s = world.uow.session
    s.rollback()
    assert s.scalars(select(VehiclePosition)).all() == []  # heartbeats are no positions
