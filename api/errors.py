"""Every error leaves as ``{"code", "message", "errors"}`` (and ``detail``/``details`` when
there is more to say) with the right status: the body ``openapi_errors.ErrorOut`` documents."""

from __future__ import annotations

import logging

from flask import jsonify
from flask_smorest import Api
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from manifest.errors import (
    ChecksFailed,
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    TooManyAttempts,
    ValidationFailed,
)
from manifest.infra.db import is_database_unavailable

from .i18n import headline, language
from .openapi_errors import ErrorOut

log = logging.getLogger(__name__)

STATUS_OF = [
    (PayloadTooLarge, 413),
    (TooManyAttempts, 429),
    (ChecksFailed, 422),
    (ValidationFailed, 422),
    (NotFound, 404),
    (Forbidden, 403),
    (Conflict, 409),
]
CODE_OF_STATUS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "too_many_attempts",
}


def error_response(
    status: int, code: str, detail: str | None = None, errors=None, details=None, headers=None
):
    body = {"code": code, "message": headline(code), "errors": field_errors(errors or {})}
    if detail:
        if language() == "en":
            body["message"] = detail
        else:
            body["detail"] = detail
    if details is not None:
        body["details"] = details
    response = jsonify(body)
    response.status_code = status
    for k, v in (headers or {}).items():
        response.headers[k] = v
    return response


def status_of(exc: DomainError) -> int:
    """The HTTP status answering a refusal (400 for one without its own)."""
    return next((s for cls, s in STATUS_OF if isinstance(exc, cls)), 400)


def handle_domain_error(exc: DomainError):
    status = status_of(exc)
    retry_after = getattr(exc, "retry_after", None)
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return error_response(status, exc.code, exc.message, exc.errors, exc.details, headers)


def field_errors(errors, prefix: str = "") -> dict[str, list[str]]:
    """``errors`` as the documented ``{"dotted.field": ["problem", ...]}``, however nested
    (marshmallow nests lists and dicts of fields; services give field -> messages)."""
    out: dict[str, list[str]] = {}
    if not isinstance(errors, dict):
        errors = {prefix.rstrip(".") or "body": errors}
        prefix = ""
    for key, value in errors.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(field_errors(value, f"{name}."))
            continue
        for index, item in enumerate(value if isinstance(value, list) else [value]):
            if isinstance(item, dict):
                out.update(field_errors(item, f"{name}.{index}."))
            else:
                # A service's sentence (manifest.texts.Text) stays itself for the pages.
                out.setdefault(name, []).append(item if isinstance(item, str) else str(item))
    return out


class HwmApi(Api):
    """flask-smorest's Api with our error body for every HTTP error, validation included."""

    ERROR_SCHEMA = ErrorOut
    #: Each operation lists its own error answers (api.openapi_errors), no catch-all.
    DEFAULT_ERROR_RESPONSE_NAME = None

    def __init__(self, *args, **kwargs):
        #: Names of the blueprints whose operations need a bearer token unless marked public.
        self.protected_blueprints: set[str] = set()
        super().__init__(*args, **kwargs)

    def register_blueprint(self, blp, **options):
        self.protected_blueprints.add(options.get("name", blp.name))
        super().register_blueprint(blp, **options)

    def handle_http_exception(self, error: HTTPException):
        status = error.code or 500
        data = getattr(error, "data", None) or {}
        errors = data.get("messages") or data.get("errors") or {}
        if status == 422 and isinstance(errors, dict):
            # webargs nests by location (json, query, ...); clients want field -> messages.
            flat = {}
            for location, fields in errors.items():
                flat.update(
                    field_errors(fields) if isinstance(fields, dict) else {location: fields}
                )
            errors = flat
        code = data.get("code") if isinstance(data.get("code"), str) else None
        if status >= 500:
            log.exception("internal error", exc_info=error)
            return error_response(500, "internal_error")
        detail = data.get("message") or error.description
        # webargs reports an unparsable body as a 400 on the "json" location.
        if status == 400 and isinstance(errors, dict) and "json" in errors:
            code = code or "malformed_json"
            detail = "the request body is not valid JSON"
        headers = dict(data.get("headers") or {})
        if isinstance(error, MethodNotAllowed):
            headers.update(error.get_headers())  # Allow: the methods the URL answers
            headers.pop("Content-Type", None)
        return error_response(
            status,
            code or CODE_OF_STATUS.get(status, "bad_request"),
            detail,
            errors,
            headers=headers,
        )


#: Seconds a client is asked to wait before retrying while the database cannot be reached.
RETRY_AFTER_SECONDS = 5


def database_unavailable_response():
    """503 ``database_unavailable`` with ``Retry-After``: nothing was changed, retry later."""
    return error_response(
        503,
        "database_unavailable",
        "the database cannot be reached; nothing was changed, retry later",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def handle_pdf_font_missing(exc: Exception):
    """503: the server cannot print until a Chinese font is installed (not the client's
    fault, and no retry helps before then)."""
    log.error("PDF refused: %s", exc)
    return error_response(503, "pdf_font_missing", str(exc))


def handle_unexpected(exc: Exception):
    if is_database_unavailable(exc):
        log.warning("database unavailable: %s", exc.__class__.__name__)
        return database_unavailable_response()
    log.exception("unhandled error")
    return error_response(500, "internal_error")
