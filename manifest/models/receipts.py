"""Weighbridge receipts (the fourth tally) and the reconciliation tolerances per manifest kind."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, Quantity, UTCDateTime, utcnow
from ._enums import one_of
from .manifests import KINDS, Manifest

#: ``pending`` until matching has run; the others are the outcomes of matching.
RECEIPT_OUTCOMES = (
    "pending",
    "matched",
    "misdirected",
    "cancelled",
    "already_received",
    "unmanifested",
)
MATCHED_BY = ("number", "plate")


class WeighbridgeReceipt(Base):
    """One weighing at a receiver's weighbridge. A ticket is recorded once per receiver."""

    __tablename__ = "weighbridge_receipts"
    __table_args__ = (
        UniqueConstraint("receiver_id", "ticket"),
        one_of("outcome", RECEIPT_OUTCOMES),
        one_of("matched_by", MATCHED_BY),
        CheckConstraint("net_kg >= 0", name="net_nonneg"),
        # One weighing per manifest is the fourth tally; a second ticket is "already_received".
        Index(
            "uq_weighbridge_receipts_matched_manifest",
            "manifest_id",
            unique=True,
            sqlite_where=text("outcome = 'matched'"),
            postgresql_where=text("outcome = 'matched'"),
        ),
        Index("ix_weighbridge_receipts_receiver_arrived", "receiver_id", "arrived_at"),
        # Matching looks for pending records only; a partial index stays small and costs
        # nothing when a record leaves that state.
        Index(
            "ix_weighbridge_receipts_pending",
            "receiver_id",
            sqlite_where=text("outcome = 'pending'"),
            postgresql_where=text("outcome = 'pending'"),
        ),
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
    manifest_id: Mapped[int | None] = mapped_column(ForeignKey("manifests.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(20), default="pending")
    matched_by: Mapped[str | None] = mapped_column(String(10))
    #: SHA-256 of the uploaded file the record came from.
    source_sha256: Mapped[str | None] = mapped_column(String(64))
    source_row: Mapped[int | None] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    matched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ReconcileTolerance(Base):
    """Tolerances configured for one manifest kind; without a row the built-in default holds."""

    __tablename__ = "reconcile_tolerances"
    __table_args__ = (
        one_of("kind", KINDS),
        CheckConstraint(
            "mass_pct >= 0 AND mass_abs_kg >= 0 AND moisture_points >= 0 AND violation_factor >= 0",
            name="nonneg",
        ),
    )

    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    mass_pct: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    mass_abs_kg: Mapped[Decimal] = mapped_column(Quantity())
    moisture_points: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    violation_factor: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


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
