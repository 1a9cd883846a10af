"""Editing stored evidence by SQL, behind the service's back, is detected and located."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from manifest.infra.db import make_engine
from manifest.models import CustodyEvent, Manifest
from manifest.services.custody import verify_ledger, verify_manifest_chain
from tests.builders import advance, create_manifest


def _completed(world):
    return advance(world, create_manifest(world), "completed")


def _event(session, manifest_id, action) -> CustodyEvent:
    return session.scalar(
        select(CustodyEvent).where(
            CustodyEvent.manifest_id == manifest_id, CustodyEvent.action == action
        )
    )


def _verify(sessions, manifest_id):
    with sessions() as s:
        return verify_manifest_chain(s, s.get(Manifest, manifest_id))


def _sql(engine, statement, **params):
    """Run SQL as an attacker with the database owner's rights would: on PostgreSQL the
    append-only triggers are switched off for the session first."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text(statement), params)


def test_untouched_chains_verify(world, sessions):
    m = _completed(world)
    verdict = _verify(sessions, m.id)
    assert verdict.valid and verdict.length == 6  # create, issue, pickup, deliver, decide, complete
    with sessions() as s:
        ledger = verify_ledger(s)
    assert ledger.valid and ledger.length == 6


def test_edited_event_payload_names_that_event(world, sessions, engine):
    m = _completed(world)
    with sessions() as s:
        pickup = _event(s, m.id, "pickup")
    _sql(
        engine,
        "UPDATE custody_events SET payload = replace(payload, '6.000', '5.000') WHERE id = :id",
        id=pickup.id,
    )
    verdict = _verify(sessions, m.id)
    assert not verdict.valid
    assert verdict.broken_at == pickup.id
    with sessions() as s:
        ledger = verify_ledger(s)
    assert not ledger.valid and ledger.broken_at == pickup.id


def test_edited_server_time_is_detected(world, sessions, engine):
    m = _completed(world)
    with sessions() as s:
        issue = _event(s, m.id, "issue")
    _sql(engine, "UPDATE custody_events SET claimed_lat = 1 WHERE id = :id", id=issue.id)
    assert _verify(sessions, m.id).broken_at == issue.id


def test_edited_quantity_names_the_event_that_signed_it(world, sessions, engine):
    m = _completed(world)
    _sql(
        engine,
        "UPDATE manifest_lines SET received = received - 1 WHERE manifest_id = :m AND line_no = 1",
        m=m.id,
    )
    with sessions() as s:
        deliver = _event(s, m.id, "deliver")
    verdict = _verify(sessions, m.id)
    assert not verdict.valid
    assert verdict.broken_at == deliver.id
    assert "received" in verdict.reason


def test_edited_mass_total_is_caught_like_an_edited_line(world, sessions, engine):
    m = _completed(world)
    _sql(engine, "UPDATE manifests SET accepted_kg = accepted_kg - 1000 WHERE id = :m", m=m.id)
    with sessions() as s:
        decide = _event(s, m.id, "decide")
    verdict = _verify(sessions, m.id)
    assert not verdict.valid
    assert verdict.broken_at == decide.id
    assert verdict.reason == "stored total accepted_kg is 6500.000, the lines add up to 7500.000"


def test_edited_status_is_detected(world, sessions, engine):
    m = advance(world, create_manifest(world), "issued")
    _sql(engine, "UPDATE manifests SET status = 'cancelled' WHERE id = :m", m=m.id)
    with sessions() as s:
        issue = _event(s, m.id, "issue")
    assert _verify(sessions, m.id).broken_at == issue.id


def test_deleting_a_whole_manifests_events_breaks_the_service_wide_chain(world, sessions, engine):
    first = _completed(world)
    second = _completed(world)
    _sql(engine, "DELETE FROM custody_events WHERE manifest_id = :m", m=first.id)
    with sessions() as s:
        assert verify_manifest_chain(s, s.get(Manifest, second.id)).valid
        ledger = verify_ledger(s)
        first_of_second = s.scalar(
            select(CustodyEvent.id)
            .where(CustodyEvent.manifest_id == second.id)
            .order_by(CustodyEvent.sequence)
        )
    assert not ledger.valid
    assert ledger.broken_at == first_of_second


def test_deleting_the_newest_events_is_detected_by_the_head(world, sessions, engine):
    m = _completed(world)
    _sql(
        engine, "DELETE FROM custody_events WHERE manifest_id = :m AND action = 'complete'", m=m.id
    )
    with sessions() as s:
        ledger = verify_ledger(s)
    assert not ledger.valid and "head" in ledger.reason


def test_postgresql_refuses_edits_and_deletes_of_evidence(pg_world, pg_url):
    """The triggers are PostgreSQL's (the production database); SQLite has none."""
    engine = make_engine(pg_url)
    m = _completed(pg_world)
    for statement in (
        "UPDATE custody_events SET payload = '{}' WHERE manifest_id = :m",
        "DELETE FROM custody_events WHERE manifest_id = :m",
        "DELETE FROM manifests WHERE id = :m",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            with engine.begin() as conn:
                conn.execute(text(statement), {"m": m.id})
    with engine.connect() as conn:
        count = conn.execute(
            text("SELECT count(*) FROM custody_events WHERE manifest_id = :m"), {"m": m.id}
        ).scalar()
    engine.dispose()
    assert count == 6
