"""``hwm backup`` and ``hwm restore`` on both databases: a copy taken while the service
writes restores whole into an empty database, every chain verifies, tampering is reported,
and every wrong restore is refused without touching the database."""

from __future__ import annotations

import dataclasses
import io
import json
import tarfile
import threading
import uuid

import pytest
from click.testing import CliRunner
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import DBAPIError

from api.cli import hwm
from manifest.backup.schema import code_head
from manifest.infra.db import make_engine, make_session_factory
from manifest.infra.migrate import upgrade
from manifest.infra.uow import UnitOfWork
from manifest.models import CustodyEvent, Manifest
from manifest.services.custody import verify_ledger
from tests.builders import advance, create_manifest
from tests.conftest import missing
from tests.test_tamper import _sql


def _run(url: str, *args: str):
    return CliRunner().invoke(hwm, list(args), env={"HWM_DATABASE_URL": url}, prog_name="hwm")


def _refused(result, *phrases: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    for phrase in phrases:
        assert phrase in result.output, result.output


def _new_database(url: str, tmp_path, request) -> str:
    """A second database of the same kind as ``url``, with nothing in it at all."""
    if url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / f'{uuid.uuid4().hex}.sqlite3'}"
    return request.getfixturevalue("pg_cluster").create_database(f"r_{uuid.uuid4().hex}")


@pytest.fixture
def new_database(db_url, tmp_path, request):
    return lambda: _new_database(db_url, tmp_path, request)


def _contents(url: str) -> dict:
    """What a user checks after a restore: each manifest with its status and events."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            manifests = conn.execute(select(Manifest.id, Manifest.number, Manifest.status)).all()
            events = dict(
                conn.execute(
                    select(CustodyEvent.manifest_id, func.count()).group_by(
                        CustodyEvent.manifest_id
                    )
                ).all()
            )
    finally:
        engine.dispose()
    return {m.id: (m.number, m.status, events.get(m.id, 0)) for m in manifests}


def _evidence_stays_append_only(url: str) -> None:
    engine = make_engine(url)
    try:
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text("UPDATE custody_events SET payload = '{}'"))
    finally:
        engine.dispose()


def _some_manifests(world):
    done = advance(world, create_manifest(world), "completed")
    moving = advance(world, create_manifest(world), "in_transit")
    sludge = advance(world, create_manifest(world, kind="sludge"), "delivered")
    draft = create_manifest(world)
    return [done, moving, sludge, draft]


def test_restore_into_an_empty_database_brings_back_every_manifest(
    world, db_url, new_database, tmp_path
):
    _some_manifests(world)
    before = _contents(db_url)
    backup = tmp_path / "hwm.backup"
    made = _run(db_url, "backup", str(backup))
    assert made.exit_code == 0, made.output
    kind = "sqlite" if db_url.startswith("sqlite") else "postgresql"
    assert f"{kind} backup at schema revision" in made.output

    target = new_database()
    restored = _run(target, "restore", str(backup))
    assert restored.exit_code == 0, restored.output
    events = sum(n for _, _, n in before.values())
    assert f"ledger: {events} events, intact" in restored.output
    assert "manifests: 4 chains verified, 0 broken" in restored.output
    assert _contents(target) == before
    if target.startswith("postgresql"):
        _evidence_stays_append_only(target)
    # The restored database is a working one: the service goes on signing on top of it.
    engine = make_engine(target)
    with make_session_factory(engine)() as session:
        again = dataclasses.replace(world, uow=UnitOfWork(session))
        advance(again, create_manifest(again), "issued")
    engine.dispose()
    assert _run(target, "restore", str(backup)).exit_code == 1  # it holds data now


def test_a_backup_taken_while_the_service_writes_is_consistent(
    world, db_url, new_database, tmp_path
):
    advance(world, create_manifest(world), "completed")
    stop = threading.Event()
    written: list[int] = []
    failures: list[BaseException] = []
    engine = make_engine(db_url)

    def keep_writing():
        with make_session_factory(engine)() as session:
            writer = dataclasses.replace(world, uow=UnitOfWork(session))
            try:
                while not stop.is_set():
                    written.append(advance(writer, create_manifest(writer), "in_transit").id)
            except BaseException as exc:  # reported by the test below
                failures.append(exc)

    thread = threading.Thread(target=keep_writing)
    thread.start()
    try:
        while len(written) < 3 and thread.is_alive():
            stop.wait(0.05)
        committed_before = list(written)
        backup = tmp_path / "busy.backup"
        made = _run(db_url, "backup", str(backup))
        during = len(written)
        while len(written) < during + 2 and thread.is_alive():
            stop.wait(0.05)  # the service went on writing after the copy too
    finally:
        stop.set()
        thread.join()
        engine.dispose()
    assert not failures, failures
    assert made.exit_code == 0, made.output

    target = new_database()
    restored = _run(target, "restore", str(backup))
    assert restored.exit_code == 0, restored.output
    assert "intact" in restored.output and ", 0 broken" in restored.output
    contents = _contents(target)
    assert set(committed_before) <= set(contents)
    assert len(contents) < len(_contents(db_url))
    # Each manifest in the copy is whole: its status has exactly the signatures leading to it
    # (each move is a transaction of its own, so a copy may catch a manifest between moves).
    whole = {("draft", 1), ("issued", 2), ("in_transit", 3), ("completed", 6)}
    assert {(status, events) for _, status, events in contents.values()} <= whole


def test_a_tampered_backup_is_reported_broken(world, db_url, new_database, tmp_path):
    m = advance(world, create_manifest(world), "completed")
    first = tmp_path / "first.backup"
    assert _run(db_url, "backup", str(first)).exit_code == 0
    tampered_db = new_database()
    assert _run(tampered_db, "restore", str(first)).exit_code == 0

    engine = make_engine(tampered_db)
    _sql(
        engine,
        "UPDATE custody_events SET payload = replace(payload, '6.000', '5.000') "
        "WHERE manifest_id = :m AND action = 'pickup'",
        m=m.id,
    )
    engine.dispose()
    tampered = tmp_path / "tampered.backup"
    assert _run(tampered_db, "backup", str(tampered)).exit_code == 0

    result = _run(new_database(), "restore", str(tampered))
    assert result.exit_code == 3, result.output
    assert "ledger: 6 events, BROKEN at event" in result.output
    assert "manifests: 1 chains verified, 1 broken" in result.output
    assert f"{m.number}: broken at event" in result.output
    assert "the restored evidence does not verify" in result.output


def test_a_database_holding_data_is_replaced_only_with_force(world, db_url, tmp_path):
    create_manifest(world)
    backup = tmp_path / "one.backup"
    assert _run(db_url, "backup", str(backup)).exit_code == 0
    advance(world, create_manifest(world), "issued")
    after = _contents(db_url)

    _refused(_run(db_url, "restore", str(backup)), "already holds data", "--force")
    assert _contents(db_url) == after

    forced = _run(db_url, "restore", "--force", str(backup))
    assert forced.exit_code == 0, forced.output
    assert len(_contents(db_url)) == 1 and "0 broken" in forced.output


def test_an_empty_migrated_database_is_not_data(world, db_url, new_database, tmp_path):
    create_manifest(world)
    backup = tmp_path / "one.backup"
    assert _run(db_url, "backup", str(backup)).exit_code == 0
    target = new_database()
    upgrade(target)  # `hwm db upgrade` was run on the new server before the restore
    result = _run(target, "restore", str(backup))
    assert result.exit_code == 0, result.output
    assert len(_contents(target)) == 1


def test_a_backup_of_the_other_kind_is_refused(world, db_url, tmp_path, request):
    create_manifest(world)
    backup = tmp_path / "one.backup"
    assert _run(db_url, "backup", str(backup)).exit_code == 0
    other = "postgres_url" if db_url.startswith("sqlite") else "sqlite_url"
    other_url = request.getfixturevalue(other)
    before = _contents(other_url)
    kinds = ("sqlite", "postgresql") if db_url.startswith("sqlite") else ("postgresql", "sqlite")
    _refused(
        _run(other_url, "restore", str(backup)),
        f"is a {kinds[0]} backup; it cannot be restored into a {kinds[1]} database",
    )
    assert _contents(other_url) == before


@pytest.mark.parametrize(
    ("revision", "phrase"),
    [("0006", "older than this hwm's"), ("9999", "made by a newer hwm")],
)
def test_a_backup_of_another_schema_revision_is_refused(
    db_url, new_database, tmp_path, revision, phrase
):
    source = new_database()
    if revision == "9999":
        upgrade(source)
        engine = make_engine(source)
        with engine.begin() as conn:  # as a newer hwm would have left it
            conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
        engine.dispose()
    else:
        upgrade(source, revision)
    backup = tmp_path / "other-schema.backup"
    made = _run(source, "backup", str(backup))
    assert made.exit_code == 0 and f"schema revision {revision}" in made.output
    target = new_database()
    _refused(_run(target, "restore", str(backup)), f"schema revision {revision}", phrase)
    engine = make_engine(target)
    with engine.connect() as conn:  # refused before anything was written
        assert inspect(conn).get_table_names() == []
    engine.dispose()


def test_damaged_or_foreign_files_are_refused(world, db_url, new_database, tmp_path):
    create_manifest(world)
    backup = tmp_path / "one.backup"
    assert _run(db_url, "backup", str(backup)).exit_code == 0
    _refused(_run(db_url, "backup", str(backup)), "already exists")
    nowhere = tmp_path / "no" / "such" / "dir.backup"
    _refused(_run(db_url, "backup", str(nowhere)), f"cannot write {nowhere}")

    target = new_database()
    _refused(_run(target, "restore", str(tmp_path / "nothing")), "no such file")
    foreign = tmp_path / "foreign.tar"
    with tarfile.open(foreign, "w") as tar:
        tar.add(__file__, arcname="notes.py")
    _refused(_run(target, "restore", str(foreign)), "is not an hwm backup file")

    damaged = tmp_path / "damaged.backup"
    data = bytearray(backup.read_bytes())
    data[-20_000] ^= 0xFF  # a flipped byte inside the database copy
    damaged.write_bytes(bytes(data))
    _refused(_run(target, "restore", str(damaged)), "is damaged")


def _relabel(backup, target, **changes) -> None:
    """Copy ``backup`` to ``target`` with its description edited (the copy left as it is)."""
    with tarfile.open(backup) as tar:
        info = json.loads(tar.extractfile("hwm-backup.json").read())
        info.update(changes)
        raw = json.dumps(info).encode()
        with tarfile.open(target, "w") as out:
            for member in tar.getmembers():
                if member.name == "hwm-backup.json":
                    member.size = len(raw)
                    out.addfile(member, io.BytesIO(raw))
                else:
                    out.addfile(member, tar.extractfile(member))


def test_a_copy_that_is_not_what_its_file_says_leaves_the_database_as_it_was(
    world, db_url, new_database, tmp_path
):
    source = new_database()
    upgrade(source)
    engine = make_engine(source)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    backup = tmp_path / "future.backup"
    assert _run(source, "backup", str(backup)).exit_code == 0
    relabelled = tmp_path / "relabelled.backup"
    _relabel(backup, relabelled, schema_revision=code_head())

    create_manifest(world)
    before = _contents(db_url)
    result = _run(db_url, "restore", "--force", str(relabelled))
    _refused(result, "9999")
    assert _contents(db_url) == before
    engine = make_engine(db_url)
    with make_session_factory(engine)() as s:
        assert verify_ledger(s).valid
    engine.dispose()


def test_an_unreachable_database_is_a_clear_error(pg_cluster, tmp_path):
    if not hasattr(pg_cluster, "url"):
        missing(f"PostgreSQL: {pg_cluster}")
    absent = pg_cluster.url("no_such_database")
    _refused(_run(absent, "backup", str(tmp_path / "x.backup")), "cannot be used")
    assert not (tmp_path / "x.backup").exists()
