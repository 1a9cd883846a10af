"""SQLite copies through SQLite's online backup API: the copy is one consistent state of
the database even while the service keeps writing to it."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy.engine import make_url

from .errors import BackupError


def database_path(url: str) -> Path:
    """The file of a ``sqlite:///`` URL. Raises BackupError for an in-memory database."""
    name = make_url(url).database
    if not name or name == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(name)


def copy_out(url: str, target: Path) -> str:
    """Copy the live database at ``url`` into the new file ``target`` and return the schema
    revision of that copy (None if it has no schema)."""
    source = database_path(url)
    if not source.is_file():
        raise BackupError(f"{source}: no such database file")
    with closing(_connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)  # all pages in one step: a single read snapshot of the source
        dst.execute("PRAGMA journal_mode=DELETE")  # a self-contained file, no -wal beside it
        return _revision(dst)


def check_copy(path: Path, revision: str) -> None:
    """Raise BackupError unless the copy is a sound SQLite database at ``revision``."""
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            problems = conn.execute("PRAGMA quick_check").fetchall()
            found = _revision(conn)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"the database copy in the backup is unreadable: {exc}") from None
    if problems != [("ok",)]:
        raise BackupError(f"the database copy in the backup is damaged: {problems[0][0]}")
    if found != revision:
        raise BackupError(
            f"the database copy is at schema revision {found}, not {revision} as recorded"
        )


def copy_in(copy: Path, url: str) -> None:
    """Replace the database at ``url`` with ``copy``, in one step (the backup API writes the
    whole destination under its lock, so a reader sees the old or the new database)."""
    target = database_path(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with closing(sqlite3.connect(copy)) as src, closing(_connect(target)) as dst:
            src.backup(dst)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"restoring into {target} failed: {exc}") from None


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=30)
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


def _revision(conn: sqlite3.Connection) -> str | None:
    has_table = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
    ).fetchone()
    if not has_table:
        return None
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return row[0] if row else None
