"""The hand-over services: the naming of the next transporter, its consumption, and the
custody chain that proves both."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from manifest.errors import Forbidden, NotFound
from manifest.models import CustodyEvent, Manifest
from manifest.services import handover
from manifest.services.custody import verify_ledger, verify_manifest_chain
from tests.builders import advance, create_manifest, name_next, now
from tests.test_tamper import _sql


def take_over(world, manifest, party, plate="粤E54321", at=None, ref=None):
    return handover.handoff(
        world.uow,
        actor=party.actor(),
        ref=ref or manifest.id,
        vehicle_plate=plate,
        driver="王师傅",
        at=at or now(),
        lines=[{"line_no": ln.line_no, "quantity": ln.loaded} for ln in manifest.lines],
    )


def _verify(sessions, manifest_id):
    with sessions() as s:
        return verify_manifest_chain(s, s.get(Manifest, manifest_id))


def test_a_transporter_not_named_finds_no_manifest_of_any_status(world):
    manifests = [create_manifest(world)] + [
        advance(world, create_manifest(world), status)
        for status in ("issued", "in_transit", "delivered", "completed")
    ]
    with pytest.raises(NotFound) as missing:
        handover.handoff(
            world.uow,
            actor=world.carrier2.actor(),
            ref=99999999,
            vehicle_plate="粤E54321",
            driver="王师傅",
            at=now(),
            lines=[],
        )
    for m in manifests:
        for ref in (m.id, m.number):
            if ref is None:
                continue
            with pytest.raises(NotFound) as refused:
                take_over(world, m, world.carrier2, ref=ref)
            assert refused.value.message.replace(str(ref), "?") == (
                missing.value.message.replace("99999999", "?")
            )
            assert (refused.value.errors, refused.value.details) == ({}, None)
    with pytest.raises(NotFound):
        handover.name_next_transporter(
            world.uow,
            actor=world.carrier2.actor(),
            ref=manifests[2].id,
            transporter_id=world.carrier2.id,
            at=now(),
        )


def test_the_naming_is_signed_consumed_and_verified(world, sessions):
    m = advance(world, create_manifest(world), "in_transit")
    named_at = now() - timedelta(minutes=20)
    m = name_next(world, m, world.carrier2, named_at)
    assert m.next_transporter_id == world.carrier2.id
    # Naming the one already named signs nothing more.
    again = name_next(world, m, world.carrier2, now() - timedelta(minutes=10))
    assert again.last_move_at == named_at
    m = take_over(world, m, world.carrier2)
    assert (m.transporter_id, m.next_transporter_id) == (world.carrier2.id, None)
    with pytest.raises(Forbidden):  # consumed: the previous carrier needs a new naming
        take_over(world, m, world.carrier, plate="粤J12345")

    with sessions() as s:
        actions = s.scalars(
            select(CustodyEvent.action)
            .where(CustodyEvent.manifest_id == m.id)
            .order_by(CustodyEvent.sequence)
        ).all()
    assert actions == ["create", "issue", "pickup", "name_next", "handoff"]
    verdict = _verify(sessions, m.id)
    assert verdict.valid and verdict.length == 5
    with sessions() as s:
        assert verify_ledger(s).valid


def _event_id(sessions, manifest_id, action):
    with sessions() as s:
        return s.scalar(
            select(CustodyEvent.id)
            .where(CustodyEvent.manifest_id == manifest_id, CustodyEvent.action == action)
            .order_by(CustodyEvent.sequence.desc())
        )


def _tampered(engine, sessions, manifest, column: str, org_id: int):
    """The verdict on ``manifest`` after ``column`` is set to ``org_id`` by SQL."""
    _sql(
        engine,
        f"UPDATE manifests SET {column} = :org WHERE id = :id",
        org=org_id,
        id=manifest.id,
    )
    verdict = _verify(sessions, manifest.id)
    assert not verdict.valid and column in verdict.reason
    return verdict


def test_a_naming_slipped_in_by_sql_breaks_verification_at_the_signed_event(
    world, sessions, engine
):
    """Naming another carrier behind the chain's back (to open a takeover) is detected and
    blamed on the event that signed the true naming; so is a swapped current carrier."""
    m = advance(world, create_manifest(world), "in_transit")
    name_next(world, m, world.carrier2)
    verdict = _tampered(engine, sessions, m, "next_transporter_id", world.outsider.id)
    assert verdict.broken_at == _event_id(sessions, m.id, "name_next")

    issued = advance(world, create_manifest(world), "issued")
    verdict = _tampered(engine, sessions, issued, "next_transporter_id", world.carrier2.id)
    assert verdict.broken_at == _event_id(sessions, issued.id, "create")

    moving = advance(world, create_manifest(world), "in_transit")
    verdict = _tampered(engine, sessions, moving, "transporter_id", world.carrier2.id)
    assert verdict.broken_at == _event_id(sessions, moving.id, "pickup")
