"""The printable manifest."""

from __future__ import annotations

from flask import Response
from flask_smorest import Blueprint

from manifest.infra.db import utcnow
from manifest.services import manifests_query

from ..auth import current_actor
from ..db import session
from ..i18n import language
from ..printing import render_manifest_pdf

blp = Blueprint(
    "manifest_print",
    __name__,
    url_prefix="/api/v1/manifests",
    description="The paper copy of a manifest",
)


@blp.route("/<ref>.pdf", methods=["GET"])
@blp.response(200, content_type="application/pdf")
def manifest_pdf(ref):
    """The manifest as a PDF: parties, every tally, the signatures and the chain's state."""
    actor = current_actor()
    s = session()
    manifest = manifests_query.get_visible(s, actor, ref)
    events = manifests_query.events_visible(s, actor, ref)
    verdict = manifests_query.verify_visible(s, actor, ref)
    pdf = render_manifest_pdf(manifest, events, verdict, language(), utcnow())
    name = manifest.number or f"draft-{manifest.id}"
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}.pdf"'},
    )
