"""The printable manifest."""

from __future__ import annotations

from ..auth import current_actor
from ..db import session
from ..i18n import language
from ..printing import manifest_pdf_response
from . import api_blueprint

blp = api_blueprint("manifest_print", "/manifests", "The paper copy of a manifest")


@blp.route("/<ref>.pdf", methods=["GET"])
@blp.response(200, content_type="application/pdf")
def manifest_pdf(ref):
    """The manifest as a PDF: parties, every tally, the signatures and the chain's state."""
    return manifest_pdf_response(session(), current_actor(), ref, language())
