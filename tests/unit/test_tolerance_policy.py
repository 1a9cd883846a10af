"""Which region's tolerance judges a manifest, and what a setting may hold."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from manifest.errors import ValidationFailed
from manifest.reconcile import Tolerance
from manifest.tolerances import TolerancePolicy, checked_value, enclosing_codes


def test_a_region_is_enclosed_by_its_city_and_province():
    assert enclosing_codes("440703") == ["440703", "440700", "440000"]
    assert enclosing_codes("440700") == ["440700", "440000"]
    assert enclosing_codes("440000") == ["440000"]


def test_the_most_specific_setting_wins_and_the_default_holds_elsewhere():
    city, district, province = Tolerance(D("10")), Tolerance(D("3")), Tolerance(D("8"))
    policy = TolerancePolicy(
        regional={
            ("440700", "hazardous"): city,
            ("440703", "hazardous"): district,
            ("440000", "sludge"): province,
        }
    )
    assert policy.applicable("440703", "hazardous") == (district, "440703")
    assert policy.applicable("440705", "hazardous") == (city, "440700")
    assert policy.applicable("440705", "sludge") == (province, "440000")
    assert policy.applicable("440604", "hazardous") == (Tolerance(), None)
    assert policy.applicable("440100", "sludge") == (province, "440000")
    assert policy.applicable("450100", "sludge") == (Tolerance(), None)
    assert policy.applicable(None, "hazardous") == (Tolerance(), None)
    assert policy.strictest_mass() == (D("3"), D("10"))


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("mass_pct", "100.01"),
        ("mass_pct", "-0.01"),
        ("mass_pct", "5.125"),
        ("mass_abs_kg", "1000000.001"),
        ("moisture_points", "101"),
        ("violation_factor", "0.99"),
        ("mass_pct", "NaN"),
        ("mass_pct", True),
        ("mass_abs_kg", None),
    ],
)
def test_a_setting_out_of_bounds_is_refused(name, value):
    with pytest.raises(ValidationFailed) as caught:
        checked_value(name, value)
    assert name in caught.value.errors


def test_a_setting_within_bounds_is_a_decimal():
    assert checked_value("mass_pct", "100") == D("100")
    assert checked_value("mass_abs_kg", 0) == D("0")
    assert checked_value("violation_factor", "1.5") == D("1.5")
