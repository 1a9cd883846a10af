"""Tolerances over HTTP, and the weighbridge tally on a manifest."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

from manifest.services.receipts import ingest_receipts
from tests.builders import now
from tests.reconcile.helpers import findings, trip

URL = "/api/v1/tolerances"
TEN_PERCENT = {"mass_pct": "10", "mass_abs_kg": "10", "moisture_points": "5"}


def test_everyone_signed_in_reads_the_tolerances(world, client):
    r = client.get(URL, headers=world.carrier.auth("driver"))
    assert r.status_code == 200
    assert r.get_json()["hazardous"] == {
        "kind": "hazardous",
        "mass_pct": "5.00",
        "mass_abs_kg": "10.000",
        "moisture_points": "5.00",
        "violation_factor": "2.00",
        "setting_region": None,
    }
    assert set(r.get_json()) == {"hazardous", "sludge"}
    assert client.get(URL).status_code == 401


def test_a_regulator_changes_what_the_next_delivery_finds(world, client, uow):
    t = now() - timedelta(hours=6)
    six_percent = {1: Decimal("5.640"), 2: Decimal("1500")}
    before = trip(world, start=t, received=six_percent)
    assert [f.type for f in findings(uow, before.id)] == ["quantity_discrepancy"]

    r = client.put(f"{URL}/hazardous", json=TEN_PERCENT, headers=world.regulator.auth())
    assert r.status_code == 200, r.get_json()
    assert (r.get_json()["mass_pct"], r.get_json()["violation_factor"]) == ("10.00", "2.00")
    listed = client.get(URL, headers=world.plating.auth()).get_json()
    assert listed["hazardous"]["mass_pct"] == "10.00"
    assert listed["sludge"]["mass_pct"] == "5.00"

    after = trip(world, start=t, received=six_percent)
    assert findings(uow, after.id) == []
    # The finding raised under the old limit keeps the figures it was raised with.
    [kept] = findings(uow, before.id)
    assert json.loads(kept.measured)["tolerance_pct"] == "5"

    eleven_percent = {1: Decimal("5.340"), 2: Decimal("1500")}
    beyond = trip(world, start=t, received=eleven_percent)
    [f] = findings(uow, beyond.id)
    assert json.loads(f.measured)["tolerance_pct"] == "10.00"


def test_refusals_change_nothing(world, client):
    auth = world.regulator.auth()
    for body in (
        {**TEN_PERCENT, "mass_pct": "-1"},
        {**TEN_PERCENT, "mass_abs_kg": -5},
        {**TEN_PERCENT, "mass_pct": "101"},
        {**TEN_PERCENT, "moisture_points": "5.125"},
        {**TEN_PERCENT, "violation_factor": "0.5"},
        {**TEN_PERCENT, "mass_pct": "NaN"},
        {"mass_pct": "10"},
        {**TEN_PERCENT, "surprise": 1},
    ):
        r = client.put(f"{URL}/hazardous", json=body, headers=auth)
        assert r.status_code == 422, body
        assert r.get_json()["code"] == "validation_failed"
    assert (
        client.put(f"{URL}/hazardous", json=TEN_PERCENT, headers=world.plating.auth()).status_code
        == 403
    )
    assert (
        client.put(f"{URL}/hazardous", json=TEN_PERCENT, headers=world.centre.auth()).status_code
        == 403
    )
    assert client.put(f"{URL}/plutonium", json=TEN_PERCENT, headers=auth).status_code == 404
    assert client.get(URL, headers=auth).get_json()["hazardous"]["mass_pct"] == "5.00"


def test_a_manifest_shows_its_mass_totals_and_weighbridge_record(world, client):
    t = now() - timedelta(hours=6)
    m = trip(world, start=t, to="in_transit")
    url = f"/api/v1/manifests/{m.number}"
    assert client.get(url, headers=world.plating.auth()).get_json()["weighbridge"] is None
    arrived = t + timedelta(hours=2)
    ingest_receipts(
        world.uow,
        actor=world.centre.actor(),
        data=json.dumps(
            [
                {
                    "ticket": "T-88",
                    "plate": "粤J12345",
                    "arrived_at": arrived.isoformat(),
                    "net_kg": "7480",
                    "manifest_number": m.number,
                }
            ]
        ),
        fmt="application/json",
    )
    got = client.get(url, headers=world.regulator.auth()).get_json()
    assert got["weighbridge"]["ticket"] == "T-88"
    assert got["weighbridge"]["net_kg"] == "7480.000"
    assert got["weighbridge"]["arrived_at"] == arrived.isoformat()
    assert got["lines"][0]["declared"] == "6.000"
    assert got["totals"] == {
        "declared_kg": "7500.000",
        "loaded_kg": "7500.000",
        "received_kg": "0.000",
        "accepted_kg": "0.000",
        "rejected_kg": "0.000",
        "unmeasured_lines": 0,
    }
    assert (
        "weighbridge"
        not in client.get("/api/v1/manifests", headers=world.plating.auth()).get_json()[0]
    )
    assert client.get(url, headers=world.outsider.auth()).status_code == 404
