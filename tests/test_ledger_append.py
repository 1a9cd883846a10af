"""The service-wide ledger is written last in a move's transaction, and only what commits."""

from __future__ import annotations

from sqlalchemy import event, func, select

from manifest.models import CustodyEvent, Manifest
from manifest.services.custody import append_event, verify_ledger, verify_manifest_chain
from tests.builders import advance, create_manifest

#: Statements that open or close a transaction or savepoint (no reads, no writes).
BOUNDARIES = ("BEGIN", "COMMIT", "RELEASE SAVEPOINT", "SAVEPOINT")


def test_a_move_takes_the_ledger_head_only_for_its_last_writes(world, engine):
    draft = create_manifest(world)
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", record)
    try:
        advance(world, draft, "in_transit")  # issue, then pickup: each writes the ledger
    finally:
        event.remove(engine, "before_cursor_execute", record)

    heads = [i for i, st in enumerate(statements) if st.startswith("SELECT ledger_head")]
    assert len(heads) == 2
    for head in heads:
        after = statements[head + 1 : head + 3]
        assert after[0].startswith("INSERT INTO custody_events"), after
        assert after[1].startswith("UPDATE ledger_head"), after
    # Nothing else of the move runs while the head is held: the next statement that reads
    # or writes belongs to the next move, which starts by loading its manifest.
    following = [st for st in statements[heads[0] + 3 :] if not st.startswith(BOUNDARIES)]
    assert following[0].startswith("SELECT manifests."), following[0]


def test_an_event_of_a_rolled_back_savepoint_is_never_written(world, sessions):
    manifest = create_manifest(world)
    actor = world.plating.actor()
    with world.uow:
        s = world.uow.session
        m = s.get(Manifest, manifest.id)
        refused = s.begin_nested()
        append_event(s, manifest=m, action="note", actor=actor, party="generator")
        refused.rollback()
        append_event(s, manifest=m, action="note", actor=actor, party="generator")
        world.uow.commit()

    with sessions() as s:
        m = s.get(Manifest, manifest.id)
        assert s.scalar(select(func.count()).where(CustodyEvent.manifest_id == m.id)) == 2
        chain = verify_manifest_chain(s, m)
        assert chain.valid and chain.length == 2  # the draft's event and the kept note
        ledger = verify_ledger(s)
        assert ledger.valid and ledger.length == 2


def test_a_rolled_back_move_leaves_nothing_for_the_next_transaction(world, sessions):
    manifest = create_manifest(world)
    actor = world.plating.actor()
    with world.uow:
        s = world.uow.session
        append_event(
            s, manifest=s.get(Manifest, manifest.id), action="note", actor=actor, party="generator"
        )
        # Left without a commit: rolled back.
    advance(world, manifest, "issued")

    with sessions() as s:
        actions = s.scalars(
            select(CustodyEvent.action)
            .where(CustodyEvent.manifest_id == manifest.id)
            .order_by(CustodyEvent.sequence)
        ).all()
        assert actions == ["create", "issue"]
        assert verify_ledger(s).valid
