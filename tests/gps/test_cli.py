"""The ``analyse`` click command (registered by the app as ``hwm gps analyse``)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from gps.cli import analyse_command
from tests.gps import synth
from tests.gps.conftest import DATA, gpx, trkpt


def _run(*args):
    return CliRunner().invoke(analyse_command, [str(a) for a in args])


def test_readable_summary_and_json(tmp_path):
    trip = synth.drive(seed=4, stops=[(8.0, 600)])
    track = tmp_path / "trip.gpx"
    track.write_bytes(trip.to_gpx())
    route = tmp_path / "route.geojson"
    route.write_bytes(synth.route_geojson())
    result = _run(
        track,
        "--route",
        route,
        "--origin",
        "22.58,113.08",
        "--destination",
        "22.73,113.18",
        "--pickup",
        synth.iso(trip.t[0] - 60).isoformat(),
        "--delivery",
        synth.iso(trip.t[-1]).isoformat(),
    )
    assert result.exit_code == 0, result.output
    assert "unscheduled_stop" in result.output and "100.0% of fixes inside" in result.output
    result = _run(track, "--route", route, "--json", "--corridor-m", "800")
    assert result.exit_code == 0
    document = json.loads(result.output)
    assert document["summary"]["route"]["corridor_m"] == 800
    assert document["episodes"][0]["kind"] == "unscheduled_stop"


def test_gpx_route_and_real_file():
    result = _run(
        DATA / "kmart-to-middletown-rd.gpx", "--route", DATA / "kmart-to-middletown-rd.gpx"
    )
    assert result.exit_code == 0, result.output
    assert "no episodes" in result.output


def test_bad_files_give_clear_errors_without_traceback(tmp_path):
    bad = tmp_path / "bad.gpx"
    bad.write_bytes(gpx(trkpt(91, 113)))
    result = _run(bad)
    assert result.exit_code == 1
    assert "bad_coordinate" in result.output and "Traceback" not in result.output
    hostile = tmp_path / "hostile.gpx"
    hostile.write_bytes(b'<!DOCTYPE gpx [<!ENTITY a "b">]><gpx/>')
    assert "forbidden_xml" in _run(hostile).output
    big = tmp_path / "big.gpx"
    big.write_bytes(b" " * (2 * 2**20))
    assert "too_large" in _run(big, "--max-mb", "1").output
    route = tmp_path / "route.geojson"
    route.write_text('{"type": "Point", "coordinates": [1, 2]}')
    result = _run(DATA / "kmart-to-middletown-rd.gpx", "--route", route)
    assert result.exit_code == 1 and "unsupported_format" in result.output
    assert _run(tmp_path / "missing.gpx").exit_code == 2
    assert _run(bad, "--origin", "north").exit_code == 2
    assert _run(bad, "--pickup", "2024-05-06T09:30").exit_code == 2


def test_fleet_exports_are_analysed_and_their_bad_rows_listed(tmp_path):
    export = DATA.parent / "fleet" / "kmart-platform-gbk.csv"
    result = _run(export, "--plate", "粤J12345")
    assert result.exit_code == 0, result.output
    assert "fixes        343" in result.output and "3 rows marked not positioned" in result.output
    other = _run(export, "--plate", "粤A00001")
    assert (
        other.exit_code == 1 and "粤J12345 (line 4), not 粤A00001 [wrong_vehicle]" in other.output
    )
    bad = tmp_path / "bad.csv"
    bad.write_text("定位时间,纬度,经度\n2024-05-06 09:30:00,22.5,113\n2024-05-06 09:31,95,113\n")
    result = _run(bad)
    assert result.exit_code == 1 and "[bad_rows]" in result.output
    assert "line 3, 纬度: '95' is outside [-90, 90]" in result.output
