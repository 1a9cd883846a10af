"""API documentation, rendered from the OpenAPI document and served by the service itself
(nothing is fetched from elsewhere, so it works on a closed network):

* ``/api/v1/docs``: Swagger UI (flask-smorest's page, its template overridden by
  ``templates/swagger_ui.html``; the files vendored under ``static/vendor/swagger-ui``), where
  an integrator tries a call with a token; Chinese summaries unless English is asked for;
* ``/api/v1/docs/reference``: the plain list of operations and schemas, which needs no
  script; its one style sheet carries the nonce of the page's Content-Security-Policy.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from .docs_zh import summary as summary_zh
from .i18n import language
from .security_headers import CSP_NONCE_KEY

bp = Blueprint("docs", __name__)


#: Where flask-smorest serves Swagger UI (under the API's prefix) and its vendored files.
SWAGGER_UI = {
    "OPENAPI_SWAGGER_UI_PATH": "docs",
    "OPENAPI_SWAGGER_UI_URL": "/static/vendor/swagger-ui/",
    "OPENAPI_SWAGGER_UI_CONFIG": {"deepLinking": True, "docExpansion": "list"},
}
SWAGGER_UI_PATH = "/api/v1/docs"


@bp.app_template_global()
def docs_language() -> str:
    """``zh`` or ``en``, as the API picks it (``?lang=``, then Accept-Language)."""
    return language()


@bp.app_template_global()
def docs_summaries() -> dict[str, str]:
    """``{"GET /api/v1/...": Chinese summary}`` of every operation, for Swagger UI in Chinese;
    empty in English (the document's own summaries are English)."""
    if language() != "zh":
        return {}
    spec = current_app.extensions["hwm"]["api"].spec.to_dict()
    found = {}
    for path, methods in spec.get("paths", {}).items():
        for method in methods:
            text = summary_zh(method, path)
            if text:
                found[f"{method.upper()} {path}"] = text
    return found


@bp.get("/api/v1/docs/reference")
def reference():
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
