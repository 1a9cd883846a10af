"""The monthly balance: its totals are the sums of its manifests."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from manifest.errors import ValidationFailed
from manifest.local_time import CHINA
from manifest.models import Manifest
from manifest.quantities import Quantity
from manifest.services import lifecycle
from manifest.services.balance import balance, balance_csv
from tests.builders import build_world, create_manifest
from tests.reconcile.helpers import decide, deliver, issue, pickup

PCS_LINE = {
    "waste_code": "336-064-17",
    "name": "桶装",
    "physical_form": "S",
    "hazard": ["T"],
    "quantity": "4",
    "unit": "pcs",
}


def local(*args):
    return datetime(*args, tzinfo=CHINA)


@pytest.fixture
def world(uow):
    return build_world(uow, year=2026)


def run(world, day, to, *, kind="hazardous", received=None, rejected=None, hour=8, **overrides):
    m = issue(world, create_manifest(world, kind=kind, **overrides), local(2026, *day, hour))
    if to == "issued":
        return m
    if to == "cancelled":
        return lifecycle.cancel_manifest(
            world.uow, actor=world.plating.actor(), ref=m.id, reason="取消", at=local(2026, *day, 9)
        )
    m = pickup(world, m, local(2026, *day, 9))
    if to == "in_transit":
        return m
    m = deliver(world, m, local(2026, *day, 10), received)
    if to == "delivered":
        return m
    m = decide(world, m, local(2026, *day, 11), rejected)
    if to != "completed":
        return m
    receiver = world.centre if m.receiver_id == world.centre.id else world.kiln
    return lifecycle.complete(
        world.uow,
        actor=receiver.actor(),
        ref=m.id,
        operation=m.operation,
        completed_at=local(2026, *day, 12),
    )


@pytest.fixture
def month(world):
    run(world, (11, 2), "completed")
    run(world, (11, 3), "in_transit")
    run(world, (11, 4), "delivered", received={1: Decimal("5.64"), 2: Decimal("1500")})
    run(world, (11, 5), "accepted", rejected={2: "1500"})
    run(world, (11, 6), "completed", kind="sludge")
    run(world, (11, 9), "cancelled")
    run(world, (11, 10), "issued", lines=[PCS_LINE])
    run(world, (10, 30), "completed")  # October: another month
    run(world, (10, 31), "issued", hour=23)  # 15:00 UTC: October
    run(world, (11, 1), "issued", hour=1)  # 31 Oct 17:00 UTC, but November in China


def tonnes(manifest, field):
    total = Decimal(0)
    for ln in manifest.lines:
        value = getattr(ln, field)
        if value is not None:
            total += Quantity(Decimal(value), ln.unit).to_tonnes(ln.density_t_m3) or 0
    return total


def test_totals_equal_the_sum_of_the_manifests(world, uow, month):
    report = balance(uow.session, actor=world.regulator.actor(), period="2026-11")
    cohort = [
        m
        for m in uow.session.scalars(select(Manifest))
        if m.issued_at and m.issued_at.astimezone(CHINA).month == 11 and m.status != "cancelled"
    ]
    assert len(cohort) == 7
    expected = {
        "declared_t": sum(tonnes(m, "declared") for m in cohort),
        "loaded_t": sum(tonnes(m, "loaded") for m in cohort),
        "received_t": sum(tonnes(m, "received") for m in cohort),
        "accepted_t": sum(tonnes(m, "accepted") for m in cohort),
        "rejected_t": sum(tonnes(m, "rejected") for m in cohort),
        "completed_t": sum(tonnes(m, "accepted") for m in cohort if m.status == "completed"),
        "in_transit_t": sum(tonnes(m, "loaded") for m in cohort if m.status == "in_transit"),
    }
    expected = {k: f"{v:.3f}" for k, v in expected.items()}
    assert expected == {
        "declared_t": "57.500",
        "loaded_t": "50.000",
        "received_t": "42.140",
        "accepted_t": "33.500",
        "rejected_t": "1.500",
        "completed_t": "27.500",
        "in_transit_t": "7.500",
    }
    for role in ("generator", "transporter", "receiver"):
        totals = report["totals"][role]
        assert totals["manifests"] == 7
        assert {k: totals[k] for k in expected} == expected
        rows = [r for r in report["rows"] if r["role"] == role]
        assert sum(Decimal(r["declared_t"]) for r in rows) == Decimal(expected["declared_t"])


def test_rows_per_organisation_and_the_safe_disposal_rate(world, uow, month):
    report = balance(uow.session, actor=world.regulator.actor(), period="2026-11")
    rows = {(r["organization_id"], r["role"], r["category"]): r for r in report["rows"]}
    plating = rows[(world.plating.id, "generator", "HW17")]
    assert (plating["manifests"], plating["declared_t"], plating["loaded_t"]) == (
        6,
        "37.500",
        "30.000",
    )
    assert plating["unmeasured_lines"] == 1
    # Completed 7.5 t of the 30 t shipped.
    assert plating["safe_disposal_rate_pct"] == "25.00"
    sludge = rows[(world.wwtp.id, "generator", "S07")]
    assert (sludge["completed_t"], sludge["safe_disposal_rate_pct"]) == ("20.000", None)
    kiln = rows[(world.kiln.id, "receiver", "S07")]
    assert kiln["received_t"] == "20.000"


def test_parties_see_their_own_rows_only(world, uow, month):
    report = balance(uow.session, actor=world.kiln.actor(), period="2026-11")
    assert {(r["organization_id"], r["role"]) for r in report["rows"]} == {
        (world.kiln.id, "receiver")
    }
    assert report["totals"]["generator"]["manifests"] == 0


def test_csv_has_a_header_and_one_line_per_row(world, uow, month):
    report = balance(uow.session, actor=world.regulator.actor(), period="2026-11")
    lines = balance_csv(report).splitlines()
    assert lines[0].startswith("organization_id,uscc,name,role,category,manifests,declared_t")
    assert len(lines) == len(report["rows"]) + 1


@pytest.mark.parametrize("bad", ["2026-13", "2026-1", "November", "", "1999-01"])
def test_bad_period(world, uow, bad):
    with pytest.raises(ValidationFailed):
        balance(uow.session, actor=world.regulator.actor(), period=bad)
