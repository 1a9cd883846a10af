"""Keeping the stored answers of Idempotency-Keys from growing without end."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete

from ..infra.db import utcnow
from ..infra.uow import UnitOfWork
from ..models import IdempotencyRecord


def purge_expired_keys(uow: UnitOfWork, *, older_than: timedelta) -> int:
    """Delete the records of keys first used more than ``older_than`` ago (their answers are
    no longer replayed anyway); returns how many were deleted."""
    with uow:
        result = uow.session.execute(
            delete(IdempotencyRecord).where(IdempotencyRecord.created_at < utcnow() - older_than)
        )
        uow.commit()
    return result.rowcount
