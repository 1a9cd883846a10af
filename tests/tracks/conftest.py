"""Fixtures shared by the track tests."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from manifest.models import Organization
from tests.gps import synth


@pytest.fixture
def trip_world(world):
    """The receiver's site where the synthetic drive ends, so a clean drive is clean."""
    lat, lon = synth.DESTINATION
    world.uow.session.execute(
        update(Organization).where(Organization.id == world.centre.id).values(lat=lat, lon=lon)
    )
    world.uow.session.commit()
    return world
