"""The regulator's live map: the vehicles on the road in its regions, each where its
terminal last fixed it, with the manifest it carries and the live findings still open.

The page is a table (it works without JavaScript) and a map drawn by the manifest page's
script from ``/web/map.geojson`` (the same page of vehicles). What it shows is read by
:func:`manifest.services.live_map.live_map`; anyone but a regulator gets the 403 page, as the
API's regulator-only operations answer 403.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_login import login_required

from manifest.errors import Forbidden
from manifest.finding_types import label as finding_label
from manifest.services.live_map import PER_PAGE, live_map
from manifest.services.positions import position_feature

from ..db import session
from .formatting import lazy_gettext
from .forms import Page, page_number
from .manifest_view import position_age
from .session import page_actor

bp = Blueprint("live_map", __name__, url_prefix="/web")


def _map_of_page():
    """The requested page of the signed-in regulator's live map; the 403 page for anyone
    else."""
    try:
        number = page_number(request.args.get("page"))
        return live_map(session(), actor=page_actor(), page=number, per_page=PER_PAGE)
    except Forbidden:
        abort(403)


@bp.get("/map")
@login_required
def live_map_page():
    """The vehicles in transit in the regulator's regions: table, map and pages."""
    from . import language

    found = _map_of_page()
    lang = language()
    config = {
        "layers": url_for(".live_map_layers", page=found.page),
        # The tile layer is a setting, none by default: the layers alone, on a plain ground.
        "tiles": current_app.config.get("HWM_TILE_URL") or "",
        "labels": {
            "position": str(lazy_gettext("Last known position")),
            "empty": str(lazy_gettext("No vehicle on this page has reported a position yet.")),
        },
    }
    return render_template(
        "pages/map/live.html",
        vehicles=found.vehicles,
        listing=Page(
            items=found.vehicles,
            page=found.page,
            pages=found.pages,
            total=found.total,
            per_page=PER_PAGE,
        ),
        ages={v.manifest_id: position_age(v.position) for v in found.vehicles},
        finding_label=lambda name: finding_label(name, lang),
        map_config=json.dumps(config, ensure_ascii=False),
        has_positions=any(v.position for v in found.vehicles),
    )


@bp.get("/map.geojson")
@login_required
def live_map_layers():
    """The page's vehicles with a position as GeoJSON points (kind ``position``, with the
    manifest's number and page), for the map's script."""
    found = _map_of_page()
    features = []
    for vehicle in found.vehicles:
        if vehicle.position is None:
            continue
        feature = position_feature(vehicle.position)
        feature["properties"]["manifest_number"] = vehicle.number
        feature["properties"]["href"] = url_for(
            "manifest_view.manifest_page", manifest_id=vehicle.manifest_id
        )
        features.append(feature)
    body = {"type": "FeatureCollection", "features": features}
    return Response(json.dumps(body, ensure_ascii=False), mimetype="application/geo+json")
