"""Quantities: decimals with a unit, never floats.

Mass units convert exactly; ``m3`` needs a density (t/m3) to become mass; ``pcs`` counts
containers and never converts to mass.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .errors import ValidationFailed
from .texts import Text

MASS_UNITS = {"t": Decimal("1000"), "kg": Decimal("1")}
UNITS = ("t", "kg", "m3", "pcs")
#: Largest quantity a single manifest line may carry, in its unit. A road vehicle never carries
#: more than this many tonnes; the limit catches typing errors such as an extra three zeros.
MAX_QUANTITY = Decimal("100000")
SCALE = 3  # decimal places kept in storage


def _refusal(message: str, short: str, field: str, **params) -> ValidationFailed:
    """A refusal of ``field``: the sentence ``message`` and, on the field, ``short``."""
    return ValidationFailed(Text(message, field=field, **params), errors={field: [Text(short)]})


def parse_decimal(value, *, field: str = "quantity", allow_zero: bool = True) -> Decimal:
    """Parse a JSON number or decimal string into a finite, non-negative Decimal.

    Raises ValidationFailed for booleans, NaN, infinities, negatives, more than three decimal
    places, or values above MAX_QUANTITY.
    """
    if isinstance(value, bool) or value is None:
        raise _refusal("number_not_a_number", "not_a_number", field)
    try:
        if isinstance(value, float):
            number = Decimal(repr(value))
        else:
            text = str(value).strip()
            # Decimal() also reads other scripts' digits and "1_000"; people mean neither.
            if not text.isascii() or "_" in text:
                raise ValueError(text)
            number = Decimal(text)
    except (InvalidOperation, ValueError):
        raise _refusal("number_not_a_number", "not_a_number", field) from None
    if not number.is_finite():
        raise _refusal("number_not_finite", "not_finite", field)
    if number < 0:
        raise _refusal("number_negative", "negative", field)
    if not allow_zero and number == 0:
        raise _refusal("number_zero", "zero", field)
    if number > MAX_QUANTITY:
        raise _refusal("number_too_large", "too_large", field, limit=MAX_QUANTITY)
    if number.as_tuple().exponent < -SCALE:
        raise _refusal("number_too_precise", "too_precise", field, scale=SCALE)
    return number.quantize(Decimal(1).scaleb(-SCALE))


def parse_percentage(value, *, field: str = "moisture_pct") -> Decimal:
    """A moisture content: a decimal from 0 to below 100 with at most two decimal places (the
    precision it is stored with, so the stored figure is the signed one).

    Raises ValidationFailed otherwise.
    """
    try:
        number = parse_decimal(value, field=field)
    except ValidationFailed:
        number = None
    if number is None or number >= 100 or number != number.quantize(Decimal("0.01")):
        raise _refusal("percentage_invalid", "percentage", field)
    return number


@dataclass(frozen=True)
class Quantity:
    amount: Decimal
    unit: str

    def __post_init__(self):
        if self.unit not in UNITS:
            raise ValidationFailed(
                Text("unit_unknown", unit=self.unit), errors={"unit": [Text("unknown_unit")]}
            )

    @property
    def is_mass(self) -> bool:
        return self.unit in MASS_UNITS

    def to_kg(self, density_t_per_m3: Decimal | None = None) -> Decimal | None:
        """Mass in kilograms, or None where it cannot be known (pcs, or m3 without density)."""
        if self.unit in MASS_UNITS:
            return self.amount * MASS_UNITS[self.unit]
        if self.unit == "m3" and density_t_per_m3 is not None:
            return self.amount * density_t_per_m3 * 1000
        return None

    def to_tonnes(self, density_t_per_m3: Decimal | None = None) -> Decimal | None:
        kg = self.to_kg(density_t_per_m3)
        return None if kg is None else kg / 1000

    def __str__(self) -> str:
        return f"{self.amount} {self.unit}"


def format_decimal(value: Decimal | None) -> str | None:
    """The wire form of a quantity: a plain decimal string with three places."""
    if value is None:
        return None
    return format(Decimal(value).quantize(Decimal("0.001")), "f")
