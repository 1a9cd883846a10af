"""The loads waiting for a carrier or a receiver: the lists a driver and a weighbridge
operator work from.

Each list is one page of manifests with a fixed number of queries whatever its length (the
count, the page, and the lines and legs loaded for the whole page at once).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import and_, case, func, or_, select

from ..actor import Actor
from ..models import Manifest
from ..numbering import CHINA
from ..status import Status


def end_of_day(now: datetime) -> datetime:
    """The end of ``now``'s day in Asia/Shanghai, as an aware time."""
    day = now.astimezone(CHINA).date()
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=CHINA)


def _page(session, stmt, order, page: int, per_page: int) -> tuple[list[Manifest], int]:
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = session.scalars(stmt.order_by(*order).offset((page - 1) * per_page).limit(per_page))
    return list(rows.unique()), total


def trips(
    session, actor: Actor, *, now: datetime, page: int = 1, per_page: int = 25
) -> tuple[list[Manifest], int]:
    """One page of the trips of the actor's organisation as a transporter, and their count:
    the loads on the road with it, the loads it is named to take over next, and the issued
    loads it is to pick up by the end of today in Asia/Shanghai (earlier ones still waiting
    included). On the road first, then by planned pickup.

    Raises Forbidden when the organisation is no transporter.
    """
    actor.require_org_role("transporter")
    org = actor.organization_id
    in_transit = Manifest.status == Status.IN_TRANSIT.value
    stmt = select(Manifest).where(
        or_(
            and_(in_transit, Manifest.transporter_id == org),
            and_(in_transit, Manifest.next_transporter_id == org),
            and_(
                Manifest.status == Status.ISSUED.value,
                Manifest.transporter_id == org,
                Manifest.planned_pickup_at < end_of_day(now),
            ),
        )
    )
    order = (case((in_transit, 0), else_=1), Manifest.planned_pickup_at, Manifest.id)
    return _page(session, stmt, order, page, per_page)


#: The statuses in which a receiver still has something to sign, in the order of the work.
INCOMING = (
    Status.IN_TRANSIT,
    Status.DELIVERED,
    Status.ACCEPTED,
    Status.PARTIALLY_REJECTED,
)


def incoming(
    session, actor: Actor, *, page: int = 1, per_page: int = 25
) -> tuple[list[Manifest], int]:
    """One page of the loads addressed to the actor's organisation that still need its
    signature (arrival, decision, completion), and their count: delivered loads awaiting a
    decision first, then those to complete, then those on the road, oldest first.

    Raises Forbidden when the organisation is no receiver.
    """
    actor.require_org_role("receiver")
    stmt = select(Manifest).where(
        Manifest.receiver_id == actor.organization_id,
        Manifest.status.in_([s.value for s in INCOMING]),
    )
    urgency = case(
        (Manifest.status == Status.DELIVERED.value, 0),
        (Manifest.status == Status.IN_TRANSIT.value, 2),
        else_=1,
    )
    order = (urgency, Manifest.picked_up_at, Manifest.id)
    return _page(session, stmt, order, page, per_page)
