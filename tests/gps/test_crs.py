"""GCJ-02 and BD-09: conversions pinned to published point pairs, and what they do to a trip."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from click.testing import CliRunner

import gps
from gps import crs
from gps.cli import analyse_command
from gps.errors import UnknownCrs
from tests.gps import synth

# Published pairs, longitude first as their sources write them.
# Test data of the wandergis/coordtransform library (test/app.js), all from the input
# (116.404, 39.915); its GCJ-02 -> WGS-84 and BD-09 -> GCJ-02 are one-step
# approximations of the inverse, so they are compared within centimetres.
INPUT = (116.404, 39.915)
WGS84_TO_GCJ02 = (116.41024449916938, 39.91640428150164)
GCJ02_TO_BD09 = (116.41036949371029, 39.92133699351021)
GCJ02_TO_WGS84_APPROX = (116.39775550083061, 39.91359571849836)
BD09_TO_GCJ02_APPROX = (116.39762729119315, 39.90865673957631)
# Beijing railway station in the documentation of the R package geoChina (wgs2gcj,
# gcj2bd): WGS-84 (39.90105, 116.42079), GCJ-02 (39.90245, 116.42703),
# BD-09 (39.90851, 116.43351), lat/lon to 5 decimals.
STATION_WGS84 = (39.90105, 116.42079)
STATION_GCJ02 = (39.90245, 116.42703)
STATION_BD09 = (39.90851, 116.43351)


def _metres(lat1, lon1, lat2, lon2) -> float:
    north = (lat2 - lat1) * 111_320.0
    east = (lon2 - lon1) * 111_320.0 * math.cos(math.radians(lat1))
    return float(np.hypot(north, east))


def test_forward_formulas_match_the_published_pairs_exactly():
    lat, lon = crs.wgs84_to_gcj02(INPUT[1], INPUT[0])
    assert (float(lon), float(lat)) == pytest.approx(WGS84_TO_GCJ02, abs=1e-12)
    lat, lon = crs.gcj02_to_bd09(INPUT[1], INPUT[0])
    assert (float(lon), float(lat)) == pytest.approx(GCJ02_TO_BD09, abs=1e-12)


def test_inverses_agree_with_the_published_approximations_within_centimetres():
    lat, lon = crs.gcj02_to_wgs84(INPUT[1], INPUT[0])
    assert _metres(lat, lon, GCJ02_TO_WGS84_APPROX[1], GCJ02_TO_WGS84_APPROX[0]) < 0.1
    lat, lon = crs.bd09_to_gcj02(INPUT[1], INPUT[0])
    assert _metres(lat, lon, BD09_TO_GCJ02_APPROX[1], BD09_TO_GCJ02_APPROX[0]) < 0.1
    # ... and run the forward pairs backwards to their input.
    lat, lon = crs.gcj02_to_wgs84(WGS84_TO_GCJ02[1], WGS84_TO_GCJ02[0])
    assert _metres(lat, lon, INPUT[1], INPUT[0]) < 0.001
    lat, lon = crs.to_wgs84(GCJ02_TO_BD09[1], GCJ02_TO_BD09[0], "bd09")
    gcj_lat, gcj_lon = crs.wgs84_to_gcj02(lat, lon)
    assert _metres(gcj_lat, gcj_lon, INPUT[1], INPUT[0]) < 0.001


def test_beijing_railway_station_in_all_three_systems():
    lat, lon = crs.wgs84_to_gcj02(*STATION_WGS84)
    assert (float(lat), float(lon)) == pytest.approx(STATION_GCJ02, abs=1e-5)
    lat, lon = crs.gcj02_to_bd09(*STATION_GCJ02)
    assert (float(lat), float(lon)) == pytest.approx(STATION_BD09, abs=1e-5)
    lat, lon = crs.to_wgs84(*STATION_BD09, "bd09")
    assert _metres(lat, lon, *STATION_WGS84) < 2.0  # the pairs are rounded to ~1 m


def test_inversion_residual_is_far_below_a_metre_across_china():
    rng = np.random.default_rng(1)
    lat = rng.uniform(18.0, 53.0, 20_000)
    lon = rng.uniform(74.0, 134.0, 20_000)
    for forward, inverse in (
        (crs.wgs84_to_gcj02, crs.gcj02_to_wgs84),
        (crs.gcj02_to_bd09, crs.bd09_to_gcj02),
    ):
        back_lat, back_lon = inverse(*forward(lat, lon))
        worst = max(
            _metres(a, b, c, d) for a, b, c, d in zip(back_lat, back_lon, lat, lon, strict=True)
        )
        assert worst < 0.01  # measured: under a millimetre


def test_jiangmen_offset_is_the_size_of_the_corridor_and_none_outside_china():
    lat, lon = crs.wgs84_to_gcj02(*synth.ORIGIN)
    assert 500 < _metres(*synth.ORIGIN, lat, lon) < 700
    paris = (np.array([48.8566]), np.array([2.3522]))
    for name in ("gcj02", "wgs84"):
        lat, lon = crs.to_wgs84(*paris, name)
        assert (lat[0], lon[0]) == (paris[0][0], paris[1][0])


def test_unknown_crs_is_refused():
    for bad in ("WGS84", "epsg:4326", "", None):
        with pytest.raises(UnknownCrs):
            crs.check_name(bad)
    with pytest.raises(UnknownCrs):
        gps.parse_route(synth.route_geojson(), crs="gcj")


def _gcj02_route() -> bytes:
    lat, lon = zip(*synth.WAYPOINTS, strict=True)
    glat, glon = crs.wgs84_to_gcj02(np.array(lat), np.array(lon))
    return synth.route_geojson(list(zip(glat.tolist(), glon.tolist(), strict=True)))


def _bd09_route() -> bytes:
    lat, lon = zip(*synth.WAYPOINTS, strict=True)
    blat, blon = crs.gcj02_to_bd09(*crs.wgs84_to_gcj02(np.array(lat), np.array(lon)))
    return synth.route_geojson(list(zip(blat.tolist(), blon.tolist(), strict=True)))


@pytest.fixture(scope="module")
def clean_track():
    return gps.parse_gpx(synth.drive(seed=3).to_gpx())


def test_a_route_drawn_on_a_chinese_map_needs_its_crs_declared(clean_track):
    for route_bytes, name in ((_gcj02_route(), "gcj02"), (_bd09_route(), "bd09")):
        wrong = gps.analyse(clean_track, route=gps.parse_route(route_bytes))
        assert wrong.episodes_of("route_deviation")
        assert wrong.summary["inside_corridor_share"] < 0.5
        right = gps.analyse(clean_track, route=gps.parse_route(route_bytes, crs=name))
        assert right.episodes == ()
        assert right.summary["inside_corridor_share"] == 1.0


def test_a_track_recorded_in_gcj02_is_converted(clean_track):
    route = gps.parse_route(synth.route_geojson())
    glat, glon = crs.wgs84_to_gcj02(clean_track.lat, clean_track.lon)
    shifted = gps.Track(glat, glon, clean_track.time_ms, clean_track.ele, len(clean_track))
    assert gps.analyse(shifted, route=route).episodes_of("route_deviation")
    back = gps.track_to_wgs84(shifted, "gcj02")
    assert gps.analyse(back, route=route).episodes == ()
    worst = np.hypot(
        (back.lat - clean_track.lat) * 111_320.0, (back.lon - clean_track.lon) * 102_800.0
    ).max()
    assert worst < 0.01
    assert not back.lat.flags.writeable and back.time_ms is clean_track.time_ms


def test_command_line_takes_the_crs_of_track_and_route(tmp_path):
    track = tmp_path / "trip.gpx"
    track.write_bytes(synth.drive(seed=3).to_gpx())
    route = tmp_path / "route.geojson"
    route.write_bytes(_gcj02_route())

    def run(*args):
        return CliRunner().invoke(analyse_command, [str(track), "--route", str(route), *args])

    wrong = run("--json")
    assert wrong.exit_code == 0, wrong.output
    assert json.loads(wrong.output)["summary"]["episodes"]["route_deviation"] >= 1
    right = run("--json", "--route-crs", "gcj02")
    assert right.exit_code == 0, right.output
    assert json.loads(right.output)["episodes"] == []
    bad = run("--crs", "mars")
    assert bad.exit_code == 2 and "mars" in bad.output and "Traceback" not in bad.output
