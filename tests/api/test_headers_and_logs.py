"""Security headers on every answer, and one JSON log line per request with its id, never a
token (issue 8, item 10 and the request logs)."""

from __future__ import annotations

import json
import logging
import re

from .http import API, get

SECRET = "s3cr3t-t0ken-never-logged"


def test_every_answer_carries_the_security_headers(client, world):
    answers = {
        "signed in": get(client, "/manifests", world.plating),
        "anonymous 401": client.get(f"{API}/manifests"),
        "not found": client.get("/nowhere"),
        "openapi": client.get(f"{API}/openapi.json"),
        "docs": client.get(f"{API}/docs"),
        "too large": client.post(
            f"{API}/manifests", data=b"x" * (2 * 1024 * 1024), content_type="application/json"
        ),
    }
    for name, r in answers.items():
        assert r.headers["X-Content-Type-Options"] == "nosniff", name
        assert r.headers["Referrer-Policy"] == "no-referrer", name
        assert r.headers["X-Frame-Options"] == "DENY", name
        assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"], name
        assert "Server" not in r.headers, name
    assert answers["too large"].status_code == 413


def test_answers_to_signed_in_requests_and_to_writes_are_not_stored(client, world):
    assert get(client, "/manifests", world.plating).headers["Cache-Control"] == "no-store"
    token = client.post(f"{API}/auth/token", json={"email": "x@example.cn", "password": "y"})
    assert token.headers["Cache-Control"] == "no-store"
    assert "Cache-Control" not in client.get(f"{API}/openapi.json").headers


def test_the_plain_docs_page_works_under_its_content_security_policy(client):
    r = client.get(f"{API}/docs/reference")
    policy = r.headers["Content-Security-Policy"]
    nonce = re.search(r"style-src 'nonce-([^']+)'", policy).group(1)
    html = r.get_data(as_text=True)
    styles = re.findall(r"<style([^>]*)>", html)
    assert styles and all(f'nonce="{nonce}"' in attrs for attrs in styles)
    # Nothing the policy would block: no scripts, inline handlers, style attributes, or
    # anything fetched from elsewhere.
    assert not re.search(r"<script|\son\w+=|\sstyle=|<link|<iframe|<img", html, re.IGNORECASE)
    assert "default-src 'none'" in policy and "script-src" not in policy
    fresh = client.get(f"{API}/docs/reference").headers["Content-Security-Policy"]
    assert fresh != policy  # a fresh nonce


def test_one_json_log_line_per_request_with_its_id_and_no_token(client, world, caplog):
    with caplog.at_level(logging.INFO, logger="hwm.request"):
        r = client.get(
            f"{API}/manifests?access_token={SECRET}&token={SECRET}&page=1",
            headers={**world.plating.auth(), "X-Request-Id": "client-chosen-id-42"},
        )
        anonymous = client.get(f"{API}/waste-codes?q=x&password={SECRET}")
    assert r.status_code == 200 and r.headers["X-Request-Id"] == "client-chosen-id-42"
    lines = [json.loads(rec.getMessage()) for rec in caplog.records if rec.name == "hwm.request"]
    assert len(lines) == 2
    signed_in, stranger = lines
    assert signed_in["request_id"] == "client-chosen-id-42"
    assert signed_in["method"] == "GET" and signed_in["path"] == f"{API}/manifests"
    assert signed_in["status"] == 200 and signed_in["duration_ms"] >= 0
    assert signed_in["user_id"] == world.plating.users["admin"][0].id
    assert signed_in["client"] == "127.0.0.1"
    assert "page=1" in signed_in["query"] and "access_token=" in signed_in["query"]
    assert stranger["status"] == 401 and stranger["user_id"] is None
    assert stranger["request_id"] == anonymous.headers["X-Request-Id"]
    assert SECRET not in caplog.text
    assert world.plating.token() not in caplog.text


def test_a_malformed_request_id_is_replaced(client):
    ids = set()
    for incoming in ("", "short", "x" * 65, "bad id with spaces", "é" * 10, "-starts-with-dash"):
        r = client.get(f"{API}/openapi.json", headers={"X-Request-Id": incoming})
        assert re.fullmatch(r"[0-9a-f]{32}", r.headers["X-Request-Id"]), incoming
        ids.add(r.headers["X-Request-Id"])
    assert len(ids) == 6


def test_pages_get_their_own_policy_and_the_api_and_docs_keep_theirs(client, db_url):
    from api import create_app
    from api.security_headers import API_POLICY

    page = client.get("/web/signin")
    assert page.headers["Content-Security-Policy"] == (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )
    assert page.headers["Cache-Control"] == "no-store"  # a page is one user's
    html = page.get_data(as_text=True)
    # Nothing the page policy blocks: no inline script, style element or style attribute.
    assert not re.search(r"<script(?![^>]*\ssrc=)|<style|\sstyle=|\son\w+=", html, re.I)
    assert (
        client.get("/web/nowhere")
        .headers["Content-Security-Policy"]
        .startswith("default-src 'none'; script-src 'self'")
    )
    assert client.get(f"{API}/manifests").headers["Content-Security-Policy"] == API_POLICY
    assert client.get("/nowhere").headers["Content-Security-Policy"] == API_POLICY
    docs = client.get(f"{API}/docs/reference").headers["Content-Security-Policy"]
    assert docs.startswith("default-src 'none'; style-src 'nonce-") and "script-src" not in docs
    # Swagger UI runs its vendored scripts under the pages' policy.
    swagger = client.get(f"{API}/docs").headers["Content-Security-Policy"]
    assert swagger == page.headers["Content-Security-Policy"]
    # The map's tile host, when set, is the one other place images may come from.
    app = create_app(
        {
            "DATABASE_URL": db_url,
            "HWM_TILE_URL": "https://tiles.example.cn:8443/{z}/{x}/{y}.png",
        }
    )
    policy = app.test_client().get("/web/signin").headers["Content-Security-Policy"]
    app.extensions["hwm"]["engine"].dispose()
    assert "img-src 'self' data: https://tiles.example.cn:8443;" in policy
