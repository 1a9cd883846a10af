"""The manifest's status table: every allowed move, who makes it, and where it leads.

This table is the only place that knows which action is legal in which status. Services ask
it; views never test statuses themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .errors import InvalidTransition
from .texts import Text
from .tonnage import TALLIES


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


#: The line tallies an event may sign, each with the stored total it adds up to.
LINE_TALLY_TOTALS = {tally: total for total, tally in TALLIES}


@dataclass(frozen=True)
class Move:
    """One signed move and what its event signs, which chain verification replays.

    ``tallies`` are the line tallies the event signs, as (payload key, line attribute);
    ``carriers`` the carrier columns it signs, as (column, payload key), a key of None
    clearing the column; ``status_key`` the payload key signing the outcome of a move with
    several targets (a move whose targets are its sources keeps the status and signs none);
    ``drafts_lines`` marks the moves that write the lines themselves (codes, units,
    densities, declared quantities) before anything is signed. ``reconciles`` compares the
    tallies again after the move, ``judges_capacity`` raises the receiver's licence capacity
    findings, ``wants_track`` flags a trip closed without any GPS track. ``drivers_sign``
    lets the party's drivers sign the move (a load changes hands on the road), not only its
    administrators and members.
    """

    action: Action
    by: Party
    sources: frozenset[Status]
    targets: frozenset[Status]
    tallies: tuple[tuple[str, str], ...] = ()
    carriers: tuple[tuple[str, str | None], ...] = ()
    status_key: str | None = None
    drafts_lines: bool = False
    reconciles: bool = False
    judges_capacity: bool = False
    wants_track: bool = False
    drivers_sign: bool = False

    @property
    def keeps_status(self) -> bool:
        """Whether the move leaves every status it starts from as it is."""
        return bool(self.sources) and self.targets == self.sources and len(self.targets) > 1

    @property
    def status_after(self) -> Status | None:
        """The one status the move leads to, or None (it keeps the status or signs which)."""
        return next(iter(self.targets)) if len(self.targets) == 1 else None


def _move(action, by, sources, targets, **signs):
    return Move(action, by, frozenset(sources), frozenset(targets), **signs)


S = Status
_NAMED_CARRIERS = (
    ("transporter_id", "transporter_id"),
    ("next_transporter_id", "next_transporter_id"),
)
#: What the moves writing a draft's lines sign; what the issue signs (the declared figures,
#: judged against the receiver's capacity); what the moves taking the load on the road and
#: the arrival sign (the loaded and weighed figures, reconciled).
_DRAFTING = {"carriers": _NAMED_CARRIERS, "drafts_lines": True}
_ISSUING = {"tallies": (("declared", "declared"),), "judges_capacity": True}
_TAKES_LOAD = {"tallies": (("quantity", "loaded"),), "reconciles": True, "drivers_sign": True}
_ARRIVING = {"tallies": (("quantity", "received"),), "reconciles": True}
#: The whole lifecycle. ``decide`` has three possible targets; the service picks one from the
#: accepted and rejected quantities (see :func:`decision_outcome`) and signs it.
MOVES: dict[Action, Move] = {
    m.action: m
    for m in (
        _move(Action.CREATE, Party.GENERATOR, [], [S.DRAFT], **_DRAFTING),
        _move(Action.EDIT, Party.GENERATOR, [S.DRAFT], [S.DRAFT], **_DRAFTING),
        _move(Action.ISSUE, Party.GENERATOR, [S.DRAFT], [S.ISSUED], **_ISSUING),
        _move(Action.CANCEL, Party.GENERATOR, [S.DRAFT, S.ISSUED], [S.CANCELLED]),
        _move(
            Action.PICKUP,
            Party.TRANSPORTER,
            [S.ISSUED],
            [S.IN_TRANSIT],
            carriers=(("transporter_id", "transporter_id"),),
            **_TAKES_LOAD,
        ),
        # The current carrier names (or changes) the one transporter that may take over next;
        # the hand-over consumes the naming.
        _move(
            Action.NAME_NEXT,
            Party.TRANSPORTER,
            [S.ISSUED, S.IN_TRANSIT],
            [S.ISSUED, S.IN_TRANSIT],
            carriers=(("next_transporter_id", "transporter_id"),),
        ),
        _move(
            Action.HANDOFF,
            Party.NEXT_TRANSPORTER,
            [S.IN_TRANSIT],
            [S.IN_TRANSIT],
            carriers=(("transporter_id", "transporter_id"), ("next_transporter_id", None)),
            **_TAKES_LOAD,
        ),
        _move(Action.DELIVER, Party.RECEIVER, [S.IN_TRANSIT], [S.DELIVERED], **_ARRIVING),
        _move(
            Action.DECIDE,
            Party.RECEIVER,
            [S.DELIVERED],
            [S.ACCEPTED, S.PARTIALLY_REJECTED, S.REJECTED],
            tallies=(("accepted", "accepted"), ("rejected", "rejected")),
            status_key="status",
            reconciles=True,
            judges_capacity=True,
        ),
        _move(
            Action.COMPLETE,
            Party.RECEIVER,
            [S.ACCEPTED, S.PARTIALLY_REJECTED],
            [S.COMPLETED],
            wants_track=True,
        ),
    )
}


def table_problems(moves: dict[Action, Move]) -> list[str]:
    """What keeps chain verification from replaying every move of ``moves``: a move with
    several targets that neither keeps its status nor signs the outcome, a signed tally that
    is no line tally or whose total the move does not name, a reconciled move that signs
    no quantity. Empty when the table is sound."""
    problems = []
    for action, move in moves.items():
        several = len(move.targets) > 1
        if several and not move.keeps_status and move.status_key is None:
            problems.append(f"{action}: leads to several statuses but signs none of them")
        if move.status_key is not None and not several:
            problems.append(f"{action}: signs a status although it leads to one")
        for _, tally in move.tallies:
            if tally not in LINE_TALLY_TOTALS:
                problems.append(f"{action}: signs {tally}, which is no line tally")
        if move.reconciles and not move.tallies:
            problems.append(f"{action}: is reconciled but signs no quantity")
    return problems


def check_table(moves: dict[Action, Move]) -> dict[Action, Move]:
    """``moves`` when chain verification can replay every move. Raises ValueError naming
    each problem (see :func:`table_problems`)."""
    problems = table_problems(moves)
    if problems:
        raise ValueError("the status table cannot be replayed: " + "; ".join(problems))
    return moves


check_table(MOVES)


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
        expected = sorted(move.sources) or Text("nothing_new")
        raise InvalidTransition(
            Text("move_not_allowed", action=move.action, status=here, allowed=expected),
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


def next_statuses(status: Status, moves: dict[Action, Move] = MOVES) -> frozenset[Status]:
    """The statuses one move leads to from ``status``; a move that keeps the status leads
    back to it."""
    found = set()
    for move in moves.values():
        if status in move.sources:
            found |= {status} if move.keeps_status else move.targets
    return frozenset(found)


def statuses_reached_from(
    start: frozenset[Status], moves: dict[Action, Move] = MOVES
) -> frozenset[Status]:
    """``start`` and every status some sequence of moves leads to from it."""
    reached, todo = set(start), list(start)
    while todo:
        for status in next_statuses(todo.pop(), moves) - reached:
            reached.add(status)
            todo.append(status)
    return frozenset(reached)


def statuses_leading_to(
    goal: frozenset[Status], moves: dict[Action, Move] = MOVES
) -> frozenset[Status]:
    """``goal`` and every status from which some sequence of moves reaches it."""
    return frozenset(s for s in Status if statuses_reached_from(frozenset({s}), moves) & goal)


def recorded_statuses(moves: dict[Action, Move] = MOVES) -> tuple[Status, ...]:
    """Every status a manifest can be in, in the table's order of :class:`Status`."""
    reached = set().union(*(m.targets for m in moves.values()))
    return tuple(s for s in Status if s in reached)


def route_statuses(moves: dict[Action, Move] = MOVES) -> frozenset[Status]:
    """Statuses in which the trip has not ended: the delivery can still be signed, so the
    planned route may be set or replaced."""
    return statuses_leading_to(moves[Action.DELIVER].sources, moves)


def track_statuses(moves: dict[Action, Move] = MOVES) -> frozenset[Status]:
    """Statuses reached once the load was picked up: a GPS track of the trip may be filed."""
    return statuses_reached_from(moves[Action.PICKUP].targets, moves)


def actions_where(mark: str, moves: dict[Action, Move] = MOVES) -> frozenset[str]:
    """The actions whose move carries the flag ``mark`` (``reconciles``, ``judges_capacity``,
    ``wants_track``)."""
    return frozenset(a.value for a, m in moves.items() if getattr(m, mark))
