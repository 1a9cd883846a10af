"""Reading the official waste list from CSV (``hwm catalogue import FILE.csv``).

The first non-blank row is the header. Columns, matched case-insensitively in any order:

============ ====================================== =========================================
column       Chinese aliases                        content
============ ====================================== =========================================
``code``     废物代码                               ``336-064-17`` or ``462-001-S07``
``category`` 废物类别                               ``HW17``, ``17`` or ``HW17 表面处理废物``;
                                                    ``S07`` for a solid-waste row; may be blank
``name_zh``  危险废物, 废物名称                     the description in the list
``name_en``  英文名称                               optional column
``hazard``   危险特性                               ``T``, ``T/C``, ``T,In``; blank for S codes
============ ====================================== =========================================

Other columns (e.g. 行业来源) are ignored. Bytes are read by the rule every upload is read by
(:mod:`manifest.tabular`): UTF-8, with or without a BOM; when it is not valid UTF-8, GB18030,
unless earlier lines were UTF-8 text: then it is a damaged UTF-8 file and is refused rather
than loaded with garbled names. Bytes that decode in neither encoding, or a line the csv
module cannot read, refuse the whole file too.

A row is rejected, with its line number, when its code is malformed, its category disagrees
with the code, a hazard letter is unknown or missing, the name is empty or holds a control
character, it has more fields than the header, or its code repeats an earlier row. A blank
category is taken from the code (merged cells in the published table export as blanks).
Every other row is kept.
"""

from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO

from .catalogue import HwCode, parse_hazards, parse_waste_code
from .errors import ValidationFailed
from .tabular import UndecodableText, decoded_lines

HEADER_ALIASES = {
    "code": "code",
    "废物代码": "code",
    "category": "category",
    "废物类别": "category",
    "name_zh": "name_zh",
    "危险废物": "name_zh",
    "废物名称": "name_zh",
    "name_en": "name_en",
    "英文名称": "name_en",
    "hazard": "hazard",
    "危险特性": "hazard",
}
REQUIRED_COLUMNS = ("code", "category", "name_zh", "hazard")
_CATEGORY_RE = re.compile(r"(?:HW)?(\d{2})(?!\d)|(S\d{2})(?!\d)", re.ASCII)


@dataclass(frozen=True)
class CatalogueEntry:
    """One accepted row; ``hazards`` is empty for a solid-waste (S) code."""

    line_no: int
    code: str
    category: str
    name_zh: str
    name_en: str
    hazards: tuple[str, ...]

    @property
    def kind(self) -> str:
        return "solid" if self.category.startswith("S") else "hazardous"


@dataclass(frozen=True)
class RejectedRow:
    """A row that was not loaded: its first physical line, its text and why."""

    line_no: int
    raw: str
    reason: str


Source = str | os.PathLike | IO[bytes] | IO[str] | Iterable[str]


def parse_catalogue_csv(source: Source) -> tuple[list[CatalogueEntry], list[RejectedRow]]:
    """All accepted rows and all rejected rows of ``source`` (see :func:`iter_catalogue_csv`)."""
    rows: list[CatalogueEntry] = []
    rejected: list[RejectedRow] = []
    for result in iter_catalogue_csv(source):
        (rows if isinstance(result, CatalogueEntry) else rejected).append(result)
    return rows, rejected


def iter_catalogue_csv(source: Source) -> Iterator[CatalogueEntry | RejectedRow]:
    """Yield one CatalogueEntry or RejectedRow per data row, in file order.

    ``source`` is a path, a binary or text file object, or an iterable of text lines.
    Raises ValidationFailed, before yielding anything, when the file is empty or the header
    lacks a required column or names one twice.
    """
    lines = _RecordingLines(_text_lines(source))
    reader = csv.reader(lines)
    columns, width = _read_header(reader, lines)
    seen: dict[str, int] = {}
    for fields in _guarded(reader, lines):
        line_no, raw = lines.take()
        if not any(f.strip() for f in fields):
            continue
        try:
            entry = _entry(line_no, fields, columns, width)
        except ValidationFailed as exc:
            yield RejectedRow(line_no, raw, exc.message)
            continue
        if entry.code in seen:
            yield RejectedRow(
                line_no, raw, f"duplicate code {entry.code}, first on line {seen[entry.code]}"
            )
            continue
        seen[entry.code] = line_no
        yield entry


def _guarded(reader, lines: _RecordingLines) -> Iterator[list[str]]:
    """The reader's records; unreadable input (bad bytes, NUL, stray CR) refuses the file."""
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except (csv.Error, UnicodeDecodeError) as exc:
            line_no, _ = lines.take()
            raise ValidationFailed(f"line {line_no}: the file cannot be read ({exc})") from None


def _read_header(reader, lines: _RecordingLines) -> tuple[dict[str, int], int]:
    for fields in _guarded(reader, lines):
        lines.take()
        if any(f.strip() for f in fields):
            break
    else:
        raise ValidationFailed("the file is empty: a header row is required")
    columns: dict[str, int] = {}
    for index, name in enumerate(fields):
        key = HEADER_ALIASES.get(name.strip().lstrip("\ufeff").lower())
        if key is None:
            continue
        if key in columns:
            raise ValidationFailed(f"the header names column {key!r} twice")
        columns[key] = index
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise ValidationFailed(
            f"the header lacks column(s) {', '.join(missing)}; "
            "expected code,category,name_zh,name_en,hazard"
        )
    return columns, len(fields)


def _entry(line_no: int, fields: list[str], columns: dict[str, int], width: int) -> CatalogueEntry:
    if len(fields) > width and any(f.strip() for f in fields[width:]):
        # Usually an unquoted comma inside a name: the columns after it are shifted.
        raise ValidationFailed(
            f"{len(fields)} fields but the header has {width} (quote names containing commas)"
        )
    values = {key: (fields[i].strip() if i < len(fields) else "") for key, i in columns.items()}
    code = values["code"]
    if not code:
        raise ValidationFailed("the code is empty")
    parsed = parse_waste_code(code)
    category = _category(values["category"], parsed)
    name_zh = values["name_zh"]
    if not name_zh:
        raise ValidationFailed(f"{parsed.code}: the Chinese name is empty")
    if any(ord(c) < 32 and c not in "\t\n\r" for c in name_zh + values.get("name_en", "")):
        # NUL and friends cannot be stored in PostgreSQL text and never belong in a name.
        raise ValidationFailed(f"{parsed.code}: the name contains a control character")
    if isinstance(parsed, HwCode):
        try:
            hazards = parse_hazards(values["hazard"])
        except ValidationFailed as exc:
            raise ValidationFailed(f"{parsed.code}: {exc.message}") from None
    elif values["hazard"]:
        raise ValidationFailed(
            f"{parsed.code}: a solid-waste code carries no hazard characteristic"
        )
    else:
        hazards = ()
    return CatalogueEntry(
        line_no, parsed.code, category, name_zh, values.get("name_en", ""), hazards
    )


def _category(text: str, parsed) -> str:
    if not text:
        return parsed.category
    match = _CATEGORY_RE.match(unicodedata.normalize("NFKC", text).upper())
    if not match:
        raise ValidationFailed(f"{parsed.code}: category {text!r} is not like HW17 or S07")
    category = f"HW{match[1]}" if match[1] else match[2]
    if category != parsed.category:
        raise ValidationFailed(
            f"{parsed.code}: category {category} does not match "
            f"the code's category {parsed.category}"
        )
    return category


class _RecordingLines:
    """Feeds lines to csv.reader and remembers which lines made up the current record."""

    def __init__(self, lines: Iterable[str]):
        self._lines = iter(lines)
        self._buffer: list[str] = []
        self._next_line_no = 1

    def __iter__(self) -> _RecordingLines:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self._buffer.append(line)
        return line

    def take(self) -> tuple[int, str]:
        start = self._next_line_no
        raw = "".join(self._buffer).rstrip("\r\n")
        self._next_line_no += len(self._buffer)
        self._buffer.clear()
        return start, raw


def _text_lines(source: Source) -> Iterator[str]:
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as handle:
            yield from _decode(handle)
        return
    if isinstance(source, io.TextIOBase):
        yield from _strip_bom(source)
        return
    if hasattr(source, "read") and isinstance(source.read(0), bytes):
        yield from _decode(source)
        return
    yield from _strip_bom(source)


def _strip_bom(lines: Iterable[str]) -> Iterator[str]:
    first = True
    for line in lines:
        yield line.removeprefix("\ufeff") if first else line
        first = False


def _decode(handle: IO[bytes]) -> Iterator[str]:
    """The file's lines by the encoding rule of uploads (:func:`manifest.tabular.decoded_lines`);
    a file that is not text raises ValidationFailed naming the line."""
    if not handle.seekable():
        handle = io.BytesIO(handle.read())
    try:
        yield from decoded_lines(handle)
    except UndecodableText as exc:
        raise ValidationFailed(exc.message) from None
