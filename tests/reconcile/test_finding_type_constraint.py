"""The database refuses a finding of a type the registry does not know, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from manifest.finding_types import FINDING_TYPES
from manifest.infra.db import utcnow
from manifest.models import Finding


def _finding(type_: str) -> Finding:
    return Finding(
        key=f"constraint:{type_}", type=type_, severity="info", message="-", due_at=utcnow()
    )


def test_every_registered_type_is_stored_and_nothing_else(sessions):
    with sessions() as session:
        session.add_all(_finding(name) for name in FINDING_TYPES)
        session.commit()
        stored = session.query(Finding.type).order_by(Finding.id).all()
        assert [row.type for row in stored] == list(FINDING_TYPES)
    for stranger in ("misdirected_receipt", "weather"):
        with sessions() as session:
            session.add(_finding(stranger))
            with pytest.raises(IntegrityError, match="type_valid"):
                session.commit()
