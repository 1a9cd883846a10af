"""Which schema a database or a backup is at, and whether a database holds data."""

from __future__ import annotations

from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select, table, text
from sqlalchemy.engine import Engine

from ..infra.migrate import alembic_config
from .errors import BackupError

#: Rows the migrations themselves write: an empty database has them.
_SEEDED = {"alembic_version"}


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config(""))


def code_head() -> str:
    """The schema revision this hwm's migrations end at."""
    return _scripts().get_current_head()


def database_revision(engine: Engine) -> str | None:
    """The revision a database is at, or None if it has no schema at all."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.scalar(text("SELECT version_num FROM alembic_version"))


def require_restorable(revision: str) -> None:
    """Raise BackupError unless a backup at ``revision`` can be restored by this hwm."""
    head = code_head()
    if revision == head:
        return
    known = {script.revision for script in _scripts().walk_revisions()}
    if revision in known:
        raise BackupError(
            f"the backup is at schema revision {revision}, older than this hwm's {head}: "
            "restore it with the hwm release that made it, then run `hwm db upgrade` "
            "after installing this release"
        )
    raise BackupError(
        f"the backup is at schema revision {revision}, which this hwm does not know (its "
        f"schema is at {head}); it was made by a newer hwm: upgrade hwm first"
    )


def holds_data(engine: Engine) -> bool:
    """Whether the database holds anything besides what the migrations write (the schema
    version and a ledger head that counts no event)."""
    with engine.connect() as conn:
        names = set(inspect(conn).get_table_names()) - _SEEDED
        for name in sorted(names):
            if name == "ledger_head":
                sequence = conn.scalar(text("SELECT max(sequence) FROM ledger_head"))
                if sequence:
                    return True
                continue
            if conn.scalar(select(text("1")).select_from(table(name)).limit(1)) is not None:
                return True
    return False
