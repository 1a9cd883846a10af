"""Findings: what a regulator reviews, with triage and comments."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from manifest.services import findings_triage

from ..auth import current_actor
from ..db import uow
from ..schemas import FindingStatus, FindingType, PageArgs, Severity
from . import api_blueprint
from .declare import lists, reads

blp = api_blueprint(
    "findings", "/findings", "Discrepancies, unmanifested loads, deadlines and licence breaches"
)


class FindingQuery(PageArgs):
    type = FindingType()
    status = FindingStatus()
    severity = Severity()
    manifest = fields.String(
        validate=validate.Length(1, 14), metadata={"description": "manifest id or 14-digit number"}
    )


class FindingPatch(ma.Schema):
    status = FindingStatus()
    due_at = fields.AwareDateTime()
    severity = Severity()
    note = fields.String(validate=validate.Length(1, 5000))


class CommentIn(ma.Schema):
    body = fields.String(required=True, validate=validate.Length(1, 5000))
    status = FindingStatus(metadata={"description": "a party may set only 'explained'"})


class FindingPartyOut(ma.Schema):
    organization_id = fields.Integer()
    role = fields.String()


class FindingCommentOut(ma.Schema):
    id = fields.Integer()
    author = fields.String()
    organization_id = fields.Integer(allow_none=True)
    regulator_id = fields.Integer(allow_none=True)
    body = fields.String()
    status_change = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()


class FindingOut(ma.Schema):
    id = fields.Integer()
    type = FindingType()
    severity = Severity()
    status = FindingStatus()
    manifest_id = fields.Integer(allow_none=True)
    manifest_number = fields.String(allow_none=True)
    named_manifest_id = fields.Integer(
        allow_none=True,
        metadata={
            "description": "regulators only (always null for a party): the manifest a "
            "weighbridge record named although it is addressed to another receiver, a "
            "possible diversion; its parties are not parties of the finding"
        },
    )
    named_manifest_number = fields.String(
        allow_none=True, metadata={"description": "the number of named_manifest_id"}
    )
    vehicle_plate = fields.String(allow_none=True)
    message = fields.String()
    measured = fields.Dict(metadata={"description": "the exact figures, as strings"})
    due_at = fields.AwareDateTime()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    closed_at = fields.AwareDateTime(allow_none=True)
    escalated_at = fields.AwareDateTime(allow_none=True)
    parties = fields.List(fields.Nested(FindingPartyOut))
    comments = fields.List(fields.Nested(FindingCommentOut))


@lists(blp, FindingQuery, FindingOut, findings_triage.list_findings)
def list_findings():
    """Findings you may see (your own organisation's; a regulator's region), newest first."""


@reads(blp, "/<int:finding_id>", FindingOut, findings_triage.get_finding)
def get():
    """One finding with its parties and comments."""


@blp.route("/<int:finding_id>", methods=["PATCH"])
@blp.arguments(FindingPatch)
@blp.response(200, FindingOut)
def patch(args, finding_id):
    """Triage a finding: status, due date, severity, with a note (regulator)."""
    return findings_triage.update_finding(
        uow(), actor=current_actor(), finding_id=finding_id, **args
    )


@blp.route("/<int:finding_id>/comments", methods=["POST"])
@blp.arguments(CommentIn)
@blp.response(201, FindingOut)
def comment(args, finding_id):
    """Comment on a finding (its parties and the regulator); a party may mark it explained."""
    return findings_triage.add_comment(uow(), actor=current_actor(), finding_id=finding_id, **args)
