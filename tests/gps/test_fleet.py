"""Fleet-platform exports (CSV, XLSX) read into the same track as the GPX of the same drive."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from gps import analyse, parse_fleet_export, parse_gpx, read_track
from gps.errors import (
    BadRows,
    EmptyTrack,
    Malformed,
    NotATrackTable,
    TooManyRows,
    UnsupportedFormat,
    WrongVehicle,
)
from gps.fleet_columns import field_of
from gps.track import Site

DATA = Path(__file__).parents[1] / "data"
DRIVE = DATA / "gpx" / "kmart-to-middletown-rd.gpx"
EXPORTS = [
    "kmart-platform-gbk.csv",
    "kmart-platform-utf8-bom.csv",
    "kmart-english.csv",
    "kmart-platform.xlsx",
]
PLATE = "粤J12345"


def _ms(*args, tz=UTC) -> int:
    return int(datetime(*args, tzinfo=tz).timestamp() * 1000)


def _csv(text: str, **kwargs):
    return parse_fleet_export(text.encode("utf-8"), **kwargs)


@pytest.mark.parametrize("name", EXPORTS)
def test_an_export_gives_the_track_and_analysis_of_the_gpx_of_the_same_drive(name):
    gpx = parse_gpx(DRIVE)
    track = parse_fleet_export(DATA / "fleet" / name, expected_plate=PLATE)

    assert len(track) == len(gpx) == 343
    for column in ("lat", "lon", "time_ms", "ele"):
        assert np.array_equal(getattr(track, column), getattr(gpx, column)), column
    [note] = track.problems
    assert (note.code, note.count) == ("unpositioned_rows", 3)

    origin = Site(40.2682, -76.6854, 200)
    destination = Site(40.2558, -76.7090, 200)
    interval = (datetime(2015, 4, 6, 23, 27, tzinfo=UTC), datetime(2015, 4, 6, 23, 40, tzinfo=UTC))
    ours = analyse(track, origin=origin, destination=destination, interval=interval).to_dict()
    theirs = analyse(gpx, origin=origin, destination=destination, interval=interval).to_dict()
    assert ours.pop("problems") == [note.to_dict()] and theirs.pop("problems") == []
    ours["summary"].pop("problems"), theirs["summary"].pop("problems")
    assert ours == theirs


def test_the_gbk_export_is_gbk_and_the_bom_export_has_a_bom():
    gbk = (DATA / "fleet" / "kmart-platform-gbk.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        gbk.decode("utf-8")
    assert "定位时间" in gbk.decode("gbk")
    assert (DATA / "fleet" / "kmart-platform-utf8-bom.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_read_track_tells_gpx_csv_and_xlsx_apart_by_content():
    gpx = read_track(DRIVE.read_bytes())
    for name in EXPORTS:
        assert np.array_equal(read_track((DATA / "fleet" / name).read_bytes()).lat, gpx.lat)


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("GPS时间", "time"),
        ("定位时间", "time"),
        ("速度(km/h)", "speed"),
        ("海拔（米）", "altitude"),
        ("Latitude", "lat"),
        (" LNG ", "lon"),
        ("Vehicle_Plate", "plate"),
        ("定位状态", "status"),
        ("地址", None),
    ],
)
def test_header_aliases(header, field):
    assert field_of(header) == field


def test_times_are_beijing_time_unless_an_offset_is_given():
    track = _csv(
        "时间,纬度,经度\n"
        "2024-05-06 09:30:00,22.58,113.08\n"
        "2024/5/6 9:31:00,22.581,113.081\n"
        "2024-05-06T01:32:00Z,22.582,113.082\n"
        "2024-05-06T10:33:00+09:00,22.583,113.083\n"
    )
    assert track.time_ms.tolist() == [_ms(2024, 5, 6, 1, m) for m in (30, 31, 32, 33)]


def test_unpositioned_rows_are_kept_aside_without_being_checked():
    track = _csv(
        "定位时间,纬度,经度,定位状态\n"
        "2024-05-06 09:30:00,22.58,113.08,已定位\n"
        ",,,未定位\n"
        "2024-05-06 09:30:05,abc,0,0\n"
        "2024-05-06 09:30:10,22.581,113.081,A\n"
        "\n"
        "2024-05-06 09:30:15,1,1,V\n"
    )
    assert track.lat.tolist() == [22.58, 22.581]
    assert track.problems[0].code == "unpositioned_rows" and track.problems[0].count == 3
    assert "line 3" in track.problems[0].message


def test_every_bad_row_is_reported_with_line_column_and_problem_and_nothing_is_read():
    text = (
        "车辆历史轨迹\n"
        "序号,定位时间,经度,纬度,速度,方向,海拔,定位状态\n"
        "1,2024-05-06 09:30:00,113.08,22.58,0,0,8,定位\n"
        "2,2024-05-06 25:30:00,113.08,22.58,0,0,8,定位\n"
        "3,2024-05-06 09:30:10,113.08,95.5,0,0,8,定位\n"
        "4,2024-05-06 09:30:15,东经113,22.58,0,0,8,定位\n"
        "5,2024-05-06 09:30:20,113.08,,0,0,8,定位\n"
        "6,2024-05-06 09:30:25,113.08,22.58,-3,400,8,定位\n"
        "7,2024-05-06 09:30:30,113.08,22.58,0,0,8,不知道\n"
        "8,2024-05-06 09:30:35,0,0,0,0,8,定位\n"
        "9,2024-05-06 09:30:40,１１３.０８,22.58,0,0,8,定位\n"
    )
    with pytest.raises(BadRows) as caught:
        _csv(text)
    rows = caught.value.detail["rows"]
    assert [(r["line"], r["column"]) for r in rows] == [
        (4, "定位时间"),
        (5, "纬度"),
        (6, "经度"),
        (7, "纬度"),
        (8, "速度"),
        (8, "方向"),
        (9, "定位状态"),
        (10, "纬度"),
    ]
    assert "not an ISO 8601" in rows[0]["problem"] and "outside [-90, 90]" in rows[1]["problem"]
    assert "is not a number" in rows[2]["problem"] and rows[3]["problem"] == "missing"
    assert caught.value.detail["count"] == 8
    assert "8 problem(s)" in caught.value.message and "nothing was stored" in caught.value.message


def test_the_report_is_bounded_but_counts_every_problem():
    lines = ["time,lat,lon"] + [f"2024-05-06 09:{i // 60:02d}:{i % 60:02d},x,1" for i in range(500)]
    with pytest.raises(BadRows) as caught:
        _csv("\n".join(lines))
    assert len(caught.value.detail["rows"]) == 100 and caught.value.detail["count"] == 500


def test_an_export_of_another_vehicle_is_refused():
    text = (
        "车牌号,定位时间,纬度,经度\n"
        "粤j·12345,2024-05-06 09:30:00,22.58,113.08\n"
        ",2024-05-06 09:30:05,22.58,113.08\n"
        "粤J54321,2024-05-06 09:30:10,22.58,113.08\n"
    )
    assert len(_csv(text.replace("粤J54321", "粤J12345"), expected_plate=PLATE)) == 3
    with pytest.raises(WrongVehicle) as caught:
        _csv(text, expected_plate=PLATE)
    assert "粤J54321 (line 4)" in caught.value.message
    assert caught.value.detail == {"expected": PLATE, "found": ["粤J54321"]}


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"name,value\nfoo,1\n", NotATrackTable),
        (b"", NotATrackTable),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, UnsupportedFormat),
        (b'<?xml version="1.0"?><gpx version="1.1"/>', UnsupportedFormat),
        ("时间,纬度,经度\n".encode() + "粤".encode() + b"\xff\xfe\n", Malformed),
        (b'time,lat,lon\n"2024-05-06 09:30:00,1,1\n', Malformed),
    ],
)
def test_files_that_are_not_a_usable_export(data, error):
    with pytest.raises(error):
        parse_fleet_export(data)


def test_a_status_column_with_only_unpositioned_rows_is_an_empty_track():
    with pytest.raises(EmptyTrack):
        _csv("定位时间,纬度,经度,定位状态\n2024-05-06 09:30:00,0,0,未定位\n")


def test_too_many_rows_are_refused():
    lines = ["time,lat,lon"] + ["2024-05-06 09:30:00,1,1"] * 11
    with pytest.raises(TooManyRows):
        _csv("\n".join(lines), max_rows=10)
