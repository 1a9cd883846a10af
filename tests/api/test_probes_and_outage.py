"""/healthz and /readyz, and what a client gets while the database cannot be reached: 503
with Retry-After and a code to act on, never a 500."""

from __future__ import annotations

import re
import socket

import pytest

from api import create_app
from manifest.infra.migrate import head_revision, upgrade

from .http import API


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(params=["sqlite", "postgres"])
def unreachable_app(request, tmp_path):
    """The app on a database that is not there: a closed port, or a file in no directory."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'gone' / 'hwm.sqlite3'}"
    else:
        url = f"postgresql+psycopg://hwm@127.0.0.1:{_closed_port()}/hwm"
    application = create_app({"DATABASE_URL": url, "TESTING": True})
    yield application
    application.extensions["hwm"]["engine"].dispose()


def test_probes_answer_anonymously_and_are_documented(client):
    alive = client.get("/healthz")
    assert alive.status_code == 200 and alive.get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json() == {"status": "ready", "revision": head_revision()}
    spec = client.get(f"{API}/openapi.json").get_json()
    for path in ("/healthz", "/readyz"):
        assert spec["paths"][path]["get"]["security"] == []


def test_readyz_waits_for_the_migrations(unmigrated_url):
    app = create_app({"DATABASE_URL": unmigrated_url, "TESTING": True})
    client = app.test_client()
    empty = client.get("/readyz")
    assert empty.status_code == 503 and empty.headers["Retry-After"]
    upgrade(unmigrated_url, "0006")
    behind = client.get("/readyz", headers={"Accept-Language": "en"})
    assert behind.status_code == 503
    assert behind.get_json()["code"] == "migrations_pending"
    assert "0006" in behind.get_json()["message"]
    upgrade(unmigrated_url)
    assert client.get("/readyz").status_code == 200
    app.extensions["hwm"]["engine"].dispose()


def test_a_database_that_cannot_be_reached_answers_503(unreachable_app):
    client = unreachable_app.test_client()
    assert client.get("/healthz").status_code == 200  # the process itself is fine

    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.get_json()["code"] == "database_unavailable"

    token = {"Authorization": "Bearer some-token"}
    read = client.get(f"{API}/manifests", headers=token)
    assert read.status_code == 503
    assert read.headers["Retry-After"] == "5"
    assert read.get_json()["code"] == "database_unavailable"
    assert re.search(r"[\u4e00-\u9fff]", read.get_json()["message"])
    english = client.get(f"{API}/manifests", headers={**token, "Accept-Language": "en"})
    assert "database" in english.get_json()["message"]

    keyed = client.post(
        f"{API}/manifests",
        json={"kind": "hazardous"},
        headers={**token, "Idempotency-Key": "during-outage"},
    )
    assert keyed.status_code == 503 and keyed.headers["Retry-After"] == "5"
    # A probe carrying a token still does not wait on the database.
    assert client.get("/healthz", headers=token).status_code == 200
