"""Benchmark: the HTTP API under load, on PostgreSQL, through gunicorn.

Starts a throwaway PostgreSQL cluster (or uses the empty database named by
HWM_BENCH_DATABASE_URL), migrates it, registers the miniature Jiangmen of the tests, starts
``hwm serve`` and then, from 32 concurrent clients:

* the floor: a fixed number of ``GET /healthz`` (no database, no token) on the same server;
* whole lifecycles: create, read it, issue, pickup, list, deliver, decide, complete, read
  the chain; every move with an Idempotency-Key.

Reports moves per second, p50/p95/p99 per endpoint, errors, the ratio of moves to the floor,
then verifies the service-wide ledger. Targets: no errors, p99 under 250 ms everywhere, moves
at least 20% of the /healthz throughput.

    python bench/api.py                      # 400 lifecycles (3,600 requests), 32 clients
    python bench/api.py --lifecycles 100 --clients 8
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from manifest.infra.db import make_engine, make_session_factory  # noqa: E402
from manifest.infra.migrate import upgrade  # noqa: E402
from manifest.infra.uow import UnitOfWork  # noqa: E402
from tests.builders import build_world  # noqa: E402
from tests.support.lifecycle_load import (  # noqa: E402
    API,
    MOVES,
    Answer,
    Parties,
    Request,
    Server,
    create_request,
    move_requests,
)
from tests.support.pgcluster import Cluster  # noqa: E402

P99_TARGET_S = 0.250
FLOOR_SHARE_TARGET = 0.20


def lifecycle(server: Server, p: Parties, key: str) -> list[tuple[Request, Answer]]:
    """One manifest from draft to completed, with the reads a client makes along the way.
    Stops at the first answer that is not 2xx (it is reported as an error)."""
    done: list[tuple[Request, Answer]] = []

    def send(request: Request) -> Answer:
        answer = server.http.send(request)
        done.append((request, answer))
        return answer

    created = send(create_request(p, key))
    if created.status != 201:
        return done
    ref = created.json()["id"]
    base = f"{API}/manifests/{ref}"
    reads = {
        "POST issue": Request("GET manifest", "GET", base, p.generator),
        "POST pickup": Request("GET list", "GET", f"{API}/manifests?per_page=20", p.driver),
        "POST complete": Request("GET events", "GET", f"{base}/events", p.generator),
    }
    for move in move_requests(p, ref, key):
        if not 200 <= send(move).status < 300:
            return done
        if move.name in reads and not 200 <= send(reads[move.name]).status < 300:
            return done
    return done


def run_concurrently(clients: int, jobs: int, job) -> tuple[list[tuple[Request, Answer]], float]:
    """Run ``job(i)`` for i < jobs on ``clients`` threads; every answer, and the wall time."""
    answers: list[tuple[Request, Answer]] = []
    lock = threading.Lock()
    counter = iter(range(jobs))

    def worker(_):
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            result = job(i)
            with lock:
                answers.extend(result)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(worker, range(clients)))
    return answers, time.monotonic() - started


def percentile(values: list[float], q: float) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[q - 1]
        if len(values) > 1
        else values[0]
    )


def report(floor, floor_wall: float, answers, wall: float, lifecycles: int, ledger: dict) -> int:
    """Print the markdown table and the verdicts; exit status 1 on errors or a broken ledger."""
    floor_rps = len(floor) / floor_wall
    by_name = defaultdict(list)
    errors = defaultdict(int)
    for request, answer in floor + answers:
        by_name[request.name].append(answer.seconds)
        if answer.status is None or not 200 <= answer.status < 300:
            errors[request.name] += 1
    moves = sum(len(by_name[f"POST {m}"]) for m in MOVES)
    moves_rps = moves / wall
    print(f"\n{lifecycles} lifecycles, {len(answers):,} requests in {wall:.1f} s\n")
    print("| endpoint | requests | p50 ms | p95 ms | p99 ms | errors |")
    print("|---|---:|---:|---:|---:|---:|")
    order = (
        ["GET healthz"] + [f"POST {m}" for m in MOVES] + ["GET manifest", "GET list", "GET events"]
    )
    worst_p99 = 0.0
    for name in sorted(by_name, key=lambda n: order.index(n) if n in order else 99):
        times = by_name[name]
        p99 = percentile(times, 99)
        worst_p99 = max(worst_p99, p99)
        print(
            f"| {name} | {len(times):,} | {percentile(times, 50) * 1000:.0f} | "
            f"{percentile(times, 95) * 1000:.0f} | {p99 * 1000:.0f} | {errors[name]} |"
        )
    total_errors = sum(errors.values())
    print(f"\n/healthz floor: {floor_rps:,.0f} requests/s")
    share = len(answers) / wall / floor_rps
    print(f"lifecycle requests: {len(answers) / wall:,.0f}/s ({share:.0%} of the floor)")
    print(f"moves: {moves_rps:,.1f}/s ({moves_rps / floor_rps:.0%} of the floor)")
    print(f"ledger: {ledger}")
    met = {
        "zero errors": total_errors == 0,
        f"p99 < {P99_TARGET_S * 1000:.0f} ms": worst_p99 < P99_TARGET_S,
        f"moves >= {FLOOR_SHARE_TARGET:.0%} of /healthz": moves_rps
        >= FLOOR_SHARE_TARGET * floor_rps,
        "ledger verifies": ledger.get("valid") is True,
    }
    for target, ok in met.items():
        print(f"  {'met' if ok else 'MISSED'}: {target}")
    return 0 if met["ledger verifies"] and met["zero errors"] else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--lifecycles", type=int, default=400)
    parser.add_argument("--healthz", type=int, default=4000, help="requests for the floor")
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)) * 2 + 1)
    args = parser.parse_args()

    cluster = None
    url = os.environ.get("HWM_BENCH_DATABASE_URL")
    if not url:
        cluster = Cluster().start()
        url = cluster.create_database("bench_api")
    server = None
    try:
        upgrade(url)
        engine = make_engine(url)
        session = make_session_factory(engine)()
        parties = Parties.of(build_world(UnitOfWork(session)))
        session.close()
        engine.dispose()
        logdir = tempfile.mkdtemp(prefix="hwm-bench-api-")
        server = Server(url, workers=args.workers, log_path=Path(logdir) / "gunicorn.log")
        print(f"gunicorn: {args.workers} workers; {args.clients} clients", file=sys.stderr)

        run_concurrently(
            args.clients, args.clients, lambda i: lifecycle(server, parties, f"warm-{i}")
        )
        probe = Request("GET healthz", "GET", "/healthz", "")
        floor, floor_wall = run_concurrently(
            args.clients, args.healthz, lambda i: [(probe, server.http.send(probe))]
        )
        answers, wall = run_concurrently(
            args.clients, args.lifecycles, lambda i: lifecycle(server, parties, f"bench-{i}")
        )
        ledger = server.http.send(
            Request("ledger", "GET", f"{API}/ledger/verify", parties.regulator)
        ).json()
        return report(floor, floor_wall, answers, wall, args.lifecycles, ledger)
    finally:
        if server is not None:
            server.stop()
        if cluster is not None:
            cluster.stop()


if __name__ == "__main__":
    sys.exit(main())
