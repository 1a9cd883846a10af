"""Backups of the whole database and their restore (``hwm backup`` / ``hwm restore``).

SQLite is copied with its online backup API, PostgreSQL with pg_dump/pg_restore; either
copy goes into one file that says what it is (see ``archive``). A restore refuses a
database that holds data unless forced, refuses a copy of another kind or schema, and is
followed by the verification of the ledger and of every manifest's chain.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ..infra.db import make_engine
from ..services.integrity import EvidenceReport, verify_all_evidence
from . import postgres, sqlite
from .archive import BackupInfo, extract_payload, read_info, write_archive
from .errors import BackupError
from .schema import database_revision, holds_data, require_restorable

__all__ = ["BackupError", "BackupInfo", "Restored", "backup", "restore", "kind_of"]


@dataclass
class Restored:
    info: BackupInfo
    evidence: EvidenceReport


def kind_of(url: str) -> str:
    """``sqlite`` or ``postgresql``; BackupError for any other database."""
    for kind in ("sqlite", "postgresql"):
        if url.startswith(kind):
            return kind
    raise BackupError(
        f"backups are made of SQLite and PostgreSQL databases, not {url.split(':')[0]}"
    )


def backup(url: str, target: Path, *, now: datetime) -> BackupInfo:
    """Write a consistent copy of the database at ``url`` to the new file ``target``.

    Raises BackupError if the database has no schema, the file exists, or the copy fails
    (pg_dump missing, database unreachable); no file is left behind then.
    """
    kind = kind_of(url)
    target = Path(target)
    if target.exists():
        raise BackupError(f"{target} already exists; choose another file name")
    with _database_errors(), tempfile.TemporaryDirectory(prefix="hwm-backup-") as tmp:
        payload = Path(tmp) / "copy"
        if kind == "sqlite":
            revision = sqlite.copy_out(url, payload)
        else:
            revision = _revision(url)
            postgres.copy_out(url, payload)
            # A migration that ran during the dump would make the recorded revision a lie.
            if _revision(url) != revision:
                raise BackupError("the schema changed during the backup; run it again")
        if revision is None:
            raise BackupError("the database has no hwm schema; there is nothing to back up")
        return write_archive(
            target, kind=kind, schema_revision=revision, created_at=now, payload=payload
        )


def restore(url: str, source: Path, *, force: bool = False) -> Restored:
    """Replace the database at ``url`` with the backup ``source``, then verify the ledger and
    every manifest's chain (the report says whether the evidence is intact).

    Raises BackupError, having changed nothing, when the file is no sound hwm backup, is of
    another database kind or schema revision than this hwm, or the database holds data and
    ``force`` is not given.
    """
    kind = kind_of(url)
    source = Path(source)
    info = read_info(source)
    if info.kind != kind:
        raise BackupError(
            f"{source} is a {info.kind} backup; it cannot be restored into a {kind} database"
        )
    require_restorable(info.schema_revision)
    engine = make_engine(url)
    try:
        with _database_errors():
            if not force and _has_data(engine, kind, url):
                raise BackupError(
                    "the database already holds data; restoring would replace it. Give --force "
                    "to replace it (make a backup of it first)"
                )
            engine.dispose()  # hold no connection to the database while it is replaced
            with tempfile.TemporaryDirectory(prefix="hwm-restore-") as tmp:
                copy = extract_payload(source, info, Path(tmp))
                if kind == "sqlite":
                    sqlite.check_copy(copy, info.schema_revision)
                    sqlite.copy_in(copy, url)
                else:
                    postgres.check_copy(copy)
                    postgres.copy_in(copy, url, engine, Path(tmp), info.schema_revision)
            engine.dispose()  # pooled connections (and their prepared statements) predate it
            with Session(engine) as session:
                evidence = verify_all_evidence(session)
    finally:
        engine.dispose()
    return Restored(info=info, evidence=evidence)


@contextmanager
def _database_errors() -> Iterator[None]:
    """A database that cannot be reached or read is the operator's to fix: say so plainly."""
    try:
        yield
    except DBAPIError as exc:
        raise BackupError(f"the database cannot be used: {exc.orig}") from None
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"the SQLite database cannot be used: {exc}") from None


def _has_data(engine, kind: str, url: str) -> bool:
    if kind == "sqlite" and not sqlite.database_path(url).exists():
        return False  # opening it would create an empty file; there is nothing to lose
    return holds_data(engine)


def _revision(url: str) -> str | None:
    engine = make_engine(url)
    try:
        return database_revision(engine)
    finally:
        engine.dispose()
