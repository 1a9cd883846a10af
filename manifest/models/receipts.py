"""Weighbridge receipts (the fourth tally) and what matching decided for each."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..infra.db import Base, Quantity, UTCDateTime, utcnow
from ._enums import one_of
from .manifests import Manifest

#: ``pending`` until matching has run (no match row); the others are the outcomes of matching.
RECEIPT_OUTCOMES = (
    "pending",
    "matched",
    "cancelled",
    "already_received",
    "unmanifested",
)
MATCHED_BY = ("number", "plate")


class WeighbridgeReceipt(Base):
    """One weighing at a receiver's weighbridge. A ticket is recorded once per receiver.

    The row never changes once stored; what matching decided lives in :class:`WeighbridgeMatch`
    and is read here through ``outcome``, ``manifest_id``, ``matched_by`` and ``matched_at``
    (``pending`` while no match row exists).
    """

    __tablename__ = "weighbridge_receipts"
    __table_args__ = (
        UniqueConstraint("receiver_id", "ticket"),
        CheckConstraint("net_kg >= 0", name="net_nonneg"),
        Index("ix_weighbridge_receipts_receiver_arrived", "receiver_id", "arrived_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    receiver_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    ticket: Mapped[str] = mapped_column(String(64))
    plate: Mapped[str] = mapped_column(String(16))
    arrived_at: Mapped[datetime] = mapped_column(UTCDateTime())
    gross_kg: Mapped[Decimal | None] = mapped_column(Quantity())
    tare_kg: Mapped[Decimal | None] = mapped_column(Quantity())
    net_kg: Mapped[Decimal] = mapped_column(Quantity())
    #: The manifest number the scale operator typed, as given (it may name no manifest).
    manifest_number: Mapped[str | None] = mapped_column(String(14))
    #: SHA-256 of the uploaded file the record came from.
    source_sha256: Mapped[str | None] = mapped_column(String(64))
    source_row: Mapped[int | None] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    match: Mapped[WeighbridgeMatch | None] = relationship(
        primaryjoin="WeighbridgeReceipt.id == foreign(WeighbridgeMatch.receipt_id)",
        lazy="joined",
        viewonly=True,
        uselist=False,
    )

    @property
    def outcome(self) -> str:
        return "pending" if self.match is None else self.match.outcome

    @property
    def manifest_id(self) -> int | None:
        return None if self.match is None else self.match.manifest_id

    @property
    def matched_by(self) -> str | None:
        return None if self.match is None else self.match.matched_by

    @property
    def matched_at(self) -> datetime | None:
        return None if self.match is None else self.match.matched_at


class WeighbridgeMatch(Base):
    """What matching decided for one weighbridge record: its outcome and manifest.

    Kept apart from the record so that matching a year of records writes narrow new rows
    instead of rewriting every record and all its indexes. There are no foreign keys here on
    purpose: rows are written only by matching, from a join against the receipts and manifests
    in the same statement, and neither is ever deleted, while a key check per row would cost
    more than the whole insert.
    """

    __tablename__ = "weighbridge_matches"
    __table_args__ = (
        one_of("outcome", RECEIPT_OUTCOMES[1:]),
        one_of("matched_by", MATCHED_BY),
        # One weighing per manifest is the fourth tally; a second ticket is "already_received".
        # The index also finds a manifest's weighing.
        Index(
            "uq_weighbridge_matches_matched_manifest",
            "manifest_id",
            unique=True,
            sqlite_where=text("outcome = 'matched'"),
            postgresql_where=text("outcome = 'matched'"),
        ),
    )

    receipt_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    manifest_id: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(20))
    matched_by: Mapped[str | None] = mapped_column(String(10))
    matched_at: Mapped[datetime] = mapped_column(UTCDateTime())


# Matching by plate looks for manifests of one receiver and vehicle; the core schema has no
# index for that, and a year of receipts must not scan the manifests once per record.
Index(
    "ix_manifests_receiver_plate",
    Manifest.receiver_id,
    Manifest.vehicle_plate,
    Manifest.picked_up_at,
)
# The monthly balance selects manifests by the month they were issued in.
Index("ix_manifests_issued_at", Manifest.issued_at)
