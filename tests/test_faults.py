"""Faults under load, on PostgreSQL: ``hwm serve`` with three gunicorn workers, clients
driving whole lifecycles with Idempotency-Keys and retrying with the same key when an answer
does not come or says 503; in the middle a worker is killed with SIGKILL, and PostgreSQL is
stopped and started again.

Afterwards every acknowledged move is there exactly once, each manifest is whole, every
chain and the service-wide ledger verify, every key replays its answer, and nothing answered
500 (the outage answered 503)."""

from __future__ import annotations

import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest

from manifest.infra.db import make_engine, make_session_factory
from manifest.infra.migrate import upgrade
from manifest.infra.uow import UnitOfWork
from tests.builders import build_world
from tests.conftest import missing
from tests.support.lifecycle_load import (
    API,
    MOVES,
    Answer,
    Parties,
    Request,
    Server,
    create_request,
    move_requests,
)
from tests.support.pgcluster import Cluster, ClusterUnavailable

pytestmark = pytest.mark.slow

CLIENTS = 8
LIFECYCLES_PER_CLIENT = 5
TOTAL_MOVES = CLIENTS * LIFECYCLES_PER_CLIENT * len(MOVES)
#: A retried request gives up after this long: a key stuck for ever would hit it.
RETRY_FOR_SECONDS = 60


@dataclass
class Run:
    """What the clients saw: every answer, and every move acknowledged with 2xx."""

    answers: list[tuple[Request, Answer]] = field(default_factory=list)
    acknowledged: list[tuple[Request, Answer]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    manifests: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def moves_done(self) -> int:
        with self.lock:
            return len(self.acknowledged)


def send_until_answered(server: Server, request: Request, run: Run) -> Answer | None:
    """Send, and send again with the same key while the answer is missing, 503, or a 409
    "busy" (answers that say nothing was done); anything else is final."""
    deadline = time.monotonic() + RETRY_FOR_SECONDS
    while True:
        answer = server.http.send(request)
        with run.lock:
            run.answers.append((request, answer))
        retry = answer.status in (None, 503) or (
            answer.status == 409 and answer.json().get("code") == "conflict"
        )
        if not retry:
            break
        if time.monotonic() > deadline:
            with run.lock:
                run.failures.append(f"{request.key}: still {answer.status} after retries")
            return None
        time.sleep(0.1)
    if 200 <= answer.status < 300:
        with run.lock:
            run.acknowledged.append((request, answer))
        return answer
    with run.lock:
        run.failures.append(f"{request.key}: {answer.status} {answer.body[:300]!r}")
    return None


def client(server: Server, parties: Parties, number: int, run: Run) -> None:
    for n in range(LIFECYCLES_PER_CLIENT):
        key = f"c{number}-m{n}"
        created = send_until_answered(server, create_request(parties, key), run)
        if created is None:
            return
        ref = created.json()["id"]
        with run.lock:
            run.manifests.append(ref)
        for request in move_requests(parties, ref, key):
            if send_until_answered(server, request, run) is None:
                return


@pytest.fixture(scope="module")
def cluster():
    try:
        started = Cluster().start()
    except ClusterUnavailable as exc:
        missing(f"PostgreSQL: {exc}")
    yield started
    started.stop()


def test_moves_survive_a_killed_worker_and_a_database_restart(cluster, tmp_path):
    url = cluster.create_database("faults")
    upgrade(url)
    engine = make_engine(url)
    session = make_session_factory(engine)()
    parties = Parties.of(build_world(UnitOfWork(session)))
    session.close()
    engine.dispose()

    server = Server(url, workers=3, log_path=tmp_path / "gunicorn.log")
    run = Run()
    outage: dict[str, float] = {}
    killed: list[int] = []
    try:
        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            clients = [pool.submit(client, server, parties, i, run) for i in range(CLIENTS)]
            _wait_for(lambda: run.moves_done() >= TOTAL_MOVES * 0.25)
            victim = server.workers()[0]
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)
            _wait_for(lambda: run.moves_done() >= TOTAL_MOVES * 0.5)
            outage["from"] = time.monotonic()
            cluster.stop_server()
            time.sleep(2)
            cluster.start_server()
            outage["to"] = time.monotonic()
            for done in clients:
                done.result()
        assert killed[0] not in server.workers() and len(server.workers()) == 3  # respawned

        assert run.failures == []
        statuses = [answer.status for _, answer in run.answers]
        assert 500 not in statuses
        during = [
            answer.status
            for _, answer in run.answers
            if outage["from"] <= answer.started + answer.seconds <= outage["to"]
        ]
        assert 503 in during, during
        assert set(during) <= {None, 503} | set(range(200, 300)), during
        assert len(run.acknowledged) == TOTAL_MOVES

        _check_every_move_is_kept(server, parties, run)
        _check_every_key_replays(server, run)
    finally:
        server.stop()


def _check_every_move_is_kept(server: Server, parties: Parties, run: Run) -> None:
    """Each acknowledged move is in its manifest's chain exactly once, no manifest was made
    twice by a retried create, each manifest is whole and verifies, and so does the ledger."""
    lifecycles = CLIENTS * LIFECYCLES_PER_CLIENT
    assert len(set(run.manifests)) == lifecycles
    listing = server.http.send(Request("list", "GET", f"{API}/manifests", parties.generator))
    assert listing.headers["X-Total-Count"] == str(lifecycles)
    for ref in run.manifests:
        base = f"{API}/manifests/{ref}"
        history = server.http.send(Request("events", "GET", f"{base}/events", parties.generator))
        assert [e["action"] for e in history.json()] == list(MOVES), ref
        manifest = server.http.send(Request("get", "GET", base, parties.generator)).json()
        assert manifest["status"] == "completed" and manifest["number"], ref
        verdict = server.http.send(Request("verify", "GET", f"{base}/verify", parties.generator))
        assert verdict.json()["valid"] is True, verdict.json()
    ledger = server.http.send(Request("ledger", "GET", f"{API}/ledger/verify", parties.regulator))
    assert ledger.json()["valid"] is True, ledger.json()
    assert ledger.json()["length"] == lifecycles * len(MOVES)


def _check_every_key_replays(server: Server, run: Run) -> None:
    """No key is stuck: sent again, every key answers with the answer it acknowledged."""
    for request, first in run.acknowledged:
        again = server.http.send(request)
        assert again.status == first.status, (request.key, again.status, again.body[:300])
        assert again.headers.get("Idempotent-Replayed") == "true", request.key
        assert again.json() == first.json(), request.key


def _wait_for(condition, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the load stalled"
        time.sleep(0.02)
