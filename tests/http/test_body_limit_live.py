"""A chunked body over the limit is refused after reading at most the limit, before any
authentication work, on a live server: werkzeug's and gunicorn's (issue 8, item 7)."""

from __future__ import annotations

import json

import pytest

from api import create_app
from api.body_limit import MAX_JSON_BYTES

from .live import free_port, send_chunked, start_hwm_serve, stop, werkzeug_server

BIG = 44 * 1024 * 1024  # the size of the body in the report


class CountingInput:
    """Outside the app: counts the body bytes the app takes from the server's stream."""

    def __init__(self, app):
        self.app = app
        self.consumed = 0

    def __call__(self, environ, start_response):
        stream, counter = environ["wsgi.input"], self

        class Counted:
            def read(self, *args):
                data = stream.read(*args)
                counter.consumed += len(data)
                return data

            def readline(self, *args):
                data = stream.readline(*args)
                counter.consumed += len(data)
                return data

        environ["wsgi.input"] = Counted()
        return self.app(environ, start_response)


@pytest.fixture
def live_app(sqlite_url):
    """The app behind werkzeug's server, with a count of the body bytes it reads."""
    app = create_app({"DATABASE_URL": sqlite_url})
    counting = CountingInput(app)
    with werkzeug_server(counting) as port:
        yield port, counting
    app.extensions["hwm"]["engine"].dispose()


def test_a_chunked_json_body_over_the_limit_is_cut_off_at_the_limit(live_app):
    port, counting = live_app
    status, headers, body, sent = send_chunked(port, "/api/v1/manifests", BIG)
    assert status == 413, body[:300]
    assert json.loads(body)["code"] == "payload_too_large"
    assert headers["connection"] == "close"
    assert counting.consumed <= MAX_JSON_BYTES + 1
    assert sent < BIG // 4


def test_a_chunked_body_within_the_limit_still_reaches_the_app(live_app):
    port, counting = live_app
    status, _, body, sent = send_chunked(port, "/api/v1/auth/token", 2000)
    assert sent == 2000
    assert status == 422, body[:300]  # read whole and validated: no e-mail or password
    assert set(json.loads(body)["errors"]) == {"email", "password", "notes"}


def test_hwm_serve_stops_reading_a_chunked_body_at_the_limit(sqlite_url, tmp_path):
    """gunicorn reads the socket with recv(), which no /proc counter shows; what the client
    manages to send is the measure: the limit plus the kernel's socket buffers, where a
    server that reads on takes all 44 MB."""
    port = free_port()
    process = start_hwm_serve(sqlite_url, port, tmp_path / "serve.log")
    try:
        status, _, body, sent = send_chunked(port, "/api/v1/manifests", BIG)
    finally:
        stop(process)
    assert status == 413, body[:300]
    assert json.loads(body)["code"] == "payload_too_large"
    assert sent < BIG // 4, sent
