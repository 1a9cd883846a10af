"""No request, however hostile, gets a 500: each write endpoint is fed broken bodies."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from tests.builders import advance, create_manifest, name_next, now

from .http import API, ago, hazardous

HOSTILE_VALUES = [
    None,
    "",
    "x" * 5000,
    -1,
    10**30,
    1e308,
    "NaN",
    [],
    {},
    True,
    "a\u0000b",
    "\ud800",
    "2026-13-45",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-12:00",
    [{"lat": "x"}],
]
RAW_BODIES = [
    b"",
    b"{}",
    b"[]",
    b"null",
    b'"x"',
    b"-0",
    b"true",
    b"[{}]",
    b"{" * 10,
    b"[" * 20000 + b"]" * 20000,
    b'{"lines": [' + b"{}," * 2000 + b"{}]}",
    '{"name": "\ud800"}'.encode("utf-8", "surrogatepass"),
    b'{"a": 1e999999}',
]
SIGNED = {"at": None, "position": {"lat": 22.5, "lon": 113.0}}

#: A plausible body per endpoint (by its last path part), to break one field at a time.
BASES = {
    "token": {"email": "x@example.cn", "password": "correct horse battery"},
    "organizations": {
        "name": "某厂",
        "uscc": "91440705MA5T00000X",
        "roles": ["generator"],
        "region_code": "440705",
        "location": {"lat": 22.5, "lon": 113.0},
    },
    "licences": {
        "kind": "dg_transport",
        "number": "N-1",
        "valid_from": "2025-01-01",
        "valid_to": "2027-01-01",
        "waste_codes": ["HW17"],
        "annual_capacity_t": {"HW17": "5"},
        "operations": ["D10"],
    },
    "vehicles": {"plate": "粤J54321", "max_load_t": "9"},
    "members": {"email": "new@example.cn", "password": "long enough", "role": "member"},
    "issue": SIGNED,
    "cancel": {**SIGNED, "reason": "停产"},
    "pickup": {
        **SIGNED,
        "vehicle_plate": "粤J12345",
        "driver": "李师傅",
        "lines": [{"line_no": 1, "quantity": "6"}],
    },
    "next-transporter": {**SIGNED, "transporter_id": 0},
    "handoff": {
        **SIGNED,
        "vehicle_plate": "粤E54321",
        "driver": "王师傅",
        "transporter_id": 0,
        "lines": [{"line_no": 1, "quantity": "6"}],
    },
    "deliver": {
        **SIGNED,
        "moisture_pct": "60",
        "lines": [{"line_no": 1, "quantity": "6", "waste_code": "336-064-17"}],
    },
    "decide": {
        "at": None,
        "lines": [{"line_no": 1, "accepted": "6", "rejected": "0", "reason": "ok"}],
    },
    "complete": {"operation": "D10", "completed_at": None},
}
#: The status a manifest must be in for a move to get past the status table.
STATUS_FOR = {
    "issue": "draft",
    "cancel": "issued",
    "pickup": "issued",
    "next-transporter": "in_transit",
    "handoff": "in_transit",
    "deliver": "in_transit",
    "decide": "delivered",
    "complete": "accepted",
    "<ref>": "draft",
}


def _mutations(base: dict):
    """The base with each field (and each field of a first list item) set to each value."""
    for key in base:
        for value in HOSTILE_VALUES:
            yield {**base, key: value}
        if isinstance(base[key], list) and base[key] and isinstance(base[key][0], dict):
            for sub in base[key][0]:
                for value in HOSTILE_VALUES:
                    yield {**base, key: [{**base[key][0], sub: value}]}


def _target(world, rule: str, name: str):
    """Who calls the endpoint, and its path with real ids filled in."""
    party = {
        "organizations": world.regulator,
        "licences": world.regulator,
        "vehicles": world.carrier,
        "members": world.plating,
        "pickup": world.carrier,
        "next-transporter": world.carrier,
        "handoff": world.carrier2,
        "deliver": world.centre,
        "decide": world.centre,
        "complete": world.centre,
        "receipts": world.centre,
        "tracks": world.carrier,
    }.get(name, world.plating)
    org = {"licences": world.centre, "vehicles": world.carrier}.get(name, world.plating)
    manifest = create_manifest(world)
    manifest = advance(world, manifest, STATUS_FOR.get(name, "in_transit"))
    if name == "handoff":
        # Named a little in the past, so the hostile bodies' own times are not earlier.
        name_next(world, manifest, world.carrier2, now() - timedelta(hours=1))
    path = re.sub(r"<(?:\w+:)?ref>", str(manifest.id), rule)
    path = re.sub(r"<(?:int(?:\([^)]*\))?:)?org_id>", str(org.id), path)
    path = re.sub(r"<[^>]+>", "1", path)
    return party, path


def _write_rules(app):
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) & {"POST", "PUT", "PATCH"}):
            if rule.rule.startswith(API):
                yield method, rule.rule


def test_no_body_gets_a_500(client, world, app):
    failures = []
    rules = list(_write_rules(app))
    assert ("POST", f"{API}/manifests/<ref>/issue") in rules
    for method, rule in rules:
        name = rule.rstrip("/").split("/")[-1]
        party, path = _target(world, rule, name)
        base = (
            hazardous(world)
            if rule == f"{API}/manifests" or name == "<ref>"
            else BASES.get(name, {})
        )
        base = {k: (ago(minutes=1) if v is None else v) for k, v in base.items()}
        if "transporter_id" in base and name in ("handoff", "next-transporter"):
            base["transporter_id"] = world.carrier2.id
        send = getattr(client, method.lower())
        for body in _mutations(base):
            # Serialised here, ASCII-escaped, so that lone surrogates can travel.
            r = send(
                path, data=json.dumps(body), content_type="application/json", headers=party.auth()
            )
            if r.status_code >= 500:
                failures.append((method, path, body, r.status_code))
            elif r.status_code < 300 and "/manifests/" in rule:
                party, path = _target(world, rule, name)  # it moved on: take a fresh one
        for raw in RAW_BODIES:
            r = send(path, data=raw, content_type="application/json", headers=party.auth())
            if r.status_code >= 500:
                failures.append((method, path, raw[:60], r.status_code))
    assert not failures, failures[:10]


QUERIES = [
    "/organizations/99999999999999999999",
    "/organizations/2147483648",
    "/manifests/99999999999",
    "/manifests/99999999999/events",
    "/manifests/%00",
    "/manifests?from=0001-01-01T00:00:00%2B14:00",
    "/manifests?to=9999-12-31T23:59:59-12:00",
    "/manifests?page=99999&per_page=500",
    "/manifests?page=-1",
    "/organizations?q=%00",
    "/waste-codes?q=%00",
    "/waste-codes?q=%25_",
    "/organizations/2147483648/vehicles",
    "/manifests/99999999999.pdf",
]


def test_no_query_gets_a_500(client, world):
    for path in QUERIES:
        r = client.get(f"{API}{path}", headers=world.regulator.auth())
        assert r.status_code in (200, 404, 422), (path, r.status_code, r.get_json())
