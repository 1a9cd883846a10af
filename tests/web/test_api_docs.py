"""The interactive API documentation: Swagger UI, vendored and served by the app, under a
policy that allows only the service itself, with the Chinese summaries."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest

from tests.web.conftest import screenshot

ROOT = Path(__file__).resolve().parents[2]
DOCS = "/api/v1/docs"


def _data(html: str, name: str):
    return json.loads(unescape(re.search(rf'data-{name}="([^"]*)"', html)[1]))


def test_the_docs_page_is_swagger_ui_from_the_vendored_files(client):
    answer = client.get(DOCS)
    assert answer.status_code == 200 and answer.mimetype == "text/html"
    html = answer.get_data(as_text=True)
    sources = re.findall(r'<script src="([^"]+)"', html)
    assert [s.split("?")[0] for s in sources] == [
        "/static/vendor/swagger-ui/swagger-ui-bundle.js",
        "/static/js/swagger-init.js",
    ]
    assert not re.search(r"<script(?![^>]*\ssrc=)|<style|\sstyle=|\son\w+=", html, re.I)
    assert "https://" not in html and "http://" not in html  # nothing from elsewhere
    policy = answer.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "connect-src 'self';" in policy
    assert "unsafe" not in policy
    for source in sources:
        served = client.get(source)
        assert served.status_code == 200
        served.close()
    assert 'data-spec-url="/api/v1/openapi.json"' in html
    for licence in ("swagger-ui/LICENSE", "leaflet/LICENSE", "README.md"):
        assert (ROOT / "api/static/vendor" / licence).is_file()


def test_swagger_ui_gets_the_chinese_summaries_by_default(client):
    zh = _data(client.get(DOCS).get_data(as_text=True), "summaries")
    assert (
        zh["POST /api/v1/manifests/{ref}/issue"]
        == "签名并签发草稿：执行签发前检查并分配联单号（移出人）。"
    )
    spec = client.get("/api/v1/openapi.json").get_json()
    operations = {
        f"{method.upper()} {path}"
        for path, item in spec["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }
    assert set(zh) == operations
    assert _data(client.get(f"{DOCS}?lang=en").get_data(as_text=True), "summaries") == {}


@pytest.mark.slow
def test_an_integrator_tries_a_call_with_a_token_in_swagger_ui(page, world):
    page.goto(DOCS)
    page.wait_for_selector(".opblock")
    assert page.get_by_text("签名并签发草稿：执行签发前检查并分配联单号（移出人）。").count() == 1
    page.click("button.authorize")
    page.fill(".auth-container input", world.centre.token())
    page.click(".auth-btn-wrapper button.authorize")
    page.click("button.btn-done")
    block = page.locator(".opblock-get", has=page.locator('[data-path="/api/v1/auth/tokens"]'))
    block.locator(".opblock-summary").first.click()
    block.locator("button.try-out__btn").click()
    block.locator("button.execute").click()
    status = block.locator(".live-responses-table tr.response .response-col_status").first
    status.wait_for()
    assert status.inner_text().strip() == "200"
    assert '"expires_at"' in block.locator(".live-responses-table .microlight").first.inner_text()
    screenshot(page, "api-docs-swagger-try-it-out")
