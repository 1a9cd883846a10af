"""Errors as documented: one body for every 4xx/5xx, described by the OpenAPI document and
listed for every operation; authentication before anything is read of a request; 405 with
``Allow`` for TRACE and unknown methods (issue 8, item 9)."""

from __future__ import annotations

import re

import jsonschema_rs
import pytest

from .http import API, get

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@pytest.fixture
def spec(client):
    return client.get(f"{API}/openapi.json").get_json()


def _error_validator(spec):
    schema = {**spec["components"]["schemas"]["ErrorOut"], "definitions": {}}
    return jsonschema_rs.Draft4Validator(schema)


def _operations(app):
    """Every API operation in the URL map, with a path whose ids are filled in."""
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API) or rule.endpoint.startswith(("api-docs", "docs")):
            continue
        path = re.sub(r"<[^>]+>", "1", rule.rule)
        for method in sorted(set(rule.methods) & set(METHODS)):
            yield method, path, app.view_functions[rule.endpoint]


def test_no_valid_token_is_a_401_before_any_field_is_looked_at(app, client, world):
    checked = 0
    for method, path, view in _operations(app):
        if getattr(view, "public", False):
            continue
        for headers in ({}, {"Authorization": "Bearer not-a-token"}):
            r = client.open(
                path, method=method, json={"bogus": "\u0000", "lines": 1e999}, headers=headers
            )
            assert r.status_code == 401, (method, path, r.status_code, r.get_json())
            assert r.get_json()["code"] == "unauthorized" and r.get_json()["errors"] == {}
            assert r.headers["WWW-Authenticate"].startswith("Bearer")
            checked += 1
    assert checked > 40


def test_trace_and_unknown_methods_get_405_with_allow(client, world, spec):
    validator = _error_validator(spec)
    for method in ("TRACE", "FOO", "CONNECT"):
        r = client.open(f"{API}/manifests", method=method, headers=world.plating.auth())
        assert r.status_code == 405, method
        assert set(r.headers["Allow"].split(", ")) >= {"GET", "POST"}
        assert r.get_json()["code"] == "method_not_allowed"
        validator.validate(r.get_json())


def test_every_error_body_matches_the_documented_schema(client, world, spec):
    validator = _error_validator(spec)
    auth = world.plating.auth()
    answers = [
        client.get(f"{API}/manifests"),
        client.get(f"{API}/manifests/999999", headers=auth),
        client.get(f"{API}/manifests?page=0", headers=auth),
        client.get(f"{API}/manifests?page=0&lang=en", headers=auth),
        client.post(f"{API}/manifests", data="{", content_type="application/json", headers=auth),
        client.post(f"{API}/manifests", data="x", content_type="text/plain", headers=auth),
        client.post(f"{API}/manifests", json={"lines": [{"quantity": "-1"}, 7]}, headers=auth),
        client.post(
            f"{API}/manifests", data=b"[" * 3 * 1024 * 1024, content_type="application/json"
        ),
        client.put(f"{API}/tolerances/sludge", json={}, headers=auth),
    ]
    assert {r.status_code for r in answers} >= {401, 404, 422, 400, 415, 413}
    for r in answers:
        assert r.status_code >= 400
        body = r.get_json()
        assert validator.is_valid(body), (r.status_code, body)


def test_every_operation_documents_its_error_answers_with_the_error_schema(spec):
    error_ref = "#/components/schemas/ErrorOut"
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = op["responses"]
            expected = {"422", "500"}
            if op.get("security") != []:
                expected |= {"401", "403", "404"}
            if "requestBody" in op:
                expected |= {"400", "413", "415"}
            if "{" in path:
                expected.add("404")
            assert expected <= set(responses), (method, path, sorted(responses))
            assert "default" not in responses, (method, path)
            for status in sorted(expected):
                name = responses[status]["$ref"].split("/")[-1]
                content = spec["components"]["responses"][name]["content"]
                assert content["application/json"]["schema"]["$ref"] == error_ref


def test_the_error_schema_says_what_each_field_is(spec):
    schema = spec["components"]["schemas"]["ErrorOut"]
    assert set(schema["required"]) == {"code", "message", "errors"}
    assert set(schema["properties"]) == {"code", "message", "errors", "detail", "details"}
    assert schema["properties"]["errors"]["additionalProperties"]["items"]["type"] == "string"


def test_a_member_asking_for_another_thing_still_gets_the_error_body(client, world, spec):
    r = get(client, "/findings/1", world.outsider)
    assert r.status_code == 404
    _error_validator(spec).validate(r.get_json())


def test_options_lists_the_methods_without_a_token(client):
    r = client.options(f"{API}/manifests")
    assert r.status_code == 200
    assert set(r.headers["Allow"].split(", ")) >= {"GET", "POST", "OPTIONS"}
