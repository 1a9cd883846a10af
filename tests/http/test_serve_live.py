"""``hwm serve`` (gunicorn) and werkzeug's server as a client meets them: no Server banner,
the request id, and a JSON log line per request without the token of a query string."""

from __future__ import annotations

import json
import threading

from werkzeug.serving import make_server

from api import create_app

from .live import free_port, get, start_hwm_serve, stop

SECRET = "qs-token-that-must-not-be-logged"


def test_hwm_serve_logs_json_lines_without_tokens_and_sends_no_banner(sqlite_url, tmp_path):
    port = free_port()
    log = tmp_path / "serve.log"
    process = start_hwm_serve(sqlite_url, port, log)
    try:
        status, headers, _ = get(
            port,
            f"/api/v1/manifests?access_token={SECRET}&page=2",
            {"X-Request-Id": "trace-me-0001", "Authorization": f"Bearer {SECRET}"},
        )
        docs = get(port, "/api/v1/docs")
    finally:
        stop(process)
    assert status == 401
    assert "server" not in headers and "server" not in docs[1]
    assert headers["x-request-id"] == "trace-me-0001"
    assert headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in docs[1]["content-security-policy"]
    text = log.read_text()
    assert SECRET not in text
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    first = next(line for line in lines if line["request_id"] == "trace-me-0001")
    assert first["path"] == "/api/v1/manifests" and first["status"] == 401
    assert first["query"] == "access_token=[redacted]&page=2"
    assert any(line["path"] == "/api/v1/docs" and line["status"] == 200 for line in lines)


def test_werkzeug_server_sends_no_banner(sqlite_url):
    app = create_app({"DATABASE_URL": sqlite_url})
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        status, headers, _ = get(port, "/api/v1/openapi.json")
    finally:
        server.shutdown()
        thread.join(10)
        app.extensions["hwm"]["engine"].dispose()
    assert status == 200 and "server" not in headers
