"""Detectors on synthetic Jiangmen truck drives with known injected events."""

from __future__ import annotations

import json
import math
from datetime import timedelta

import numpy as np
import pytest
import shapely

import gps
from gps import detect
from manifest import finding_types
from tests.gps import synth

ROUTE = gps.parse_route(synth.route_geojson())
ORIGIN = gps.Site(*synth.ORIGIN)
DESTINATION = gps.Site(*synth.DESTINATION)

# On the first leg: the route bends at ~1.9, 5.8, 11.5 and 16.4 km.
STOP = (8.0, 600)  # 10 minutes at km 8
DEVIATION = (12.0, 15.5, 800.0)  # up to 800 m off the route between km 12 and 15.5
GAP = (240, 330)  # 5.5 minutes without fixes, while driving to the stop
TELEPORTS = [900, 1200]  # one fix 5 km away, during the stop and while driving


def _track(trip: synth.Trip) -> gps.Track:
    return gps.parse_gpx(trip.to_gpx())


def _ms(epoch_s: float) -> int:
    return int(round(epoch_s * 1000))


def _interval(trip: synth.Trip, before_s: float = 0, after_s: float = 0):
    return (synth.iso(trip.t[0] - before_s), synth.iso(trip.t[-1] + after_s))


@pytest.fixture(scope="module")
def clean():
    trip = synth.drive(seed=3)
    track = _track(trip)
    result = gps.analyse(
        track, route=ROUTE, origin=ORIGIN, destination=DESTINATION, interval=_interval(trip)
    )
    return trip, result


@pytest.fixture(scope="module")
def eventful():
    trip = synth.drive(
        seed=5, stops=[STOP], deviations=[DEVIATION], gaps=[GAP], teleports=TELEPORTS
    )
    result = gps.analyse(_track(trip), route=ROUTE, origin=ORIGIN, destination=DESTINATION)
    return trip, result


def test_clean_drive_has_no_episodes_and_a_sane_summary(clean):
    trip, result = clean
    assert result.episodes == ()
    s = result.summary
    assert s["fixes"] == len(trip)
    assert s["episodes"] == dict.fromkeys(gps.KINDS, 0)
    assert s["inside_corridor_share"] == 1.0
    assert s["route"]["covered_share"] > 0.98
    assert s["route"]["length_km"] == pytest.approx(20.25, abs=0.05)
    assert s["length_km"] == pytest.approx(s["route"]["length_km"], rel=0.03)
    assert 75 < s["max_speed_kmh"] < 90  # an 80 km/h truck, measured over 10 s windows
    assert s["starts_at_origin"] and s["ends_at_destination"]
    assert s["coverage"]["covered_share"] == 1.0 and s["coverage"]["uncovered"] == []
    assert s["stops"] == 0 and s["outlier_fixes"] == 0
    assert s["duration_s"] == pytest.approx(trip.t[-1] - trip.t[0])


def test_injected_stop_is_found_with_its_times(eventful):
    trip, result = eventful
    (stop,) = result.episodes_of("unscheduled_stop")
    (truth,) = trip.of("stop")
    assert abs(stop.start.time_ms - _ms(truth.start)) <= 10_000
    assert abs(stop.end.time_ms - _ms(truth.end)) <= 10_000
    centre = stop.details["centre"]
    assert _metres(centre["lat"], centre["lon"], *truth.where) < 20
    assert stop.severity == "warning"
    assert stop.distance_m < 40  # the spread of the fixes around the centre


def test_injected_deviation_is_found_with_its_times(eventful):
    trip, result = eventful
    (deviation,) = result.episodes_of("route_deviation")
    off = np.flatnonzero(trip.offset_m > 500)
    assert abs(deviation.start.time_ms - _ms(trip.t[off[0]])) <= 3_000
    assert abs(deviation.end.time_ms - _ms(trip.t[off[-1]])) <= 3_000
    assert deviation.details["max_distance_m"] == pytest.approx(800, abs=25)
    assert 12.0 < deviation.details["route_km_from"] < deviation.details["route_km_to"] < 15.5
    assert deviation.severity == "warning"  # under 10 minutes


def test_injected_gap_and_teleports_are_found(eventful):
    trip, result = eventful
    (gap,) = result.episodes_of("gps_gap")
    (truth,) = trip.of("gap")
    assert (gap.start.time_ms, gap.end.time_ms) == (_ms(truth.start), _ms(truth.end))
    assert gap.duration_s == pytest.approx(truth.end - truth.start)
    assert gap.distance_m > 3000  # the truck drove on while the logger was silent
    jumps = result.episodes_of("implausible_speed")
    assert [(j.start.time_ms + 1000, j.end.time_ms - 1000) for j in jumps] == [
        (_ms(e.start), _ms(e.start)) for e in trip.of("teleport")
    ]
    assert all(j.details["max_speed_kmh"] > 10_000 for j in jumps)
    assert result.summary["outlier_fixes"] == 2


def test_nothing_else_is_reported(eventful):
    _, result = eventful
    assert result.summary["episodes"] == {
        "route_deviation": 1,
        "unscheduled_stop": 1,
        "gps_gap": 1,
        "implausible_speed": 2,
        "start_outside_origin": 0,
        "end_outside_destination": 0,
        "track_missing": 0,
    }
    # A lone teleport does not inflate the length or the speed.
    assert result.summary["length_km"] < 21.5
    assert result.summary["max_speed_kmh"] < 100


def test_without_route_and_sites_stops_gaps_and_jumps_still_work():
    trip = synth.drive(seed=8, stops=[STOP], gaps=[(500, 330)], teleports=[1200], dwell_s=400)
    track = _track(trip)
    bare = gps.analyse(track)
    counts = bare.summary["episodes"]
    # The 400 s dwell at both sites are stops too when no site is known.
    assert counts["unscheduled_stop"] == 3 and bare.summary["stops_at_sites"] == 0
    assert counts["gps_gap"] == 1 and counts["implausible_speed"] == 1
    assert counts["route_deviation"] == 0 and bare.summary["route"] is None
    assert bare.summary["inside_corridor_share"] is None
    assert bare.summary["starts_at_origin"] is None and bare.summary["coverage"] is None
    with_sites = gps.analyse(track, origin=ORIGIN, destination=DESTINATION)
    assert with_sites.summary["episodes"]["unscheduled_stop"] == 1
    assert with_sites.summary["stops"] == 3 and with_sites.summary["stops_at_sites"] == 2


@pytest.mark.parametrize("seed", [0, 2, 16, 21, 25])
@pytest.mark.parametrize("noise_m", [3.0, 5.0])
def test_a_long_stop_with_drifting_fixes_is_one_stop(seed, noise_m):
    # 25 minutes standing en route and 25 at the end, while the receiver's
    # error wanders (first-order Gauss-Markov, a few metres): the drift used
    # to carry the fixes past the edge of the stop's circle and split each
    # stay into two adjacent stops.
    trip = synth.drive(seed=seed, stops=[(8.0, 1500)], dwell_s=1500, noise_m=noise_m)
    stops = gps.analyse(_track(trip)).episodes_of("unscheduled_stop")
    assert len(stops) == 3  # loading, the en-route stop, unloading
    (truth,) = trip.of("stop")
    en_route, unloading = stops[1], stops[2]
    assert abs(en_route.start.time_ms - _ms(truth.start)) <= 10_000
    assert abs(en_route.end.time_ms - _ms(truth.end)) <= 10_000
    assert unloading.end.time_ms == _ms(trip.t[-1])
    assert unloading.duration_s == pytest.approx(1500, abs=10)
    assert unloading.distance_m < 40


@pytest.mark.parametrize("seed", [0, 6])
def test_stops_that_touch_are_merged_into_one(seed):
    # Half an hour standing while the fixes random-walk 25-30 m, far beyond a
    # 10 m stop radius: the search finds adjacent pieces, which are one stay.
    rng = np.random.default_rng(seed)
    t = np.arange(1800, dtype=float)
    walk = np.cumsum(rng.normal(0.0, 0.3, size=(1800, 2)), axis=0)
    (stop,) = detect.stops(t, walk[:, 0], walk[:, 1], 10.0, 300.0, 10.0)
    assert stop.first <= 10 and stop.last == 1799
    centre = np.median(walk, axis=0)
    assert (stop.values["x"], stop.values["y"]) == pytest.approx(tuple(centre), abs=1.0)
    assert stop.values["spread_m"] == pytest.approx(
        np.hypot(*(walk[stop.first :] - centre).T).max(), abs=2.0
    )


def test_start_and_end_outside_the_sites(clean):
    trip, _ = clean
    # Sites 2 km north of where the trip really starts and ends.
    north = 2000 / 110_750
    origin = gps.Site(synth.ORIGIN[0] + north, synth.ORIGIN[1])
    destination = gps.Site(synth.DESTINATION[0] + north, synth.DESTINATION[1], radius_m=500)
    result = gps.analyse(_track(trip), origin=origin, destination=destination)
    (start,) = result.episodes_of("start_outside_origin")
    (end,) = result.episodes_of("end_outside_destination")
    assert start.distance_m == pytest.approx(2000, abs=30)
    assert end.distance_m == pytest.approx(2000, abs=30)
    assert start.start.time_ms == _ms(trip.t[0]) and end.end.time_ms == _ms(trip.t[-1])
    assert end.details["site_radius_m"] == 500
    assert result.summary["starts_at_origin"] is False


def test_coverage_of_the_signature_interval():
    trip = synth.drive(seed=9, gaps=[GAP])
    track = _track(trip)
    # Pickup signed 20 minutes before the first fix, delivery 2 minutes after the last.
    result = gps.analyse(track, interval=_interval(trip, before_s=1200, after_s=120))
    coverage = result.summary["coverage"]
    assert [part["reason"] for part in coverage["uncovered"]] == [
        "before_first_fix",
        "gps_gap",
        "after_last_fix",
    ]
    assert coverage["uncovered"][0]["duration_s"] == 1200
    (missing,) = result.episodes_of("track_missing")  # 2 min after: within the tolerance
    assert missing.details["reason"] == "before_first_fix"
    assert missing.duration_s == 1200 and missing.start.lat is None
    assert missing.end.time_ms == _ms(trip.t[0])
    total = trip.t[-1] - trip.t[0] + 1320
    assert coverage["covered_share"] == pytest.approx(1 - (1200 + GAP[1] + 120) / total, abs=1e-3)

    far = (synth.iso(trip.t[0] - 86400), synth.iso(trip.t[0] - 80000))
    (nothing,) = gps.analyse(track, interval=far).episodes_of("track_missing")
    assert nothing.severity == "violation" and nothing.details["reason"] == "no_fix_in_interval"

    inside = (synth.iso(trip.t[10]), synth.iso(trip.t[200]))
    assert gps.analyse(track, interval=inside).summary["coverage"]["covered_share"] == 1.0


def test_thresholds_are_parameters(eventful):
    trip, _ = eventful
    track = _track(trip)
    wide = gps.analyse(track, route=ROUTE, thresholds=gps.Thresholds(corridor_m=1000))
    assert wide.summary["episodes"]["route_deviation"] == 0
    patient = gps.Thresholds(stop_min_s=900, gap_s=600, max_speed_kmh=20_000)
    counts = gps.analyse(track, thresholds=patient).summary["episodes"]
    assert counts["unscheduled_stop"] == 0 and counts["gps_gap"] == 0
    assert counts["implausible_speed"] == 0
    strict = gps.analyse(track, route=ROUTE, thresholds=gps.Thresholds(deviation_violation_s=30))
    assert strict.episodes_of("route_deviation")[0].severity == "violation"
    with pytest.raises(ValueError):
        gps.Thresholds(corridor_m=-1)
    with pytest.raises(ValueError):
        gps.Thresholds(gap_s=float("nan"))


def test_gpx_1_0_with_beijing_time_gives_the_same_analysis(eventful):
    trip, result = eventful
    other = gps.parse_gpx(trip.to_gpx(version="1.0", utc_offset_h=8, segments=3))
    again = gps.analyse(other, route=ROUTE, origin=ORIGIN, destination=DESTINATION)
    assert again.to_dict() == result.to_dict()


def test_to_dict_is_json_with_iso_times(eventful):
    _, result = eventful
    document = result.to_dict()
    text = json.dumps(document, allow_nan=False)
    assert set(document) == {"summary", "episodes", "problems", "thresholds"}
    assert list(document["summary"]) == list(gps.analysis.SUMMARY_KEYS)
    episode = document["episodes"][0]
    assert set(episode) >= {"kind", "severity", "start", "end", "duration_s", "distance_m"}
    assert episode["start"]["time"].endswith("+00:00")
    assert {e["kind"] for e in document["episodes"]} <= set(gps.KINDS)
    assert {e["severity"] for e in document["episodes"]} <= {"info", "warning", "violation"}
    assert len(text) < 10_000


def test_to_geojson_layers(eventful):
    _, result = eventful
    collection = result.to_geojson()
    json.dumps(collection, allow_nan=False)
    assert collection["type"] == "FeatureCollection"
    kinds = [feature["properties"]["kind"] for feature in collection["features"]]
    assert kinds[:5] == ["route", "corridor", "origin", "destination", "track"]
    assert sorted(kinds[5:]) == sorted(e.kind for e in result.episodes)
    corridor = shapely.geometry.shape(collection["features"][1]["geometry"])
    route = shapely.geometry.shape(collection["features"][0]["geometry"])
    assert corridor.is_valid and corridor.contains(route)
    # Corridor is ~1 km wide around a ~20 km route (degrees at 22.6 N: ~1e-5 per metre).
    assert 0.0015 < corridor.area < 0.0025
    track = collection["features"][4]["geometry"]
    assert track["type"] == "MultiLineString" and len(track["coordinates"]) == 4
    for feature in collection["features"][5:]:
        assert feature["geometry"] is not None
        lon, lat = np.array(_first_position(feature["geometry"]))
        assert 113 < lon < 113.3 and 22.5 < lat < 22.8


def test_sparse_track_every_15_seconds():
    trip = synth.drive(seed=12, stops=[STOP], deviations=[DEVIATION])
    keep = np.arange(len(trip)) % 15 == 0
    sparse = synth.Trip(
        trip.t[keep], trip.lat[keep], trip.lon[keep], trip.ele[keep], trip.offset_m[keep]
    )
    result = gps.analyse(_track(sparse), route=ROUTE, origin=ORIGIN, destination=DESTINATION)
    counts = result.summary["episodes"]
    assert counts["route_deviation"] == 1 and counts["unscheduled_stop"] == 1
    assert sum(counts.values()) == 2


def test_naive_or_reversed_interval_is_refused(clean):
    trip, result = clean
    start = synth.iso(trip.t[0])
    with pytest.raises(ValueError):
        gps.analyse(result.track, interval=(start.replace(tzinfo=None), start))
    with pytest.raises(ValueError):
        gps.analyse(result.track, interval=(start, start - timedelta(seconds=1)))


def _first_position(geometry):
    coordinates = geometry["coordinates"]
    while isinstance(coordinates[0], list):
        coordinates = coordinates[0]
    return coordinates


def _metres(lat1, lon1, lat2, lon2):
    return math.hypot((lat1 - lat2) * 110_750, (lon1 - lon2) * 102_800)


def test_every_episode_kind_is_a_registered_gps_finding_type(clean, eventful):
    trip, _ = clean
    north = 2000 / 110_750  # sites 2 km off the real start and end
    away = gps.analyse(
        _track(trip),
        origin=gps.Site(synth.ORIGIN[0] + north, synth.ORIGIN[1]),
        destination=gps.Site(synth.DESTINATION[0] + north, synth.DESTINATION[1]),
        interval=_interval(trip, before_s=1200),
    )
    seen = {episode.kind for result in (eventful[1], away) for episode in result.episodes}
    assert seen == set(gps.KINDS)  # every kind the analysis knows is exercised here
    for kind in seen:
        assert finding_types.BY_NAME[kind].family == finding_types.GPS, kind
    assert gps.KINDS == finding_types.names_of(finding_types.GPS)
    nowhere = gps.Moment(0)
    with pytest.raises(ValueError, match="not a finding type"):
        gps.Episode("teleport", "warning", nowhere, nowhere, 0.0)
    with pytest.raises(ValueError, match="severity"):
        gps.Episode("gps_gap", "grave", nowhere, nowhere, 0.0)
