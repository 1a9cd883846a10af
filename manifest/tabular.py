"""Reading the tables that Chinese office software and terminals export: encoding, header
names, delimiter and wall-clock times. Pure: used by the weighbridge upload, the waste-list
import and the fleet-platform GPS exports alike, so they read files by one rule.

* Encoding: UTF-8, with or without a byte-order mark; a file that is not UTF-8 is read as
  GB18030 (a superset of GBK and GB2312, what Excel and most Chinese platforms save as
  "CSV"). A file whose earlier lines hold non-ASCII UTF-8 and then break is a damaged UTF-8
  file, not GB18030: reading it as GB18030 would give garbled text, so it is refused.
* Header names are compared after :func:`header_key`: Unicode NFKC (full-width brackets and
  letters become ASCII), lower case, without spaces or underscores.
* A time without a UTC offset is wall-clock time in Asia/Shanghai (Beijing time), because
  that is what Chinese terminals and platforms print.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, tzinfo
from typing import IO

from .local_time import CHINA
from .texts import Text

UTF8 = "utf-8-sig"
GB18030 = "gb18030"


class UndecodableText(ValueError):
    """The bytes are neither UTF-8 nor GB18030 text. ``line`` is 1-based, or None."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def sniff_encoding(lines: Iterable[bytes]) -> str:
    """:data:`UTF8` when every line is UTF-8, else :data:`GB18030`.

    Raises :class:`UndecodableText` naming the line when a line breaks UTF-8 after earlier
    lines held non-ASCII UTF-8 text (a damaged UTF-8 file).
    """
    seen_utf8_text = False
    for line_no, line in enumerate(lines, start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as exc:
            if seen_utf8_text:
                raise UndecodableText(
                    Text("utf8_damaged_line", line=line_no, reason=exc.reason, byte=exc.start),
                    line=line_no,
                ) from None
            return GB18030
        seen_utf8_text = seen_utf8_text or not line.removeprefix(codecs.BOM_UTF8).isascii()
    return UTF8


def _not_text(line: int, exc: UnicodeDecodeError) -> UndecodableText:
    return UndecodableText(Text("line_not_text", line=line, reason=exc.reason), line=line)


def decode_text(data: bytes) -> str:
    """The text of a whole file, by the rule of :func:`sniff_encoding`, without a BOM.

    Raises :class:`UndecodableText` for a damaged UTF-8 file or bytes that are not GB18030.
    """
    encoding = sniff_encoding(data.splitlines(keepends=True))
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise _not_text(data.count(b"\n", 0, exc.start) + 1, exc) from None


def _decoded(handle: IO[bytes], encoding: str) -> Iterator[str]:
    """The lines of ``handle`` from where it stands, in ``encoding``, with their endings.

    Raises :class:`UndecodableText` naming the line that does not decode, when it is reached.
    """
    # Reading line by line is safe: neither encoding uses 0x0A inside a character.
    decoder = codecs.getincrementaldecoder(encoding)()
    line = 0
    try:
        for data in handle:
            line += 1
            yield decoder.decode(data)
        tail = decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise _not_text(max(line, 1), exc) from None
    if tail:
        yield tail


def stream_encoding(handle: IO[bytes]) -> str:
    """The encoding of a seekable file read line by line, by the rule of :func:`decode_text`
    (for files too large to hold in memory). Every line is decoded once to check it; the
    handle is left where it was.

    Raises :class:`UndecodableText` as :func:`decode_text` does.
    """
    start = handle.tell()
    try:
        encoding = sniff_encoding(handle)
        handle.seek(start)
        for _ in _decoded(handle, encoding):
            pass
    finally:
        handle.seek(start)
    return encoding


def decoded_lines(handle: IO[bytes]) -> Iterator[str]:
    """The text lines of a seekable file, by the rule of :func:`decode_text`, read lazily,
    each with its line ending as in the file and the first without a byte-order mark.

    Raises :class:`UndecodableText` as :func:`decode_text` does: for a damaged UTF-8 file
    before the first line, for bytes that are not GB18030 when their line is reached.
    """
    start = handle.tell()
    encoding = sniff_encoding(handle)
    handle.seek(start)
    yield from _decoded(handle, encoding)


def header_key(name: str) -> str:
    """A header name as compared with a table of aliases (see the module docstring)."""
    return re.sub(r"[\s_]", "", unicodedata.normalize("NFKC", name).strip().lower())


def csv_delimiter(header_line: str) -> str:
    """The delimiter the header line uses most: comma, tab or semicolon (comma when none)."""
    counts = {d: header_line.count(d) for d in (",", "\t", ";")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


_SLASHED = re.compile(
    r"^(\d{4})/(\d{1,2})/(\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?$", re.ASCII
)
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d", re.ASCII)


def parse_local_time(value, local_tz: tzinfo = CHINA) -> datetime:
    """A date and time as an aware UTC datetime.

    Accepts ISO 8601 (``2024-05-06 09:30``, ``2024-05-06T01:30:00Z``, ``…+08:00``), the
    slashed form spreadsheets write (``2024/5/6 9:30:00``) and a ``datetime``. Without an
    offset the time is local to ``local_tz`` (Asia/Shanghai). Raises ValueError for anything
    else, including a bare date.
    """
    if isinstance(value, datetime):
        moment = value
    else:
        text = str(value if value is not None else "").strip()
        if not text:
            raise ValueError(Text("time_missing"))
        slashed = _SLASHED.match(text)
        try:
            if slashed:
                *parts, fraction = slashed.groups()
                year, month, day, hour, minute, second = (int(g or 0) for g in parts)
                micro = int((fraction or "0").ljust(6, "0"))
                moment = datetime(year, month, day, hour, minute, second, micro)
            elif _ISO.match(text) and text.isascii():
                moment = datetime.fromisoformat(text)
            else:
                raise ValueError
        except ValueError:
            raise ValueError(Text("time_not_iso", text=text)) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=local_tz)
    return moment.astimezone(UTC)
