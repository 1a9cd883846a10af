"""Reconciliation of the tallies, with figures a regulator would check by hand."""

from decimal import Decimal as D

import pytest

from manifest.errors import ValidationFailed
from manifest.reconcile import (
    DEFAULT_TOLERANCES,
    Discrepancy,
    LineTallies,
    ManifestTallies,
    Tolerance,
    compare_count,
    compare_mass,
    dry_solids_kg,
    reconcile,
    tolerance_for,
    weighbridge_discrepancy,
)

TOL = Tolerance()


def line(**kwargs) -> LineTallies:
    defaults = dict(line_no=1, unit="t", declared=D("10"), waste_code="336-064-17")
    defaults.update(physical_form="SS")
    defaults.update(kwargs)
    return LineTallies(**defaults)


def manifest(*lines, kind="hazardous", **kwargs) -> ManifestTallies:
    return ManifestTallies(kind=kind, lines=lines, **kwargs)


def keys(found: list[Discrepancy]) -> list[str]:
    return [d.key for d in found]


# compare_mass ---------------------------------------------------------------------------------


def test_six_percent_of_ten_tonnes_is_significant():
    significant, difference, pct = compare_mass(D("10000"), D("9400"), TOL)
    assert significant
    assert difference == D("-600")
    assert pct == D("-6")


def test_four_percent_of_ten_tonnes_is_not():
    assert compare_mass(D("10000"), D("9600"), TOL) == (False, D("-400"), D("-4"))


def test_six_percent_of_a_hundred_kilograms_is_below_the_absolute_limit():
    significant, difference, pct = compare_mass(D("100"), D("94"), TOL)
    assert not significant
    assert (difference, pct) == (D("-6"), D("-6"))


def test_both_limits_are_strict():
    assert not compare_mass(D("10000"), D("9500"), TOL).significant  # exactly 5 %
    assert not compare_mass(D("200"), D("190"), TOL).significant  # 5 %, exactly 10 kg
    assert compare_mass(D("200"), D("189.999"), TOL).significant


def test_a_gain_counts_like_a_loss():
    assert compare_mass(D("10000"), D("10600"), TOL) == (True, D("600"), D("6"))


def test_zero_reference_has_no_percentage():
    assert compare_mass(D("0"), D("50"), TOL) == (True, D("50"), None)
    assert compare_mass(D("0"), D("5"), TOL) == (False, D("5"), None)
    assert compare_mass(D("0"), D("0"), TOL) == (False, D("0"), None)


def test_epa_like_tolerance_is_configurable():
    epa = Tolerance(mass_pct=D("10"))
    assert not compare_mass(D("10000"), D("9400"), epa).significant
    assert compare_mass(D("10000"), D("8900"), epa).significant


def test_any_count_difference_is_significant():
    assert compare_count(20, 19) == (True, D("-1"), D("-5"))
    assert not compare_count(20, 20).significant


def test_dry_solids():
    assert dry_solids_kg(D("10000"), D("80")) == D("2000")
    assert dry_solids_kg(D("8000"), D("75")) == D("2000")
    with pytest.raises(ValidationFailed):
        dry_solids_kg(D("1"), D("100"))


def test_tolerances_per_kind():
    assert tolerance_for("sludge") is DEFAULT_TOLERANCES["sludge"]
    assert tolerance_for("hazardous") == Tolerance(D("5"), D("10"), D("5"))
    with pytest.raises(ValidationFailed):
        tolerance_for("radioactive")
    with pytest.raises(ValidationFailed):
        Tolerance(mass_pct=D("-1"))


# line tallies ---------------------------------------------------------------------------------


def test_loss_at_delivery_against_loaded():
    [found] = reconcile(manifest(line(loaded=D("10"), received=D("9.4"))))
    assert found.key == "quantity_discrepancy:received:1"
    assert found.severity == "warning"
    assert found.measured == {
        "unit": "kg",
        "basis": "wet",
        "reference": "loaded",
        "reference_kg": "10000.000",
        "observed_kg": "9400.000",
        "difference_kg": "-600.000",
        "difference_pct": "-6.00",
        "tolerance_pct": "5",
        "tolerance_kg": "10",
    }
    assert "9400.000 kg against 10000.000 kg loaded" in found.message


def test_four_percent_loss_is_not_reported():
    assert reconcile(manifest(line(loaded=D("10"), received=D("9.6")))) == []


def test_small_line_loss_below_ten_kilograms_is_not_reported():
    small = line(unit="kg", declared=D("100"), loaded=D("100"), received=D("94"))
    assert reconcile(manifest(small)) == []


def test_received_against_declared_when_nothing_was_loaded():
    [found] = reconcile(manifest(line(received=D("9.4"))))
    assert found.key == "quantity_discrepancy:received:1"
    assert found.measured["reference"] == "declared"


def test_loss_at_pickup():
    [found] = reconcile(manifest(line(loaded=D("9.3"))))
    assert found.key == "quantity_discrepancy:loaded:1"
    assert found.measured["difference_pct"] == "-7.00"
    assert found.severity == "warning"


def test_loss_beyond_twice_the_tolerance_is_a_violation():
    [found] = reconcile(manifest(line(received=D("8.9"))))  # -11 %, -1100 kg
    assert found.severity == "violation"
    [found] = reconcile(manifest(line(received=D("9"))))  # exactly -10 %: still a warning
    assert found.severity == "warning"


def test_excess_is_a_warning_however_large():
    [found] = reconcile(manifest(line(received=D("13"))))
    assert (found.severity, found.measured["difference_pct"]) == ("warning", "30.00")


def test_two_small_steps_adding_up_are_found_once():
    # -4 % at pickup, then -4 % of the loaded mass in transit: -7.84 % against declared.
    found = reconcile(manifest(line(loaded=D("9.6"), received=D("9.216"))))
    assert keys(found) == ["quantity_discrepancy:cumulative:1"]
    assert found[0].measured["difference_kg"] == "-784.000"
    assert found[0].measured["difference_pct"] == "-7.84"


def test_no_cumulative_finding_when_a_step_is_already_reported():
    found = reconcile(manifest(line(loaded=D("9.4"), received=D("9.4"))))
    assert keys(found) == ["quantity_discrepancy:loaded:1"]


def test_one_missing_drum_is_found():
    drums = line(unit="pcs", declared=D("20"), loaded=D("20"), received=D("19"))
    [found] = reconcile(manifest(drums))
    assert found.key == "quantity_discrepancy:received:1"
    assert found.severity == "violation"
    assert found.measured == {
        "unit": "pcs",
        "basis": "count",
        "reference": "loaded",
        "reference_count": "20",
        "observed_count": "19",
        "difference_count": "-1",
        "difference_pct": "-5.00",
    }


def test_volume_with_density_is_compared_as_mass():
    liquid = line(unit="m3", declared=D("10"), received=D("9.4"), density_t_per_m3=D("1.2"))
    [found] = reconcile(manifest(liquid))
    assert found.measured["reference_kg"] == "12000.000"
    assert found.measured["observed_kg"] == "11280.000"


def test_volume_without_density_is_compared_by_share_only():
    liquid = line(unit="m3", declared=D("1"), received=D("0.94"))
    [found] = reconcile(manifest(liquid))
    assert found.measured["unit"] == "m3"
    assert found.measured["difference_m3"] == "-0.060"
    assert "tolerance_kg" not in found.measured


def test_lines_are_reported_in_order_with_their_numbers():
    lines = (line(line_no=2, received=D("9")), line(line_no=1, received=D("10")))
    assert keys(reconcile(manifest(*lines))) == ["quantity_discrepancy:received:2"]


# sludge: dry solids and moisture --------------------------------------------------------------


def sludge(received: str, moisture_received: str | None, **kwargs) -> ManifestTallies:
    wet = line(unit="t", declared=D("10"), received=D(received), waste_code="462-001-S07", **kwargs)
    return manifest(
        wet,
        kind="sludge",
        moisture_declared_pct=D("80"),
        moisture_received_pct=None if moisture_received is None else D(moisture_received),
    )


def test_pure_drying_loss_is_not_a_discrepancy():
    # 10 t at 80 % and 8 t at 75 % both hold 2.0 t of dry solids; 5 points is not above 5.
    assert reconcile(sludge("8", "75")) == []


def test_drying_without_moisture_on_arrival_is_compared_wet():
    [found] = reconcile(sludge("8", None))
    assert found.measured["basis"] == "wet"
    assert found.measured["difference_pct"] == "-20.00"
    assert found.severity == "violation"


def test_moisture_change_above_five_points_is_reported_on_its_own():
    # 8 t at 74 % = 2.08 t dry: +4 % of dry solids, within tolerance.
    [found] = reconcile(sludge("8", "74"))
    assert found.key == "moisture_change:received:manifest"
    assert found.severity == "info"  # drier on arrival: expected
    assert found.measured == {
        "moisture_declared_pct": "80",
        "moisture_received_pct": "74",
        "change_points": "-6",
        "tolerance_points": "5",
    }


def test_wetter_on_arrival_is_a_warning():
    [moisture] = [d for d in reconcile(sludge("12", "86")) if d.type == "moisture_change"]
    assert moisture.severity == "warning"


def test_real_loss_of_dry_solids_is_found():
    [found] = reconcile(sludge("9", "80"))  # 2.0 t → 1.8 t of dry solids
    assert found.key == "quantity_discrepancy:received:1"
    assert found.severity == "warning"  # -10 % is not beyond twice the 5 % tolerance
    assert found.measured == {
        "unit": "kg",
        "basis": "dry",
        "reference": "declared",
        "reference_kg": "2000.000",
        "observed_kg": "1800.000",
        "difference_kg": "-200.000",
        "difference_pct": "-10.00",
        "tolerance_pct": "5",
        "tolerance_kg": "10",
        "reference_wet_kg": "10000.000",
        "observed_wet_kg": "9000.000",
        "moisture_reference_pct": "80",
        "moisture_observed_pct": "80",
    }


def test_loss_hidden_by_added_water_is_found():
    # 10 t at 80 % = 2.0 t dry; 10 t at 85 % = 1.5 t dry: wet mass unchanged, solids gone.
    [found] = [d for d in reconcile(sludge("10", "85")) if d.type == "quantity_discrepancy"]
    assert found.measured["difference_pct"] == "-25.00"
    assert found.severity == "violation"


def test_moisture_out_of_range_is_refused():
    with pytest.raises(ValidationFailed) as caught:
        reconcile(sludge("8", "100"))
    assert "moisture_received_pct" in caught.value.errors


# type, rejection ------------------------------------------------------------------------------


def test_different_waste_code_is_a_violation():
    changed = line(received=D("10"), received_waste_code="900-041-49")
    [found] = reconcile(manifest(changed))
    assert found.key == "type_discrepancy:received:1"
    assert found.severity == "violation"
    assert found.measured == {
        "declared_waste_code": "336-064-17",
        "received_waste_code": "900-041-49",
        "declared_physical_form": "SS",
        "received_physical_form": "SS",
    }


def test_changed_form_alone_is_a_warning():
    [found] = reconcile(manifest(line(received=D("10"), received_physical_form="L")))
    assert (found.type, found.severity) == ("type_discrepancy", "warning")


def test_received_code_equal_to_declared_is_not_a_change():
    same = line(received=D("10"), received_waste_code=" 336-064-17 ", received_physical_form="ss")
    assert reconcile(manifest(same)) == []


def test_rejection_is_reported_with_its_reason():
    rejected = line(received=D("10"), rejected=D("2.5"), rejection_reason="drums leaking")
    [found] = reconcile(manifest(rejected))
    assert found.key == "rejection:decision:1"
    assert found.severity == "warning"
    assert found.measured == {
        "unit": "t",
        "rejected": "2.5",
        "reason": "drums leaking",
        "received": "10",
    }


def test_nothing_rejected_is_nothing_to_report():
    assert reconcile(manifest(line(received=D("10"), rejected=D("0")))) == []


# weighbridge ----------------------------------------------------------------------------------


def test_weighbridge_net_against_total_declared():
    lines = (line(line_no=1, declared=D("6")), line(line_no=2, unit="kg", declared=D("4000")))
    [found] = reconcile(manifest(*lines, weighbridge_net_kg=D("9350")))
    assert found.key == "quantity_discrepancy:weighbridge:manifest"
    assert found.measured["reference_kg"] == "10000.000"
    assert found.measured["observed_kg"] == "9350.000"
    assert found.measured["difference_pct"] == "-6.50"
    assert reconcile(manifest(*lines, weighbridge_net_kg=D("9600"))) == []


def test_weighbridge_is_compared_dry_for_sludge():
    tallies = sludge("8", "75")
    wet = ManifestTallies(**{**tallies.__dict__, "weighbridge_net_kg": D("8000")})
    assert reconcile(wet) == []


def test_weighbridge_skipped_when_a_line_has_no_mass():
    drums = line(unit="pcs", declared=D("20"))
    assert reconcile(manifest(drums, weighbridge_net_kg=D("1"))) == []


@pytest.mark.parametrize(
    "tallies",
    [
        manifest(line(declared=D("10")), weighbridge_net_kg=D("9350")),
        manifest(line(declared=D("10")), weighbridge_net_kg=D("9600")),
        manifest(line(declared=D("10"), loaded=D("8")), weighbridge_net_kg=D("7000")),
        manifest(line(unit="pcs", declared=D("20")), weighbridge_net_kg=D("1")),
        ManifestTallies(**{**sludge("8", "75").__dict__, "weighbridge_net_kg": D("8000")}),
        ManifestTallies(**{**sludge("8", "75").__dict__, "weighbridge_net_kg": D("6000")}),
        manifest(line(declared=D("10")), weighbridge_net_kg=None),
    ],
)
def test_weighbridge_discrepancy_is_what_reconcile_reports_for_the_net_weight(tallies):
    whole = [d for d in reconcile(tallies) if d.stage == "weighbridge"]
    alone = weighbridge_discrepancy(tallies)
    assert whole == ([] if alone is None else [alone])


def test_keys_are_stable_across_calls():
    tallies = manifest(line(received=D("9"), received_waste_code="900-041-49"))
    first, second = reconcile(tallies), reconcile(tallies)
    assert first == second
    assert keys(first) == ["quantity_discrepancy:received:1", "type_discrepancy:received:1"]
