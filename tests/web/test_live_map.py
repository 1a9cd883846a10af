"""The regulator's live map: every vehicle on the road in its regions where its terminal last
fixed it, with the manifest it carries and the live findings still open; nobody else's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from manifest.local_time import CHINA
from manifest.models import Finding
from manifest.services import registry
from manifest.services.findings_triage import update_finding
from manifest.services.terminal_tracks import check_live
from tests.builders import PASSWORD, Party, advance, create_manifest, now
from tests.web.conftest import screenshot, signed_in
from tests.web.queries import count_queries
from tests.web.terminal_scenes import bind, report

PAGE = "/web/map"


def _trip(world, generator, plate: str, phone: str):
    """A manifest of ``generator`` in transit on ``plate``, the vehicle's terminal bound."""
    m = advance(
        world, create_manifest(world, generator=generator, vehicle_plate=plate), "in_transit"
    )
    return m, bind(world, world.carrier, phone, plate)


def _foshan_regulator(world) -> Party:
    """A regulator of Foshan (4406): the outsider's region, not the one of the Jiangmen plants."""
    user = registry.create_regulator_user(
        world.uow, email="officer@fsepb.example.cn", password=PASSWORD, region_code="440600"
    )
    return Party(None, {"admin": (user, None)})


def _rows(html: str) -> int:
    return html.count("<tr data-manifest-id=")


def test_the_regulator_sees_each_vehicle_on_the_road_where_it_was_last_fixed(client_for, world):
    plating, _ = _trip(world, world.plating, "粤J12345", "13912345678")
    outsiders, terminal = _trip(world, world.outsider, "粤J88888", "13912340000")
    last = now() - timedelta(minutes=20)
    report(world, terminal, last - timedelta(minutes=1), lat=22.55, lon=113.05)
    report(world, terminal, last, lat=22.61234, lon=113.12345)
    report(world, terminal, last + timedelta(minutes=1), lat=23.0, lon=114.0, usable=False)
    # Twenty minutes of silence: the live sweep raises a gap while the truck is on the road.
    assert check_live(world.uow, now=now()) >= 1
    delivered = advance(world, create_manifest(world), "delivered")  # no longer on the road

    client = client_for(world.regulator)
    home = client.get("/web/").get_data(as_text=True)
    assert f'href="{PAGE}"' in home
    html = client.get(PAGE).get_data(as_text=True)
    assert _rows(html) == 2 and f'data-manifest-id="{delivered.id}"' not in html
    assert f'href="/web/manifests/{outsiders.id}">{outsiders.number}</a>' in html
    assert f'href="/web/manifests/{plating.id}">{plating.number}</a>' in html
    assert "22.61234, 113.12345" in html and "23.00000" not in html
    assert last.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S") in html  # Beijing time
    assert "20分钟前" in html
    assert "尚无本次运输的位置" in html  # the plating trip's vehicle has not reported
    # Both trips are silent (one never reported): a gap each, raised while on the road.
    assert html.count('class="badge severity-') == 2 and "定位信号中断 · 待处理" in html
    english = client.get(f"{PAGE}?lang=en").get_data(as_text=True)
    assert "Vehicles on the road" in english and "20 minutes ago" in english
    assert "No position on this trip yet" in english

    layers = client.get(f"{PAGE}.geojson").get_json()
    [feature] = layers["features"]
    assert feature["geometry"]["coordinates"] == [113.12345, 22.61234]
    assert feature["properties"]["manifest_number"] == outsiders.number
    assert feature["properties"]["vehicle_plate"] == "粤J88888"

    # A resolved finding is no longer shown.
    finding = world.uow.session.scalar(select(Finding).where(Finding.manifest_id == outsiders.id))
    update_finding(
        world.uow, actor=world.regulator.actor(), finding_id=finding.id, status="resolved"
    )
    html = client.get(PAGE).get_data(as_text=True)
    assert html.count('class="badge severity-') == 1


def test_other_regions_vehicles_never_appear(client_for, world):
    _, jiangmen = _trip(world, world.plating, "粤J12345", "13912345678")
    foshan_trip, foshan = _trip(world, world.outsider, "粤J88888", "13912340000")
    report(world, jiangmen, now() - timedelta(minutes=2), lat=22.5, lon=113.0)
    report(world, foshan, now() - timedelta(minutes=2), lat=22.9, lon=113.1)

    client = client_for(_foshan_regulator(world))
    html = client.get(PAGE).get_data(as_text=True)
    assert _rows(html) == 1 and f'data-manifest-id="{foshan_trip.id}"' in html
    assert "粤J12345" not in html and "22.50000" not in html
    [feature] = client.get(f"{PAGE}.geojson").get_json()["features"]
    assert feature["properties"]["vehicle_plate"] == "粤J88888"
    # A regulator of a region with no trip sees an empty map, whatever the page asked.
    guangzhou = registry.create_regulator_user(
        world.uow, email="officer@gzepb.example.cn", password=PASSWORD, region_code="440100"
    )
    client = client_for(Party(None, {"admin": (guangzhou, None)}))
    for path in (PAGE, f"{PAGE}?page=2", f"{PAGE}?page=x"):
        html = client.get(path).get_data(as_text=True)
        assert _rows(html) == 0 and "粤J" not in html
    assert client.get(f"{PAGE}.geojson?page=3").get_json()["features"] == []


def test_nobody_but_a_regulator_has_the_map(app, client_for, world):
    _, terminal = _trip(world, world.plating, "粤J12345", "13912345678")
    report(world, terminal, now() - timedelta(minutes=2))
    for party, role in (
        (world.carrier, "admin"),
        (world.carrier, "driver"),
        (world.plating, "admin"),
        (world.plating, "reader"),
        (world.centre, "admin"),
        (world.outsider, "admin"),
    ):
        client = client_for(party, role)
        for path in (PAGE, f"{PAGE}.geojson"):
            answer = client.get(path)
            assert answer.status_code == 403, (party, role, path)
            assert "粤J12345" not in answer.get_data(as_text=True)
        assert f'href="{PAGE}"' not in client.get("/web/").get_data(as_text=True)
    anonymous = app.test_client()
    assert anonymous.get(PAGE).status_code == 302
    assert anonymous.get(f"{PAGE}.geojson").status_code in (302, 401)


def test_the_map_is_paginated_and_its_queries_do_not_grow_with_it(
    app, client_for, world, monkeypatch
):
    client = client_for(world.regulator)
    engine = app.extensions["hwm"]["engine"]

    def queries() -> int:
        with count_queries(engine) as counted:
            assert client.get(PAGE).status_code == 200
        return counted.count

    first, one = _trip(world, world.plating, "粤J12345", "13912345678")
    report(world, one, now() - timedelta(minutes=2))
    with_one = queries()
    second, other = _trip(world, world.outsider, "粤J88888", "13912340000")
    report(world, other, now() - timedelta(minutes=2))
    assert queries() == with_one

    monkeypatch.setattr("api.pages.live_map.PER_PAGE", 1)
    pages = [client.get(f"{PAGE}?page={n}").get_data(as_text=True) for n in (1, 2, 3)]
    ordered = sorted((first, second), key=lambda m: m.number)
    assert f'data-manifest-id="{ordered[0].id}"' in pages[0] and _rows(pages[0]) == 1
    assert f'data-manifest-id="{ordered[1].id}"' in pages[1] and _rows(pages[1]) == 1
    # Past the last page, the last.
    assert f'data-manifest-id="{ordered[1].id}"' in pages[2] and _rows(pages[2]) == 1
    assert 'rel="next"' in pages[0] and 'rel="prev"' in pages[1]


@pytest.mark.slow
def test_the_browser_draws_every_vehicle_of_the_page(page, world):
    m, terminal = _trip(world, world.outsider, "粤J88888", "13912340000")
    report(world, terminal, now() - timedelta(minutes=4), lat=22.61, lon=113.12)
    _, other = _trip(world, world.plating, "粤J12345", "13912345678")
    report(world, other, now() - timedelta(minutes=3), lat=22.50, lon=113.00)
    signed_in(page, world.regulator)
    page.click(f'nav.mainnav a[href="{PAGE}"]')
    page.wait_for_selector("#trip-map[data-drawn]")
    assert page.locator("#trip-map").get_attribute("data-drawn") == "position"
    assert page.locator("#trip-map svg path.layer-position").count() == 2
    assert page.locator("table.live-vehicles tbody tr").count() == 2
    screenshot(page, "regulator-live-map")
    page.locator("#trip-map svg path.layer-position").first.click()
    page.wait_for_url("**/web/manifests/*")
    assert page.locator("h1").first.inner_text().startswith("联单")
