"""The local metric plane and the route corridor."""

from __future__ import annotations

import numpy as np
import pyproj
import pytest

from gps.geometry import LocalFrame, RouteGeometry

GEOD = pyproj.Geod(ellps="WGS84")


def test_frame_is_proj_orthographic_and_round_trips():
    frame = LocalFrame(22.65, 113.13)
    rng = np.random.default_rng(1)
    lat = 22.65 + rng.uniform(-1, 1, 500)
    lon = 113.13 + rng.uniform(-1, 1, 500)
    x, y = frame.forward(lat, lon)
    px, py = pyproj.Transformer.from_crs("EPSG:4326", frame.crs, always_xy=True).transform(lon, lat)
    assert np.abs(x - px).max() < 1e-6 and np.abs(y - py).max() < 1e-6
    back_lat, back_lon = frame.inverse(x, y)
    assert np.abs(back_lat - lat).max() < 1e-9 and np.abs(back_lon - lon).max() < 1e-9


@pytest.mark.parametrize(("radius_km", "tolerance"), [(100, 1e-4), (500, 3e-3)])
def test_plane_distances_match_geodesics(radius_km, tolerance):
    frame = LocalFrame(22.65, 113.13)
    rng = np.random.default_rng(2)
    span = radius_km / 111.0 / 1.5
    lat = 22.65 + rng.uniform(-span, span, (400, 2))
    lon = 113.13 + rng.uniform(-span, span, (400, 2))
    # Pairs of points 100 m to 2 km apart, anywhere in the area.
    lat[:, 1] = lat[:, 0] + rng.uniform(-0.015, 0.015, 400)
    lon[:, 1] = lon[:, 0] + rng.uniform(-0.015, 0.015, 400)
    x, y = frame.forward(lat, lon)
    plane = np.hypot(x[:, 1] - x[:, 0], y[:, 1] - y[:, 0])
    _, _, geodesic = GEOD.inv(lon[:, 0], lat[:, 0], lon[:, 1], lat[:, 1])
    assert np.abs(plane / geodesic - 1).max() < tolerance


def test_frame_centre_across_the_antimeridian():
    frame = LocalFrame.around(np.array([10.0, 10.2]), np.array([179.9, -179.9]))
    assert abs(abs(frame.lon0) - 180.0) < 1e-9
    x, _ = frame.forward(np.array([10.1, 10.1]), np.array([179.9, -179.9]))
    assert 20_000 < x[1] - x[0] < 23_000


def test_corridor_inside_is_exact_at_the_edge():
    # An L-shaped route: 0,0 -> 10 km east -> 10 km north.
    route = RouteGeometry(np.array([0.0, 10_000, 10_000]), np.array([0.0, 0, 10_000]), 500.0)
    assert route.length_m == 20_000
    x = np.array([5_000, 5_000, 5_000, 10_499.9, 10_500.1, -400, -354, -353, 10_300])
    y = np.array([499.9, 500.1, -499.9, 5_000, 5_000, 0, -354, -353, 10_300])
    # Round ends: at the start corner, (-354, -354) is 500.6 m away.
    inside = route.inside(x, y)
    assert inside.tolist() == [True, False, True, True, False, True, False, True, True]
    near = route.nearest(x, y)
    assert near.distance_m[1] == pytest.approx(500.1)
    assert near.progress_m[3] == pytest.approx(15_000)
    assert near.progress_m[0] == pytest.approx(5_000)


def test_covered_share():
    route = RouteGeometry(np.array([0.0, 10_000]), np.array([0.0, 0.0]), 500.0)
    assert route.covered_share(np.arange(0, 5_001, 100.0), 100.0) == pytest.approx(0.51)
    assert route.covered_share(np.array([]), 100.0) == 0.0
    assert route.covered_share(np.arange(0, 10_001, 50.0), 100.0) == pytest.approx(1.0)
