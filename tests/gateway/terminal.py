"""A simulated vehicle terminal, written from the byte layout of JT/T 808 alone.

It shares no code with the gateway's protocol package: frames, escaping, the check code,
BCD and every body are put together here with :mod:`struct`, as a terminal maker would from
the standard's tables, so a test passing with it says the gateway reads the standard, not
merely its own encoder.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass
from datetime import datetime

from manifest.local_time import CHINA


def xor_all(data: bytes) -> int:
    value = 0
    for byte in data:
        value ^= byte
    return value


def wrap(message: bytes) -> bytes:
    """0x7e, the message and its check code with 0x7e → 7d 02 and 0x7d → 7d 01, 0x7e."""
    raw = message + bytes([xor_all(message)])
    out = bytearray([0x7E])
    for byte in raw:
        if byte == 0x7E:
            out += b"\x7d\x02"
        elif byte == 0x7D:
            out += b"\x7d\x01"
        else:
            out.append(byte)
    out.append(0x7E)
    return bytes(out)


def unwrap(frame: bytes) -> bytes:
    assert frame[0] == 0x7E and frame[-1] == 0x7E, frame.hex()
    inner, out, i = frame[1:-1], bytearray(), 0
    while i < len(inner):
        if inner[i] == 0x7D:
            out.append({1: 0x7D, 2: 0x7E}[inner[i + 1]])
            i += 2
        else:
            out.append(inner[i])
            i += 1
    assert xor_all(out[:-1]) == out[-1], "bad check code from the platform"
    return bytes(out[:-1])


def bcd(digits: str) -> bytes:
    return bytes(int(digits[i]) << 4 | int(digits[i + 1]) for i in range(0, len(digits), 2))


@dataclass
class Fix:
    lat: float
    lon: float
    time: datetime
    speed_kmh: float = 40.0
    heading: int = 0
    positioned: bool = True
    mileage_km: float | None = None


def location_body(fix: Fix, alarm: int = 0) -> bytes:
    """0x0200 body: alarm, status (bit 1 positioned, bit 2 south, bit 3 west), latitude and
    longitude in 1e-6 degrees, altitude, speed in 0.1 km/h, heading, BCD time (GMT+8), then
    additional item 0x01 (mileage, 0.1 km)."""
    status = 0x01 | (0x02 if fix.positioned else 0)
    status |= 0x04 if fix.lat < 0 else 0
    status |= 0x08 if fix.lon < 0 else 0
    local = fix.time.astimezone(CHINA).strftime("%y%m%d%H%M%S")
    body = struct.pack(
        ">IIIIHHH",
        alarm,
        status,
        round(abs(fix.lat) * 1_000_000),
        round(abs(fix.lon) * 1_000_000),
        12,
        round(fix.speed_kmh * 10),
        fix.heading,
    ) + bcd(local)
    if fix.mileage_km is not None:
        body += struct.pack(">BBI", 0x01, 4, round(fix.mileage_km * 10))
    return body


class Terminal:
    """One terminal on one TCP connection, in the 2013 or the 2019 layout."""

    def __init__(self, phone: str, version: int = 2013) -> None:
        self.phone, self.version = phone, version
        self.serial = 0
        self.sock: socket.socket | None = None
        self.buffer = b""

    # ---- the connection

    def connect(self, port: int, host: str = "127.0.0.1") -> Terminal:
        self.sock = socket.create_connection((host, port), timeout=10)
        return self

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()

    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def receive(self) -> tuple[int, int, bytes]:
        """The next message from the platform: (id, serial, body)."""
        while True:
            start = self.buffer.find(b"\x7e")
            end = self.buffer.find(b"\x7e", start + 1) if start >= 0 else -1
            if end > start + 1:
                frame, self.buffer = self.buffer[start : end + 1], self.buffer[end + 1 :]
                message = unwrap(frame)
                msg_id, props = struct.unpack(">HH", message[:4])
                head = 17 if props & 0x4000 else 12
                return msg_id, struct.unpack(">H", message[head - 2 : head])[0], message[head:]
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the platform closed the connection")
            self.buffer += chunk

    # ---- messages

    def header(self, msg_id: int, body_length: int, packages: tuple[int, int] | None = None):
        self.serial += 1
        props = body_length | (0x2000 if packages else 0)
        if self.version == 2019:
            head = struct.pack(">HHB", msg_id, props | 0x4000, 1) + bcd(self.phone.rjust(20, "0"))
        else:
            head = struct.pack(">HH", msg_id, props) + bcd(self.phone.rjust(12, "0"))
        head += struct.pack(">H", self.serial)
        if packages:
            head += struct.pack(">HH", *packages)
        return head

    def message(self, msg_id: int, body: bytes = b"", packages=None) -> bytes:
        return wrap(self.header(msg_id, len(body), packages) + body)

    def send(self, msg_id: int, body: bytes = b"") -> int:
        self.send_raw(self.message(msg_id, body))
        return self.serial

    def answer(self) -> tuple[int, int, int]:
        """The next 0x8001: (serial answered, id answered, result)."""
        msg_id, _, body = self.receive()
        assert msg_id == 0x8001, f"expected 0x8001, got {msg_id:#06x}"
        return struct.unpack(">HHB", body)

    def register(self, plate: str, colour: int = 2) -> tuple[int, str]:
        """0x0100 → (0x8100 result, authentication code)."""
        if self.version == 2019:
            fields = (b"HWMTEST".ljust(11, b"\0"), b"JT808-T1".ljust(30, b"\0"))
            fields += (b"T0000001".ljust(30, b"\0"),)
        else:
            fields = (b"HWMTS", b"JT808-T1".ljust(20, b"\0"), b"T000001")
        body = struct.pack(">HH", 44, 700) + b"".join(fields) + bytes([colour])
        body += plate.encode("gbk")
        sent = self.send(0x0100, body)
        msg_id, _, reply = self.receive()
        assert msg_id == 0x8100 and struct.unpack(">H", reply[:2])[0] == sent
        return reply[2], reply[3:].decode("gbk")

    def authenticate(self, code: str) -> int:
        raw = code.encode("gbk")
        if self.version == 2019:
            body = bytes([len(raw)]) + raw + b"860000000000001" + b"1.0".ljust(20, b"\0")
        else:
            body = raw
        sent = self.send(0x0102, body)
        serial, msg_id, result = self.answer()
        assert (serial, msg_id) == (sent, 0x0102)
        return result

    def report(self, fix: Fix) -> int:
        return self.send(0x0200, location_body(fix))

    def batch(self, fixes: list[Fix], kind: int = 1) -> int:
        """0x0704: count, type (1: stored while out of network), then length + body each."""
        body = struct.pack(">HB", len(fixes), kind)
        for fix in fixes:
            item = location_body(fix)
            body += struct.pack(">H", len(item)) + item
        return self.send(0x0704, body)

    def send_in_packages(self, msg_id: int, body: bytes, size: int = 1023) -> list[int]:
        """The body cut into sub-packages of ``size`` bytes (header bit 13, count, number)."""
        parts = [body[i : i + size] for i in range(0, len(body), size)]
        serials = []
        for number, part in enumerate(parts, start=1):
            self.send_raw(wrap(self.header(msg_id, len(part), (len(parts), number)) + part))
            serials.append(self.serial)
        return serials

    def batch_body(self, fixes: list[Fix], kind: int = 1) -> bytes:
        body = struct.pack(">HB", len(fixes), kind)
        for fix in fixes:
            item = location_body(fix)
            body += struct.pack(">H", len(item)) + item
        return body
