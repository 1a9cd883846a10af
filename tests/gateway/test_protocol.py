"""The JT/T 808 protocol package on bytes laid out by hand from the standard's tables."""

from __future__ import annotations

import struct
from datetime import UTC, datetime

import pytest

from gps.jt808 import bodies
from gps.jt808.assembly import Reassembler
from gps.jt808.errors import BadEscape, BadFrame, BadMessage, FrameTooLong
from gps.jt808.frames import FrameReader, check_code, escape, open_frame, seal, unescape
from gps.jt808.header import join_message, split_message
from gps.write import gpx_from_micro_degrees
from tests.gateway.terminal import Fix, Terminal, location_body, wrap


def test_escaping_follows_the_standard_example():
    # JT/T 808 §4.4.2: 30 7e 08 7d 55 is sent as 30 7d 02 08 7d 01 55.
    assert escape(bytes.fromhex("307e087d55")) == bytes.fromhex("307d02087d0155")
    assert unescape(bytes.fromhex("307d02087d0155")) == bytes.fromhex("307e087d55")
    with pytest.raises(BadEscape):
        unescape(bytes.fromhex("307d03"))
    with pytest.raises(BadEscape):
        unescape(bytes.fromhex("307d"))


def test_a_frame_is_opened_only_with_its_check_code():
    message = Terminal("13912345678").header(0x0002, 0)
    frame = wrap(message)
    assert open_frame(frame[1:-1]) == message
    assert seal(message) == frame
    broken = bytearray(frame)
    broken[-2] ^= 0x01
    with pytest.raises(BadFrame):
        open_frame(bytes(broken[1:-1]))
    with pytest.raises(BadFrame):
        open_frame(b"\x00\x02\x00")
    assert check_code(b"\x01\x02\x04") == 0x07


def test_headers_of_2013_and_2019():
    old = Terminal("13912345678", version=2013)
    header, body = split_message(old.header(0x0200, 3) + b"abc")
    assert (header.message_id, header.phone, header.serial, body) == (
        0x0200,
        "13912345678",
        1,
        b"abc",
    )
    assert header.version is None and header.packages is None and len(header.phone_bcd) == 6

    new = Terminal("13912345678", version=2019)
    new.serial = 0x1233
    header, body = split_message(new.header(0x0102, 2, packages=(3, 2)) + b"xy")
    assert header.version == 1 and header.is_2019 and len(header.phone_bcd) == 10
    assert header.phone == "13912345678" and header.serial == 0x1234
    assert header.packages == (3, 2) and body == b"xy"


def test_a_header_that_lies_about_its_body_is_refused():
    t = Terminal("13912345678")
    with pytest.raises(BadMessage):
        split_message(t.header(0x0200, 10) + b"short")
    with pytest.raises(BadMessage):
        split_message(t.header(0x0200, 0)[:8])
    not_bcd = bytearray(t.header(0x0002, 0))
    not_bcd[4] = 0xAB
    with pytest.raises(BadMessage):
        split_message(bytes(not_bcd))
    with pytest.raises(BadMessage):
        split_message(t.header(0x0200, 0, packages=(2, 3)))


def test_answers_are_laid_out_as_the_standard_says():
    phone = bytes.fromhex("013912345678")
    message = join_message(0x8001, 7, phone, bodies.general_response(0x0102, 0x0200, 3))
    assert message == bytes.fromhex("8001000501391234567800070102020003")
    long_phone = bytes.fromhex("00000000013912345678")
    message = join_message(0x8100, 8, long_phone, bodies.registration_response(5, 0, "ab"), 1)
    header, body = split_message(message)
    assert header.is_2019 and header.phone == "13912345678"
    assert body == b"\x00\x05\x00ab"
    assert bodies.registration_response(5, 4, "ignored") == b"\x00\x05\x04"


def test_a_location_with_its_flags_time_and_mileage():
    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    body = location_body(Fix(lat=-22.5, lon=-113.123456, time=at, mileage_km=1234.5), alarm=1)
    location = bodies.decode_location(body)
    assert (location.lat_e6, location.lon_e6) == (-22_500_000, -113_123_456)
    assert location.positioned and location.alarm == 1
    assert location.time == at and location.time_bcd == "260102110405"  # Beijing time
    assert location.speed_dkmh == 400 and location.mileage_hm == 12345

    unpositioned = bodies.decode_location(location_body(Fix(22.5, 113.1, at, positioned=False)))
    assert not unpositioned.positioned
    no_date = bytearray(body)
    no_date[22:28] = bytes.fromhex("261399000000")
    assert bodies.decode_location(bytes(no_date)).time is None
    with pytest.raises(BadMessage):
        bodies.decode_location(body[:27])
    with pytest.raises(BadMessage):
        bodies.decode_location(body[:-1])  # the mileage item overruns the body


def test_registrations_authentications_and_batches():
    t13, t19 = Terminal("1", 2013), Terminal("1", 2019)
    reg13 = struct.pack(">HH", 44, 700) + b"HWMTS" + b"M".ljust(20, b"\0") + b"T000001"
    reg13 += b"\x02" + "粤J12345".encode("gbk")
    claim = bodies.decode_registration(reg13, is_2019=False)
    assert (claim.plate, claim.plate_colour, claim.maker, claim.terminal_id) == (
        "粤J12345",
        2,
        "HWMTS",
        "T000001",
    )
    with pytest.raises(BadMessage):
        bodies.decode_registration(reg13[:30], is_2019=False)
    assert bodies.decode_authentication(b"code1", is_2019=False) == "code1"
    assert bodies.decode_authentication(b"\x05code1" + b"9" * 35, is_2019=True) == "code1"
    with pytest.raises(BadMessage):
        bodies.decode_authentication(b"\x09code", is_2019=True)
    assert t13 and t19

    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    batch = Terminal("1").batch_body([Fix(22.5, 113.1, at), Fix(22.6, 113.2, at)])
    kind, locations = bodies.decode_batch(batch)
    assert kind == 1 and [loc.lat_e6 for loc in locations] == [22_500_000, 22_600_000]
    lying = b"\x00\x03" + batch[2:]
    with pytest.raises(BadMessage):
        bodies.decode_batch(lying)
    with pytest.raises(BadMessage):
        bodies.decode_batch(batch[:-3])


def test_the_frame_reader_cuts_a_stream_however_it_arrives():
    t = Terminal("13912345678")
    frames = [t.message(0x0002) for _ in range(3)]
    stream = b"garbage" + b"".join(frames)
    reader = FrameReader()
    got = []
    for i in range(0, len(stream), 5):
        got += reader.feed(stream[i : i + 5])
    assert got == [f[1:-1] for f in frames]

    small = FrameReader(max_frame=100)
    out = small.feed(b"\x7e" + b"\x01" * 150)
    assert len(out) == 1 and isinstance(out[0], FrameTooLong)
    assert small.feed(b"\x01" * 500) == []  # skipped until the next flag
    assert small.feed(frames[0]) == [frames[0][1:-1]]
    assert small.pending == 0


def test_sub_packages_are_put_back_together_in_any_order():
    t = Terminal("13912345678")
    heads = []
    for number in (1, 2, 3):
        heads.append(split_message(t.header(0x0704, 2, packages=(3, number)) + b"%d_" % number)[0])
    assembly = Reassembler()
    assert assembly.add(heads[2], b"c", 0.0) is None
    assert assembly.add(heads[0], b"a", 0.0) is None
    assert assembly.add(heads[1], b"b", 0.0) == b"abc"
    assert assembly.pending == 0

    crowded = Reassembler(max_messages=2, max_packages=8)
    with pytest.raises(BadMessage):
        crowded.add(split_message(t.header(0x0704, 0, packages=(9, 1)))[0], b"", 0.0)
    for _ in range(5):
        crowded.add(split_message(t.header(0x0704, 0, packages=(2, 1)))[0], b"", 0.0)
    assert crowded.pending == 2  # the oldest are given up


def test_gpx_is_written_with_the_reported_digits():
    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    data = gpx_from_micro_degrees([-22_000_001, 5], [113_123_456, -1], [at, at], name="a<b")
    text = data.decode()
    assert 'lat="-22.000001" lon="113.123456"' in text
    assert 'lat="0.000005" lon="-0.000001"' in text
    assert "<time>2026-01-02T03:04:05Z</time>" in text and "a&lt;b" in text
