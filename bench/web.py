"""Benchmark: the web workspace's pages with 100,000 manifests in the database (PostgreSQL).

Loads the manifests with COPY (as ``bench/reconcile.py`` does), adds a miniature Jiangmen
through the services with one manifest whose chain has 20 events and a GPS track, then
times, in the app's own process (server time, no network), each page many times, the pages
taken in turns, and counts the SQL statements one request of each runs:

* the floor: the API's ``GET /api/v1/manifests/{id}`` of that manifest, with a token;
* the home page of a receiver with thousands of manifests;
* its manifest list filtered by status;
* the manifest page (parties, tallies, timeline, findings, map) of the 20-event manifest.

Target: each page's p95 within 3x the floor's and under 150 ms.

    python -m bench.web                      # 100,000 manifests, own throwaway cluster
    python -m bench.web --manifests 20000    # a smaller run
    HWM_BENCH_DATABASE_URL=postgresql://... python -m bench.web   (an empty database)
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, text  # noqa: E402

from api import create_app  # noqa: E402
from bench.reconcile import load  # noqa: E402
from manifest.infra.db import make_engine, make_session_factory  # noqa: E402
from manifest.infra.migrate import upgrade  # noqa: E402
from manifest.infra.uow import UnitOfWork  # noqa: E402
from manifest.services import registry  # noqa: E402
from tests.builders import PASSWORD, build_world, create_manifest, now  # noqa: E402
from tests.gps import synth  # noqa: E402

P95_TARGET_MS = 150.0
FLOOR_RATIO_TARGET = 3.0
#: The first receiver of the loaded data: about one manifest in forty is its.
BIG_RECEIVER_ID = 3000 + 60 + 1


def build_twenty_event_manifest(client, world) -> int:
    """A manifest edited, issued, routed, picked up, tracked (with a stop and a detour),
    delivered, decided and completed: 20 events in its chain. Returns its id."""
    m = create_manifest(world)
    gen, driver, centre = world.plating.auth(), world.carrier.auth("driver"), world.centre.auth()
    start = now() - timedelta(hours=30)

    def ok(answer):
        assert answer.status_code in (200, 201), answer.get_json()
        return answer

    for i in range(12):
        ok(
            client.patch(
                f"/api/v1/manifests/{m.id}", json={"notes": f"第 {i + 1} 次修改"}, headers=gen
            )
        )
    ok(
        client.put(
            f"/api/v1/manifests/{m.id}/route?corridor_m=500",
            data=synth.route_geojson(),
            headers=gen,
            content_type="application/geo+json",
        )
    )
    ok(client.post(f"/api/v1/manifests/{m.id}/issue", json={"at": start.isoformat()}, headers=gen))
    picked = start + timedelta(minutes=10)
    lines = [{"line_no": 1, "quantity": "6"}, {"line_no": 2, "quantity": "1500"}]
    ok(
        client.post(
            f"/api/v1/manifests/{m.id}/pickup",
            headers=driver,
            json={
                "vehicle_plate": "粤J12345",
                "driver": "李师傅",
                "at": picked.isoformat(),
                "lines": lines,
            },
        )
    )
    trip = synth.drive(start=picked, stops=[(6.0, 1500)], deviations=[(9.0, 12.0, 1200)])
    arrived = synth.iso(float(trip.t[-1])) + timedelta(minutes=1)
    ok(
        client.post(
            f"/api/v1/manifests/{m.id}/deliver",
            headers=centre,
            json={"at": arrived.isoformat(), "lines": lines},
        )
    )
    ok(
        client.post(
            f"/api/v1/manifests/{m.id}/tracks",
            data=trip.to_gpx(segments=2),
            headers=driver,
            content_type="application/gpx+xml",
        )
    )
    decided = arrived + timedelta(hours=2)
    ok(
        client.post(
            f"/api/v1/manifests/{m.id}/decide",
            headers=centre,
            json={
                "at": decided.isoformat(),
                "lines": [
                    {"line_no": 1, "accepted": "5.5", "rejected": "0.5", "reason": "混入杂物"},
                    {"line_no": 2, "accepted": "1500", "rejected": "0"},
                ],
            },
        )
    )
    ok(
        client.post(
            f"/api/v1/manifests/{m.id}/complete",
            headers=centre,
            json={"operation": "D10", "completed_at": (decided + timedelta(hours=3)).isoformat()},
        )
    )
    events = ok(client.get(f"/api/v1/manifests/{m.id}/events", headers=gen)).get_json()
    print(f"manifest {m.id}: {len(events)} events in its chain", file=sys.stderr)
    return m.id


def signed_in_client(app, email: str):
    client = app.test_client()
    form = client.get("/web/signin").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    answer = client.post(
        "/web/signin", data={"csrf_token": token, "email": email, "password": PASSWORD}
    )
    assert answer.status_code == 302, answer.get_data(as_text=True)[:500]
    return client


def percentile(times: list[float], share: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def time_pages(rows, repeat: int) -> list[list[float]]:
    """Each page's server times in ms, ``repeat`` requests each, taken in turns (one request
    of every page per round), so that a machine busy with other work slows every page of a
    round alike and the ratios to the floor stay comparable."""
    times: list[list[float]] = [[] for _ in rows]
    for _ in range(repeat):
        for taken, (_name, client, url, headers) in zip(times, rows, strict=True):
            started = time.perf_counter()
            answer = client.get(url, headers=headers)
            taken.append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 200, (url, answer.status_code)
    return times


def statements_of(engine, client, url: str, headers=None) -> int:
    """How many SQL statements one request of ``url`` runs."""
    seen = []

    def count(*_args):
        seen.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        client.get(url, headers=headers)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifests", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args(argv)
    url = os.environ.get("HWM_BENCH_DATABASE_URL")
    cluster = None
    if not url:
        from tests.support.pgcluster import Cluster

        cluster = Cluster().start()
        url = cluster.create_database("hwm_bench_web")
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    try:
        upgrade(url)
        load(url, args.manifests, 0)
        engine = make_engine(url)
        with engine.begin() as conn:  # the loader wrote user 1 itself
            conn.execute(text("SELECT setval('users_id_seq', (SELECT max(id) FROM users))"))
        session = make_session_factory(engine)()
        world = build_world(UnitOfWork(session))
        registry.add_member(
            UnitOfWork(session),
            actor=None,
            organization_id=BIG_RECEIVER_ID,
            email="weighbridge@bench.example.cn",
            password=PASSWORD,
            role="admin",
        )
        app = create_app({"DATABASE_URL": url})
        api = app.test_client()
        manifest_id = build_twenty_event_manifest(api, world)
        session.close()

        receiver = signed_in_client(app, "weighbridge@bench.example.cn")
        generator = signed_in_client(app, world.plating.users["admin"][0].email)
        token = world.plating.auth()
        for client, page in ((receiver, "/web/"), (generator, f"/web/manifests/{manifest_id}")):
            client.get(page)  # warm the caches and templates
        rows = [
            (
                "floor: API GET /api/v1/manifests/{id}",
                api,
                f"/api/v1/manifests/{manifest_id}",
                token,
            ),
            ("home page (receiver, ~2,500 manifests)", receiver, "/web/", None),
            ("manifest list, status=completed", receiver, "/web/manifests?status=completed", None),
            (
                "manifest page, 20 events and a track",
                generator,
                f"/web/manifests/{manifest_id}",
                None,
            ),
        ]
        app_engine = app.extensions["hwm"]["engine"]
        statements = [statements_of(app_engine, c, page, h) for _n, c, page, h in rows]
        times = time_pages(rows, args.repeat)
        app.extensions["hwm"]["engine"].dispose()
        engine.dispose()
    finally:
        if cluster is not None:
            cluster.stop()

    p95 = [percentile(t, 0.95) for t in times]
    p50 = [percentile(t, 0.5) for t in times]
    print(
        f"\n{args.manifests:,} manifests; {args.repeat} requests of each page, taken in turns;"
        " server time.\n"
    )
    print("| page | statements | p50 ms | p95 ms | p95 × floor | target |")
    print("|---|---:|---:|---:|---:|---|")
    met = True
    for i, (name, *_rest) in enumerate(rows):
        ratio = p95[i] / p95[0]
        target = "" if i == 0 else f"≤ {FLOOR_RATIO_TARGET:g}× and < {P95_TARGET_MS:g} ms"
        print(
            f"| {name} | {statements[i]} | {p50[i]:.1f} | {p95[i]:.1f} | {ratio:.2f} | {target} |"
        )
        if i and (p95[i] > P95_TARGET_MS or ratio > FLOOR_RATIO_TARGET):
            met = False
    print(f"\ntargets {'met' if met else 'MISSED'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
