"""Organisations, regulator bodies, users, API tokens and idempotency records."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..infra.db import Base, UTCDateTime, utcnow
from ._enums import one_of

USER_ROLES = ("admin", "member", "driver", "reader")


class Regulator(Base):
    """An environment bureau; it covers one or more administrative division codes."""

    __tablename__ = "regulators"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    regions: Mapped[list[RegulatorRegion]] = relationship(
        back_populates="regulator", lazy="selectin", order_by="RegulatorRegion.region_code"
    )

    @property
    def region_codes(self) -> list[str]:
        return [r.region_code for r in self.regions]


class RegulatorRegion(Base):
    __tablename__ = "regulator_regions"
    __table_args__ = (CheckConstraint("length(region_code) = 6", name="region_code_len"),)

    regulator_id: Mapped[int] = mapped_column(ForeignKey("regulators.id"), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    regulator: Mapped[Regulator] = relationship(back_populates="regions")


class Organization(Base):
    """A company or public body identified by its Unified Social Credit Code."""

    __tablename__ = "organizations"
    __table_args__ = (
        CheckConstraint("length(uscc) = 18", name="uscc_len"),
        CheckConstraint("length(region_code) = 6", name="region_code_len"),
        CheckConstraint("is_generator OR is_transporter OR is_receiver", name="has_a_role"),
        CheckConstraint("site_radius_m > 0", name="site_radius_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    address: Mapped[str] = mapped_column(String(500), default="")
    lat: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    lon: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    site_radius_m: Mapped[int] = mapped_column(Integer, default=300)
    key_supervision: Mapped[bool] = mapped_column(Boolean, default=False)
    is_generator: Mapped[bool] = mapped_column(Boolean, default=False)
    is_transporter: Mapped[bool] = mapped_column(Boolean, default=False)
    is_receiver: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def roles(self) -> list[str]:
        return [
            role
            for role, flag in (
                ("generator", self.is_generator),
                ("transporter", self.is_transporter),
                ("receiver", self.is_receiver),
            )
            if flag
        ]


class User(Base):
    """A person who signs in: a member of one organisation, or of one regulator body."""

    __tablename__ = "users"
    __table_args__ = (
        one_of("role", USER_ROLES),
        CheckConstraint(
            "(organization_id IS NULL) <> (regulator_id IS NULL)", name="one_affiliation"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(10))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    regulator_id: Mapped[int | None] = mapped_column(ForeignKey("regulators.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: The password was chosen by an administrator: the user must choose their own before
    #: doing anything else.
    must_change_password: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organization: Mapped[Organization | None] = relationship(lazy="joined")
    regulator: Mapped[Regulator | None] = relationship(lazy="joined")


class ApiToken(Base):
    """A bearer token. Only its SHA-256 is stored; the token itself is shown once. It stops
    working at ``expires_at``, when revoked, or when its user is deactivated."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(lazy="joined")


class IdempotencyRecord(Base):
    """The first answer given to a POST carrying an ``Idempotency-Key``."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(500))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary)
    content_type: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
