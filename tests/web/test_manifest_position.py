"""The trip's last known position on the manifest page and on its map: from the same service
as ``GET /manifests/{ref}/position``, to the same people."""

from __future__ import annotations

from datetime import timedelta

import pytest

from manifest.local_time import CHINA
from manifest.services import tracks
from tests.builders import advance, create_manifest, name_next, now
from tests.gps import synth
from tests.web.conftest import screenshot, signed_in
from tests.web.terminal_scenes import bind, report

PHONE = "13912345678"


def _on_the_road(world, *, route: bool = False):
    """A manifest of 粤J12345 picked up four hours ago, its terminal bound."""
    m = create_manifest(world)
    if route:
        tracks.set_route(
            world.uow,
            actor=world.plating.actor(),
            ref=m.id,
            data=synth.route_geojson(),
            content_type="application/geo+json",
        )
    m = advance(world, m, "in_transit")
    return m, bind(world, world.carrier, PHONE, "粤J12345")


def _position_features(client, m) -> list[dict]:
    answer = client.get(f"/web/manifests/{m.id}/map.geojson")
    assert answer.status_code == 200
    return [f for f in answer.get_json()["features"] if f["properties"]["kind"] == "position"]


def test_the_page_and_its_map_show_where_the_truck_was_last_fixed(app, client_for, world):
    m, terminal = _on_the_road(world)
    client = client_for(world.plating)
    page = client.get(f"/web/manifests/{m.id}").get_data(as_text=True)
    assert 'class="last-position' not in page  # no fix yet
    assert _position_features(client, m) == []

    last = now() - timedelta(minutes=3)
    report(world, terminal, last - timedelta(minutes=1), lat=22.55, lon=113.05)
    report(world, terminal, last, lat=22.61234, lon=113.12345, speed_kmh=52.3)
    report(world, terminal, last + timedelta(minutes=1), lat=23.0, lon=114.0, usable=False)

    page = client.get(f"/web/manifests/{m.id}").get_data(as_text=True)
    assert 'class="last-position' in page
    assert "22.61234, 113.12345" in page
    assert (last.astimezone(CHINA)).strftime("%Y-%m-%d %H:%M:%S") in page  # Beijing time
    assert "52.3" in page and "3分钟前" in page
    english = client.get(f"/web/manifests/{m.id}?lang=en").get_data(as_text=True)
    assert "Last known position" in english and "3 minutes ago" in english
    assert "52.3 km/h" in english

    api = app.test_client().get(f"/api/v1/manifests/{m.id}/position", headers=world.plating.auth())
    position = api.get_json()["position"]
    [feature] = _position_features(client, m)
    assert feature["geometry"]["coordinates"] == [position["lon"], position["lat"]]
    assert feature["geometry"]["coordinates"] == [113.12345, 22.61234]
    assert feature["properties"]["speed_kmh"] == position["speed_kmh"] == 52.3
    assert feature["properties"]["vehicle_plate"] == "粤J12345"


def test_who_sees_the_position_is_who_sees_the_trip(app, client_for, world):
    m, terminal = _on_the_road(world)
    report(world, terminal, now() - timedelta(minutes=2), lat=22.61234, lon=113.12345)
    api = app.test_client()
    for party in (world.plating, world.carrier, world.centre, world.regulator):
        client = client_for(party)
        assert "22.61234" in client.get(f"/web/manifests/{m.id}").get_data(as_text=True)
        assert len(_position_features(client, m)) == 1
        answer = api.get(f"/api/v1/manifests/{m.id}/position", headers=party.auth())
        assert answer.get_json()["position"]["lat"] == 22.61234
    # A stranger: the manifest, its position and its map are not there.
    stranger = client_for(world.outsider)
    assert stranger.get(f"/web/manifests/{m.id}").status_code == 404
    assert stranger.get(f"/web/manifests/{m.id}/map.geojson").status_code == 404
    api_answer = api.get(f"/api/v1/manifests/{m.id}/position", headers=world.outsider.auth())
    assert api_answer.status_code == 404
    # The transporter named to take over sees the manifest itself, not the trip's position.
    name_next(world, m, world.carrier2)
    named = client_for(world.carrier2)
    page = named.get(f"/web/manifests/{m.id}")
    assert page.status_code == 200 and "22.61234" not in page.get_data(as_text=True)
    assert named.get(f"/web/manifests/{m.id}/map.geojson").status_code == 404
    api_answer = api.get(f"/api/v1/manifests/{m.id}/position", headers=world.carrier2.auth())
    assert api_answer.status_code == 404


@pytest.mark.slow
def test_the_map_draws_the_last_known_position_as_its_own_layer(page, world):
    m, terminal = _on_the_road(world, route=True)
    lat, lon = synth.WAYPOINTS[3]  # on the planned route
    report(world, terminal, now() - timedelta(minutes=4), lat=lat, lon=lon, speed_kmh=61)
    signed_in(page, world.plating)
    page.goto(f"/web/manifests/{m.id}")
    page.wait_for_selector("#trip-map[data-drawn]")
    assert page.locator("#trip-map").get_attribute("data-drawn").split() == ["route", "position"]
    marker = page.locator("#trip-map svg path.layer-position")
    assert marker.count() == 1
    box, frame = marker.bounding_box(), page.locator("#trip-map").bounding_box()
    assert frame["x"] <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"]
    assert frame["y"] <= box["y"] and box["y"] + box["height"] <= frame["y"] + frame["height"]
    assert page.locator(".map-legend li.legend-position").inner_text() == "最后已知位置"
    assert "61 公里/小时" in page.locator(".last-position").inner_text()
    screenshot(page, "manifest-page-last-position")


@pytest.mark.slow
def test_a_lone_position_is_drawn_without_route_or_track(page, world):
    m, terminal = _on_the_road(world)
    report(world, terminal, now() - timedelta(minutes=1), lat=22.61234, lon=113.12345)
    signed_in(page, world.carrier)
    page.goto(f"/web/manifests/{m.id}?lang=en")
    page.wait_for_selector("#trip-map[data-drawn]")
    assert page.locator("#trip-map").get_attribute("data-drawn") == "position"
    assert page.locator("#trip-map svg path.layer-position").count() == 1
    assert page.locator(".map-legend").inner_text() == "Last known position"
