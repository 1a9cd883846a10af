"""The printable manifest."""

from __future__ import annotations

from flask_smorest import Blueprint

from ..auth import current_actor
from ..db import session
from ..i18n import language
from ..printing import manifest_pdf_response

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
    return manifest_pdf_response(session(), current_actor(), ref, language())
