"""Positioning terminals: bound to vehicles by the transporter's administrator, registered
and authenticated by the gateway.

A terminal is named by the phone number in its JT/T 808 headers. Binding it to a vehicle
(plate and plate colour, as the terminal states them when it registers) is what lets its
positions in: a terminal that is not bound, or whose registration names another vehicle, is
refused; an authenticated terminal feeds only the vehicle it is bound to.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, or_, select, update

from gps.jt808 import bodies

from ..actor import Actor
from ..errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..infra.db import utcnow
from ..infra.uow import UnitOfWork
from ..models import Terminal, Vehicle, VehiclePosition
from ..plates import validate_plate
from ..texts import Text

#: JT/T 808 plate colours: blue, yellow, black, white, green (new-energy), other.
PLATE_COLOURS = {1: "blue", 2: "yellow", 3: "black", 4: "white", 5: "green", 9: "other"}


def normalize_phone(text) -> str:
    """The phone number as the gateway sees it: ASCII digits, leading zeros dropped, at most
    20 digits (the 2019 header's BCD[10]). Raises ValidationFailed naming ``phone``."""
    raw = str(text if text is not None else "").strip()
    if not (raw.isascii() and raw.isdigit() and 1 <= len(raw) <= 20) or not raw.strip("0"):
        raise ValidationFailed(
            Text("terminal_phone_invalid"), errors={"phone": [Text("phone_digits")]}
        )
    return raw.lstrip("0")


def _colour(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in PLATE_COLOURS:
        raise ValidationFailed(
            Text("plate_colour_invalid"), errors={"plate_colour": [Text("plate_colour_choice")]}
        )
    return value


def may_manage_terminals(actor: Actor, organization_id: int | None) -> bool:
    """Whether ``actor`` binds, lists, moves and unbinds the terminals of the organisation:
    its administrators, when it is a transporter."""
    return (
        organization_id is not None
        and actor.organization_id == organization_id
        and actor.role == "admin"
        and "transporter" in actor.org_roles
    )


def _require_transporter_admin(actor: Actor, organization_id: int) -> None:
    """Raises Forbidden unless :func:`may_manage_terminals`."""
    if not may_manage_terminals(actor, organization_id):
        raise Forbidden(Text("terminals_for_transporter_admins"))


def _bind(s, *, actor: Actor, organization_id: int, phone: str, plate: str, colour: int):
    """Bind ``phone`` to the organisation's vehicle ``plate`` inside the caller's transaction,
    ending the bindings it replaces (see :func:`bind_terminal`)."""
    vehicle = s.scalar(select(Vehicle).where(Vehicle.plate == plate).with_for_update())
    if vehicle is None or vehicle.organization_id != organization_id or not vehicle.active:
        raise ValidationFailed(
            Text("vehicle_not_active", plate=plate),
            errors={"vehicle_plate": [Text("not_an_active_vehicle")]},
        )
    now = utcnow()
    for row in s.scalars(
        select(Terminal)
        .where(
            Terminal.unbound_at.is_(None),
            (Terminal.phone == phone) | (Terminal.vehicle_id == vehicle.id),
        )
        .with_for_update()
    ):
        if row.organization_id != organization_id:
            raise Conflict(Text("terminal_bound_elsewhere"))
        row.unbound_at = now
    s.flush()
    terminal = Terminal(
        phone=phone,
        organization_id=organization_id,
        vehicle_id=vehicle.id,
        plate_colour=colour,
        bound_by_id=actor.user_id,
        created_at=now,
    )
    s.add(terminal)
    s.flush()
    return terminal


def bind_terminal(
    uow: UnitOfWork,
    *,
    actor: Actor,
    organization_id: int,
    phone,
    vehicle_plate,
    plate_colour,
) -> TerminalRow:
    """Bind a terminal to one of the organisation's active vehicles; its administrators only.
    Returns the binding with the plate as stored (not heard from yet).

    A terminal already bound to another vehicle of the organisation moves to this one; a
    terminal bound before to this vehicle is unbound. Raises Forbidden, ValidationFailed,
    Conflict (the phone is bound to a vehicle of another organisation).
    """
    _require_transporter_admin(actor, organization_id)
    phone = normalize_phone(phone)
    plate = validate_plate(vehicle_plate or "", "vehicle_plate")
    colour = _colour(plate_colour)
    with uow:
        s = uow.session
        terminal = _bind(
            s, actor=actor, organization_id=organization_id, phone=phone, plate=plate, colour=colour
        )
        uow.commit()
        return TerminalRow(terminal, plate, None, None)


def _bound_terminal(s, organization_id: int, terminal_id) -> Terminal:
    """The organisation's terminal binding ``terminal_id`` in force, locked.

    Raises NotFound for a binding that ended, another organisation's and a missing one
    alike."""
    terminal = s.scalar(select(Terminal).where(Terminal.id == terminal_id).with_for_update())
    if terminal is None or terminal.organization_id != organization_id or terminal.unbound_at:
        raise NotFound(Text("terminal_not_found", id=terminal_id))
    return terminal


def unbind_terminal(uow: UnitOfWork, *, actor: Actor, organization_id: int, terminal_id) -> None:
    """End a terminal's binding (the transporter's administrators): from then on the gateway
    refuses its registration, its authentication and its positions, also on a connection
    already authenticated. Its stored positions stay. Raises Forbidden, NotFound."""
    _require_transporter_admin(actor, organization_id)
    with uow:
        s = uow.session
        terminal = _bound_terminal(s, organization_id, terminal_id)
        terminal.unbound_at = utcnow()
        terminal.auth_code_hash = None
        uow.commit()


def rebind_terminal(
    uow: UnitOfWork,
    *,
    actor: Actor,
    organization_id: int,
    terminal_id,
    vehicle_plate,
    plate_colour,
) -> TerminalRow:
    """Move a bound terminal to another active vehicle of the organisation (the transporter's
    administrators): the binding ``terminal_id`` ends and a new one starts, so the terminal
    registers again with the new plate and colour before it reports. Returns the new binding, as :func:`bind_terminal` does.
    Raises Forbidden, NotFound (no such binding in force), ValidationFailed."""
    _require_transporter_admin(actor, organization_id)
    plate = validate_plate(vehicle_plate or "", "vehicle_plate")
    colour = _colour(plate_colour)
    with uow:
        s = uow.session
        phone = _bound_terminal(s, organization_id, terminal_id).phone
        terminal = _bind(
            s, actor=actor, organization_id=organization_id, phone=phone, plate=plate, colour=colour
        )
        uow.commit()
        return TerminalRow(terminal, plate, None, None)


@dataclass(frozen=True)
class TerminalRow:
    """A terminal bound now, as its administrators see it."""

    terminal: Terminal
    vehicle_plate: str
    #: When the gateway last heard from it in this binding: its registration, authentication
    #: or heartbeat, or the receipt of its newest fix, whichever is latest.
    last_seen_at: datetime | None
    #: The time of its newest usable fix in this binding.
    last_fix_at: datetime | None


def list_terminals(session, *, actor: Actor, organization_id: int) -> list[TerminalRow]:
    """The terminals bound now to the organisation's vehicles, with each vehicle's plate and
    when the terminal was last heard from. Its administrators only; in one query.
    Raises Forbidden."""
    _require_transporter_admin(actor, organization_id)

    def newest(column, *conditions):
        return (
            select(column)
            .where(VehiclePosition.terminal_id == Terminal.id, *conditions)
            .order_by(VehiclePosition.fixed_at.desc())
            .limit(1)
            .correlate(Terminal)
            .scalar_subquery()
        )

    rows = session.execute(
        select(
            Terminal,
            Vehicle.plate,
            newest(VehiclePosition.received_at),
            newest(VehiclePosition.fixed_at, VehiclePosition.usable.is_(True)),
        )
        .join(Vehicle, Vehicle.id == Terminal.vehicle_id)
        .where(Terminal.organization_id == organization_id, Terminal.unbound_at.is_(None))
        .order_by(Terminal.id)
    ).all()
    return [
        TerminalRow(
            terminal=terminal,
            vehicle_plate=plate,
            last_seen_at=max(
                (t for t in (terminal.registered_at, terminal.heard_at, received) if t),
                default=None,
            ),
            last_fix_at=fixed,
        )
        for terminal, plate, received, fixed in rows
    ]


# ---------------------------------------------------------------- what the gateway asks


@dataclass(frozen=True)
class Binding:
    """An authenticated terminal and the only vehicle it may feed."""

    terminal_id: int
    vehicle_id: int
    plate: str
    phone: str


def _bound(session, phone: str, lock: bool = False):
    query = (
        select(Terminal, Vehicle)
        .join(Vehicle, Vehicle.id == Terminal.vehicle_id)
        .where(Terminal.phone == phone, Terminal.unbound_at.is_(None))
    )
    return session.execute(query.with_for_update() if lock else query).first()


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def register_terminal(
    uow: UnitOfWork, *, phone: str, plate: str, plate_colour: int, now: datetime
) -> tuple[int, str]:
    """Answer a registration (0x0100): (0x8100 result, authentication code).

    A bound terminal naming its vehicle's plate and colour gets a new code (the previous
    one stops working); an unknown terminal gets TERMINAL_UNKNOWN, a bound one naming
    another vehicle VEHICLE_UNKNOWN, with an empty code."""
    with uow:
        found = _bound(uow.session, phone.lstrip("0"), lock=True)
        if found is None:
            return bodies.TERMINAL_UNKNOWN, ""
        terminal, vehicle = found
        try:
            named = validate_plate(plate)
        except ValidationFailed:
            named = None
        if named != vehicle.plate or plate_colour != terminal.plate_colour:
            return bodies.VEHICLE_UNKNOWN, ""
        code = secrets.token_hex(8)
        terminal.auth_code_hash = _digest(code)
        terminal.registered_at = now
        uow.commit()
        return bodies.REGISTERED, code


def authenticate_terminal(session, *, phone: str, code: str) -> Binding | None:
    """The binding of a terminal presenting the code of its last registration, else None."""
    found = _bound(session, phone.lstrip("0"))
    if found is None:
        return None
    terminal, vehicle = found
    if terminal.auth_code_hash is None or not hmac.compare_digest(
        terminal.auth_code_hash, _digest(code)
    ):
        return None
    if not vehicle.active:
        return None
    return Binding(terminal.id, vehicle.id, vehicle.plate, terminal.phone)


def record_heard(uow: UnitOfWork, *, heard: dict[int, datetime]) -> None:
    """Note when the gateway last heard from terminals without a position (terminal id ->
    time of its authentication or heartbeat), never moving a terminal's time back."""
    if not heard:
        return
    table = Terminal.__table__
    with uow:
        uow.session.execute(
            update(table)
            .where(
                table.c.id == bindparam("terminal"),
                or_(table.c.heard_at.is_(None), table.c.heard_at < bindparam("at")),
            )
            .values(heard_at=bindparam("at")),
            [{"terminal": terminal, "at": at} for terminal, at in heard.items()],
        )
        uow.commit()


def forget_registration(uow: UnitOfWork, *, terminal_id: int) -> None:
    """A terminal's logout (0x0003): its code stops working; it registers again."""
    with uow:
        terminal = uow.session.get(Terminal, terminal_id)
        if terminal is not None:
            terminal.auth_code_hash = None
        uow.commit()
