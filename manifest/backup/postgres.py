"""PostgreSQL copies through pg_dump (custom format) and pg_restore.

A restore replaces the current schema's objects and loads the copy in one transaction
(``psql --single-transaction``), so a failed restore leaves the database as it was.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from .errors import BackupError

CLIENT_PACKAGE = "postgresql-client"
_TIMEOUT_S = 6 * 3600


def find_bindir(*programs: str) -> str | None:
    """The directory holding all of ``programs``: Debian's newest versioned directory
    (``/usr/lib/postgresql/N/bin``), else the directory on PATH."""
    for bindir in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version, reverse=True):
        if all(os.access(os.path.join(bindir, p), os.X_OK) for p in programs):
            return bindir
    found = [shutil.which(p) for p in programs]
    if all(found):
        return os.path.dirname(os.path.realpath(found[0]))
    return None


def _version(bindir: str) -> int:
    name = os.path.basename(os.path.dirname(bindir))
    return int(name) if name.isdigit() else 0


def _program(name: str) -> str:
    bindir = find_bindir(name)
    if bindir is None:
        raise BackupError(
            f"{name} is not installed; install the Debian package {CLIENT_PACKAGE} "
            f"(apt-get install {CLIENT_PACKAGE})"
        )
    return os.path.join(bindir, name)


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without the password, and the environment carrying it (a
    password on a command line is visible to every user of the machine)."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password is not None:
        env["PGPASSWORD"] = parsed.password
    uri = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return uri, env


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    proc = subprocess.run(args, env=env, capture_output=True, text=True, timeout=_TIMEOUT_S)
    if proc.returncode != 0:
        lines = (proc.stderr or proc.stdout).strip().splitlines() or [f"exit {proc.returncode}"]
        # psql and pg_restore put the reason on the ERROR line, context after it.
        reason = next((ln.split("ERROR:", 1)[1] for ln in lines if "ERROR:" in ln), lines[-1])
        raise BackupError(f"{what} failed: {reason.strip()}")


def copy_out(url: str, target: Path) -> None:
    """Dump the database at ``url`` into ``target`` (pg_dump's custom format, one
    consistent snapshot whatever the service writes meanwhile)."""
    uri, env = _libpq(url)
    _run(
        [_program("pg_dump"), "--format=custom", "--no-owner", "--file", str(target), uri],
        env,
        "pg_dump",
    )


def check_copy(path: Path) -> None:
    """Raise BackupError unless pg_restore can read the dump's table of contents."""
    _run([_program("pg_restore"), "--list", str(path)], dict(os.environ), "reading the dump")


def copy_in(copy: Path, url: str, engine: Engine, workdir: Path, revision: str) -> None:
    """Replace everything in the database's current schema with the dump, atomically; the
    transaction is undone unless the loaded schema is at ``revision`` as the backup says."""
    script = workdir / "restore.sql"
    _run(
        [
            _program("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--file",
            str(script),
            str(copy),
        ],
        dict(os.environ),
        "pg_restore",
    )
    clear = workdir / "clear.sql"
    clear.write_text(_clear_statements(engine), encoding="utf-8")
    check = workdir / "check.sql"
    check.write_text(_revision_check(revision), encoding="utf-8")
    uri, env = _libpq(url)
    _run(
        [
            _program("psql"),
            "--no-psqlrc",
            "--quiet",
            "--single-transaction",
            "--set",
            "ON_ERROR_STOP=1",
            "--file",
            str(clear),
            "--file",
            str(script),
            "--file",
            str(check),
            uri,
        ],
        env,
        "loading the dump",
    )


def _clear_statements(engine: Engine) -> str:
    """SQL dropping every table, view, sequence and function of the current schema."""
    queries = [
        "SELECT format('DROP TABLE IF EXISTS %I.%I CASCADE;', schemaname, tablename) "
        "FROM pg_tables WHERE schemaname = current_schema()",
        "SELECT format('DROP VIEW IF EXISTS %I.%I CASCADE;', schemaname, viewname) "
        "FROM pg_views WHERE schemaname = current_schema()",
        "SELECT format('DROP SEQUENCE IF EXISTS %I.%I CASCADE;', schemaname, sequencename) "
        "FROM pg_sequences WHERE schemaname = current_schema()",
        "SELECT format('DROP FUNCTION IF EXISTS %s CASCADE;', p.oid::regprocedure) "
        "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE n.nspname = current_schema() AND p.prokind = 'f' AND NOT EXISTS "
        "(SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')",
    ]
    with engine.connect() as conn:
        return "\n".join(line for q in queries for line in conn.scalars(text(q))) + "\n"


def _revision_check(revision: str) -> str:
    """SQL failing the transaction unless the loaded alembic_version is ``revision``."""
    if not revision.isalnum():
        raise BackupError(f"the backup names an impossible schema revision {revision!r}")
    return (
        "DO $$ DECLARE found text; BEGIN "
        "SELECT max(version_num) INTO found FROM public.alembic_version; "
        f"IF found IS DISTINCT FROM '{revision}' THEN RAISE EXCEPTION "
        f"'the dump is at schema revision %, not {revision} as its backup file records', "
        "found; END IF; END $$;\n"
    )
