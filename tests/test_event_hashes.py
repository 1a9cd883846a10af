"""The hashes a draft's create and edit events get are pinned: filing and editing the same
draft with the same inputs gives the same two hashes, byte for byte, on both databases.

A change to what an event's hash covers (its fields, the draft snapshot in its payload) or
to the canonical form (key order, separators, how decimals, times and positions are written)
changes these hashes, and every chain already stored would stop verifying. Such a change
must be deliberate, with a plan for the stored chains; then these figures are updated.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from manifest.chain import GENESIS
from manifest.models import CustodyEvent
from manifest.services import custody, registry
from manifest.services.custody import verify_manifest_chain
from manifest.services.drafts import create_manifest, edit_manifest
from manifest.uscc import make_uscc

#: When the generator says it filled the draft in, and the server's clock at the create
#: and at the edit.
FILED_AT = datetime(2026, 11, 2, 1, 15, 30, 250000, tzinfo=UTC)
SERVER_TIMES = (
    datetime(2026, 11, 2, 1, 16, 0, 125000, tzinfo=UTC),
    datetime(2026, 11, 2, 2, 5, 45, tzinfo=UTC),
)

CREATE_HASH = "6558e31b94bd609fe6721613b197b4ed103d7857688965be75430cc6907ab999"
EDIT_HASH = "ee19df6b44d892384a4f5c80f19173936bf0338fb674d12f9e39a13a26dd0816"


def _organisation(uow, name: str, role: str, body: str, lat: float, lon: float) -> int:
    org = registry.create_organization(
        uow,
        actor=None,
        name=name,
        uscc=make_uscc("440703", body),
        roles=[role],
        region_code="440703",
        address=f"{name} 厂区",
        location={"lat": lat, "lon": lon},
    )
    return org.id


def _draft(transporter_id: int, receiver_id: int) -> dict:
    return {
        "kind": "hazardous",
        "transporter_id": transporter_id,
        "vehicle_plate": "粤J12345",
        "receiver_id": receiver_id,
        "planned_pickup_at": datetime(2026, 11, 3, 1, 0, tzinfo=UTC),
        "operation": "D10",
        "notes": "吨袋装，车厢加盖",
        "lines": [
            {
                "waste_code": "336-064-17",
                "name": "电镀污泥",
                "physical_form": "SS",
                "hazard": ["T"],
                "packaging": "吨袋",
                "container_count": 8,
                "quantity": "6.480",
                "unit": "t",
            },
            {
                "waste_code": "336-063-17",
                "name": "电镀废液",
                "physical_form": "L",
                "hazard": ["T", "C"],
                "packaging": "IBC",
                "container_count": 2,
                "quantity": "1500",
                "unit": "kg",
            },
        ],
    }


@pytest.fixture
def server_clock(monkeypatch):
    """The server's clock as the chain reads it, at the fixed times of :data:`SERVER_TIMES`
    in turn (the one input of an event the service takes from the clock)."""
    times = iter(SERVER_TIMES)
    monkeypatch.setattr(custody, "utcnow", lambda: next(times))


def test_a_drafts_create_and_edit_events_have_their_known_hashes(uow, server_clock):
    generator = _organisation(
        uow, "江门市恒美电镀有限公司", "generator", "MA0000001", 22.58, 113.08
    )
    transporter = _organisation(
        uow, "江门市安运危险品运输有限公司", "transporter", "MA0000002", 22.55, 113.05
    )
    receiver = _organisation(
        uow, "江门市东江环保技术有限公司", "receiver", "MA0000003", 22.40, 113.0
    )
    filer = registry.add_member(
        uow,
        actor=None,
        organization_id=generator,
        email="filer@hengmei.example.cn",
        password="correct horse battery",
        role="admin",
    )
    actor = registry.actor_for_user(filer)

    manifest = create_manifest(uow, actor=actor, data=_draft(transporter, receiver), at=FILED_AT)
    edit_manifest(
        uow,
        actor=actor,
        ref=manifest.id,
        changes={"vehicle_plate": "粤J88888", "notes": "改派大车"},
    )
    # The ids the events name: the first rows of an empty database.
    assert (manifest.id, actor.user_id, generator, transporter, receiver) == (1, 1, 1, 2, 3)

    s = uow.session
    created, edited = s.query(CustodyEvent).order_by(CustodyEvent.sequence).all()
    assert (created.action, created.previous_hash) == ("create", GENESIS)
    assert (edited.action, edited.previous_hash) == ("edit", created.hash)
    assert (created.server_time, edited.server_time) == SERVER_TIMES
    assert created.hash == CREATE_HASH
    assert edited.hash == EDIT_HASH
    assert verify_manifest_chain(s, manifest).valid
