"""Request guards: content types and body sizes."""

from __future__ import annotations

import json

from flask import current_app, request
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from manifest.infra.db import MAX_ID

from .errors import error_response

JSON_TYPES = ("application/json",)


class RowIdConverter(IntegerConverter):
    """``<int:...>`` in a URL: ASCII digits only (werkzeug's ``\\d`` would take ``١`` or ``９``
    as a digit), and an id beyond the id columns' range names nothing (404) rather than
    overflowing the database."""

    regex = r"[0-9]+"

    def to_python(self, value: str) -> int:
        # Not werkzeug's ValidationError: that may turn into a 405 from a sibling rule.
        if len(value) > len(str(MAX_ID)):
            raise NotFound()
        number = super().to_python(value)
        if number > MAX_ID:
            raise NotFound()
        return number


def accepts(*content_types: str):
    """Declare the content types a view takes besides JSON (GPX, CSV, multipart)."""

    def mark(view):
        view.accepts = content_types
        return view

    return mark


def check_body():
    """415 for a body of a type the view does not take; 400 for JSON nested too deeply to
    parse; 422 for text no database can store (a NUL character or a lone surrogate), in the
    query or in a JSON body, and for a JSON integer too long to convert (more than Python's
    4,300 digits). The size limit is enforced earlier, while reading (api.body_limit)."""
    bad = unstorable_path(request.args.to_dict(flat=False))
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
    if mimetype in JSON_TYPES and has_body:
        try:
            body = json.loads(
                request.get_data(cache=True), parse_int=_integer, object_pairs_hook=_object
            )
        except RecursionError:
            return error_response(
                400,
                "malformed_json",
                "the JSON body is nested too deeply",
                {"json": ["nested too deeply"]},
            )
        except ValueError:  # not JSON at all: the arguments parser says so, as for any view
            return None
        bad = unstorable_path(body)
        if bad is not None:
            return _unstorable_response(bad)
        bad = _first_path(body, lambda item: isinstance(item, _TooLong))
        if bad is not None:
            return error_response(
                422,
                "validation_failed",
                f"{bad} is a number too long to read",
                {bad: ["a number with too many digits"]},
            )
    return None


class _TooLong(str):
    """A JSON integer with more digits than Python converts, kept as its text."""


def _integer(text: str):
    try:
        return int(text)
    except ValueError:
        return _TooLong(text)


def _object(pairs) -> dict:
    """A JSON object where a too-long integer is kept even if a later duplicate key hides it:
    the arguments parser reads the body again and would fail on it all the same."""
    obj: dict = {}
    for key, value in pairs:
        if not isinstance(obj.get(key), _TooLong):
            obj[key] = value
    return obj


def _first_path(value, bad) -> str | None:
    """The dotted path of the first key or value for which ``bad`` is true, if any."""
    stack = [("", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, dict):
            for key, sub in item.items():
                name = f"{path}.{key}" if path else str(key)
                if bad(key):
                    return name
                stack.append((name, sub))
        elif isinstance(item, list):
            stack.extend((f"{path}.{i}" if path else str(i), sub) for i, sub in enumerate(item))
        elif bad(item):
            return path or "body"
    return None


def unstorable_path(value) -> str | None:
    """The dotted path of the first key or value in ``value`` (dicts and lists of text) that
    no database can store: text with a NUL character or a lone surrogate. None if all can."""
    return _first_path(value, _unstorable)


def _unstorable(item) -> bool:
    return isinstance(item, str) and not _storable(item)


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
