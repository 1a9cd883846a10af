"""The transporter's positioning terminals: the list (number, vehicle, when each was last
heard from), binding a terminal to a vehicle, moving it to another vehicle, unbinding it.

Every change goes through :mod:`manifest.services.terminals`, as the API's; only the
transporter's administrators see the page (anyone else gets the 403 page, as the API answers
403). A terminal that is not one of the organisation's bound now is the 404 page.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from manifest.actor import Actor
from manifest.errors import Conflict, ValidationFailed
from manifest.services import registry, terminals

from ..db import session
from .formatting import lazy_gettext
from .forms import UniqueForm, change_and_go_back, change_or_show_again, on_own_organisation
from .session import page_actor

bp = Blueprint("terminal_pages", __name__, url_prefix="/web/admin/terminals")

#: The plate colours of JT/T 808, in the page's language.
PLATE_COLOURS = {
    1: lazy_gettext("blue"),
    2: lazy_gettext("yellow"),
    3: lazy_gettext("black"),
    4: lazy_gettext("white"),
    5: lazy_gettext("green (new energy)"),
    9: lazy_gettext("other"),
}


def _colour_choices():
    return [(str(code), label) for code, label in PLATE_COLOURS.items()]


class VehicleChoiceForm(FlaskForm):
    """The vehicle a terminal feeds, with the plate colour it registers."""

    vehicle_plate = SelectField(lazy_gettext("Vehicle"), validators=[DataRequired()])
    plate_colour = SelectField(
        lazy_gettext("Plate colour"),
        choices=_colour_choices,
        default="2",
        description=lazy_gettext("As the terminal states it when it registers."),
    )


class BindForm(VehicleChoiceForm, UniqueForm):
    UNIQUE = ("phone", None)  # bound to another organisation's vehicle: the refusal says so
    phone = StringField(
        lazy_gettext("Terminal number"),
        validators=[DataRequired(), Length(max=20)],
        description=lazy_gettext("The phone number in the terminal's messages (digits)."),
    )


class UnbindForm(FlaskForm):
    """A button: only the CSRF token."""


@bp.app_template_global("may_manage_terminals")
def may_manage_terminals_here() -> bool:
    """Whether the signed-in user sees the terminals page (for the administration links)."""
    if not current_user.is_authenticated:
        return False
    actor = current_user.actor
    return terminals.may_manage_terminals(actor, actor.organization_id)


def _transporter_admin() -> Actor:
    """The signed-in administrator of a transporter; the 403 page for anyone else."""
    actor = page_actor()
    if not terminals.may_manage_terminals(actor, actor.organization_id):
        abort(403)
    return actor


def _with_vehicles(form: VehicleChoiceForm, organization_id: int) -> VehicleChoiceForm:
    """The form with the organisation's active vehicles to choose from."""
    plates = [v.plate for v in registry.list_vehicles(session(), organization_id) if v.active]
    form.vehicle_plate.choices = [(plate, plate) for plate in plates]
    return form


def _vehicle_of(form: VehicleChoiceForm) -> dict:
    """The vehicle and plate colour chosen on ``form``, as the terminal services take them."""
    return {"vehicle_plate": form.vehicle_plate.data, "plate_colour": int(form.plate_colour.data)}


def _page(actor: Actor, *, bind: BindForm, status: int = 200):
    rows = terminals.list_terminals(session(), actor=actor, organization_id=actor.organization_id)
    return (
        render_template(
            "pages/admin/terminals.html",
            rows=rows,
            bind=bind,
            move_form=_with_vehicles(VehicleChoiceForm(formdata=None), actor.organization_id),
            unbind_form=UnbindForm(),
            colours=PLATE_COLOURS,
        ),
        status,
    )


@bp.get("")
@login_required
def terminals_page():
    """The organisation's terminals bound now, and the form to bind one."""
    actor = _transporter_admin()
    return _page(actor, bind=_with_vehicles(BindForm(), actor.organization_id))


@bp.post("")
@login_required
def bind_terminal():
    """Bind a terminal to one of the organisation's vehicles (ending the bindings it
    replaces, as the API does)."""
    actor = _transporter_admin()
    form = _with_vehicles(BindForm(), actor.organization_id)
    bound = change_or_show_again(
        form,
        lambda: on_own_organisation(
            actor, terminals.bind_terminal, phone=form.phone.data, **_vehicle_of(form)
        ),
        lambda status: _page(actor, bind=form, status=status),
    )
    flash(
        _(
            "Terminal %(phone)s is bound to %(plate)s; it may now register.",
            phone=bound.terminal.phone,
            plate=bound.vehicle_plate,
        ),
        "info",
    )
    return redirect(url_for("terminal_pages.terminals_page")), 303


@bp.post("/<int:terminal_id>/move")
@login_required
def move_terminal(terminal_id: int):
    """Move a bound terminal to another of the organisation's vehicles."""
    actor = _transporter_admin()
    form = _with_vehicles(VehicleChoiceForm(), actor.organization_id)
    return change_and_go_back(
        form,
        lambda: on_own_organisation(
            actor, terminals.rebind_terminal, terminal_id=terminal_id, **_vehicle_of(form)
        ),
        back=url_for("terminal_pages.terminals_page"),
        done=lambda moved: _(
            "Terminal %(phone)s now feeds %(plate)s; it must register again.",
            phone=moved.terminal.phone,
            plate=moved.vehicle_plate,
        ),
        invalid=_("Choose one of your vehicles and a plate colour."),
        # Said on the list, where the form is (a vehicle retired since the page was shown).
        refusals=(ValidationFailed, Conflict),
    )


@bp.post("/<int:terminal_id>/unbind")
@login_required
def unbind_terminal(terminal_id: int):
    """Unbind a terminal: the gateway refuses its positions from then on."""
    actor = _transporter_admin()
    return change_and_go_back(
        UnbindForm(),
        lambda: on_own_organisation(actor, terminals.unbind_terminal, terminal_id=terminal_id),
        back=url_for("terminal_pages.terminals_page"),
        done=lambda _unbound: _("The terminal is unbound; its positions are refused from now on."),
    )
