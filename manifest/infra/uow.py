"""The unit of work: one transaction per use case.

A service opens ``with uow:``, does its reads and writes through ``uow.session`` and calls
``uow.commit()`` once at the end. Leaving the block without a commit (an exception, or a
domain error raised half-way) rolls everything back, so a refused request changes nothing.

Units of work nest: inside an outer ``with uow:`` (a request whose writes must land together
with its stored answer, say), a service's ``commit()`` only flushes, so its constraint errors
still surface inside the service, and the outer owner commits everything at once.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ..config import Settings
from ..errors import Conflict
from .db import settings_of


class UnitOfWork:
    def __init__(self, session: Session):
        self.session = session
        self._depth = 0
        self._committed = False

    @property
    def settings(self) -> Settings:
        """The settings the service runs with, carried by the session."""
        return settings_of(self.session)

    def __enter__(self) -> UnitOfWork:
        if self._depth == 0:
            # Reads made before the use case (looking up the caller, say) are not part of
            # it; end them, then open the use case's transaction as a writer, which on
            # SQLite takes the database's write lock up front (BEGIN IMMEDIATE).
            if self.session.in_transaction():
                self.session.commit()
            self.session.connection(execution_options={"hwm_write": True})
            self._committed = False
        self._depth += 1
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        self._depth -= 1
        if self._depth == 0 and exc_type is None and not self._committed:
            self.session.rollback()  # nothing to keep; release the write lock at once
        if exc_type is not None:
            if self._depth == 0:
                self.session.rollback()
            if issubclass(exc_type, StaleDataError):
                raise Conflict(
                    "the manifest was changed by someone else; reload and retry"
                ) from exc
            if issubclass(exc_type, OperationalError) and _is_lock_conflict(exc):
                raise Conflict("the record is busy; retry") from exc
            if issubclass(exc_type, IntegrityError):
                # Checks run before writing; a constraint that still fires means another
                # request wrote the same thing at the same moment.
                raise Conflict("the record was changed at the same time; retry") from exc
        return False

    def commit(self) -> None:
        """Commit; inside an outer use case, which owns the transaction, flush only.

        Raises Conflict when the manifest was changed by someone else in the meantime."""
        if self._depth > 1:
            self.session.flush()
            return
        try:
            self.session.commit()
            self._committed = True
        except StaleDataError as exc:
            self.session.rollback()
            raise Conflict("the manifest was changed by someone else; reload and retry") from exc

    def rollback(self) -> None:
        self.session.rollback()


def _is_lock_conflict(exc: OperationalError) -> bool:
    text = str(exc.orig).lower()
    return "deadlock" in text or "could not serialize" in text or "database is locked" in text
