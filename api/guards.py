"""Request guards: content types and body sizes."""

from __future__ import annotations

from flask import current_app, request
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from manifest.db import MAX_ID

from .errors import error_response

JSON_TYPES = ("application/json",)
#: JSON bodies are small; only uploads (GPX, weighbridge CSV) may reach MAX_CONTENT_LENGTH.
MAX_JSON_BYTES = 1024 * 1024


class RowIdConverter(IntegerConverter):
    """``<int:...>`` in a URL: an id beyond the id columns' range names nothing (404) rather
    than overflowing the database."""

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if number > MAX_ID:
            # Not werkzeug's ValidationError: that may turn into a 405 from a sibling rule.
            raise NotFound()
        return number


def accepts(*content_types: str):
    """Declare the content types a view takes besides JSON (GPX, CSV, multipart)."""

    def mark(view):
        view.accepts = content_types
        return view

    return mark


def check_body():
    """415 for a body of a type the view does not take; 413 for an oversized JSON body; 400
    for JSON nested too deeply to parse; 422 for text no database can store (a NUL character
    or a lone surrogate), in the query or in a JSON body."""
    bad = _first_unstorable(request.args.to_dict(flat=False))
    if bad is not None:
        return _unstorable_response(bad)
    if request.method not in ("POST", "PUT", "PATCH") or request.endpoint is None:
        return None
    view = current_app.view_functions.get(request.endpoint)
    allowed = JSON_TYPES + tuple(getattr(view, "accepts", ()))
    has_body = (request.content_length or 0) > 0 or request.headers.get("Transfer-Encoding")
    mimetype = request.mimetype or ""
    if has_body and mimetype not in allowed:
        return error_response(415, "unsupported_media_type", f"send one of: {', '.join(allowed)}")
    if mimetype in JSON_TYPES and (request.content_length or 0) > MAX_JSON_BYTES:
        return error_response(
            413, "payload_too_large", f"a JSON body may be at most {MAX_JSON_BYTES} bytes"
        )
    if mimetype in JSON_TYPES and has_body:
        try:
            body = request.get_json(silent=True)
        except RecursionError:
            return error_response(
                400,
                "malformed_json",
                "the JSON body is nested too deeply",
                {"json": ["nested too deeply"]},
            )
        bad = _first_unstorable(body)
        if bad is not None:
            return _unstorable_response(bad)
    return None


def _first_unstorable(value) -> str | None:
    """The dotted path of the first string (key or value) that cannot be stored, if any."""
    stack = [("", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, dict):
            for key, sub in item.items():
                name = f"{path}.{key}" if path else str(key)
                if not _storable(str(key)):
                    return name
                stack.append((name, sub))
        elif isinstance(item, list):
            stack.extend((f"{path}.{i}" if path else str(i), sub) for i, sub in enumerate(item))
        elif isinstance(item, str) and not _storable(item):
            return path or "body"
    return None


def _storable(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, which JSON's \ud800 escapes can carry
        return False
    return True


def _unstorable_response(path: str):
    return error_response(
        422,
        "validation_failed",
        f"{path} contains a NUL character or a lone surrogate",
        {path: ["contains a NUL character or a lone surrogate"]},
    )
