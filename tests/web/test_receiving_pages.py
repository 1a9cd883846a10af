"""The receiver's pages through the test client, on both databases: incoming loads, arrival,
decision, completion, weighbridge upload, every refusal with what was typed kept, and 404
for whoever the manifest is not shown to."""

from __future__ import annotations

import io
from datetime import timedelta
from html import unescape

from manifest.local_time import CHINA
from tests.builders import advance, create_manifest, now

from .conftest import csrf_token
from .queries import count_queries
from .test_transport_pages import errors_of, events, fresh, post


def arrival_form(quantities, moisture="") -> dict:
    data = {"moisture_pct": moisture}
    for i, q in enumerate(quantities):
        data[f"lines-{i}-quantity"] = q
        data[f"lines-{i}-waste_code"] = ""
        data[f"lines-{i}-physical_form"] = ""
    return data


def decision_form(rows) -> dict:
    data = {}
    for i, (accepted, rejected, reason) in enumerate(rows):
        data[f"lines-{i}-accepted"] = accepted
        data[f"lines-{i}-rejected"] = rejected
        data[f"lines-{i}-reason"] = reason
    return data


def test_incoming_lists_what_waits_for_the_receiver_with_bounded_queries(client_for, app, world):
    engine = app.extensions["hwm"]["engine"]
    client = client_for(world.centre)
    delivered = advance(world, create_manifest(world), "delivered")
    on_road = advance(world, create_manifest(world), "in_transit")
    client.get("/web/incoming")
    with count_queries(engine) as few:
        html = client.get("/web/incoming").get_data(as_text=True)
    assert f"/web/manifests/{delivered.id}/decision" in html
    assert f"/web/manifests/{on_road.id}/arrival" in html
    for status in ("in_transit", "delivered", "accepted", "in_transit", "delivered", "accepted"):
        advance(world, create_manifest(world), status)
    with count_queries(engine) as many:
        html = client.get("/web/incoming").get_data(as_text=True)
    assert html.count("<tr>") == 8 + 1  # the header row and eight loads
    assert many.count == few.count, many.statements
    # A carrier has no incoming loads: the page is not its.
    assert client_for(world.carrier).get("/web/incoming").status_code == 403


def test_arrival_signs_the_weighed_quantities_or_names_what_is_missing(client_for, world, uow):
    manifest = advance(world, create_manifest(world), "in_transit")
    client = client_for(world.centre)
    path = f"/web/manifests/{manifest.id}/arrival"
    before = events(uow, manifest.id)

    refused = post(client, path, arrival_form(["5.950", ""]))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "数量 必须是数字" in errors_of(html, "lines-1-quantity")
    assert 'value="5.950"' in html
    assert fresh(uow, manifest.id).status == "in_transit" and events(uow, manifest.id) == before

    signed = post(client, path, arrival_form(["5.950", "1480"]))
    assert (
        signed.status_code == 303 and signed.headers["Location"] == f"/web/manifests/{manifest.id}"
    )
    after = fresh(uow, manifest.id)
    assert after.status == "delivered"
    assert [str(ln.received) for ln in after.lines] == ["5.950", "1480.000"]


def test_a_sludge_arrival_without_moisture_is_refused_at_the_moisture_field(client_for, world, uow):
    manifest = advance(world, create_manifest(world, kind="sludge"), "in_transit")
    client = client_for(world.kiln)
    path = f"/web/manifests/{manifest.id}/arrival"

    refused = post(client, path, arrival_form(["19.5"]))
    assert refused.status_code == 422
    assert "污泥必填" in errors_of(refused.get_data(as_text=True), "moisture_pct")
    assert post(client, path, arrival_form(["19.5"], moisture="78.5")).status_code == 303
    assert str(fresh(uow, manifest.id).received_moisture_pct) == "78.50"


def test_a_partial_rejection_needs_its_reason(client_for, world, uow):
    manifest = advance(world, create_manifest(world), "delivered")
    client = client_for(world.centre)
    path = f"/web/manifests/{manifest.id}/decision"
    page = client.get(path).get_data(as_text=True)
    assert 'value="6.000"' in page  # every line accepted as received, to start with

    refused = post(client, path, decision_form([("6.000", "0", ""), ("1000", "500", "")]))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "第 2 行：拒收须填写原因" in errors_of(html, "lines-1-reason")
    assert 'value="500"' in html
    assert fresh(uow, manifest.id).status == "delivered"

    unbalanced = post(client, path, decision_form([("6.000", "1", ""), ("1500", "0", "")]))
    assert unbalanced.status_code == 422
    assert "第 1 行：接收 6 + 拒收 1 必须等于到达量 6 吨" in errors_of(
        unbalanced.get_data(as_text=True), "lines-0-accepted"
    )

    signed = post(client, path, decision_form([("6.000", "0", ""), ("1000", "500", "含油超标")]))
    assert signed.status_code == 303
    after = fresh(uow, manifest.id)
    assert after.status == "partially_rejected"
    assert after.lines[1].rejection_reason == "含油超标"


def test_completion_with_the_operation_code(client_for, world, uow):
    manifest = advance(world, create_manifest(world), "accepted")
    client = client_for(world.centre)
    path = f"/web/manifests/{manifest.id}/completion"
    page = client.get(path).get_data(as_text=True)
    assert 'value="D10"' in page
    done = (now() + timedelta(minutes=1)).astimezone(CHINA).strftime("%Y-%m-%dT%H:%M")

    refused = post(client, path, {"operation": "X9", "completed_at": done})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "处置方式 'X9' 不在 R1-R13、D1-D15 之中" in unescape(errors_of(html, "operation"))
    assert 'value="X9"' in html
    no_time = post(client, path, {"operation": "D10", "completed_at": "yesterday"})
    assert no_time.status_code == 422 and errors_of(no_time.get_data(as_text=True), "completed_at")
    assert fresh(uow, manifest.id).status == "accepted"

    signed = post(client, path, {"operation": "d 10", "completed_at": done})
    assert signed.status_code == 303
    after = fresh(uow, manifest.id)
    assert after.status == "completed" and after.completed_operation == "D10"


def test_another_organisation_gets_404_for_every_receiving_page(client_for, world, uow):
    manifest = advance(world, create_manifest(world), "delivered")
    stranger = client_for(world.kiln)
    for path in ("arrival", "decision", "completion"):
        assert stranger.get(f"/web/manifests/{manifest.id}/{path}").status_code == 404, path
    token = csrf_token(stranger.get("/web/incoming").get_data(as_text=True))
    refused = stranger.post(
        f"/web/manifests/{manifest.id}/decision",
        data={"csrf_token": token, **decision_form([("6", "0", ""), ("1500", "0", "")])},
    )
    assert refused.status_code == 404
    assert fresh(uow, manifest.id).status == "delivered"
    # The generator sees the manifest but may not sign for the receiver.
    assert (
        client_for(world.plating).get(f"/web/manifests/{manifest.id}/decision").status_code == 403
    )


def test_a_weighbridge_upload_shows_every_row_and_every_refused_line(client_for, world, uow):
    manifest = advance(world, create_manifest(world), "delivered")
    weighed = (now() - timedelta(minutes=20)).astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")
    csv = (
        "磅单号,车牌号,进场时间,毛重,皮重,净重,联单编号\n"
        f"B-001,粤J12345,{weighed},15000,7500,7500,{manifest.number}\n"
        f"B-002,粤A99999,{weighed},9000,8000,1000,\n"
        f"B-003,粤A99999,{weighed},9000,8000,abc,\n"
    ).encode()
    client = client_for(world.centre)

    first = post(client, "/web/receipts/upload", {"file": (io.BytesIO(csv), "day.csv")})
    again = post(client, "/web/receipts/upload", {"file": (io.BytesIO(csv), "day.csv")})

    html = first.get_data(as_text=True)
    assert first.status_code == 200
    assert '<dd class="count-created">2</dd>' in html
    assert '<dd class="count-matched">1</dd>' in html
    assert '<dd class="count-unmanifested">1</dd>' in html
    assert '<dd class="count-errors">1</dd>' in html
    assert f'<a href="/web/manifests/{manifest.id}">{manifest.number}</a>' in html
    assert 'class="outcome-matched"' in html and 'class="outcome-unmanifested"' in html
    assert "<td>4</td>" in html  # the refused row is named by its line in the file
    assert '<dd class="count-duplicates">2</dd>' in again.get_data(as_text=True)


def test_a_weighbridge_upload_refuses_a_missing_or_unusable_file_and_non_receivers(
    client_for, world
):
    client = client_for(world.centre)
    none = post(client, "/web/receipts/upload", {})
    assert none.status_code == 422 and errors_of(none.get_data(as_text=True), "file")
    columns = post(
        client, "/web/receipts/upload", {"file": (io.BytesIO(b"a,b\n1,2\n"), "wrong.csv")}
    )
    assert columns.status_code == 422 and "form-errors" in columns.get_data(as_text=True)
    assert client_for(world.carrier).get("/web/receipts/upload").status_code == 403
