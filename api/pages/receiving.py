"""The receiver's pages: the incoming loads, the arrival with the weighed quantities, the
decision per line, the completion with the operation applied, and the weighbridge upload
with what became of each of its rows."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import login_required

from manifest.errors import DomainError, Forbidden, ValidationFailed
from manifest.local_time import CHINA
from manifest.services import lifecycle, receipts, worklists
from manifest.services.signing import moves_open_to
from manifest.status import Action

from ..db import session, uow
from .forms import apply_domain_error
from .receiving_forms import ArrivalForm, CompletionForm, DecisionForm, ReceiptsForm
from .session import page_actor
from .signing import (
    list_page,
    sign_form,
    signing_time,
    template_helpers,
)

bp = Blueprint("receiving", __name__, url_prefix="/web")
bp.context_processor(template_helpers)


@bp.get("/incoming")
@login_required
def incoming():
    """The loads addressed to the user's receiver that still need its signature."""
    actor = page_actor()
    page = list_page(
        lambda number, per_page: worklists.incoming(
            session(), actor, page=number, per_page=per_page
        )
    )
    loads = [{"manifest": m, "moves": moves_open_to(actor, m)} for m in page.items]
    return render_template("pages/receiving/incoming.html", loads=loads, page=page, Action=Action)


def _sign_lines(manifest_id: int, action: Action, form, *, service, template, done):
    """A receiver's per-line form (arrival, decision) shown on ``template`` and signed with
    ``service`` (a lifecycle move); a refusal of a whole line shows at its first field."""

    def show(manifest, form, status: int):
        form.prepare(manifest)
        rows = list(zip(manifest.lines, form.lines, strict=False))
        return render_template(template, manifest=manifest, form=form, rows=rows), status

    def move(actor, manifest):
        args = form.service_args(manifest)
        service(uow(), actor=actor, ref=manifest_id, at=signing_time(manifest), **args)

    return sign_form(manifest_id, action, form, show=show, move=move, done=done)


@bp.route("/manifests/<int:manifest_id>/arrival", methods=["GET", "POST"])
@login_required
def arrival(manifest_id: int):
    """The receiver signs the arrival with the weighed quantity per line (and, if they
    differ from the declaration, the waste code and form found) and the moisture."""
    return _sign_lines(
        manifest_id,
        Action.DELIVER,
        ArrivalForm(),
        service=lifecycle.deliver,
        template="pages/receiving/arrival.html",
        done=_("Arrival signed. Decide on each line within the deadline."),
    )


@bp.route("/manifests/<int:manifest_id>/decision", methods=["GET", "POST"])
@login_required
def decision(manifest_id: int):
    """The receiver accepts or rejects each line; a rejection gives its reason."""
    return _sign_lines(
        manifest_id,
        Action.DECIDE,
        DecisionForm(),
        service=lifecycle.decide,
        template="pages/receiving/decision.html",
        done=_("Decision signed."),
    )


def _completion_default(manifest) -> datetime:
    """The completion time offered: now, never before the previous signature, as the whole
    local minute a datetime input shows (rounded up, so it is not earlier than the decision
    just signed)."""
    at = signing_time(manifest).astimezone(CHINA)
    if at.second or at.microsecond:
        at = at.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return at.replace(tzinfo=None)


@bp.route("/manifests/<int:manifest_id>/completion", methods=["GET", "POST"])
@login_required
def completion(manifest_id: int):
    """The receiver records the treatment operation applied and when it was finished (a
    local time, Asia/Shanghai)."""
    form = CompletionForm()

    def show(manifest, form, status: int):
        if not form.is_submitted():
            form.operation.data = manifest.operation
            form.completed_at.data = _completion_default(manifest)
        html = render_template("pages/receiving/completion.html", manifest=manifest, form=form)
        return html, status

    def move(actor, manifest):
        if form.completed_at.data is None:
            message = _("Give the date and time the treatment was finished.")
            raise ValidationFailed(message, errors={"completed_at": [message]})
        lifecycle.complete(
            uow(),
            actor=actor,
            ref=manifest_id,
            operation=form.operation.data or "",
            completed_at=form.completed_at.data.replace(tzinfo=CHINA),
        )

    return sign_form(
        manifest_id,
        Action.COMPLETE,
        form,
        show=show,
        move=move,
        done=_("Completion signed: the manifest is closed."),
    )


@bp.route("/receipts/upload", methods=["GET", "POST"])
@login_required
def receipts_upload():
    """Upload a weighbridge CSV: the counts, then a table of every row (stored or sent
    before, matched to which manifest or why not) and every refused row with its line."""
    actor = page_actor()
    actor.require_org_role("receiver")
    form = ReceiptsForm()
    if not form.is_submitted():
        return render_template("pages/receiving/receipts.html", form=form, result=None)
    upload = request.files.get(form.file.name)
    if upload is None or not upload.filename:
        form.file.errors = [_("Choose the CSV file exported from the weighbridge.")]
        return render_template("pages/receiving/receipts.html", form=form, result=None), 422
    try:
        result = receipts.ingest_receipts(
            uow(), actor=actor, data=upload.read(), fmt="text/csv", report_rows=True
        )
    except Forbidden:
        raise
    except DomainError as exc:
        apply_domain_error(form, exc)
        return render_template("pages/receiving/receipts.html", form=form, result=None), 422
    return render_template("pages/receiving/receipts.html", form=ReceiptsForm(), result=result)
