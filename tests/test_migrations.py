"""The schema comes only from the migrations, and they agree with the models both ways."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from manifest.infra.db import Base, make_engine
from manifest.infra.migrate import downgrade, upgrade


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


def test_upgrade_downgrade_upgrade_and_models_match_head(unmigrated_url):
    upgrade(unmigrated_url)
    assert _tables(unmigrated_url) == set(Base.metadata.tables)
    assert _diff(unmigrated_url) == []

    downgrade(unmigrated_url, "base")
    assert _tables(unmigrated_url) == set()

    upgrade(unmigrated_url)
    assert _diff(unmigrated_url) == []
