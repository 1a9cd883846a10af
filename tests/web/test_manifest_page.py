"""The manifest page every party sees, through the test client: the parties and licences,
the tallies with the findings marked, the custody timeline and its verification, the
findings with their comments, the map's layers, and who sees what."""

from __future__ import annotations

import re
from datetime import timedelta

from manifest.config import Settings
from manifest.services.custody import manifest_events
from tests.builders import advance, create_manifest, name_next
from tests.web.conftest import email_of, sign_in, without_csrf
from tests.web.queries import count_queries
from tests.web.scenes import trip_story

SHANGHAI = timedelta(hours=8)


def _cells(html: str, line_no: int) -> dict[str, str]:
    """The tally cells (their class attribute and text) of one line of the lines table."""
    row = re.search(rf'<tr data-line="{line_no}">(.*?)</tr>', html, re.S).group(1)
    return {
        tally: cls for cls, tally in re.findall(r'<td class="([^"]*)" data-tally="(\w+)">', row)
    }


def test_a_party_sees_the_whole_story_of_a_manifest(client_for, world):
    m = trip_story(world, lines=2)
    client = client_for(world.plating)
    answer = client.get(f"/web/manifests/{m.id}")
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)

    # Parties with their licence numbers.
    assert m.number in html
    for name in (
        "江门市恒美电镀有限公司",
        "江门市安运危险品运输有限公司",
        "江门市东江环保技术有限公司",
    ):
        assert name in html
    assert "440700-HW-001" in html and "粤交运管危字440700001" in html

    # The tallies side by side; the differences that are findings are marked on their cells.
    line1, line2 = _cells(html, 1), _cells(html, 2)
    assert "finding" in line1["received"] and "finding" in line2["received"]
    assert "finding" in line1["rejected"] and "finding" not in line2["rejected"]
    assert "finding" not in line1["declared"] and "finding" not in line1["loaded"]
    assert "含水率过高" in html  # the rejection's reason

    # The custody timeline: every signed event, in Shanghai time, where it was signed, and
    # the chain's verdict.
    events = manifest_events(world.uow.session, m.id)
    assert html.count('class="event event-') == len(events) == 7
    pickup = next(ev for ev in events if ev.action == "pickup")
    shown = (pickup.server_time + SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
    assert shown in html
    assert "22.58" in html and "113.08" in html  # where the pickup was signed
    assert "chain-valid" in html and "chain-broken" not in html

    # The findings with their comment threads.
    assert html.count('class="finding severity-') >= 5
    assert "已核实：quantity_discrepancy" in html and "已核实：route_deviation" in html

    # The map's container and its layers' address; no inline script.
    assert 'id="trip-map"' in html and "map.geojson" in html
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html)
    assert "vendor/leaflet/leaflet.js?v=" in html and "js/trip-map.js?v=" in html


def test_the_map_layers_are_the_tracks_analysis(client_for, world):
    m = trip_story(world, lines=2)
    answer = client_for(world.carrier).get(f"/web/manifests/{m.id}/map.geojson")
    assert answer.status_code == 200 and answer.mimetype == "application/geo+json"
    features = answer.get_json()["features"]
    kinds = [f["properties"]["kind"] for f in features]
    for kind in ("route", "corridor", "origin", "destination", "track"):
        assert kinds.count(kind) == 1, kinds
    for episode in ("unscheduled_stop", "route_deviation", "gps_gap", "implausible_speed"):
        assert episode in kinds, kinds
    # The same layers as the API's GeoJSON of the track.
    track_id = features[-1]["properties"]["track_id"]
    api = client_for(world.carrier).get(
        f"/api/v1/manifests/{m.id}/tracks/{track_id}.geojson", headers=world.carrier.auth()
    )
    assert [f["properties"]["kind"] for f in api.get_json()["features"]] == kinds


def test_without_a_track_the_map_shows_the_planned_route(client_for, world):
    m = trip_story(world, lines=2, track=False)
    features = client_for(world.plating).get(f"/web/manifests/{m.id}/map.geojson").get_json()
    assert [f["properties"]["kind"] for f in features["features"]] == ["route"]


def test_another_organisations_manifest_is_the_same_404_page_as_a_missing_one(client_for, world):
    m = create_manifest(world)
    outsider = client_for(world.outsider)
    other = outsider.get(f"/web/manifests/{m.id}")
    missing = outsider.get("/web/manifests/999999")
    assert other.status_code == missing.status_code == 404
    # The same page; only the language switch's link names the address asked for.
    assert without_csrf(other.get_data(as_text=True)).replace(
        f"manifests/{m.id}?", "manifests/N?"
    ) == without_csrf(missing.get_data(as_text=True)).replace("manifests/999999?", "manifests/N?")
    assert "恒美" not in other.get_data(as_text=True)
    assert outsider.get(f"/web/manifests/{m.id}/map.geojson").status_code == 404
    assert outsider.get("/web/manifests/99999999999999999999").status_code == 404


def test_a_signed_out_visitor_is_sent_to_sign_in(app, world):
    m = create_manifest(world)
    for path in (f"/web/manifests/{m.id}", f"/web/manifests/{m.id}/map.geojson"):
        answer = app.test_client().get(path)
        assert answer.status_code == 302 and "/web/signin" in answer.headers["Location"]


def test_the_regulator_sees_the_manifests_of_its_region(client_for, world):
    m = trip_story(world, lines=2)
    html = client_for(world.regulator).get(f"/web/manifests/{m.id}").get_data(as_text=True)
    assert m.number in html and "chain-valid" in html and "已核实：rejection" in html


def test_a_named_next_transporter_sees_the_manifest_but_not_its_chain_or_map(client_for, world):
    m = advance(world, create_manifest(world), "in_transit")
    name_next(world, m, world.carrier2)
    relay = client_for(world.carrier2)
    answer = relay.get(f"/web/manifests/{m.id}")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and m.number in html and 'data-line="1"' in html
    assert "custody-h" not in html and "trip-map" not in html and "findings-h" not in html
    assert relay.get(f"/web/manifests/{m.id}/map.geojson").status_code == 404


def test_english_on_request(client_for, world):
    m = trip_story(world, lines=2)
    client = client_for(world.plating)
    zh = client.get(f"/web/manifests/{m.id}").get_data(as_text=True)
    en = client.get(f"/web/manifests/{m.id}?lang=en").get_data(as_text=True)
    assert "交接与签名记录" in zh and "数量差异" in zh
    assert "Custody timeline" in en and "Quantity discrepancy" in en


def test_the_page_runs_as_many_queries_for_twenty_lines_events_and_findings_as_for_two(
    app, client_for, world
):
    small = trip_story(world, lines=2, routes=1)
    large = trip_story(world, lines=20, routes=14)
    client = client_for(world.centre)
    engine = app.extensions["hwm"]["engine"]
    counts = {}
    for m in (small, large):
        client.get(f"/web/manifests/{m.id}")  # warm: the first request may load more
        with count_queries(engine) as counted:
            assert client.get(f"/web/manifests/{m.id}").status_code == 200
        counts[m.id] = counted.count
    events = {m.id: len(manifest_events(world.uow.session, m.id)) for m in (small, large)}
    assert events[small.id] < 10 and events[large.id] >= 20
    assert counts[small.id] == counts[large.id], counts
    assert counts[large.id] <= 14, counts  # SQLite's BEGIN included


def test_the_tile_layer_is_a_setting_and_there_is_none_by_default(make_app, client_for, world):
    m = trip_story(world, lines=2, track=False)
    default = client_for(world.plating).get(f"/web/manifests/{m.id}")
    assert "&#34;tiles&#34;: &#34;&#34;" in default.get_data(as_text=True)
    assert "img-src 'self' data:;" in default.headers["Content-Security-Policy"]
    tiled = make_app(Settings(tile_url="https://tiles.example.cn/{z}/{x}/{y}.png"))
    client = tiled.test_client()
    assert sign_in(client, email_of(world.plating)).status_code == 302
    answer = client.get(f"/web/manifests/{m.id}")
    assert "&#34;tiles&#34;: &#34;https://tiles.example.cn/{z}/{x}/{y}.png&#34;" in answer.get_data(
        as_text=True
    )
    assert (
        "img-src 'self' data: https://tiles.example.cn;"
        in answer.headers["Content-Security-Policy"]
    )
