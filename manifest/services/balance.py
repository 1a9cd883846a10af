"""The monthly mass balance per organisation, role and waste category.

The cohort is every manifest *issued* in the month (China time), cancelled ones left out, and
each figure follows that cohort to today: declared, loaded, received, accepted, rejected,
completed (accepted tonnes of completed manifests) and in transit (loaded tonnes of manifests
still on the road). A manifest counts once for its generator, once for its current
transporter and once for its receiver, so each role's rows add up to the whole cohort.

Tonnes come from each line's unit (kg, t, or m3 with a density); container counts (``pcs``)
and volumes without a density have no mass and are counted in ``unmeasured_lines``. For
generators under key supervision the plan's indicator "safe disposal rate" is completed ÷
loaded (shipped) tonnes. One aggregate query computes everything.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import and_, case, func, literal, or_, select, text, union_all

from ..actor import Actor
from ..errors import ValidationFailed
from ..models import Manifest, ManifestLine, Organization
from ..numbering import CHINA
from ..quantities import format_decimal
from ..regions import region_prefix
from ..status import Status
from .lifecycle import tonnes_expression

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
    match = re.fullmatch(r"(\d{4})-(\d{2})", (text or "").strip())
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
    L, M = ManifestLine, Manifest
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        # The plan is a few index lookups per manifest; JIT compilation would cost more than
        # the whole query, and the aggregate must not spill to disk.
        session.execute(text("SET LOCAL jit = off"))
        session.execute(text("SET LOCAL work_mem = '64MB'"))

    def tonnes(column):
        return func.coalesce(func.sum(tonnes_expression(column)), 0)

    figures = [
        tonnes(L.declared).label("declared_t"),
        tonnes(L.loaded).label("loaded_t"),
        tonnes(L.received).label("received_t"),
        tonnes(L.accepted).label("accepted_t"),
        tonnes(L.rejected).label("rejected_t"),
        func.sum(
            case(
                (or_(L.unit == "pcs", and_(L.unit == "m3", L.density_t_m3.is_(None))), 1),
                else_=0,
            )
        ).label("unmeasured"),
    ]
    where = [M.issued_at >= p.start, M.issued_at < p.end, M.status != Status.CANCELLED.value]
    if not actor.is_regulator:
        org = actor.organization_id
        where.append(or_(M.generator_id == org, M.transporter_id == org, M.receiver_id == org))
    # Each manifest's lines are summed once, then the manifest is counted once per role.
    # PostgreSQL sums them per manifest through the covering line index (a lateral subquery
    # read by index-only scans: no hash table over the month's lines), taking the month's
    # manifests in id order so consecutive lookups land on neighbouring index pages; SQLite
    # groups a join.
    if postgres:
        month = (
            select(M.id, M.category, M.status, M.generator_id, M.transporter_id, M.receiver_id)
            .where(*where)
            .order_by(M.id)
            .subquery("month")
        )
        sums = (
            select(func.count().label("lines"), *figures)
            .where(L.manifest_id == month.c.id)
            .lateral("sums")
        )
        per_manifest = (
            select(
                month.c.category,
                month.c.status,
                month.c.generator_id,
                month.c.transporter_id,
                month.c.receiver_id,
                sums,
            )
            .select_from(month)
            .join(sums, sums.c.lines > 0)
            .cte("per_manifest")
            .prefix_with("MATERIALIZED")
        )
    else:
        per_manifest = (
            select(M.category, M.status, M.generator_id, M.transporter_id, M.receiver_id, *figures)
            .join(L, L.manifest_id == M.id)
            .where(*where)
            .group_by(M.id)
            .cte("per_manifest")
        )
    pm = per_manifest.c
    completed = pm.status == Status.COMPLETED.value
    in_transit = pm.status == Status.IN_TRANSIT.value

    def by_role(role: str):
        # One grouping per role over the per-manifest sums; organisations are joined to the
        # few thousand groups afterwards rather than to every manifest.
        party = getattr(pm, f"{role}_id")
        return select(
            literal(role).label("role"),
            party.label("party"),
            pm.category,
            func.count().label("manifests"),
            func.sum(pm.declared_t).label("declared_t"),
            func.sum(pm.loaded_t).label("loaded_t"),
            func.sum(pm.received_t).label("received_t"),
            func.sum(pm.accepted_t).label("accepted_t"),
            func.sum(pm.rejected_t).label("rejected_t"),
            func.sum(case((completed, pm.accepted_t), else_=0)).label("completed_t"),
            func.sum(case((in_transit, pm.loaded_t), else_=0)).label("in_transit_t"),
            func.sum(pm.unmeasured).label("unmeasured"),
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
            *[g.c[f] for f in FIGURES],
            g.c.unmeasured,
            Organization.key_supervision,
        )
        .join(Organization, Organization.id == g.c.party)
        .order_by(Organization.uscc, g.c.role, g.c.category)
    )
    if actor.is_regulator:
        stmt = stmt.where(
            or_(
                *[Organization.region_code.startswith(region_prefix(c)) for c in actor.region_codes]
            )
        )
    else:
        stmt = stmt.where(Organization.id == actor.organization_id)
    rows, totals = (
        [],
        {role: dict.fromkeys(FIGURES, Decimal(0)) | {"manifests": 0} for role in ROLES},
    )
    for org_id, uscc, name, role, category, count, *figures, unmeasured, key in session.execute(
        stmt
    ):
        values = {f: Decimal(str(v or 0)) for f, v in zip(FIGURES, figures, strict=True)}
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
