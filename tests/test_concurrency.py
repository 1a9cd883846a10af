"""Real concurrent requests on PostgreSQL: row locks decide, losers get 409, numbers stay
gapless, a manifest is weighed once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from api import create_app
from manifest.models import CustodyEvent, Manifest
from manifest.models.receipts import WeighbridgeMatch
from manifest.numbering import issue_year
from tests.builders import advance, create_manifest, now, pickup_body
from tests.reconcile.helpers import trip

pytestmark = pytest.mark.slow


@pytest.fixture
def pg_app(pg_url):
    application = create_app({"DATABASE_URL": pg_url, "TESTING": True, "DATABASE_POOL_SIZE": 60})
    yield application
    application.extensions["hwm"]["engine"].dispose()


def _race(app, n, request):
    """Run ``request(client)`` from ``n`` threads released at the same instant."""
    barrier = threading.Barrier(n)

    def one(_):
        client = app.test_client()
        barrier.wait()
        return request(client)

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(one, range(n)))


def test_fifty_concurrent_pickups_one_wins(pg_app, pg_world):
    m = advance(pg_world, create_manifest(pg_world), "issued")
    body = pickup_body(m)
    headers = pg_world.carrier.auth("driver")

    responses = _race(
        pg_app, 50, lambda c: c.post(f"/api/v1/manifests/{m.id}/pickup", json=body, headers=headers)
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] + [409] * 49
    with pg_app.extensions["hwm"]["sessions"]() as s:
        pickups = s.scalar(
            select(func.count()).where(
                CustodyEvent.manifest_id == m.id, CustodyEvent.action == "pickup"
            )
        )
        assert pickups == 1
        assert s.get(Manifest, m.id).status == "in_transit"


def test_two_hundred_concurrent_issues_get_consecutive_numbers(pg_app, pg_world):
    drafts = [create_manifest(pg_world).id for _ in range(200)]
    headers = pg_world.plating.auth()
    ids = iter(drafts)
    lock = threading.Lock()

    def issue(client):
        with lock:
            mid = next(ids)
        return client.post(
            f"/api/v1/manifests/{mid}/issue", json={"at": now().isoformat()}, headers=headers
        )

    responses = _race(pg_app, 200, issue)
    assert [r.status_code for r in responses] == [200] * 200
    numbers = sorted(r.get_json()["number"] for r in responses)
    assert len(set(numbers)) == 200
    serials = [int(n[-6:]) for n in numbers]
    assert serials == list(range(1, 201))
    assert {n[:8] for n in numbers} == {f"{issue_year(now())}4407"}


def test_concurrent_weighbridge_uploads_weigh_each_manifest_once(pg_app, pg_world):
    start = now() - timedelta(hours=6)
    hazardous = trip(pg_world, start=start, to="in_transit")  # to the disposal centre
    sludge = trip(pg_world, kind="sludge", start=start, to="in_transit")  # to the cement kiln
    at = (start + timedelta(hours=2)).isoformat()
    tickets = iter(range(20))
    lock = threading.Lock()

    def upload(client):
        with lock:
            n = next(tickets)
        receiver, manifest, plate = (
            (pg_world.centre, hazardous, "粤J12345")
            if n % 2
            else (pg_world.kiln, sludge, "粤J88888")
        )
        record = {
            "ticket": f"T{n:02d}",
            "plate": plate,
            "arrived_at": at,
            "net_kg": "7500",
            "manifest_number": manifest.number,
        }
        return client.post("/api/v1/receipts", json=[record], headers=receiver.auth())

    responses = _race(pg_app, 20, upload)
    assert [r.status_code for r in responses] == [201] * 20
    assert sum(r.get_json()["matched"] for r in responses) == 2
    with pg_app.extensions["hwm"]["sessions"]() as s:
        outcomes = s.execute(
            select(WeighbridgeMatch.manifest_id, WeighbridgeMatch.outcome, func.count())
            .group_by(WeighbridgeMatch.manifest_id, WeighbridgeMatch.outcome)
            .order_by(WeighbridgeMatch.manifest_id, WeighbridgeMatch.outcome)
        ).all()
    assert outcomes == [
        (hazardous.id, "already_received", 9),
        (hazardous.id, "matched", 1),
        (sludge.id, "already_received", 9),
        (sludge.id, "matched", 1),
    ]


def test_simultaneous_tolerance_changes_each_record_what_they_replaced(pg_app, pg_world):
    from manifest.models import ToleranceChange

    headers = pg_world.regulator.auth()
    figures = [f"{n}.00" for n in range(2, 12)]

    def put(pct):
        body = {"mass_pct": pct, "mass_abs_kg": "10", "moisture_points": "5"}
        return lambda c: c.put("/api/v1/tolerances/hazardous", json=body, headers=headers)

    pending = [put(p) for p in figures]
    responses = _race(pg_app, len(figures), lambda c: pending.pop()(c))
    assert sorted(r.status_code for r in responses) == [200] * len(figures)
    with pg_app.extensions["hwm"]["sessions"]() as s:
        changes = s.scalars(select(ToleranceChange).order_by(ToleranceChange.id)).all()
    # One after the other: each change replaced exactly what the previous one set.
    assert changes[0].old_mass_pct is None
    assert [str(c.old_mass_pct) for c in changes[1:]] == [str(c.mass_pct) for c in changes[:-1]]
    assert sorted(str(c.mass_pct) for c in changes) == sorted(figures)
