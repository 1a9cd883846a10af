"""Reconciliation tolerances per region and manifest kind: when a difference between tallies
is a finding, who set it, and the record of every change."""

from __future__ import annotations

from decimal import Decimal

import marshmallow as ma
from marshmallow import fields, validate

from manifest.errors import ValidationFailed
from manifest.models.manifests import KINDS
from manifest.services.tolerances import (
    clear_tolerance,
    set_tolerance,
    tolerance_history,
    tolerances_in_effect,
)
from manifest.tolerances import BOUNDS, FIELDS, checked_value

from ..auth import current_actor
from ..db import session, uow
from ..pagination import query_page
from ..schemas import PageArgs
from . import api_blueprint

blp = api_blueprint(
    "tolerances", "/tolerances", "When a difference between tallies is significant, per region"
)

REGION = fields.String(
    validate=validate.Regexp(r"^[1-9][0-9]{5}$"),
    metadata={"description": "6-digit administrative division code, e.g. 440700"},
)


class ToleranceValue(fields.Field):
    """One tolerance figure: a decimal string or JSON number within the setting's bounds."""

    def __init__(self, name: str, description: str, **kwargs):
        low, high, places = BOUNDS[name]
        self.setting = name
        super().__init__(
            metadata={
                "type": "string",
                "description": f"{description}; {low} to {high}, at most {places} decimals",
            },
            **kwargs,
        )

    def _deserialize(self, value, attr, data, **kwargs) -> Decimal:
        try:
            return checked_value(self.setting, value)
        except ValidationFailed as exc:
            raise ma.ValidationError(exc.message) from None


class ToleranceIn(ma.Schema):
    region_code = fields.String(
        metadata={
            "description": "the region to set, one you supervise; may be left out when you "
            "supervise one region"
        }
    )
    mass_pct = ToleranceValue("mass_pct", "% of the reference", required=True)
    mass_abs_kg = ToleranceValue("mass_abs_kg", "kg", required=True)
    moisture_points = ToleranceValue(
        "moisture_points", "percentage points of moisture", required=True
    )
    violation_factor = ToleranceValue(
        "violation_factor",
        "a loss beyond this many times both limits is a violation; left out: unchanged",
    )


class Fixed(fields.Field):
    """A decimal string with a fixed number of places, whether configured or the default."""

    def __init__(self, places: int, **kwargs):
        super().__init__(**kwargs)
        self.exponent = Decimal(1).scaleb(-places)

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return format(Decimal(value).quantize(self.exponent), "f")


def _figures(prefix: str = "", **kwargs) -> dict:
    return {
        f"{prefix}{name}": Fixed(BOUNDS[name][2], **kwargs, metadata={"type": "string"})
        for name in FIELDS
    }


ToleranceOut = ma.Schema.from_dict(
    {
        "kind": fields.String(),
        **_figures(),
        "setting_region": fields.String(
            allow_none=True,
            metadata={
                "description": "the region whose own setting this is; null: the service-wide "
                "default (configured, else the national 5 % and 10 kg)"
            },
        ),
    },
    name="ToleranceOut",
)

TolerancesOut = ma.Schema.from_dict(
    {kind: fields.Nested(ToleranceOut) for kind in KINDS}, name="TolerancesOut"
)


class TolerancesQuery(ma.Schema):
    region = REGION


class ClearQuery(ma.Schema):
    region = fields.String(
        metadata={
            "description": "the region whose setting to remove, one you supervise; may be left "
            "out when you supervise one region"
        }
    )


class HistoryQuery(PageArgs):
    region = REGION
    kind = fields.String(validate=validate.OneOf(KINDS))


ToleranceChangeOut = ma.Schema.from_dict(
    {
        "id": fields.Integer(),
        "region_code": fields.String(
            allow_none=True, metadata={"description": "null: the service-wide default"}
        ),
        "kind": fields.String(),
        **_figures("old_", allow_none=True),
        **_figures(),
        "changed_by": fields.Function(
            lambda c: c.changed_by.email if c.changed_by else None,
            allow_none=True,
            metadata={"type": "string", "description": "e-mail; null: the operator's console"},
        ),
        "regulator_id": fields.Integer(allow_none=True),
        "regulator": fields.Function(
            lambda c: c.regulator.name if c.regulator else None,
            allow_none=True,
            metadata={"type": "string"},
        ),
        "cleared": fields.Boolean(
            metadata={
                "description": "true: the region's own setting was removed; the new figures "
                "are those it follows since (an enclosing region's or the default)"
            }
        ),
        "changed_at": fields.AwareDateTime(),
    },
    name="ToleranceChangeOut",
)


def _out(kind: str, applied) -> dict:
    tolerance, region = applied
    return {
        "kind": kind,
        **{name: getattr(tolerance, name) for name in FIELDS},
        "setting_region": region,
    }


@blp.route("", methods=["GET"])
@blp.arguments(TolerancesQuery, location="query")
@blp.response(200, TolerancesOut)
def list_tolerances(args):
    """The tolerance of every manifest kind for manifests issued in a region: its own setting
    or an enclosing region's, else the service-wide default (5 % and 10 kg, 5 moisture points,
    unless configured). A regulator asks about any region it supervises (default: its first);
    anyone else about its own organisation's region. Any other region: 404."""
    actor = current_actor()
    _, applied = tolerances_in_effect(session(), actor=actor, region_code=args.get("region"))
    return {kind: _out(kind, a) for kind, a in applied.items()}


@blp.route("/history", methods=["GET"])
@blp.arguments(HistoryQuery, location="query")
@blp.response(200, ToleranceChangeOut(many=True))
def list_changes(args):
    """Every change of a tolerance that concerns your regions (or ``region``), newest first:
    old and new values, who and when (regulator). A region you do not supervise: 404."""
    stmt = tolerance_history(
        session(), actor=current_actor(), region_code=args.get("region"), kind=args.get("kind")
    )
    return query_page(args, session(), stmt)


@blp.route("/<kind>", methods=["PUT"])
@blp.arguments(ToleranceIn)
@blp.response(200, ToleranceOut)
def put_tolerance(args, kind):
    """Set the tolerance of a manifest kind for a region you supervise (regulator). Manifests
    issued there are judged by it from now on; findings already raised keep the limits they
    were raised with. Every change is recorded (GET /tolerances/history). A region you do not
    supervise: 404, and nothing changes."""
    actor = current_actor()
    return _out(kind, set_tolerance(uow(), actor=actor, kind=kind, **args))


@blp.route("/<kind>", methods=["DELETE"])
@blp.arguments(ClearQuery, location="query")
@blp.response(200, ToleranceOut)
def delete_tolerance(args, kind):
    """Remove the tolerance a region you supervise set for a manifest kind (regulator): its
    manifests are judged again by the enclosing region's setting or the service-wide default,
    which the answer gives. Recorded in the history as a change marked ``cleared``. A region
    you do not supervise, or one without a setting of its own: 404, and nothing changes."""
    actor = current_actor()
    applied = clear_tolerance(uow(), actor=actor, kind=kind, region_code=args.get("region"))
    return _out(kind, applied)
