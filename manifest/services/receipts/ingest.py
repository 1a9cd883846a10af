"""Storing a receiver's weighbridge records: an upload (API) or a year's file (CLI).

Each batch is inserted with two statements and then matched (:mod:`.matching`); a ticket the
receiver sent before counts as a duplicate and is left as it was (``(receiver, ticket)`` is
unique).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy import select

from ...actor import WRITE_ROLES, Actor
from ...errors import ValidationFailed
from ...infra.db import insert, utcnow
from ...infra.uow import UnitOfWork
from ...models import Organization, WeighbridgeReceipt
from ...receipts import WeighRecord, iter_receipts
from ...texts import Text
from ..registry import find_organization_by_uscc
from .matching import match_pending
from .result import IngestResult
from .rows import row_outcomes

R = WeighbridgeReceipt
#: Records written and matched per statement batch.
BATCH = 5000


def receiver_for(session, *, actor: Actor | None, uscc: str | None = None) -> Organization:
    """The receiving organisation an upload is for: the actor's own (a receiver, and a user
    who may write), or, on the command line, the one with ``uscc``.

    Raises Forbidden, NotFound, or ValidationFailed when the organisation is no receiver."""
    if actor is not None:
        actor.require_org_role("receiver")
        actor.require_user_role(WRITE_ROLES)
        return session.get(Organization, actor.organization_id)
    org = find_organization_by_uscc(session, uscc or "")
    if not org.is_receiver:
        raise ValidationFailed(
            Text("not_registered_receiver", name=org.name),
            errors={"receiver": [Text("not_a_receiver")]},
        )
    return org


def ingest_receipts(
    uow: UnitOfWork,
    *,
    actor: Actor | None,
    data: bytes | str,
    fmt: str | None = None,
    receiver_uscc: str | None = None,
    now: datetime | None = None,
    report_rows: bool = False,
) -> IngestResult:
    """Store and match one upload (CSV or JSON) in one transaction.

    Valid rows are kept and invalid ones reported in ``errors``; with ``report_rows``, the
    result's ``rows`` say what became of each valid row. Raises ValidationFailed when
    the file as a whole is unusable (encoding, columns, JSON, too many rows), Forbidden when
    the actor is not a receiver's writer; nothing is stored then.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    digest = hashlib.sha256(raw).hexdigest()
    with uow:
        s = uow.session
        receiver = receiver_for(s, actor=actor, uscc=receiver_uscc)
        records, errors = [], []
        for item in iter_receipts(raw, fmt=fmt):
            (records if isinstance(item, WeighRecord) else errors).append(item)
        result = IngestResult(errors=errors, sha256=digest)
        for start in range(0, len(records), BATCH):
            result.add(
                store_records(
                    s,
                    receiver.id,
                    records[start : start + BATCH],
                    sha256=digest,
                    user_id=None if actor is None else actor.user_id,
                )
            )
        result.add(match_pending(s, receiver_id=receiver.id, now=now))
        if report_rows:
            result.rows = row_outcomes(s, receiver.id, records, result.created_tickets)
        uow.commit()
        return result


def import_file(
    uow: UnitOfWork,
    *,
    lines: Iterable[str],
    receiver_uscc: str,
    sha256: str,
    progress: Callable[[int], None] | None = None,
    fmt: str | None = None,
) -> IngestResult:
    """Import a large CSV (a year of records) streamed line by line, committing each batch of
    :data:`BATCH` records with its matching, so an interrupted import resumes by running it
    again (stored tickets count as duplicates). ``progress(n)`` is told of every n rows read.

    Raises ValidationFailed for unusable columns or an unknown or non-receiver USCC.
    """
    total = IngestResult(sha256=sha256)
    with uow:
        receiver_id = receiver_for(uow.session, actor=None, uscc=receiver_uscc).id
    batch: list[WeighRecord] = []

    def flush():
        with uow:
            part = store_records(uow.session, receiver_id, batch, sha256=sha256, user_id=None)
            part.add(match_pending(uow.session, receiver_id=receiver_id))
            uow.commit()
        total.add(part)
        if progress:
            progress(len(batch))
        batch.clear()

    for item in iter_receipts(lines, fmt=fmt, max_rows=None):
        if isinstance(item, WeighRecord):
            batch.append(item)
            if len(batch) >= BATCH:
                flush()
        else:
            total.errors.append(item)
    if batch:
        flush()
    with uow:  # a file of nothing but errors still matches what earlier runs left pending
        total.add(match_pending(uow.session, receiver_id=receiver_id))
        uow.commit()
    return total


def store_records(
    session,
    receiver_id: int,
    records: list[WeighRecord],
    *,
    sha256: str | None,
    user_id: int | None,
) -> IngestResult:
    """Insert the records whose ticket the receiver has not sent before (two statements)."""
    result = IngestResult()
    if not records:
        return result
    known = set(
        session.scalars(
            select(R.ticket).where(
                R.receiver_id == receiver_id, R.ticket.in_([r.ticket for r in records])
            )
        )
    )
    fresh = [r for r in records if r.ticket not in known]
    result.duplicates = len(records) - len(fresh)
    if fresh:
        now = utcnow()
        session.execute(
            insert(session, R).on_conflict_do_nothing(index_elements=["receiver_id", "ticket"]),
            [
                {
                    "receiver_id": receiver_id,
                    "ticket": r.ticket,
                    "plate": r.plate,
                    "arrived_at": r.arrived_at,
                    "gross_kg": r.gross_kg,
                    "tare_kg": r.tare_kg,
                    "net_kg": r.net_kg,
                    "manifest_number": r.manifest_number,
                    "source_sha256": sha256,
                    "source_row": r.row,
                    "uploaded_by_id": user_id,
                    "created_at": now,
                }
                for r in fresh
            ],
        )
        result.created = len(fresh)
        result.created_tickets = {r.ticket for r in fresh}
    return result
