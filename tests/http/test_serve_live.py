"""``hwm serve`` (gunicorn) and werkzeug's server as a client meets them: no Server banner,
the request id, a JSON log line per request without the token of a query string, and the
docs page working in a real browser under its Content-Security-Policy."""

from __future__ import annotations

import json
import logging
import shutil
import subprocess

import pytest

from api import create_app
from tests.conftest import missing

from .live import free_port, get, start_hwm_serve, stop, werkzeug_server

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


def test_werkzeug_server_sends_no_banner_and_logs_no_query(sqlite_url, caplog):
    app = create_app({"DATABASE_URL": sqlite_url})
    with caplog.at_level(logging.INFO, logger="werkzeug"), werkzeug_server(app) as port:
        status, headers, _ = get(port, f"/api/v1/openapi.json?token={SECRET}")
    app.extensions["hwm"]["engine"].dispose()
    assert status == 200 and "server" not in headers
    assert "GET /api/v1/openapi.json" in caplog.text and SECRET not in caplog.text


@pytest.mark.slow
def test_the_plain_docs_page_renders_in_a_browser_without_breaking_its_policy(sqlite_url, tmp_path):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        missing("chromium, to load the docs page under its Content-Security-Policy")
    app = create_app({"DATABASE_URL": sqlite_url})
    with werkzeug_server(app) as port:
        browser = subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--enable-logging=stderr",
                f"--user-data-dir={tmp_path / 'profile'}",
                "--dump-dom",
                f"http://127.0.0.1:{port}/api/v1/docs/reference",
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    app.extensions["hwm"]["engine"].dispose()
    assert "/api/v1/manifests/{ref}/issue" in browser.stdout  # the page rendered
    assert "Content Security Policy" not in browser.stderr, browser.stderr[-2000:]
