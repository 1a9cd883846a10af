"""Migration 0007 fills the mass totals of manifests already stored as the services would."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select, text

from manifest.infra.db import make_engine, make_session_factory
from manifest.infra.migrate import downgrade, upgrade
from manifest.infra.uow import UnitOfWork
from manifest.models import Manifest
from manifest.tonnage import mass_totals
from tests.builders import advance, build_world, create_manifest, hazardous_body


def _totals(url) -> dict[int, dict]:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as s:
            return {
                m.id: {c: getattr(m, c) for c in mass_totals([]).as_dict()}
                for m in s.scalars(select(Manifest).order_by(Manifest.id))
            }
    finally:
        engine.dispose()


def test_upgrade_fills_the_totals_from_the_lines(unmigrated_url):
    url = unmigrated_url
    upgrade(url)
    engine = make_engine(url)
    session = make_session_factory(engine)()
    world = build_world(UnitOfWork(session))
    plating, liquid = hazardous_body(world)["lines"]
    mixed = [
        plating,
        liquid,
        {**liquid, "quantity": "2.000", "unit": "m3", "density_t_m3": "1.100"},
        {**liquid, "quantity": "3.000", "unit": "m3"},
        {**liquid, "quantity": "4", "unit": "pcs", "container_count": 4},
    ]
    create_manifest(world, lines=mixed)
    advance(world, create_manifest(world, lines=mixed[:3]), "completed")
    advance(world, create_manifest(world), "delivered")
    advance(world, create_manifest(world, kind="sludge"), "in_transit")
    session.close()
    engine.dispose()
    kept = _totals(url)
    assert kept[1]["declared_kg"] == Decimal("9700") and kept[1]["unmeasured_lines"] == 2

    downgrade(url, "0006")
    engine = make_engine(url)
    with engine.begin() as conn:
        columns = conn.execute(text("SELECT * FROM manifests")).keys()
    engine.dispose()
    assert "declared_kg" not in columns
    upgrade(url)
    assert _totals(url) == kept
