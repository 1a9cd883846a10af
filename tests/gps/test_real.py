"""Real drives (tests/data/gpx, see its README for licences)."""

from __future__ import annotations

import pytest

import gps
from tests.gps.conftest import DATA, munich_gpx, munich_route


@pytest.mark.parametrize(
    ("name", "fixes", "minutes", "km"),
    [
        ("pennsylvania-drive.gpx", 3368, 58.6, 108.2),
        ("kmart-to-middletown-rd.gpx", 343, 5.75, 3.39),
    ],
)
def test_mapzen_drives(name, fixes, minutes, km):
    data = (DATA / name).read_bytes()
    track = gps.parse_gpx(data)
    assert track.same_as(gps.parse_gpx_reference(data))
    summary = gps.analyse(track).summary
    assert summary["fixes"] == fixes and track.problems == ()
    assert summary["duration_s"] / 60 == pytest.approx(minutes, abs=0.1)
    assert summary["length_km"] == pytest.approx(km, rel=0.02)
    assert 60 < summary["max_speed_kmh"] < 140
    assert summary["median_interval_s"] == 1.0
    assert summary["episodes"] == dict.fromkeys(gps.KINDS, 0)


def test_pennsylvania_times_with_offsets_are_utc():
    summary = gps.analyse(gps.parse_gpx(DATA / "pennsylvania-drive.gpx")).summary
    assert summary["start"] == "2014-11-27T16:04:03+00:00"  # 11:04:03-05:00


def test_munich_drive_against_its_own_15_second_samples_as_route():
    track = gps.parse_gpx(munich_gpx("munich-x0001-001.json"))
    assert track.same_as(gps.parse_gpx_reference(munich_gpx("munich-x0001-001.json")))
    route = gps.parse_route(munich_route())
    result = gps.analyse(track, route=route)
    summary = result.summary
    assert summary["start"] == "2014-09-10T04:54:07+00:00"  # 06:54:07+0200
    assert summary["inside_corridor_share"] == 1.0
    assert summary["route"]["covered_share"] > 0.95
    assert summary["length_km"] == pytest.approx(13.2, abs=0.3)
    # The recording has one real glitch: a fix 470 m off for one second.
    (jump,) = result.episodes_of("implausible_speed")
    assert jump.start.to_dict()["time"] == "2014-09-10T05:04:26+00:00"
    assert sum(summary["episodes"].values()) == 1
    # Standing at traffic lights repeats positions with new times: not duplicates.
    assert track.problems == ()


def test_munich_sparse_samples():
    track = gps.parse_gpx(munich_gpx("munich-x0001-015.json"))
    summary = gps.analyse(track).summary
    assert summary["fixes"] == 80 and summary["median_interval_s"] == 15.0
    assert summary["length_km"] == pytest.approx(13.4, abs=0.3)
