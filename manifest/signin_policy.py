"""When repeated sign-in failures lock an account or a client address out for a while.

Pure rules over the times of recent failures; the service feeds them from the sign-in audit
log, which every worker shares through the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class LockoutRule:
    """``max_failures`` failures within ``window`` lock out for ``lockout`` after the last."""

    max_failures: int
    window: timedelta
    lockout: timedelta

    def __post_init__(self) -> None:
        if self.max_failures < 1 or self.window <= timedelta(0) or self.lockout <= timedelta(0):
            raise ValueError("a lockout rule needs at least one failure and positive durations")

    @property
    def lookback(self) -> timedelta:
        """How far back failures can still matter: the window before a lock plus the lock."""
        return self.window + self.lockout


def locked_until(failures: Sequence[datetime], rule: LockoutRule, now: datetime) -> datetime | None:
    """The end of the lockout in force at ``now``, or None.

    ``failures`` are the times of failed attempts, newest first (at least the newest
    ``rule.max_failures``). A lock starts when the newest ``max_failures`` of them fall within
    ``window`` and lasts ``lockout`` from the newest one.
    """
    if len(failures) < rule.max_failures:
        return None
    newest, oldest = failures[0], failures[rule.max_failures - 1]
    if newest - oldest > rule.window:
        return None
    until = newest + rule.lockout
    return until if until > now else None
