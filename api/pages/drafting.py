"""The generator's pages: file and edit a draft, issue it after a look at every check,
cancel it, list and export manifests, print one.

Every rule is the services': the party selects offer what
:func:`manifest.services.party_choices.party_choices` (the issue-time checks) allows, drafts
are written by :mod:`manifest.services.drafts`, and issuing and cancelling are the signed
moves of :mod:`manifest.services.lifecycle`.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import login_required

from manifest.actor import WRITE_ROLES
from manifest.errors import ChecksFailed, Conflict, Forbidden, NotFound, ValidationFailed
from manifest.infra.db import utcnow
from manifest.paging import page_count
from manifest.services import catalogue_search, lifecycle, manifests_query
from manifest.services.drafts import check_draft, create_manifest, draft_input, edit_manifest
from manifest.services.party_choices import PartyChoices, party_choices

from ..db import session, uow
from ..printing import manifest_pdf_response
from .drafting_forms import (
    KIND_LABELS,
    MAX_LINES,
    CancelForm,
    IssueForm,
    ListFilterForm,
    ManifestForm,
    options,
    pickup_day,
)
from .drafting_view import (
    choice_problems,
    failures_by_field,
    fill_choices,
    local_time,
    manifest_csv,
    manifest_page_url,
    open_actions,
)
from .formatting import format_decimal, page_language
from .forms import Page, apply_domain_error, page_number
from .refusals import refusal
from .session import page_actor

bp = Blueprint("drafting", __name__, url_prefix="/web")

PER_PAGE = 25
CODE_SEARCH_LIMIT = 20


@bp.context_processor
def _helpers() -> dict:
    return {
        "local_time": local_time,
        "number": format_decimal,
        "kind_label": lambda kind: KIND_LABELS[kind],
        "manifest_url": manifest_page_url,
    }


def _choices(form: ManifestForm) -> PartyChoices:
    local = form.planned_pickup_at.data
    day = local.date() if local is not None else pickup_day(None)
    return party_choices(session(), codes=form.codes(), operation=form.operation.data, day=day)


def _render_draft(form, manifest, choices, *, status=200, code_results=None):
    return (
        render_template(
            "pages/drafting/draft_form.html",
            form=form,
            manifest=manifest,
            choices=choices,
            code_results=code_results,
            max_lines=MAX_LINES,
        ),
        status,
    )


def _draft_page(form: ManifestForm, manifest=None):
    """The new and edit pages: the buttons that only re-show the form (add a line, update
    the choices, search the catalogue) and saving, which goes to the issue step."""
    form.set_language(page_language())
    choices = _choices(form)
    fill_choices(form, choices)
    if request.method != "POST":
        return _render_draft(form, manifest, choices)
    if form.add_line.data:
        if len(form.lines) < MAX_LINES:
            form.lines.append_entry()
            form.set_language(page_language())
        return _render_draft(form, manifest, choices)
    if form.refresh.data:
        return _render_draft(form, manifest, choices)
    if form.search.data:
        query = (form.code_query.data or "").strip()
        rows, _total = catalogue_search.search(
            session(), q=query or None, page=1, per_page=CODE_SEARCH_LIMIT, lang=page_language()
        )
        return _render_draft(form, manifest, choices, code_results=rows)
    valid = form.validate()
    problems = choice_problems(form, choices)
    for field, message in problems:
        field.errors = [*field.errors, message]
    form.drop_blank_lines()
    data = form.to_service()
    actor = page_actor()
    if not valid or problems:
        # Also what the drafts service would refuse, so every problem shows at once.
        try:
            check_draft(session(), actor=actor, data=data)
        except ValidationFailed as exc:
            apply_domain_error(form, exc)
        return _render_draft(form, manifest, choices, status=422)
    try:
        if manifest is None:
            saved = create_manifest(uow(), actor=actor, data=data)
        else:
            saved = edit_manifest(uow(), actor=actor, ref=manifest.id, changes=data)
    except ValidationFailed as exc:
        apply_domain_error(form, exc)
        return _render_draft(form, manifest, choices, status=422)
    except Forbidden:
        abort(403)
    except NotFound:
        abort(404)
    except Conflict as exc:
        if manifest is None:  # busy: nothing was saved, the form is still as typed
            form.form_errors.append(refusal(exc))
            return _render_draft(form, manifest, choices, status=409)
        flash(refusal(exc), "error")
        return redirect(manifest_page_url(manifest.id))
    flash(_("Draft saved. Check it and sign to issue it."), "success")
    return redirect(url_for("drafting.issue", manifest_id=saved.id))


def _generator_actor():
    """The signed-in user, who must be able to file drafts for a generator (else 403)."""
    actor = page_actor()
    try:
        actor.require_org_role("generator")
        actor.require_user_role(WRITE_ROLES)
    except Forbidden:
        abort(403)
    return actor


def _own_manifest(manifest_id: int):
    """The manifest as the signed-in user may see it: 404 for another organisation's or a
    missing one, 403 when the user's organisation is not its generator."""
    actor = page_actor()
    try:
        manifest = manifests_query.get_visible(session(), actor, manifest_id)
    except NotFound:
        abort(404)
    if manifest.generator_id != actor.organization_id:
        abort(403)
    return manifest


@bp.route("/manifests/new", methods=["GET", "POST"])
@login_required
def new_manifest():
    _generator_actor()
    form = ManifestForm()
    return _draft_page(form)


@bp.route("/manifests/<int:manifest_id>/edit", methods=["GET", "POST"])
@login_required
def edit(manifest_id: int):
    _generator_actor()
    manifest = _own_manifest(manifest_id)
    if "edit" not in open_actions(manifest):
        flash(_("Only a draft can be edited."), "error")
        return redirect(manifest_page_url(manifest.id))
    form = ManifestForm()
    if request.method != "POST":
        form.fill_from(draft_input(manifest))
    return _draft_page(form, manifest)


@bp.route("/manifests/<int:manifest_id>/issue", methods=["GET", "POST"])
@login_required
def issue(manifest_id: int):
    """The confirmation step: every check that would fail now, next to its field; signing
    runs them again and issues, or shows what failed."""
    actor = page_actor()
    manifest = _own_manifest(manifest_id)
    form = IssueForm()
    status = 200
    try:
        if request.method == "POST" and form.validate():
            issued = lifecycle.issue_manifest(uow(), actor=actor, ref=manifest.id, at=utcnow())
            flash(_("Manifest %(number)s issued.", number=issued.number), "success")
            return redirect(url_for("drafting.list_manifests", number=issued.number))
        failures = [
            f.to_dict()
            for f in lifecycle.issue_checks(session(), actor=actor, ref=manifest.id).failures
        ]
    except ChecksFailed as exc:
        failures, status = list(exc.details or []), 422
    except ValidationFailed as exc:
        failures = [{"check": "catalogue", "message": exc.message}]
        status = 422 if request.method == "POST" else 200
    except Forbidden:
        abort(403)
    except Conflict as exc:
        flash(refusal(exc), "error")
        return redirect(manifest_page_url(manifest.id))
    session().rollback()  # the preview locked the row; nothing to keep
    return (
        render_template(
            "pages/drafting/issue.html",
            form=form,
            manifest=manifest,
            by_field=failures_by_field(failures),
            failures=failures,
        ),
        status,
    )


@bp.route("/manifests/<int:manifest_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel(manifest_id: int):
    actor = page_actor()
    manifest = _own_manifest(manifest_id)
    if "cancel" not in open_actions(manifest):
        flash(_("This manifest can no longer be cancelled."), "error")
        return redirect(manifest_page_url(manifest.id))
    form = CancelForm()
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate():
            try:
                lifecycle.cancel_manifest(
                    uow(), actor=actor, ref=manifest.id, reason=form.reason.data, at=utcnow()
                )
            except ValidationFailed as exc:
                apply_domain_error(form, exc)
            except Forbidden:
                abort(403)
            except Conflict as exc:
                flash(refusal(exc), "error")
                return redirect(manifest_page_url(manifest.id))
            else:
                flash(_("The manifest was cancelled."), "success")
                return redirect(url_for("drafting.list_manifests"))
    return render_template("pages/drafting/cancel.html", form=form, manifest=manifest), status


def _filtered_form() -> ListFilterForm:
    form = ListFilterForm(request.args)
    receivers = manifests_query.receivers_seen(session(), page_actor())
    form.receiver.choices = options(
        [(None, _("Any receiver")), *((o.id, o.name) for o in receivers)]
    )
    return form


def _render_list(form: ListFilterForm, page: Page) -> str:
    return render_template(
        "pages/drafting/list.html",
        form=form,
        page=page,
        open_actions=open_actions,
        current_org_id=page_actor().organization_id,
        csv_args={k: v for k, v in request.args.items() if k not in ("page", "lang")},
    )


@bp.route("/manifests", methods=["GET"])
@login_required
def list_manifests():
    form = _filtered_form()
    if not form.validate():
        return _render_list(form, Page([], 1, 0, 0)), 422
    filters = form.service_filters()
    number = page_number(request.args.get("page"))
    rows, total = manifests_query.list_visible(
        session(), page_actor(), **filters, page=number, per_page=PER_PAGE
    )
    pages = page_count(total, PER_PAGE)
    if number > pages:  # past the end: the last page
        number = pages
        rows, total = manifests_query.list_visible(
            session(), page_actor(), **filters, page=number, per_page=PER_PAGE
        )
    return _render_list(form, Page(rows, number, pages, total))


@bp.route("/manifests.csv", methods=["GET"])
@login_required
def export_csv():
    """Every manifest of the list's filter (all pages), as CSV."""
    form = _filtered_form()
    if not form.validate():
        abort(400)
    body = manifest_csv(session(), page_actor(), form.service_filters())
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="manifests.csv"'},
    )


@bp.route("/manifests/<int:manifest_id>.pdf", methods=["GET"])
@login_required
def print_pdf(manifest_id: int):
    try:
        return manifest_pdf_response(session(), page_actor(), manifest_id, page_language())
    except NotFound:
        abort(404)


@bp.route("/manifests/waste-codes.json", methods=["GET"])
@login_required
def waste_codes():
    """Catalogue entries matching ``q`` (code or name), for the as-you-type search."""
    query = (request.args.get("q") or "").strip()[:100]
    rows, total = catalogue_search.search(
        session(), q=query or None, page=1, per_page=CODE_SEARCH_LIMIT, lang=page_language()
    )
    return jsonify(
        {"total": total, "items": [{"code": r["code"], "name": r["name"]} for r in rows]}
    )


@bp.route("/manifests/choices.json", methods=["GET"])
@login_required
def choices_json():
    """The parties a draft with these codes (``code``, repeated), ``operation`` and
    ``pickup`` (Beijing time, as the form's field) may name."""
    choices = party_choices(
        session(),
        codes=[c[:20] for c in request.args.getlist("code")[:MAX_LINES]],
        operation=request.args.get("operation", "")[:3] or None,
        day=pickup_day(request.args.get("pickup")),
    )
    return jsonify(
        {
            "receivers": [{"id": o.id, "name": o.name} for o in choices.receivers],
            "transporters": [{"id": o.id, "name": o.name} for o in choices.transporters],
            "vehicles": [
                {
                    "plate": v.plate,
                    "transporter_id": v.organization_id,
                    "max_load_t": format(v.max_load_t.normalize(), "f"),
                }
                for v in choices.vehicles
            ],
        }
    )
