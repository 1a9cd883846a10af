"""Benchmark: the JT/T 808 gateway with 2,000 simulated terminals, on PostgreSQL.

Starts a throwaway PostgreSQL cluster (or uses the empty database named by
HWM_BENCH_DATABASE_URL), migrates it, registers the miniature Jiangmen of the tests plus one
vehicle and one bound terminal per simulated terminal, and puts some of those vehicles on the
road (a manifest in transit with a planned route) parked far off the route. The terminals
run in a process of their own (bench/gateway_load.py); each registers and authenticates, then:

* paced: every terminal reports every 10 s for a fixed number of rounds and 10% of them
  also replay a 0x0704 batch of 28 stored positions — the load the issue names. Reports the
  p99 from frame received to position committed, the live-check delay (evidence of a
  deviation complete at the gateway → its finding committed) and the gateway's memory;
* saturated: every terminal sends a fixed number of reports at once; messages per second
  until the last answer, against the floor: the same bytes, on as many connections, only
  read, unescaped and check-summed by a bare asyncio server.

Targets: p99 ingest under 1 s at the paced load, the saturated gateway within 3× of the floor,
memory flat over the run.

    python bench/gateway.py                        # 2,000 terminals, 8 rounds, 20 each saturated
    python bench/gateway.py --terminals 200 --rounds 7 --blast 5
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import statistics
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select  # noqa: E402

from gps.jt808.frames import FrameReader, open_frame  # noqa: E402
from manifest.gateway.limits import Limits  # noqa: E402
from manifest.gateway.server import Gateway  # noqa: E402
from manifest.infra.db import make_engine, make_session_factory  # noqa: E402
from manifest.infra.migrate import upgrade  # noqa: E402
from manifest.infra.uow import UnitOfWork  # noqa: E402
from manifest.models import Finding  # noqa: E402
from manifest.services import lifecycle, registry, terminals, tracks  # noqa: E402
from tests.builders import build_world, create_manifest  # noqa: E402
from tests.gps import synth  # noqa: E402
from tests.support.pgcluster import Cluster  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gateway_load  # noqa: E402

P99_TARGET_S = 1.0
FLOOR_RATIO_TARGET = 3.0
OFF_ROUTE = (-0.03, 0.0)  # about 3 km south of the route's start: outside any corridor


def rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def pct(values, q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def prepare(url: str, count: int, on_road: int) -> tuple[list[tuple], dict[int, int]]:
    """Vehicles, bindings and manifests in transit; returns the terminals for the load
    process and {terminal index: manifest id} of the vehicles on the road."""
    engine = make_engine(url)
    session = make_session_factory(engine)()
    uow = UnitOfWork(session)
    world = build_world(uow)
    admin = world.carrier.actor()
    sims, road = [], {}
    for i in range(count):
        plate, phone = f"粤B{i:05d}", f"1390{i:07d}"
        registry.add_vehicle(
            uow, actor=None, organization_id=world.carrier.id, plate=plate, max_load_t="30"
        )
        terminals.bind_terminal(
            uow,
            actor=admin,
            organization_id=world.carrier.id,
            phone=phone,
            vehicle_plate=plate,
            plate_colour=2,
        )
        offset = OFF_ROUTE if i < on_road else (0.001 * (i % 100), 0.001 * (i // 100))
        sims.append((phone, plate, offset))
        if i < on_road:
            m = create_manifest(world, vehicle_plate=plate)
            tracks.set_route(
                uow,
                actor=world.plating.actor(),
                ref=m.id,
                data=synth.route_geojson(),
                content_type="application/geo+json",
            )
            now = datetime.now(UTC).replace(microsecond=0)
            lifecycle.issue_manifest(
                uow, actor=world.plating.actor(), ref=m.id, at=now - timedelta(minutes=2)
            )
            lifecycle.pickup(
                uow,
                actor=world.carrier.actor("driver"),
                ref=m.id,
                vehicle_plate=plate,
                driver="李师傅",
                at=now - timedelta(minutes=1),
                lines=[{"line_no": ln.line_no, "quantity": ln.declared} for ln in m.lines],
            )
            road[i] = m.id
    session.close()
    engine.dispose()
    return sims, road


class Floor:
    """Frames only read, unescaped and check-summed."""

    def __init__(self, expected: int) -> None:
        self.expected, self.count = expected, 0
        self.first = self.last = None
        self.done = asyncio.Event()

    async def handle(self, reader, writer) -> None:
        frames = FrameReader()
        while data := await reader.read(65536):
            if self.first is None:
                self.first = time.perf_counter()
            for item in frames.feed(data):
                if isinstance(item, bytes):
                    open_frame(item)
                    self.count += 1
            if self.count >= self.expected and not self.done.is_set():
                self.last = time.perf_counter()
                self.done.set()
        writer.close()


def watch_findings(url: str, manifests: set[int], seen: dict[int, float], stop) -> None:
    """Note when each manifest's first route_deviation finding becomes visible."""
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    while not stop.is_set() and len(seen) < len(manifests):
        with sessions() as s:
            rows = s.scalars(
                select(Finding.manifest_id).where(
                    Finding.type == "route_deviation", Finding.manifest_id.in_(manifests)
                )
            ).all()
        now = time.perf_counter()
        for mid in rows:
            seen.setdefault(mid, now)
        time.sleep(0.2)
    engine.dispose()


async def run(url: str, args) -> int:
    sims, road = prepare(url, args.terminals, args.on_road)
    print(f"prepared {len(sims)} terminals, {len(road)} vehicles on the road", file=sys.stderr)
    engine = make_engine(url, pool_size=4)
    # Logging 2,000 terminals in takes minutes on a busy machine: none may idle out meanwhile.
    limits = Limits(frames_per_s=1e6, frame_burst=10**6, max_unsent_bytes=16 << 20, idle_s=3600.0)
    gateway = Gateway(make_session_factory(engine), limits)
    port = await gateway.start("127.0.0.1", 0)
    floor = Floor(args.terminals * args.blast)
    floor_server = await asyncio.start_server(floor.handle, "127.0.0.1", 0)
    floor_port = floor_server.sockets[0].getsockname()[1]
    parent, child = multiprocessing.Pipe()
    load = multiprocessing.get_context("spawn").Process(target=gateway_load.main, args=(child,))
    load.start()
    loop = asyncio.get_running_loop()

    async def ask(command, payload):
        parent.send((command, payload))
        return await loop.run_in_executor(None, parent.recv)

    memory: list[float] = []

    async def sample():
        while True:
            memory.append(rss_mib())
            await asyncio.sleep(0.5)

    sampler = asyncio.create_task(sample())
    try:
        await ask("login", (port, sims))
        stats = gateway.store.stats
        stats.ingest_s.clear()
        memory.clear()
        seen: dict[int, float] = {}
        stop = threading.Event()
        watcher = threading.Thread(
            target=watch_findings, args=(url, set(road.values()), seen, stop), daemon=True
        )
        watcher.start()
        paced = await ask("paced", (args.rounds, args.interval, 0.1))
        await asyncio.sleep(limits.live_check_s + 2)
        stop.set()
        watcher.join(10)
        ingest = list(stats.ingest_s)
        paced_memory = list(memory)
        delays = []
        for i, mid in road.items():
            sent = paced["sent"][i]
            complete = next((at for at, fix in sent if fix - sent[0][1] >= 60), None)
            if complete is not None and mid in seen:
                delays.append(seen[mid] - complete)
        missed = sum(1 for i in road if road[i] not in seen)

        base = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
        blast = await ask("blast", (args.blast, base))
        await ask("floor", (floor_port, args.blast, base - timedelta(hours=1)))
        await asyncio.wait_for(floor.done.wait(), 120)
    finally:
        sampler.cancel()
        parent.send(("stop", None))
        load.join(30)
        floor_server.close()
        await gateway.stop()
        engine.dispose()

    rate_paced = paced["messages"] / paced["wall_s"]
    rate_blast = blast["messages"] / blast["wall_s"]
    rate_floor = floor.count / (floor.last - floor.first)
    p99 = pct(ingest, 0.99)
    ratio = rate_floor / rate_blast
    print(
        f"terminals {args.terminals}, paced: {paced['messages']} messages in "
        f"{paced['wall_s']:.1f} s ({rate_paced:.0f}/s)"
    )
    print(
        f"  ingest frame->committed: p50 {pct(ingest, 0.5) * 1000:.0f} ms, "
        f"p99 {p99 * 1000:.0f} ms, max {max(ingest) * 1000:.0f} ms ({len(ingest)} positions)"
    )
    print(f"  answer seen by terminal: p99 {pct(paced['ack_latency_s'], 0.99) * 1000:.0f} ms")
    if delays:
        print(
            f"  live check, deviation evidence complete -> finding visible: "
            f"p50 {statistics.median(delays):.1f} s, max {max(delays):.1f} s "
            f"({len(delays)} trips, {missed} not found)"
        )
    live = list(stats.live_check_s)
    if live:
        print(f"  live check runs: {len(live)}, receipt->checked p99 {pct(live, 0.99):.1f} s")
    print(
        f"  gateway RSS: start {paced_memory[0]:.0f} MiB, end {paced_memory[-1]:.0f} MiB, "
        f"peak {max(paced_memory):.0f} MiB"
    )
    print(
        f"saturated: {blast['messages']} messages in {blast['wall_s']:.2f} s "
        f"({rate_blast:.0f}/s); floor {floor.count} frames in "
        f"{floor.last - floor.first:.3f} s ({rate_floor:.0f}/s); floor / gateway {ratio:.1f}x"
    )
    print(
        f"gateway RSS after all: {rss_mib():.0f} MiB; positions stored {stats.positions_stored}"
        f", refused {stats.positions_refused}, dropped frames {stats.dropped_frames}"
    )
    met = p99 < P99_TARGET_S and ratio <= FLOOR_RATIO_TARGET
    print(
        f"targets: p99 < {P99_TARGET_S:.0f} s {'met' if p99 < P99_TARGET_S else 'MISSED'}; "
        f"within {FLOOR_RATIO_TARGET:.0f}x of the floor "
        f"{'met' if ratio <= FLOOR_RATIO_TARGET else 'MISSED'}"
    )
    return 0 if met else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--terminals", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=8, help="paced reports per terminal")
    parser.add_argument("--interval", type=float, default=10.0)
    parser.add_argument("--on-road", type=int, default=100, help="vehicles in transit")
    parser.add_argument("--blast", type=int, default=20, help="saturated reports per terminal")
    args = parser.parse_args()
    cluster = None
    url = os.environ.get("HWM_BENCH_DATABASE_URL")
    if not url:
        cluster = Cluster().start()
        url = cluster.create_database("bench_gateway")
    try:
        upgrade(url)
        return asyncio.run(run(url, args))
    finally:
        if cluster is not None:
            cluster.stop()


if __name__ == "__main__":
    sys.exit(main())
