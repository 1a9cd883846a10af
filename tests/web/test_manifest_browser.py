"""The manifest page and the administration pages in a real browser: the map drawn from the
track's layers with no tile layer, the admin forms, no console error and no request to
another host (the ``page`` fixture fails the test on either)."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import PHONE, screenshot, signed_in
from tests.web.scenes import trip_story

pytestmark = pytest.mark.slow


def _drawn(page, selector: str) -> int:
    return page.locator(f"#trip-map svg {selector}").count()


def test_the_manifest_page_draws_route_corridor_track_and_episodes_without_tiles(page, world):
    m = trip_story(world, lines=2)
    signed_in(page, world.plating)
    page.goto(f"/web/manifests/{m.id}")
    page.wait_for_selector("#trip-map[data-drawn]")
    assert _drawn(page, "path.layer-route") == 1
    assert _drawn(page, "path.layer-corridor") == 1
    assert _drawn(page, "path.layer-track") == 1
    for episode in ("unscheduled_stop", "route_deviation", "gps_gap", "implausible_speed"):
        assert _drawn(page, f"path.layer-{episode}.layer-episode") >= 1, episode
    assert _drawn(page, "path.layer-origin") == 1 and _drawn(page, "path.layer-destination") == 1
    # No tile layer by default: nothing but the drawn layers, fitted to the view.
    assert page.locator("#trip-map img.leaflet-tile").count() == 0
    box = page.locator("#trip-map path.layer-track").bounding_box()
    frame = page.locator("#trip-map").bounding_box()
    # Fitted: the track spans most of the map's height and lies inside it.
    assert box["height"] > frame["height"] / 3
    assert (
        frame["y"] - 1 <= box["y"] and box["y"] + box["height"] <= frame["y"] + frame["height"] + 1
    )
    assert page.locator(".map-legend li").count() >= 8
    # The tallies, the timeline and the verdict are there too.
    assert page.locator("td.tally-received.finding").count() == 2
    assert page.locator(".timeline .event").count() == 7
    assert page.locator(".chain-valid").is_visible()
    screenshot(page, "manifest-page-with-map")
    page.set_viewport_size(PHONE)
    page.reload()
    page.wait_for_selector("#trip-map[data-drawn]")
    screenshot(page, "manifest-page-phone")


def test_the_manifest_page_in_english(page, world):
    m = trip_story(world, lines=2)
    signed_in(page, world.centre)
    page.goto(f"/web/manifests/{m.id}?lang=en")
    page.wait_for_selector("#trip-map[data-drawn]")
    assert page.get_by_role("heading", name="Custody timeline").is_visible()
    assert page.locator(".map-legend").inner_text().count("Unscheduled stop") == 1


def test_an_administrator_invites_a_member_and_creates_a_token(page, world):
    signed_in(page, world.carrier)
    page.goto("/web/admin/members")
    page.fill("input[name=email]", "dispatcher@example.cn")
    page.select_option("select[name=role]", "member")
    with page.expect_navigation():
        page.click("form.invite button[type=submit]")
    password = page.locator("#initial-password").inner_text()
    assert len(password) >= 12
    row = page.locator('tr[data-user="dispatcher@example.cn"]')
    assert row.locator("select[name=role]").input_value() == "member"
    screenshot(page, "admin-members-invited")
    row.locator("select[name=role]").select_option("driver")
    with page.expect_navigation():
        row.locator("button", has_text=re.compile("角色|role")).click()
    assert (
        page.locator('tr[data-user="dispatcher@example.cn"] select[name=role]').input_value()
        == "driver"
    )
    page.goto("/web/admin/vehicles")
    page.fill("input[name=plate]", "粤J55555")
    page.fill("input[name=max_load_t]", "8")
    with page.expect_navigation():
        page.click("form.vehicle button[type=submit]")
    page.wait_for_selector('tr[data-plate="粤J55555"]')
    page.goto("/web/admin/tokens")
    page.fill("input[name=password]", "correct horse battery")
    with page.expect_navigation():
        page.click("form.token button[type=submit]")
    token = page.locator("#new-token").inner_text()
    assert token.startswith("hwm_")
    screenshot(page, "admin-token-created")
