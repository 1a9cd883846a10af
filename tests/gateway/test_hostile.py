"""Hostile and broken input: each is dropped with a log line, and other terminals go on."""

from __future__ import annotations

import logging
import socket
import struct
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from manifest.gateway.limits import Limits
from manifest.models import Vehicle, VehiclePosition
from tests.gateway.conftest import PHONE, bind
from tests.gateway.harness import running_gateway
from tests.gateway.terminal import Fix, Terminal, location_body, wrap
from tests.gateway.test_trip import world_url

AT = datetime.now(UTC).replace(microsecond=0)
HERE = Fix(22.6, 113.1, AT)


def _session_of(world):
    s = world.uow.session
    s.rollback()
    return s


def _positions(world) -> int:
    return _session_of(world).scalar(select(func.count()).select_from(VehiclePosition))


def _authenticated(port: int, phone: str = PHONE, plate: str = "粤J12345") -> Terminal:
    terminal = Terminal(phone).connect(port)
    result, code = terminal.register(plate)
    assert result == 0
    assert terminal.authenticate(code) == 0
    return terminal


def _closed(terminal: Terminal, seconds: float = 5) -> bool:
    terminal.sock.settimeout(seconds)
    try:
        while terminal.sock.recv(65536):
            pass
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False
    return True


def _gateway_log(caplog) -> str:
    return "\n".join(r.getMessage() for r in caplog.records if r.name == "hwm.gateway")


def test_unbound_and_unauthenticated_terminals_are_refused_and_logged(client, world, caplog):
    caplog.set_level(logging.WARNING, logger="hwm.gateway")
    with running_gateway(world_url(world)) as gw:
        stranger = Terminal("13800000000").connect(gw.port)
        assert stranger.register("粤J12345") == (4, "")  # terminal not in the database
        serial = stranger.report(HERE)
        assert stranger.answer() == (serial, 0x0200, 1)
        stranger.close()
        assert bind(client, world).status_code == 201
        impostor = Terminal(PHONE).connect(gw.port)
        assert impostor.register("粤J88888") == (2, "")  # bound to another vehicle
        assert impostor.authenticate("guessed") == 1
        serial = impostor.report(HERE)
        assert impostor.answer() == (serial, 0x0200, 1)
        impostor.close()
        gw.settle()
    assert _positions(world) == 0
    logged = _gateway_log(caplog)
    assert "registration of terminal 13800000000" in logged
    assert "authentication of terminal 13912345678 refused" in logged
    assert "positions of terminal 13912345678 refused" in logged


def test_a_terminal_feeds_only_its_own_vehicle(client, world):
    assert bind(client, world).status_code == 201
    assert bind(client, world, phone="13900000002", plate="粤J88888").status_code == 201
    with running_gateway(world_url(world)) as gw:
        own = _authenticated(gw.port)
        # Another terminal's number in the header of an authenticated connection.
        other = Terminal("13900000002")
        other.sock = own.sock
        serial = other.report(HERE)
        assert own.answer() == (serial, 0x0200, 1)
        serial = own.report(HERE)
        assert own.answer() == (serial, 0x0200, 0)
        own.close()
        gw.settle()
    s = _session_of(world)
    plates = s.scalars(
        select(Vehicle.plate).join(VehiclePosition, VehiclePosition.vehicle_id == Vehicle.id)
    ).all()
    assert plates == ["粤J12345"]


def test_a_rebound_vehicle_refuses_its_old_terminal(client, world):
    assert bind(client, world).status_code == 201
    with running_gateway(world_url(world)) as gw:
        old = _authenticated(gw.port)
        assert bind(client, world, phone="13900000009").status_code == 201
        serial = old.report(HERE)
        assert old.answer() == (serial, 0x0200, 1)  # its binding ended while connected
        old.close()
        again = Terminal(PHONE).connect(gw.port)
        assert again.register("粤J12345")[0] == 4
        again.close()
        gw.settle()
    assert _positions(world) == 0


def test_broken_frames_are_dropped_and_the_connection_goes_on(client, world, caplog):
    caplog.set_level(logging.WARNING, logger="hwm.gateway")
    assert bind(client, world).status_code == 201
    with running_gateway(world_url(world)) as gw:
        t = _authenticated(gw.port)
        good = t.message(0x0002)
        bad_check = bytearray(good)
        bad_check[-2] ^= 0x55
        t.send_raw(bytes(bad_check))  # wrong check code: no answer
        t.send_raw(wrap(t.header(0x0200, 40) + location_body(HERE)))  # body shorter than said
        t.send_raw(b"\x7e\x00\x02\x7e")  # too short for a header
        t.send_raw(b"\x7e" + b"\x01" * 5000 + b"\x7e")  # oversized
        t.send_raw(b"\x7e\x7d\x05" + good[1:])  # a bad escape
        serial = t.send(0x0200, location_body(HERE)[:20])  # a location cut short
        assert t.answer() == (serial, 0x0200, 2)
        serial = t.send(0x0F01, b"\x01\x02")  # no such message
        assert t.answer() == (serial, 0x0F01, 3)
        encrypted = t.header(0x0200, 28)
        encrypted = encrypted[:2] + struct.pack(">H", 28 | 0x0400) + encrypted[4:]
        t.send_raw(wrap(encrypted + location_body(HERE)))
        assert t.answer() == (t.serial, 0x0200, 3)
        serial = t.send(0x0002)
        assert t.answer() == (serial, 0x0002, 0)  # still served
        serial = t.report(HERE)
        assert t.answer() == (serial, 0x0200, 0)
        t.close()
    logged = _gateway_log(caplog)
    for reason in ("bad_frame", "bad_message", "frame_too_long", "bad_escape"):
        assert reason in logged
    assert "not supported" in logged


def test_a_flood_closes_only_its_own_connection(client, world, caplog):
    caplog.set_level(logging.WARNING, logger="hwm.gateway")
    assert bind(client, world).status_code == 201
    assert bind(client, world, phone="13900000002", plate="粤J88888").status_code == 201
    limits = Limits(frames_per_s=20, frame_burst=40, max_bad_frames=5)
    with running_gateway(world_url(world), limits) as gw:
        calm = _authenticated(gw.port, "13900000002", "粤J88888")
        flood = _authenticated(gw.port)
        flood.send_raw(flood.message(0x0002) * 500)
        assert _closed(flood)
        flood.close()
        garbage = Terminal("13800000001").connect(gw.port)
        garbage.send_raw(b"\x7e\x01\x02\x03\x7e" * 50)  # only broken frames
        assert _closed(garbage)
        garbage.close()
        serial = calm.report(HERE)
        assert calm.answer() == (serial, 0x0200, 0)
        calm.close()
    logged = _gateway_log(caplog)
    assert "frames per second" in logged and "bad frames" in logged


def test_slow_clients_idle_connections_and_the_connection_bound(client, world, caplog):
    caplog.set_level(logging.WARNING, logger="hwm.gateway")
    limits = Limits(
        idle_s=1.0,
        max_connections=3,
        max_unsent_bytes=4096,
        socket_send_buffer=4096,
        frames_per_s=1e6,
        frame_burst=1_000_000,
    )
    with running_gateway(world_url(world), limits) as gw:
        # Never reads its answers.
        deaf = Terminal("13800000002")
        deaf.sock = socket.socket()
        deaf.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        deaf.sock.connect(("127.0.0.1", gw.port))
        heartbeats = deaf.message(0x0002) * 2000
        deaf.sock.settimeout(10)
        with pytest.raises(OSError):
            for _ in range(50):
                deaf.sock.sendall(heartbeats)
                time.sleep(0.05)
        deaf.close()
        # Sends a frame a byte at a time, slower than the idle limit allows.
        trickle = Terminal("13800000003").connect(gw.port)
        started = time.monotonic()
        with pytest.raises(OSError):
            for byte in trickle.message(0x0002) * 20:
                trickle.send_raw(bytes([byte]))
                time.sleep(0.2)
        assert time.monotonic() - started < 8
        trickle.close()
        others = [Terminal(f"1380000001{i}").connect(gw.port) for i in range(4)]
        assert _closed(others[3], 3)  # over the bound
        serial = others[0].send(0x0002)
        assert others[0].answer() == (serial, 0x0002, 0)
        for t in others:
            t.close()
    logged = _gateway_log(caplog)
    assert "does not read" in logged and "no complete frame" in logged and "refused" in logged
