"""Guards every GPS input passes before a parser interprets it.

* Size: the limit is checked before parsing when the size is known (bytes,
  files on disk, seekable streams) and again while streaming, so an oversized
  upload is refused without being read, parsed or held in memory.
* XML: a DOCTYPE (and with it every entity declaration and external DTD) is
  refused the moment the parser meets it, before anything is expanded; an
  entity reference other than the five predefined ones and character
  references is refused too. Nothing is ever fetched from the network or disk.
* Encoding: expat reads UTF-8, UTF-16 and Latin-1 only. A file declared in one
  of China's national encodings (GB2312, GBK, GB18030), as some devices and
  map software write, is converted to UTF-8 on the way to the parser.
* Rows: a table (CSV or XLSX) longer than its row limit is refused while its
  rows stream in, at the first row past the limit.
"""

from __future__ import annotations

import codecs
import os
import re
from collections.abc import Iterable, Iterator
from typing import IO, Any, TypeVar, Union
from xml.parsers import expat

from gps.errors import ForbiddenXml, Malformed, TooLarge, TooManyRows
from manifest.texts import Text

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
"""Default size limit for one GPS file or route: 50 MiB."""

CHUNK_BYTES = 1024 * 1024

Source = Union[bytes, bytearray, memoryview, str, "os.PathLike[str]", IO[bytes]]
"""What the parsers accept: the bytes, a path to a file, or a binary stream."""


def _too_large(size: int, max_bytes: int) -> TooLarge:
    return TooLarge(
        Text("file_too_large", limit=f"{max_bytes:,}"),
        max_bytes=max_bytes,
        size=size,
    )


def iter_chunks(source: Source, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[memoryview]:
    """Yield the content of ``source`` in chunks of at most 1 MiB.

    ``source`` is bytes-like, a path (``str`` or ``os.PathLike``) or a binary
    stream with ``read``. Raises :class:`TooLarge` before the first chunk when
    the size is known to exceed ``max_bytes``, or as soon as the bytes read so
    far exceed it; ``OSError`` when a path cannot be opened. A text stream
    raises ``TypeError``.
    """
    if max_bytes <= 0:
        raise ValueError("max_bytes must be positive")
    if isinstance(source, bytes | bytearray | memoryview):
        view = memoryview(source).cast("B")
        if view.nbytes > max_bytes:
            raise _too_large(view.nbytes, max_bytes)
        for start in range(0, view.nbytes, CHUNK_BYTES):
            yield view[start : start + CHUNK_BYTES]
        return
    if isinstance(source, str | os.PathLike):
        size = os.stat(source).st_size
        if size > max_bytes:
            raise _too_large(size, max_bytes)
        with open(source, "rb") as stream:
            yield from _read_stream(stream, max_bytes)
        return
    if hasattr(source, "read"):
        remaining = _remaining_size(source)
        if remaining is not None and remaining > max_bytes:
            raise _too_large(remaining, max_bytes)
        yield from _read_stream(source, max_bytes)
        return
    raise TypeError(f"cannot read GPS data from {type(source).__name__}")


def _remaining_size(stream: IO[bytes]) -> int | None:
    """Bytes left in a seekable stream, or None when it cannot tell."""
    try:
        if not stream.seekable():
            return None
        here = stream.tell()
        end = stream.seek(0, os.SEEK_END)
        stream.seek(here)
    except (AttributeError, OSError, ValueError):
        return None
    return end - here


def _read_stream(stream: IO[bytes], max_bytes: int) -> Iterator[memoryview]:
    total = 0
    while True:
        chunk = stream.read(CHUNK_BYTES)
        if not chunk:
            return
        if not isinstance(chunk, bytes | bytearray):
            raise TypeError("the stream must be opened in binary mode")
        total += len(chunk)
        if total > max_bytes:
            # The full size is unknown for a stream; say at least how much came.
            raise _too_large(total, max_bytes)
        yield memoryview(chunk)


def read_all(source: Source, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """Return the whole content of ``source``, enforcing ``max_bytes``."""
    if isinstance(source, bytes):
        if len(source) > max_bytes:
            raise _too_large(len(source), max_bytes)
        return source
    return b"".join(bytes(chunk) for chunk in iter_chunks(source, max_bytes))


Row = TypeVar("Row")


def within_rows(rows: Iterable[Row], max_rows: int, refusal: str) -> Iterator[tuple[int, Row]]:
    """Yield (count from 1, row) of a table while it streams in. Raises :class:`TooManyRows`
    (with the message ``refusal``, naming the limit) at the first row past ``max_rows``."""
    for count, row in enumerate(rows, 1):
        if count > max_rows:
            raise TooManyRows(Text(refusal, limit=f"{max_rows:,}"), max_rows=max_rows)
        yield count, row


def _refuse_doctype(*_: Any) -> None:
    raise ForbiddenXml(Text("xml_doctype"))


def _refuse_entity(*_: Any) -> None:
    raise ForbiddenXml(Text("xml_entity"))


def new_parser() -> Any:
    """A namespace-aware expat parser that refuses DTDs and entities.

    Element names reach the handlers as ``"namespace-uri localname"`` (or the
    bare name without a namespace); attributes as an ordered list
    ``[name, value, name, value, ...]``; text in as few pieces as possible.
    """
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.buffer_size = 1 << 16
    parser.ordered_attributes = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_entity
    parser.UnparsedEntityDeclHandler = _refuse_entity
    parser.ExternalEntityRefHandler = _refuse_entity
    parser.SkippedEntityHandler = _refuse_entity
    return parser


_ENTITY_ERRORS = {
    expat.errors.codes[expat.errors.XML_ERROR_UNDEFINED_ENTITY],
    expat.errors.codes[expat.errors.XML_ERROR_RECURSIVE_ENTITY_REF],
    expat.errors.codes[expat.errors.XML_ERROR_BINARY_ENTITY_REF],
    expat.errors.codes[expat.errors.XML_ERROR_ATTRIBUTE_EXTERNAL_ENTITY_REF],
    expat.errors.codes[expat.errors.XML_ERROR_EXTERNAL_ENTITY_HANDLING],
}
_TRUNCATED_ERRORS = {
    expat.errors.codes[expat.errors.XML_ERROR_NO_ELEMENTS],
    expat.errors.codes[expat.errors.XML_ERROR_UNCLOSED_TOKEN],
    expat.errors.codes[expat.errors.XML_ERROR_UNCLOSED_CDATA_SECTION],
}


def xml_error(error: expat.ExpatError) -> Malformed | ForbiddenXml:
    """Translate an expat error into the matching :class:`GpxError`."""
    where = {"line": error.lineno, "column": error.offset}
    reason = expat.errors.messages[error.code]
    if error.code in _ENTITY_ERRORS or "amplification" in reason:
        return ForbiddenXml(Text("xml_entity_reference", reason=reason), **where)
    if error.code in _TRUNCATED_ERRORS:
        return Malformed(Text("xml_truncated", reason=reason, line=error.lineno), **where)
    return Malformed(
        Text("xml_not_well_formed", reason=reason, line=error.lineno, column=error.offset),
        **where,
    )


#: The XML declaration's encoding, read from the first bytes of a document.
_DECLARED_ENCODING = re.compile(rb"""^<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
#: Encoding names that GB18030 (a superset of GBK, itself a superset of GB2312) reads.
_CHINESE_NATIONAL = {"gb2312", "gbk", "gb18030", "cp936", "ms936", "euc-cn", "x-gbk"}
_HEAD_BYTES = 512


def as_utf8(chunks: Iterator[memoryview]) -> Iterator[memoryview]:
    """``chunks`` unchanged, or converted to UTF-8 when the document declares GB2312, GBK
    or GB18030 (the declaration is rewritten to say UTF-8). Streams: one chunk at a time.

    Raises :class:`Malformed` when a document so declared holds bytes that are not
    GB18030.
    """
    head = b""
    rest = iter(chunks)
    for chunk in rest:
        head += bytes(chunk)
        if len(head) >= _HEAD_BYTES:
            break
    found = _DECLARED_ENCODING.match(head)
    if found is None or found.group(1).decode("ascii").lower() not in _CHINESE_NATIONAL:
        if head:
            yield memoryview(head)
        yield from rest
        return
    decoder = codecs.getincrementaldecoder("gb18030")()
    start, end = found.span(1)
    try:
        yield memoryview(
            (head[:start].decode("ascii") + "UTF-8" + decoder.decode(head[end:])).encode()
        )
        for chunk in rest:
            yield memoryview(decoder.decode(bytes(chunk)).encode())
        tail = decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:
        encoding = found.group(1).decode("ascii")
        raise Malformed(
            Text("xml_declared_encoding", encoding=encoding, reason=error.reason)
        ) from None
    if tail:
        yield memoryview(tail.encode())


def parse_xml(parser: Any, chunks: Iterator[memoryview], after_chunk: Any = None) -> None:
    """Feed ``chunks`` to ``parser`` and finish it; ``after_chunk()`` runs after each.
    A document in a Chinese national encoding is read as UTF-8 (:func:`as_utf8`).

    Raises :class:`Malformed` or :class:`ForbiddenXml` for XML errors, and
    whatever a handler or ``after_chunk`` raises (handlers raise GpxErrors).
    """
    try:
        for chunk in as_utf8(chunks):
            parser.Parse(chunk, False)
            if after_chunk is not None:
                after_chunk()
        parser.Parse(b"", True)
    except expat.ExpatError as error:
        raise xml_error(error) from None
