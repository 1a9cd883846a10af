"""Reconciliation tolerances: the service-wide default per manifest kind, the settings of
regions, and the append-only record of every change."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Numeric, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..infra.db import Base, Quantity, UTCDateTime, utcnow
from ._enums import one_of
from .manifests import KINDS
from .registry import Regulator, User


class _Figures:
    """The four figures of a tolerance (see :class:`manifest.reconcile.Tolerance`)."""

    mass_pct: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    mass_abs_kg: Mapped[Decimal] = mapped_column(Quantity())
    moisture_points: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    violation_factor: Mapped[Decimal] = mapped_column(Numeric(5, 2))


class _Stamped(_Figures):
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ReconcileTolerance(_Stamped, Base):
    """The service-wide default for one manifest kind, set by the operator; without a row
    the national default holds."""

    __tablename__ = "reconcile_tolerances"
    __table_args__ = (
        one_of("kind", KINDS),
        CheckConstraint(
            "mass_pct >= 0 AND mass_abs_kg >= 0 AND moisture_points >= 0 AND violation_factor >= 0",
            name="nonneg",
        ),
    )

    kind: Mapped[str] = mapped_column(String(10), primary_key=True)


class RegionalTolerance(_Stamped, Base):
    """The tolerance a regulator set for one manifest kind in one region it covers."""

    __tablename__ = "regional_tolerances"
    __table_args__ = (
        one_of("kind", KINDS),
        CheckConstraint("length(region_code) = 6", name="region_code_len"),
        CheckConstraint(
            "mass_pct BETWEEN 0 AND 100 AND mass_abs_kg >= 0"
            " AND moisture_points BETWEEN 0 AND 100 AND violation_factor >= 1",
            name="bounded",
        ),
    )

    region_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)


class ToleranceChange(_Figures, Base):
    """One change of a tolerance setting: which, from what to what, by whom and when.

    ``region_code`` is None for the service-wide default (changed from the command line).
    The ``old_*`` values are the setting's own before the change, all None when it had none
    (it followed an enclosing region or the default). ``cleared`` marks the removal of the
    setting: its new figures are those the region follows from then on. Rows are only ever added; PostgreSQL
    refuses to change or delete them.
    """

    __tablename__ = "tolerance_changes"
    __table_args__ = (
        one_of("kind", KINDS),
        CheckConstraint("region_code IS NULL OR length(region_code) = 6", name="region_code_len"),
        Index("ix_tolerance_changes_region_code", "region_code", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str | None] = mapped_column(String(6))
    kind: Mapped[str] = mapped_column(String(10))
    old_mass_pct: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    old_mass_abs_kg: Mapped[Decimal | None] = mapped_column(Quantity())
    old_moisture_points: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    old_violation_factor: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    cleared: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    regulator_id: Mapped[int | None] = mapped_column(ForeignKey("regulators.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    changed_by: Mapped[User | None] = relationship(lazy="joined")
    regulator: Mapped[Regulator | None] = relationship(lazy="joined")
