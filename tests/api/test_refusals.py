"""Every bad request is refused with the right status and a field-level reason, and changes
nothing."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from manifest.models import Licence, Vehicle
from manifest.services import registry
from manifest.services.catalogue_search import import_catalogue

from .http import API, ago, create, events, get, hazardous, post, sludge

SAMPLE_CATALOGUE = Path(__file__).parent.parent / "data" / "catalogue-sample.csv"


def line(**overrides) -> dict:
    return {
        "waste_code": "336-064-17",
        "name": "电镀污泥",
        "physical_form": "SS",
        "hazard": ["T"],
        "quantity": "6",
        "unit": "t",
        **overrides,
    }


def refused(r, status: int, *fields: str) -> dict:
    """Assert the error body's shape and that it names each of ``fields``."""
    assert r.status_code == status, (r.status_code, r.get_json())
    body = r.get_json()
    assert set(body) >= {"code", "message", "errors"}
    for field in fields:
        assert field in body["errors"], (field, body)
    return body


def count(client, party) -> int:
    return int(get(client, "/manifests", party).headers["X-Total-Count"])


@pytest.fixture
def catalogue(world):
    """The regulator has loaded the official list (a sample of it)."""
    import_catalogue(world.uow, SAMPLE_CATALOGUE)


# ---------------------------------------------------------------- filing a draft


WRONG_FIELDS = [
    ({"transporter_id": "carrier"}, "transporter_id"),
    ({"receiver_id": 1.5}, "receiver_id"),
    ({"kind": 3}, "kind"),
    ({"kind": "radioactive"}, "kind"),
    ({"lines": "336-064-17"}, "lines"),
    ({"lines": []}, "lines"),
    ({"planned_pickup_at": "next Tuesday"}, "planned_pickup_at"),
    ({"planned_pickup_at": "2026-05-01T08:00:00"}, "planned_pickup_at"),  # no offset
    ({"vehicle_plate": "粤J-1"}, "vehicle_plate"),
    ({"operation": "X9"}, "operation"),
    ({"moisture_pct": "120"}, "moisture_pct"),
    ({"lines": [line(quantity=["6"])]}, "lines.0.quantity"),
    ({"lines": [line(container_count="8")]}, "lines.0.container_count"),
    ({"lines": [line(physical_form="solid")]}, "lines.0.physical_form"),
    ({"lines": [line(unit="lb")]}, "lines.0.unit"),
    ({"lines": [line(hazard=["X"])]}, "lines.0.hazard.0"),
    ({"transporter_id": 2**31}, "transporter_id"),
    ({"planned_pickup_at": "0001-01-01T00:00:00+14:00"}, "planned_pickup_at"),
    ({"notes": "a\u0000b"}, "notes"),
    ({"lines": [line(name="\u0000")]}, "lines.0.name"),
]
BAD_QUANTITIES = [
    "-1",
    -0.5,
    "0",
    "1e9",
    "100001",
    1e400,
    "NaN",
    "Infinity",
    "1.2345",
    0.0001,
    "",
    "six",
    True,
    None,
    [],
    {},
]


def test_wrong_types_and_values_are_named(client, world):
    for change, field in WRONG_FIELDS:
        r = post(client, "/manifests", world.plating, hazardous(world, **change))
        body = refused(r, 422, field)
        assert body["code"] == "validation_failed"
    assert count(client, world.plating) == 0


def test_bad_quantities_are_refused(client, world):
    for quantity in BAD_QUANTITIES:
        r = post(
            client, "/manifests", world.plating, hazardous(world, lines=[line(quantity=quantity)])
        )
        refused(r, 422, "lines.0.quantity")
    assert count(client, world.plating) == 0


def test_moisture_has_two_decimals_at_most(client, world):
    for moisture in ("99.999", "80.125", "100", "-1"):
        r = post(client, "/manifests", world.wwtp, sludge(world, moisture_pct=moisture))
        refused(r, 422, "moisture_pct")
    assert (
        create(client, world, sludge(world, moisture_pct="79.55"), party=world.wwtp)["moisture_pct"]
        == "79.550"
    )


def test_json_nan_literal_is_refused(client, world):
    text = json.dumps(hazardous(world, lines=[line()])).replace('"6"', "NaN")
    assert "NaN" in text
    r = client.post(
        f"{API}/manifests", data=text, content_type="application/json", headers=world.plating.auth()
    )
    assert r.status_code in (400, 422), r.get_json()
    assert r.get_json()["code"] in ("malformed_json", "validation_failed")
    assert count(client, world.plating) == 0


def test_three_decimals_are_kept_exactly(client, world):
    m = create(
        client,
        world,
        hazardous(world, lines=[line(quantity="6.125"), line(quantity=0.1, unit="kg")]),
    )
    assert [ln["declared"] for ln in m["lines"]] == ["6.125", "0.100"]


def test_malformed_waste_code(client, world):
    r = post(
        client, "/manifests", world.plating, hazardous(world, lines=[line(waste_code="336-064-41")])
    )
    body = refused(r, 422, "lines.0.waste_code")
    assert "HW41" in " ".join(body["errors"]["lines.0.waste_code"])


def test_unknown_waste_code_once_the_list_is_loaded(client, world, catalogue):
    r = post(
        client, "/manifests", world.plating, hazardous(world, lines=[line(waste_code="336-999-17")])
    )
    body = refused(r, 422, "lines.0.waste_code")
    assert "336-999-17" in " ".join(body["errors"]["lines.0.waste_code"])
    assert (
        post(client, "/manifests", world.plating, hazardous(world, lines=[line()])).status_code
        == 201
    )


def test_code_whose_category_does_not_match_the_list(client, world, catalogue):
    """336-064 is a surface-treatment (HW17) entry; 336-064-18 is not on the list."""
    r = post(
        client, "/manifests", world.plating, hazardous(world, lines=[line(waste_code="336-064-18")])
    )
    body = refused(r, 422, "lines.0.waste_code")
    assert "336-064-18" in " ".join(body["errors"]["lines.0.waste_code"])


def test_sewage_sludge_code_on_a_hazardous_manifest(client, world):
    r = post(
        client,
        "/manifests",
        world.plating,
        hazardous(world, lines=[line(waste_code="462-001-S07")]),
    )
    refused(r, 422, "lines.0.waste_code")


def test_two_categories_on_one_manifest(client, world):
    r = post(
        client,
        "/manifests",
        world.plating,
        hazardous(
            world, lines=[line(), line(waste_code="900-214-08", name="废机油", physical_form="L")]
        ),
    )
    body = refused(r, 422, "lines")
    assert "HW08" in body["errors"]["lines"][0] and "HW17" in body["errors"]["lines"][0]


def test_unknown_organisations(client, world):
    r = post(
        client,
        "/manifests",
        world.plating,
        hazardous(world, receiver_id=987654, transporter_id=world.centre.id),
    )
    body = refused(r, 422, "receiver_id", "transporter_id")
    assert body["errors"]["receiver_id"] == ["unknown organisation"]


def test_unknown_fields_are_refused(client, world):
    r = post(client, "/manifests", world.plating, hazardous(world, status="completed"))
    refused(r, 422, "status")
    r = post(client, "/manifests", world.plating, hazardous(world, lines=[line(colour="grey")]))
    refused(r, 422, "lines.0.colour")


# ---------------------------------------------------------------- signing moves


def test_a_move_signed_before_the_previous_one(client, world):
    m = create(client, world)
    assert (
        post(client, f"/manifests/{m['id']}/issue", world.plating, {"at": ago(hours=1)}).status_code
        == 200
    )
    r = post(
        client,
        f"/manifests/{m['id']}/pickup",
        world.carrier,
        {
            "vehicle_plate": "粤J12345",
            "driver": "李师傅",
            "at": ago(hours=2),
            "lines": [{"line_no": 1, "quantity": "6"}, {"line_no": 2, "quantity": "1500"}],
        },
    )
    refused(r, 422, "at")
    assert get(client, f"/manifests/{m['id']}", world.carrier).get_json()["status"] == "issued"


def test_a_time_in_the_future(client, world):
    m = create(client, world)
    tomorrow = ago(hours=-24)
    refused(post(client, f"/manifests/{m['id']}/issue", world.plating, {"at": tomorrow}), 422, "at")
    assert get(client, f"/manifests/{m['id']}", world.plating).get_json()["status"] == "draft"


def test_decision_must_add_up_and_a_rejection_needs_a_reason(client, world):
    from tests.builders import advance, create_manifest

    m = advance(world, create_manifest(world), "delivered")
    path = f"/manifests/{m.id}/decide"
    r = post(
        client,
        path,
        world.centre,
        {
            "lines": [
                {"line_no": 1, "accepted": "5", "rejected": "0.5"},
                {"line_no": 2, "accepted": "1500", "rejected": "0"},
            ]
        },
    )
    assert "6.000" in " ".join(refused(r, 422, "lines.0")["errors"]["lines.0"])
    r = post(
        client,
        path,
        world.centre,
        {
            "lines": [
                {"line_no": 1, "accepted": "5", "rejected": "1"},
                {"line_no": 2, "accepted": "1500", "rejected": "0"},
            ]
        },
    )
    assert "reason" in " ".join(refused(r, 422, "lines.0.reason")["errors"]["lines.0.reason"])
    r = post(
        client, path, world.centre, {"lines": [{"line_no": 1, "accepted": "6", "rejected": "0"}]}
    )
    refused(r, 422, "lines")
    assert get(client, f"/manifests/{m.id}", world.centre).get_json()["status"] == "delivered"
    assert [e["action"] for e in events(client, world.centre, m.id)][-1] == "deliver"


def test_roles_that_may_not_act(client, world):
    from tests.builders import advance, create_manifest

    m = create(client, world)
    r = post(
        client, f"/manifests/{m['id']}/issue", world.plating, {"at": ago(minutes=5)}, role="reader"
    )
    assert refused(r, 403)["code"] == "forbidden"
    assert (
        post(client, "/manifests", world.plating, hazardous(world), role="reader").status_code
        == 403
    )
    assert post(client, "/manifests", world.carrier, hazardous(world)).status_code == 403

    issued = advance(world, create_manifest(world), "issued")
    pickup = {
        "vehicle_plate": "粤J12345",
        "driver": "李师傅",
        "at": ago(minutes=5),
        "lines": [{"line_no": 1, "quantity": "6"}, {"line_no": 2, "quantity": "1500"}],
    }
    assert post(client, f"/manifests/{issued.id}/pickup", world.plating, pickup).status_code == 403
    assert post(client, f"/manifests/{issued.id}/pickup", world.centre, pickup).status_code == 403

    moving = advance(world, create_manifest(world), "in_transit")
    deliver = {
        "at": ago(minutes=1),
        "lines": [{"line_no": 1, "quantity": "6"}, {"line_no": 2, "quantity": "1500"}],
    }
    assert (
        post(
            client, f"/manifests/{moving.id}/deliver", world.carrier, deliver, role="driver"
        ).status_code
        == 403
    )
    assert (
        post(client, f"/manifests/{moving.id}/deliver", world.plating, deliver).status_code == 403
    )
    assert get(client, f"/manifests/{moving.id}", world.carrier).get_json()["status"] == (
        "in_transit"
    )


def test_another_organisations_manifest_does_not_exist(client, world):
    m = create(client, world)
    for path in (
        f"/manifests/{m['id']}",
        f"/manifests/{m['id']}/events",
        f"/manifests/{m['id']}/verify",
    ):
        assert get(client, path, world.outsider).status_code == 404
        assert get(client, path, world.kiln).status_code == 404
    assert (
        refused(
            post(client, f"/manifests/{m['id']}/issue", world.outsider, {"at": ago(minutes=1)}), 404
        )["code"]
        == "not_found"
    )
    assert get(client, "/manifests/99999999", world.plating).status_code == 404
    assert get(client, "/manifests/20264407999999", world.plating).status_code == 404
    assert get(client, "/manifests/abc", world.plating).status_code == 404


def test_regulator_of_another_region_sees_nothing(client, world):
    foshan = registry.create_regulator_user(
        world.uow,
        email="officer@fsepb.example.cn",
        password="correct horse battery",
        region_code="440600",
    )
    headers = {"Authorization": "Bearer " + registry.issue_token(world.uow, email=foshan.email)}
    m = create(client, world)
    assert client.get(f"{API}/manifests/{m['id']}", headers=headers).status_code == 404
    r = client.get(f"{API}/manifests", headers=headers)
    assert r.status_code == 200 and r.headers["X-Total-Count"] == "0"
    theirs = create(client, world, party=world.outsider)
    assert client.get(f"{API}/manifests/{theirs['id']}", headers=headers).status_code == 200


def test_a_move_from_the_wrong_status(client, world):
    m = create(client, world)
    r = post(
        client,
        f"/manifests/{m['id']}/deliver",
        world.centre,
        {
            "at": ago(minutes=1),
            "lines": [{"line_no": 1, "quantity": "6"}, {"line_no": 2, "quantity": "1500"}],
        },
    )
    assert refused(r, 409)["code"] == "invalid_transition"
    assert (
        post(
            client, f"/manifests/{m['id']}/issue", world.plating, {"at": ago(minutes=2)}
        ).status_code
        == 200
    )
    r = post(client, f"/manifests/{m['id']}/issue", world.plating, {"at": ago(minutes=1)})
    refused(r, 409)
    r = client.patch(
        f"{API}/manifests/{m['id']}", json={"notes": "too late"}, headers=world.plating.auth()
    )
    refused(r, 409)
    assert [e["action"] for e in events(client, world.plating, m["id"])] == ["create", "issue"]


# ---------------------------------------------------------------- the transport of a request


def test_oversized_json_body(client, world):
    body = hazardous(world, notes="x" * (1024 * 1024 + 10))
    refused(post(client, "/manifests", world.plating, body), 413)
    assert count(client, world.plating) == 0


def test_body_that_is_not_json(client, world):
    r = client.post(
        f"{API}/manifests",
        data="kind=hazardous",
        headers=world.plating.auth(),
        content_type="application/x-www-form-urlencoded",
    )
    assert refused(r, 415)["code"] == "unsupported_media_type"
    r = client.post(
        f"{API}/manifests", data="{}", headers=world.plating.auth(), content_type="text/plain"
    )
    refused(r, 415)


def test_malformed_json(client, world):
    r = client.post(
        f"{API}/manifests",
        data='{"kind": "hazardous",',
        headers=world.plating.auth(),
        content_type="application/json",
    )
    assert refused(r, 400)["code"] == "malformed_json"
    r = client.post(
        f"{API}/manifests",
        data=b"\xff\xfe{}",
        headers=world.plating.auth(),
        content_type="application/json",
    )
    assert refused(r, 400)["code"] == "malformed_json"
    assert count(client, world.plating) == 0


def test_missing_and_bad_tokens(client, world):
    r = client.get(f"{API}/manifests")
    assert refused(r, 401)["code"] == "unauthorized"
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    for header in ("Bearer nonsense", "Bearer ", "Basic dXNlcjpwYXNz", world.plating.token()):
        r = client.post(
            f"{API}/manifests", json=hazardous(world), headers={"Authorization": header}
        )
        assert refused(r, 401)["code"] == "unauthorized"
    assert count(client, world.plating) == 0


# ---------------------------------------------------------------- issue-time checks


def test_issue_refused_lists_every_failed_check_and_changes_nothing(client, world):
    s = world.uow.session
    s.execute(update(Vehicle).where(Vehicle.plate == "粤J12345").values(active=False))
    s.execute(
        update(Licence)
        .where(Licence.organization_id == world.carrier.id)
        .values(
            valid_from=date.today() - timedelta(days=400), valid_to=date.today() - timedelta(days=1)
        )
    )
    s.commit()
    # Oily sludge to the kiln, whose licence covers HW17 and HW18 and operations R5 and D10,
    # for land application without its heavy-metal report, on an inactive 10 t lorry.
    m = create(
        client,
        world,
        sludge(
            world,
            receiver_id=world.kiln.id,
            vehicle_plate="粤J12345",
            operation="R10",
            lines=[line(waste_code="900-210-08", name="含油污泥", quantity="12")],
        ),
        party=world.wwtp,
    )
    before = events(client, world.wwtp, m["id"])

    r = post(client, f"/manifests/{m['id']}/issue", world.wwtp, {"at": ago(minutes=5)})
    body = refused(r, 422)
    assert body["code"] == "checks_failed"
    assert sorted(d["check"] for d in body["details"]) == sorted(
        [
            "receiver_licence_scope",
            "receiver_operation",
            "transporter_permit_active",
            "vehicle_active",
            "vehicle_load",
            "land_application_document",
        ]
    )
    scope = next(d for d in body["details"] if d["check"] == "receiver_licence_scope")
    assert scope["line"] == 1 and "900-210-08" in scope["message"]

    after = get(client, f"/manifests/{m['id']}", world.wwtp).get_json()
    assert after["status"] == "draft" and after["number"] is None
    assert events(client, world.wwtp, m["id"]) == before

    # No number was consumed: the next manifest issued in Jiangmen this year gets serial 1.
    ok = create(client, world, sludge(world), party=world.wwtp)
    r = post(client, f"/manifests/{ok['id']}/issue", world.wwtp, {"at": ago(minutes=5)})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["number"].endswith("4407000001")


def test_issue_with_an_unregistered_vehicle(client, world):
    m = create(client, world, hazardous(world, vehicle_plate="粤J99999"))
    body = refused(
        post(client, f"/manifests/{m['id']}/issue", world.plating, {"at": ago(minutes=5)}), 422
    )
    assert [d["check"] for d in body["details"]] == ["vehicle_registered"]


def test_vehicle_of_another_transporter_at_issue(client, world):
    m = create(client, world, hazardous(world, vehicle_plate="粤E54321"))
    body = refused(
        post(client, f"/manifests/{m['id']}/issue", world.plating, {"at": ago(minutes=5)}), 422
    )
    assert [d["check"] for d in body["details"]] == ["vehicle_owner"]
    assert s_status(client, world, m) == "draft"


def s_status(client, world, m) -> str:
    return get(client, f"/manifests/{m['id']}", world.plating).get_json()["status"]


def test_pickup_with_a_stranger_vehicle(client, world):
    from tests.builders import advance, create_manifest

    m = advance(world, create_manifest(world), "issued")
    r = post(
        client,
        f"/manifests/{m.id}/pickup",
        world.carrier,
        {
            "vehicle_plate": "粤E54321",
            "driver": "李师傅",
            "at": ago(minutes=1),
            "lines": [{"line_no": 1, "quantity": "6"}, {"line_no": 2, "quantity": "1500"}],
        },
    )
    refused(r, 422, "vehicle_plate")
    row = world.uow.session.scalar(select(Vehicle).where(Vehicle.plate == "粤E54321"))
    assert row.organization_id == world.carrier2.id
