"""The registry: organisations, their licences, vehicles and members."""

from __future__ import annotations

import functools

import marshmallow as ma
from marshmallow import fields, validate

from manifest.models.member_changes import MEMBER_CHANGES
from manifest.models.registry import USER_ROLES
from manifest.services import members, registry

from ..auth import current_actor
from ..db import session, uow
from ..pagination import one_page, query_page
from ..schemas import DecimalString, Integer, PageArgs, Position, StoredPosition
from . import api_blueprint
from .declare import organization_rows, reads

blp = api_blueprint(
    "organizations", "/organizations", "Organisations, licences, vehicles and members"
)


class OrganizationIn(ma.Schema):
    name = fields.String(required=True, validate=validate.Length(1, 200))
    uscc = fields.String(required=True)
    roles = fields.List(
        fields.String(validate=validate.OneOf(registry.ORG_ROLES)),
        required=True,
        validate=validate.Length(1, 3),
    )
    region_code = fields.String(required=True)
    address = fields.String(load_default="", validate=validate.Length(0, 500))
    location = fields.Nested(Position, load_default=None, allow_none=True)
    site_radius_m = Integer(load_default=300, validate=validate.Range(10, 10_000))
    key_supervision = fields.Boolean(load_default=False)


class OrganizationOut(ma.Schema):
    id = fields.Integer()
    name = fields.String()
    uscc = fields.String()
    roles = fields.List(fields.String())
    region_code = fields.String()
    address = fields.String()
    location = StoredPosition("lat", "lon")
    site_radius_m = fields.Integer()
    key_supervision = fields.Boolean()


class OrganizationQuery(PageArgs):
    role = fields.String(validate=validate.OneOf(registry.ORG_ROLES))
    q = fields.String(validate=validate.Length(1, 100))


class LicenceIn(ma.Schema):
    kind = fields.String(required=True, validate=validate.OneOf(["hw_operation", "dg_transport"]))
    number = fields.String(required=True, validate=validate.Length(1, 64))
    valid_from = fields.Date(required=True)
    valid_to = fields.Date(required=True)
    waste_codes = fields.List(fields.String(validate=validate.Length(1, 12)), load_default=list)
    annual_capacity_t = fields.Dict(
        keys=fields.String(validate=validate.Length(1, 12)), values=fields.Raw(), load_default=dict
    )
    operations = fields.List(fields.String(validate=validate.Length(1, 3)), load_default=list)
    status = fields.String(
        load_default="active", validate=validate.OneOf(["active", "suspended", "revoked"])
    )


class LicenceOut(ma.Schema):
    id = fields.Integer()
    organization_id = fields.Integer()
    kind = fields.String()
    number = fields.String()
    valid_from = fields.Date()
    valid_to = fields.Date()
    status = fields.String()
    waste_codes = fields.List(fields.String())
    annual_capacity_t = fields.Method("_capacity")
    operations = fields.List(fields.String(), attribute="operation_list")

    def _capacity(self, lic):
        return {c.scope: DecimalString()._serialize(c.tonnes, None, None) for c in lic.capacities}


class VehicleIn(ma.Schema):
    plate = fields.String(required=True, validate=validate.Length(1, 16))
    max_load_t = DecimalString(required=True)


class VehicleOut(ma.Schema):
    id = fields.Integer()
    organization_id = fields.Integer()
    plate = fields.String()
    max_load_t = DecimalString()
    active = fields.Boolean()


class MemberIn(ma.Schema):
    email = fields.String(required=True, validate=validate.Length(3, 254))
    password = fields.String(required=True, validate=validate.Length(8, 200))
    role = fields.String(
        required=True, validate=validate.OneOf(["admin", "member", "driver", "reader"])
    )


class MemberOut(ma.Schema):
    id = fields.Integer()
    email = fields.String()
    role = fields.String()
    organization_id = fields.Integer()
    active = fields.Boolean(metadata={"description": "false: deactivated, cannot sign in"})
    created_at = fields.DateTime()


class MemberPatch(ma.Schema):
    role = fields.String(
        validate=validate.OneOf(USER_ROLES),
        metadata={"description": "the member's new role"},
    )
    active = fields.Boolean(metadata={"description": "false to deactivate, true to reactivate"})


class MemberChangeOut(ma.Schema):
    id = fields.Integer()
    changed_at = fields.DateTime()
    user_id = fields.Integer()
    user_email = fields.String(metadata={"description": "the member changed, as at the time"})
    change = fields.String(metadata={"description": " | ".join(MEMBER_CHANGES)})
    old_role = fields.String(allow_none=True)
    new_role = fields.String(allow_none=True)
    changed_by_id = fields.Integer(
        allow_none=True, metadata={"description": "null: the operator's command line"}
    )
    changed_by_email = fields.String(allow_none=True)


@blp.route("", methods=["POST"])
@blp.arguments(OrganizationIn)
@blp.response(201, OrganizationOut)
def create_organization(args):
    """Register an organisation (regulators of its region)."""
    return registry.create_organization(uow(), actor=current_actor(), **args)


@blp.route("", methods=["GET"])
@blp.arguments(OrganizationQuery, location="query")
@blp.response(200, OrganizationOut(many=True))
def list_organizations(args):
    """The registry of organisations, to name parties on a manifest."""
    current_actor()
    return one_page(args, registry.list_organizations, session())


@blp.route("/<int:org_id>", methods=["GET"])
@blp.response(200, OrganizationOut)
def get_organization(org_id):
    """One organisation."""
    current_actor()
    return registry.get_organization(session(), org_id)


def _adds(path: str, takes: type[ma.Schema], out: type[ma.Schema], add):
    """``POST /<org_id>/<path>``: ``add`` registers what was sent for the organisation (the
    service decides who may); the answer is 201 with the new row."""

    def declare(declaration):
        @functools.wraps(declaration)
        def view(args, org_id):
            return add(uow(), actor=current_actor(), organization_id=org_id, **args)

        view = blp.arguments(takes)(blp.response(201, out)(view))
        return blp.route(f"/<int:org_id>/{path}", methods=["POST"])(view)

    return declare


def _of_organization(list_rows):
    """A read of what ``list_rows(session, org_id)`` lists for an organisation, open to every
    signed-in user like the registry itself; 404 for an organisation that does not exist."""

    def read(session, actor, org_id):
        registry.get_organization(session, org_id)
        return list_rows(session, org_id)

    return read


@_adds("licences", LicenceIn, LicenceOut, registry.add_licence)
def add_licence():
    """Record a licence or permit (regulators)."""


@reads(
    blp, "/<int:org_id>/licences", LicenceOut(many=True), _of_organization(registry.list_licences)
)
def list_licences():
    """An organisation's licences and permits."""


@_adds("vehicles", VehicleIn, VehicleOut, registry.add_vehicle)
def add_vehicle():
    """Register a vehicle (the transporter's administrators)."""


@reads(
    blp, "/<int:org_id>/vehicles", VehicleOut(many=True), _of_organization(registry.list_vehicles)
)
def list_vehicles():
    """A transporter's vehicles."""


@_adds("members", MemberIn, MemberOut, registry.add_member)
def add_member():
    """Add a user to an organisation (its administrators)."""


@reads(blp, "/<int:org_id>/members", MemberOut(many=True), organization_rows(members.list_members))
def list_members():
    """An organisation's users, deactivated ones included (its administrators)."""


@blp.route("/<int:org_id>/members/<int:user_id>", methods=["PATCH"])
@blp.arguments(MemberPatch)
@blp.response(200, MemberOut)
def update_member(args, org_id, user_id):
    """Change a member's role, deactivate or reactivate them (its administrators); a
    deactivated member's tokens stop at once, and the last active administrator can neither
    lose the role nor be deactivated. Each change is recorded."""
    return members.update_member(
        uow(), actor=current_actor(), organization_id=org_id, user_id=user_id, **args
    )


@blp.route("/<int:org_id>/member-changes", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, MemberChangeOut(many=True))
def list_member_changes(args, org_id):
    """Who changed which member's role or access, and when, newest first (its
    administrators)."""
    stmt = members.member_changes_query(session(), actor=current_actor(), organization_id=org_id)
    return query_page(args, session(), stmt)
