"""Small helpers for speaking to the API the way a client does: JSON in, JSON out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.builders import hazardous_body, sludge_body

API = "/api/v1"


def iso(value: datetime) -> str:
    return value.isoformat()


def ago(**delta) -> str:
    """An ISO time that far in the past."""
    return iso(datetime.now(UTC).replace(microsecond=0) - timedelta(**delta))


def wire(body: dict) -> dict:
    """A builder body as a client sends it: times as ISO 8601 strings with an offset."""
    return {k: iso(v) if isinstance(v, datetime) else v for k, v in body.items()}


def hazardous(world, **overrides) -> dict:
    return wire(hazardous_body(world, **overrides))


def sludge(world, **overrides) -> dict:
    return wire(sludge_body(world, **overrides))


def post(client, path: str, party, body=None, role: str = "admin", headers=None):
    return client.post(f"{API}{path}", json=body, headers={**party.auth(role), **(headers or {})})


def get(client, path: str, party, role: str = "admin", headers=None):
    return client.get(f"{API}{path}", headers={**party.auth(role), **(headers or {})})


def patch(client, path: str, party, body, role: str = "admin"):
    return client.patch(f"{API}{path}", json=body, headers=party.auth(role))


def create(client, world, body=None, party=None):
    """File a draft through HTTP; returns its JSON."""
    r = post(client, "/manifests", party or world.plating, body or hazardous(world))
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def events(client, party, ref) -> list[dict]:
    r = get(client, f"/manifests/{ref}/events", party)
    assert r.status_code == 200, r.get_json()
    return r.get_json()
