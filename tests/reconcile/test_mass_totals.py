"""The mass totals stored on a manifest follow its lines through every move that writes them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from manifest.local_time import CHINA
from manifest.models import Manifest
from manifest.services import handover
from manifest.services.custody import verify_manifest_chain
from manifest.services.drafts import edit_manifest
from manifest.tonnage import mass_totals
from tests.builders import build_world, create_manifest, hazardous_body, name_next
from tests.reconcile.helpers import decide, deliver, issue, pickup

D = Decimal


@pytest.fixture
def world(uow):
    return build_world(uow, year=2026)


def at(hour):
    return datetime(2026, 11, 2, hour, tzinfo=CHINA)


def lines(world, tonnes="6.000"):
    plating, liquid = hazardous_body(world)["lines"]
    return [
        {**plating, "quantity": tonnes},
        liquid,  # 1500 kg
        {**liquid, "quantity": "2.000", "unit": "m3", "density_t_m3": "1.100"},
        {**liquid, "quantity": "4", "unit": "pcs", "container_count": 4},
    ]


def stored(sessions, manifest_id) -> dict:
    """The totals as stored, next to the totals of the stored lines (a fresh session)."""
    with sessions() as s:
        m = s.get(Manifest, manifest_id)
        row = {c: getattr(m, c) for c in mass_totals([]).as_dict()}
        assert row == mass_totals(m.lines).as_dict()
        return row


def test_totals_follow_the_lines_from_draft_to_decision(world, sessions):
    m = create_manifest(world, lines=lines(world))
    assert stored(sessions, m.id) == {
        "declared_kg": D("9700"),
        "loaded_kg": 0,
        "received_kg": 0,
        "accepted_kg": 0,
        "rejected_kg": 0,
        "unmeasured_lines": 1,
    }

    m = edit_manifest(
        world.uow, actor=world.plating.actor(), ref=m.id, changes={"lines": lines(world, "5")}
    )
    assert stored(sessions, m.id)["declared_kg"] == D("8700")

    m = issue(world, m, at(8))
    m = pickup(world, m, at(9), {1: "4.990", 2: "1490", 3: "1.900", 4: "4"})
    assert stored(sessions, m.id)["loaded_kg"] == D("8570")

    name_next(world, m, world.carrier2, at(10))
    m = handover.handoff(
        world.uow,
        actor=world.carrier2.actor(),
        ref=m.id,
        vehicle_plate="粤E54321",
        driver="王师傅",
        at=at(10),
        lines=[
            {"line_no": 1, "quantity": "4.980"},
            {"line_no": 2, "quantity": "1490"},
            {"line_no": 3, "quantity": "1.800"},
            {"line_no": 4, "quantity": "4"},
        ],
    )
    assert stored(sessions, m.id)["loaded_kg"] == D("8450")

    m = deliver(world, m, at(11), {1: "4.970", 2: "1480.5", 3: "1.800", 4: "4"})
    assert stored(sessions, m.id)["received_kg"] == D("8430.5")

    m = decide(world, m, at(12), {1: "0.500", 4: "1"})
    assert stored(sessions, m.id) == {
        "declared_kg": D("8700"),
        "loaded_kg": D("8450"),
        "received_kg": D("8430.5"),
        "accepted_kg": D("7930.5"),
        "rejected_kg": D("500"),
        "unmeasured_lines": 1,
    }
    with sessions() as s:
        assert verify_manifest_chain(s, s.get(Manifest, m.id)).valid
