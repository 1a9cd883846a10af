"""The message header of the 2013 and 2019 versions, and the terminal's BCD phone number.

2013: id WORD, properties WORD, phone BCD[6], serial WORD, [packages WORD, number WORD].
2019: id WORD, properties WORD (bit 14 set), version BYTE, phone BCD[10], serial WORD, [...].
Properties: bits 0-9 body length, 10-12 encryption (bit 10: RSA), 13 sub-packaged,
14 version flag (2019). All integers are big-endian.
"""

from __future__ import annotations

from dataclasses import dataclass

from gps.jt808.errors import BadMessage

MAX_BODY = 1023
_LENGTH_MASK = 0x03FF
_RSA = 1 << 10
_ENCRYPTION_MASK = 0x1C00
_SUBPACKAGED = 1 << 13
_VERSION_FLAG = 1 << 14


@dataclass(frozen=True)
class Header:
    """A decoded header. ``phone_bcd`` is kept as sent, for the answers to echo it."""

    message_id: int
    serial: int
    phone_bcd: bytes
    body_length: int
    version: int | None = None  # the 2019 protocol version byte; None for 2013
    encryption: int = 0  # bits 10-12 of the properties; 0 means plain
    packages: tuple[int, int] | None = None  # (total, number from 1)

    @property
    def phone(self) -> str:
        """The phone number as digits, without the leading zeros the BCD field pads with."""
        return bcd_digits(self.phone_bcd).lstrip("0") or "0"

    @property
    def is_2019(self) -> bool:
        return self.version is not None

    @property
    def rsa(self) -> bool:
        return bool(self.encryption & 1)


def bcd_digits(data: bytes) -> str:
    """The decimal digits of packed BCD. Raises BadMessage for a nibble above 9."""
    text = data.hex()
    if not text.isdigit():
        raise BadMessage(f"BCD field {text} holds a nibble that is not a digit")
    return text


def phone_bcd(phone: str, size: int) -> bytes:
    """``phone`` (digits) as ``size`` bytes of BCD, padded with leading zeros.

    Raises ValueError when it is not digits or does not fit."""
    if not phone.isascii() or not phone.isdigit() or len(phone) > 2 * size:
        raise ValueError(f"{phone!r} is not a phone number of at most {2 * size} digits")
    return bytes.fromhex(phone.rjust(2 * size, "0"))


def split_message(message: bytes) -> tuple[Header, bytes]:
    """The header and body of an unescaped, checked message.

    Raises BadMessage when the header is cut short or the body length it declares differs
    from the bytes that follow it.
    """
    if len(message) < 4:
        raise BadMessage("the header is cut short")
    message_id = int.from_bytes(message[0:2], "big")
    props = int.from_bytes(message[2:4], "big")
    if props & _VERSION_FLAG:
        fixed, version, phone_at, phone_size = 17, message[4] if len(message) > 4 else 0, 5, 10
    else:
        fixed, version, phone_at, phone_size = 12, None, 4, 6
    subpackaged = bool(props & _SUBPACKAGED)
    size = fixed + (4 if subpackaged else 0)
    if len(message) < size:
        raise BadMessage(f"a header of {size} bytes is cut short at {len(message)}")
    phone = message[phone_at : phone_at + phone_size]
    bcd_digits(phone)
    serial_at = phone_at + phone_size
    serial = int.from_bytes(message[serial_at : serial_at + 2], "big")
    packages = None
    if subpackaged:
        total = int.from_bytes(message[fixed : fixed + 2], "big")
        number = int.from_bytes(message[fixed + 2 : fixed + 4], "big")
        if not 1 <= number <= total:
            raise BadMessage(f"package {number} of {total} does not exist")
        packages = (total, number)
    length = props & _LENGTH_MASK
    body = message[size:]
    if len(body) != length:
        raise BadMessage(f"the header declares a body of {length} bytes, {len(body)} follow")
    header = Header(
        message_id=message_id,
        serial=serial,
        phone_bcd=bytes(phone),
        body_length=length,
        version=version,
        encryption=(props & _ENCRYPTION_MASK) >> 10,
        packages=packages,
    )
    return header, bytes(body)


def join_message(
    message_id: int, serial: int, phone: bytes, body: bytes, version: int | None = None
) -> bytes:
    """Header + body of a message that is not sub-packaged, in the version ``phone`` is for
    (6 BCD bytes: 2013; 10 bytes: 2019 with ``version``). Raises ValueError for a body
    above 1023 bytes or a phone of another size."""
    if len(body) > MAX_BODY:
        raise ValueError(f"a body of {len(body)} bytes needs sub-packages")
    props = len(body)
    head = message_id.to_bytes(2, "big")
    if len(phone) == 10:
        props |= _VERSION_FLAG
        head += props.to_bytes(2, "big") + bytes([version or 1]) + phone
    elif len(phone) == 6:
        head += props.to_bytes(2, "big") + phone
    else:
        raise ValueError("a phone field is 6 (2013) or 10 (2019) bytes")
    return head + (serial & 0xFFFF).to_bytes(2, "big") + body
