"""Line reconciliation after each move, on SQLite and PostgreSQL, with exact figures."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from manifest.services.tolerances import set_tolerance
from tests.builders import now
from tests.reconcile.helpers import decide, findings, measured, trip

PCS_LINE = {
    "waste_code": "336-064-17",
    "name": "电镀污泥(桶装)",
    "physical_form": "S",
    "hazard": ["T"],
    "packaging": "铁桶",
    "container_count": 20,
    "quantity": "20",
    "unit": "pcs",
}


def start():
    return now() - timedelta(hours=6)


def test_six_percent_mass_loss_is_a_finding_with_its_figures(world, uow):
    m = trip(world, start=start(), received={1: Decimal("5.640"), 2: Decimal("1500")})
    [f] = findings(uow, m.id)
    assert (f.type, f.severity, f.status) == ("quantity_discrepancy", "warning", "open")
    assert f.key == f"m{m.id}:quantity_discrepancy:received:1"
    got = measured(f)
    assert got["reference_kg"] == "6000.000"
    assert got["observed_kg"] == "5640.000"
    assert got["difference_kg"] == "-360.000"
    assert got["difference_pct"] == "-6.00"
    assert got["tolerance_pct"] == "5"
    assert {p.organization_id for p in f.parties} == {
        world.plating.id,
        world.carrier.id,
        world.centre.id,
    }


def test_four_percent_mass_loss_is_not(world, uow):
    m = trip(world, start=start(), received={1: Decimal("5.760"), 2: Decimal("1440")})
    assert findings(uow, m.id) == []


def test_loss_in_kilograms_is_converted(world, uow):
    # Line 2 is declared in kg: 1500 kg -> 1400 kg is 6.67 %.
    m = trip(world, start=start(), received={1: Decimal("6"), 2: Decimal("1400")})
    [f] = findings(uow, m.id)
    assert measured(f)["difference_kg"] == "-100.000"
    assert measured(f)["difference_pct"] == "-6.67"


def test_one_missing_drum_is_found(world, uow):
    m = trip(world, start=start(), lines=[PCS_LINE], received={1: Decimal("19")})
    [f] = findings(uow, m.id)
    assert (f.type, f.severity) == ("quantity_discrepancy", "violation")
    got = measured(f)
    assert (got["reference_count"], got["observed_count"], got["difference_count"]) == (
        "20",
        "19",
        "-1",
    )


def test_retried_moves_never_double_a_finding(world, uow):
    m = trip(world, start=start(), received={1: Decimal("5.640"), 2: Decimal("1500")})
    decide(world, m, now() - timedelta(hours=1))
    assert [f.type for f in findings(uow, m.id)] == ["quantity_discrepancy"]


def test_dry_solids_hide_a_pure_drying_loss(world, uow):
    # 20 t at 80 % water is 4 t of solids; 16 t at 75 % water is still 4 t.
    m = trip(world, kind="sludge", start=start(), received={1: Decimal("16")}, moisture="75")
    assert findings(uow, m.id) == []


def test_dry_solids_find_a_real_loss(world, uow):
    # 15 t at 75 % is 3.75 t of solids: 6.25 % of the 4 t dispatched went missing.
    m = trip(world, kind="sludge", start=start(), received={1: Decimal("15")}, moisture="75")
    [f] = findings(uow, m.id)
    got = measured(f)
    assert got["basis"] == "dry"
    assert (got["reference_kg"], got["observed_kg"]) == ("4000.000", "3750.000")
    assert got["difference_pct"] == "-6.25"
    assert (got["reference_wet_kg"], got["observed_wet_kg"]) == ("20000.000", "15000.000")


def test_moisture_change_beyond_five_points_is_reported_on_its_own(world, uow):
    # 20 t at 80 % -> 13.333 t at 70 %: the same 4 t of solids, but 10 points drier.
    m = trip(world, kind="sludge", start=start(), received={1: Decimal("13.334")}, moisture="70")
    [f] = findings(uow, m.id)
    assert (f.type, f.severity) == ("moisture_change", "info")
    assert measured(f)["change_points"] == "-10.00"


def test_changed_waste_code_and_a_rejection_are_findings(world, uow):
    from tests.builders import create_manifest
    from tests.reconcile.helpers import deliver, issue, pickup

    t = start()
    m = issue(world, create_manifest(world), t)
    m = pickup(world, m, t + timedelta(minutes=30))
    m = deliver(world, m, t + timedelta(minutes=60), codes={1: {"physical_form": "L"}})
    m = decide(world, m, t + timedelta(minutes=90), rejected={2: "1500"})
    got = {f.type: f for f in findings(uow, m.id)}
    assert set(got) == {"type_discrepancy", "rejection"}
    assert measured(got["type_discrepancy"])["received_physical_form"] == "L"
    assert measured(got["rejection"])["rejected"] == "1500.000"
    assert measured(got["rejection"])["reason"] == "含水率超标"


def test_tolerance_is_configurable_per_kind(world, uow):
    set_tolerance(uow, actor=None, kind="hazardous", mass_pct="10")
    m = trip(world, start=start(), received={1: Decimal("5.640"), 2: Decimal("1500")})
    assert findings(uow, m.id) == []
    sludge = trip(world, kind="sludge", start=start(), received={1: Decimal("15")}, moisture="75")
    assert [f.type for f in findings(uow, sludge.id)] == ["quantity_discrepancy"]
