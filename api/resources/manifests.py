"""Manifests: filing, the signed moves, the custody chain and its verification."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from manifest.catalogue_data import HAZARDS, PHYSICAL_FORMS
from manifest.services import handover, lifecycle, manifests_query
from manifest.services.drafts import create_manifest, edit_manifest
from manifest.status import actions_open_to, recorded_statuses

from ..auth import current_actor
from ..db import session, uow
from ..schemas import (
    DecimalString,
    Id,
    Integer,
    PageArgs,
    PartyOut,
    SignatureArgs,
    StoredJson,
    StoredPosition,
    Timestamp,
    Verdict,
)
from . import api_blueprint
from .declare import lists, reads

blp = api_blueprint("manifests", "/manifests", "Transfer manifests and their chain of custody")

FORMS = list(PHYSICAL_FORMS)


# ---------------------------------------------------------------- input


class LineIn(ma.Schema):
    waste_code = fields.String(required=True, validate=validate.Length(1, 20))
    name = fields.String(required=True, validate=validate.Length(1, 200))
    physical_form = fields.String(required=True, validate=validate.OneOf(FORMS))
    hazard = fields.List(fields.String(validate=validate.OneOf(list(HAZARDS))), load_default=list)
    packaging = fields.String(load_default="", validate=validate.Length(0, 100))
    container_count = Integer(
        load_default=None, allow_none=True, validate=validate.Range(0, 100_000), strict=True
    )
    quantity = DecimalString(required=True)
    unit = fields.String(required=True, validate=validate.OneOf(["t", "kg", "m3", "pcs"]))
    density_t_m3 = DecimalString(load_default=None, allow_none=True)


class ManifestIn(ma.Schema):
    kind = fields.String(required=True, validate=validate.OneOf(["hazardous", "sludge"]))
    transporter_id = Id(required=True)
    next_transporter_id = Id(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "the one transporter that may take the load over from the first "
            "(another registered transporter), or null"
        },
    )
    vehicle_plate = fields.String(required=True, validate=validate.Length(1, 20))
    receiver_id = Id(required=True)
    planned_pickup_at = Timestamp(required=True)
    operation = fields.String(required=True, validate=validate.Length(1, 3))
    moisture_pct = DecimalString(load_default=None, allow_none=True)
    heavy_metal_report = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(1, 200)
    )
    notes = fields.String(load_default="", validate=validate.Length(0, 2000))
    lines = fields.List(fields.Nested(LineIn), required=True, validate=validate.Length(1, 50))


class ManifestPatch(ManifestIn):
    """Any header field may be left out; ``lines``, when given, are whole lines."""

    def __init__(self, **kwargs):
        # Only the top level is partial: a replacement line must still be complete.
        super().__init__(partial=tuple(ManifestIn._declared_fields), **kwargs)


class CancelIn(SignatureArgs):
    reason = fields.String(required=True, validate=validate.Length(1, 2000))


class QuantityLine(ma.Schema):
    line_no = Integer(required=True, strict=True)
    quantity = DecimalString(required=True)


class PickupIn(SignatureArgs):
    vehicle_plate = fields.String(required=True, validate=validate.Length(1, 20))
    driver = fields.String(required=True, validate=validate.Length(1, 100))
    lines = fields.List(fields.Nested(QuantityLine), required=True, validate=validate.Length(1, 50))


class HandoffIn(PickupIn):
    transporter_id = Id(
        load_default=None,
        metadata={"description": "optional; when given, your own organisation"},
    )


class NextTransporterIn(SignatureArgs):
    transporter_id = Id(
        required=True,
        allow_none=True,
        metadata={"description": "the transporter that may take over next; null withdraws"},
    )


class DeliverLine(QuantityLine):
    waste_code = fields.String(validate=validate.Length(1, 20))
    physical_form = fields.String(validate=validate.OneOf(FORMS))


class DeliverIn(SignatureArgs):
    lines = fields.List(fields.Nested(DeliverLine), required=True, validate=validate.Length(1, 50))
    moisture_pct = DecimalString(load_default=None, allow_none=True)


class DecideLine(ma.Schema):
    line_no = Integer(required=True, strict=True)
    accepted = DecimalString(required=True)
    rejected = DecimalString(required=True)
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(0, 2000))


class DecideIn(ma.Schema):
    lines = fields.List(fields.Nested(DecideLine), required=True, validate=validate.Length(1, 50))
    at = Timestamp(load_default=None)


class CompleteIn(ma.Schema):
    operation = fields.String(required=True, validate=validate.Length(1, 3))
    completed_at = Timestamp(required=True)


class ManifestQuery(PageArgs):
    status = fields.String(validate=validate.OneOf([s.value for s in recorded_statuses()]))
    kind = fields.String(validate=validate.OneOf(["hazardous", "sludge"]))
    start = Timestamp(data_key="from")
    end = Timestamp(data_key="to")


# ---------------------------------------------------------------- output


class LineOut(ma.Schema):
    line_no = fields.Integer()
    waste_code = fields.String()
    name = fields.String()
    physical_form = fields.String()
    hazard = fields.Method("_hazard")
    packaging = fields.String()
    container_count = fields.Integer(allow_none=True)
    unit = fields.String()
    density_t_m3 = DecimalString(allow_none=True)
    declared = DecimalString()
    loaded = DecimalString(allow_none=True)
    received = DecimalString(allow_none=True)
    accepted = DecimalString(allow_none=True)
    rejected = DecimalString(allow_none=True)
    rejection_reason = fields.String(allow_none=True)
    received_waste_code = fields.String(allow_none=True)
    received_physical_form = fields.String(allow_none=True)

    def _hazard(self, line):
        return [h for h in line.hazard.split("/") if h]


class LegOut(ma.Schema):
    leg_no = fields.Integer()
    transporter_id = fields.Integer()
    vehicle_plate = fields.String()
    driver = fields.String()
    started_at = fields.AwareDateTime()


class ManifestOut(ma.Schema):
    id = fields.Integer()
    number = fields.String(allow_none=True)
    kind = fields.String()
    status = fields.String()
    category = fields.String()
    generator = fields.Nested(PartyOut)
    transporter = fields.Nested(PartyOut)
    next_transporter = fields.Nested(
        PartyOut,
        allow_none=True,
        metadata={"description": "the only transporter that may take the load over next"},
    )
    receiver = fields.Nested(PartyOut)
    vehicle_plate = fields.String()
    driver = fields.String(allow_none=True)
    planned_pickup_at = fields.AwareDateTime()
    operation = fields.String()
    moisture_pct = DecimalString(allow_none=True)
    received_moisture_pct = DecimalString(allow_none=True)
    heavy_metal_report = fields.String(allow_none=True)
    notes = fields.String()
    created_at = fields.AwareDateTime()
    issued_at = fields.AwareDateTime(allow_none=True)
    picked_up_at = fields.AwareDateTime(allow_none=True)
    delivered_at = fields.AwareDateTime(allow_none=True)
    decided_at = fields.AwareDateTime(allow_none=True)
    completed_at = fields.AwareDateTime(allow_none=True)
    completed_operation = fields.String(allow_none=True)
    cancelled_at = fields.AwareDateTime(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    version = fields.Integer()
    lines = fields.List(fields.Nested(LineOut))
    legs = fields.List(fields.Nested(LegOut))
    next_actions = fields.Method("_next")

    def _next(self, manifest):
        return [a.value for a in actions_open_to(manifest.status)]


class WeighbridgeOut(ma.Schema):
    ticket = fields.String()
    net_kg = DecimalString()
    arrived_at = fields.AwareDateTime()


class MassTotalsOut(ma.Schema):
    """The manifest's lines summed in kilograms (lines without a mass are only counted)."""

    declared_kg = DecimalString()
    loaded_kg = DecimalString()
    received_kg = DecimalString()
    accepted_kg = DecimalString()
    rejected_kg = DecimalString()
    unmeasured_lines = fields.Integer()


class ManifestDetailOut(ManifestOut):
    """A single manifest: the list's fields, its mass totals and the matched weighing, the
    fourth tally."""

    totals = fields.Function(lambda manifest: MassTotalsOut().dump(manifest))
    weighbridge = fields.Nested(WeighbridgeOut, allow_none=True)


class EventOut(ma.Schema):
    id = fields.Integer()
    sequence = fields.Integer()
    action = fields.String()
    user_email = fields.String()
    organization_id = fields.Integer(allow_none=True)
    party = fields.String()
    server_time = fields.AwareDateTime()
    claimed_time = fields.AwareDateTime(allow_none=True)
    claimed_position = StoredPosition("claimed_lat", "claimed_lon")
    payload = StoredJson("payload")
    previous_hash = fields.String()
    hash = fields.String()
    ledger_sequence = fields.Integer()


# ---------------------------------------------------------------- views


@blp.route("", methods=["POST"])
@blp.arguments(ManifestIn)
@blp.response(201, ManifestOut)
def create(args):
    """File a draft manifest (generator)."""
    return create_manifest(uow(), actor=current_actor(), data=args)


@lists(blp, ManifestQuery, ManifestOut, manifests_query.list_visible)
def list_manifests():
    """Manifests visible to you, newest first."""


@reads(blp, "/<ref>", ManifestDetailOut, manifests_query.get_detail)
def get():
    """One manifest, by id or 14-digit number, with its mass totals in kg and its matched
    weighbridge record (ticket, net kg, arrival) or null."""


@blp.route("/<ref>", methods=["PATCH"])
@blp.arguments(ManifestPatch)
@blp.response(200, ManifestOut)
def edit(args, ref):
    """Change a draft (generator)."""
    return edit_manifest(uow(), actor=current_actor(), ref=ref, changes=args)


#: The signed moves, in the order the document lists them: the path under ``/<ref>/``, what
#: the signer sends, the service that makes the move, and the operation's summary (its line
#: breaks are part of the published document).
SIGNED_MOVES = (
    (
        "issue",
        SignatureArgs,
        lifecycle.issue_manifest,
        "Sign and issue a draft: the checks run and the number is given (generator).",
    ),
    (
        "cancel",
        CancelIn,
        lifecycle.cancel_manifest,
        "Cancel a draft or an issued manifest, with a reason (generator).",
    ),
    (
        "pickup",
        PickupIn,
        lifecycle.pickup,
        "Sign for the load with the quantity loaded per line (transporter).",
    ),
    (
        "next-transporter",
        NextTransporterIn,
        handover.name_next_transporter,
        "Name, change or (with null) withdraw the transporter that may take the load over\n"
        "next; a signed event in the custody chain (the current transporter).",
    ),
    (
        "handoff",
        HandoffIn,
        handover.handoff,
        "Take the load over from the current transporter (only the next transporter named on\n"
        "the manifest; for anyone else the manifest does not exist).",
    ),
    (
        "deliver",
        DeliverIn,
        lifecycle.deliver,
        "Sign arrival with the weighed quantity per line (receiver).",
    ),
    ("decide", DecideIn, lifecycle.decide, "Accept or reject each line (receiver)."),
    (
        "complete",
        CompleteIn,
        lifecycle.complete,
        "Record the treatment operation and its date (receiver).",
    ),
)


def _declare_signed_move(path: str, takes: type[ma.Schema], make_move, summary: str) -> None:
    """``POST /<ref>/<path>``: ``make_move`` signs the move with what the signer sent; the
    answer is the manifest after it."""

    def move(args, ref):
        return make_move(uow(), actor=current_actor(), ref=ref, **args)

    move.__name__ = move.__qualname__ = path.replace("-", "_")
    move.__doc__ = summary
    move = blp.arguments(takes)(blp.response(200, ManifestOut)(move))
    blp.route(f"/<ref>/{path}", methods=["POST"])(move)


for _signed_move in SIGNED_MOVES:
    _declare_signed_move(*_signed_move)


@reads(blp, "/<ref>/events", EventOut(many=True), manifests_query.events_visible)
def events():
    """The manifest's custody chain, oldest first."""


@blp.route("/<ref>/verify", methods=["GET"])
@blp.response(200, Verdict)
def verify(ref):
    """Recompute the manifest's chain and compare it with the stored manifest."""
    return manifests_query.verify_visible(session(), current_actor(), ref).to_dict()
