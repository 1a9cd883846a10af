"""The custody chain as stored: append-only events, hash-linked per manifest and service-wide."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..infra.db import Base, UTCDateTime


class CustodyEvent(Base):
    __tablename__ = "custody_events"
    __table_args__ = (
        UniqueConstraint("manifest_id", "sequence"),
        UniqueConstraint("ledger_sequence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    manifest_id: Mapped[int] = mapped_column(ForeignKey("manifests.id"), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    user_email: Mapped[str] = mapped_column(String(254))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    party: Mapped[str] = mapped_column(String(20))
    server_time: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_time: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_lat: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    claimed_lon: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    #: Canonical JSON of what the move recorded (quantities, codes, file hashes).
    payload: Mapped[str] = mapped_column(Text)
    previous_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    ledger_sequence: Mapped[int] = mapped_column(Integer)
    ledger_previous_hash: Mapped[str] = mapped_column(String(64))
    ledger_hash: Mapped[str] = mapped_column(String(64))


class LedgerHead(Base):
    """The single row that serialises appends to the service-wide chain."""

    __tablename__ = "ledger_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    hash: Mapped[str] = mapped_column(String(64))
