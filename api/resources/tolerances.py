"""Reconciliation tolerances per manifest kind: when a difference between tallies is a finding."""

from __future__ import annotations

from decimal import Decimal

import marshmallow as ma
from flask_smorest import Blueprint
from marshmallow import fields, validate

from manifest.errors import NotFound
from manifest.models.manifests import KINDS
from manifest.services.reconciliation import all_tolerances, set_tolerance

from ..auth import current_actor
from ..db import session, uow
from ..schemas import DecimalString

blp = Blueprint(
    "tolerances",
    __name__,
    url_prefix="/api/v1/tolerances",
    description="When a difference between tallies is significant",
)


def _at_most_places(places: int):
    step = Decimal(1).scaleb(-places)

    def check(value: Decimal) -> None:
        if value != value.quantize(step):
            raise ma.ValidationError(f"at most {places} decimal places")

    return check


def _limit(high: int, places: int, **kwargs) -> DecimalString:
    # The columns hold two decimals for percentages and points: more would be rounded away.
    return DecimalString(validate=[validate.Range(0, high), _at_most_places(places)], **kwargs)


class ToleranceIn(ma.Schema):
    mass_pct = _limit(100, 2, required=True, metadata={"description": "% of the reference"})
    mass_abs_kg = _limit(1_000_000, 3, required=True, metadata={"description": "kg"})
    moisture_points = _limit(
        100, 2, required=True, metadata={"description": "percentage points of moisture"}
    )
    violation_factor = DecimalString(
        validate=[validate.Range(1, 100), _at_most_places(2)],
        metadata={
            "description": "a loss beyond this many times both limits is a violation; "
            "left out: unchanged"
        },
    )


class Fixed(fields.Field):
    """A decimal string with a fixed number of places, whether configured or the default."""

    def __init__(self, places: int, **kwargs):
        super().__init__(**kwargs)
        self.exponent = Decimal(1).scaleb(-places)

    def _serialize(self, value, attr, obj, **kwargs):
        return format(Decimal(value).quantize(self.exponent), "f")


class ToleranceOut(ma.Schema):
    kind = fields.String()
    mass_pct = Fixed(2)
    mass_abs_kg = Fixed(3)
    moisture_points = Fixed(2)
    violation_factor = Fixed(2)


TolerancesOut = ma.Schema.from_dict(
    {kind: fields.Nested(ToleranceOut) for kind in KINDS}, name="TolerancesOut"
)


def _out(kind: str, tolerance) -> dict:
    return {
        "kind": kind,
        "mass_pct": tolerance.mass_pct,
        "mass_abs_kg": tolerance.mass_abs_kg,
        "moisture_points": tolerance.moisture_points,
        "violation_factor": tolerance.violation_factor,
    }


@blp.route("", methods=["GET"])
@blp.response(200, TolerancesOut)
def list_tolerances():
    """The tolerance of every manifest kind (the configured one, else the national default of
    5 % and 10 kg, 5 moisture points)."""
    current_actor()
    return {kind: _out(kind, t) for kind, t in all_tolerances(session()).items()}


@blp.route("/<kind>", methods=["PUT"])
@blp.arguments(ToleranceIn)
@blp.response(200, ToleranceOut)
def put_tolerance(args, kind):
    """Set the tolerance of a manifest kind (regulator). Deliveries from now on are judged by
    it; findings already raised keep the limits they were raised with."""
    actor = current_actor()
    if kind not in KINDS:
        raise NotFound(f"no manifest kind {kind!r}; kinds are {', '.join(KINDS)}")
    return _out(kind, set_tolerance(uow(), actor=actor, kind=kind, **args))
