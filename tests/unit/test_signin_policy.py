"""The lockout rule over the times of recent sign-in failures."""

from datetime import UTC, datetime, timedelta

import pytest

from manifest.signin_policy import LockoutRule, locked_until

RULE = LockoutRule(max_failures=3, window=timedelta(minutes=15), lockout=timedelta(minutes=10))
T0 = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)


def at(*minutes):
    return [T0 + timedelta(minutes=m) for m in sorted(minutes, reverse=True)]


def test_fewer_failures_than_the_limit_lock_nothing():
    assert locked_until(at(0, 1), RULE, T0 + timedelta(minutes=2)) is None


def test_enough_failures_within_the_window_lock_from_the_last_one():
    assert locked_until(at(0, 5, 14), RULE, T0 + timedelta(minutes=15)) == T0 + timedelta(
        minutes=24
    )


def test_failures_spread_wider_than_the_window_lock_nothing():
    assert locked_until(at(0, 10, 16), RULE, T0 + timedelta(minutes=17)) is None


def test_the_lock_ends():
    assert locked_until(at(0, 1, 2), RULE, T0 + timedelta(minutes=12)) is None


def test_a_rule_needs_positive_numbers():
    with pytest.raises(ValueError):
        LockoutRule(max_failures=0, window=timedelta(minutes=1), lockout=timedelta(minutes=1))
