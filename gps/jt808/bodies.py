"""Message bodies: what terminals send (decoded) and what the platform answers (encoded).

Message ids and result codes are those of JT/T 808-2013 and -2019. Strings are GBK.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

from gps.jt808.errors import BadMessage

# Terminal messages.
TERMINAL_RESPONSE = 0x0001
HEARTBEAT = 0x0002
LOGOUT = 0x0003
REGISTER = 0x0100
AUTHENTICATE = 0x0102
LOCATION = 0x0200
LOCATION_BATCH = 0x0704
# Platform messages.
PLATFORM_RESPONSE = 0x8001
REGISTER_RESPONSE = 0x8100

# 0x8001 results.
OK, FAILED, MESSAGE_ERROR, NOT_SUPPORTED, ALARM_CONFIRMED = 0, 1, 2, 3, 4
# 0x8100 results.
REGISTERED = 0
VEHICLE_TAKEN = 1
VEHICLE_UNKNOWN = 2
TERMINAL_TAKEN = 3
TERMINAL_UNKNOWN = 4

STATUS_POSITIONED = 1 << 1
STATUS_SOUTH = 1 << 2
STATUS_WEST = 1 << 3
ITEM_MILEAGE = 0x01  # DWORD, 1/10 km
LOCATION_SIZE = 28


def _text(data: bytes, what: str) -> str:
    try:
        return data.rstrip(b"\x00").decode("gbk").strip()
    except UnicodeDecodeError:
        raise BadMessage(f"the {what} is not GBK text") from None


@dataclass(frozen=True)
class Registration:
    """0x0100: the terminal and the vehicle it says it is fitted to."""

    province: int
    city: int
    maker: str
    model: str
    terminal_id: str
    plate_colour: int
    plate: str


def decode_registration(body: bytes, is_2019: bool) -> Registration:
    """Raises BadMessage when the body is shorter than its fixed fields or not GBK."""
    sizes = (11, 30, 30) if is_2019 else (5, 20, 7)
    fixed = 4 + sum(sizes) + 1
    if len(body) < fixed:
        raise BadMessage(f"a registration needs {fixed} bytes before the plate, not {len(body)}")
    at = 4
    texts = []
    for size, what in zip(sizes, ("maker", "model", "terminal id"), strict=True):
        texts.append(_text(body[at : at + size], what))
        at += size
    return Registration(
        province=int.from_bytes(body[0:2], "big"),
        city=int.from_bytes(body[2:4], "big"),
        maker=texts[0],
        model=texts[1],
        terminal_id=texts[2],
        plate_colour=body[at],
        plate=_text(body[at + 1 :], "plate"),
    )


def decode_authentication(body: bytes, is_2019: bool) -> str:
    """0x0102: the authentication code. Raises BadMessage."""
    if not is_2019:
        return _text(body, "authentication code")
    if not body or len(body) < 1 + body[0]:
        raise BadMessage("the authentication code is cut short")
    return _text(body[1 : 1 + body[0]], "authentication code")


@dataclass(frozen=True)
class Location:
    """0x0200 (and each item of 0x0704): one fix as the terminal reported it."""

    alarm: int
    status: int
    lat_e6: int  # signed: south is negative
    lon_e6: int  # signed: west is negative
    altitude_m: int
    speed_dkmh: int  # 1/10 km/h
    heading: int
    time_bcd: str  # the 12 digits as sent (YYMMDDhhmmss, Beijing time), hex if not BCD
    time: datetime | None  # in UTC; None when the digits are no date
    items: dict[int, bytes] = field(default_factory=dict)

    @property
    def positioned(self) -> bool:
        """Status bit 1: the receiver had a fix."""
        return bool(self.status & STATUS_POSITIONED)

    @property
    def mileage_hm(self) -> int | None:
        """Additional item 0x01, the odometer in 1/10 km, when sent."""
        value = self.items.get(ITEM_MILEAGE)
        return int.from_bytes(value, "big") if value is not None and len(value) == 4 else None


#: Beijing time, the terminals' clock: UTC+8 all year (China has kept no summer time since
#: 1991, and the BCD year is 20YY).
BEIJING = timezone(timedelta(hours=8))
#: The basic fields of a location: alarm, status, latitude, longitude, altitude, speed,
#: heading, and the six BCD digits-pairs of the time.
_BASIC = struct.Struct(">IIIIHHH6s")


def bcd_time(data: bytes) -> datetime | None:
    """YYMMDDhhmmss in Beijing time as a UTC datetime, or None when it is not a date."""
    text = data.hex()
    if not text.isdigit():
        return None
    try:
        local = datetime(
            2000 + int(text[0:2]),
            int(text[2:4]),
            int(text[4:6]),
            int(text[6:8]),
            int(text[8:10]),
            int(text[10:12]),
            tzinfo=BEIJING,
        )
    except ValueError:
        return None
    return local.astimezone(UTC)


def decode_location(body: bytes) -> Location:
    """Raises BadMessage when the basic fields are cut short or an additional item overruns
    the body."""
    if len(body) < LOCATION_SIZE:
        raise BadMessage(f"a location needs {LOCATION_SIZE} bytes, not {len(body)}")
    alarm, status, lat, lon, altitude, speed, heading, when = _BASIC.unpack_from(body)
    items: dict[int, bytes] = {}
    at = LOCATION_SIZE
    while at < len(body):
        if at + 2 > len(body) or at + 2 + body[at + 1] > len(body):
            raise BadMessage(f"additional item at byte {at} overruns the body")
        items.setdefault(body[at], bytes(body[at + 2 : at + 2 + body[at + 1]]))
        at += 2 + body[at + 1]
    return Location(
        alarm=alarm,
        status=status,
        lat_e6=-lat if status & STATUS_SOUTH else lat,
        lon_e6=-lon if status & STATUS_WEST else lon,
        altitude_m=altitude,
        speed_dkmh=speed,
        heading=heading,
        time_bcd=when.hex(),
        time=bcd_time(when),
        items=items,
    )


def decode_batch(body: bytes) -> tuple[int, list[Location]]:
    """0x0704: (type, locations); type 0 is a regular batch, 1 positions stored while the
    terminal had no network. Raises BadMessage when the items do not add up to the body or
    to the declared count."""
    if len(body) < 3:
        raise BadMessage("a batch needs its count and type")
    count, kind = int.from_bytes(body[0:2], "big"), body[2]
    locations, at = [], 3
    while at < len(body):
        if at + 2 > len(body):
            raise BadMessage(f"batch item at byte {at} is cut short")
        size = int.from_bytes(body[at : at + 2], "big")
        if at + 2 + size > len(body):
            raise BadMessage(f"batch item at byte {at} overruns the body")
        locations.append(decode_location(body[at + 2 : at + 2 + size]))
        at += 2 + size
    if len(locations) != count:
        raise BadMessage(f"the batch declares {count} positions and holds {len(locations)}")
    return kind, locations


def general_response(reply_serial: int, reply_id: int, result: int) -> bytes:
    """0x8001 body: the serial and id answered, and the result code."""
    return reply_serial.to_bytes(2, "big") + reply_id.to_bytes(2, "big") + bytes([result])


def registration_response(reply_serial: int, result: int, code: str = "") -> bytes:
    """0x8100 body; the authentication code follows only a successful registration."""
    body = reply_serial.to_bytes(2, "big") + bytes([result])
    return body + (code.encode("gbk") if result == REGISTERED else b"")
