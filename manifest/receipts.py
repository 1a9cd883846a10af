"""Weighbridge records: parsing an upload (CSV or JSON); matching is manifest.receipt_matching.

A record is kept or refused row by row: :func:`parse_receipts` returns the valid records and a
:class:`RowError` for each problem, so one mistyped row does not block a day's log. Only an
unreadable file, missing columns or too many rows fail the whole upload (ValidationFailed).

Conventions, as weighbridge software writes them:

* CSV has a header row; columns are matched by name (see :data:`COLUMN_ALIASES`, including the
  Chinese headers 磅单号, 车牌号, 进场时间, 毛重, 皮重, 净重, 联单编号). Weights are in kg unless
  the header says tonnes, e.g. ``毛重(吨)`` or ``gross_t``. Bytes are read as UTF-8 (with or
  without BOM), falling back to GB18030, the encoding of Chinese spreadsheet exports.
* JSON is a list of objects, or ``{"records": [...]}``, with the same field names.
* Row numbers are what a spreadsheet shows: the CSV header is row 1, the first record row 2.
  In JSON, row N is the N-th object (from 1).
* Times are ISO 8601 (``YYYY/MM/DD HH:MM[:SS]`` is accepted too). A time without an offset is
  local time in Asia/Shanghai, because weighbridge terminals record wall-clock time. Parsed
  times are returned in UTC.
* Plates must look Chinese: province character, letter, then 5 or 6 letters or digits (or 4
  followed by 挂, 港 or 澳). Separators (spaces, dots, ·, -) are dropped and letters
  upper-cased: ``粤j·12345`` → ``粤J12345``. Plain ASCII plates are refused: every vehicle in
  scope carries a Chinese plate, and a loose rule would let typing errors pass unmatched.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import Decimal
from typing import IO, Literal

from .errors import ValidationFailed
from .local_time import CHINA
from .plates import PLATE_RE, normalize_plate
from .quantities import parse_decimal
from .tabular import (
    UndecodableText,
    csv_delimiter,
    decode_text,
    header_key,
    parse_local_time,
    stream_encoding,
)
from .texts import Text

MAX_ROWS = 100_000
NET_TOLERANCE_KG = Decimal("1")
MAX_TICKET_LENGTH = 64

MANIFEST_NUMBER_RE = re.compile(r"^\d{14}$", re.ASCII)

FIELDS = ("ticket", "plate", "arrived_at", "gross_kg", "tare_kg", "net_kg", "manifest_number")
WEIGHTS = ("gross_kg", "tare_kg", "net_kg")

#: Accepted column names per field, compared after :func:`_header_key` (NFKC, lower case, no
#: spaces or underscores). A unit in brackets, ``(kg)`` or ``(吨)``, is read separately.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "ticket": ("ticket", "ticket_no", "ticket_number", "磅单号", "磅单编号", "过磅单号", "单号"),
    "plate": ("plate", "plate_no", "vehicle_plate", "车牌号", "车牌", "车号", "车牌号码"),
    "arrived_at": ("arrived_at", "arrival_time", "weighed_at", "进场时间", "过磅时间", "到厂时间"),
    "gross_kg": ("gross_kg", "gross", "毛重"),
    "tare_kg": ("tare_kg", "tare", "皮重"),
    "net_kg": ("net_kg", "net", "净重"),
    "manifest_number": ("manifest_number", "manifest_no", "manifest", "联单编号", "联单号"),
}
_TONNE_HEADERS = {"gross_t": "gross_kg", "tare_t": "tare_kg", "net_t": "net_kg"}
_TONNE_UNITS = {"t", "吨"}
_KG_UNITS = {"kg", "公斤", "千克"}


_ALIASES = {header_key(a): f for f, names in COLUMN_ALIASES.items() for a in names}
_ALIASES.update({header_key(a): f for a, f in _TONNE_HEADERS.items()})
_TONNE_KEYS = {header_key(a) for a in _TONNE_HEADERS}


@dataclass(frozen=True)
class WeighRecord:
    """One valid weighbridge record. ``arrived_at`` is aware, in UTC; ``net_kg`` is always set."""

    row: int
    ticket: str
    plate: str
    arrived_at: datetime
    net_kg: Decimal
    gross_kg: Decimal | None = None
    tare_kg: Decimal | None = None
    manifest_number: str | None = None


@dataclass(frozen=True)
class RowError:
    """A problem with one field (or the whole row, ``field == ""``) of one row."""

    row: int
    field: str
    message: str


Parsed = WeighRecord | RowError


@dataclass(frozen=True)
class _Column:
    field: str
    factor: Decimal  # multiplier to kg for weights


def _column(header: str) -> _Column | None:
    key = header_key(header.lstrip("\ufeff"))
    factor = Decimal(1)
    unit = re.fullmatch(r"(.+?)\((.+)\)", key)
    if unit:
        key, unit_name = unit.group(1), unit.group(2)
        if unit_name in _TONNE_UNITS:
            factor = Decimal(1000)
        elif unit_name not in _KG_UNITS:
            return None
    if key in _TONNE_KEYS:
        factor = Decimal(1000)
    field = _ALIASES.get(key)
    return None if field is None else _Column(field, factor)


def _columns(header: list[str]) -> dict[int, _Column]:
    """Map column positions to fields; raises ValidationFailed on missing or repeated fields."""
    mapped: dict[int, _Column] = {}
    seen: dict[str, str] = {}
    problems: list[Text] = []
    for index, name in enumerate(header):
        column = _column(name)
        if column is None:
            continue  # extra columns (operator, goods name, ...) are ignored
        if column.field in seen:
            problems.append(
                Text(
                    "columns_same_field", first=seen[column.field], second=name, column=column.field
                )
            )
            continue
        seen[column.field] = name
        mapped[index] = column
    fields = set(seen)
    missing = [f for f in ("ticket", "plate", "arrived_at") if f not in fields]
    if "net_kg" not in fields and not {"gross_kg", "tare_kg"} <= fields:
        missing.append("net_kg (or gross_kg and tare_kg)")
    problems += [Text("column_missing", column=name) for name in missing]
    if problems:
        raise ValidationFailed(Text("weighbridge_columns_unusable"), errors={"columns": problems})
    return mapped


def _plate(value) -> str:
    plate = normalize_plate(str(value or ""))
    if not plate:
        raise ValueError(Text("plate_missing"))
    if not PLATE_RE.match(plate):
        raise ValueError(Text("row_plate_invalid", plate=plate))
    return plate


def _ticket(value) -> str:
    ticket = str(value if value is not None else "").strip()
    if not ticket:
        raise ValueError(Text("ticket_missing"))
    if len(ticket) > MAX_TICKET_LENGTH:
        raise ValueError(Text("ticket_too_long", limit=MAX_TICKET_LENGTH))
    if any(unicodedata.category(c).startswith("C") for c in ticket):
        raise ValueError(Text("ticket_control_characters"))
    return ticket


def parse_arrival(value, local_tz: tzinfo = CHINA) -> datetime:
    """An arrival time as an aware UTC datetime, by :func:`manifest.tabular.parse_local_time`
    (local to ``local_tz`` without an offset). Raises ValueError, including for a bare date."""
    if value is None or not str(value).strip():
        raise ValueError(Text("arrival_missing"))
    return parse_local_time(str(value), local_tz)


_GROUPED = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$", re.ASCII)


def _weight(value, name: str, factor: Decimal) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        value = value.strip()
        if _GROUPED.match(value):
            value = value.replace(",", "")  # thousands separators from spreadsheets
    try:
        if factor != 1:
            value = parse_decimal(value, field=name) * factor
        return parse_decimal(value, field=name)
    except ValidationFailed as exc:
        problems = list(exc.errors.get(name, [exc.message]))
        raise ValueError(Text("weight_problem", column=name, problems=problems)) from None


def _manifest_number(value) -> str | None:
    text = str(value if value is not None else "").strip()
    if not text:
        return None
    if not MANIFEST_NUMBER_RE.match(text):
        raise ValueError(Text("manifest_number_invalid", text=text))
    return text


def _said(exc: ValueError) -> str:
    """What a field's check said: its :class:`Text` when it gave one, else its text."""
    said = exc.args[0] if exc.args else ""
    return said if isinstance(said, Text) else str(exc)


def _record(
    row: int,
    values: dict[str, object],
    factors: dict[str, Decimal],
    *,
    local_tz: tzinfo,
    net_tolerance_kg: Decimal,
) -> WeighRecord | list[RowError]:
    errors: list[RowError] = []
    parsed: dict[str, object] = {}
    checks = {
        "ticket": _ticket,
        "plate": _plate,
        "arrived_at": lambda v: parse_arrival(v, local_tz),
        "manifest_number": _manifest_number,
    }
    for name, check in checks.items():
        try:
            parsed[name] = check(values.get(name))
        except ValueError as exc:
            errors.append(RowError(row, name, _said(exc)))
    for name in WEIGHTS:
        try:
            parsed[name] = _weight(values.get(name), name, factors.get(name, Decimal(1)))
        except ValueError as exc:
            errors.append(RowError(row, name, _said(exc)))
    if errors:
        return errors
    gross, tare, net = (parsed[name] for name in WEIGHTS)
    if gross is not None and tare is not None:
        if tare > gross:
            return [RowError(row, "tare_kg", Text("tare_above_gross", tare=tare, gross=gross))]
        if net is None:
            net = gross - tare
        elif abs(gross - tare - net) > net_tolerance_kg:
            message = Text("net_mismatch", net=net, gross=gross, tare=tare, difference=gross - tare)
            return [RowError(row, "net_kg", message)]
    if net is None:
        return [RowError(row, "net_kg", Text("net_missing"))]
    return WeighRecord(
        row=row,
        ticket=parsed["ticket"],
        plate=parsed["plate"],
        arrived_at=parsed["arrived_at"],
        net_kg=net,
        gross_kg=gross,
        tare_kg=tare,
        manifest_number=parsed["manifest_number"],
    )


def _unreadable(exc: UndecodableText) -> ValidationFailed:
    return ValidationFailed(
        Text("weighbridge_unreadable", reason=exc.message),
        errors={"file": [Text("unreadable_encoding")]},
    )


def _decode(data: bytes) -> str:
    try:
        return decode_text(data)
    except UndecodableText as exc:
        raise _unreadable(exc) from None


def file_encoding(handle: IO[bytes]) -> str:
    """The encoding of a weighbridge file too large to hold in memory, by the rule an upload
    is read by (:func:`manifest.tabular.stream_encoding`); the handle is left where it was.

    Raises ValidationFailed, as for an upload, when the file is neither UTF-8 nor GB18030.
    """
    try:
        return stream_encoding(handle)
    except UndecodableText as exc:
        raise _unreadable(exc) from None


def detect_format(content_type: str | None, head: str) -> Literal["csv", "json"]:
    """``json`` or ``csv`` from a content type (or ``csv``/``json``), else from the first
    non-blank character of the text."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind in ("json", "application/json") or kind.endswith("+json"):
        return "json"
    if kind in ("csv", "text/csv", "application/csv"):
        return "csv"
    return "json" if head.lstrip("\ufeff \t\r\n")[:1] in ("[", "{") else "csv"


def _json_rows(text: str) -> list:
    try:
        document = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise ValidationFailed(
            Text("weighbridge_bad_json", reason=exc.msg, line=exc.lineno),
            errors={"file": [Text("invalid_json")]},
        ) from None
    except (ValueError, RecursionError):  # an integer too long to convert, or nesting too deep
        raise ValidationFailed(
            Text("weighbridge_json_unreadable"),
            errors={"file": [Text("invalid_json")]},
        ) from None
    if isinstance(document, dict) and isinstance(document.get("records"), list):
        return document["records"]
    if isinstance(document, list):
        return document
    raise ValidationFailed(
        Text("weighbridge_json_shape"),
        errors={"file": [Text("not_a_list_of_records")]},
    )


def _json_items(text: str, max_rows: int | None) -> Iterator[tuple[int, object, dict]]:
    rows = _json_rows(text)
    if max_rows is not None and len(rows) > max_rows:
        raise _too_many(max_rows)
    for index, item in enumerate(rows, start=1):
        if not isinstance(item, dict):
            yield index, None, {}
            continue
        values: dict[str, object] = {}
        factors: dict[str, Decimal] = {}
        for key, value in item.items():
            column = _column(str(key))
            if column is not None and column.field not in values:
                values[column.field] = value
                factors[column.field] = column.factor
        yield index, values, factors


def _csv_items(lines: Iterable[str], max_rows: int | None) -> Iterator[tuple[int, object, dict]]:
    lines = iter(lines)
    first = next(lines, None)
    if first is None:
        return
    first = first.lstrip("\ufeff")
    reader = csv.reader(_chain(first, lines), delimiter=csv_delimiter(first))
    header = next(reader, None)
    if not header or not any(cell.strip() for cell in header):
        return
    columns = _columns(header)
    factors = {c.field: c.factor for c in columns.values()}
    count = 0
    for row, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines, e.g. at the end of an export
        count += 1
        if max_rows is not None and count > max_rows:
            raise _too_many(max_rows)
        yield row, {c.field: cells[i] for i, c in columns.items() if i < len(cells)}, factors


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


def _too_many(max_rows: int) -> ValidationFailed:
    return ValidationFailed(
        Text("weighbridge_too_many", limit=max_rows),
        errors={"records": [Text("more_records_than", limit=max_rows)]},
    )


def iter_receipts(
    source: str | bytes | Iterable[str],
    *,
    fmt: str | None = None,
    max_rows: int | None = MAX_ROWS,
    local_tz: tzinfo = CHINA,
    net_tolerance_kg: Decimal = NET_TOLERANCE_KG,
) -> Iterator[Parsed]:
    """Yield, row by row, a :class:`WeighRecord` or the :class:`RowError` s of each row.

    ``source`` is the whole upload (str or bytes) or an iterable of CSV lines, such as a text
    file, which is read lazily: a year of records can drive a progress bar. JSON is parsed as
    one document before the first row is yielded. ``fmt`` is ``csv``, ``json`` or a content
    type; without it the format is guessed from the first character. A repeated ticket in the
    same upload is an error on the later row; the first one is kept.

    Raises ValidationFailed for undecodable bytes, invalid JSON, unusable CSV columns, or more
    than ``max_rows`` records (``None``: no limit) — in a stream, when that row is reached.
    """
    if isinstance(source, bytes):
        source = _decode(source)
    if isinstance(source, str):
        kind = detect_format(fmt, source[:64])
        items = (
            _json_items(source, max_rows)
            if kind == "json"
            else _csv_items(io.StringIO(source, newline=""), max_rows)
        )
    elif detect_format(fmt, "") == "json":
        items = _json_items("".join(source), max_rows)
    else:
        items = _csv_items(source, max_rows)

    first_row_of: dict[str, int] = {}
    for row, values, factors in items:
        if values is None:
            yield RowError(row, "", Text("record_not_an_object"))
            continue
        outcome = _record(
            row, values, factors, local_tz=local_tz, net_tolerance_kg=Decimal(net_tolerance_kg)
        )
        if isinstance(outcome, list):
            yield from outcome
            continue
        if outcome.ticket in first_row_of:
            first = first_row_of[outcome.ticket]
            message = Text("ticket_repeated", ticket=outcome.ticket, row=first)
            yield RowError(row, "ticket", message)
            continue
        first_row_of[outcome.ticket] = row
        yield outcome


def parse_receipts(
    source: str | bytes | Iterable[str], **options
) -> tuple[list[WeighRecord], list[RowError]]:
    """All valid records and all row errors of an upload, read with the keyword ``options``
    of :func:`iter_receipts`; see there for the rules and the ValidationFailed cases
    (nothing is returned when the whole file fails)."""
    records: list[WeighRecord] = []
    errors: list[RowError] = []
    for item in iter_receipts(source, **options):
        (records if isinstance(item, WeighRecord) else errors).append(item)
    return records, errors
