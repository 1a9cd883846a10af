"""The trail of changes to an organisation's members: who changed whose role or access, and
when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..infra.db import Base, UTCDateTime, utcnow
from ._enums import one_of

#: What happened to the member: a new role, deactivated (signed out, tokens revoked), or
#: allowed to sign in again.
MEMBER_CHANGES = ("role", "deactivated", "reactivated")


class MemberChange(Base):
    """One change to a user's role or access. ``changed_by_id`` is None when the operator's
    command line made it; the e-mails are kept as they were at the time."""

    __tablename__ = "member_changes"
    __table_args__ = (
        one_of("change", MEMBER_CHANGES),
        Index("ix_member_changes_organization_id_id", "organization_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    user_email: Mapped[str] = mapped_column(String(254))
    change: Mapped[str] = mapped_column(String(20))
    old_role: Mapped[str | None] = mapped_column(String(10))
    new_role: Mapped[str | None] = mapped_column(String(10))
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_by_email: Mapped[str | None] = mapped_column(String(254))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
