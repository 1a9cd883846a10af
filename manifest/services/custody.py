"""Appending signed events to the custody chain and verifying the chains."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal

from sqlalchemy import event, select
from sqlalchemy.orm import Session, SessionTransaction

from ..actor import Actor
from ..chain import GENESIS, Link, Verdict, _plain, canonical_json, event_hash, verify
from ..infra.db import utcnow
from ..models import CustodyEvent, LedgerHead, Manifest
from .replay import first_disagreement

_SIX = Decimal("0.000001")


def _coord(value) -> str | None:
    return None if value is None else format(Decimal(value).quantize(_SIX), "f")


def event_content(ev: CustodyEvent) -> dict:
    """What an event's own hash covers: everything but its hashes and ledger position."""
    return {
        "manifest_id": ev.manifest_id,
        "sequence": ev.sequence,
        "action": ev.action,
        "user_id": ev.user_id,
        "user_email": ev.user_email,
        "organization_id": ev.organization_id,
        "party": ev.party,
        "server_time": ev.server_time,
        "claimed_time": ev.claimed_time,
        "claimed_position": None
        if ev.claimed_lat is None
        else {"lat": _coord(ev.claimed_lat), "lon": _coord(ev.claimed_lon)},
        "payload": json.loads(ev.payload),
    }


def ledger_content(ev: CustodyEvent) -> dict:
    """What a service-wide link covers: which manifest event it stands for, and its hash."""
    return {"manifest_id": ev.manifest_id, "sequence": ev.sequence, "event_hash": ev.hash}


def append_event(
    session: Session,
    *,
    manifest: Manifest,
    action: str,
    actor: Actor,
    party: str,
    claimed_time: datetime | None = None,
    position: dict | None = None,
    payload: dict | None = None,
) -> CustodyEvent:
    """Append one event to the manifest's chain now, and to the service-wide chain when the
    transaction commits.

    The caller holds the manifest row lock, which orders the manifest's own chain. The
    event is written at commit, as the transaction's last write, after its link in the
    ledger (:func:`_link_to_ledger`): the ledger head is locked only from there to the
    commit, so moves of different manifests wait for each other as briefly as possible.
    A rolled-back transaction (or savepoint) takes its events with it. Until the commit the
    returned event has no id and no ledger position.
    """
    pending = _pending(session)
    own = [ev for ev, _ in pending if ev.manifest_id == manifest.id]
    if own:
        sequence, previous = own[-1].sequence + 1, own[-1].hash
    else:
        # No autoflush: the move's own changes are flushed once, after the event is made.
        with session.no_autoflush:
            last = session.execute(
                select(CustodyEvent.sequence, CustodyEvent.hash)
                .where(CustodyEvent.manifest_id == manifest.id)
                .order_by(CustodyEvent.sequence.desc())
                .limit(1)
            ).first()
        sequence, previous = (last[0] + 1, last[1]) if last else (1, GENESIS)
    ev = CustodyEvent(
        manifest_id=manifest.id,
        sequence=sequence,
        action=action,
        user_id=actor.user_id,
        user_email=actor.email,
        organization_id=actor.organization_id,
        party=party,
        server_time=utcnow(),
        claimed_time=claimed_time,
        claimed_lat=None if not position else Decimal(str(position["lat"])).quantize(_SIX),
        claimed_lon=None if not position else Decimal(str(position["lon"])).quantize(_SIX),
        payload=canonical_json(_plain(payload or {})).decode("utf-8"),
        previous_hash=previous,
    )
    ev.hash = event_hash(previous, event_content(ev))
    pending.append((ev, session.get_nested_transaction() or session.get_transaction()))
    return ev


#: ``session.info`` key of the events appended in the open transaction and not yet written,
#: each with the (innermost) transaction it was appended in.
_PENDING = "hwm_unlinked_events"


def _pending(session: Session) -> list[tuple[CustodyEvent, SessionTransaction | None]]:
    return session.info.setdefault(_PENDING, [])


@event.listens_for(Session, "before_commit")
def _link_to_ledger(session: Session) -> None:
    """Give the transaction's pending events their ledger positions under the head's row
    lock, in the order they were appended, and add them to be written by the commit's
    flush."""
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    session.flush()  # the transaction's other writes go first, before the lock is taken
    head = session.execute(
        select(LedgerHead).where(LedgerHead.id == 1).with_for_update()
    ).scalar_one()
    for ev, _ in pending:
        ev.ledger_sequence = head.sequence + 1
        ev.ledger_previous_hash = head.hash
        ev.ledger_hash = event_hash(head.hash, ledger_content(ev))
        head.sequence, head.hash = ev.ledger_sequence, ev.ledger_hash
        session.add(ev)


@event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    """Forget the events appended inside a transaction or savepoint that was rolled back."""
    pending = session.info.get(_PENDING)
    if pending:
        pending[:] = [(ev, tx) for ev, tx in pending if not _within(tx, previous_transaction)]


@event.listens_for(Session, "after_transaction_end")
def _forget_at_end(session: Session, transaction: SessionTransaction) -> None:
    """A finished outermost transaction leaves nothing pending for the next one."""
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


def _within(tx: SessionTransaction | None, outer: SessionTransaction) -> bool:
    while tx is not None:
        if tx is outer:
            return True
        tx = tx.parent
    return False


def manifest_events(session: Session, manifest_id: int) -> list[CustodyEvent]:
    return list(
        session.scalars(
            select(CustodyEvent)
            .where(CustodyEvent.manifest_id == manifest_id)
            .order_by(CustodyEvent.sequence)
        )
    )


def verify_manifest_chain(
    session: Session, manifest: Manifest, events: list[CustodyEvent] | None = None
) -> Verdict:
    """Recompute the manifest's chain, then check that the stored manifest still says what
    its signed events say and that its mass totals add up from its lines. The first
    disagreement names the event whose record was altered. ``events``: the chain when the
    caller has read it already (all of it, in sequence order)."""
    if events is None:
        events = manifest_events(session, manifest.id)
    verdict = verify(
        Link(ev.id, ev.sequence, event_content(ev), ev.previous_hash, ev.hash) for ev in events
    )
    if not verdict.valid:
        return verdict
    broken = first_disagreement(manifest, events)
    if broken is not None:
        event_id, reason = broken
        return Verdict(False, verdict.length, verdict.head, event_id, reason)
    return verdict


def _ledger_links(session: Session) -> Iterator[tuple[CustodyEvent, Link]]:
    rows = session.scalars(
        select(CustodyEvent)
        .order_by(CustodyEvent.ledger_sequence)
        .execution_options(yield_per=2000)
    )
    try:
        for ev in rows:
            yield (
                ev,
                Link(
                    ev.id,
                    ev.ledger_sequence,
                    ledger_content(ev),
                    ev.ledger_previous_hash,
                    ev.ledger_hash,
                ),
            )
    finally:
        rows.close()  # verification may stop at the first break; free the server-side cursor


def verify_ledger(session: Session) -> Verdict:
    """Recompute the service-wide chain and every event's own hash, in ledger order.

    Also compares the chain's end with the stored head, so that removing the newest events
    is detected as well as removing any in the middle.
    """
    last_hash: dict[int, tuple[int, str]] = {}
    broken = None

    def links():
        nonlocal broken
        for ev, link in _ledger_links(session):
            seq, prev = last_hash.get(ev.manifest_id, (0, GENESIS))
            if broken is None and (
                ev.sequence != seq + 1
                or ev.previous_hash != prev
                or event_hash(prev, event_content(ev)) != ev.hash
            ):
                broken = ev.id
            last_hash[ev.manifest_id] = (ev.sequence, ev.hash)
            yield link

    chain = links()
    try:
        verdict = verify(chain)
    finally:
        chain.close()
    if broken is not None and (verdict.valid or _before(session, broken, verdict.broken_at)):
        return Verdict(
            False,
            verdict.length,
            verdict.head,
            broken,
            "an event's content does not match its hash",
        )
    if not verdict.valid:
        return verdict
    head = session.get(LedgerHead, 1)
    if head is not None and (
        head.sequence != verdict.length or head.hash != (verdict.head or GENESIS)
    ):
        return Verdict(
            False,
            verdict.length,
            verdict.head,
            None,
            f"the ledger head records {head.sequence} events; {verdict.length} found",
        )
    return verdict


def _before(session: Session, a: int, b: int | None) -> bool:
    if b is None:
        return True
    ea, eb = session.get(CustodyEvent, a), session.get(CustodyEvent, b)
    return ea.ledger_sequence < eb.ledger_sequence
