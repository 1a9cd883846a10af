"""The loads waiting for a carrier or a receiver: the lists a driver and a weighbridge
operator work from.

Each list is one page of manifests with a fixed number of queries whatever its length (the
count, the page, and the lines and legs loaded for the whole page at once).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, or_, select

from ..actor import Actor
from ..infra.db import utcnow
from ..models import Manifest
from .piles import INCOMING, PILES, TRIPS


def _union(ranks: dict[str, int], organization_id: int, now: datetime):
    """The condition of being in any of the piles ``ranks`` names, and each manifest's rank
    (the rank of the first pile it is in)."""
    conditions = {key: PILES[key].where(organization_id, now) for key in ranks}
    rank = case(*((cond, ranks[key]) for key, cond in conditions.items()), else_=len(ranks))
    return or_(*conditions.values()), rank


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
    condition, rank = _union(TRIPS, actor.organization_id, now)
    stmt = select(Manifest).where(condition)
    order = (rank, Manifest.planned_pickup_at, Manifest.id)
    return _page(session, stmt, order, page, per_page)


def incoming(
    session, actor: Actor, *, page: int = 1, per_page: int = 25
) -> tuple[list[Manifest], int]:
    """One page of the loads addressed to the actor's organisation that still need its
    signature (arrival, decision, completion), and their count: delivered loads awaiting a
    decision first, then those to complete, then those on the road, oldest first.

    Raises Forbidden when the organisation is no receiver.
    """
    actor.require_org_role("receiver")
    condition, rank = _union(INCOMING, actor.organization_id, utcnow())
    stmt = select(Manifest).where(condition)
    order = (rank, Manifest.picked_up_at, Manifest.id)
    return _page(session, stmt, order, page, per_page)
