"""Fixtures: a database per backend (SQLite always; PostgreSQL from a throwaway cluster),
the app on top, and builders that make real rows through the services."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text

from manifest.infra.db import Base, make_engine, make_session_factory
from manifest.infra.migrate import upgrade
from manifest.infra.uow import UnitOfWork
from tests.support.pgcluster import Cluster, ClusterUnavailable

REQUIRE_ALL = os.environ.get("HWM_REQUIRE_ALL") == "1"
# Hundreds of accounts are made per run; the production scrypt cost would dominate the suite.
os.environ.setdefault("HWM_SCRYPT_N", "1024")


def pytest_report_header(config):
    from tests.support.pgcluster import find_bindir

    bindir = find_bindir()
    return [
        f"hwm: PostgreSQL binaries: {bindir or 'MISSING - PostgreSQL tests will be skipped'}"
        + (" (HWM_REQUIRE_ALL=1: missing parts fail)" if REQUIRE_ALL else "")
    ]


def missing(reason: str):
    """Skip loudly, or fail when the run requires every part."""
    if REQUIRE_ALL:
        pytest.fail(f"required part missing: {reason}", pytrace=False)
    pytest.skip(f"MISSING: {reason}")


@pytest.fixture(scope="session")
def pg_cluster():
    try:
        cluster = Cluster().start()
    except ClusterUnavailable as exc:
        cluster = exc
    yield cluster
    if isinstance(cluster, Cluster):
        cluster.stop()


def _migrated(url: str) -> str:
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory):
    path = tmp_path_factory.mktemp("sqlite") / "hwm.sqlite3"
    return _migrated(f"sqlite:///{path}")


@pytest.fixture(scope="session")
def postgres_url(pg_cluster):
    if not isinstance(pg_cluster, Cluster):
        missing(f"PostgreSQL: {pg_cluster}")
    return _migrated(pg_cluster.create_database("hwm_test"))


def _wipe(url: str) -> None:
    """Empty every table between tests (faster than migrating again), keep the schema."""
    engine = make_engine(url)
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))
        conn.execute(
            text("INSERT INTO ledger_head (id, sequence, hash) VALUES (1, 0, :h)"), {"h": "0" * 64}
        )
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request):
    """A migrated, empty database; each test runs once per backend."""
    url = request.getfixturevalue(f"{request.param}_url")
    _wipe(url)
    return url


@pytest.fixture(params=["sqlite", "postgres"])
def unmigrated_url(request, tmp_path):
    """A database of its own with no schema at all, for tests that run the migrations."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'unmigrated.sqlite3'}"
    cluster = request.getfixturevalue("pg_cluster")
    if not isinstance(cluster, Cluster):
        missing(f"PostgreSQL: {cluster}")
    return cluster.create_database(f"m_{tmp_path.name[-24:].lower().replace('-', '_')}")


@pytest.fixture
def pg_url(postgres_url):
    """PostgreSQL only, for what SQLite cannot show (row locks under real concurrency)."""
    _wipe(postgres_url)
    return postgres_url


@pytest.fixture
def engine(db_url):
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def sessions(engine):
    return make_session_factory(engine)


@pytest.fixture
def uow(sessions):
    """A unit of work on a fresh session; builders and direct service calls use it."""
    s = sessions()
    yield UnitOfWork(s)
    s.close()


@pytest.fixture
def make_app(db_url):
    """Build the app on the test database, with given Settings (sign-in thresholds, token
    lifetime...) or the defaults."""
    from api import create_app

    made = []

    def make(settings=None):
        made.append(create_app({"DATABASE_URL": db_url, "TESTING": True, "HWM_SETTINGS": settings}))
        return made[-1]

    yield make
    for application in made:
        application.extensions["hwm"]["engine"].dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def pg_world(pg_url):
    """The same miniature Jiangmen, on PostgreSQL only."""
    from tests.builders import build_world

    engine = make_engine(pg_url)
    session = make_session_factory(engine)()
    yield build_world(UnitOfWork(session))
    session.close()
    engine.dispose()


@pytest.fixture
def world(uow):
    """Jiangmen in miniature: a regulator, generators, a transporter, a receiver."""
    from tests.builders import build_world

    return build_world(uow)
