"""Positioning terminals bound to a transporter's vehicles, and a trip's last known position."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint
from marshmallow import fields, validate

from manifest.services import terminals
from manifest.services.positions import trip_position

from ..auth import current_actor
from ..db import session, uow
from ..schemas import Integer

blp = Blueprint(
    "terminals",
    __name__,
    url_prefix="/api/v1",
    description="JT/T 808 positioning terminals and the positions they report",
)


class TerminalIn(ma.Schema):
    phone = fields.String(
        required=True,
        validate=validate.Length(1, 20),
        metadata={"description": "the terminal's number as in its message headers (digits)"},
    )
    vehicle_plate = fields.String(required=True, validate=validate.Length(1, 20))
    plate_colour = Integer(
        required=True,
        metadata={
            "description": "as the terminal registers it: 1 blue, 2 yellow, 3 black, "
            "4 white, 5 green, 9 other"
        },
    )


class TerminalOut(ma.Schema):
    id = fields.Integer()
    phone = fields.String()
    organization_id = fields.Integer()
    vehicle_plate = fields.String()
    plate_colour = fields.Integer()
    registered_at = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime()


class PositionOut(ma.Schema):
    vehicle_plate = fields.String()
    time = fields.AwareDateTime()
    received_at = fields.AwareDateTime()
    lat = fields.Float()
    lon = fields.Float()
    speed_kmh = fields.Float()
    heading = fields.Integer()


class LastPositionOut(ma.Schema):
    position = fields.Nested(PositionOut, allow_none=True)


def _out(terminal, plate: str) -> dict:
    return {
        "id": terminal.id,
        "phone": terminal.phone,
        "organization_id": terminal.organization_id,
        "vehicle_plate": plate,
        "plate_colour": terminal.plate_colour,
        "registered_at": terminal.registered_at,
        "created_at": terminal.created_at,
    }


@blp.route("/organizations/<int:org_id>/terminals", methods=["POST"])
@blp.arguments(TerminalIn)
@blp.response(201, TerminalOut)
def bind_terminal(args, org_id):
    """Bind a terminal to a vehicle (the transporter's administrators); it may then register
    with the gateway and report that vehicle's positions."""
    terminal = terminals.bind_terminal(uow(), actor=current_actor(), organization_id=org_id, **args)
    return _out(terminal, terminals.normalize_plate_of(args["vehicle_plate"]))


@blp.route("/organizations/<int:org_id>/terminals", methods=["GET"])
@blp.response(200, TerminalOut(many=True))
def list_terminals(org_id):
    """The terminals bound to a transporter's vehicles (its administrators)."""
    rows = terminals.list_terminals(session(), actor=current_actor(), organization_id=org_id)
    return [_out(terminal, plate) for terminal, plate in rows]


@blp.route("/manifests/<ref>/position", methods=["GET"])
@blp.response(200, LastPositionOut)
def last_position(ref):
    """The last position its vehicle's terminal reported during the trip (null before the
    first one, or without a terminal)."""
    return {"position": trip_position(session(), current_actor(), ref)}
