"""Hostile XLSX exports: zip bombs, huge sheets, formulas, DTDs — refused within bounds."""

from __future__ import annotations

import io
import resource
import struct
import time
import zipfile
from datetime import datetime

import openpyxl
import pytest

from gps import parse_fleet_export
from gps.errors import BadRows, ForbiddenXml, Malformed, TooLarge, TooManyRows
from gps.xlsx import MAX_UNPACKED_BYTES, xlsx_rows

SHEET = "xl/worksheets/sheet1.xml"


def _workbook(rows=None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["定位时间", "纬度", "经度", "定位状态"])
    for row in rows or [[datetime(2024, 5, 6, 9, 30), 22.58, 113.08, "定位"]]:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rezip(data: bytes, replace: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        names = [member.filename for member in source.infolist()]
        for name in names + [name for name in replace if name not in names]:
            body = replace[name] if name in replace else source.read(name)
            target.writestr(name, body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _declare_size(data: bytes, name: str, size: int) -> bytes:
    """The archive with its central directory claiming ``name`` unpacks to ``size`` bytes."""
    data = bytearray(data)
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + name_length] == name.encode():
            struct.pack_into("<I", data, at + 24, size)
        at = data.find(b"PK\x01\x02", at + 4)
    return bytes(data)


def _sheet_xml(rows: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns='
        '"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>时间</t></is></c><c r="B1" t="inlineStr">'
        '<is><t>lat</t></is></c><c r="C1" t="inlineStr"><is><t>lon</t></is></c></row>'
        f"{rows}</sheetData></worksheet>"
    ).encode()


def test_a_valid_workbook_is_read():
    track = parse_fleet_export(_workbook())
    assert track.lat.tolist() == [22.58]


def test_a_workbook_with_a_bare_stylesheet_is_read_though_openpyxl_warns():
    bare = b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'
    book = _workbook([["2024-05-06 09:30:00", 22.58, 113.08, "定位"]])
    data = _rezip(book, {"xl/styles.xml": bare})
    assert parse_fleet_export(data).lat.tolist() == [22.58]


def test_a_zip_bomb_is_refused_before_it_is_inflated():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open(SHEET, "w") as member:
            for _ in range(20):
                member.write(b"\0" * (1 << 20))
    bomb = out.getvalue()
    assert len(bomb) < 100_000  # some KiB that unpack to 20 MiB
    started = time.perf_counter()
    with pytest.raises(TooLarge, match="unpacks to 20,971,520 bytes"):
        next(xlsx_rows(bomb, max_rows=10, max_unpacked=16 << 20))
    assert time.perf_counter() - started < 0.2


def test_a_workbook_declaring_more_than_the_limit_is_refused():
    data = _declare_size(_workbook(), SHEET, MAX_UNPACKED_BYTES + 1)
    with pytest.raises(TooLarge, match="more than the limit of 268,435,456"):
        parse_fleet_export(data)


def test_a_member_that_inflates_past_its_declared_size_is_cut_and_fails_its_check():
    huge_row = '<row r="2"><c r="A2"><v>1</v></c></row>' * 200_000
    data = _declare_size(_rezip(_workbook(), {SHEET: _sheet_xml(huge_row)}), SHEET, 1000)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(Malformed, match="damaged"):
        parse_fleet_export(data)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak < 50_000  # KiB


def test_a_sheet_longer_than_the_limit_is_refused_while_streaming():
    rows = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>2024-05-06 09:30:00</t></is></c>'
        f'<c r="B{n}"><v>22.5</v></c><c r="C{n}"><v>113.1</v></c></row>'
        for n in range(2, 30)
    )
    with pytest.raises(TooManyRows):
        parse_fleet_export(_rezip(_workbook(), {SHEET: _sheet_xml(rows)}), max_rows=20)


def test_a_row_at_the_bottom_of_the_sheet_does_not_make_a_million_rows_read():
    row = '<row r="1048576"><c r="B1048576"><v>22.5</v></c></row>'
    started = time.perf_counter()
    with pytest.raises(TooManyRows):
        parse_fleet_export(_rezip(_workbook(), {SHEET: _sheet_xml(row)}), max_rows=1000)
    assert time.perf_counter() - started < 2


def test_formulas_are_reported_as_bad_rows_never_evaluated_or_taken_from_the_cache():
    rows = (
        '<row r="2"><c r="A2" t="inlineStr"><is><t>2024-05-06 09:30:00</t></is></c>'
        '<c r="B2"><f>22.5+0.01</f><v>22.51</v></c><c r="C2"><v>113.1</v></c></row>'
        '<row r="3"><c r="A3"><f>NOW()</f><v>45000</v></c>'
        '<c r="B3"><v>22.5</v></c><c r="C3"><f>WEBSERVICE("http://example.invalid/")</f></c></row>'
    )
    with pytest.raises(BadRows) as caught:
        parse_fleet_export(_rezip(_workbook(), {SHEET: _sheet_xml(rows)}))
    report = [(r["line"], r["column"], r["problem"]) for r in caught.value.detail["rows"]]
    assert report == [
        (2, "lat", "a formula (=22.5+0.01), not a recorded value"),
        (3, "时间", "a formula (=NOW()), not a recorded time"),
        (3, "lon", 'a formula (=WEBSERVICE("http://example.invalid/")), not a recorded value'),
    ]


@pytest.mark.parametrize("member", [SHEET, "xl/sharedStrings.xml", "xl/workbook.xml"])
def test_dtds_and_entities_in_any_part_are_refused(member):
    evil = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        b"<x>&b;</x>"
    )
    with pytest.raises(ForbiddenXml):
        parse_fleet_export(_rezip(_workbook(), {member: evil}))


@pytest.mark.parametrize(
    "data",
    [
        b"PK\x03\x04 not really a zip",
        _rezip(_workbook(), {"[Content_Types].xml": b"<broken"}),
    ],
)
def test_damaged_workbooks_are_malformed(data):
    with pytest.raises(Malformed):
        parse_fleet_export(data)
