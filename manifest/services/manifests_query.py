"""Reading manifests and their chains, as the actor is allowed to see them."""

from __future__ import annotations

from datetime import datetime

from ..actor import Actor
from ..chain import Verdict
from ..models import CustodyEvent, Manifest
from .access import load_visible, visible_manifests
from .custody import manifest_events, verify_manifest_chain


def list_visible(session, actor: Actor, *, status: str | None = None, kind: str | None = None,
                 start: datetime | None = None, end: datetime | None = None, page: int = 1,
                 per_page: int = 50) -> tuple[list[Manifest], int]:
    """One page of the manifests ``actor`` may see, newest first, and the total count."""
    from sqlalchemy import func, select

    stmt = visible_manifests(actor)
    if status:
        stmt = stmt.where(Manifest.status == status)
    if kind:
        stmt = stmt.where(Manifest.kind == kind)
    if start:
        stmt = stmt.where(Manifest.created_at >= start)
    if end:
        stmt = stmt.where(Manifest.created_at < end)
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = session.scalars(stmt.order_by(Manifest.id.desc()).offset((page - 1) * per_page)
                           .limit(per_page)).unique().all()
    return list(rows), total


def get_visible(session, actor: Actor, ref) -> Manifest:
    return load_visible(session, actor, ref)


def events_visible(session, actor: Actor, ref) -> list[CustodyEvent]:
    return manifest_events(session, load_visible(session, actor, ref).id)


def verify_visible(session, actor: Actor, ref) -> Verdict:
    return verify_manifest_chain(session, load_visible(session, actor, ref))
