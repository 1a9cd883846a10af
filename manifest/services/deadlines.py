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
from ..local_time import CHINA, local_date, start_of_day
from ..models import Finding, Manifest
from ..status import Status
from ..texts import Text
from ..workdays import WorkCalendar, parse_holidays
from .finding_sets import NewFinding, raise_findings


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
    day = local_date(now)
    while cal.add_workdays(datetime.combine(day, time(12), tzinfo=CHINA), workdays) > now:
        day -= timedelta(days=1)
    return start_of_day(day + timedelta(days=1))


def _has_finding(kind: str):
    return exists().where(Finding.manifest_id == Manifest.id, Finding.type == kind)


def _violation(
    m: Manifest, kind: str, message: Text, measured: dict, parties: dict | None = None
) -> NewFinding:
    """The violation ``kind`` of a missed deadline of ``m``, raised once per manifest."""
    return NewFinding.about(
        m,
        kind,
        type=kind,
        severity="violation",
        message=message,
        measured=measured,
        parties=parties,
    )


def _overdue_decisions(s, settings: Settings, cal: WorkCalendar, now: datetime):
    """Deliveries whose decision is past its working-day deadline and not yet a finding."""
    workdays = settings.decision_workdays
    cutoff = decision_cutoff(cal, now, workdays)
    late = s.scalars(
        select(Manifest).where(
            Manifest.status == Status.DELIVERED.value,
            Manifest.delivered_at < cutoff,
            ~_has_finding("overdue_decision"),
        )
    )
    for m in late:
        delivered = m.delivered_at
        due = cal.deadline(delivered, workdays)
        yield _violation(
            m,
            "overdue_decision",
            Text(
                "finding_overdue_decision",
                number=m.number,
                delivered=delivered,
                workdays=workdays,
                due=due,
            ),
            {"delivered_at": delivered, "due_at": due, "workdays": workdays, "checked_at": now},
            parties={m.receiver_id: "receiver"},
        )


def _overdue_deliveries(s, settings: Settings, now: datetime):
    """Trips in transit longer than the limit and not yet a finding."""
    days = settings.transit_limit_days
    stuck = s.scalars(
        select(Manifest).where(
            Manifest.status == Status.IN_TRANSIT.value,
            Manifest.picked_up_at < now - timedelta(days=days),
            ~_has_finding("overdue_delivery"),
        )
    )
    for m in stuck:
        yield _violation(
            m,
            "overdue_delivery",
            Text("finding_overdue_delivery", number=m.number, since=m.picked_up_at, days=days),
            {"picked_up_at": m.picked_up_at, "limit_days": days, "checked_at": now},
        )


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
        result.overdue_decision = raise_findings(
            s,
            list(_overdue_decisions(s, settings, cal, now)),
            now=now,
            due_days=settings.finding_due_days,
        )
        result.overdue_delivery = raise_findings(
            s,
            list(_overdue_deliveries(s, settings, now)),
            now=now,
            due_days=settings.finding_due_days,
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
