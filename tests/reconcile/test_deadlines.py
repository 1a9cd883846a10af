"""Deadlines: overdue decisions in working days, overdue trips, escalation; sweeps never
double a finding."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from manifest.config import Settings
from manifest.local_time import CHINA
from manifest.services.deadlines import sweep
from manifest.services.findings_triage import add_comment
from tests.builders import build_world, create_manifest
from tests.reconcile.helpers import deliver, findings, issue, pickup


def local(*args) -> datetime:
    return datetime(*args, tzinfo=CHINA)


@pytest.fixture
def world(uow):
    return build_world(uow, year=2026)


def delivered_on_friday(world):
    """Delivered Friday 2026-11-06 10:00 China time (no public holiday that week)."""
    m = create_manifest(world)
    m = issue(world, m, local(2026, 11, 6, 8))
    m = pickup(world, m, local(2026, 11, 6, 9))
    return deliver(world, m, local(2026, 11, 6, 10))


def test_decision_due_after_five_working_days_across_a_weekend(world, uow):
    m = delivered_on_friday(world)
    # Mon 9 .. Fri 13 are the five working days: due at the end of Friday 13.
    assert sweep(uow, now=local(2026, 11, 13, 23, 59, 59)).overdue_decision == 0
    result = sweep(uow, now=local(2026, 11, 14, 0, 0))
    assert result.overdue_decision == 1
    [f] = findings(uow, m.id, type="overdue_decision")
    assert f.severity == "violation"
    assert "2026-11-13T16:00:00+00:00" in f.message
    assert [(p.organization_id, p.role) for p in f.parties] == [(world.centre.id, "receiver")]


def test_a_configured_holiday_moves_the_deadline(world, uow):
    m = delivered_on_friday(world)
    settings = Settings(holidays="2026-11-11")  # Wednesday off: due at the end of Monday 16
    assert sweep(uow, now=local(2026, 11, 16, 23, 59), settings=settings).overdue_decision == 0
    assert sweep(uow, now=local(2026, 11, 17, 0, 0), settings=settings).overdue_decision == 1
    assert len(findings(uow, m.id, type="overdue_decision")) == 1


def test_overdue_delivery_after_the_transit_limit(world, uow):
    m = create_manifest(world)
    m = issue(world, m, local(2026, 11, 2, 8))
    m = pickup(world, m, local(2026, 11, 2, 9))
    limit = local(2026, 11, 5, 9)  # three days
    assert sweep(uow, now=limit - timedelta(seconds=1)).overdue_delivery == 0
    assert sweep(uow, now=limit + timedelta(seconds=1)).overdue_delivery == 1
    assert sweep(uow, now=limit + timedelta(days=1)).overdue_delivery == 0
    assert len(findings(uow, m.id, type="overdue_delivery")) == 1
    short = Settings(transit_limit_days=1)
    m2 = create_manifest(world)
    m2 = issue(world, m2, local(2026, 11, 3, 8))
    m2 = pickup(world, m2, local(2026, 11, 3, 9))
    assert sweep(uow, now=local(2026, 11, 4, 9, 1), settings=short).overdue_delivery == 1


def test_sweep_twice_never_doubles_and_escalates_once(world, uow):
    m = delivered_on_friday(world)
    first = sweep(uow, now=local(2026, 11, 20))
    assert first.to_dict() == {"overdue_decision": 1, "overdue_delivery": 0, "escalated": 0}
    assert sweep(uow, now=local(2026, 11, 20, 0, 5)).to_dict() == {
        "overdue_decision": 0,
        "overdue_delivery": 0,
        "escalated": 0,
    }
    [f] = findings(uow, m.id, type="overdue_decision")
    # Due 15 days after it was raised; past that it is escalated, once.
    due = f.due_at
    assert due == local(2026, 11, 20) + timedelta(days=15)
    assert sweep(uow, now=due - timedelta(seconds=1)).escalated == 0
    assert sweep(uow, now=due + timedelta(seconds=1)).escalated == 1
    assert sweep(uow, now=due + timedelta(days=1)).escalated == 0
    [f] = findings(uow, m.id, type="overdue_decision")
    assert (f.status, f.escalated_at) == ("escalated", due + timedelta(seconds=1))


def test_explained_findings_are_not_escalated(world, uow):
    m = delivered_on_friday(world)
    sweep(uow, now=local(2026, 11, 20))
    [f] = findings(uow, m.id, type="overdue_decision")
    add_comment(
        uow,
        actor=world.centre.actor(),
        finding_id=f.id,
        body="磅秤故障，已于周一决定",
        status="explained",
    )
    assert sweep(uow, now=f.due_at + timedelta(days=1)).escalated == 0
