"""The request body limit, enforced while the body is read and before any other work.

A declared ``Content-Length`` above the limit is refused at once, unread. A chunked body (no
length declared) is read up to the limit and not one block further: one byte too many and the
request is refused, the rest left unread and the connection closed, so that neither the app
nor the server drains it. JSON bodies may be at most ``MAX_JSON_BYTES``; uploads (GPX, CSV,
multipart forms) ``MAX_CONTENT_LENGTH``.
"""

from __future__ import annotations

import io

from flask import Flask

from manifest.digits import is_ascii_digits

from .errors import error_response

#: JSON bodies are small; only uploads (GPX, weighbridge CSV) may reach MAX_CONTENT_LENGTH.
MAX_JSON_BYTES = 1024 * 1024
_BLOCK = 64 * 1024


def body_limit(environ, max_content_length: int) -> int:
    """The most bytes the body of this request may have."""
    mimetype = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    return MAX_JSON_BYTES if mimetype == "application/json" else max_content_length


class BodyLimit:
    """WSGI middleware in front of the Flask app ``flask_app``."""

    def __init__(self, wsgi_app, flask_app: Flask):
        self.wsgi_app = wsgi_app
        self.flask_app = flask_app

    def __call__(self, environ, start_response):
        limit = body_limit(environ, self.flask_app.config["MAX_CONTENT_LENGTH"])
        if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            body = _read_at_most(environ["wsgi.input"], limit + 1)
            if len(body) > limit:
                return self._refuse(environ, start_response, limit)
            # From here on the body is an ordinary one of known length.
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            del environ["HTTP_TRANSFER_ENCODING"]
        else:
            declared = environ.get("CONTENT_LENGTH", "").strip()
            if is_ascii_digits(declared) and (len(declared) > 15 or int(declared) > limit):
                return self._refuse(environ, start_response, limit)
        return self.wsgi_app(environ, start_response)

    def _refuse(self, environ, start_response, limit: int):
        with self.flask_app.request_context(environ):
            response = error_response(
                413, "payload_too_large", f"the request body may be at most {limit} bytes"
            )
        # The unread rest must not be taken for the next request on this connection.
        response.headers["Connection"] = "close"
        return response(environ, start_response)


def _read_at_most(stream, size: int) -> bytes:
    parts, total = [], 0
    while total < size:
        block = stream.read(min(_BLOCK, size - total))
        if not block:
            break
        parts.append(block)
        total += len(block)
    return b"".join(parts)
