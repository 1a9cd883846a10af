"""Tolerances belong to regions: set by their own regulator, recorded, invisible elsewhere."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from manifest.models import RegionalTolerance, ToleranceChange
from manifest.services import registry
from manifest.services.receipts import ingest_receipts
from manifest.services.tolerances import set_tolerance
from tests.builders import PASSWORD, now
from tests.reconcile.helpers import findings, measured, trip

URL = "/api/v1/tolerances"
SILENCE = {"mass_pct": "100", "mass_abs_kg": "100000", "moisture_points": "100"}
TEN_PERCENT = {"mass_pct": "10", "mass_abs_kg": "10", "moisture_points": "5"}
SIX_PERCENT_SHORT = {1: Decimal("5.640"), 2: Decimal("1500")}


def guangzhou_officer(world) -> dict:
    email = "officer@gzepb.example.cn"
    registry.create_regulator_user(world.uow, email=email, password=PASSWORD, region_code="440100")
    return {"Authorization": f"Bearer {registry.issue_token(world.uow, email=email)}"}


def stored(uow):
    uow.session.expire_all()
    settings = uow.session.scalars(select(RegionalTolerance)).all()
    changes = uow.session.scalars(select(ToleranceChange)).all()
    return [(s.region_code, s.kind, s.mass_pct) for s in settings], len(changes)


def test_another_regions_regulator_cannot_change_or_see_jiangmen(world, client, uow):
    guangzhou = guangzhou_officer(world)
    for region in ("440700", "440703", "440000"):
        r = client.put(
            f"{URL}/hazardous", json={**SILENCE, "region_code": region}, headers=guangzhou
        )
        assert r.status_code == 404, r.get_json()
        assert r.get_json()["code"] == "not_found"
    unset = client.get(f"{URL}?region=440700", headers=guangzhou)
    assert stored(uow) == ([], 0)

    # Its own region it may set: that silences nothing in Jiangmen.
    r = client.put(f"{URL}/hazardous", json=SILENCE, headers=guangzhou)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["setting_region"] == "440100"
    m = trip(world, start=now() - timedelta(hours=6), received=SIX_PERCENT_SHORT)
    [f] = findings(uow, m.id)
    assert (f.type, measured(f)["tolerance_pct"]) == ("quantity_discrepancy", "5")

    # Once Jiangmen has a setting, the stranger's answers are the same as before it had one.
    jiangmen = client.put(f"{URL}/hazardous", json=TEN_PERCENT, headers=world.regulator.auth())
    assert jiangmen.status_code == 200
    set_ = client.get(f"{URL}?region=440700", headers=guangzhou)
    assert (unset.status_code, set_.status_code) == (404, 404)
    assert unset.get_json()["message"] == set_.get_json()["message"]
    assert client.get(f"{URL}/history?region=440700", headers=guangzhou).status_code == 404
    seen = client.get(f"{URL}/history", headers=guangzhou).get_json()
    assert [c["region_code"] for c in seen] == ["440100"]
    own = client.get(URL, headers=guangzhou).get_json()["hazardous"]
    assert (own["mass_pct"], own["setting_region"]) == ("100.00", "440100")


def test_jiangmens_setting_judges_jiangmen_manifests_only(world, client, uow):
    r = client.put(
        f"{URL}/hazardous",
        json={**TEN_PERCENT, "region_code": "440700"},
        headers=world.regulator.auth(),
    )
    assert r.status_code == 200, r.get_json()
    t = now() - timedelta(hours=6)
    jiangmen = trip(world, start=t, received=SIX_PERCENT_SHORT)
    foshan = trip(world, start=t, received=SIX_PERCENT_SHORT, generator=world.outsider)
    assert findings(uow, jiangmen.id) == []
    [f] = findings(uow, foshan.id)
    assert measured(f)["tolerance_pct"] == "5"

    # A district's own setting is more specific than its city's.
    r = client.put(
        f"{URL}/hazardous",
        json={**TEN_PERCENT, "mass_pct": "3", "region_code": "440703"},
        headers=world.regulator.auth(),
    )
    assert r.status_code == 200
    district = trip(world, start=t, received={1: Decimal("5.760"), 2: Decimal("1500")})
    [f] = findings(uow, district.id)
    assert measured(f)["tolerance_pct"] == "3.00"

    # What each party reads is the tolerance of its own organisation's region.
    plating = client.get(URL, headers=world.plating.auth("reader")).get_json()["hazardous"]
    centre = client.get(URL, headers=world.centre.auth()).get_json()["hazardous"]
    outsider = client.get(URL, headers=world.outsider.auth()).get_json()["hazardous"]
    assert (plating["mass_pct"], plating["setting_region"]) == ("3.00", "440703")
    assert (centre["mass_pct"], centre["setting_region"]) == ("10.00", "440700")
    assert (outsider["mass_pct"], outsider["setting_region"]) == ("5.00", None)
    assert client.get(f"{URL}?region=440703", headers=world.outsider.auth()).status_code == 404
    assert client.get(f"{URL}?region=440703", headers=world.plating.auth()).status_code == 200


def test_the_weighbridge_check_uses_the_issuing_regions_tolerance(world, client, uow):
    client.put(f"{URL}/hazardous", json=TEN_PERCENT, headers=world.regulator.auth())
    t = now() - timedelta(hours=6)
    jiangmen = trip(world, start=t, to="in_transit")
    foshan = trip(
        world, start=t, to="in_transit", generator=world.outsider, vehicle_plate="粤J88888"
    )
    rows = [
        {
            "ticket": f"T{m.id}",
            "plate": m.vehicle_plate,
            "net_kg": "7000",
            "manifest_number": m.number,
            "arrived_at": (t + timedelta(hours=2)).isoformat(),
        }
        for m in (jiangmen, foshan)
    ]
    ingest_receipts(
        world.uow, actor=world.centre.actor(), data=json.dumps(rows), fmt="application/json"
    )
    assert findings(uow, jiangmen.id) == []  # 6.7 % short: within Jiangmen's 10 %
    [f] = findings(uow, foshan.id)
    assert (measured(f)["stage"], measured(f)["tolerance_pct"]) == ("weighbridge", "5")


def test_every_change_is_recorded_with_who_and_when(world, client, uow):
    before = now()
    auth = world.regulator.auth()
    client.put(f"{URL}/hazardous", json=TEN_PERCENT, headers=auth)
    client.put(f"{URL}/hazardous", json={**TEN_PERCENT, "mass_pct": "7.5"}, headers=auth)
    r = client.get(f"{URL}/history", headers=auth)
    assert r.status_code == 200
    assert r.headers["X-Total-Count"] == "2"
    latest, first = r.get_json()
    assert (first["region_code"], first["kind"], first["old_mass_pct"], first["mass_pct"]) == (
        "440700",
        "hazardous",
        None,
        "10.00",
    )
    assert (latest["old_mass_pct"], latest["mass_pct"], latest["violation_factor"]) == (
        "10.00",
        "7.50",
        "2.00",
    )
    for change in (first, latest):
        assert change["changed_by"] == "officer@jmepb.example.cn"
        assert change["regulator"] == "生态环境局 440700"
        assert before <= _time(change["changed_at"]) <= now() + timedelta(seconds=1)
    assert client.get(f"{URL}/history?kind=sludge", headers=auth).get_json() == []
    assert client.get(f"{URL}/history", headers=world.plating.auth()).status_code == 403
    assert client.get(f"{URL}/history?region=44070", headers=auth).status_code == 422


def test_recorded_changes_cannot_be_rewritten_on_postgresql(pg_world):
    uow = pg_world.uow
    set_tolerance(uow, actor=pg_world.regulator.actor(), kind="hazardous", mass_pct="10")
    for statement in (
        "UPDATE tolerance_changes SET mass_pct = 100",
        "DELETE FROM tolerance_changes",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            uow.session.execute(text(statement))
        uow.session.rollback()
    assert stored(uow) == ([("440700", "hazardous", Decimal("10.00"))], 1)


def test_refused_settings_change_nothing(world, client, uow):
    auth = world.regulator.auth()
    for body, status in (
        ({**TEN_PERCENT, "region_code": "44070"}, 422),
        ({**TEN_PERCENT, "region_code": "440100"}, 404),
        ({**TEN_PERCENT, "mass_abs_kg": "1000000.001"}, 422),
        ({**TEN_PERCENT, "mass_pct": "100.01"}, 422),
        ({**TEN_PERCENT, "mass_abs_kg": "Infinity"}, 422),
        ({**TEN_PERCENT, "mass_pct": True}, 422),
    ):
        r = client.put(f"{URL}/hazardous", json=body, headers=auth)
        assert r.status_code == status, (body, r.get_json())
    assert (
        client.put(f"{URL}/hazardous", json=TEN_PERCENT, headers=world.plating.auth()).status_code
        == 403
    )
    assert stored(uow) == ([], 0)


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value)


def test_a_regulator_of_several_regions_names_the_one_it_sets(world, client, uow):
    from manifest.models import RegulatorRegion

    officer = world.regulator.users["admin"][0]
    with uow:
        uow.session.add(RegulatorRegion(regulator_id=officer.regulator_id, region_code="440600"))
        uow.commit()
    auth = world.regulator.auth()
    r = client.put(f"{URL}/hazardous", json=TEN_PERCENT, headers=auth)
    assert r.status_code == 422
    assert "region_code" in r.get_json()["errors"]
    r = client.put(f"{URL}/hazardous", json={**TEN_PERCENT, "region_code": "440606"}, headers=auth)
    assert (r.status_code, r.get_json()["setting_region"]) == (200, "440606")
    assert (
        client.get(f"{URL}?region=440606", headers=auth).get_json()["hazardous"]["mass_pct"]
        == "10.00"
    )
    assert client.get(URL, headers=auth).get_json()["hazardous"]["mass_pct"] == "5.00"  # 440600
    assert stored(uow) == ([("440606", "hazardous", Decimal("10.00"))], 1)


def test_a_regulator_clears_its_setting_and_the_enclosing_one_holds_again(world, client, uow):
    auth = world.regulator.auth()
    client.put(f"{URL}/hazardous", json=TEN_PERCENT, headers=auth)
    district = {**TEN_PERCENT, "mass_pct": "3", "region_code": "440703"}
    assert client.put(f"{URL}/hazardous", json=district, headers=auth).status_code == 200

    r = client.delete(f"{URL}/hazardous?region=440703", headers=auth)
    assert r.status_code == 200, r.get_json()
    assert (r.get_json()["mass_pct"], r.get_json()["setting_region"]) == ("10.00", "440700")
    plating = client.get(URL, headers=world.plating.auth()).get_json()["hazardous"]
    assert (plating["mass_pct"], plating["setting_region"]) == ("10.00", "440700")

    r = client.delete(f"{URL}/hazardous", headers=auth)  # one region supervised: Jiangmen
    assert (r.status_code, r.get_json()["setting_region"]) == (200, None)
    assert r.get_json()["mass_pct"] == "5.00"
    m = trip(world, start=now() - timedelta(hours=6), received=SIX_PERCENT_SHORT)
    [f] = findings(uow, m.id)
    assert measured(f)["tolerance_pct"] == "5"  # judged by the default again

    latest, district_cleared, *_ = client.get(f"{URL}/history", headers=auth).get_json()
    assert (latest["region_code"], latest["cleared"]) == ("440700", True)
    assert (latest["old_mass_pct"], latest["mass_pct"]) == ("10.00", "5.00")
    assert (district_cleared["region_code"], district_cleared["cleared"]) == ("440703", True)
    assert (district_cleared["old_mass_pct"], district_cleared["mass_pct"]) == ("3.00", "10.00")
    assert latest["changed_by"] == "officer@jmepb.example.cn"
    assert stored(uow) == ([], 4)


def test_clearing_what_is_not_ones_own_or_not_set_changes_nothing(world, client, uow):
    client.put(f"{URL}/hazardous", json=TEN_PERCENT, headers=world.regulator.auth())
    guangzhou = guangzhou_officer(world)
    stranger = client.delete(f"{URL}/hazardous?region=440700", headers=guangzhou)
    unset = client.delete(f"{URL}/hazardous?region=440703", headers=world.regulator.auth())
    assert (stranger.status_code, unset.status_code) == (404, 404)
    assert client.delete(f"{URL}/sludge", headers=world.regulator.auth()).status_code == 404
    assert client.delete(f"{URL}/plastic", headers=world.regulator.auth()).status_code == 404
    assert client.delete(f"{URL}/hazardous", headers=world.centre.auth()).status_code == 403
    bad = client.delete(f"{URL}/hazardous?region=44070", headers=world.regulator.auth())
    assert bad.status_code == 422
    assert stored(uow) == ([("440700", "hazardous", Decimal("10.00"))], 1)
