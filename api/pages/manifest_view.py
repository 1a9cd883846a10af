"""The manifest page every party sees: parties and licences, the tallies side by side, the
custody timeline with its verification, the findings with their comments, the trip's last
known position and the map.

What it shows is read by :func:`manifest.services.manifest_view.manifest_view`, under the
API's visibility rules; the map's layers come from the same service as the API's track
GeoJSON and are fetched by the page's script from ``map.geojson`` beside it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_login import login_required
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import Length

from manifest.digits import is_ascii_digits, parse_ascii_int
from manifest.errors import DomainError, NotFound
from manifest.finding_types import BY_NAME
from manifest.paging import page_count
from manifest.services import tracks
from manifest.services.findings_triage import (
    MAX_COMMENT,
    add_comment,
    comment_statuses,
    get_finding,
    may_comment,
)
from manifest.services.manifest_view import FINDINGS_PER_PAGE, manifest_view

from ..db import session, uow
from ..errors import status_of
from .formatting import lazy_gettext, page_language
from .forms import Page, apply_domain_error
from .labels import ORG_ROLE, finding_status_label
from .session import page_actor

bp = Blueprint("manifest_view", __name__, url_prefix="/web/manifests")

#: The tallies of a line, in the order the load meets them. The weighbridge weighs the whole
#: load: its column holds the total only.
TALLIES = ("declared", "loaded", "received", "weighbridge", "accepted", "rejected")

#: Which cell of the lines table a finding of (type, stage) is about.
FINDING_CELLS = {
    ("quantity_discrepancy", "loaded"): "loaded",
    ("quantity_discrepancy", "received"): "received",
    ("quantity_discrepancy", "cumulative"): "received",
    ("quantity_discrepancy", "weighbridge"): "weighbridge",
    ("type_discrepancy", "received"): "received",
    ("rejection", "decision"): "rejected",
    ("moisture_change", "received"): "moisture",
}

#: The role each party plays on the manifest (the roles of organisations, and one more).
PARTIES = {**ORG_ROLE, "next_transporter": lazy_gettext("Next transporter")}

LICENCE_KINDS = {
    "hw_operation": lazy_gettext("Hazardous-waste operation licence"),
    "dg_transport": lazy_gettext("Dangerous-goods road transport permit"),
}


def _page_number(name: str) -> int:
    raw = request.args.get(name, "1")
    number = parse_ascii_int(raw) if is_ascii_digits(raw) else None
    return number if number and number < 10_000 else 1


class CommentForm(FlaskForm):
    """A comment on one finding, with the status it may set (as the findings API takes it)."""

    body = TextAreaField(lazy_gettext("Comment"), validators=[Length(max=MAX_COMMENT)])
    # The service judges the status (a party asking for another is refused with its reason).
    status = SelectField(lazy_gettext("Status"), choices=[], default="", validate_choice=False)

    def field_name(self, path: str) -> str | None:
        """The name (with this form's prefix) of the field a refusal's ``path`` names."""
        field = self._fields.get(path)
        return field.name if field is not None else None

    def offer(self, actor) -> CommentForm:
        """Offer the statuses the actor may set, and leaving the status as it is."""
        self.status.choices = [("", lazy_gettext("leave as it is"))] + [
            (name, finding_status_label(name)) for name in comment_statuses(actor)
        ]
        return self


def _comment_form(actor, finding_id: int) -> CommentForm:
    return CommentForm(prefix=f"finding-{finding_id}").offer(actor)


def _view(actor, manifest_id: int, page_no: int):
    """What the page shows; the 404 page for a missing manifest and another's."""
    try:
        return manifest_view(session(), actor=actor, ref=manifest_id, findings_page=page_no)
    except NotFound:
        abort(404)


@bp.get("/<int:manifest_id>")
@login_required
def manifest_page(manifest_id: int):
    """The manifest page; the same 404 page for a missing manifest and another's."""
    actor = page_actor()
    page_no = _page_number("page")
    return _render(actor, _view(actor, manifest_id, page_no), page_no)


@bp.post("/<int:manifest_id>/findings/<int:finding_id>/comments")
@login_required
def comment_on_finding(manifest_id: int, finding_id: int):
    """Comment on a finding about the manifest (and, within the rules of the findings API,
    set its status), through the service the API's comment endpoint calls. A refusal shows
    the page again with the reason on the finding's form and what was typed."""
    actor = page_actor()
    page_no = _page_number("page")
    view = _view(actor, manifest_id, page_no)
    manifest = view.detail.manifest
    try:
        finding = get_finding(session(), actor, finding_id) if view.whole else None
    except NotFound:
        finding = None
    if finding is None or finding["manifest_id"] != manifest.id:
        abort(404)
    form = _comment_form(actor, finding_id)
    if form.validate_on_submit():
        try:
            add_comment(
                uow(),
                actor=actor,
                finding_id=finding_id,
                body=form.body.data or "",
                status=form.status.data or None,
            )
        except DomainError as exc:
            session().rollback()
            apply_domain_error(form, exc, form.field_name)
            view = _view(actor, manifest_id, page_no)
            return _render(actor, view, page_no, refused=form, status=status_of(exc))
        flash(_("Your comment was added."), "success")
        target = url_for(".manifest_page", manifest_id=manifest.id, page=page_no)
        return redirect(f"{target}#finding-{finding_id}", code=303)
    return _render(actor, view, page_no, refused=form, status=422)


def _render(actor, view, page_no: int, *, refused: CommentForm | None = None, status=200):
    """The page, with a comment form on each finding the actor may comment on (``refused``
    in place of its finding's, showing its refusal)."""
    findings_page = Page(
        items=view.findings,
        page=page_no,
        pages=page_count(view.findings_total, FINDINGS_PER_PAGE),
        total=view.findings_total,
    )
    map_config = {
        "layers": request.path + "/map.geojson",
        # The tile layer is a setting, none by default: the layers alone, on a plain ground.
        "tiles": current_app.config.get("HWM_TILE_URL") or "",
        "labels": _map_labels(),
    }
    comment_forms = {}
    if may_comment(actor):
        comment_forms = {f["id"]: _comment_form(actor, f["id"]) for f in view.findings}
    if refused is not None:
        comment_forms[_finding_of(refused)] = refused
    page = render_template(
        "pages/manifest/show.html",
        view=view,
        comment_forms=comment_forms,
        m=view.detail.manifest,
        weighbridge=view.detail.weighbridge,
        lines=_lines(view),
        party_rows=_party_rows(view.detail.manifest),
        flagged=_flagged(view.findings),
        findings_page=findings_page,
        finding_label=_finding_label,
        parties=PARTIES,
        licence_kinds=LICENCE_KINDS,
        tallies=TALLIES,
        map_config=json.dumps(map_config, ensure_ascii=False),
        has_map=bool(view.tracks or view.route or view.position),
        position_age=position_age(view.position),
    )
    return page, status


def _finding_of(form: CommentForm) -> int:
    """The finding a comment form is about, from its prefix."""
    return int(form._prefix.removeprefix("finding-").rstrip("-"))


@bp.get("/<int:manifest_id>/map.geojson")
@login_required
def map_geojson(manifest_id: int):
    """The map's layers (GeoJSON, as the API's track GeoJSON) for the page's script."""
    try:
        body = tracks.map_layers(session(), actor=page_actor(), ref=manifest_id)
    except NotFound:
        abort(404)
    return Response(json.dumps(body, ensure_ascii=False), mimetype="application/geo+json")


def position_age(position: dict | None) -> str | None:
    """How long ago the last known position was fixed, in the page's language."""
    if position is None:
        return None
    # Negative: "… ago". A fix a little ahead of the server's clock reads as "now".
    ago = min(position["time"] - datetime.now(UTC), timedelta(0))
    return format_timedelta(ago, granularity="second", add_direction=True)


def _flagged(findings: list[dict]) -> dict[tuple[int | None, str], list[dict]]:
    """The findings about each cell, by (line number or None for the whole load, column)."""
    cells: dict[tuple[int | None, str], list[dict]] = {}
    for finding in findings:
        measured = finding.get("measured") or {}
        column = FINDING_CELLS.get((finding["type"], measured.get("stage")))
        if column is not None:
            cells.setdefault((measured.get("line_no"), column), []).append(finding)
    return cells


def _lines(view) -> list[dict]:
    """Each line with its tallies; for a named next transporter too (the API shows them)."""
    return [
        {"line": line, "values": {name: getattr(line, name, None) for name in TALLIES}}
        for line in view.detail.manifest.lines
    ]


def _party_rows(manifest) -> list[tuple[str, int]]:
    """(role, organisation id) of each party in the order the load passes them: the
    generator, each transporter of the trip (or the one named, before pickup), the next
    transporter named, the receiver."""
    rows = [("generator", manifest.generator_id)]
    carriers = [leg.transporter_id for leg in manifest.legs] or [manifest.transporter_id]
    rows += [("transporter", org_id) for org_id in carriers]
    if manifest.next_transporter_id is not None:
        rows.append(("next_transporter", manifest.next_transporter_id))
    rows.append(("receiver", manifest.receiver_id))
    return rows


def _finding_label(name: str) -> str:
    """A finding type's name in the page's language (from the one table of finding types)."""
    return BY_NAME[name].label(page_language()) if name in BY_NAME else name


def _map_labels() -> dict[str, str]:
    """The layer names the map's legend shows, in the page's language."""
    return {
        "route": str(lazy_gettext("Planned route")),
        "corridor": str(lazy_gettext("Corridor")),
        "track": str(lazy_gettext("GPS track")),
        "origin": str(lazy_gettext("Origin")),
        "destination": str(lazy_gettext("Destination")),
        "unscheduled_stop": _finding_label("unscheduled_stop"),
        "route_deviation": _finding_label("route_deviation"),
        "gps_gap": _finding_label("gps_gap"),
        "implausible_speed": _finding_label("implausible_speed"),
        "start_outside_origin": _finding_label("start_outside_origin"),
        "end_outside_destination": _finding_label("end_outside_destination"),
        "position": str(lazy_gettext("Last known position")),
        "empty": str(lazy_gettext("No planned route or GPS track yet.")),
    }
