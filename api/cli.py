"""The ``hwm`` command line."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click

from gps.cli import analyse_command
from manifest.config import Settings
from manifest.errors import DomainError
from manifest.infra.db import make_engine, make_session_factory
from manifest.infra.uow import UnitOfWork


@contextmanager
def _uow() -> Iterator[UnitOfWork]:
    """A unit of work on the configured database. The session is closed and the engine
    disposed on leaving, so a failed command leaves no transaction or connection open."""
    settings = _settings()
    engine = make_engine(settings.database_url)
    session = make_session_factory(engine, settings)()
    try:
        yield UnitOfWork(session)
    finally:
        session.close()
        engine.dispose()


def _settings() -> Settings:
    """The command's settings, read from the environment (once per command)."""
    try:
        return Settings.from_environ()
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None


def _fail(exc: DomainError) -> None:
    message = exc.message
    for field, problems in (exc.errors or {}).items():
        message += f"\n  {field}: {'; '.join(map(str, problems))}"
    raise click.ClickException(message)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def hwm():
    """hwm: electronic transfer manifests for hazardous waste and sludge.

    The database is HWM_DATABASE_URL (default: a SQLite file under var/).
    """


# ---------------------------------------------------------------- db


@hwm.group()
def db():
    """Database schema."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision):
    """Apply the migrations to the configured database."""
    from manifest.infra.migrate import upgrade

    url = _settings().database_url
    upgrade(url, revision)
    click.echo(f"database at revision {revision}: {_safe(url)}")


@db.command("downgrade")
@click.option("--revision", default="base", show_default=True)
@click.confirmation_option(prompt="Revert the schema? Data in dropped tables is lost.")
def db_downgrade(revision):
    """Revert the migrations (development only)."""
    from manifest.infra.migrate import downgrade

    downgrade(_settings().database_url, revision)
    click.echo(f"database at revision {revision}")


def _safe(url: str) -> str:
    """The URL without its password, for printing."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        return f"{scheme}://{creds.split(':')[0]}:***@{host}"
    return url


# ---------------------------------------------------------------- users and tokens


@hwm.group()
def users():
    """User accounts."""


@users.command("create")
@click.option("--email", required=True)
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="asked for (not echoed) when not given, so it stays out of the shell history",
)
@click.option("--org", "uscc", help="USCC of the user's organisation")
@click.option(
    "--role",
    type=click.Choice(["admin", "member", "driver", "reader"]),
    default="member",
    show_default=True,
)
@click.option("--regulator", is_flag=True, help="make a regulator user instead")
@click.option("--region", help="with --regulator: the 6-digit region code covered")
def users_create(email, password, uscc, role, regulator, region):
    """Create a user of an organisation (--org) or a regulator user (--regulator --region)."""
    try:
        with _uow() as uow:
            user = _create_user(uow, email, password, uscc, role, regulator, region)
            summary = f"created user {user.id} <{user.email}> ({user.role})"
    except DomainError as exc:
        _fail(exc)
    click.echo(summary)


def _create_user(uow, email, password, uscc, role, regulator, region):
    from manifest.services import registry

    if regulator:
        if not region or uscc:
            raise click.UsageError("--regulator needs --region and no --org")
        return registry.create_regulator_user(
            uow,
            email=email,
            password=password,
            region_code=region,
            role=role if role != "member" else "admin",
        )
    if not uscc:
        raise click.UsageError("give --org USCC, or --regulator --region CODE")
    org = registry.find_organization_by_uscc(uow.session, uscc)
    return registry.add_member(
        uow, actor=None, organization_id=org.id, email=email, password=password, role=role
    )


@users.command("deactivate")
@click.option("--email", required=True)
def users_deactivate(email):
    """Deactivate an account (a regulator's too): its tokens stop at once, it cannot sign in."""
    _set_active(email, False)


@users.command("reactivate")
@click.option("--email", required=True)
def users_reactivate(email):
    """Let a deactivated account sign in again (for a new token)."""
    _set_active(email, True)


def _set_active(email: str, active: bool) -> None:
    from manifest.services.members import set_user_active

    try:
        with _uow() as uow:
            user = set_user_active(uow, email=email, active=active)
            summary = f"user {user.id} <{user.email}> is {'active' if active else 'deactivated'}"
    except DomainError as exc:
        _fail(exc)
    click.echo(summary)


@hwm.group()
def tokens():
    """API tokens."""


@tokens.command("create")
@click.option("--email", required=True)
@click.option(
    "--days",
    type=click.IntRange(1, 3650),
    help="lifetime in days  [default: HWM_TOKEN_LIFETIME_DAYS, else 30]",
)
def tokens_create(email, days):
    """Print a new API token for a user (shown once; only its hash is kept)."""
    from manifest.services import tokens

    try:
        with _uow() as uow:
            lifetime = days or _settings().token_lifetime_days
            click.echo(tokens.issue_token(uow, email=email, lifetime_days=lifetime))
    except DomainError as exc:
        _fail(exc)


@tokens.command("revoke")
@click.argument("token")
def tokens_revoke(token):
    """Revoke a token."""
    from manifest.services import tokens

    try:
        with _uow() as uow:
            tokens.revoke_token(uow, token=token)
    except DomainError as exc:
        _fail(exc)
    click.echo("revoked")


# ---------------------------------------------------------------- catalogue


@hwm.group()
def catalogue():
    """The waste catalogue."""


@catalogue.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def catalogue_import(file):
    """Load an official waste list from CSV (columns: code, category, name_zh, name_en,
    hazard). Valid rows are loaded; each rejected row is reported with its line."""
    from manifest.services.catalogue_search import import_catalogue

    with open(file, "rb") as fh:
        rows = max(sum(1 for _ in fh) - 1, 0)  # the header is not a row
        fh.seek(0)
        bar = click.progressbar(length=rows, label="importing", file=sys.stderr)

        def progress(n):
            bar.update(1)

        try:
            with bar, _uow() as uow:
                inserted, updated, rejected = import_catalogue(uow, fh, progress=progress)
        except DomainError as exc:
            _fail(exc)
    click.echo(f"{inserted} codes added, {updated} updated, {len(rejected)} rows rejected")
    for row in rejected:
        click.echo(f"  line {row.line_no}: {row.reason}: {row.raw}", err=True)


# ---------------------------------------------------------------- receipts and findings


@hwm.group()
def receipts():
    """Weighbridge records."""


@receipts.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--receiver", "uscc", required=True, help="USCC of the receiving facility")
def receipts_import(file, uscc):
    """Import a receiver's weighbridge CSV (e.g. a year of records) and match it to
    manifests. Re-running is safe: tickets already stored count as duplicates."""
    import hashlib

    from manifest.receipts import file_encoding
    from manifest.services.receipts import import_file

    digest = hashlib.sha256()
    with open(file, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    with open(file, "rb") as fh:
        rows = sum(1 for _ in fh) - 1
    with open(file, "rb") as fh:
        try:
            encoding = file_encoding(fh)
        except DomainError as exc:
            _fail(exc)
    with (
        open(file, encoding=encoding, newline="") as fh,
        click.progressbar(length=max(rows, 0), label="importing", file=sys.stderr) as bar,
    ):
        try:
            with _uow() as uow:
                result = import_file(
                    uow,
                    lines=fh,
                    receiver_uscc=uscc,
                    sha256=digest.hexdigest(),
                    progress=bar.update,
                )
        except DomainError as exc:
            _fail(exc)
    click.echo(
        f"{result.created} created, {result.duplicates} duplicates, {result.matched} "
        f"matched, {result.unmanifested} unmanifested, {result.findings} findings, "
        f"{len(result.errors)} rows rejected"
    )
    for error in result.errors:
        click.echo(f"  row {error.row}: {error.field or 'row'}: {error.message}", err=True)


@hwm.group()
def findings():
    """Findings."""


@findings.command("sweep")
def findings_sweep():
    """Raise overdue-decision and overdue-delivery findings and escalate findings past their
    due date. Safe to run from cron every few minutes: it never doubles a finding."""
    from manifest.services.deadlines import sweep

    try:
        with _uow() as uow:
            result = sweep(uow)
    except DomainError as exc:
        _fail(exc)
    click.echo(
        f"{result.overdue_decision} overdue decisions, {result.overdue_delivery} overdue "
        f"deliveries, {result.escalated} findings escalated"
    )


@hwm.group()
def keys():
    """Idempotency-Keys."""


@keys.command("purge")
def keys_purge():
    """Delete the stored answers of Idempotency-Keys older than HWM_IDEMPOTENCY_KEY_HOURS
    (24 by default); they are no longer replayed anyway. Safe to run from cron."""
    from datetime import timedelta

    from manifest.services.idempotency import purge_expired_keys

    hours = _settings().idempotency_key_hours
    with _uow() as uow:
        purged = purge_expired_keys(uow, older_than=timedelta(hours=hours))
    click.echo(f"{purged} idempotency keys older than {hours} h purged")


# ---------------------------------------------------------------- backups


@hwm.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
def backup_command(file):
    """Write a consistent copy of the database to FILE (SQLite: online backup, safe while
    the service writes; PostgreSQL: pg_dump)."""
    from manifest.backup import BackupError, backup
    from manifest.infra.db import utcnow

    try:
        info = backup(_settings().database_url, file, now=utcnow())
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"{info.kind} backup at schema revision {info.schema_revision} written to {file} "
        f"({info.size} bytes, sha256 {info.sha256})"
    )


@hwm.command("restore")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="replace a database that already holds data")
def restore_command(file, force):
    """Replace the database with the backup FILE, then verify the ledger and every
    manifest's chain. Exit status 1: nothing restored; 3: restored, evidence broken."""
    from manifest.backup import BackupError, restore

    try:
        restored = restore(_settings().database_url, file, force=force)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    info, evidence = restored.info, restored.evidence
    click.echo(
        f"restored the {info.kind} backup of {info.created_at} (schema revision "
        f"{info.schema_revision}) into {_safe(_settings().database_url)}"
    )
    ledger = evidence.ledger
    click.echo(
        f"ledger: {ledger.length} events, "
        + ("intact" if ledger.valid else f"BROKEN at event {ledger.broken_at}: {ledger.reason}")
    )
    click.echo(f"manifests: {evidence.manifests} chains verified, {len(evidence.broken)} broken")
    for ref, verdict in evidence.broken:
        click.echo(f"  {ref}: broken at event {verdict.broken_at}: {verdict.reason}", err=True)
    if not evidence.intact:
        click.echo("the restored evidence does not verify", err=True)
        sys.exit(3)  # 2 is click's own for a wrong command line


@hwm.group()
def tolerances():
    """Reconciliation tolerances."""


@tolerances.command("set")
@click.option("--kind", required=True, type=click.Choice(["hazardous", "sludge"]))
@click.option(
    "--region",
    "region_code",
    help="a 6-digit division code; left out: the service-wide default",
)
@click.option("--mass-pct", help="% of the reference, 0 to 100")
@click.option("--mass-kg", "mass_abs_kg", help="kg, 0 to 1000000")
@click.option("--moisture-points", help="percentage points of moisture, 0 to 100")
@click.option("--violation-factor", help="1 to 100")
def tolerances_set(kind, **values):
    """Set a tolerance as the operator: the service-wide default, which holds wherever no
    region has set its own, or a region's. Values left out keep the ones in force; the
    change is recorded in the tolerance history like a regulator's."""
    from manifest.services.tolerances import set_tolerance

    try:
        with _uow() as uow:
            # The options are named as the service's arguments.
            tolerance, setting_region = set_tolerance(uow, actor=None, kind=kind, **values)
    except DomainError as exc:
        _fail(exc)
    click.echo(
        f"{kind} in {setting_region or 'the service-wide default'}: {tolerance.mass_pct} % and "
        f"{tolerance.mass_abs_kg} kg, {tolerance.moisture_points} moisture points, "
        f"violation beyond {tolerance.violation_factor} times"
    )


@tolerances.command("clear")
@click.option("--kind", required=True, type=click.Choice(["hazardous", "sludge"]))
@click.option("--region", help="a 6-digit division code; left out: the service-wide default")
def tolerances_clear(kind, region):
    """Remove a region's own tolerance (or the configured service-wide default), so the
    enclosing region's setting or the default holds again; recorded in the history."""
    from manifest.services.tolerances import clear_tolerance

    try:
        with _uow() as uow:
            tolerance, setting_region = clear_tolerance(
                uow, actor=None, kind=kind, region_code=region
            )
    except DomainError as exc:
        _fail(exc)
    click.echo(
        f"{kind} in {region or 'the service-wide default'} now follows "
        f"{setting_region or 'the service-wide default'}: {tolerance.mass_pct} % and "
        f"{tolerance.mass_abs_kg} kg, {tolerance.moisture_points} moisture points, "
        f"violation beyond {tolerance.violation_factor} times"
    )


# ---------------------------------------------------------------- demo and serve


@hwm.command()
def demo():
    """Load the Jiangmen demo data set and print its accounts and tokens.

    For development and trials only: it creates accounts that all share one published
    password, and it refuses a database that holds any other organisation or user.
    """
    from manifest.demo import PASSWORD, load_demo

    click.secho(
        f"WARNING: the demo creates accounts whose password is '{PASSWORD}', known to anyone"
        " who has read this project. Never load it into a database that real users reach.",
        fg="red",
        bold=True,
        err=True,
    )
    try:
        with _uow() as uow:
            accounts = load_demo(uow)
    except DomainError as exc:
        _fail(exc)
    click.echo(f"Demo accounts (password for all: {PASSWORD}):")
    for acc in accounts:
        # E-mail and token first: they line up, the labels (with Chinese names) need not.
        click.echo(f"  {acc['email']:<24} token {acc['token']}  {acc['role']}")


@hwm.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
def serve(host, port, workers):
    """Serve the API with gunicorn: one JSON log line per request on stderr."""
    from gunicorn.app.base import BaseApplication

    from . import create_app
    from .request_log import install_handler
    from .server_banner import drop_gunicorn_banner

    drop_gunicorn_banner()

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            # No gunicorn access log: it would print query strings, tokens included. The
            # app's own request log (api.request_log) replaces it.
            self.cfg.set("accesslog", None)

        def load(self):
            install_handler()
            return create_app()

    Server().run()


@hwm.group("gps")
def gps_group():
    """GPS logs."""


gps_group.add_command(analyse_command, "analyse")


@gps_group.command("gateway")
@click.option("--host", default="0.0.0.0", show_default=True)
@click.option("--port", default=808, show_default=True, type=click.IntRange(0, 65535))
@click.option("--max-connections", default=10_000, show_default=True, type=click.IntRange(1))
@click.option("--idle", "idle_s", default=300.0, show_default=True, type=click.FloatRange(1))
def gps_gateway(host, port, max_connections, idle_s):
    """Take positions from vehicle terminals over JT/T 808 (2013 and 2019).

    Terminals must be bound to a vehicle first (POST /api/v1/organizations/{id}/terminals).
    """
    import logging

    from manifest.gateway.limits import Limits
    from manifest.gateway.server import serve

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    limits = Limits(max_connections=max_connections, idle_s=idle_s)
    serve(_settings(), host, port, limits)


def main() -> None:
    hwm(prog_name="hwm")
