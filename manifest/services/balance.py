"""The monthly mass balance per organisation, role and waste category.

The cohort is every manifest *issued* in the month (China time), cancelled ones left out, and
each figure follows that cohort to today: declared, loaded, received, accepted, rejected,
completed (accepted tonnes of completed manifests) and in transit (loaded tonnes of manifests
still on the road). A manifest counts once for its generator, once for its current
transporter and once for its receiver, so each role's rows add up to the whole cohort.

Masses are the totals each manifest stores in kilograms, kept from its lines by the services
that write them (see manifest.tonnage): kg, t, or m3 with a density; container counts
(``pcs``) and volumes without a density have no mass and are counted in
``unmeasured_lines``. The report gives tonnes (kilograms ÷ 1000, exact before rounding to
three places). For generators under key supervision the plan's indicator "safe disposal
rate" is completed ÷ loaded (shipped) tonnes. One aggregate query over the month's manifests
computes everything; their lines are not read.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import case, func, literal, or_, select, text, union_all

from ..actor import Actor
from ..errors import ValidationFailed
from ..infra.db import is_postgres
from ..local_time import CHINA
from ..models import Manifest, Organization
from ..quantities import format_decimal
from ..status import Status
from .access import in_regions

FIGURES = (
    "declared_t",
    "loaded_t",
    "received_t",
    "accepted_t",
    "rejected_t",
    "completed_t",
    "in_transit_t",
)
COLUMNS = (
    "organization_id",
    "uscc",
    "name",
    "role",
    "category",
    "manifests",
    *FIGURES,
    "unmeasured_lines",
    "safe_disposal_rate_pct",
)
ROLES = ("generator", "transporter", "receiver")


@dataclass(frozen=True)
class Period:
    label: str
    start: datetime
    end: datetime


def parse_period(text: str | None) -> Period:
    """``YYYY-MM`` as the local (China) month ``[start, end)``; raises ValidationFailed."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", (text or "").strip(), re.ASCII)
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 2000:
        raise ValidationFailed(
            "period must be a month as YYYY-MM, e.g. 2026-03", errors={"period": ["YYYY-MM"]}
        )
    year, month = int(match.group(1)), int(match.group(2))
    start = datetime(year, month, 1, tzinfo=CHINA)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=CHINA)
    return Period(f"{year:04d}-{month:02d}", start, end)


def _rate(completed: Decimal, loaded: Decimal) -> str | None:
    if not loaded:
        return None
    return str((completed / loaded * 100).quantize(Decimal("0.01")))


def balance(session, *, actor: Actor, period: str) -> dict:
    """The balance of ``period`` as ``{"period", "from", "to", "unit", "rows", "totals"}``.

    A regulator gets every organisation of its regions, a party only its own rows. ``totals``
    sums each role's rows, i.e. the whole visible cohort once per role. Raises
    ValidationFailed for a malformed period.
    """
    p = parse_period(period)
    M = Manifest
    if is_postgres(session):
        # The plan is one index-only range scan and a small aggregate; JIT compilation would
        # cost more than the whole query, and the aggregate must not spill to disk.
        session.execute(text("SET LOCAL jit = off"))
        session.execute(text("SET LOCAL work_mem = '64MB'"))
    where = [M.issued_at >= p.start, M.issued_at < p.end, M.status != Status.CANCELLED.value]
    if not actor.is_regulator:
        org = actor.organization_id
        where.append(or_(M.generator_id == org, M.transporter_id == org, M.receiver_id == org))
    # The month's manifests with their stored totals, read once (from the covering index on
    # PostgreSQL) and then counted once per role.
    month = (
        select(
            M.category,
            M.status,
            M.generator_id,
            M.transporter_id,
            M.receiver_id,
            M.declared_kg,
            M.loaded_kg,
            M.received_kg,
            M.accepted_kg,
            M.rejected_kg,
            M.unmeasured_lines,
        )
        .where(*where)
        .cte("month")
    )
    pm = month.c
    completed = pm.status == Status.COMPLETED.value
    in_transit = pm.status == Status.IN_TRANSIT.value

    def by_role(role: str):
        # One grouping per role over the month's manifests; organisations are joined to the
        # few thousand groups afterwards rather than to every manifest.
        party = getattr(pm, f"{role}_id")
        return select(
            literal(role).label("role"),
            party.label("party"),
            pm.category,
            func.count().label("manifests"),
            func.sum(pm.declared_kg).label("declared_kg"),
            func.sum(pm.loaded_kg).label("loaded_kg"),
            func.sum(pm.received_kg).label("received_kg"),
            func.sum(pm.accepted_kg).label("accepted_kg"),
            func.sum(pm.rejected_kg).label("rejected_kg"),
            func.sum(case((completed, pm.accepted_kg), else_=0)).label("completed_kg"),
            func.sum(case((in_transit, pm.loaded_kg), else_=0)).label("in_transit_kg"),
            func.sum(pm.unmeasured_lines).label("unmeasured"),
        ).group_by(party, pm.category)

    g = union_all(*[by_role(role) for role in ROLES]).subquery("by_role")
    stmt = (
        select(
            Organization.id,
            Organization.uscc,
            Organization.name,
            g.c.role,
            g.c.category,
            g.c.manifests,
            *[g.c[f.removesuffix("_t") + "_kg"] for f in FIGURES],
            g.c.unmeasured,
            Organization.key_supervision,
        )
        .join(Organization, Organization.id == g.c.party)
        .order_by(Organization.uscc, g.c.role, g.c.category)
    )
    if actor.is_regulator:
        stmt = stmt.where(in_regions(Organization.region_code, actor.region_codes))
    else:
        stmt = stmt.where(Organization.id == actor.organization_id)
    rows, totals = (
        [],
        {role: dict.fromkeys(FIGURES, Decimal(0)) | {"manifests": 0} for role in ROLES},
    )
    for org_id, uscc, name, role, category, count, *figures, unmeasured, key in session.execute(
        stmt
    ):
        # Sums of exact kilograms; dividing by 1000 keeps the tonnes exact before rounding.
        values = {f: Decimal(str(v or 0)) / 1000 for f, v in zip(FIGURES, figures, strict=True)}
        row = {
            "organization_id": org_id,
            "uscc": uscc,
            "name": name,
            "role": role,
            "category": category,
            "manifests": count,
            **{f: format_decimal(v) for f, v in values.items()},
            "unmeasured_lines": int(unmeasured or 0),
            "safe_disposal_rate_pct": (
                _rate(values["completed_t"], values["loaded_t"])
                if role == "generator" and key
                else None
            ),
        }
        rows.append(row)
        totals[role]["manifests"] += count
        for f in FIGURES:
            totals[role][f] += values[f]
    return {
        "period": p.label,
        "from": p.start.isoformat(),
        "to": p.end.isoformat(),
        "unit": "t",
        "rows": rows,
        "totals": {
            role: {k: (v if k == "manifests" else format_decimal(v)) for k, v in t.items()}
            for role, t in totals.items()
        },
    }


def balance_csv(report: dict) -> str:
    """The rows of a balance report as CSV with a header row (UTF-8 text)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in report["rows"]:
        writer.writerow(["" if row[c] is None else row[c] for c in COLUMNS])
    return out.getvalue()
