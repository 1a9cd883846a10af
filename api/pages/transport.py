"""The transporter's and driver's pages, made for a phone: the day's trips, the pickup, the
hand-over to the next transporter, and the upload of the trip's GPS log with its analysis.

A driver sees the same pages as the other members of a transporter, without what a driver
may not do (naming the next transporter): the services' role rules decide what is offered.
"""

from __future__ import annotations

import json

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from wtforms.fields.choices import SelectChoice

from manifest.errors import DomainError, Forbidden, InvalidTransition
from manifest.infra.db import utcnow
from manifest.services import handover, lifecycle, registry, tracks, worklists
from manifest.services.access import load_visible
from manifest.status import Action

from ..db import session, uow
from .formatting import lazy_gettext
from .forms import apply_domain_error
from .session import page_actor
from .signing import (
    beaten,
    manifest_page,
    route_steps,
    sign_form,
    signing_time,
    template_helpers,
    worklist_page,
)
from .transport_forms import LoadForm, NameNextForm, TrackForm

bp = Blueprint("transport", __name__, url_prefix="/web")
bp.context_processor(template_helpers)


def may_upload_track(actor, manifest) -> bool:
    try:
        tracks.check_may_upload_track(actor, manifest)
    except (Forbidden, InvalidTransition):
        return False
    return True


@bp.get("/trips")
@login_required
def trips():
    """The trips of the user's transporter: on the road, to take over, to pick up today."""
    return worklist_page(
        "pages/transport/trips.html",
        lambda s, actor, **paging: worklists.trips(s, actor, now=utcnow(), **paging),
        track=may_upload_track,
    )


def _fleet(organization_id: int) -> list[str]:
    return [v.plate for v in registry.list_vehicles(session(), organization_id) if v.active]


#: The carrier's signatures for the load, by page: the move, the service signing it, and the
#: quantity of each line a fresh form offers.
LOAD_SIGNATURES = {
    "pickup": (Action.PICKUP, lifecycle.pickup, "declared"),
    "take_over": (Action.HANDOFF, handover.handoff, "loaded"),
}
#: What each of them says once signed.
LOAD_SIGNED = {
    "pickup": lazy_gettext("Pickup signed: the load is on its way."),
    "take_over": lazy_gettext("Hand-over signed: the load is now in your custody."),
}


def sign_load(manifest_id: int, step: str):
    """A carrier signs for the load, on the page of ``step``: at pickup with the plate and
    driver as planned and the declared quantities; taking it over from the previous
    transporter with its own vehicle and driver and the loaded quantities. The plates of the
    user's fleet are offered."""
    action, service, quantity = LOAD_SIGNATURES[step]
    template = f"pages/transport/{step}.html"
    form = LoadForm()

    def show(manifest, form: LoadForm, status: int):
        if not form.is_submitted():
            form.prefill(manifest, lambda line: getattr(line, quantity))
            if action != Action.PICKUP:  # the newcomer brings its own vehicle and driver
                form.vehicle_plate.data = form.driver.data = ""
        rows = list(zip(manifest.lines, form.lines, strict=False))
        fleet = _fleet(page_actor().organization_id)
        html = render_template(template, manifest=manifest, form=form, rows=rows, fleet=fleet)
        return html, status

    def move(actor, manifest):
        service(uow(), actor=actor, ref=manifest_id, **form.signature(manifest))

    done = str(LOAD_SIGNED[step])
    return sign_form(
        manifest_id, action, form, show=show, move=move, done=done, field_map=_vehicle_checks
    )


route_steps(bp, sign_load, {"pickup": "pickup", "take_over": "handover/take"})


def _vehicle_checks(name: str) -> str | None:
    """The carrier checks on the vehicle (registered, owner, active, load) concern the
    plate typed."""
    return "vehicle_plate" if name.startswith("vehicle") else None


@bp.route("/manifests/<int:manifest_id>/handover", methods=["GET", "POST"])
@login_required
def name_next(manifest_id: int):
    """The current carrier names the transporter that may take the load over next (or,
    choosing nobody, withdraws the naming)."""
    form = NameNextForm()
    transporters, _total = registry.list_organizations(session(), role="transporter", per_page=500)
    form.transporter_id.choices = [SelectChoice(0, _("— nobody (withdraw the naming) —"))] + [
        SelectChoice(org.id, org.name) for org in transporters
    ]

    def show(manifest, form, status):
        if not form.is_submitted():
            form.transporter_id.data = manifest.next_transporter_id or 0
        html = render_template("pages/transport/name_next.html", manifest=manifest, form=form)
        return html, status

    def move(actor, manifest):
        handover.name_next_transporter(
            uow(),
            actor=actor,
            ref=manifest_id,
            transporter_id=form.transporter_id.data or None,
            at=signing_time(manifest),
        )

    done = (
        _("The next transporter is named; it may now take the load over.")
        if form.transporter_id.data
        else _("The naming of the next transporter is withdrawn.")
    )
    return sign_form(manifest_id, Action.NAME_NEXT, form, show=show, move=move, done=done)


def _tracks_page(manifest, form, status: int = 200):
    uploaded = tracks.list_tracks(session(), page_actor(), manifest.id)
    html = render_template(
        "pages/transport/tracks.html", manifest=manifest, form=form, uploaded=uploaded
    )
    return html, status


@bp.route("/manifests/<int:manifest_id>/tracks", methods=["GET", "POST"])
@login_required
def track_upload(manifest_id: int):
    """Upload the trip's GPX log; the analysis follows on the track's page."""
    actor = page_actor()
    manifest = load_visible(session(), actor, manifest_id)
    try:
        tracks.check_may_upload_track(actor, manifest)
    except InvalidTransition as exc:
        return beaten(manifest_id, exc)
    form = TrackForm()
    if not form.is_submitted():
        return _tracks_page(manifest, form)
    upload = request.files.get(form.file.name)
    if upload is None or not upload.filename:
        form.file.errors = [_("Choose the GPX file of the trip.")]
        return _tracks_page(manifest, form, 422)
    try:
        row, created = tracks.upload_track(
            uow(),
            actor=actor,
            ref=manifest_id,
            data=upload.read(),
            content_type=upload.mimetype or "application/gpx+xml",
            crs=form.crs.data or "wgs84",
        )
    except Forbidden:
        raise
    except InvalidTransition as exc:
        return beaten(manifest_id, exc)
    except DomainError as exc:
        # The same file declared in another system is a refusal of the form, not a race.
        apply_domain_error(form, exc)
        return _tracks_page(manifest, form, 413 if exc.code == "payload_too_large" else 422)
    if not created:
        flash(_("This file was uploaded before; here is its analysis."), "info")
    target = url_for("transport.track_page", manifest_id=manifest_id, track_id=row.id)
    return redirect(target, code=303)


@bp.get("/manifests/<int:manifest_id>/tracks/<int:track_id>")
@login_required
def track_page(manifest_id: int, track_id: int):
    """A track's analysis: the trip's figures and every episode found, each a finding."""
    row = tracks.get_track(session(), page_actor(), manifest_id, track_id)
    analysis = json.loads(row.analysis)
    return render_template(
        "pages/transport/track.html",
        track=row,
        summary=analysis.get("summary", {}),
        episodes=analysis.get("episodes", []),
        manifest_url=manifest_page(manifest_id),
    )
