"""Frames on the wire: 0x7e delimiting, 0x7d escaping and the XOR check code.

A frame is ``0x7e | escaped(header + body + check) | 0x7e``. Inside, 0x7e is sent as
``0x7d 0x02`` and 0x7d as ``0x7d 0x01``; the check code is the XOR of every byte of the
header and body. :class:`FrameReader` cuts a byte stream into frames without ever holding
more than one oversized frame's worth of bytes.
"""

from __future__ import annotations

from functools import reduce
from operator import xor

from gps.jt808.errors import BadEscape, BadFrame, FrameTooLong

FLAG = 0x7E
ESCAPE = 0x7D
#: Longest header (2019, sub-packaged: 2+2+1+10+2+4 bytes) + the largest body + the check.
MAX_MESSAGE = 21 + 1023 + 1
#: Escaping at most doubles a message.
MAX_FRAME = 2 * MAX_MESSAGE


def check_code(data: bytes) -> int:
    """The XOR of every byte of ``data``."""
    return reduce(xor, data, 0)


def escape(data: bytes) -> bytes:
    """``data`` with 0x7d and 0x7e escaped (0x7d first, so nothing is escaped twice)."""
    return data.replace(b"\x7d", b"\x7d\x01").replace(b"\x7e", b"\x7d\x02")


def unescape(data: bytes) -> bytes:
    """The bytes an escaped frame body stands for. Raises BadEscape for a 0x7d followed by
    anything but 0x01 or 0x02 (or nothing)."""
    if b"\x7d" not in data:
        return data
    out = bytearray()
    i, n = 0, len(data)
    while i < n:
        j = data.find(b"\x7d", i)
        if j < 0:
            out += data[i:]
            break
        out += data[i:j]
        if j + 1 >= n or data[j + 1] not in (1, 2):
            raise BadEscape(f"0x7d at byte {j} is not followed by 0x01 or 0x02")
        out.append(0x7D if data[j + 1] == 1 else 0x7E)
        i = j + 2
    return bytes(out)


def seal(message: bytes) -> bytes:
    """A complete frame for ``message`` (header + body): check code, escaping, flags."""
    return b"\x7e" + escape(message + bytes([check_code(message)])) + b"\x7e"


def open_frame(inner: bytes) -> bytes:
    """The message (header + body) of a frame's escaped content, its check code verified.

    Raises BadEscape, or BadFrame when the content is too short or the check code differs.
    """
    data = unescape(inner)
    if len(data) < 13:  # the shortest header (12 bytes) and the check code
        raise BadFrame(f"a frame of {len(data)} bytes is shorter than any header")
    message, check = data[:-1], data[-1]
    if check_code(message) != check:
        raise BadFrame(f"check code {check:#04x} differs from {check_code(message):#04x}")
    return message


class FrameReader:
    """Cuts a byte stream into the escaped contents of frames.

    :meth:`feed` returns, in stream order, the contents of every frame completed by the new
    bytes and a FrameTooLong for every frame whose content outgrew ``max_frame`` (the reader
    then skips to the next flag). Bytes before the first flag are discarded (a stream joined
    mid-frame).
    """

    def __init__(self, max_frame: int = MAX_FRAME) -> None:
        self.max_frame = max_frame
        self._buffer = bytearray()
        self._open = False
        self._skipping = False

    @property
    def pending(self) -> int:
        """Bytes held for a frame not yet complete."""
        return len(self._buffer)

    def feed(self, data: bytes) -> list[bytes | FrameTooLong]:
        frames: list[bytes | FrameTooLong] = []
        start = 0
        while start < len(data):
            flag = data.find(b"\x7e", start)
            if flag < 0:
                self._take(data[start:], frames)
                break
            if self._open and not self._skipping:
                self._take(data[start:flag], frames)
                if self._buffer and not self._skipping:
                    frames.append(bytes(self._buffer))
                # An empty content is two adjacent flags: the second one opens the next frame.
            self._buffer.clear()
            self._open, self._skipping = True, False
            start = flag + 1
        return frames

    def _take(self, chunk: bytes, frames: list) -> None:
        if not self._open or self._skipping or not chunk:
            return
        if len(self._buffer) + len(chunk) > self.max_frame:
            self._buffer.clear()
            self._skipping = True
            frames.append(
                FrameTooLong(f"a frame grew beyond {self.max_frame} bytes without its end flag")
            )
            return
        self._buffer += chunk
