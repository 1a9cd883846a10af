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
from manifest.status import Action

from ..db import uow
from .formatting import lazy_gettext
from .forms import apply_domain_error
from .receiving_forms import ArrivalForm, CompletionForm, DecisionForm, ReceiptsForm
from .session import page_actor
from .signing import (
    route_steps,
    sign_form,
    signing_time,
    template_helpers,
    worklist_page,
)

bp = Blueprint("receiving", __name__, url_prefix="/web")
bp.context_processor(template_helpers)

#: What became of a weighbridge record: stored now or sent before, and matched to what.
STORED = {"created": lazy_gettext("new"), "duplicate": lazy_gettext("sent before")}
OUTCOMES = {
    "matched": lazy_gettext("matched"),
    "unmanifested": lazy_gettext("no manifest"),
    "cancelled": lazy_gettext("manifest cancelled"),
    "already_received": lazy_gettext("manifest already weighed"),
    None: lazy_gettext("not matched yet"),
}


@bp.context_processor
def receipt_labels() -> dict:
    """The words of the upload's result table."""
    return {
        "stored_label": lambda s: STORED.get(s, s),
        "outcome_label": lambda s: OUTCOMES.get(s, s),
    }


@bp.get("/incoming")
@login_required
def incoming():
    """The loads addressed to the user's receiver that still need its signature."""
    return worklist_page("pages/receiving/incoming.html", worklists.incoming)


#: The receiver's signatures line by line, by page: the move, its form, the service signing it.
LINE_SIGNATURES = {
    "arrival": (Action.DELIVER, ArrivalForm, lifecycle.deliver),
    "decision": (Action.DECIDE, DecisionForm, lifecycle.decide),
}
#: What each of them says once signed.
LINES_SIGNED = {
    "arrival": lazy_gettext("Arrival signed. Decide on each line within the deadline."),
    "decision": lazy_gettext("Decision signed."),
}


def sign_lines(manifest_id: int, step: str):
    """The receiver signs line by line, on the page of ``step``: the arrival with the weighed
    quantity per line (and, where they differ from the declaration, the waste code and form
    found) and the moisture; or the decision accepting or rejecting each line, a rejection
    with its reason. A refusal of a whole line shows at its first field."""
    action, form_class, service = LINE_SIGNATURES[step]
    form = form_class()
    template = f"pages/receiving/{step}.html"

    def show(manifest, form, status: int):
        form.prepare(manifest)
        rows = list(zip(manifest.lines, form.lines, strict=False))
        return render_template(template, manifest=manifest, form=form, rows=rows), status

    def move(actor, manifest):
        args = form.service_args(manifest)
        service(uow(), actor=actor, ref=manifest_id, at=signing_time(manifest), **args)

    done = str(LINES_SIGNED[step])
    return sign_form(manifest_id, action, form, show=show, move=move, done=done)


route_steps(bp, sign_lines, {"arrival": "arrival", "decision": "decision"})


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
