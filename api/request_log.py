"""One JSON log line per request, and a request id that ties it to what the client saw.

The id comes back in ``X-Request-Id``: a well-formed id sent by the client (or a proxy in
front) is kept, anything else replaced by a fresh one. The line names the method, the path,
the query with the values of secret parameters (tokens, passwords, keys) blanked, the status,
the duration, the signed-in user's id if any and the client's address; never a body, a header
or a token.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from urllib.parse import parse_qsl, urlencode

log = logging.getLogger("hwm.request")

REQUEST_ID_HEADER = "X-Request-Id"
#: Set by the app in the WSGI environ once it knows who is calling.
USER_ID_KEY = "hwm.user_id"
REQUEST_ID_KEY = "hwm.request_id"

_WELL_FORMED_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{7,63}")
_SECRET_NAME = re.compile(r"token|passw|secret|key|auth|sig|session|code", re.IGNORECASE)
REDACTED = "[redacted]"


def request_id_for(incoming: str | None) -> str:
    """The client's id if it is 8-64 letters, digits, ``.``, ``_`` or ``-``; else a new one."""
    if incoming and _WELL_FORMED_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def redacted_query(query: str) -> str:
    """The query string with the value of every parameter whose name suggests a secret
    (``token``, ``access_token``, ``password``, ``api_key``, ...) replaced by ``[redacted]``."""
    if not query:
        return ""
    pairs = parse_qsl(query, keep_blank_values=True, errors="replace")
    return urlencode(
        [(name, REDACTED if _SECRET_NAME.search(name) else value) for name, value in pairs],
        safe="[]",
    )


def _wsgi_text(value: str) -> str:
    """WSGI hands the path over as latin-1; log it as the UTF-8 the client sent."""
    return value.encode("latin-1", "replace").decode("utf-8", "replace")


class RequestLog:
    """WSGI middleware: the outermost layer, so that every answer is logged and carries the id,
    refusals by inner layers included."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        request_id = request_id_for(environ.get("HTTP_X_REQUEST_ID"))
        environ[REQUEST_ID_KEY] = request_id
        seen = {"status": 500}

        def start(status, headers, exc_info=None):
            seen["status"] = int(status.split(" ", 1)[0])
            headers = [(k, v) for k, v in headers if k.lower() != REQUEST_ID_HEADER.lower()]
            headers.append((REQUEST_ID_HEADER, request_id))
            return start_response(status, headers, exc_info)

        try:
            # Flask has answered (status and headers given) when it returns the body.
            return self.wsgi_app(environ, start)
        finally:
            _write(environ, request_id, seen["status"], started)


def _write(environ, request_id: str, status: int, started: float) -> None:
    line = {
        "request_id": request_id,
        "method": environ.get("REQUEST_METHOD", ""),
        "path": _wsgi_text(environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")),
        "query": redacted_query(_wsgi_text(environ.get("QUERY_STRING", ""))),
        "status": status,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        "user_id": environ.get(USER_ID_KEY),
        "client": environ.get("REMOTE_ADDR"),
    }
    log.info(json.dumps(line, ensure_ascii=False))


def install_handler(stream=None) -> None:
    """Print the request lines, one JSON object each, on ``stream`` (stderr by default), for
    servers that configure no logging of their own (``hwm serve``)."""
    if any(getattr(h, "hwm_request_log", False) for h in log.handlers):
        return
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    handler.hwm_request_log = True
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
