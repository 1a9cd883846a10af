"""The piles of work: which manifests wait for which organisation's next move.

Each pile is named once here, by the move it waits for and the party that makes it; the
statuses it holds are that move's sources in the status table (``manifest.status.MOVES``).
The home page counts the piles (:mod:`.worklist`); the trips and incoming pages list their
union (:mod:`.worklists`). Neither states a status of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import and_
from sqlalchemy.sql.elements import ColumnElement

from ..local_time import CHINA
from ..models import Manifest
from ..status import MOVES, Action, Status


def end_of_day(now: datetime) -> datetime:
    """The end of ``now``'s day in Asia/Shanghai, as an aware time."""
    day = now.astimezone(CHINA).date()
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=CHINA)


@dataclass(frozen=True)
class PileRule:
    """A pile: the manifests in which the organisation named in the manifest's ``column``
    has ``action`` to make (or to wait for, when the party is another), limited to those
    planned for pickup by the end of today when ``due_today``."""

    key: str
    action: Action
    column: str
    due_today: bool = False

    @property
    def statuses(self) -> frozenset[Status]:
        """The statuses the pile holds: those the move may be made from."""
        return MOVES[self.action].sources

    def where(self, organization_id: int, now: datetime) -> ColumnElement[bool]:
        """The condition a manifest meets to be in the pile of ``organization_id`` at
        ``now``."""
        clauses = [
            getattr(Manifest, self.column) == organization_id,
            Manifest.status.in_(sorted(s.value for s in self.statuses)),
        ]
        if self.due_today:
            clauses.append(Manifest.planned_pickup_at < end_of_day(now))
        return and_(*clauses)


PILES: dict[str, PileRule] = {
    rule.key: rule
    for rule in (
        # The generator's drafts wait for its issue, its issued loads for the carrier.
        PileRule("drafts", Action.ISSUE, "generator_id"),
        PileRule("awaiting_pickup", Action.PICKUP, "generator_id"),
        # The carrier's loads to pick up by tonight (earlier ones still waiting included),
        # those it is named to take over, and those on the road with it awaiting arrival.
        PileRule("pickup_today", Action.PICKUP, "transporter_id", due_today=True),
        PileRule("handovers", Action.HANDOFF, "next_transporter_id"),
        PileRule("in_transit", Action.DELIVER, "transporter_id"),
        # The receiver's signatures: arrival, decision, completion.
        PileRule("arrivals", Action.DELIVER, "receiver_id"),
        PileRule("decisions", Action.DECIDE, "receiver_id"),
        PileRule("completions", Action.COMPLETE, "receiver_id"),
    )
}

#: The piles the trips page lists, with the rank of each in its order (the loads on the road,
#: its own and those to take over, before the pickups).
TRIPS = {"in_transit": 0, "handovers": 0, "pickup_today": 1}
#: The piles the incoming page lists, most urgent first: decisions run against a deadline.
INCOMING = {"decisions": 0, "completions": 1, "arrivals": 2}
