"""What the pages that sign a manifest's moves share: opening the manifest for a form, the
signature time, and the answers to a signature that was made, refused or beaten to it."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, flash, redirect, render_template, request
from flask_babel import format_datetime, format_decimal, format_percent
from flask_babel import gettext as _
from flask_login import login_required

from manifest import finding_types
from manifest.actor import Actor
from manifest.errors import Conflict, DomainError, Forbidden, InvalidTransition
from manifest.infra.db import utcnow
from manifest.models import Manifest
from manifest.paging import page_count
from manifest.services import manifests_query
from manifest.services.signing import check_may_sign, moves_open_to
from manifest.status import Action

from ..db import session
from .formatting import page_language
from .forms import PER_PAGE, Page, apply_domain_error, page_number
from .labels import MINUTE, severity_label
from .refusals import refusal
from .session import page_actor


def manifest_page(manifest_id: int) -> str:
    """The path of the manifest page every party sees."""
    return f"/web/manifests/{manifest_id}"


def worklist_page(template: str, fetch, **more) -> str:
    """The page of a work list asked for by ``?page=``, rendered on ``template``:
    ``fetch(session, actor, page=, per_page=)`` answers the manifests and their count, as the
    work-list services do. Each of the ``rows`` is a manifest with the moves the user may
    make on it, and under each name of ``more`` that function of (actor, manifest)."""
    actor = page_actor()
    number = page_number(request.args.get("page"))
    manifests, total = fetch(session(), actor, page=number, per_page=PER_PAGE)
    pages = page_count(total, PER_PAGE)
    page = Page(items=manifests, page=number, pages=pages, total=total, per_page=PER_PAGE)
    rows = [
        {"manifest": m, "moves": moves_open_to(actor, m)}
        | {name: value(actor, m) for name, value in more.items()}
        for m in manifests
    ]
    return render_template(template, rows=rows, page=page, Action=Action)


def route_steps(bp: Blueprint, view, steps: dict[str, str]) -> None:
    """Serve ``view`` (a signing form taking ``manifest_id`` and ``step``) for each step of
    ``steps`` at ``/manifests/<id>/<its path>``, for the signed-in (GET shows the form, POST
    signs): the step is passed as ``step`` and names the endpoint."""
    for step, path in steps.items():
        bp.add_url_rule(
            f"/manifests/<int:manifest_id>/{path}",
            endpoint=step,
            view_func=login_required(view),
            methods=["GET", "POST"],
            defaults={"step": step},
        )


def signing_time(manifest: Manifest) -> datetime:
    """Now, to the second, and never before the manifest's previous signature (whose time a
    client may have given a little ahead of this server's clock)."""
    now = utcnow().replace(microsecond=0)
    return max(now, manifest.last_move_at) if manifest.last_move_at else now


def open_for(actor: Actor, manifest_id: int, action: Action) -> Manifest:
    """The manifest ``manifest_id`` for the form of ``action``. Raises NotFound (not the
    actor's to see: the 404 page), Forbidden (the 403 page), InvalidTransition (the status
    moved on: see :func:`beaten`)."""
    manifest = manifests_query.get_detail(session(), actor, manifest_id).manifest
    check_may_sign(actor, manifest, action)
    return manifest


def sign_form(manifest_id: int, action: Action, form, *, show, move, done, field_map=None):
    """The course of every signing form: open the manifest for ``action`` (404 for
    strangers, 403 for a party that may not), show the form (``show(manifest, form,
    status)``), or sign with ``move(actor, manifest)``. A refusal shows the form again with
    what was typed and each rule next to its field (422, ``field_map`` as for
    :func:`apply_domain_error`); a signature someone else beat reloads the manifest page.
    ``done`` is what is said after signing, or a function of the manifest giving it."""
    actor = page_actor()
    try:
        manifest = open_for(actor, manifest_id, action)
    except InvalidTransition as exc:
        return beaten(manifest_id, exc)
    if not form.is_submitted():
        return show(manifest, form, 200)
    try:
        move(actor, manifest)
    except Conflict as exc:
        return beaten(manifest_id, exc)
    except Forbidden:
        raise
    except DomainError as exc:
        apply_domain_error(form, exc, field_map)
        return show(manifest, form, 422)
    return signed(manifest_id, done)


def signed(manifest_id: int, message: str):
    """After a signature: say so and show the manifest page."""
    flash(message, "success")
    return redirect(manifest_page(manifest_id), code=303)


def beaten(manifest_id: int, exc: Conflict):
    """Someone signed first, or the manifest moved on: say so and reload the manifest page,
    which shows the new state."""
    flash(
        _(
            "This manifest changed before your signature was recorded; nothing was signed. "
            "Here is its current state. (%(reason)s)",
            reason=refusal(exc),
        ),
        "warning",
    )
    return redirect(manifest_page(manifest_id), code=303)


def quantity(value) -> str:
    """A quantity or measure for people: grouped digits, at most three decimals."""
    if value is None or value == "":
        return "–"
    return format_decimal(value, format="#,##0.###")


def moment(iso: str | None) -> str:
    """An ISO 8601 time (as the GPS analysis writes them) in local time, to the minute."""
    if not iso:
        return "–"
    return format_datetime(datetime.fromisoformat(iso), MINUTE)


def template_helpers() -> dict:
    """The formatting helpers the transport and receiving templates use."""
    return {
        "qty": quantity,
        "percent": lambda share: format_percent(share, format="#,##0.#%"),
        "moment": moment,
        "kind_label": lambda kind: finding_types.label(kind, page_language()),
        "severity_label": severity_label,
    }
