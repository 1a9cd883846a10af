"""Which tolerance judges a manifest, and what a tolerance setting may hold.

Tolerances belong to regions. A regulator sets them for the 6-digit division codes it covers;
a setting made for a code holds for every region inside it (a city's setting for its
districts, a province's for its cities), and the most specific setting wins. Where no
enclosing region has set anything, the service-wide default applies.

A manifest is judged by the tolerance of the region where it is issued: the region of its
generator's organisation, whose bureau supervises the transfer. The service reads that region
(:func:`manifest.services.tolerances.issuing_regions`) and asks :class:`TolerancePolicy`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from .errors import ValidationFailed
from .quantities import parse_decimal
from .reconcile import DEFAULT_TOLERANCES, Tolerance
from .regions import region_prefix

#: field -> (lowest, highest, decimal places) a setting may hold. The columns keep that many
#: places; more would be rounded away silently.
BOUNDS: dict[str, tuple[Decimal, Decimal, int]] = {
    "mass_pct": (Decimal(0), Decimal(100), 2),
    "mass_abs_kg": (Decimal(0), Decimal(1_000_000), 3),
    "moisture_points": (Decimal(0), Decimal(100), 2),
    "violation_factor": (Decimal(1), Decimal(100), 2),
}
FIELDS = tuple(BOUNDS)


def checked_value(name: str, value) -> Decimal:
    """``value`` (a decimal string or JSON number) as a Decimal within the bounds of ``name``,
    with the places the setting keeps.

    Raises ValidationFailed naming the field for anything else: not a finite decimal, out of
    bounds, or more decimal places than the setting keeps."""
    low, high, places = BOUNDS[name]
    number = parse_decimal(value, field=name)
    if not low <= number <= high:
        raise ValidationFailed(
            f"{name} must lie between {low} and {high}",
            errors={name: [f"between {low} and {high}"]},
        )
    step = Decimal(1).scaleb(-places)
    if number != number.quantize(step):
        raise ValidationFailed(
            f"{name} takes at most {places} decimal places",
            errors={name: [f"at most {places} decimal places"]},
        )
    return number.quantize(step)  # as stored, so what is answered is what will judge


def enclosing_codes(region_code: str) -> list[str]:
    """The codes whose settings hold for ``region_code``, most specific first:
    440703 -> 440703, 440700, 440000."""
    candidates = [region_code, region_code[:4] + "00", region_code[:2] + "0000"]
    out: list[str] = []
    for code in candidates:
        if code not in out and region_code.startswith(region_prefix(code)):
            out.append(code)
    return out


class Applied(NamedTuple):
    """A tolerance and the region whose setting it is (None: the service-wide default)."""

    tolerance: Tolerance
    region_code: str | None


@dataclass(frozen=True)
class TolerancePolicy:
    """The service-wide default per kind and the settings of regions, per (code, kind)."""

    defaults: Mapping[str, Tolerance] = field(default_factory=lambda: dict(DEFAULT_TOLERANCES))
    regional: Mapping[tuple[str, str], Tolerance] = field(default_factory=dict)

    def applicable(self, region_code: str | None, kind: str) -> Applied:
        """The tolerance judging a manifest of ``kind`` issued in ``region_code``."""
        for code in enclosing_codes(region_code) if region_code else ():
            found = self.regional.get((code, kind))
            if found is not None:
                return Applied(found, code)
        return Applied(self.defaults[kind], None)

    def strictest_mass(self) -> tuple[Decimal, Decimal]:
        """The lowest percentage and the lowest kilograms over every setting: a difference
        below either cannot be significant anywhere."""
        every = [*self.defaults.values(), *self.regional.values()]
        return min(t.mass_pct for t in every), min(t.mass_abs_kg for t in every)
