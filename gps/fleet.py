"""Track exports of Chinese fleet monitoring platforms (CSV or XLSX) read into a Track.

What a file is comes from its content, never from its name or declared type alone
(:func:`sniff_format`): a ZIP is an XLSX workbook, text starting with ``<`` is GPX, other
text is CSV. Within a table:

* The header row is the first of the first :data:`HEADER_SEARCH_ROWS` rows that names a
  time, a latitude and a longitude (:mod:`gps.fleet_columns`); rows above it (a title, the
  plate and period a platform prints) are skipped. Row and line numbers are those a text
  editor or spreadsheet shows.
* CSV is UTF-8 (with or without BOM) or GB18030/GBK, by :mod:`manifest.tabular`'s rule; the
  delimiter is comma, tab or semicolon.
* Times without a UTC offset are Beijing time; positions are decimal degrees in the
  coordinate system the caller declares (converted afterwards, as for GPX).
* A row the terminal marked not positioned (定位状态 未定位 / 0 / V / invalid) is kept in
  the file but not used, and counted in the track's problems (``unpositioned_rows``); its
  other cells are not checked. Blank rows are skipped.
* Any other row that cannot be read refuses the whole file (:class:`BadRows`, every
  problem with line, column and reason, the first :data:`MAX_REPORTED_ROWS` listed): a
  track is evidence, and analysing what is left after silently dropping rows could hide
  exactly the stretch that matters. The sender corrects the export and sends it again.
* A plate column naming another vehicle than ``expected_plate`` refuses the file
  (:class:`WrongVehicle`); blank plate cells are no claim.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Literal

import numpy as np

from gps.errors import (
    BadRows,
    EmptyTrack,
    Malformed,
    NotATrackTable,
    UnsupportedFormat,
    WrongVehicle,
)
from gps.fleet_columns import REQUIRED, is_positioned, map_header
from gps.guard import DEFAULT_MAX_BYTES, Source, read_all, within_rows
from gps.parse import parse_gpx
from gps.track import Problem, Track, build_track
from gps.xlsx import Formula, xlsx_rows
from manifest.plates import normalize_plate
from manifest.tabular import UndecodableText, csv_delimiter, decode_text, parse_local_time
from manifest.texts import Text

Format = Literal["gpx", "csv", "xlsx"]

MAX_ROWS = 250_000
MAX_REPORTED_ROWS = 100
HEADER_SEARCH_ROWS = 20
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)
_DECIMAL = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$", re.ASCII)
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls


def sniff_format(data: bytes) -> Format:
    """``xlsx``, ``gpx`` or ``csv`` from the first bytes of a file.

    Raises :class:`UnsupportedFormat` for an old binary Excel file (.xls).
    """
    if data.startswith(_ZIP):
        return "xlsx"
    if data.startswith(_OLE):
        raise UnsupportedFormat(Text("export_is_xls"))
    head = data[:64].removeprefix(b"\xef\xbb\xbf").lstrip()
    return "gpx" if head.startswith(b"<") else "csv"


def parse_fleet_export(
    source: Source,
    *,
    expected_plate: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_rows: int = MAX_ROWS,
    elevation: bool = True,
) -> Track:
    """Read a fleet-platform CSV or XLSX export into a :class:`Track` (rules above).

    With ``elevation=False`` the altitude column is neither read nor checked. Raises (all
    :class:`gps.errors.GpxError`): ``TooLarge``, ``Malformed`` (undecodable text, a damaged
    workbook), ``ForbiddenXml`` (a workbook with DTDs), ``UnsupportedFormat`` (GPX or .xls),
    ``NotATrackTable`` (no header row), ``TooManyRows``, ``WrongVehicle``, ``BadRows``,
    ``EmptyTrack`` (no positioned row).
    """
    data = read_all(source, max_bytes)
    kind = sniff_format(data)
    if kind == "gpx":
        raise UnsupportedFormat(Text("export_is_gpx"))
    rows = xlsx_rows(data, max_rows=max_rows) if kind == "xlsx" else csv_rows(data, max_rows)
    return _read_table(rows, expected_plate=expected_plate, elevation=elevation)


def read_track(
    source: Source,
    *,
    expected_plate: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    elevation: bool = True,
) -> Track:
    """A track from a GPX file or a fleet-platform export, told apart by content
    (:func:`sniff_format`). ``expected_plate`` applies to exports with a plate column.

    Raises what :func:`gps.parse.parse_gpx` or :func:`parse_fleet_export` raise.
    """
    data = read_all(source, max_bytes)
    if sniff_format(data) == "gpx":
        return parse_gpx(data, max_bytes=max_bytes, elevation=elevation)
    return parse_fleet_export(
        data, expected_plate=expected_plate, max_bytes=max_bytes, elevation=elevation
    )


def csv_rows(data: bytes, max_rows: int = MAX_ROWS) -> Iterator[tuple[int, list[object]]]:
    """Yield (line number, cells) of a CSV file; the delimiter is that of the header line.

    Raises Malformed (undecodable text or a line the csv module cannot read) and
    TooManyRows (past ``max_rows`` records).
    """
    try:
        text = decode_text(data)
    except UndecodableText as exc:
        raise Malformed(exc.message, line=exc.line) from None
    lines = text.splitlines()
    delimiter = ","
    for line in lines[:HEADER_SEARCH_ROWS]:
        cells = next(csv.reader([line], delimiter=csv_delimiter(line)), [])
        if map_header(cells) is not None:
            delimiter = csv_delimiter(line)
            break
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        for _, cells in within_rows(reader, max_rows, "csv_too_many_rows"):
            yield reader.line_num, list(cells)
    except csv.Error as exc:
        raise Malformed(
            Text("csv_line_unreadable", line=reader.line_num, reason=str(exc)),
            line=reader.line_num,
        ) from None


class _Rows:
    """Collects the positioned fixes and the problems of a table, row by row."""

    def __init__(self, header: list[object], columns: dict[str, int], expected_plate, elevation):
        self.header = header
        self.columns = columns
        self.expected = normalize_plate(expected_plate) if expected_plate else None
        self.elevation = elevation
        self.lat: list[float] = []
        self.lon: list[float] = []
        self.time_ms: list[int] = []
        self.ele: list[float] = []
        self.errors: list[dict[str, object]] = []
        self.error_count = 0
        self.other_plates: dict[str, int] = {}  # plate -> first line
        self.unpositioned = 0
        self.first_unpositioned: int | None = None
        self.last_plate: object = None
        self.statuses: dict[object, bool | None] = {}  # a column holds a handful of values

    def _positioned(self, status: object) -> bool | None:
        if isinstance(status, Formula):
            return None
        if status not in self.statuses:
            self.statuses[status] = is_positioned(status)
        return self.statuses[status]

    def cell(self, cells: list[object], field: str) -> object:
        index = self.columns.get(field)
        if index is None or index >= len(cells):
            return None
        value = cells[index]
        return value.strip() if isinstance(value, str) else value

    def fail(self, line: int, field: str, problem: Text) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ROWS:
            name = self.header[self.columns[field]] if field in self.columns else ""
            self.errors.append({"line": line, "column": str(name or field), "problem": problem})

    def add(self, line: int, cells: list[object]) -> None:
        plate = self.cell(cells, "plate")
        if plate not in (None, "", self.last_plate) and self.expected is not None:
            found = normalize_plate(str(plate))
            if found != self.expected:
                self.other_plates.setdefault(found, line)
            else:
                self.last_plate = plate  # exports repeat the plate on every row
        if "status" in self.columns:
            status = self.cell(cells, "status")
            positioned = self._positioned(status)
            if positioned is None:
                self.fail(line, "status", Text("row_status_invalid", value=_shown(status)))
                return
            if not positioned:
                self.unpositioned += 1
                self.first_unpositioned = self.first_unpositioned or line
                return
        before = self.error_count
        moment = self._time(line, self.cell(cells, "time"))
        lat = self._number(line, cells, "lat", -90.0, 90.0)
        lon = self._number(line, cells, "lon", -180.0, 180.0)
        ele = self._number(line, cells, "altitude", -1000.0, 10000.0, optional=True)
        self._number(line, cells, "speed", 0.0, 1000.0, optional=True)
        self._number(line, cells, "heading", 0.0, 360.0, optional=True)
        if lat == 0.0 and lon == 0.0:
            self.fail(line, "lat", Text("row_zero_position"))
        if self.error_count == before:
            self.time_ms.append(moment)
            self.lat.append(lat)
            self.lon.append(lon)
            self.ele.append(ele if self.elevation and ele is not None else math.nan)

    def _time(self, line: int, value: object) -> int:
        if isinstance(value, Formula):
            self.fail(line, "time", Text("row_time_formula", formula=value.text))
            return 0
        if isinstance(value, int | float) and not isinstance(value, bool):
            self.fail(line, "time", Text("row_time_number", value=repr(value)))
            return 0
        try:
            if isinstance(value, datetime):
                # A spreadsheet stores times as fractions of days: round to the millisecond.
                return round((parse_local_time(value) - _EPOCH) / _MS)
            return (parse_local_time(value) - _EPOCH) // _MS  # truncated, as GPX times are
        except (ValueError, OverflowError) as exc:
            reason = exc.args[0] if exc.args and isinstance(exc.args[0], Text) else str(exc)
            self.fail(line, "time", reason)
            return 0

    def _number(self, line, cells, field, low, high, *, optional=False) -> float | None:
        if optional and field not in self.columns:
            return None
        if field == "altitude" and not self.elevation:
            return None
        value = self.cell(cells, field)
        if value in (None, ""):
            if not optional:
                self.fail(line, field, Text("row_value_missing"))
            return None
        if isinstance(value, Formula):
            self.fail(line, field, Text("row_value_formula", formula=value.text))
            return None
        try:
            if isinstance(value, bool):
                raise ValueError
            if isinstance(value, int | float):
                number = float(value)
            elif _DECIMAL.match(text := _ascii(str(value))):
                number = float(text)
            else:
                raise ValueError
        except (ValueError, TypeError):
            self.fail(line, field, Text("row_not_a_number", value=_shown(value)))
            return None
        if not low <= number <= high:
            self.fail(
                line,
                field,
                Text("row_out_of_range", value=_shown(value), low=f"{low:g}", high=f"{high:g}"),
            )
            return None
        return number

    def track(self) -> Track:
        if self.other_plates:
            found = [
                Text("plate_on_line", plate=p, line=n)
                for p, n in list(self.other_plates.items())[:10]
            ]
            raise WrongVehicle(
                Text("export_other_vehicle", found=found, expected=self.expected),
                expected=self.expected,
                found=sorted(self.other_plates),
            )
        if self.error_count:
            shown = _one_then_another([Text("row_problem", **error) for error in self.errors[:3]])
            key = "export_bad_rows_more" if self.error_count > 3 else "export_bad_rows"
            raise BadRows(
                Text(key, count=self.error_count, rows=shown),
                rows=self.errors,
                count=self.error_count,
            )
        if not self.lat:
            raise EmptyTrack(Text("export_no_positioned_row"))
        track = build_track(
            np.array(self.lat),
            np.array(self.lon),
            np.array(self.time_ms, dtype=np.int64),
            np.array(self.ele),
        )
        if not self.unpositioned:
            return track
        note = Problem(
            "unpositioned_rows",
            f"{self.unpositioned} rows marked not positioned (the first at line "
            f"{self.first_unpositioned}) are kept in the file but not used",
            self.unpositioned,
        )
        return dataclasses.replace(track, problems=(note, *track.problems))


def _read_table(rows: Iterable[tuple[int, list[object]]], *, expected_plate, elevation) -> Track:
    rows = iter(rows)
    header = _find_header(rows)
    if header is None:
        raise NotATrackTable(
            Text("export_no_header", columns=list(REQUIRED), rows=HEADER_SEARCH_ROWS)
        )
    table = _Rows(header[0], header[1], expected_plate, elevation)
    for line, cells in rows:
        if any(cell is not None and str(cell).strip() for cell in cells):
            table.add(line, cells)
    return table.track()


def _find_header(rows: Iterator[tuple[int, list[object]]]):
    """(header cells, field columns) of the first header row, or None; consumes the rows up
    to and including it."""
    for line, cells in rows:
        columns = map_header(cells)
        if columns is not None:
            return cells, columns
        if line >= HEADER_SEARCH_ROWS:
            return None
    return None


def _ascii(text: str) -> str:
    """Full-width digits and signs, as Chinese input methods type them, read as ASCII."""
    return text if text.isascii() else text.translate(_FULL_WIDTH)


_FULL_WIDTH = {0xFF10 + i: 0x30 + i for i in range(10)} | {0xFF0E: 0x2E, 0xFF0D: 0x2D, 0xFF0B: 0x2B}


def _one_then_another(texts: list[Text]) -> Text:
    """``texts`` said one after another, separated by semicolons."""
    first, *rest = texts
    return Text("one_then_another", first=first, rest=_one_then_another(rest)) if rest else first


def _shown(value: object) -> str:
    if isinstance(value, Formula):
        return Text("formula_shown", formula=value.text)
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "…"
