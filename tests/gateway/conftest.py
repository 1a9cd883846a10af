"""Fixtures of the gateway tests: a trip's world and a bound terminal."""

from __future__ import annotations

import pytest

from tests.tracks.conftest import trip_world  # noqa: F401 - the same world as track uploads

PHONE = "13912345678"


def bind(client, world, phone: str = PHONE, plate: str = "粤J12345", colour: int = 2):
    """The carrier's administrator binds the terminal; returns the answer."""
    return client.post(
        f"/api/v1/organizations/{world.carrier.id}/terminals",
        json={"phone": phone, "vehicle_plate": plate, "plate_colour": colour},
        headers=world.carrier.auth(),
    )


@pytest.fixture
def bound(client, world):
    r = bind(client, world)
    assert r.status_code == 201, r.get_json()
    return r.get_json()
