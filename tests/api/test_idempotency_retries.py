"""Idempotency-Key under failure: a request that died is retried, never stuck; a request that
was answered is replayed, never applied twice; keys expire."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from api import create_app
from manifest.infra.db import make_engine, make_session_factory, utcnow
from manifest.infra.uow import UnitOfWork
from manifest.models import IdempotencyRecord
from manifest.services.idempotency import purge_expired_keys
from tests.builders import advance, create_manifest, pickup_body

from .http import API, ago, create, events, get, hazardous, post

ROOT = Path(__file__).resolve().parents[2]

#: Serves one request in a process of its own that dies with status 17 at the given moment:
#: "before-commit" after the move was made but before the answer was stored and committed,
#: "after-commit" once both were committed but before a byte of the answer was sent.
DYING_WORKER = """
import json, os, sys
from api import create_app

app = create_app({"DATABASE_URL": os.environ["HWM_TEST_URL"]})
when = os.environ["HWM_DIE"]
if when == "before-commit":
    app.after_request(lambda response: os._exit(17))
else:
    serve = app.wsgi_app
    def dying(environ, start_response):
        list(serve(environ, lambda *args, **kwargs: None))
        os._exit(17)
    app.wsgi_app = dying
request = json.loads(os.environ["HWM_REQUEST"])
app.test_client().post(request["path"], json=request["body"], headers=request["headers"])
sys.exit(0)
"""


def die_during(url: str, when: str, path: str, body: dict, headers: dict) -> None:
    request = json.dumps({"path": f"{API}{path}", "body": body, "headers": headers})
    env = {**os.environ, "HWM_TEST_URL": url, "HWM_DIE": when, "HWM_REQUEST": request}
    proc = subprocess.run(
        [sys.executable, "-c", DYING_WORKER], env=env, cwd=ROOT, capture_output=True, timeout=120
    )
    assert proc.returncode == 17, proc.stderr.decode()[-2000:]


def test_a_worker_dying_before_the_answer_is_stored_leaves_the_key_retryable(client, world, db_url):
    m = create(client, world)
    headers = {**world.plating.auth(), "Idempotency-Key": "issue-then-die"}
    signature = {"at": ago(minutes=3)}
    die_during(db_url, "before-commit", f"/manifests/{m['id']}/issue", signature, headers)

    # Neither the move nor the key survived the dead worker: the retry applies the move once.
    assert [e["action"] for e in events(client, world.plating, m["id"])] == ["create"]
    retry = post(client, f"/manifests/{m['id']}/issue", world.plating, signature, headers=headers)
    assert retry.status_code == 200, retry.get_json()
    assert "Idempotent-Replayed" not in retry.headers
    assert retry.get_json()["status"] == "issued"
    assert [e["action"] for e in events(client, world.plating, m["id"])] == ["create", "issue"]


def test_a_worker_dying_after_the_commit_has_its_answer_replayed(client, world, db_url):
    headers = {**world.plating.auth(), "Idempotency-Key": "create-then-die"}
    body = hazardous(world)
    die_during(db_url, "after-commit", "/manifests", body, headers)

    retry = post(client, "/manifests", world.plating, body, headers=headers)
    assert retry.status_code == 201, retry.get_json()
    assert retry.headers.get("Idempotent-Replayed") == "true"
    listed = get(client, "/manifests", world.plating)
    assert listed.headers["X-Total-Count"] == "1"
    assert listed.get_json()[0]["id"] == retry.get_json()["id"]


def test_an_answer_that_invites_a_retry_is_not_replayed(client, world):
    """409 says "try again later"; replaying it would keep the key failing for ever."""
    m = create(client, world)
    key = {"Idempotency-Key": "pickup-too-soon"}
    body = {
        "vehicle_plate": "粤J12345",
        "driver": "李师傅",
        "at": ago(minutes=2),
        "lines": [{"line_no": 1, "quantity": "6.000"}, {"line_no": 2, "quantity": "1500"}],
    }
    early = post(client, f"/manifests/{m['id']}/pickup", world.carrier, body, "driver", key)
    assert early.status_code == 409
    issued = post(client, f"/manifests/{m['id']}/issue", world.plating, {"at": ago(minutes=5)})
    assert issued.status_code == 200
    again = post(client, f"/manifests/{m['id']}/pickup", world.carrier, body, "driver", key)
    assert again.status_code == 200, again.get_json()
    assert again.get_json()["status"] == "in_transit"


def test_a_refusal_is_replayed_without_its_writes(client, world, db_url):
    """A refused create leaves no draft behind, and its stored answer is the refusal."""
    key = {"Idempotency-Key": "bad-create"}
    body = hazardous(world, receiver_id=world.plating.id)
    first = post(client, "/manifests", world.plating, body, headers=key)
    assert 400 <= first.status_code < 500 and first.status_code != 409
    again = post(client, "/manifests", world.plating, body, headers=key)
    assert again.status_code == first.status_code
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert get(client, "/manifests", world.plating).headers["X-Total-Count"] == "0"


def test_keys_expire(client, world, db_url, app):
    key = {"Idempotency-Key": "yesterday"}
    first = post(client, "/manifests", world.plating, hazardous(world), headers=key)
    assert first.status_code == 201
    engine = make_engine(db_url)
    sessions = make_session_factory(engine)
    hours = app.config["IDEMPOTENCY_KEY_HOURS"]
    assert hours == 24
    with sessions() as s:
        s.execute(update(IdempotencyRecord).values(created_at=utcnow() - timedelta(hours=25)))
        s.commit()

    # Past its lifetime the key is free: another request under it is a new request.
    other = post(client, "/manifests", world.plating, hazardous(world, notes="新的"), headers=key)
    assert other.status_code == 201, other.get_json()
    assert other.get_json()["id"] != first.get_json()["id"]
    assert "Idempotent-Replayed" not in other.headers

    with sessions() as s:
        s.execute(update(IdempotencyRecord).values(created_at=utcnow() - timedelta(hours=25)))
        s.commit()
        fresh = post(
            client,
            "/manifests",
            world.plating,
            hazardous(world),
            headers={"Idempotency-Key": "today"},
        )
        assert fresh.status_code == 201
        assert purge_expired_keys(UnitOfWork(s), older_than=timedelta(hours=hours)) == 1
        assert [r.key for r in s.query(IdempotencyRecord)] == ["today"]
    engine.dispose()


@pytest.mark.slow
def test_concurrent_requests_with_one_key_apply_the_move_once(pg_url, pg_world):
    app = create_app({"DATABASE_URL": pg_url, "TESTING": True, "DATABASE_POOL_SIZE": 20})
    m = advance(pg_world, create_manifest(pg_world), "issued")
    body = pickup_body(m)
    headers = {**pg_world.carrier.auth("driver"), "Idempotency-Key": "one-pickup"}
    barrier = threading.Barrier(12)

    def pickup(_):
        client = app.test_client()
        barrier.wait()
        return client.post(f"{API}/manifests/{m.id}/pickup", json=body, headers=headers)

    with ThreadPoolExecutor(max_workers=12) as pool:
        responses = list(pool.map(pickup, range(12)))
    # Every caller gets the one answer: the move ran once, the rest waited and replayed it.
    assert [r.status_code for r in responses] == [200] * 12
    assert len({r.get_data() for r in responses}) == 1
    assert sum(r.headers.get("Idempotent-Replayed") != "true" for r in responses) == 1
    history = app.test_client().get(
        f"{API}/manifests/{m.id}/events", headers=pg_world.plating.auth()
    )
    assert [e["action"] for e in history.get_json()].count("pickup") == 1
    app.extensions["hwm"]["engine"].dispose()
