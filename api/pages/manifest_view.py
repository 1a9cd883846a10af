"""The manifest page every party sees: parties and licences, the tallies side by side, the
custody timeline with its verification, the findings with their comments, and the map.

What it shows is read by :func:`manifest.services.manifest_view.manifest_view`, under the
API's visibility rules; the map's layers come from the same service as the API's track
GeoJSON and are fetched by the page's script from ``map.geojson`` beside it.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import get_locale, lazy_gettext
from flask_login import login_required

from manifest.digits import is_ascii_digits, parse_ascii_int
from manifest.errors import NotFound
from manifest.finding_types import BY_NAME
from manifest.services import tracks
from manifest.services.manifest_view import FINDINGS_PER_PAGE, manifest_view

from ..db import session
from .forms import Page
from .labels import ORG_ROLE
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

ACTIONS = {
    "create": lazy_gettext("Draft filed"),
    "edit": lazy_gettext("Draft changed"),
    "issue": lazy_gettext("Issued"),
    "cancel": lazy_gettext("Cancelled"),
    "pickup": lazy_gettext("Picked up"),
    "name_next": lazy_gettext("Next transporter named"),
    "handoff": lazy_gettext("Handed over"),
    "deliver": lazy_gettext("Arrived"),
    "decide": lazy_gettext("Accepted or rejected"),
    "complete": lazy_gettext("Treatment completed"),
    "route": lazy_gettext("Planned route set"),
    "track": lazy_gettext("GPS track uploaded"),
}

#: The role each party plays on the manifest (the roles of organisations, and one more).
PARTIES = {**ORG_ROLE, "next_transporter": lazy_gettext("Next transporter")}

FINDING_STATUSES = {
    "open": lazy_gettext("open"),
    "explained": lazy_gettext("explained"),
    "resolved": lazy_gettext("resolved"),
    "escalated": lazy_gettext("escalated"),
}

LICENCE_KINDS = {
    "hw_operation": lazy_gettext("Hazardous-waste operation licence"),
    "dg_transport": lazy_gettext("Dangerous-goods road transport permit"),
}


def _page_number(name: str) -> int:
    raw = request.args.get(name, "1")
    number = parse_ascii_int(raw) if is_ascii_digits(raw) else None
    return number if number and number < 10_000 else 1


@bp.get("/<int:manifest_id>")
@login_required
def manifest_page(manifest_id: int):
    """The manifest page; the same 404 page for a missing manifest and another's."""
    actor = page_actor()
    page_no = _page_number("page")
    try:
        view = manifest_view(session(), actor=actor, ref=manifest_id, findings_page=page_no)
    except NotFound:
        abort(404)
    findings_page = Page(
        items=view.findings,
        page=page_no,
        pages=max(1, -(-view.findings_total // FINDINGS_PER_PAGE)),
        total=view.findings_total,
    )
    map_config = {
        "layers": request.path + "/map.geojson",
        # The tile layer is a setting, none by default: the layers alone, on a plain ground.
        "tiles": current_app.config.get("HWM_TILE_URL") or "",
        "labels": _map_labels(),
    }
    return render_template(
        "pages/manifest/show.html",
        view=view,
        m=view.detail.manifest,
        weighbridge=view.detail.weighbridge,
        lines=_lines(view),
        party_rows=_party_rows(view.detail.manifest),
        flagged=_flagged(view.findings),
        findings_page=findings_page,
        finding_label=_finding_label,
        actions=ACTIONS,
        parties=PARTIES,
        licence_kinds=LICENCE_KINDS,
        finding_statuses=FINDING_STATUSES,
        tallies=TALLIES,
        map_config=json.dumps(map_config, ensure_ascii=False),
        has_map=bool(view.tracks or view.route),
    )


@bp.get("/<int:manifest_id>/map.geojson")
@login_required
def map_geojson(manifest_id: int):
    """The map's layers (GeoJSON, as the API's track GeoJSON) for the page's script."""
    try:
        body = tracks.map_layers(session(), actor=page_actor(), ref=manifest_id)
    except NotFound:
        abort(404)
    return Response(json.dumps(body, ensure_ascii=False), mimetype="application/geo+json")


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
    lang = "zh" if str(get_locale() or "zh").startswith("zh") else "en"
    return BY_NAME[name].label(lang) if name in BY_NAME else name


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
        "empty": str(lazy_gettext("No planned route or GPS track yet.")),
    }
