"""Licence capacity: a finding on reaching 100 % of the licensed tonnage, refusal above 120 %.

The kiln is licensed for 100 t of HW17 a year; the issue-time refusal and the findings read
the same figures, also when a second licence names the same scope.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from manifest.errors import ChecksFailed
from manifest.services import registry
from tests.builders import create_manifest, now
from tests.reconcile.helpers import decide, deliver, findings, issue, measured, pickup, trip


def to_kiln(world, tonnes: str) -> dict:
    return {
        "receiver_id": world.kiln.id,
        "vehicle_plate": "粤J88888",
        "operation": "R5",
        "lines": [
            {
                "waste_code": "336-064-17",
                "name": "电镀污泥",
                "physical_form": "SS",
                "hazard": ["T"],
                "quantity": tonnes,
                "unit": "t",
            }
        ],
    }


def test_capacity_finding_at_100_percent_and_refusal_above_120(world, uow):
    t = now() - timedelta(hours=8)
    for _ in range(3):
        trip(world, start=t, to="accepted", **to_kiln(world, "30"))
    assert findings(uow, type="licence_capacity") == []  # 90 t: 90 %

    reaching = trip(world, start=t, to="issued", **to_kiln(world, "10"))
    [f] = findings(uow, type="licence_capacity")
    got = measured(f)
    assert (got["licensed_t"], got["accepted_t"], got["this_manifest_t"], got["total_t"]) == (
        "100.000",
        "90.000",
        "10.000",
        "100.000",
    )
    assert got["share_pct"] == "100.00"
    assert got["scope"] == "HW17"
    assert (f.severity, f.manifest_id) == ("warning", reaching.id)
    assert [(p.organization_id, p.role) for p in f.parties] == [(world.kiln.id, "receiver")]

    # Accepting it reaches 100 % in fact: the same finding, not a second one.
    reaching = pickup(world, reaching, t + timedelta(hours=1))
    reaching = deliver(world, reaching, t + timedelta(hours=2))
    decide(world, reaching, t + timedelta(hours=3))
    assert len(findings(uow, type="licence_capacity")) == 1

    over = create_manifest(world, **to_kiln(world, "20.001"))
    with pytest.raises(ChecksFailed) as refused:
        issue(world, over, t + timedelta(hours=4))
    [failure] = refused.value.details
    assert failure["check"] == "receiver_capacity"
    assert failure["actual"] == "120.001 t"

    at_limit = create_manifest(world, **to_kiln(world, "20"))
    assert issue(world, at_limit, t + timedelta(hours=4)).status == "issued"  # 120 % exactly
    assert len(findings(uow, type="licence_capacity")) == 1


def test_just_below_capacity_no_finding(world, uow):
    t = now() - timedelta(hours=8)
    for _ in range(3):
        trip(world, start=t, to="accepted", **to_kiln(world, "30"))
    trip(world, start=t, to="issued", **to_kiln(world, "9.999"))  # 99.999 %
    assert findings(uow, type="licence_capacity") == []


def test_two_licences_on_one_scope_refusal_and_finding_use_the_largest(world, uow):
    """A renewal granted before the old licence runs out: 150 t of HW17 next to 100 t. The
    receiver may work up to the larger figure; the smaller one neither refuses nor warns."""
    year = now().year
    renewal = registry.add_licence(
        uow,
        actor=None,
        organization_id=world.kiln.id,
        kind="hw_operation",
        number="440781-HW-002-R",
        valid_from=date(year, 1, 1),
        valid_to=date(year + 4, 12, 31),
        waste_codes=["HW17"],
        annual_capacity_t={"HW17": "150"},
        operations=["R5"],
    )
    t = now() - timedelta(hours=8)
    for _ in range(4):
        trip(world, start=t, to="accepted", **to_kiln(world, "30"))

    # 150 t: 150 % of the old licence, which alone would have refused it; 100 % of the renewal.
    reaching = trip(world, start=t, to="issued", **to_kiln(world, "30"))
    [f] = findings(uow, type="licence_capacity")
    got = measured(f)
    assert (got["licensed_t"], got["total_t"], got["share_pct"]) == ("150.000", "150.000", "100.00")
    assert (f.severity, f.manifest_id) == ("warning", reaching.id)
    reaching = pickup(world, reaching, t + timedelta(hours=1))
    reaching = deliver(world, reaching, t + timedelta(hours=2))
    decide(world, reaching, t + timedelta(hours=3))

    at_limit = trip(world, start=t + timedelta(hours=4), to="accepted", **to_kiln(world, "30"))
    assert at_limit.status == "accepted"  # 180 t: 120 % of 150 t is still allowed
    assert len(findings(uow, type="licence_capacity")) == 1

    over = create_manifest(world, **to_kiln(world, "0.001"))
    with pytest.raises(ChecksFailed) as refused:
        issue(world, over, t + timedelta(hours=6))
    [failure] = refused.value.details
    assert (failure["check"], failure["expected"], failure["actual"]) == (
        "receiver_capacity",
        "<= 180 t",
        "180.001 t",
    )

    # Suspending the renewal leaves the old licence in force: the refusal names its 100 t.
    registry.set_licence_status(
        uow, actor=world.regulator.actor(), licence_id=renewal.id, status="suspended"
    )
    with pytest.raises(ChecksFailed) as refused:
        issue(world, over, t + timedelta(hours=6))
    assert [d["expected"] for d in refused.value.details] == ["<= 120 t"]
