"""Mass of manifest lines in kilograms, and a manifest's mass totals over its lines.

Kilograms keep every figure exact with three decimals: tonnes have three, and a volume (three
decimals) times a density (three decimals) times 1000 has three as well. Container counts
(``pcs``) and volumes without a density have no mass; they are counted, not weighed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Protocol

from .quantities import MASS_UNITS

#: The figures a manifest stores over its lines, as (total, line tally).
TALLIES = (
    ("declared_kg", "declared"),
    ("loaded_kg", "loaded"),
    ("received_kg", "received"),
    ("accepted_kg", "accepted"),
    ("rejected_kg", "rejected"),
)
_ZERO = Decimal(0)


class LineLike(Protocol):
    unit: str
    density_t_m3: Decimal | None
    declared: Decimal | None
    loaded: Decimal | None
    received: Decimal | None
    accepted: Decimal | None
    rejected: Decimal | None


def line_kg(unit: str, density_t_m3: Decimal | None, amount: Decimal) -> Decimal | None:
    """``amount`` of ``unit`` in kilograms; None when the line has no mass (a count, a volume
    without a density, or an unknown unit)."""
    if unit in MASS_UNITS:
        return amount * MASS_UNITS[unit]
    if unit == "m3" and density_t_m3 is not None:
        return amount * density_t_m3 * 1000
    return None


@dataclass(frozen=True)
class MassTotals:
    """A manifest's tallies summed over its lines with mass, and how many lines have none."""

    declared_kg: Decimal = _ZERO
    loaded_kg: Decimal = _ZERO
    received_kg: Decimal = _ZERO
    accepted_kg: Decimal = _ZERO
    rejected_kg: Decimal = _ZERO
    unmeasured_lines: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def mass_totals(lines: Iterable[LineLike]) -> MassTotals:
    """Sum each tally of ``lines`` in kilograms; a tally not yet written counts as 0."""
    sums = dict.fromkeys((total for total, _ in TALLIES), _ZERO)
    unmeasured = 0
    for line in lines:
        if line_kg(line.unit, line.density_t_m3, _ZERO) is None:
            unmeasured += 1
            continue
        for total, tally in TALLIES:
            amount = getattr(line, tally)
            if amount is not None:
                sums[total] += line_kg(line.unit, line.density_t_m3, Decimal(amount))
    return MassTotals(**sums, unmeasured_lines=unmeasured)
