"""The registry of finding types: one table that the report, the labels and the API read."""

from __future__ import annotations

import pytest

from manifest import finding_types as ft
from manifest.services.discrepancy_report import figures


def test_names_are_unique_and_every_family_is_used():
    names = [t.name for t in ft.REGISTRY]
    assert len(names) == len(set(names)) == len(ft.FINDING_TYPES)
    assert {t.family for t in ft.REGISTRY} == set(ft.FAMILIES)


def test_every_type_has_a_chinese_and_an_english_label_of_its_own():
    for lang in ft.LANGUAGES:
        labels = [ft.label(name, lang) for name in ft.FINDING_TYPES]
        assert all(label.strip() for label in labels)
        assert len(set(labels)) == len(labels), lang
    assert ft.label("licence_capacity", "zh") == "超许可经营规模"
    assert ft.label("unmanifested_receipt", "en") == "Unmanifested receipt"
    with pytest.raises(KeyError):
        ft.label("misdirected_receipt", "zh")
    with pytest.raises(KeyError):
        ft.label("rejection", "fr")


def test_the_discrepancy_family_is_exactly_the_types_with_figures():
    assert ft.DISCREPANCY_TYPES == (
        "quantity_discrepancy",
        "type_discrepancy",
        "moisture_change",
        "rejection",
        "unmanifested_receipt",
        "licence_capacity",
    )
    assert [t.name for t in ft.REGISTRY if t.figures is not None] == list(ft.DISCREPANCY_TYPES)


def test_a_type_outside_the_discrepancy_family_cannot_carry_figures_and_vice_versa():
    with pytest.raises(ValueError, match="figures"):
        ft.FindingType("odd", ft.GPS, "怪", "Odd", figures=lambda measured: {})
    with pytest.raises(ValueError, match="figures"):
        ft.FindingType("odd", ft.DISCREPANCY, "怪", "Odd")
    with pytest.raises(ValueError, match="family"):
        ft.FindingType("odd", "weather", "怪", "Odd")
    with pytest.raises(ValueError, match="family"):
        ft.names_of("weather")


def test_figures_read_as_the_registry_says():
    capacity = figures("licence_capacity", {"licensed_t": "100", "total_t": "112.5", "scope": "*"})
    assert (capacity["declared"], capacity["observed"], capacity["difference"]) == (
        "100.000",
        "112.500",
        "12.500",
    )
    assert (capacity["unit"], capacity["difference_pct"], capacity["scope"]) == ("t", "12.50", "*")
    rejected = figures("rejection", {"received": "8", "rejected": "2", "unit": "kg"})
    assert (rejected["observed"], rejected["difference"], rejected["difference_pct"]) == (
        "6",
        "-2",
        "-25.00",
    )
    kinds = figures(
        "type_discrepancy",
        {"declared_waste_code": "900-041-49", "received_physical_form": "liquid"},
    )
    assert (kinds["declared"], kinds["observed"]) == ("900-041-49", "liquid")
    # GPS and deadline findings have no declared and observed figures to tabulate.
    assert figures("gps_gap", {"stage": "x"})["declared"] is None
