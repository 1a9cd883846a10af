"""Positioning terminals (JT/T 808) bound to vehicles, and the positions they report."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..infra.db import Base, UTCDateTime, utcnow
from ._enums import one_of

POSITION_SOURCES = ("live", "batch")
_BOUND = text("unbound_at IS NULL")


class Terminal(Base):
    """A terminal, named by the phone number in its message headers, bound by the
    transporter's administrator to one of its vehicles. A binding ends (``unbound_at``) when
    another terminal is bound to the vehicle or the terminal to another vehicle; at most one
    binding of a phone and one of a vehicle is in force."""

    __tablename__ = "terminals"
    __table_args__ = (
        CheckConstraint("plate_colour BETWEEN 0 AND 255", name="plate_colour_byte"),
        Index(
            "uq_terminals_bound_phone",
            "phone",
            unique=True,
            sqlite_where=_BOUND,
            postgresql_where=_BOUND,
        ),
        Index(
            "uq_terminals_bound_vehicle",
            "vehicle_id",
            unique=True,
            sqlite_where=_BOUND,
            postgresql_where=_BOUND,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Digits of the header's BCD phone number, without leading zeros.
    phone: Mapped[str] = mapped_column(String(20))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicles.id"))
    #: JT/T 808 plate colour (1 blue, 2 yellow, 3 black, 4 white, 5 green, 9 other).
    plate_colour: Mapped[int] = mapped_column(Integer)
    #: SHA-256 of the authentication code given at the last registration.
    auth_code_hash: Mapped[str | None] = mapped_column(String(64))
    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: When the gateway last heard from it on an authenticated connection (authentication,
    #: heartbeat); positions are in ``vehicle_positions``.
    heard_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    bound_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    unbound_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class VehiclePosition(Base):
    """One fix as a terminal reported it. A terminal reports one fix per instant: a repeat
    of the same time (a retransmission) is not stored again.

    ``usable`` fixes (positioned, plausible) make the trip's track; the others are kept as
    evidence. A fix whose time is no date or is implausible is stored at its receipt time,
    ``time_bcd`` keeping what was sent. On PostgreSQL the table is partitioned by month of
    ``fixed_at``; partitions are made as positions arrive."""

    __tablename__ = "vehicle_positions"
    __table_args__ = (
        PrimaryKeyConstraint("terminal_id", "fixed_at"),
        Index("ix_vehicle_positions_vehicle_time", "vehicle_id", "fixed_at"),
        one_of("source", POSITION_SOURCES),
        {"postgresql_partition_by": "RANGE (fixed_at)"},
    )

    terminal_id: Mapped[int] = mapped_column(ForeignKey("terminals.id"))
    fixed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicles.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    lat_e6: Mapped[int] = mapped_column(Integer)
    lon_e6: Mapped[int] = mapped_column(Integer)
    altitude_m: Mapped[int] = mapped_column(Integer)
    speed_dkmh: Mapped[int] = mapped_column(Integer)
    heading: Mapped[int] = mapped_column(Integer)
    alarm: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[int] = mapped_column(BigInteger)
    mileage_hm: Mapped[int | None] = mapped_column(BigInteger)
    time_bcd: Mapped[str] = mapped_column(String(12))
    positioned: Mapped[bool] = mapped_column(Boolean)
    usable: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(String(5))
