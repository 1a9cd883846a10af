"""Rows of the first worksheet of an XLSX file, read with bounds a hostile file cannot pass.

An XLSX file is a ZIP of XML documents, so before openpyxl sees it:

* the archive must list at most :data:`MAX_MEMBERS` members whose declared sizes add up to at
  most ``max_unpacked`` bytes — a zip bomb is refused before anything is inflated, and a
  member that inflates to more than it declares is cut at its declared size by ``zipfile``
  and then fails its CRC check;
* no XML member may hold a DOCTYPE or an entity declaration (scanned in bounded chunks);
  openpyxl parses worksheets with defusedxml as well.

openpyxl then reads in read-only mode (rows streamed, never the whole sheet in memory),
without external links or macros, and with formulas kept as formulas: a cell holding a
formula is returned as a :class:`Formula`, never as its cached result, because a computed
value is not a recorded position. Only the first ``max_columns`` columns are read and a
sheet with more than ``max_rows`` rows is refused while streaming.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from gps.errors import ForbiddenXml, Malformed, TooLarge, TooManyRows
from gps.guard import within_rows
from manifest.texts import Text

MAX_MEMBERS = 2_000
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
MAX_COLUMNS = 64
_SCAN_CHUNK = 1 << 20
_FORBIDDEN = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


@dataclass(frozen=True)
class Formula:
    """A cell that holds a formula (its text, e.g. ``=B2+1``) instead of a value."""

    text: str


def check_archive(data: bytes, *, max_unpacked: int = MAX_UNPACKED_BYTES) -> None:
    """Refuse an archive that is not a ZIP, is a zip bomb, or holds DTDs or entities.

    Raises :class:`Malformed` (not a ZIP, too many members, a damaged member),
    :class:`TooLarge` (declared unpacked size over ``max_unpacked``) or
    :class:`ForbiddenXml`.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise Malformed(Text("xlsx_unreadable", reason=str(exc))) from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise Malformed(Text("xlsx_too_many_parts", limit=MAX_MEMBERS))
        unpacked = sum(member.file_size for member in members)
        if unpacked > max_unpacked:
            raise TooLarge(
                Text("xlsx_too_large", size=f"{unpacked:,}", limit=f"{max_unpacked:,}"),
                max_bytes=max_unpacked,
                size=unpacked,
            )
        for member in members:
            if member.filename.lower().endswith((".xml", ".rels", ".vml")):
                _scan(archive, member)


def _scan(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    tail = b""
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(_SCAN_CHUNK):
                if _FORBIDDEN.search(tail + chunk):
                    raise ForbiddenXml(Text("xlsx_part_forbidden", part=member.filename))
                tail = chunk[-16:]
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as exc:
        raise Malformed(Text("xlsx_part_damaged", part=member.filename, reason=str(exc))) from None


def xlsx_rows(
    data: bytes,
    *,
    max_rows: int,
    max_columns: int = MAX_COLUMNS,
    max_unpacked: int = MAX_UNPACKED_BYTES,
) -> Iterator[tuple[int, list[object]]]:
    """Yield (row number as the spreadsheet shows it, cell values) of the first worksheet.

    Values are str, int, float, bool, datetime, None or :class:`Formula`. Raises what
    :func:`check_archive` raises, :class:`Malformed` when openpyxl cannot read the workbook,
    and :class:`TooManyRows` when the sheet goes past row ``max_rows``.
    """
    check_archive(data, max_unpacked=max_unpacked)
    # Imported here: reading GPX and CSV must not pay for openpyxl.
    import openpyxl

    try:
        with warnings.catch_warnings():
            # openpyxl warns about what it leaves out (no default style, extensions WPS or
            # Excel add); none of it touches cell values, and a warning must not refuse a file.
            warnings.simplefilter("ignore", UserWarning)
            book = openpyxl.load_workbook(
                io.BytesIO(data), read_only=True, data_only=False, keep_links=False, keep_vba=False
            )
    except ForbiddenXml:
        raise
    except Exception as exc:  # openpyxl raises many kinds for damaged workbooks
        raise Malformed(Text("xlsx_unreadable", reason=str(exc))) from None
    try:
        if not book.worksheets:
            raise Malformed(Text("xlsx_no_sheet"))
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(max_col=max_columns)
        number = 0
        try:
            for number, cells in within_rows(rows, max_rows, "sheet_too_many_rows"):
                yield number, [_value(cell) for cell in cells]
        except (ForbiddenXml, TooManyRows):
            raise
        except Exception as exc:  # a damaged row: openpyxl raises many kinds
            raise Malformed(Text("xlsx_row_unreadable", row=number + 1, reason=str(exc))) from None
    finally:
        book.close()


def _value(cell) -> object:
    if getattr(cell, "data_type", None) == "f":
        return Formula(str(cell.value))
    return cell.value
