"""The sign-in audit log; it is also what the sign-in rate limit counts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..infra.db import Base, UTCDateTime, utcnow
from ._enums import one_of

#: Why an attempt ended as it did. Only ``success`` signed in (a token, or a browser session); ``locked`` attempts were
#: refused before any password was looked at and do not count towards a lockout.
SIGNIN_OUTCOMES = ("success", "wrong_password", "unknown_account", "inactive", "locked")


class SigninAttempt(Base):
    """One ``POST /auth/token`` or sign-in page submission: the e-mail as typed (normalised), the client address, the
    account it named if any, and the outcome. Never the password or the token."""

    __tablename__ = "signin_attempts"
    __table_args__ = (
        one_of("outcome", SIGNIN_OUTCOMES),
        Index("ix_signin_attempts_email_at", "email", "attempted_at"),
        Index("ix_signin_attempts_address_at", "address", "attempted_at"),
        Index("ix_signin_attempts_user_at", "user_id", "attempted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[str] = mapped_column(String(20))
