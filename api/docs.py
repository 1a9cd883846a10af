"""Browsable API documentation at /api/v1/docs, rendered from the OpenAPI document.

Served by the service itself, with no script or style fetched from elsewhere, so it works on
a closed network; its one style sheet carries the nonce of the page's Content-Security-Policy.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from .docs_zh import summary as summary_zh
from .i18n import language
from .security_headers import CSP_NONCE_KEY

bp = Blueprint("docs", __name__)


@bp.get("/api/v1/docs")
def docs():
    spec = current_app.extensions["hwm"]["api"].spec.to_dict()
    lang = language()
    operations = []
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            body = (op.get("requestBody") or {}).get("content", {})
            schema = next(iter(body.values()), {}).get("schema", {}) if body else {}
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": (lang == "zh" and summary_zh(method, path)) or op.get("summary", ""),
                    "tag": (op.get("tags") or [""])[0],
                    "body": schema.get("$ref", "").split("/")[-1],
                    "responses": sorted(op.get("responses", {})),
                }
            )
    schemas = spec.get("components", {}).get("schemas", {})
    return render_template(
        "api_docs.html",
        spec=spec,
        operations=operations,
        schemas=schemas,
        lang=lang,
        csp_nonce=request.environ.get(CSP_NONCE_KEY, ""),
    )
