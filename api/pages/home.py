"""The home page: what needs the signed-in user's action now, with counts and links to the
pages where it is done, the open findings about the organisation and the latest activity."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

from manifest.finding_types import label as finding_label
from manifest.services.worklist import worklist

from ..db import session
from .formatting import lazy_gettext
from .session import page_actor

bp = Blueprint("home", __name__, url_prefix="/web")

#: Each pile of work: its title, the page listing the whole pile, and the page (by
#: manifest id) where one of its manifests is dealt with.
PILES = {
    "drafts": (
        lazy_gettext("Drafts to issue"),
        "/web/manifests?status=draft",
        "/web/manifests/{id}/issue",
    ),
    "awaiting_pickup": (
        lazy_gettext("Issued, awaiting pickup"),
        "/web/manifests?status=issued",
        "/web/manifests/{id}",
    ),
    "pickup_today": (
        lazy_gettext("Loads to pick up today"),
        "/web/trips",
        "/web/manifests/{id}/pickup",
    ),
    "handovers": (
        lazy_gettext("Loads to take over"),
        "/web/trips",
        "/web/manifests/{id}/handover",
    ),
    "in_transit": (
        lazy_gettext("In transit"),
        "/web/trips",
        "/web/manifests/{id}",
    ),
    "arrivals": (
        lazy_gettext("Arrivals to weigh"),
        "/web/incoming",
        "/web/manifests/{id}/arrival",
    ),
    "decisions": (
        lazy_gettext("Decisions due"),
        "/web/incoming",
        "/web/manifests/{id}/decision",
    ),
    "completions": (
        lazy_gettext("Treatment to record"),
        "/web/incoming",
        "/web/manifests/{id}/completion",
    ),
}


@bp.get("/")
@login_required
def home():
    from . import language, page_exists

    work = worklist(session(), page_actor())

    def link(template: str, manifest_id: int | None = None) -> str | None:
        """The page's path if it answers (page groups land one by one), else the manifest
        page's, else None."""
        for candidate in (template, "/web/manifests/{id}"):
            if manifest_id is None and "{id}" in candidate:
                continue
            path = candidate.format(id=manifest_id)
            if page_exists(path.split("?")[0]):
                return path
        return None

    piles = [
        {
            "key": pile.key,
            "title": PILES[pile.key][0],
            "count": pile.count,
            "href": link(PILES[pile.key][1]),
            "entries": [
                {"entry": e, "href": link(PILES[pile.key][2], e.manifest_id)} for e in pile.entries
            ],
        }
        for pile in work.piles
    ]
    lang = language()
    findings = [
        {
            "finding": f,
            "type": finding_label(f.type, lang),
            "href": link("/web/manifests/{id}", f.manifest_id) if f.manifest_id else None,
        }
        for f in work.findings
    ]
    activity = [
        {"event": a, "href": link("/web/manifests/{id}", a.manifest_id)} for a in work.activity
    ]
    return render_template(
        "pages/home/home.html",
        piles=piles,
        waiting=sum(p["count"] for p in piles),
        findings_count=work.findings_count,
        findings=findings,
        activity=activity,
    )
