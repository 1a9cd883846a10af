"""Counting the SQL statements a page runs, for the tests that show it runs a bounded number
whatever the size of what it shows (no query per row)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

from sqlalchemy import event


@dataclass
class Counted:
    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)


@contextlib.contextmanager
def count_queries(engine):
    """Count every statement ``engine`` runs inside the block (transaction control aside):
    ``with count_queries(app.extensions["hwm"]["engine"]) as counted: ...; counted.count``."""
    counted = Counted()

    def record(conn, cursor, statement, parameters, context, executemany):
        counted.statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield counted
    finally:
        event.remove(engine, "before_cursor_execute", record)
