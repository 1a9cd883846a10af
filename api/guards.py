"""Request guards: content types, body sizes and idempotent retries."""

from __future__ import annotations

import hashlib

from flask import current_app, g, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from manifest.models import IdempotencyRecord

from .db import session
from .errors import error_response

JSON_TYPES = ("application/json",)
#: JSON bodies are small; only uploads (GPX, weighbridge CSV) may reach MAX_CONTENT_LENGTH.
MAX_JSON_BYTES = 1024 * 1024


def accepts(*content_types: str):
    """Declare the content types a view takes besides JSON (GPX, CSV, multipart)."""

    def mark(view):
        view.accepts = content_types
        return view

    return mark


def check_body():
    """415 for a body of a type the view does not take; 413 for an oversized JSON body."""
    if request.method not in ("POST", "PUT", "PATCH") or request.endpoint is None:
        return None
    view = current_app.view_functions.get(request.endpoint)
    allowed = JSON_TYPES + tuple(getattr(view, "accepts", ()))
    has_body = (request.content_length or 0) > 0 or request.headers.get("Transfer-Encoding")
    mimetype = request.mimetype or ""
    if has_body and mimetype not in allowed:
        return error_response(415, "unsupported_media_type",
                              f"send one of: {', '.join(allowed)}")
    if mimetype in JSON_TYPES and (request.content_length or 0) > MAX_JSON_BYTES:
        return error_response(413, "payload_too_large",
                              f"a JSON body may be at most {MAX_JSON_BYTES} bytes")
    return None


def _request_hash() -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(request.full_path.encode())
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def replay_idempotent():
    """Answer a retried POST with its first answer; refuse a key reused for another request."""
    key = request.headers.get("Idempotency-Key")
    actor = g.get("actor")
    if request.method != "POST" or not key or actor is None:
        return None
    if len(key) > 200:
        return error_response(400, "bad_request", "Idempotency-Key is at most 200 characters")
    s = session()
    fingerprint = _request_hash()
    record = s.scalar(select(IdempotencyRecord).where(IdempotencyRecord.user_id == actor.user_id,
                                                      IdempotencyRecord.key == key))
    if record is None:
        record = IdempotencyRecord(user_id=actor.user_id, key=key, method=request.method,
                                   path=request.path, request_hash=fingerprint)
        s.add(record)
        try:
            s.commit()
        except IntegrityError:
            s.rollback()
            return error_response(409, "conflict", "a request with this Idempotency-Key is "
                                  "being processed")
        g.idempotency_record_id = record.id
        return None
    if record.request_hash != fingerprint:
        return error_response(422, "idempotency_conflict",
                              "this Idempotency-Key was used with a different request")
    if record.status_code is None:
        return error_response(409, "conflict", "a request with this Idempotency-Key is "
                              "being processed")
    response = current_app.response_class(record.response_body, status=record.status_code,
                                          content_type=record.content_type)
    response.headers["Idempotent-Replayed"] = "true"
    return response


def remember_response(response):
    record_id = g.pop("idempotency_record_id", None)
    if record_id is None:
        return response
    s = session()
    s.rollback()
    record = s.get(IdempotencyRecord, record_id)
    if response.status_code >= 500:
        s.delete(record)  # a failed attempt leaves nothing to replay; the client may retry
    else:
        record.status_code = response.status_code
        record.response_body = response.get_data()
        record.content_type = response.content_type
    s.commit()
    return response
