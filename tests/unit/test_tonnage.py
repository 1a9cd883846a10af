"""Line mass in kilograms and a manifest's mass totals, without a database."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest

from manifest.tonnage import MassTotals, line_kg, mass_totals

D = Decimal


@pytest.mark.parametrize(
    ("unit", "density", "amount", "kg"),
    [
        ("t", None, D("6.125"), D("6125")),
        ("t", D("1.2"), D("0.001"), D("1")),  # a density does not change a mass
        ("kg", None, D("1500.5"), D("1500.5")),
        ("m3", D("1.234"), D("2.5"), D("3085")),
        ("m3", D("0.999"), D("0.001"), D("0.999")),
        ("m3", None, D("2.5"), None),
        ("pcs", None, D("4"), None),
        ("pcs", D("1.0"), D("4"), None),
        ("l", None, D("4"), None),
    ],
)
def test_line_kg(unit, density, amount, kg):
    assert line_kg(unit, density, amount) == kg


def test_kilograms_stay_exact_with_three_decimals():
    kg = line_kg("m3", D("99999.999"), D("99999.999"))
    assert kg == D("9999999800000.001000")
    assert kg == kg.quantize(D("0.001"))


def line(unit, declared, density=None, **tallies):
    base = dict.fromkeys(("loaded", "received", "accepted", "rejected"))
    return SimpleNamespace(unit=unit, density_t_m3=density, declared=declared, **base | tallies)


def decided(accepted, rejected) -> dict:
    return {"accepted": D(accepted), "rejected": D(rejected)}


def test_totals_sum_the_lines_with_mass_and_count_the_others():
    lines = [
        line("t", D("6.000"), loaded=D("5.980"), received=D("5.960"), **decided("5.460", "0.500")),
        line("kg", D("1500"), loaded=D("1500"), received=D("1499.5")),
        line("m3", D("2.000"), D("1.100"), loaded=D("2.000")),
        line("m3", D("3.000")),
        line("pcs", D("4"), loaded=D("4"), received=D("4"), **decided("4", "0")),
    ]
    assert mass_totals(lines) == MassTotals(
        declared_kg=D("9700"),
        loaded_kg=D("9680"),
        received_kg=D("7459.5"),
        accepted_kg=D("5460"),
        rejected_kg=D("500"),
        unmeasured_lines=2,
    )


def test_no_lines_and_unwritten_tallies_count_zero():
    assert mass_totals([]) == MassTotals()
    totals = mass_totals([line("t", D("1"))])
    assert totals.as_dict() == {
        "declared_kg": D("1000"),
        "loaded_kg": 0,
        "received_kg": 0,
        "accepted_kg": 0,
        "rejected_kg": 0,
        "unmeasured_lines": 0,
    }
    assert all(isinstance(v, Decimal) for k, v in totals.as_dict().items() if k.endswith("_kg"))
