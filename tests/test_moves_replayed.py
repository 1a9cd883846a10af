"""Every move of the status table, made for real, writes only the line tallies its event
signs and leads to the status the replay expects, so chain verification covers it."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from manifest.models import CustodyEvent, Manifest
from manifest.services import drafts, handover, lifecycle
from manifest.services.custody import verify_manifest_chain
from manifest.services.replay import LINE_TALLIES, STATUS_AFTER, STATUS_KEYS
from manifest.status import MOVES, Action, Status
from manifest.tonnage import TALLIES
from tests.builders import create_manifest, hazardous_body, now

LINE_ATTRS = tuple(tally for _, tally in TALLIES)


def _state(sessions, manifest_id) -> tuple[str, dict, dict | None]:
    """The manifest's status, its line tallies, and the payload of its latest event."""
    with sessions() as s:
        m = s.get(Manifest, manifest_id)
        tallies = {(ln.line_no, a): getattr(ln, a) for ln in m.lines for a in LINE_ATTRS}
        last = s.scalar(
            select(CustodyEvent)
            .where(CustodyEvent.manifest_id == manifest_id)
            .order_by(CustodyEvent.sequence.desc())
            .limit(1)
        )
        return m.status, tallies, None if last is None else (last.action, json.loads(last.payload))


def _moves(world, t):
    """Each move of the table in an order that makes every one of them once, as a list of
    (action, manifest id, call); each carrier and the receiver find a little less than the
    one before, so every quantity a move signs is new."""
    gen, carrier, carrier2, centre = world.plating, world.carrier, world.carrier2, world.centre
    kept, dropped = create_manifest(world), create_manifest(world)
    redrafted = hazardous_body(world)["lines"]
    redrafted[0]["quantity"] = "7.000"
    declared = [Decimal(ln["quantity"]) for ln in redrafted]
    at = iter(t + timedelta(minutes=10 * i) for i in range(1, 20))
    on = {"uow": world.uow, "ref": kept.id}

    def less(by):
        return [{"line_no": i, "quantity": q - by} for i, q in enumerate(declared, 1)]

    decided = [
        {"line_no": i, "accepted": q - 3, "rejected": Decimal(1), "reason": "包装破损"}
        for i, q in enumerate(declared, 1)
    ]
    road = {"vehicle_plate": "粤J12345", "driver": "李师傅"}
    relay = {"vehicle_plate": "粤E54321", "driver": "王师傅"}
    return [
        (Action.CREATE, kept.id, None),
        (
            Action.EDIT,
            kept.id,
            lambda: drafts.edit_manifest(**on, actor=gen.actor(), changes={"lines": redrafted}),
        ),
        (
            Action.CANCEL,
            dropped.id,
            lambda: lifecycle.cancel_manifest(
                world.uow, actor=gen.actor(), ref=dropped.id, reason="重复填报", at=next(at)
            ),
        ),
        (
            Action.ISSUE,
            kept.id,
            lambda: lifecycle.issue_manifest(**on, actor=gen.actor(), at=next(at)),
        ),
        (
            Action.PICKUP,
            kept.id,
            lambda: lifecycle.pickup(
                **on, actor=carrier.actor("driver"), **road, lines=less(0), at=next(at)
            ),
        ),
        (
            Action.NAME_NEXT,
            kept.id,
            lambda: handover.name_next_transporter(
                **on, actor=carrier.actor(), transporter_id=carrier2.id, at=next(at)
            ),
        ),
        (
            Action.HANDOFF,
            kept.id,
            lambda: handover.handoff(
                **on, actor=carrier2.actor(), **relay, lines=less(1), at=next(at)
            ),
        ),
        (
            Action.DELIVER,
            kept.id,
            lambda: lifecycle.deliver(**on, actor=centre.actor(), lines=less(2), at=next(at)),
        ),
        (
            Action.DECIDE,
            kept.id,
            lambda: lifecycle.decide(**on, actor=centre.actor(), lines=decided, at=next(at)),
        ),
        (
            Action.COMPLETE,
            kept.id,
            lambda: lifecycle.complete(
                **on, actor=centre.actor(), operation="D10", completed_at=next(at)
            ),
        ),
    ]


def test_every_move_writes_only_what_it_signs_and_leads_where_replay_says(world, sessions):
    made = set()
    for action, manifest_id, call in _moves(world, now() - timedelta(hours=4)):
        before_status, before, _ = _state(sessions, manifest_id)
        if call is not None:
            call()
        status, after, (signed_action, payload) = _state(sessions, manifest_id)
        assert signed_action == action.value
        move = MOVES[action]
        changed = {attr for key, attr in after if after[(key, attr)] != before.get((key, attr))}
        signed = {attr for _, attr in LINE_TALLIES.get(action.value, [])}
        allowed = signed | ({"declared"} if move.drafts_lines else set())
        assert changed <= allowed, (action, changed)
        if action in (Action.PICKUP, Action.HANDOFF, Action.DELIVER, Action.DECIDE):
            assert changed, action  # the figures of this run differ at every such move
        if move.keeps_status:
            assert status == before_status
        elif action.value in STATUS_KEYS:
            assert status == payload[STATUS_KEYS[action.value]]
        else:
            assert status == STATUS_AFTER[action.value]
        made.add(action)
    assert made == set(MOVES)
    assert status == Status.COMPLETED
    with sessions() as s:
        assert verify_manifest_chain(s, s.get(Manifest, manifest_id)).valid
