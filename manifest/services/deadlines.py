"""Deadlines: late decisions, overdue trips and findings left open past their due date.

:func:`sweep` is meant for cron every few minutes. Each rule is one query for the cases and
one multi-row insert of findings keyed by manifest and rule, so a sweep that runs twice, or
two sweeps at once, never double a finding; escalation is one UPDATE of open findings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import exists, select, update

from ..config import Settings
from ..infra.db import utcnow
from ..infra.uow import UnitOfWork
from ..local_time import CHINA
from ..models import Finding, Manifest
from ..status import Status
from ..texts import Text
from ..workdays import WorkCalendar, parse_holidays
from .finding_sets import NewFinding, raise_findings
from .findings import manifest_parties


@dataclass
class SweepResult:
    overdue_decision: int = 0
    overdue_delivery: int = 0
    escalated: int = 0

    def to_dict(self) -> dict:
        return {
            "overdue_decision": self.overdue_decision,
            "overdue_delivery": self.overdue_delivery,
            "escalated": self.escalated,
        }


def calendar(settings: Settings) -> WorkCalendar:
    """The working-day calendar: China's published holidays plus ``HWM_HOLIDAYS``.

    Raises ValidationFailed when the configured holidays are not dates."""
    return WorkCalendar.china(parse_holidays(settings.holidays, field="HWM_HOLIDAYS"))


def decision_cutoff(cal: WorkCalendar, now: datetime, workdays: int) -> datetime:
    """The instant before which a delivery's decision is overdue at ``now``.

    A delivery on local day D is due at the end of the ``workdays``-th working day after D;
    that deadline grows with D, so the overdue deliveries are exactly those before the start
    of the first local day whose deadline is still ahead.
    """
    day = now.astimezone(CHINA).date()
    while cal.add_workdays(datetime.combine(day, time(12), tzinfo=CHINA), workdays) > now:
        day -= timedelta(days=1)
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=CHINA)


def _has_finding(kind: str):
    return exists().where(Finding.manifest_id == Manifest.id, Finding.type == kind)


def sweep(
    uow: UnitOfWork, *, now: datetime | None = None, settings: Settings | None = None
) -> SweepResult:
    """Raise ``overdue_decision`` and ``overdue_delivery`` findings and escalate open findings
    past their due date, in one transaction. Returns what was new in this run.

    Raises ValidationFailed for a malformed holiday configuration (nothing changes then).
    """
    settings = settings or uow.settings
    now = now or utcnow()
    cal = calendar(settings)
    result = SweepResult()
    with uow:
        s = uow.session
        cutoff = decision_cutoff(cal, now, settings.decision_workdays)
        late = s.scalars(
            select(Manifest).where(
                Manifest.status == Status.DELIVERED.value,
                Manifest.delivered_at < cutoff,
                ~_has_finding("overdue_decision"),
            )
        )
        found = []
        for m in late:
            due = cal.deadline(m.delivered_at, settings.decision_workdays)
            found.append(
                NewFinding(
                    key=f"m{m.id}:overdue_decision",
                    type="overdue_decision",
                    severity="violation",
                    message=Text(
                        "finding_overdue_decision",
                        number=m.number,
                        delivered=m.delivered_at,
                        workdays=settings.decision_workdays,
                        due=due,
                    ),
                    measured={
                        "delivered_at": m.delivered_at,
                        "due_at": due,
                        "workdays": settings.decision_workdays,
                        "checked_at": now,
                    },
                    manifest_id=m.id,
                    vehicle_plate=m.vehicle_plate,
                    parties={m.receiver_id: "receiver"},
                )
            )
        result.overdue_decision = raise_findings(
            s, found, now=now, due_days=settings.finding_due_days
        )

        limit = timedelta(days=settings.transit_limit_days)
        stuck = s.scalars(
            select(Manifest).where(
                Manifest.status == Status.IN_TRANSIT.value,
                Manifest.picked_up_at < now - limit,
                ~_has_finding("overdue_delivery"),
            )
        )
        found = [
            NewFinding(
                key=f"m{m.id}:overdue_delivery",
                type="overdue_delivery",
                severity="violation",
                message=Text(
                    "finding_overdue_delivery",
                    number=m.number,
                    since=m.picked_up_at,
                    days=settings.transit_limit_days,
                ),
                measured={
                    "picked_up_at": m.picked_up_at,
                    "limit_days": settings.transit_limit_days,
                    "checked_at": now,
                },
                manifest_id=m.id,
                vehicle_plate=m.vehicle_plate,
                parties=manifest_parties(m),
            )
            for m in stuck
        ]
        result.overdue_delivery = raise_findings(
            s, found, now=now, due_days=settings.finding_due_days
        )

        escalated = s.execute(
            update(Finding)
            .where(Finding.status == "open", Finding.due_at < now)
            .values(status="escalated", escalated_at=now, updated_at=now),
            execution_options={"synchronize_session": False},
        )
        result.escalated = escalated.rowcount
        uow.commit()
    return result
