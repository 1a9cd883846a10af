"""Terminals and the fixes they report, made for the page tests as the API and the gateway
make them: bound through the service, fixes stored by the gateway's own writer."""

from __future__ import annotations

from datetime import datetime, timedelta

from manifest.local_time import CHINA
from manifest.models import Terminal
from manifest.services import terminals
from manifest.services.positions import store_positions


def bind(world, party, phone: str, plate: str, colour: int = 2) -> Terminal:
    """``party``'s administrator binds the terminal ``phone`` to the vehicle ``plate``."""
    return terminals.bind_terminal(
        world.uow,
        actor=party.actor(),
        organization_id=party.id,
        phone=phone,
        vehicle_plate=plate,
        plate_colour=colour,
    ).terminal


def report(
    world,
    terminal: Terminal,
    fixed_at: datetime,
    *,
    received_at: datetime | None = None,
    lat: float = 22.6,
    lon: float = 113.1,
    speed_kmh: float = 40.0,
    usable: bool = True,
) -> None:
    """One fix of ``terminal``, stored as the gateway stores a location report (PostgreSQL's
    monthly partitions made as needed)."""
    row = {
        "terminal_id": terminal.id,
        "vehicle_id": terminal.vehicle_id,
        "fixed_at": fixed_at,
        "received_at": received_at or fixed_at + timedelta(seconds=2),
        "lat_e6": round(lat * 1e6),
        "lon_e6": round(lon * 1e6),
        "altitude_m": 10,
        "speed_dkmh": round(speed_kmh * 10),
        "heading": 90,
        "alarm": 0,
        "status": 2 if usable else 0,
        "mileage_hm": None,
        "time_bcd": fixed_at.astimezone(CHINA).strftime("%y%m%d%H%M%S"),
        "positioned": usable,
        "usable": usable,
        "source": "live",
    }
    session = world.uow.session
    assert store_positions(session, [row], set()) == 1
    session.commit()
