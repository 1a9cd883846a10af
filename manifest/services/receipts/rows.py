"""What became of each row of a weighbridge upload: stored or sent before, and matched to
which of the receiver's manifests, or why not."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, select

from ...models import Manifest, WeighbridgeReceipt
from ...models.receipts import WeighbridgeMatch
from ...receipts import WeighRecord

#: Tickets looked up per statement.
CHUNK = 1000


@dataclass(frozen=True)
class RowOutcome:
    """One valid row of an upload: its ``record`` as read from the file; ``stored`` is
    ``created`` or ``duplicate`` (the ticket was stored before, or earlier in the same file);
    ``outcome`` is the stored record's matching (matched, unmanifested, cancelled,
    already_received), with the receiver's own manifest it was matched to, if any (not the
    number the file typed, which the record keeps)."""

    record: WeighRecord
    stored: str
    outcome: str | None
    manifest_id: int | None
    manifest_number: str | None


def row_outcomes(
    session, receiver_id: int, records: Iterable[WeighRecord], created: set[str]
) -> list[RowOutcome]:
    """The outcome of each record of an upload by ``receiver_id``, in file order; ``created``
    holds the tickets the upload stored. Only the receiver's own manifests are named: matching
    never links a record to another receiver's."""
    records = list(records)
    R, WM, M = WeighbridgeReceipt, WeighbridgeMatch, Manifest
    found: dict[str, tuple] = {}
    tickets = sorted({r.ticket for r in records})
    for start in range(0, len(tickets), CHUNK):
        rows = session.execute(
            select(R.ticket, WM.outcome, M.id, M.number)
            .outerjoin(WM, WM.receipt_id == R.id)
            .outerjoin(M, and_(M.id == WM.manifest_id, M.receiver_id == receiver_id))
            .where(R.receiver_id == receiver_id, R.ticket.in_(tickets[start : start + CHUNK]))
        )
        for ticket, outcome, manifest_id, number in rows:
            found[ticket] = (outcome, manifest_id, number)
    out, seen = [], set()
    for record in records:
        outcome, manifest_id, number = found.get(record.ticket, (None, None, None))
        fresh = record.ticket in created and record.ticket not in seen
        seen.add(record.ticket)
        out.append(
            RowOutcome(
                record=record,
                stored="created" if fresh else "duplicate",
                outcome=outcome,
                manifest_id=manifest_id,
                manifest_number=number,
            )
        )
    return out
