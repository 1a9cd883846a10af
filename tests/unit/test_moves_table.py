"""The status table drives chain verification and the lists that follow from it: a move
added without a way to replay it is refused, and every derived list follows the table."""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum

import pytest

from manifest.services import reconciliation, replay, tracks
from manifest.status import (
    MOVES,
    Action,
    Move,
    Party,
    Status,
    actions_where,
    check_table,
    recorded_statuses,
    route_statuses,
    table_problems,
    track_statuses,
)

S = Status


class Extra(StrEnum):
    REOPEN = "reopen"
    REWEIGH = "reweigh"


def _with(*moves: Move) -> dict:
    return {**MOVES, **{m.action: m for m in moves}}


def _reopen(**signs) -> Move:
    """Reopening a rejected manifest, back to delivered or on the road again."""
    return Move(
        Extra.REOPEN,
        Party.RECEIVER,
        frozenset({S.REJECTED}),
        frozenset({S.DELIVERED, S.IN_TRANSIT}),
        **signs,
    )


def _reweigh(**signs) -> Move:
    """Weighing a delivered load again, which writes the received quantities."""
    return Move(
        Extra.REWEIGH, Party.RECEIVER, frozenset({S.DELIVERED}), frozenset({S.DELIVERED}), **signs
    )


def test_the_table_as_shipped_can_be_replayed():
    assert table_problems(MOVES) == []
    assert check_table(MOVES) is MOVES


def test_a_move_with_several_outcomes_and_no_signed_status_is_refused():
    with pytest.raises(ValueError, match="reopen: leads to several statuses but signs none"):
        check_table(_with(_reopen()))


def test_the_same_move_signing_its_outcome_is_replayed_from_the_payload():
    table = check_table(_with(_reopen(status_key="status")))
    assert replay.status_keys(table)["reopen"] == "status"
    assert "reopen" not in replay.status_after(table)


def test_a_reconciled_move_signing_no_quantity_is_refused():
    problems = table_problems(_with(_reweigh(reconciles=True)))
    assert problems == ["reweigh: is reconciled but signs no quantity"]


def test_a_move_signing_what_is_no_line_tally_is_refused():
    problems = table_problems(_with(_reweigh(tallies=(("quantity", "weighed"),))))
    assert problems == ["reweigh: signs weighed, which is no line tally"]


def test_a_status_signed_by_a_move_with_one_outcome_is_refused():
    move = replace(MOVES[Action.DELIVER], status_key="status")
    assert table_problems({**MOVES, Action.DELIVER: move}) == [
        "deliver: signs a status although it leads to one"
    ]


def test_a_new_move_is_replayed_reconciled_and_totalled_as_the_table_says():
    table = check_table(_with(_reweigh(tallies=(("quantity", "received"),), reconciles=True)))
    assert replay.line_tallies(table)["reweigh"] == [("quantity", "received")]
    assert replay.total_sources(table)["reweigh"] == ("received_kg",)
    assert replay.status_after(table)["reweigh"] == S.DELIVERED
    assert "reweigh" in actions_where("reconciles", table)
    assert "reweigh" not in actions_where("reconciles")


def test_a_move_back_onto_the_road_reopens_the_route_and_keeps_the_track():
    table = _with(_reopen(status_key="status"))
    assert S.REJECTED in route_statuses(table)
    assert S.REJECTED not in route_statuses()
    assert S.REJECTED in track_statuses(table)


# The lists as they stood when each was written out by hand: deriving them from the table
# changed none of them.


def test_replay_rules_follow_the_table():
    assert replay.STATUS_AFTER == {
        "create": S.DRAFT,
        "edit": S.DRAFT,
        "issue": S.ISSUED,
        "cancel": S.CANCELLED,
        "pickup": S.IN_TRANSIT,
        "handoff": S.IN_TRANSIT,
        "deliver": S.DELIVERED,
        "complete": S.COMPLETED,
    }
    assert replay.STATUS_KEYS == {"decide": "status"}
    assert replay.LINE_TALLIES == {
        "issue": [("declared", "declared")],
        "pickup": [("quantity", "loaded")],
        "handoff": [("quantity", "loaded")],
        "deliver": [("quantity", "received")],
        "decide": [("accepted", "accepted"), ("rejected", "rejected")],
    }
    assert replay.TOTAL_SOURCES == {
        "create": ("declared_kg", "unmeasured_lines"),
        "edit": ("declared_kg", "unmeasured_lines"),
        "issue": ("declared_kg",),
        "pickup": ("loaded_kg",),
        "handoff": ("loaded_kg",),
        "deliver": ("received_kg",),
        "decide": ("accepted_kg", "rejected_kg"),
    }
    named = {"transporter_id": "transporter_id", "next_transporter_id": "next_transporter_id"}
    assert replay.CARRIERS_SIGNED == {
        "create": named,
        "edit": named,
        "pickup": {"transporter_id": "transporter_id"},
        "name_next": {"next_transporter_id": "transporter_id"},
        "handoff": {"transporter_id": "transporter_id", "next_transporter_id": None},
    }


def test_every_move_of_the_table_has_its_status_replayed_or_keeps_it():
    for action, move in MOVES.items():
        replayed = action in replay.STATUS_AFTER or action in replay.STATUS_KEYS
        assert replayed != move.keeps_status, action


def test_follow_ups_follow_the_table():
    assert reconciliation.RECONCILED_ACTIONS == {"pickup", "handoff", "deliver", "decide"}
    assert reconciliation.CAPACITY_ACTIONS == {"issue", "decide"}
    assert tracks.TRACKED_ACTIONS == {"complete"}


def test_route_and_track_statuses_follow_the_table():
    assert tracks.ROUTE_STATUSES == {S.DRAFT, S.ISSUED, S.IN_TRANSIT}
    assert tracks.TRACK_STATUSES == {
        S.IN_TRANSIT,
        S.DELIVERED,
        S.ACCEPTED,
        S.PARTIALLY_REJECTED,
        S.REJECTED,
        S.COMPLETED,
    }


def test_every_status_is_one_a_move_leads_to():
    assert recorded_statuses() == tuple(Status)
