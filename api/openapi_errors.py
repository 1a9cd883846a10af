"""The error body in the OpenAPI document, and the error answers of every operation.

Every 4xx/5xx answer has the body ``ErrorOut`` describes (``api.errors.error_response`` is the
only place that writes one). Which error statuses an operation lists follows from what it
takes, by one rule for all of them (``error_statuses``), so a new endpoint is documented
like the others without anyone remembering to.
"""

from __future__ import annotations

import http

import marshmallow as ma
from apispec import BasePlugin
from marshmallow import fields

#: Every operation: a query or body with text no database can store (422); a fault (500);
#: the database out of reach (503, with Retry-After).
ALWAYS = (422, 500, 503)
#: Operations that need a bearer token: none or an invalid one (401), a role that may not
#: (403), something named in the path or body that does not exist or is not yours (404).
PROTECTED = (401, 403, 404)
#: Operations that take a body: not JSON (400), too large (413), of a type the operation does
#: not take (415), fields that are not valid (422).
WITH_BODY = (400, 413, 415, 422)
#: Operations that change something: a concurrent change, a wrong status or a busy retry.
WRITES = (409,)
#: A reused Idempotency-Key that is too long (400).
POSTS = (400,)


class ErrorOut(ma.Schema):
    """The body of every error answer."""

    code = fields.String(
        required=True,
        metadata={"description": "stable machine-readable code, e.g. not_found"},
    )
    message = fields.String(
        required=True,
        metadata={
            "description": "a headline in the interface language (Chinese by default); "
            "in English, the precise explanation"
        },
    )
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        required=True,
        metadata={
            "description": "problems per field (dotted path, e.g. lines.0.quantity); "
            "empty when the error is not about fields"
        },
    )
    detail = fields.String(
        metadata={"description": "in the Chinese interface, the precise English explanation"}
    )
    details = fields.Raw(
        allow_none=True,
        metadata={
            "description": "structured specifics of some errors, e.g. every failed check of "
            "checks_failed"
        },
    )


def error_statuses(path: str, method: str, operation: dict) -> set[int]:
    """The error statuses ``operation`` can answer with."""
    statuses = set(ALWAYS)
    if operation.get("security") != []:
        statuses.update(PROTECTED)
    if "requestBody" in operation:
        statuses.update(WITH_BODY)
    if method in ("post", "put", "patch", "delete") and operation.get("security") != []:
        statuses.update(WRITES)
    if method == "post":
        statuses.update(POSTS)
    if "{" in path:
        statuses.add(404)
    return statuses


class ErrorResponsesPlugin(BasePlugin):
    """apispec plugin: adds each operation's error answers, all with the ``ErrorOut`` body."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        for method, operation in (operations or {}).items():
            responses = operation.setdefault("responses", {})
            for status in sorted(error_statuses(path or "", method, operation)):
                # flask-smorest registers a response per status name with its ERROR_SCHEMA.
                responses.setdefault(str(status), http.HTTPStatus(status).name)
