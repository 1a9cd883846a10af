"""The contract a client relies on: error language, the OpenAPI document and its docs page."""

from __future__ import annotations

import re

from api.docs_zh import SUMMARIES
from api.docs_zh import summary as summary_zh

from .http import API, ago, create, get, post


def test_errors_are_in_chinese_by_default_and_english_on_request(client, world):
    zh = client.get(f"{API}/manifests")
    assert zh.status_code == 401
    assert re.search(r"[\u4e00-\u9fff]", zh.get_json()["message"])
    en = client.get(f"{API}/manifests", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert en.get_json()["message"].isascii() and "token" in en.get_json()["message"]
    assert en.get_json()["code"] == zh.get_json()["code"] == "unauthorized"

    m = create(client, world)
    zh = post(
        client,
        f"/manifests/{m['id']}/deliver",
        world.centre,
        {"at": ago(minutes=1), "lines": [{"line_no": 1, "quantity": "1"}]},
    )
    assert zh.status_code == 409
    assert zh.get_json()["message"] == "联单当前状态不允许此操作"
    en = post(
        client,
        f"/manifests/{m['id']}/deliver",
        world.centre,
        {"at": ago(minutes=1), "lines": [{"line_no": 1, "quantity": "1"}]},
        headers={"Accept-Language": "en"},
    )
    assert "draft" in en.get_json()["message"] and en.get_json()["message"].isascii()
    by_query = client.post(
        f"{API}/manifests/{m['id']}/deliver?lang=en", json={}, headers=world.centre.auth()
    )
    assert by_query.get_json()["message"].isascii()

    bad = post(
        client,
        "/manifests",
        world.plating,
        {"kind": "hazardous"},
        headers={"Accept-Language": "zh-CN"},
    )
    assert bad.status_code == 422 and bad.get_json()["message"] == "输入内容不符合要求"


def test_openapi_document_lists_the_manifest_paths(client):
    r = client.get(f"{API}/openapi.json")
    assert r.status_code == 200 and r.is_json
    spec = r.get_json()
    assert spec["openapi"].startswith("3.")
    paths = spec["paths"]
    for path, method in [
        ("/api/v1/manifests", "post"),
        ("/api/v1/manifests", "get"),
        ("/api/v1/manifests/{ref}", "get"),
        ("/api/v1/manifests/{ref}", "patch"),
        ("/api/v1/manifests/{ref}/issue", "post"),
        ("/api/v1/manifests/{ref}/pickup", "post"),
        ("/api/v1/manifests/{ref}/handoff", "post"),
        ("/api/v1/manifests/{ref}/deliver", "post"),
        ("/api/v1/manifests/{ref}/decide", "post"),
        ("/api/v1/manifests/{ref}/complete", "post"),
        ("/api/v1/manifests/{ref}/events", "get"),
        ("/api/v1/manifests/{ref}/verify", "get"),
        ("/api/v1/organizations", "post"),
        ("/api/v1/auth/token", "post"),
        ("/api/v1/waste-codes", "get"),
    ]:
        assert method in paths.get(path, {}), (path, method)
    issue = paths["/api/v1/manifests/{ref}/issue"]["post"]
    assert issue["summary"]
    assert "bearer" in spec["components"]["securitySchemes"]


def test_docs_page_lists_the_operations(client):
    r = client.get(f"{API}/docs/reference")
    assert r.status_code == 200 and r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    assert "/api/v1/manifests/{ref}/issue" in html and "POST" in html
    assert "接口列表" in html
    assert "Operations" in client.get(f"{API}/docs/reference?lang=en").get_data(as_text=True)
    assert "<script src=" not in html  # works without fetching anything from elsewhere


def test_docs_page_speaks_chinese_by_default_and_english_on_request(client):
    zh = client.get(f"{API}/docs/reference").get_data(as_text=True)
    en = client.get(f"{API}/docs/reference", headers={"Accept-Language": "en-GB,en"}).get_data(
        as_text=True
    )
    assert "签名并签发草稿：执行签发前检查并分配联单号（移出人）。" in zh
    assert "Sign and issue a draft" not in zh
    assert "Sign and issue a draft: the checks run and the number is given (generator)." in en
    assert "签名并签发草稿" not in en


def test_every_operation_has_a_chinese_summary(app):
    spec = app.extensions["hwm"]["api"].spec.to_dict()
    missing = [
        f"{method.upper()} {path}"
        for path, methods in spec["paths"].items()
        for method in methods
        if method in ("get", "post", "put", "patch", "delete") and not summary_zh(method, path)
    ]
    assert missing == []
    assert len(SUMMARIES) == sum(
        method in ("get", "post", "put", "patch", "delete")
        for methods in spec["paths"].values()
        for method in methods
    )  # and none is left over from an operation that is gone


def test_the_status_filter_offers_every_status_of_the_table(client, world):
    from manifest.status import recorded_statuses

    statuses = [s.value for s in recorded_statuses()]
    spec = client.get(f"{API}/openapi.json").get_json()
    params = spec["paths"][f"{API}/manifests"]["get"]["parameters"]
    (status,) = [p for p in params if p["name"] == "status"]
    assert status["schema"]["enum"] == statuses
    create(client, world)
    for value in statuses:
        r = get(client, f"/manifests?status={value}", world.plating)
        assert r.status_code == 200
        assert {m["status"] for m in r.get_json()} <= {value}
    assert get(client, "/manifests?status=draft", world.plating).get_json()
    assert get(client, "/manifests?status=lost", world.plating).status_code == 422
