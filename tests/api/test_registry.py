"""The registry through HTTP: organisations, licences, vehicles, members, codes, sign-in."""

from __future__ import annotations

from pathlib import Path

import pytest

from manifest.services.catalogue_search import import_catalogue
from manifest.uscc import make_uscc
from tests.builders import PASSWORD

from .http import API, get, post

SAMPLE_CATALOGUE = Path(__file__).parent.parent / "data" / "catalogue-sample.csv"


def org_body(**overrides) -> dict:
    return {
        "name": "江门市新会区某五金厂",
        "uscc": make_uscc("440705", "MA5T0000A"),
        "roles": ["generator"],
        "region_code": "440705",
        "address": "新会区会城",
        "location": {"lat": 22.52, "lon": 113.03},
        "site_radius_m": 200,
        "key_supervision": False,
        **overrides,
    }


def licence_body(**overrides) -> dict:
    return {
        "kind": "hw_operation",
        "number": "440700-HW-777",
        "valid_from": "2025-01-01",
        "valid_to": "2029-12-31",
        "waste_codes": ["HW17", "900-214-08"],
        "annual_capacity_t": {"HW17": "500", "*": 800},
        "operations": ["D10", "R4"],
        **overrides,
    }


def test_regulator_registers_an_organisation(client, world):
    r = post(client, "/organizations", world.regulator, org_body())
    assert r.status_code == 201, r.get_json()
    org = r.get_json()
    assert org["roles"] == ["generator"] and org["region_code"] == "440705"
    assert org["location"] == {"lat": 22.52, "lon": 113.03}
    r = get(client, f"/organizations/{org['id']}", world.plating)
    assert r.status_code == 200 and r.get_json()["uscc"] == org_body()["uscc"]
    r = get(client, "/organizations?role=receiver", world.plating)
    assert {o["id"] for o in r.get_json()} == {world.centre.id, world.kiln.id}
    assert r.headers["X-Total-Count"] == "2"


def test_only_a_regulator_registers_organisations(client, world):
    r = post(client, "/organizations", world.plating, org_body())
    assert r.status_code == 403 and r.get_json()["code"] == "forbidden"


def test_outside_the_regulators_region(client, world):
    r = post(
        client,
        "/organizations",
        world.regulator,
        org_body(uscc=make_uscc("440604", "MA5T0000B"), region_code="440604"),
    )
    assert r.status_code == 403


def test_bad_check_character_names_the_field(client, world):
    good = org_body()["uscc"]
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    r = post(client, "/organizations", world.regulator, org_body(uscc=wrong))
    assert r.status_code == 422, r.get_json()
    assert "uscc" in r.get_json()["errors"]


def test_bad_organisation_fields(client, world):
    for change, field in [
        ({"region_code": "ABC"}, "region_code"),
        ({"roles": ["smuggler"]}, "roles.0"),
        ({"roles": []}, "roles"),
        ({"location": {"lat": 95, "lon": 113}}, "location.lat"),
        ({"name": ""}, "name"),
        ({"site_radius_m": 0}, "site_radius_m"),
        ({"name": "某\u0000厂"}, "name"),
    ]:
        r = post(client, "/organizations", world.regulator, org_body(**change))
        assert r.status_code == 422, (change, r.get_json())
        assert field in r.get_json()["errors"], (change, r.get_json())
    assert (
        get(client, "/organizations?role=generator", world.regulator).headers["X-Total-Count"]
        == "3"
    )


def test_duplicate_uscc_is_a_conflict(client, world):
    assert post(client, "/organizations", world.regulator, org_body()).status_code == 201
    r = post(client, "/organizations", world.regulator, org_body(name="另一个名字"))
    assert r.status_code == 409 and r.get_json()["code"] == "conflict"


def test_licences(client, world):
    r = post(client, f"/organizations/{world.kiln.id}/licences", world.regulator, licence_body())
    assert r.status_code == 201, r.get_json()
    lic = r.get_json()
    assert lic["annual_capacity_t"] == {"HW17": "500.000", "*": "800.000"}
    assert lic["operations"] == ["D10", "R4"] and lic["status"] == "active"
    numbers = [
        x["number"]
        for x in get(client, f"/organizations/{world.kiln.id}/licences", world.kiln).get_json()
    ]
    assert "440700-HW-777" in numbers

    assert (
        post(
            client,
            f"/organizations/{world.kiln.id}/licences",
            world.kiln,
            licence_body(number="440700-HW-778"),
        ).status_code
        == 403
    )
    assert (
        post(
            client, f"/organizations/{world.kiln.id}/licences", world.regulator, licence_body()
        ).status_code
        == 409
    )
    r = post(
        client,
        f"/organizations/{world.kiln.id}/licences",
        world.regulator,
        licence_body(number="X-1", valid_from="2025-01-01", valid_to="2024-01-01"),
    )
    assert r.status_code == 422 and "valid_to" in r.get_json()["errors"]
    for far in ("0001-01-01", "9999-12-01"):
        r = post(
            client,
            f"/organizations/{world.kiln.id}/licences",
            world.regulator,
            licence_body(number="X-1", valid_from=far, valid_to="2026-01-01"),
        )
        assert r.status_code == 422 and "valid_from" in r.get_json()["errors"]
    r = post(
        client,
        f"/organizations/{world.kiln.id}/licences",
        world.regulator,
        licence_body(number="X-2", annual_capacity_t={"HW17": "-5"}),
    )
    assert r.status_code == 422 and "annual_capacity_t" in r.get_json()["errors"]
    r = post(
        client,
        f"/organizations/{world.plating.id}/licences",
        world.regulator,
        licence_body(number="X-3"),
    )
    assert r.status_code == 422 and "kind" in r.get_json()["errors"]
    assert (
        post(
            client, "/organizations/999999/licences", world.regulator, licence_body(number="X-4")
        ).status_code
        == 404
    )


def test_vehicles(client, world):
    r = post(
        client,
        f"/organizations/{world.carrier.id}/vehicles",
        world.carrier,
        {"plate": "粤J·66666", "max_load_t": "18.5"},
    )
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["plate"] == "粤J66666" and r.get_json()["max_load_t"] == "18.500"
    plates = [
        v["plate"]
        for v in get(
            client, f"/organizations/{world.carrier.id}/vehicles", world.plating
        ).get_json()
    ]
    assert "粤J66666" in plates

    assert (
        post(
            client,
            f"/organizations/{world.carrier.id}/vehicles",
            world.carrier,
            {"plate": "粤J66666", "max_load_t": 10},
        ).status_code
        == 409
    )
    assert (
        post(
            client,
            f"/organizations/{world.carrier.id}/vehicles",
            world.carrier,
            {"plate": "粤J77777", "max_load_t": 10},
            role="driver",
        ).status_code
        == 403
    )
    assert (
        post(
            client,
            f"/organizations/{world.carrier.id}/vehicles",
            world.carrier2,
            {"plate": "粤J77777", "max_load_t": 10},
        ).status_code
        == 403
    )
    assert (
        post(
            client,
            f"/organizations/{world.plating.id}/vehicles",
            world.plating,
            {"plate": "粤J77777", "max_load_t": 10},
        ).status_code
        == 422
    )
    r = post(
        client,
        f"/organizations/{world.carrier.id}/vehicles",
        world.carrier,
        {"plate": "粤J77777", "max_load_t": "500"},
    )
    assert r.status_code == 422 and "max_load_t" in r.get_json()["errors"]


def test_members_and_signing_in(client, world):
    body = {
        "email": "Dispatcher@HengMei.example.cn",
        "password": "long enough pw",
        "role": "member",
    }
    r = post(client, f"/organizations/{world.plating.id}/members", world.plating, body)
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["email"] == "dispatcher@hengmei.example.cn"
    assert r.get_json()["organization_id"] == world.plating.id
    assert "password" not in r.get_json() and "password_hash" not in r.get_json()

    assert (
        post(client, f"/organizations/{world.plating.id}/members", world.plating, body).status_code
        == 409
    )
    assert (
        post(
            client,
            f"/organizations/{world.plating.id}/members",
            world.plating,
            {**body, "email": "x@y.cn"},
            role="reader",
        ).status_code
        == 403
    )
    assert (
        post(
            client,
            f"/organizations/{world.plating.id}/members",
            world.centre,
            {**body, "email": "x@y.cn"},
        ).status_code
        == 403
    )
    r = post(
        client,
        f"/organizations/{world.plating.id}/members",
        world.plating,
        {**body, "email": "short@y.cn", "password": "short"},
    )
    assert r.status_code == 422 and "password" in r.get_json()["errors"]

    wrong = client.post(f"{API}/auth/token", json={"email": body["email"], "password": "nope"})
    assert wrong.status_code == 422 and "password" in wrong.get_json()["errors"]
    nobody = client.post(f"{API}/auth/token", json={"email": "ghost@x.cn", "password": PASSWORD})
    assert nobody.status_code == 422
    assert nobody.get_json()["errors"] == wrong.get_json()["errors"]  # no user enumeration

    r = client.post(
        f"{API}/auth/token",
        json={"email": "dispatcher@hengmei.example.cn", "password": "long enough pw"},
    )
    assert r.status_code == 201 and r.get_json()["must_change_password"] is True
    token = r.get_json()["token"]
    # The administrator chose the password: the member replaces it before anything else.
    r = client.get(f"{API}/manifests", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 403 and r.get_json()["code"] == "password_change_required"
    r = client.post(
        f"{API}/auth/password",
        json={"current_password": "long enough pw", "new_password": "my own secret"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 204
    r = client.get(f"{API}/manifests", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200


@pytest.fixture
def catalogue(world):
    import_catalogue(world.uow, SAMPLE_CATALOGUE)


def test_waste_code_search(client, world, catalogue):
    r = get(client, "/waste-codes?q=HW17", world.plating)
    assert r.status_code == 200
    codes = [c["code"] for c in r.get_json()]
    assert codes[0] == "HW17"
    assert {"336-054-17", "336-064-17"} <= set(codes)
    assert all(c["category"] == "HW17" for c in r.get_json())
    assert r.headers["X-Total-Count"] == str(len(codes))

    r = get(client, "/waste-codes?q=电镀", world.plating)
    assert "336-054-17" in [c["code"] for c in r.get_json()]
    english = get(
        client, "/waste-codes?q=HW17", world.plating, headers={"Accept-Language": "en"}
    ).get_json()
    assert english[0]["name"] == "Surface treatment waste"
    assert get(client, "/waste-codes?q=HW17", world.plating).get_json()[0]["name"] == "表面处理废物"
    assert client.get(f"{API}/waste-codes?q=HW17").status_code == 401


def test_signing_out_revokes_the_token(client, world):
    headers = world.plating.auth()
    assert client.get("/api/v1/manifests", headers=headers).status_code == 200
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert client.get("/api/v1/manifests", headers=headers).status_code == 401
    assert client.get("/api/v1/manifests", headers=world.plating.auth("reader")).status_code == 200
