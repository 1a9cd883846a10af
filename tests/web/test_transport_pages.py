"""The transporter's and driver's pages through the test client, on both databases: trips,
pickup, hand-over, GPS track upload, every refusal with what was typed kept, and 404 for
whoever the manifest is not shown to."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

from sqlalchemy import func, select

from manifest.models import CustodyEvent, GpsTrack, Manifest
from tests.builders import advance, create_manifest, name_next
from tests.reconcile.helpers import findings

from .conftest import csrf_token
from .queries import count_queries

GPX = Path(__file__).resolve().parents[1] / "data" / "gpx" / "kmart-to-middletown-rd.gpx"


def fresh(uow, manifest_id) -> Manifest:
    uow.session.rollback()  # see what the app committed
    uow.session.expire_all()
    return uow.session.get(Manifest, manifest_id)


def events(uow, manifest_id) -> int:
    uow.session.rollback()
    return uow.session.scalar(
        select(func.count())
        .select_from(CustodyEvent)
        .where(CustodyEvent.manifest_id == manifest_id)
    )


def post(client, path: str, data: dict, **kwargs):
    """Send a page's form like a browser: the CSRF token read from the page first."""
    token = csrf_token(client.get(path).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **data}, **kwargs)


def pickup_form(manifest, plate="粤J12345", driver="王师傅", quantities=None) -> dict:
    quantities = quantities or [str(ln.declared) for ln in manifest.lines]
    data = {"vehicle_plate": plate, "driver": driver}
    for i, q in enumerate(quantities):
        data[f"lines-{i}-quantity"] = q
    return data


def errors_of(html: str, field_id: str) -> str:
    found = re.search(
        rf'<ul class="errors" id="{re.escape(field_id)}-errors">(.*?)</ul>', html, re.S
    )
    assert found, f"no error shown at {field_id}"
    return found.group(1)


def test_a_driver_sees_todays_trips_with_only_what_a_driver_may_do(client_for, world):
    issued = advance(world, create_manifest(world), "issued")
    on_road = advance(world, create_manifest(world), "in_transit")

    html = client_for(world.carrier, "driver").get("/web/trips").get_data(as_text=True)

    assert issued.number in html and on_road.number in html
    assert f"/web/manifests/{issued.id}/pickup" in html
    assert f"/web/manifests/{on_road.id}/tracks" in html
    assert "/handover" not in html  # naming the next transporter is not a driver's
    admin = client_for(world.carrier).get("/web/trips").get_data(as_text=True)
    assert f"/web/manifests/{on_road.id}/handover" in admin


def test_the_trips_list_runs_the_same_queries_for_two_or_eight_trips(client_for, app, world):
    engine = app.extensions["hwm"]["engine"]
    client = client_for(world.carrier, "driver")
    for _ in range(2):
        advance(world, create_manifest(world), "in_transit")
    client.get("/web/trips")
    with count_queries(engine) as few:
        assert client.get("/web/trips").status_code == 200
    for _ in range(6):
        advance(world, create_manifest(world), "in_transit")
    with count_queries(engine) as many:
        html = client.get("/web/trips").get_data(as_text=True)
    assert html.count('class="card"') == 8
    assert many.count == few.count, many.statements


def test_pickup_is_prefilled_and_signs_the_loaded_quantities(client_for, world, uow):
    manifest = advance(world, create_manifest(world), "issued")
    client = client_for(world.carrier, "driver")
    page = client.get(f"/web/manifests/{manifest.id}/pickup").get_data(as_text=True)
    assert 'value="粤J12345"' in page and 'value="6.000"' in page

    answer = post(
        client,
        f"/web/manifests/{manifest.id}/pickup",
        pickup_form(manifest, quantities=["5.800", "1500"]),
    )

    assert answer.status_code == 303
    assert answer.headers["Location"] == f"/web/manifests/{manifest.id}"
    after = fresh(uow, manifest.id)
    assert after.status == "in_transit" and after.driver == "王师傅"
    assert [str(ln.loaded) for ln in after.lines] == ["5.800", "1500.000"]


def test_a_refused_pickup_names_the_field_and_keeps_what_was_typed(client_for, world, uow):
    manifest = advance(world, create_manifest(world), "issued")
    client = client_for(world.carrier, "driver")
    before = events(uow, manifest.id)

    answer = post(
        client,
        f"/web/manifests/{manifest.id}/pickup",
        pickup_form(manifest, plate="粤E54321", driver="赵师傅", quantities=["5.5", "lots"]),
    )

    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "不是该承运人的车辆" in errors_of(html, "vehicle_plate")
    assert 'value="粤E54321"' in html and 'value="赵师傅"' in html
    assert 'value="5.5"' in html and 'value="lots"' in html
    assert fresh(uow, manifest.id).status == "issued" and events(uow, manifest.id) == before

    answer = post(
        client,
        f"/web/manifests/{manifest.id}/pickup",
        pickup_form(manifest, quantities=["5.5", "lots"]),
    )
    assert answer.status_code == 422
    assert "数量 必须是数字" in errors_of(answer.get_data(as_text=True), "lines-1-quantity")
    assert fresh(uow, manifest.id).status == "issued"


def test_another_organisation_gets_404_for_every_transport_page(client_for, world, uow):
    manifest = advance(world, create_manifest(world), "in_transit")
    stranger = client_for(world.carrier2)
    for path in ("pickup", "handover", "handover/take", "tracks", "tracks/1"):
        assert stranger.get(f"/web/manifests/{manifest.id}/{path}").status_code == 404, path
    token = csrf_token(stranger.get("/web/trips").get_data(as_text=True))
    refused = stranger.post(
        f"/web/manifests/{manifest.id}/handover/take",
        data={"csrf_token": token, **pickup_form(manifest, plate="粤E54321")},
    )
    assert refused.status_code == 404
    assert fresh(uow, manifest.id).transporter_id == world.carrier.id
    # No such manifest at all: the same page.
    assert stranger.get("/web/manifests/999999/pickup").status_code == 404


def test_a_pickup_signed_by_someone_else_first_says_so_and_shows_the_manifest(
    client_for, world, uow
):
    manifest = advance(world, create_manifest(world), "issued")
    first, second = client_for(world.carrier, "driver"), client_for(world.carrier)
    token = csrf_token(second.get(f"/web/manifests/{manifest.id}/pickup").get_data(as_text=True))
    assert (
        post(first, f"/web/manifests/{manifest.id}/pickup", pickup_form(manifest)).status_code
        == 303
    )

    late = second.post(
        f"/web/manifests/{manifest.id}/pickup",
        data={"csrf_token": token, **pickup_form(manifest, driver="迟到")},
    )

    assert late.status_code == 303 and late.headers["Location"] == f"/web/manifests/{manifest.id}"
    flashed = second.get("/web/trips").get_data(as_text=True)
    assert "flash-warning" in flashed
    assert fresh(uow, manifest.id).driver == "王师傅"


def test_handover_named_by_the_carrier_and_signed_by_the_next(client_for, world, uow):
    manifest = advance(world, create_manifest(world), "in_transit")
    driver = client_for(world.carrier, "driver")
    assert driver.get(f"/web/manifests/{manifest.id}/handover").status_code == 403

    named = post(
        client_for(world.carrier),
        f"/web/manifests/{manifest.id}/handover",
        {"transporter_id": str(world.carrier2.id)},
    )
    assert named.status_code == 303
    assert fresh(uow, manifest.id).next_transporter_id == world.carrier2.id

    taker = client_for(world.carrier2)
    page = taker.get(f"/web/manifests/{manifest.id}/handover/take").get_data(as_text=True)
    assert 'value="6.000"' in page  # the loaded quantities, to check and sign
    refused = post(
        taker,
        f"/web/manifests/{manifest.id}/handover/take",
        pickup_form(manifest, plate="粤J12345", driver="陈师傅"),
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "车辆 粤J12345 不属于该承运人" in errors_of(html, "vehicle_plate")
    assert 'value="陈师傅"' in html

    taken = post(
        taker,
        f"/web/manifests/{manifest.id}/handover/take",
        pickup_form(manifest, plate="粤E54321", driver="陈师傅"),
    )
    assert taken.status_code == 303
    after = fresh(uow, manifest.id)
    assert after.transporter_id == world.carrier2.id and after.next_transporter_id is None


def test_naming_oneself_as_next_is_refused_at_the_field(client_for, world, uow):
    manifest = advance(world, create_manifest(world), "in_transit")
    name_next(world, manifest, world.carrier2)
    answer = post(
        client_for(world.carrier),
        f"/web/manifests/{manifest.id}/handover",
        {"transporter_id": str(world.carrier.id)},
    )
    assert answer.status_code == 422
    assert "货物已在该承运人处" in errors_of(answer.get_data(as_text=True), "transporter_id")
    assert fresh(uow, manifest.id).next_transporter_id == world.carrier2.id
    # The current carrier's page shows the naming; choosing nobody withdraws it.
    page = client_for(world.carrier).get(f"/web/manifests/{manifest.id}/handover")
    assert "广东顺通物流有限公司" in page.get_data(as_text=True)
    withdrawn = post(
        client_for(world.carrier), f"/web/manifests/{manifest.id}/handover", {"transporter_id": "0"}
    )
    assert withdrawn.status_code == 303
    assert fresh(uow, manifest.id).next_transporter_id is None


def test_a_gpx_upload_shows_its_analysis_and_findings(client_for, world, uow):
    manifest = advance(world, create_manifest(world), "in_transit")
    client = client_for(world.carrier, "driver")
    path = f"/web/manifests/{manifest.id}/tracks"

    with GPX.open("rb") as gpx:
        answer = post(client, path, {"crs": "wgs84", "file": (gpx, "trip.gpx")})

    assert answer.status_code == 303
    uow.session.rollback()
    track = uow.session.scalar(select(GpsTrack).where(GpsTrack.manifest_id == manifest.id))
    assert answer.headers["Location"] == f"{path}/{track.id}"
    html = client.get(answer.headers["Location"]).get_data(as_text=True)
    summary = json.loads(track.analysis)["summary"]
    assert f"<dd>{summary['length_km']} km</dd>" in html and "<dd>343</dd>" in html
    # The trip was driven far from the plant and the disposal centre: both are findings.
    assert html.count('<tr class="severity-warning">') == 2
    assert len(findings(uow, manifest.id)) == 2


def test_a_bad_gpx_file_is_refused_at_the_file_field(client_for, world, uow):
    manifest = advance(world, create_manifest(world), "in_transit")
    client = client_for(world.carrier, "driver")
    path = f"/web/manifests/{manifest.id}/tracks"

    answer = post(client, path, {"crs": "wgs84", "file": (io.BytesIO(b"<gpx"), "x.gpx")})
    assert answer.status_code == 422
    assert errors_of(answer.get_data(as_text=True), "file")
    none = post(client, path, {"crs": "wgs84"})
    assert none.status_code == 422 and errors_of(none.get_data(as_text=True), "file")
    unknown = post(client, path, {"crs": "mars", "file": (GPX.open("rb"), "trip.gpx")})
    html = unknown.get_data(as_text=True)
    assert unknown.status_code == 422 and errors_of(html, "crs")
    uow.session.rollback()
    assert uow.session.scalar(select(func.count()).select_from(GpsTrack)) == 0
