"""Manifests, their lines, the transport legs and the number counters."""

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
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..catalogue_data import PHYSICAL_FORMS
from ..infra.db import Base, Quantity, UTCDateTime, utcnow
from ..quantities import UNITS
from ..status import Status
from ._enums import one_of
from .registry import Organization

KINDS = ("hazardous", "sludge")
FORMS = tuple(PHYSICAL_FORMS)
#: Kilograms with three decimals hold every line mass exactly (see manifest.tonnage).
_KG = Numeric(18, 3, asdecimal=True)
#: The columns naming an organisation a manifest is visible to by its own row.
PARTY_COLUMNS = ("generator", "transporter", "receiver", "next_transporter")
MASS_TOTALS = (
    "declared_kg",
    "loaded_kg",
    "received_kg",
    "accepted_kg",
    "rejected_kg",
    "unmeasured_lines",
)


class Manifest(Base):
    __tablename__ = "manifests"
    __table_args__ = (
        one_of("kind", KINDS),
        one_of("status", [s.value for s in Status]),
        CheckConstraint(
            "moisture_pct IS NULL OR (moisture_pct >= 0 AND moisture_pct < 100)",
            name="moisture_range",
        ),
        CheckConstraint(
            "received_moisture_pct IS NULL OR "
            "(received_moisture_pct >= 0 AND received_moisture_pct < 100)",
            name="received_moisture_range",
        ),
        CheckConstraint("number IS NULL OR length(number) = 14", name="number_len"),
        # The monthly balance reads a month's manifests, mass totals included, from this
        # index alone (PostgreSQL index-only scan) instead of visiting heap pages scattered
        # over the whole year or the month's lines.
        Index(
            "ix_manifests_balance",
            "issued_at",
            postgresql_include=[
                "id",
                "status",
                "category",
                "generator_id",
                "transporter_id",
                "receiver_id",
                *MASS_TOTALS,
            ],
        ),
        # A party's lists, work piles and filters read its manifests of one status, newest
        # first, from these indexes alone instead of testing each manifest's row.
        *(
            Index(f"ix_manifests_{party}_status", f"{party}_id", "status", "id")
            for party in PARTY_COLUMNS
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(14), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), default=Status.DRAFT.value, index=True)
    #: The waste category every line belongs to: ``HW17`` or ``S07``.
    category: Mapped[str] = mapped_column(String(4))
    generator_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    transporter_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    receiver_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    #: The one transporter that may take the load over next; named by the generator in the
    #: draft or by the current carrier, and cleared by the hand-over that consumes it.
    next_transporter_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    vehicle_plate: Mapped[str] = mapped_column(String(16))
    driver: Mapped[str | None] = mapped_column(String(100))
    planned_pickup_at: Mapped[datetime] = mapped_column(UTCDateTime())
    operation: Mapped[str] = mapped_column(String(3))
    moisture_pct: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    received_moisture_pct: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    heavy_metal_report: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    picked_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_operation: Mapped[str | None] = mapped_column(String(3))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    #: Time of the latest signature; moves may not go back before it.
    last_move_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Mass totals derived from the lines (kilograms; see manifest.tonnage). The services that
    # write line quantities rewrite them in the same transaction, and chain verification
    # checks them against the lines, so the balance can read manifests alone.
    declared_kg: Mapped[Decimal] = mapped_column(_KG, server_default="0")
    loaded_kg: Mapped[Decimal] = mapped_column(_KG, server_default="0")
    received_kg: Mapped[Decimal] = mapped_column(_KG, server_default="0")
    accepted_kg: Mapped[Decimal] = mapped_column(_KG, server_default="0")
    rejected_kg: Mapped[Decimal] = mapped_column(_KG, server_default="0")
    #: Lines without a mass (``pcs``, or ``m3`` without a density).
    unmeasured_lines: Mapped[int] = mapped_column(Integer, server_default="0")

    generator: Mapped[Organization] = relationship(foreign_keys=[generator_id], lazy="joined")
    transporter: Mapped[Organization] = relationship(foreign_keys=[transporter_id], lazy="joined")
    receiver: Mapped[Organization] = relationship(foreign_keys=[receiver_id], lazy="joined")
    next_transporter: Mapped[Organization | None] = relationship(
        foreign_keys=[next_transporter_id], lazy="joined"
    )
    lines: Mapped[list[ManifestLine]] = relationship(
        back_populates="manifest", order_by="ManifestLine.line_no", lazy="selectin"
    )
    legs: Mapped[list[ManifestLeg]] = relationship(
        back_populates="manifest", order_by="ManifestLeg.leg_no", lazy="selectin"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def current_leg(self) -> ManifestLeg | None:
        """The leg the load is on now (the last one begun), None before its pickup."""
        return self.legs[-1] if self.legs else None


class ManifestLine(Base):
    """One waste line with its tallies: declared, loaded, received, accepted, rejected."""

    __tablename__ = "manifest_lines"
    __table_args__ = (
        UniqueConstraint("manifest_id", "line_no"),
        one_of("physical_form", FORMS),
        one_of("unit", UNITS),
        CheckConstraint("declared > 0", name="declared_positive"),
        CheckConstraint("loaded IS NULL OR loaded >= 0", name="loaded_nonneg"),
        CheckConstraint("received IS NULL OR received >= 0", name="received_nonneg"),
        CheckConstraint("accepted IS NULL OR accepted >= 0", name="accepted_nonneg"),
        CheckConstraint("rejected IS NULL OR rejected >= 0", name="rejected_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    manifest_id: Mapped[int] = mapped_column(ForeignKey("manifests.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    waste_code: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(200))
    physical_form: Mapped[str] = mapped_column(String(2))
    hazard: Mapped[str] = mapped_column(String(20), default="")
    packaging: Mapped[str] = mapped_column(String(100), default="")
    container_count: Mapped[int | None] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(3))
    density_t_m3: Mapped[Decimal | None] = mapped_column(Numeric(8, 3))
    declared: Mapped[Decimal] = mapped_column(Quantity())
    loaded: Mapped[Decimal | None] = mapped_column(Quantity())
    received: Mapped[Decimal | None] = mapped_column(Quantity())
    received_waste_code: Mapped[str | None] = mapped_column(String(12))
    received_physical_form: Mapped[str | None] = mapped_column(String(2))
    accepted: Mapped[Decimal | None] = mapped_column(Quantity())
    rejected: Mapped[Decimal | None] = mapped_column(Quantity())
    rejection_reason: Mapped[str | None] = mapped_column(Text)

    manifest: Mapped[Manifest] = relationship(back_populates="lines")


class ManifestLeg(Base):
    """One transporter's part of the trip: the first pickup, then each hand-off."""

    __tablename__ = "manifest_legs"
    __table_args__ = (UniqueConstraint("manifest_id", "leg_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    manifest_id: Mapped[int] = mapped_column(ForeignKey("manifests.id"), index=True)
    leg_no: Mapped[int] = mapped_column(Integer)
    transporter_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    vehicle_plate: Mapped[str] = mapped_column(String(16))
    driver: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())

    manifest: Mapped[Manifest] = relationship(back_populates="legs")


class ManifestCounter(Base):
    """The last serial given per city and year; incremented under a row lock at issue."""

    __tablename__ = "manifest_counters"

    city: Mapped[str] = mapped_column(String(4), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_serial: Mapped[int] = mapped_column(Integer, default=0)
