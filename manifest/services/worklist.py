"""What needs a user's action now: the counts and first few manifests of each pile of work
(by the roles of the user's organisation), the open findings about the organisation, and the
latest custody events of its manifests.

A fixed number of queries whatever the number of manifests, events or findings: one for the
piles (their sizes and first few manifests), one for the findings and one for the activity.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, func, literal, select, union_all

from ..actor import TRANSPORT_ROLES, WRITE_ROLES, Actor
from ..infra.db import settings_of, utcnow
from ..models import CustodyEvent, Finding, Manifest, Organization
from .access import visible_manifests
from .deadlines import calendar
from .findings_triage import visible_findings
from .piles import PILES

#: How many manifests, findings and events each part of the home page lists.
SHOWN = 5
ACTIVITY = 10
UNRESOLVED = ("open", "explained", "escalated")


@dataclass(frozen=True)
class Entry:
    """One manifest in a pile: its id and number, the other party it concerns, the time that
    matters for the pile and, for decisions, the deadline (and whether it has passed)."""

    manifest_id: int
    number: str | None
    counterpart: str
    at: datetime | None
    deadline: datetime | None = None
    overdue: bool = False


@dataclass(frozen=True)
class Pile:
    """A pile of work: ``key`` names it (``drafts``, ``awaiting_pickup``, ``pickup_today``,
    ``handovers``, ``in_transit``, ``arrivals``, ``decisions``, ``completions``), with the
    number of manifests in it and the first few."""

    key: str
    count: int
    entries: list[Entry]


@dataclass(frozen=True)
class FindingEntry:
    id: int
    type: str
    severity: str
    status: str
    manifest_id: int | None
    number: str | None
    due_at: datetime


@dataclass(frozen=True)
class ActivityEntry:
    """One custody event: ``at`` is the time its signer claimed to sign (what the chain
    records them signing for), ``received_at`` when the service received it."""

    manifest_id: int
    number: str | None
    action: str
    user_email: str
    organization: str | None
    at: datetime
    received_at: datetime


@dataclass
class Worklist:
    piles: list[Pile] = field(default_factory=list)
    findings_count: int = 0
    findings: list[FindingEntry] = field(default_factory=list)
    activity: list[ActivityEntry] = field(default_factory=list)


def worklist(session, actor: Actor, *, now: datetime | None = None) -> Worklist:
    """The work of ``actor``'s organisation now, as the home page shows it: the piles its
    roles and the user's role may act on, the unresolved findings about it and the latest
    events of the manifests it may see (a regulator gets no piles, only findings and
    activity of its regions)."""
    now = now or utcnow()
    out = Worklist()
    keys = _pile_keys(actor)
    found: dict[str, list] = {key: [] for key in keys}
    if keys:
        for row in session.execute(_piles_statement(actor, keys, now)):
            found[row.pile].append(row)
    for key in keys:
        rows = found[key]
        entries = [Entry(r.id, r.number, r.counterpart or "", r.at) for r in rows]
        if key == "decisions":
            entries = _with_deadlines(session, entries, now)
        out.piles.append(Pile(key, rows[0].total if rows else 0, entries))
    _findings(session, actor, out)
    out.activity = _activity(session, actor)
    return out


#: How the home page shows each pile: whose name, which time, in which order.
SHOWN_AS = {
    "drafts": ("receiver", "created_at", Manifest.created_at.desc()),
    "awaiting_pickup": ("transporter", "planned_pickup_at", Manifest.planned_pickup_at),
    "pickup_today": ("generator", "planned_pickup_at", Manifest.planned_pickup_at),
    "handovers": ("transporter", "picked_up_at", Manifest.picked_up_at),
    "in_transit": ("receiver", "picked_up_at", Manifest.picked_up_at),
    "arrivals": ("generator", "picked_up_at", Manifest.picked_up_at),
    "decisions": ("generator", "delivered_at", Manifest.delivered_at),
    "completions": ("generator", "decided_at", Manifest.decided_at),
}


def _pile_keys(actor: Actor) -> list[str]:
    """The piles the actor works on: those of each role of its organisation the user's role
    may act in (a regulator has none)."""
    if actor.is_regulator:
        return []
    roles = actor.org_roles
    keys = []
    if "generator" in roles and actor.role in WRITE_ROLES:
        keys += ["drafts", "awaiting_pickup"]
    if "transporter" in roles and actor.role in TRANSPORT_ROLES:
        keys += ["pickup_today", "handovers", "in_transit"]
    if "receiver" in roles and actor.role in WRITE_ROLES:
        keys += ["arrivals", "decisions", "completions"]
    return keys


def _piles_statement(actor: Actor, keys: list[str], now: datetime):
    """One SELECT of every pile's first few manifests, each row with its pile's key, its rank
    in the pile and the pile's size (a pile with no row is empty): each pile's id, number,
    the other party's name and the time shown."""
    parts = []
    for position, key in enumerate(keys):
        party, at, order = SHOWN_AS[key]
        ordering = (order, Manifest.id)
        pile = (
            select(
                literal(key).label("pile"),
                literal(position).label("position"),
                func.row_number().over(order_by=ordering).label("rank"),
                func.count().over().label("total"),
                Manifest.id,
                Manifest.number,
                getattr(Manifest, f"{party}_id").label("party_id"),
                getattr(Manifest, at).label("at"),
            )
            .where(PILES[key].where(actor.organization_id, now))
            .order_by(*ordering)
            .limit(SHOWN)
        )
        parts.append(select(pile.subquery()))
    piles = union_all(*parts).subquery()
    # The other party's name for the few rows shown only, not for the whole pile.
    return (
        select(piles, Organization.name.label("counterpart"))
        .outerjoin(Organization, Organization.id == piles.c.party_id)
        .order_by(piles.c.position, piles.c.rank)
    )


def _with_deadlines(session, entries: list[Entry], now: datetime) -> list[Entry]:
    """The decision deadline of each delivery: the working days the settings allow after the
    delivery, on China's working-day calendar (the rule the overdue-decision sweep applies)."""
    settings = settings_of(session)
    cal = calendar(settings)
    out = []
    for e in entries:
        due = cal.deadline(e.at, settings.decision_workdays) if e.at else None
        out.append(
            Entry(e.manifest_id, e.number, e.counterpart, e.at, due, due is not None and due <= now)
        )
    return out


def _findings(session, actor: Actor, out: Worklist) -> None:
    visible = visible_findings(actor).where(Finding.status.in_(UNRESOLVED))
    rows = session.execute(
        select(
            Finding.id,
            Finding.type,
            Finding.severity,
            Finding.status,
            Finding.manifest_id,
            Manifest.number,
            Finding.due_at,
            func.count().over(),  # all of them, before the limit
        )
        .select_from(Finding)
        .outerjoin(Manifest, Manifest.id == Finding.manifest_id)
        .where(Finding.id.in_(visible.with_only_columns(Finding.id)))
        .order_by(Finding.due_at, Finding.id)
        .limit(SHOWN)
    ).all()
    out.findings_count = rows[0][-1] if rows else 0
    out.findings = [FindingEntry(*row[:-1]) for row in rows]


def _activity(session, actor: Actor) -> list[ActivityEntry]:
    ours: Select = visible_manifests(actor).with_only_columns(Manifest.id)
    rows = session.execute(
        select(
            CustodyEvent.manifest_id,
            Manifest.number,
            CustodyEvent.action,
            CustodyEvent.user_email,
            Organization.name,
            func.coalesce(CustodyEvent.claimed_time, CustodyEvent.server_time),
            CustodyEvent.server_time,
        )
        .join(Manifest, Manifest.id == CustodyEvent.manifest_id)
        .outerjoin(Organization, Organization.id == CustodyEvent.organization_id)
        .where(CustodyEvent.manifest_id.in_(ours))
        .order_by(CustodyEvent.id.desc())
        .limit(ACTIVITY)
    )
    return [ActivityEntry(*row) for row in rows]
