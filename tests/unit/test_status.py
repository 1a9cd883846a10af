import pytest

from manifest.errors import InvalidTransition
from manifest.status import (
    MOVES,
    Action,
    Party,
    Status,
    actions_open_to,
    decision_outcome,
    move_for,
)


@pytest.mark.parametrize(
    ("action", "source", "targets", "by"),
    [
        ("issue", "draft", {"issued"}, Party.GENERATOR),
        ("cancel", "draft", {"cancelled"}, Party.GENERATOR),
        ("cancel", "issued", {"cancelled"}, Party.GENERATOR),
        ("pickup", "issued", {"in_transit"}, Party.TRANSPORTER),
        ("name_next", "issued", {"issued", "in_transit"}, Party.TRANSPORTER),
        ("name_next", "in_transit", {"issued", "in_transit"}, Party.TRANSPORTER),
        ("handoff", "in_transit", {"in_transit"}, Party.NEXT_TRANSPORTER),
        ("deliver", "in_transit", {"delivered"}, Party.RECEIVER),
        ("decide", "delivered", {"accepted", "partially_rejected", "rejected"}, Party.RECEIVER),
        ("complete", "accepted", {"completed"}, Party.RECEIVER),
        ("complete", "partially_rejected", {"completed"}, Party.RECEIVER),
    ],
)
def test_every_move_of_the_domain_table(action, source, targets, by):
    move = move_for(action, source)
    assert {t.value for t in move.targets} == targets
    assert move.by == by


@pytest.mark.parametrize(
    ("action", "source"),
    [
        ("pickup", "draft"),
        ("cancel", "in_transit"),
        ("deliver", "issued"),
        ("complete", "rejected"),
        ("complete", "delivered"),
        ("issue", "issued"),
        ("decide", "accepted"),
        ("handoff", "delivered"),
        ("name_next", "draft"),
        ("name_next", "delivered"),
        ("create", "draft"),
    ],
)
def test_moves_from_the_wrong_status_are_refused(action, source):
    with pytest.raises(InvalidTransition) as info:
        move_for(action, source)
    assert source in info.value.message


def test_create_is_only_from_nothing():
    assert move_for("create", None).targets == {Status.DRAFT}


def test_terminal_statuses_allow_nothing():
    for status in ("completed", "cancelled", "rejected"):
        assert actions_open_to(status) == []


def test_every_status_is_reachable():
    reachable = {t for m in MOVES.values() for t in m.targets}
    assert reachable == set(Status)


@pytest.mark.parametrize(
    ("accepted", "rejected", "outcome"),
    [(10, 0, "accepted"), (0, 10, "rejected"), (7, 3, "partially_rejected")],
)
def test_decision_outcome(accepted, rejected, outcome):
    assert decision_outcome(accepted, rejected) == outcome


def test_action_enum_covers_the_table():
    assert set(MOVES) == set(Action)
