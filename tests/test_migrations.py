"""The schema comes only from the migrations, and they agree with the models both ways."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from manifest.db import Base, make_engine
from manifest.migrate import downgrade, upgrade
from tests.support.pgcluster import Cluster


@pytest.fixture(params=["sqlite", "postgres"])
def empty_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
    cluster = request.getfixturevalue("pg_cluster")
    if not isinstance(cluster, Cluster):
        from tests.conftest import missing

        missing(f"PostgreSQL: {cluster}")
    return cluster.create_database(f"migr_{tmp_path.name[-20:].lower().replace('-', '_')}")


def _diff(url: str) -> list:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            return compare_metadata(ctx, Base.metadata)
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade_and_models_match_head(empty_url):
    upgrade(empty_url)
    assert _tables(empty_url) == set(Base.metadata.tables)
    assert _diff(empty_url) == []

    downgrade(empty_url, "base")
    assert _tables(empty_url) == set()

    upgrade(empty_url)
    assert _diff(empty_url) == []
