"""Benchmark: reconciliation at the scale of one year of a large province, on PostgreSQL.

Loads (with COPY, not through HTTP) N manifests with three lines each and as many weighbridge
records, then times in one run:

* the floor: one plain aggregate scan over the manifest lines (best of three);
* matching every weighbridge record (``match_pending`` for all receivers, findings included),
  once, as it changes the database;
* the monthly balance for all organisations of the province, a regulator's view (best of
  three);
* for reference, storing one bare result row per record, without any matching.

Targets: matching within 3x the floor, the balance within 2x. The result is a markdown table.

    python -m bench.reconcile                       # 1,000,000 manifests, own throwaway cluster
    python -m bench.reconcile --manifests 200000    # a smaller run
    HWM_BENCH_DATABASE_URL=postgresql://... python -m bench.reconcile

The database given by HWM_BENCH_DATABASE_URL must be empty: the schema is migrated into it.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

from manifest.actor import Actor  # noqa: E402
from manifest.infra.db import make_engine, make_session_factory  # noqa: E402
from manifest.infra.migrate import upgrade  # noqa: E402
from manifest.services.balance import balance  # noqa: E402
from manifest.services.receipts import match_pending  # noqa: E402

CITIES = ["4401", "4403", "4404", "4406", "4407", "4413", "4419", "4420"]
YEAR = 2025
T0 = datetime(YEAR, 1, 1, tzinfo=UTC)
STATUSES = (
    ["completed"] * 85
    + ["accepted"] * 5
    + ["delivered"] * 3
    + ["in_transit"] * 3
    + ["issued"] * 2
    + ["cancelled"] * 2
)


def uscc(n: int, city: str) -> str:
    return f"91{city}00MA{n:08d}"[:18].ljust(18, "0")


def load(url: str, manifests: int, receipts: int, seed: int = 7) -> dict:
    """Create organisations, manifests, lines and receipts with COPY; returns counts."""
    from array import array

    import psycopg

    rnd = random.Random(seed)
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    generators, transporters, receivers = 3000, 60, 40
    vehicles_per_carrier = 20
    now = datetime.now(UTC)
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        with cur.copy(
            "COPY organizations (id, name, uscc, region_code, address, site_radius_m,"
            " key_supervision, is_generator, is_transporter, is_receiver, created_at)"
            " FROM STDIN"
        ) as copy:
            for i in range(1, generators + transporters + receivers + 1):
                city = CITIES[i % len(CITIES)]
                kind = "g" if i <= generators else "t" if i <= generators + transporters else "r"
                copy.write_row(
                    (
                        i,
                        f"单位{i}",
                        uscc(i, city),
                        city + "00",
                        "",
                        300,
                        kind == "g" and i % 10 == 0,
                        kind == "g",
                        kind == "t",
                        kind == "r",
                        now,
                    )
                )
        cur.execute(
            "SELECT setval('organizations_id_seq', %s)", (generators + transporters + receivers,)
        )
        cur.execute(
            "INSERT INTO users (id, email, password_hash, role, organization_id, active,"
            " created_at) VALUES (1, 'bench@example.cn', 'x', 'admin', 1, true, %s)",
            (now,),
        )
        carriers = list(range(generators + 1, generators + transporters + 1))
        receiver_ids = list(
            range(generators + transporters + 1, generators + transporters + receivers + 1)
        )
        plates = {
            c: [f"粤{chr(65 + (c % 20))}{c % 100:02d}{v:03d}" for v in range(vehicles_per_carrier)]
            for c in carriers
        }
        serial = dict.fromkeys(CITIES, 0)
        trips = []  # (id, number, receiver, plate, declared_kg, picked, delivered, status)
        line_kg = array("H")  # the kilograms of each manifest's three lines, in order
        with cur.copy(
            "COPY manifests (id, number, kind, status, category, generator_id,"
            " transporter_id, receiver_id, vehicle_plate, driver, planned_pickup_at,"
            " operation, notes, created_by_id, created_at, issued_at, picked_up_at,"
            " delivered_at, decided_at, completed_at, completed_operation,"
            " cancelled_at, cancel_reason, last_move_at, version, declared_kg, loaded_kg,"
            " received_kg, accepted_kg, rejected_kg, unmeasured_lines) FROM STDIN"
        ) as copy:
            # As in the service, ids and numbers follow the order of issue: a manifest gets its
            # id when it is drafted and its number when it is issued, minutes to days later.
            issue_times = sorted(
                T0 + timedelta(seconds=rnd.randint(0, 364 * 86400)) for _ in range(manifests)
            )
            for mid, issued in enumerate(issue_times, start=1):
                generator = rnd.randint(1, generators)
                city = CITIES[generator % len(CITIES)]
                serial[city] += 1
                number = f"{YEAR}{city}{serial[city]:06d}"
                carrier = rnd.choice(carriers)
                receiver = rnd.choice(receiver_ids)
                plate = rnd.choice(plates[carrier])
                status = rnd.choice(STATUSES)
                picked = delivered = decided = completed = cancelled = None
                if status not in ("issued", "cancelled"):
                    picked = issued + timedelta(hours=1)
                if status in ("delivered", "accepted", "completed"):
                    delivered = picked + timedelta(hours=rnd.randint(2, 8))
                if status in ("accepted", "completed"):
                    decided = delivered + timedelta(hours=4)
                if status == "completed":
                    completed = decided + timedelta(days=2)
                if status == "cancelled":
                    cancelled = issued + timedelta(hours=2)
                last = completed or decided or delivered or picked or cancelled or issued
                # The three lines' masses, drawn here so the row carries their totals as the
                # services store them; every tally is the declared mass or not yet written.
                drawn = [rnd.randint(500, 4000) for _ in range(3)]
                line_kg.extend(drawn)
                kg = sum(drawn)
                copy.write_row(
                    (
                        mid,
                        number,
                        "hazardous",
                        status,
                        "HW08",
                        generator,
                        carrier,
                        receiver,
                        plate,
                        "司机",
                        issued,
                        "D10",
                        "",
                        1,
                        issued,
                        issued,
                        picked,
                        delivered,
                        decided,
                        completed,
                        "D10" if completed else None,
                        cancelled,
                        "取消" if cancelled else None,
                        last,
                        1,
                        kg,
                        kg if picked else 0,
                        kg if delivered else 0,
                        kg if status in ("accepted", "completed") else 0,
                        0,
                        0,
                    )
                )
                trips.append((mid, number, receiver, plate, picked, delivered, status))
        with cur.copy(
            "COPY manifest_lines (manifest_id, line_no, waste_code, name,"
            " physical_form, hazard, packaging, unit, declared, loaded, received,"
            " accepted, rejected) FROM STDIN"
        ) as copy:
            declared_kg = []
            for i, (mid, _n, _r, _p, picked, delivered, status) in enumerate(trips):
                total = 0
                for line_no in (1, 2, 3):
                    tonnes = Decimal(line_kg[3 * i + line_no - 1]) / 1000
                    unit, amount = ("kg", tonnes * 1000) if line_no == 3 else ("t", tonnes)
                    total += tonnes * 1000
                    loaded = amount if picked else None
                    received = amount if delivered else None
                    accepted = amount if status in ("accepted", "completed") else None
                    rejected = Decimal(0) if accepted is not None else None
                    copy.write_row(
                        (
                            mid,
                            line_no,
                            "900-249-08",
                            "废矿物油",
                            "L",
                            "T",
                            "桶",
                            unit,
                            amount,
                            loaded,
                            received,
                            accepted,
                            rejected,
                        )
                    )
                declared_kg.append(total)
        cur.execute("SELECT setval('manifests_id_seq', %s)", (manifests,))
        cur.execute("SELECT setval('manifest_lines_id_seq', %s)", (3 * manifests,))
        made = 0
        counts = {"numbered": 0, "plate_only": 0, "unmanifested": 0, "short": 0}
        with cur.copy(
            "COPY weighbridge_receipts (receiver_id, ticket, plate, arrived_at,"
            " gross_kg, tare_kg, net_kg, manifest_number, created_at)"
            " FROM STDIN"
        ) as copy:
            for (mid, number, receiver, plate, picked, delivered, _s), kg in zip(
                trips, declared_kg, strict=True
            ):
                if made >= receipts or picked is None:
                    continue
                made += 1
                arrived = (delivered or picked + timedelta(hours=3)) - timedelta(minutes=10)
                net = kg + rnd.randint(-30, 30)
                if rnd.random() < 0.01:
                    net = (kg * Decimal("0.92")).quantize(Decimal(1))  # an 8 % loss
                    counts["short"] += 1
                typed = number if rnd.random() < 0.7 else None
                counts["numbered" if typed else "plate_only"] += 1
                copy.write_row(
                    (
                        receiver,
                        f"T{mid:09d}",
                        plate,
                        arrived,
                        net + 15000,
                        15000,
                        net,
                        typed,
                        now,
                    )
                )
            while made < receipts:  # loads no manifest covers
                made += 1
                counts["unmanifested"] += 1
                arrived = T0 + timedelta(seconds=rnd.randint(0, 364 * 86400))
                copy.write_row(
                    (
                        rnd.choice(receiver_ids),
                        f"U{made:09d}",
                        f"粤Z{made % 100000:05d}",
                        arrived,
                        27000,
                        15000,
                        12000,
                        None,
                        now,
                    )
                )
        conn.commit()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")  # a loaded database in its steady state
    return counts


def write_floor(engine) -> float:
    """Seconds to store one bare result row per weighbridge record, in a scratch table shaped
    and indexed like ``weighbridge_matches``: what any matching that records its decisions
    pays before it decides anything."""
    with engine.begin() as conn:
        conn.execute(
            text("CREATE TABLE bench_write_floor (LIKE weighbridge_matches INCLUDING ALL)")
        )
    with engine.begin() as conn:
        seconds = timed(
            lambda: conn.execute(
                text(
                    "INSERT INTO bench_write_floor"
                    " (receipt_id, manifest_id, outcome, matched_by, matched_at)"
                    " SELECT id, id, 'matched', 'number', now() FROM weighbridge_receipts"
                )
            )
        )
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE bench_write_floor"))
    return seconds


def timed(fn, repeat: int = 1) -> float:
    """Seconds ``fn`` takes, the best of ``repeat`` runs."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifests", type=int, default=1_000_000)
    parser.add_argument(
        "--receipts",
        type=int,
        default=None,
        help="weighbridge records (default: as many as manifests)",
    )
    parser.add_argument("--period", default=f"{YEAR}-06")
    args = parser.parse_args(argv)
    receipts = args.receipts if args.receipts is not None else args.manifests
    url = os.environ.get("HWM_BENCH_DATABASE_URL")
    cluster = None
    if not url:
        from tests.support.pgcluster import Cluster

        cluster = Cluster().start()
        url = cluster.create_database("hwm_bench")
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    try:
        upgrade(url)
        started = time.perf_counter()
        counts = load(url, args.manifests, receipts)
        load_s = time.perf_counter() - started
        engine = make_engine(url)
        sessions = make_session_factory(engine)
        with engine.connect() as conn:
            lines = conn.scalar(text("SELECT count(*) FROM manifest_lines"))
            floor = timed(
                lambda: conn.execute(
                    text("SELECT count(*), sum(declared), sum(received) FROM manifest_lines")
                ).all(),
                repeat=3,
            )

        outcome = {}

        def match():
            with sessions() as s:
                outcome["result"] = match_pending(s, receiver_id=None)
                s.commit()

        matching = timed(match)
        regulator = Actor(
            user_id=1,
            email="bench@example.cn",
            role="admin",
            regulator_id=1,
            region_codes=("440000",),
        )
        report = {}

        def month():
            with sessions() as s:
                report["r"] = balance(s, actor=regulator, period=args.period)

        monthly = timed(month, repeat=3)
        writing = write_floor(engine)
        engine.dispose()
    finally:
        if cluster is not None:
            cluster.stop()
    r = outcome["result"]
    print(
        f"\nLoaded {args.manifests:,} manifests, {lines:,} lines, {receipts:,} weighbridge "
        f"records ({counts['numbered']:,} with a number, {counts['plate_only']:,} by plate, "
        f"{counts['unmanifested']:,} unmanifested, {counts['short']:,} short) in "
        f"{load_s:.1f} s."
    )
    print(
        f"Matching: {r.matched:,} matched, {r.unmanifested:,} unmanifested, "
        f"{r.findings:,} findings. Balance {args.period}: "
        f"{len(report['r']['rows']):,} rows.\n"
    )
    print("| step | seconds | × floor | target |")
    print("|---|---:|---:|---:|")
    print(f"| floor: aggregate scan of {lines:,} lines | {floor:.2f} | 1.0 | |")
    print(
        f"| match {receipts:,} weighbridge records | {matching:.2f} | {matching / floor:.1f} "
        f"| ≤ 3 |"
    )
    print(
        f"| balance {args.period}, all organisations | {monthly:.2f} | "
        f"{monthly / floor:.1f} | ≤ 2 |"
    )
    print(
        f"| reference: store {receipts:,} bare result rows (no matching) | {writing:.2f} | "
        f"{writing / floor:.1f} | |"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
