"""Positioning terminals bound to a transporter's vehicles, and a trip's last known position."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from manifest.services import terminals
from manifest.services.positions import trip_position

from ..auth import current_actor
from ..db import session, uow
from ..schemas import Integer
from . import api_blueprint
from .declare import organization_rows, reads

blp = api_blueprint("terminals", "", "JT/T 808 positioning terminals and the positions they report")


class RebindIn(ma.Schema):
    """The vehicle a terminal is bound to."""

    vehicle_plate = fields.String(required=True, validate=validate.Length(1, 20))
    plate_colour = Integer(
        required=True,
        metadata={
            "description": "as the terminal registers it: 1 blue, 2 yellow, 3 black, "
            "4 white, 5 green, 9 other"
        },
    )


class TerminalIn(RebindIn):
    phone = fields.String(
        required=True,
        validate=validate.Length(1, 20),
        metadata={"description": "the terminal's number as in its message headers (digits)"},
    )


class TerminalOut(ma.Schema):
    """A binding of a terminal to a vehicle, read from the service's
    :class:`~manifest.services.terminals.TerminalRow`; the times are those of this binding."""

    id = fields.Integer(attribute="terminal.id")
    phone = fields.String(attribute="terminal.phone")
    organization_id = fields.Integer(attribute="terminal.organization_id")
    vehicle_plate = fields.String()
    plate_colour = fields.Integer(attribute="terminal.plate_colour")
    registered_at = fields.AwareDateTime(attribute="terminal.registered_at", allow_none=True)
    created_at = fields.AwareDateTime(attribute="terminal.created_at")
    last_seen_at = fields.AwareDateTime(
        allow_none=True,
        metadata={
            "description": "the latest of its registration, authentication, heartbeat and "
            "the receipt of its newest fix"
        },
    )
    last_fix_at = fields.AwareDateTime(
        allow_none=True, metadata={"description": "the time of its newest usable fix"}
    )


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


@blp.route("/organizations/<int:org_id>/terminals", methods=["POST"])
@blp.arguments(TerminalIn)
@blp.response(201, TerminalOut)
def bind_terminal(args, org_id):
    """Bind a terminal to a vehicle (the transporter's administrators); it may then register
    with the gateway and report that vehicle's positions."""
    return terminals.bind_terminal(uow(), actor=current_actor(), organization_id=org_id, **args)


@reads(
    blp,
    "/organizations/<int:org_id>/terminals",
    TerminalOut(many=True),
    organization_rows(terminals.list_terminals),
)
def list_terminals():
    """The terminals bound to a transporter's vehicles (its administrators)."""


@blp.route("/organizations/<int:org_id>/terminals/<int:terminal_id>", methods=["PUT"])
@blp.arguments(RebindIn)
@blp.response(200, TerminalOut)
def rebind_terminal(args, org_id, terminal_id):
    """Move a bound terminal to another vehicle of the transporter (its administrators); the
    answer is the new binding, with a new id. The terminal registers again with the new plate
    before it reports."""
    return terminals.rebind_terminal(
        uow(), actor=current_actor(), organization_id=org_id, terminal_id=terminal_id, **args
    )


@blp.route("/organizations/<int:org_id>/terminals/<int:terminal_id>", methods=["DELETE"])
@blp.response(204)
def unbind_terminal(org_id, terminal_id):
    """Unbind a terminal (the transporter's administrators): the gateway refuses its
    registration and positions from then on, also on a connection already open."""
    terminals.unbind_terminal(
        uow(), actor=current_actor(), organization_id=org_id, terminal_id=terminal_id
    )


@blp.route("/manifests/<ref>/position", methods=["GET"])
@blp.response(200, LastPositionOut)
def last_position(ref):
    """The last position its vehicle's terminal reported during the trip (null before the
    first one, or without a terminal)."""
    return {"position": trip_position(session(), current_actor(), ref)}
