"""The manifest's status table: every allowed move, who makes it, and where it leads.

This table is the only place that knows which action is legal in which status. Services ask
it; views never test statuses themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .errors import InvalidTransition


class Status(StrEnum):
    DRAFT = "draft"
    ISSUED = "issued"
    IN_TRANSIT = "in_transit"
    DELIVERED = "delivered"
    ACCEPTED = "accepted"
    PARTIALLY_REJECTED = "partially_rejected"
    REJECTED = "rejected"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class Action(StrEnum):
    CREATE = "create"
    EDIT = "edit"
    ISSUE = "issue"
    CANCEL = "cancel"
    PICKUP = "pickup"
    NAME_NEXT = "name_next"
    HANDOFF = "handoff"
    DELIVER = "deliver"
    DECIDE = "decide"
    COMPLETE = "complete"


class Party(StrEnum):
    """The role an organisation plays on one manifest."""

    GENERATOR = "generator"
    TRANSPORTER = "transporter"
    NEXT_TRANSPORTER = "next_transporter"
    RECEIVER = "receiver"


@dataclass(frozen=True)
class Move:
    action: Action
    by: Party
    sources: frozenset[Status]
    targets: frozenset[Status]


def _move(action, by, sources, targets):
    return Move(action, by, frozenset(sources), frozenset(targets))


S = Status
#: The whole lifecycle. ``decide`` has three possible targets; the service picks one from the
#: accepted and rejected quantities (see :func:`decision_outcome`).
MOVES: dict[Action, Move] = {
    m.action: m
    for m in (
        _move(Action.CREATE, Party.GENERATOR, [], [S.DRAFT]),
        _move(Action.EDIT, Party.GENERATOR, [S.DRAFT], [S.DRAFT]),
        _move(Action.ISSUE, Party.GENERATOR, [S.DRAFT], [S.ISSUED]),
        _move(Action.CANCEL, Party.GENERATOR, [S.DRAFT, S.ISSUED], [S.CANCELLED]),
        _move(Action.PICKUP, Party.TRANSPORTER, [S.ISSUED], [S.IN_TRANSIT]),
        # The current carrier names (or changes) the one transporter that may take over next;
        # the hand-over consumes the naming.
        _move(
            Action.NAME_NEXT,
            Party.TRANSPORTER,
            [S.ISSUED, S.IN_TRANSIT],
            [S.ISSUED, S.IN_TRANSIT],
        ),
        _move(Action.HANDOFF, Party.NEXT_TRANSPORTER, [S.IN_TRANSIT], [S.IN_TRANSIT]),
        _move(Action.DELIVER, Party.RECEIVER, [S.IN_TRANSIT], [S.DELIVERED]),
        _move(
            Action.DECIDE,
            Party.RECEIVER,
            [S.DELIVERED],
            [S.ACCEPTED, S.PARTIALLY_REJECTED, S.REJECTED],
        ),
        _move(Action.COMPLETE, Party.RECEIVER, [S.ACCEPTED, S.PARTIALLY_REJECTED], [S.COMPLETED]),
    )
}

TERMINAL = frozenset({S.COMPLETED, S.CANCELLED, S.REJECTED})
#: Statuses in which the load is physically on the road.
MOVING = frozenset({S.IN_TRANSIT})


def move_for(action: Action | str, current: Status | str | None) -> Move:
    """The move for ``action`` from ``current``.

    Raises InvalidTransition when the action is not allowed from that status.
    """
    move = MOVES[Action(action)]
    here = None if current is None else Status(current)
    allowed = here in move.sources if move.sources else here is None
    if not allowed:
        expected = ", ".join(sorted(move.sources)) or "nothing (a new manifest)"
        raise InvalidTransition(
            f"cannot {move.action} a manifest that is {here}; it must be {expected}",
            details={
                "status": here,
                "action": str(move.action),
                "allowed_from": sorted(move.sources),
            },
        )
    return move


def decision_outcome(accepted_total, rejected_total) -> Status:
    """The status a decision leads to, from the accepted and rejected totals of all lines."""
    if rejected_total == 0:
        return S.ACCEPTED
    if accepted_total == 0:
        return S.REJECTED
    return S.PARTIALLY_REJECTED


def actions_open_to(status: Status | str) -> list[Action]:
    """Actions that may be taken next from ``status`` (for clients that draw buttons)."""
    here = Status(status)
    return [a for a, m in MOVES.items() if here in m.sources]
