"""Licences (hazardous-waste operation, dangerous-goods transport) and vehicles."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..infra.db import Base, Quantity, UTCDateTime, utcnow
from ._enums import one_of

LICENCE_KINDS = ("hw_operation", "dg_transport")
LICENCE_STATUSES = ("active", "suspended", "revoked")


class Licence(Base):
    __tablename__ = "licences"
    __table_args__ = (
        one_of("kind", LICENCE_KINDS),
        one_of("status", LICENCE_STATUSES),
        CheckConstraint("valid_to >= valid_from", name="validity_order"),
        UniqueConstraint("kind", "number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    number: Mapped[str] = mapped_column(String(64))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="active")
    #: Allowed treatment operations, e.g. "D10 R4"; empty for transport permits.
    operations: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    scopes: Mapped[list[LicenceScope]] = relationship(lazy="selectin", order_by="LicenceScope.code")
    capacities: Mapped[list[LicenceCapacity]] = relationship(
        lazy="selectin", order_by="LicenceCapacity.scope"
    )

    @property
    def operation_list(self) -> list[str]:
        return self.operations.split() if self.operations else []

    @property
    def waste_codes(self) -> list[str]:
        return [s.code for s in self.scopes]


class LicenceScope(Base):
    """A category (``HW17``) or a full code (``336-064-17``) the licence covers."""

    __tablename__ = "licence_scopes"

    licence_id: Mapped[int] = mapped_column(ForeignKey("licences.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(12), primary_key=True)


class LicenceCapacity(Base):
    """Approved annual capacity in tonnes for a category, a code, or ``*`` (all together)."""

    __tablename__ = "licence_capacities"
    __table_args__ = (CheckConstraint("tonnes > 0", name="tonnes_positive"),)

    licence_id: Mapped[int] = mapped_column(ForeignKey("licences.id"), primary_key=True)
    scope: Mapped[str] = mapped_column(String(12), primary_key=True)
    tonnes: Mapped[Decimal] = mapped_column(Quantity())


class Vehicle(Base):
    __tablename__ = "vehicles"
    __table_args__ = (CheckConstraint("max_load_t > 0", name="max_load_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    plate: Mapped[str] = mapped_column(String(16), unique=True)
    max_load_t: Mapped[Decimal] = mapped_column(Quantity())
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
