"""The generator's pages through the test client: filing, editing, issuing after the
checks, cancelling, the list with its CSV, the PDF, and 404 for every other organisation's
manifest."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from manifest.local_time import CHINA
from manifest.models import Manifest
from manifest.services import lifecycle
from tests.builders import advance, create_manifest, now

from .conftest import csrf_token


def local_pickup(hours: int = 2) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).astimezone(CHINA).strftime("%Y-%m-%dT%H:%M")


def draft_fields(world, **changes) -> dict:
    """The new-manifest form as a browser sends it: a hazardous draft of one line."""
    fields = {
        "kind": "hazardous",
        "receiver_id": str(world.centre.id),
        "transporter_id": str(world.carrier.id),
        "vehicle_plate": "粤J12345",
        "next_transporter_id": "",
        "operation": "D10",
        "planned_pickup_at": local_pickup(),
        "moisture_pct": "",
        "heavy_metal_report": "",
        "notes": "",
        "code_query": "",
        "lines-0-waste_code": "336-064-17",
        "lines-0-name": "电镀污泥",
        "lines-0-physical_form": "SS",
        "lines-0-hazard": ["T"],
        "lines-0-packaging": "吨袋",
        "lines-0-container_count": "8",
        "lines-0-quantity": "6",
        "lines-0-unit": "t",
        "lines-0-density_t_m3": "",
        "save": "1",
    }
    fields.update(changes)
    return fields


def post_form(client, url: str, fields: dict):
    """Open the form at ``url`` and send ``fields`` with its CSRF token, as a browser would."""
    token = csrf_token(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **fields})


def fresh(uow, manifest_id: int) -> Manifest:
    """The manifest as the app left it (the test's session forgets what it had read)."""
    uow.session.rollback()
    uow.session.expire_all()
    return uow.session.get(Manifest, manifest_id)


def manifests(uow) -> int:
    uow.session.rollback()
    return uow.session.scalar(select(func.count()).select_from(Manifest))


def errors_of(html: str, field_id: str) -> str:
    """The text of a field's error list (empty when it has none)."""
    found = re.search(
        rf'<ul class="errors" id="{re.escape(field_id)}-errors">(.*?)</ul>', html, re.S
    )
    return "" if found is None else re.sub(r"<[^>]+>", " ", found.group(1))


def form_errors_of(html: str) -> str:
    """The text of the refusals shown above the form."""
    found = re.search(r'<div class="form-errors" role="alert">(.*?)</div>', html, re.S)
    return "" if found is None else re.sub(r"<[^>]+>", " ", found.group(1))


# ---------------------------------------------------------------- filing a draft


def test_a_draft_is_filed_and_leads_to_the_issue_step(client_for, world, uow):
    client = client_for(world.plating)
    form = client.get("/web/manifests/new").get_data(as_text=True)
    assert world.centre.org.name in form and world.carrier.org.name in form
    fields = draft_fields(world)  # once: a second call may fall in the next minute
    answer = post_form(client, "/web/manifests/new", fields)
    assert answer.status_code == 302, answer.get_data(as_text=True)[:3000]
    uow.session.rollback()
    saved = uow.session.scalars(select(Manifest).order_by(Manifest.id.desc())).first()
    assert answer.headers["Location"] == f"/web/manifests/{saved.id}/issue"
    assert saved.status == "draft" and saved.generator_id == world.plating.id
    assert [(ln.waste_code, str(ln.declared), ln.hazard) for ln in saved.lines] == [
        ("336-064-17", "6.000", "T")
    ]
    assert (
        saved.planned_pickup_at.astimezone(CHINA).strftime("%Y-%m-%dT%H:%M")
        == fields["planned_pickup_at"]
    )


def test_a_refused_draft_keeps_what_was_typed_and_names_field_and_rule(client_for, world, uow):
    before = manifests(uow)
    client = client_for(world.plating)
    answer = post_form(
        client,
        "/web/manifests/new",
        draft_fields(world, **{"lines-0-quantity": "-3", "lines-0-name": "含镍电镀污泥"}),
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert 'value="含镍电镀污泥"' in html and 'value="-3"' in html
    assert errors_of(html, "lines-0-quantity").strip()
    assert manifests(uow) == before


def test_lines_of_two_categories_are_refused_above_the_lines(client_for, world, uow):
    before = manifests(uow)
    fields = draft_fields(
        world,
        **{
            "lines-1-waste_code": "900-041-49",
            "lines-1-name": "废包装桶",
            "lines-1-physical_form": "S",
            "lines-1-quantity": "1",
            "lines-1-unit": "t",
        },
    )
    answer = post_form(client_for(world.plating), "/web/manifests/new", fields)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    refusal = form_errors_of(html)
    assert "一张联单只能包含一个废物类别" in refusal and "HW17、HW49" in refusal
    assert 'value="900-041-49"' in html and 'value="废包装桶"' in html
    assert manifests(uow) == before


def test_a_receiver_whose_licence_does_not_cover_the_code_is_refused(client_for, world, uow):
    before = manifests(uow)
    client = client_for(world.plating)
    # The kiln's licence covers HW17 and HW18, with R5 and D10; not HW22.
    fields = draft_fields(
        world, receiver_id=str(world.kiln.id), **{"lines-0-waste_code": "397-004-22"}
    )
    html = post_form(client, "/web/manifests/new", fields).get_data(as_text=True)
    assert "接受人的许可证不涵盖这些废物代码" in errors_of(html, "receiver_id")
    assert 'value="397-004-22"' in html
    assert manifests(uow) == before
    # What the drafts service refuses shows beside it, in the same answer.
    both = post_form(client, "/web/manifests/new", {**fields, "lines-0-quantity": "0"})
    html = both.get_data(as_text=True)
    assert errors_of(html, "receiver_id") and errors_of(html, "lines-0-quantity")
    # Offered are only those it covers: after updating the choices, the kiln is gone.
    refreshed = post_form(client, "/web/manifests/new", {**fields, "save": "", "refresh": "1"})
    assert refreshed.status_code == 200
    receivers = re.search(
        r'<select[^>]*id="receiver_id".*?</select>', refreshed.get_data(as_text=True), re.S
    ).group(0)
    assert world.centre.org.name in receivers and world.kiln.org.name not in receivers


def test_a_vehicle_from_another_fleet_is_refused(client_for, world, uow):
    before = manifests(uow)
    answer = post_form(
        client_for(world.plating),
        "/web/manifests/new",
        draft_fields(world, vehicle_plate="粤E54321"),
    )
    assert answer.status_code == 422
    assert "车辆必须是该承运人在用的车辆" in errors_of(
        answer.get_data(as_text=True), "vehicle_plate"
    )
    assert manifests(uow) == before


def test_adding_a_line_and_searching_codes_keep_the_form_and_save_nothing(client_for, world, uow):
    before = manifests(uow)
    client = client_for(world.plating)
    added = post_form(
        client, "/web/manifests/new", draft_fields(world, save="", add_line="1", notes="下午装车")
    )
    html = added.get_data(as_text=True)
    assert added.status_code == 200
    assert 'id="lines-1-waste_code"' in html and 'value="336-064-17"' in html and "下午装车" in html
    found = post_form(
        client,
        "/web/manifests/new",
        draft_fields(world, save="", search="1", code_query="表面处理"),
    )
    assert "HW17" in found.get_data(as_text=True)
    assert manifests(uow) == before


def test_the_json_endpoints_search_the_catalogue_and_offer_parties(client_for, world):
    client = client_for(world.plating)
    codes = client.get("/web/manifests/waste-codes.json?q=表面处理").get_json()
    assert {"code": "HW17", "name": "表面处理废物"} in codes["items"]
    offered = client.get("/web/manifests/choices.json?code=397-004-22&operation=D10").get_json()
    assert [r["id"] for r in offered["receivers"]] == [world.centre.id]
    assert {
        "plate": "粤J12345",
        "transporter_id": world.carrier.id,
        "max_load_t": "10",
    } in offered["vehicles"]
    # Without a session the endpoints answer nothing but the way to sign in.
    assert (
        world.uow
        and client.application.test_client().get("/web/manifests/choices.json").status_code == 302
    )


# ---------------------------------------------------------------- edit, issue, cancel


def test_a_draft_is_edited_with_its_stored_values_shown(client_for, world, uow):
    draft = create_manifest(world)
    client = client_for(world.plating)
    html = client.get(f"/web/manifests/{draft.id}/edit").get_data(as_text=True)
    assert 'value="6.000"' in html and 'value="336-063-17"' in html
    fields = draft_fields(world, **{"lines-0-quantity": "7.5"})
    answer = post_form(client, f"/web/manifests/{draft.id}/edit", fields)
    assert answer.status_code == 302
    edited = fresh(uow, draft.id)
    assert [str(ln.declared) for ln in edited.lines] == ["7.500"]


def test_issuing_lists_every_failed_check_next_to_its_field_then_issues(client_for, world, uow):
    # 12 t on a vehicle for 10 t, and a volume with no density.
    draft = create_manifest(
        world,
        lines=[
            {
                "waste_code": "336-064-17",
                "name": "电镀污泥",
                "physical_form": "SS",
                "quantity": "12",
                "unit": "t",
            },
            {
                "waste_code": "336-063-17",
                "name": "电镀废液",
                "physical_form": "L",
                "quantity": "2",
                "unit": "m3",
            },
        ],
    )
    client = client_for(world.plating)
    preview = client.get(f"/web/manifests/{draft.id}/issue").get_data(as_text=True)
    vehicle_row = re.search(
        r'<tr id="check-vehicle_plate" class="has-failure">.*?</tr>', preview, re.S
    )
    assert vehicle_row and "装载量不得超过车辆最大载重" in vehicle_row.group(0)
    line_row = re.search(r'<tr id="check-line2" class="has-failure">.*?</tr>', preview, re.S)
    assert line_row and "line_mass_known" in line_row.group(0)
    refused = post_form(client, f"/web/manifests/{draft.id}/issue", {"confirm": "1"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'id="check-vehicle_plate" class="has-failure"' in html
    assert fresh(uow, draft.id).status == "draft"
    fixed = draft_fields(
        world,
        vehicle_plate="粤J88888",
        **{"lines-0-quantity": "12"},
    )
    assert post_form(client, f"/web/manifests/{draft.id}/edit", fixed).status_code == 302
    issued = post_form(client, f"/web/manifests/{draft.id}/issue", {"confirm": "1"})
    assert issued.status_code == 302
    manifest = fresh(uow, draft.id)
    assert manifest.status == "issued" and manifest.number
    assert issued.headers["Location"].endswith(f"number={manifest.number}")


def test_cancelling_needs_a_reason_and_records_it(client_for, world, uow):
    draft = create_manifest(world)
    client = client_for(world.plating)
    refused = post_form(client, f"/web/manifests/{draft.id}/cancel", {"reason": ""})
    assert refused.status_code == 422
    assert "作废需要说明原因" in errors_of(refused.get_data(as_text=True), "reason")
    done = post_form(client, f"/web/manifests/{draft.id}/cancel", {"reason": "客户取消本次转移"})
    assert done.status_code == 302
    cancelled = fresh(uow, draft.id)
    assert cancelled.status == "cancelled" and cancelled.cancel_reason == "客户取消本次转移"


def test_an_issued_manifest_is_no_longer_editable_and_a_moving_one_not_cancellable(
    client_for, world
):
    draft = advance(world, create_manifest(world), "issued")
    client = client_for(world.plating)
    answer = client.get(f"/web/manifests/{draft.id}/edit")
    assert answer.status_code == 302 and answer.headers["Location"] == f"/web/manifests/{draft.id}"
    assert client.get(f"/web/manifests/{draft.id}/cancel").status_code == 200
    advance(world, fresh(world.uow, draft.id), "in_transit")
    answer = client.get(f"/web/manifests/{draft.id}/cancel")
    assert answer.status_code == 302 and answer.headers["Location"] == f"/web/manifests/{draft.id}"
    assert client.get(f"/web/manifests/{draft.id}/issue").status_code == 302


@pytest.mark.parametrize(
    "path", ["/edit", "/issue", "/cancel", ".pdf"], ids=["edit", "issue", "cancel", "pdf"]
)
def test_another_organisations_manifest_is_a_404_page(client_for, world, uow, path):
    draft = create_manifest(world)
    stranger = client_for(world.outsider)
    for url in (f"/web/manifests/{draft.id}{path}", f"/web/manifests/999999999{path}"):
        answer = stranger.get(url)
        assert answer.status_code == 404 and "text/html" in answer.content_type
    if path != ".pdf":
        token = csrf_token(stranger.get("/web/manifests/new").get_data(as_text=True))
        answer = stranger.post(
            f"/web/manifests/{draft.id}{path}",
            data={"csrf_token": token, "reason": "x", "confirm": "1"},
        )
        assert answer.status_code == 404
    assert fresh(uow, draft.id).status == "draft"


def test_a_party_that_is_not_the_generator_may_not_edit_and_a_reader_may_not_file(
    client_for, world, uow
):
    draft = create_manifest(world)
    assert client_for(world.centre).get(f"/web/manifests/{draft.id}/edit").status_code == 403
    assert client_for(world.plating, "reader").get("/web/manifests/new").status_code == 403


# ---------------------------------------------------------------- list, CSV, PDF


def test_the_list_filters_and_the_csv_holds_the_same_manifests(client_for, world, uow):
    to_centre = create_manifest(world)
    to_kiln = create_manifest(
        world,
        receiver_id=world.kiln.id,
        operation="R5",
        lines=[
            {
                "waste_code": "336-064-17",
                "name": "电镀污泥",
                "physical_form": "SS",
                "quantity": "3",
                "unit": "t",
            }
        ],
    )
    issued = lifecycle.issue_manifest(
        world.uow, actor=world.plating.actor(), ref=to_kiln.id, at=now()
    )
    client = client_for(world.plating)
    everything = client.get("/web/manifests").get_data(as_text=True)
    assert f"/web/manifests/{to_centre.id}/edit" in everything and issued.number in everything
    only_kiln = client.get(f"/web/manifests?receiver={world.kiln.id}").get_data(as_text=True)
    assert issued.number in only_kiln and f"/web/manifests/{to_centre.id}/edit" not in only_kiln
    by_code = client.get("/web/manifests?code=336-063-17").get_data(as_text=True)
    assert f"/web/manifests/{to_centre.id}/edit" in by_code and issued.number not in by_code
    drafts = client.get("/web/manifests?status=draft&number=").get_data(as_text=True)
    assert issued.number not in drafts
    exported = client.get(f"/web/manifests.csv?receiver={world.kiln.id}")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == "联单编号" and [r[0] for r in rows[1:]] == [issued.number]
    assert rows[1][7] == world.kiln.org.name
    bad = client.get("/web/manifests?date_from=yesterday")
    assert bad.status_code == 422 and "date_from" in bad.get_data(as_text=True)


def test_the_pdf_prints_for_the_generator(client_for, world):
    draft = create_manifest(world)
    answer = client_for(world.plating).get(f"/web/manifests/{draft.id}.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert answer.data.startswith(b"%PDF")


def test_the_list_runs_as_many_queries_for_30_manifests_as_for_one(client_for, world, app):
    from .queries import count_queries

    client = client_for(world.plating)
    create_manifest(world)
    client.get("/web/manifests")  # warm up: the first request loads what every request reuses
    with count_queries(app.extensions["hwm"]["engine"]) as one:
        assert client.get("/web/manifests").status_code == 200
    for _ in range(29):
        create_manifest(world)
    with count_queries(app.extensions["hwm"]["engine"]) as thirty:
        html = client.get("/web/manifests").get_data(as_text=True)
    assert html.count("/edit") == 25  # a full page of 25
    assert thirty.count == one.count, thirty.statements
    # The signed-in user, the receivers of the filter, the page with its total, its lines
    # and its legs (and SQLite's BEGIN).
    assert one.count <= 6, one.statements


def test_the_pages_render_in_english_on_request(client_for, world):
    draft = create_manifest(world)
    client = client_for(world.plating)
    listing = client.get("/web/manifests?lang=en").get_data(as_text=True)
    assert "Export CSV" in listing and "New manifest" in listing and "导出" not in listing
    form = client.get("/web/manifests/new").get_data(as_text=True)
    assert "Save draft" in form and "D10 " in form
    issue = client.get(f"/web/manifests/{draft.id}/issue").get_data(as_text=True)
    assert "Every check passes" in issue and "Sign and issue" in issue
