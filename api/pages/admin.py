"""Organisation administration: members (invite, role, deactivate), vehicles, and the
signed-in user's own API tokens.

Every change goes through the services the API uses, under the same rules: members and
vehicles are for the organisation's administrators (anyone else gets the 403 page, as the
API answers 403), and each user manages only their own tokens (as ``/auth/tokens``). A
secret (a member's first password, a new token) is shown once, in the answer to the form
that made it, and never stored in clear.
"""

from __future__ import annotations

import functools

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from manifest.actor import Actor
from manifest.errors import (
    LastActiveAdmin,
    TooManyAttempts,
    ValidationFailed,
)
from manifest.models.registry import USER_ROLES
from manifest.services import members, registry, signin, tokens

from ..db import session, uow
from .formatting import lazy_gettext
from .forms import (
    UniqueForm,
    change_and_go_back,
    change_or_show_again,
    on_own_organisation,
    paginate,
)
from .labels import USER_ROLE
from .session import page_actor

bp = Blueprint("admin", __name__, url_prefix="/web/admin")


def _role_choices():
    return [(role, USER_ROLE[role]) for role in USER_ROLES]


class InviteForm(UniqueForm):
    UNIQUE = ("email", lazy_gettext("A user with this e-mail exists already."))
    email = StringField(lazy_gettext("E-mail"), validators=[DataRequired(), Length(max=254)])
    role = SelectField(lazy_gettext("Role"), choices=_role_choices, default="member")


class RoleForm(FlaskForm):
    role = SelectField(lazy_gettext("Role"), choices=_role_choices)


class ActiveForm(FlaskForm):
    active = BooleanField(lazy_gettext("Active"))


class VehicleForm(UniqueForm):
    UNIQUE = ("plate", lazy_gettext("This plate is registered already."))
    plate = StringField(lazy_gettext("Plate"), validators=[DataRequired(), Length(max=16)])
    max_load_t = StringField(
        lazy_gettext("Maximum load (t)"), validators=[DataRequired(), Length(max=20)]
    )


class TokenForm(FlaskForm):
    password = PasswordField(
        lazy_gettext("Your password"),
        validators=[DataRequired(), Length(max=1024)],
        description=lazy_gettext("A new token is issued like a sign-in: confirm your password."),
    )


def _admin() -> Actor:
    """The signed-in administrator of an organisation; the 403 page for anyone else (the API
    answers a non-administrator 403 for its organisation's members and vehicles)."""
    actor = page_actor()
    if actor.organization_id is None or actor.role != "admin":
        abort(403)
    return actor


@bp.get("/")
@login_required
def index():
    _admin()
    return redirect(url_for("admin.members_page"))


# ------------------------------------------------------------------------------ members


def _members_page(actor: Actor, *, invite: InviteForm, invited=None, status: int = 200):
    rows = members.list_members(session(), actor=actor, organization_id=actor.organization_id)
    page = paginate(rows, request.args.get("page", 1))
    trail = members.member_changes_query(
        session(), actor=actor, organization_id=actor.organization_id
    )
    changes = paginate(trail, request.args.get("changes", 1), session=session())
    return (
        render_template(
            "pages/admin/members.html",
            page=page,
            changes=changes,
            invite=invite,
            invited=invited,
            role_form=RoleForm(),
            active_form=ActiveForm(),
            me=actor.user_id,
        ),
        status,
    )


@bp.get("/members")
@login_required
def members_page():
    """The organisation's members with their roles, and the invitation form."""
    return _members_page(_admin(), invite=InviteForm())


@bp.post("/members")
@login_required
def invite_member():
    """Invite a member: a user with the chosen role and a first password shown once here."""
    actor = _admin()
    form = InviteForm()
    invited = change_or_show_again(
        form,
        lambda: on_own_organisation(
            actor, members.invite_member, email=form.email.data, role=form.role.data
        ),
        lambda status: _members_page(actor, invite=form, status=status),
    )
    return _members_page(actor, invite=InviteForm(formdata=None), invited=invited, status=201)


def _member_change(path: str, form_class: type[FlaskForm], change, *, done, invalid=None):
    """``POST /members/<user_id>/<path>``: apply ``change(form)`` (the member's new role or
    active flag) to the member and go back to the members page saying ``done(user)``, or
    ``invalid`` for a form that does not validate; the last active administrator stays one
    (said on the page). The declared function gives the endpoint and its docstring."""

    def declare(declaration):
        @functools.wraps(declaration)
        def view(user_id: int):
            actor = _admin()
            form = form_class()
            return change_and_go_back(
                form,
                lambda: on_own_organisation(
                    actor, members.update_member, user_id=user_id, **change(form)
                ),
                back=url_for("admin.members_page"),
                done=done,
                invalid=None if invalid is None else str(invalid),
                refusals=(LastActiveAdmin,),
            )

        return bp.post(f"/members/<int:user_id>/{path}")(login_required(view))

    return declare


@_member_change(
    "role",
    RoleForm,
    lambda form: {"role": form.role.data},
    done=lambda user: _("%(email)s is now: %(role)s.", email=user.email, role=USER_ROLE[user.role]),
    invalid=lazy_gettext("Choose one of the roles."),
)
def change_role():
    """Give a member another role; the last active administrator keeps theirs."""


@_member_change(
    "active",
    ActiveForm,
    lambda form: {"active": bool(form.active.data)},
    done=lambda user: (
        _("%(email)s is active again.", email=user.email)
        if user.active
        else _("%(email)s is deactivated; their tokens no longer work.", email=user.email)
    ),
)
def set_active():
    """Deactivate a member (their tokens stop at once, they cannot sign in) or reactivate."""


# ----------------------------------------------------------------------------- vehicles


def _vehicles_page(actor: Actor, form: VehicleForm, status: int = 200):
    org = registry.get_organization(session(), actor.organization_id)
    rows = registry.list_vehicles(session(), actor.organization_id)
    page = paginate(rows, request.args.get("page", 1))
    return (
        render_template(
            "pages/admin/vehicles.html", page=page, form=form, transporter=org.is_transporter
        ),
        status,
    )


@bp.get("/vehicles")
@login_required
def vehicles_page():
    """The organisation's vehicles, and the form to register one (transporters)."""
    return _vehicles_page(_admin(), VehicleForm())


@bp.post("/vehicles")
@login_required
def add_vehicle():
    actor = _admin()
    form = VehicleForm()
    plate, max_load_t = form.plate.data, form.max_load_t.data
    vehicle = change_or_show_again(
        form,
        lambda: on_own_organisation(
            actor, registry.add_vehicle, plate=plate, max_load_t=max_load_t
        ),
        lambda status: _vehicles_page(actor, form, status),
    )
    flash(_("Vehicle %(plate)s registered.", plate=vehicle.plate), "info")
    return redirect(url_for("admin.vehicles_page")), 303


# ------------------------------------------------------------------------------- tokens


def _tokens_page(actor: Actor, form: TokenForm, issued=None, status: int = 200):
    rows = tokens.list_tokens(session(), actor=actor)
    page = paginate(rows, request.args.get("page", 1))
    return (
        render_template(
            "pages/admin/tokens.html",
            page=page,
            form=form,
            issued=issued,
            revoke_form=ActiveForm(),
            is_admin=actor.role == "admin" and actor.organization_id is not None,
        ),
        status,
    )


@bp.get("/tokens")
@login_required
def tokens_page():
    """The signed-in user's working API tokens (with when each was last used)."""
    return _tokens_page(page_actor(), TokenForm())


@bp.post("/tokens")
@login_required
def create_token():
    """A new API token for the signed-in user, issued like a sign-in (password, lockouts and
    the sign-in log alike) and shown once."""
    actor = page_actor()
    form = TokenForm()
    if not form.validate_on_submit():
        return _tokens_page(actor, form, status=422)
    try:
        issued = signin.sign_in(
            uow(),
            email=actor.email,
            password=form.password.data,
            address=request.remote_addr or "",
            settings=current_app.extensions["hwm"]["settings"],
        )
    except TooManyAttempts:
        form.password.errors = [_("Too many failed attempts: wait a few minutes.")]
        return _tokens_page(actor, form, status=429)
    except ValidationFailed:
        form.password.errors = [_("Wrong password.")]
        return _tokens_page(actor, form, status=422)
    return _tokens_page(actor, TokenForm(formdata=None), issued=issued, status=201)


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    """Revoke one of the signed-in user's tokens (the 404 page for anyone else's)."""
    actor = page_actor()
    return change_and_go_back(
        ActiveForm(),
        lambda: tokens.revoke_own_token(uow(), actor=actor, token_id=token_id),
        back=url_for("admin.tokens_page"),
        done=lambda _revoked: _("The token is revoked; it no longer works."),
    )
