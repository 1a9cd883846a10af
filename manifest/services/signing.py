"""The skeleton every signed move shares, and the checks of a signature.

A signed move locks the manifest row, checks that the signer's organisation is the party the
status table names and that the status allows the move, checks the claimed time and
position, writes its change, appends one custody event and runs the follow-up checks, all in
one transaction (:func:`sign_move`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from ..actor import TRANSPORT_ROLES, WRITE_ROLES, Actor
from ..errors import Forbidden, InvalidTransition, ValidationFailed
from ..infra.db import utcnow
from ..infra.uow import UnitOfWork
from ..models import Manifest
from ..status import MOVES, Action, Party, move_for
from ..texts import Text
from ..tonnage import mass_totals
from .access import load_visible
from .custody import append_event
from .followups import after_move

#: How far ahead of the server's clock a client's claimed time may be.
CLOCK_SKEW = timedelta(minutes=5)

#: Changes the locked manifest for a move signed at the given time and returns what the
#: event signs, or None when there is nothing to sign.
MoveWriter = Callable[[Session, Manifest, datetime], dict | None]


def check_time(manifest: Manifest, at, field: str = "at") -> datetime:
    """``at`` as a signature time: aware, plausible, not in the future, not before the
    manifest's previous signature. Raises ValidationFailed."""
    if not isinstance(at, datetime) or at.tzinfo is None:
        raise ValidationFailed(
            Text("time_needs_offset", field=field), errors={field: [Text("a_time_with_offset")]}
        )
    if not 2000 <= at.year <= 2100:  # also keeps offset arithmetic clear of datetime's limits
        raise ValidationFailed(
            Text("time_out_of_range", field=field), errors={field: [Text("out_of_range")]}
        )
    if at > utcnow() + CLOCK_SKEW:
        raise ValidationFailed(
            Text("time_in_future", field=field), errors={field: [Text("in_the_future")]}
        )
    if manifest.last_move_at is not None and at < manifest.last_move_at:
        raise ValidationFailed(
            Text("time_backwards", field=field, at=at, previous=manifest.last_move_at),
            errors={field: [Text("before_previous", previous=manifest.last_move_at)]},
        )
    return at


def check_position(position) -> dict | None:
    """The signer's claimed ``{lat, lon}`` (or None). Raises ValidationFailed."""
    if position is None:
        return None
    try:
        lat, lon = float(position["lat"]), float(position["lon"])
    except (KeyError, TypeError, ValueError):
        raise ValidationFailed(
            Text("position_needs_lat_lon"), errors={"position": [Text("numeric_lat_lon")]}
        ) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValidationFailed(
            Text("position_out_of_range"), errors={"position": [Text("out_of_range")]}
        )
    return {"lat": lat, "lon": lon}


def refresh_mass_totals(manifest: Manifest) -> None:
    """Rewrite the manifest's stored mass totals from its lines as they are in memory.

    Every service that writes line quantities calls this in the same transaction; the
    balance reads the totals, and chain verification checks them against the lines.
    """
    for column, value in mass_totals(manifest.lines).as_dict().items():
        setattr(manifest, column, value)


def finish_move(s, manifest: Manifest, action: Action, at: datetime | None) -> None:
    """Close a move inside its transaction: the latest signature time, the mass totals, and
    the follow-up checks (reconciliation, findings) of ``action``."""
    if at is not None:
        manifest.last_move_at = max(at, manifest.last_move_at or at)
    # Unchanged totals are no change to the row: moves that write no quantity cost nothing.
    refresh_mass_totals(manifest)
    s.flush()
    after_move(s, manifest, action.value)


def record_move(
    s, manifest: Manifest, actor: Actor, action: Action, payload: dict, at=None, position=None
) -> None:
    """Sign ``action`` on the manifest, whose row the caller holds locked (or has just
    created) with its change written: set the status the table leads to when it names one,
    append the event the table's party signs with ``payload``, the claimed time ``at`` and
    ``position`` (None: none claimed), and finish the move (:func:`finish_move`). Nothing
    is committed."""
    move = MOVES[action]
    if move.status_after is not None:
        manifest.status = move.status_after.value
    append_event(
        s,
        manifest=manifest,
        action=action.value,
        actor=actor,
        party=move.by.value,
        claimed_time=at,
        position=position,
        payload=payload,
    )
    finish_move(s, manifest, action, at)


def _require_party(actor: Actor, manifest: Manifest, party: Party, roles) -> None:
    org_of = {
        Party.GENERATOR: manifest.generator_id,
        Party.TRANSPORTER: manifest.transporter_id,
        Party.NEXT_TRANSPORTER: manifest.next_transporter_id,
        Party.RECEIVER: manifest.receiver_id,
    }
    if actor.organization_id is None or actor.organization_id != org_of[party]:
        raise Forbidden(f"only the manifest's {party.value.replace('_', ' ')} may do this")
    actor.require_user_role(roles)


def open_move(s, actor: Actor, ref, action: Action) -> Manifest:
    """Lock the manifest and check that the actor's organisation is the party the status
    table names for ``action`` (with a writing role, or as a driver where the table lets
    drivers sign) and that the manifest's status allows it.

    A named next transporter finds the manifest only for the move the table gives it; for
    anyone else who is no party it does not exist. Raises NotFound, Forbidden,
    InvalidTransition.
    """
    by_next = MOVES[action].by == Party.NEXT_TRANSPORTER
    manifest = load_visible(s, actor, ref, lock=True, named_next=by_next)
    check_may_sign(actor, manifest, action)
    return manifest


def check_may_sign(actor: Actor, manifest: Manifest, action: Action) -> None:
    """That the actor's organisation is the party the status table names for ``action``,
    with a writing role (or as a driver where the table lets drivers sign), and that the
    manifest's status allows it. Raises Forbidden, InvalidTransition."""
    move = MOVES[action]
    roles = TRANSPORT_ROLES if move.drivers_sign else WRITE_ROLES
    _require_party(actor, manifest, move.by, roles)
    move_for(action, manifest.status)


def moves_open_to(actor: Actor, manifest: Manifest) -> list[Action]:
    """The signed moves the actor may make on ``manifest`` now, in the table's order (for
    pages that offer only what the user may do)."""
    open_moves = []
    for action in MOVES:
        if action in (Action.CREATE, Action.EDIT):
            continue
        try:
            check_may_sign(actor, manifest, action)
        except (Forbidden, InvalidTransition):
            continue
        open_moves.append(action)
    return open_moves


def sign_move(
    uow: UnitOfWork,
    *,
    actor: Actor,
    ref,
    action: Action,
    at: datetime | None,
    position: dict | None = None,
    write: MoveWriter,
    at_field: str = "at",
    default_at: Callable[[Manifest], datetime] | None = None,
) -> Manifest:
    """Sign ``action`` on the manifest ``ref`` in one transaction: open the move (see
    :func:`open_move`), check the time (``default_at`` of the manifest when ``at`` is None;
    errors under ``at_field``) and the position, let ``write`` change the manifest, set the
    status the table leads to when it names one, append the event the table's party signs
    with what ``write`` returned, finish the move and commit. When ``write`` returns None
    nothing is signed or kept.

    Raises NotFound, Forbidden, InvalidTransition, ValidationFailed, and whatever ``write``
    raises (nothing is changed then).
    """
    with uow:
        s = uow.session
        manifest = open_move(s, actor, ref, action)
        if at is None and default_at is not None:
            at = default_at(manifest)
        at = check_time(manifest, at, at_field)
        position = check_position(position)
        payload = write(s, manifest, at)
        if payload is None:
            return manifest
        record_move(
            s, manifest, actor=actor, action=action, payload=payload, at=at, position=position
        )
        uow.commit()
        return manifest
