"""Reading manifests and their chains, as the actor is allowed to see them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, select, union

from ..actor import Actor
from ..chain import Verdict
from ..models import CustodyEvent, Manifest, ManifestLine, Organization
from ..models.receipts import WeighbridgeMatch, WeighbridgeReceipt
from .access import load_visible, visible_branches
from .custody import manifest_events, verify_manifest_chain


def list_visible(
    session,
    actor: Actor,
    *,
    status: str | None = None,
    kind: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    receiver_id: int | None = None,
    waste_code: str | None = None,
    number: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[Manifest], int]:
    """One page of the manifests ``actor`` may see, newest first, and the total count; a
    named next transporter sees the manifests it may take over.

    Filters: ``status``, ``kind``, created in ``[start, end)``, the receiver, a line's
    ``waste_code`` (a full code, or a category such as ``HW17``), and ``number`` (digits
    anywhere in the manifest number)."""

    def filters(m) -> list:
        clauses = []
        if status:
            clauses.append(m.status == status)
        if kind:
            clauses.append(m.kind == kind)
        if start:
            clauses.append(m.created_at >= start)
        if end:
            clauses.append(m.created_at < end)
        if receiver_id is not None:
            clauses.append(m.receiver_id == receiver_id)
        if waste_code:
            code = waste_code.strip().upper()
            clauses.append(
                (m.category == code)
                | exists().where(ManifestLine.manifest_id == m.id, ManifestLine.waste_code == code)
            )
        if number:
            clauses.append(m.number.contains(number.strip(), autoescape=True))
        return clauses

    # The page's ids and the total in one statement, each way of seeing filtered through its
    # own index; then the page's manifests themselves.
    ids = union(*visible_branches(actor, True, where=filters)).subquery()
    found = (
        select(ids.c.id, func.count().over().label("total"))
        .order_by(ids.c.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
        .subquery()
    )
    rows = (
        session.execute(
            select(Manifest, found.c.total)
            .join(found, found.c.id == Manifest.id)
            .order_by(Manifest.id.desc())
        )
        .unique()
        .all()
    )
    if rows:
        return [row[0] for row in rows], rows[0][1]
    if page == 1:
        return [], 0
    return [], session.scalar(select(func.count()).select_from(ids))


def receivers_seen(session, actor: Actor) -> list[Organization]:
    """The receivers named on the manifests ``actor`` may see, by name (the list's filter)."""
    named = union(*visible_branches(actor, True, pick=lambda m: m.receiver_id))
    return list(
        session.scalars(
            select(Organization).where(Organization.id.in_(named)).order_by(Organization.name)
        )
    )


def get_visible(session, actor: Actor, ref) -> Manifest:
    """The manifest for its parties and regulators (not a named next transporter, which
    reads only :func:`get_detail`). Raises NotFound."""
    return load_visible(session, actor, ref)


@dataclass(frozen=True)
class ManifestDetail:
    """A manifest with its weighbridge tally; reads like the manifest for everything else."""

    manifest: Manifest
    #: ``{"ticket", "net_kg", "arrived_at"}`` of the matched weighing, or None.
    weighbridge: dict | None

    def __getattr__(self, name):
        return getattr(self.manifest, name)


def get_detail(session, actor: Actor, ref) -> ManifestDetail:
    """The manifest ``ref`` with the weighbridge record matched to it (the fourth tally), one
    query more than :func:`get_visible`; a named next transporter may read it too, to plan
    the hand-over. Raises NotFound like it."""
    return with_weighbridge(session, load_visible(session, actor, ref, named_next=True))


def with_weighbridge(session, manifest: Manifest) -> ManifestDetail:
    """``manifest``, which the caller may see, with the weighbridge record matched to it."""
    R, W = WeighbridgeReceipt, WeighbridgeMatch
    row = session.execute(
        select(R.ticket, R.net_kg, R.arrived_at)
        .join(W, W.receipt_id == R.id)
        .where(W.manifest_id == manifest.id, W.outcome == "matched")
    ).first()
    return ManifestDetail(manifest, None if row is None else row._asdict())


def events_visible(session, actor: Actor, ref) -> list[CustodyEvent]:
    return manifest_events(session, load_visible(session, actor, ref).id)


def verify_visible(session, actor: Actor, ref) -> Verdict:
    return verify_manifest_chain(session, load_visible(session, actor, ref))
