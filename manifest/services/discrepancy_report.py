"""The discrepancy report: a regulator's review of what was declared against what was found.

The report lists the findings of the *discrepancy family* created in a period ``[from, to)``
for organisations in the regulator's regions (the family is declared in
:mod:`manifest.finding_types`: ``quantity_discrepancy``, ``type_discrepancy``,
``moisture_change``, ``rejection``, ``unmanifested_receipt`` and ``licence_capacity``). GPS
findings (route deviations, stops, gaps, ...) and deadline findings are left out: they are
about the trip or the paperwork, not about a quantity or a kind of waste, have no declared and
observed figure to tabulate, and are listed by ``GET /findings?type=``. A ``types`` filter
narrows the report to some of the family.

Each row carries the manifest number (for an unmanifested receipt also the number of another
receiver's manifest that the record named, a possible diversion), the organisations the
finding names, the figures (declared, observed, difference and difference in % of the declared
figure, read per type as :mod:`manifest.finding_figures` says), severity, status and due date.

Two set-based queries read everything (the findings with their manifest numbers, then the
parties of all those findings with their names); totals are counted from the same rows, so
they always add up to the rows listed.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import aliased

from ..actor import Actor
from ..errors import ValidationFailed
from ..finding_figures import decimal_or_none
from ..finding_types import (
    BY_NAME,
    DISCREPANCY_TYPES,
    SEVERITIES,
    SEVERITY_NAMES,
    STATUS_NAMES,
    label,
)
from ..local_time import CHINA, as_instant
from ..models import Finding, FindingParty, Manifest, Organization
from ..models.registry import Regulator
from .findings_triage import visible_findings

ROLES = ("generator", "transporter", "receiver")

# ---------------------------------------------------------------- labels (CSV and PDF)

STAGE_NAMES = {
    "zh": {
        "loaded": "装车量/移出量",
        "received": "接收量/装车量",
        "cumulative": "接收量/移出量",
        "weighbridge": "地磅净重/移出量",
        "decision": "接受/拒收",
    },
    "en": {
        "loaded": "loaded vs declared",
        "received": "received vs loaded",
        "cumulative": "received vs declared",
        "weighbridge": "weighbridge vs declared",
        "decision": "decision",
    },
}
CSV_COLUMNS = (
    "finding_id",
    "created_at",
    "type",
    "severity",
    "status",
    "due_at",
    "manifest_number",
    "vehicle_plate",
    "line_no",
    "detail",
    "generator",
    "transporter",
    "receiver",
    "unit",
    "declared",
    "observed",
    "difference",
    "difference_pct",
    "message",
)
CSV_HEADERS = {
    "zh": (
        "问题编号",
        "发现时间",
        "问题类型",
        "严重程度",
        "处理状态",
        "办理期限",
        "联单编号",
        "车牌号",
        "明细序号",
        "比对环节",
        "移出人",
        "承运人",
        "接受人",
        "单位",
        "申报值",
        "实测值",
        "差值",
        "差异率(%)",
        "说明",
    ),
    "en": (
        "Finding",
        "Found at",
        "Type",
        "Severity",
        "Status",
        "Due",
        "Manifest number",
        "Vehicle",
        "Line",
        "Compared",
        "Generator",
        "Transporter",
        "Receiver",
        "Unit",
        "Declared",
        "Observed",
        "Difference",
        "Difference (%)",
        "Message",
    ),
}


# ---------------------------------------------------------------- the period


def _moment(value: date | datetime, name: str) -> datetime:
    try:
        return as_instant(value)
    except ValueError:
        raise ValidationFailed(
            f"{name} needs a UTC offset", errors={name: ["a time with an offset"]}
        ) from None


def parse_period(start: date | datetime, end: date | datetime) -> tuple[datetime, datetime]:
    """``[start, end)`` as aware datetimes; a bare date means midnight China time.

    Raises ValidationFailed when a time has no offset or ``end`` is not after ``start``."""
    begin, finish = _moment(start, "from"), _moment(end, "to")
    if finish <= begin:
        raise ValidationFailed(
            "the period is empty: 'to' must be after 'from'", errors={"to": ["must be after from"]}
        )
    return begin, finish


# ---------------------------------------------------------------- figures


def figures(type: str, measured: dict) -> dict:
    """Unit, declared, observed, difference and difference % of a discrepancy finding, as
    strings or None (read as its registered type says), plus what was compared; the figures
    stay empty for a type outside the discrepancy family."""
    out = {
        "unit": None,
        "declared": None,
        "observed": None,
        "difference": None,
        "difference_pct": None,
        "stage": measured.get("stage"),
        "line_no": measured.get("line_no"),
        "basis": None,
        "ticket": None,
        "scope": None,
    }
    registered = BY_NAME.get(type)
    if registered is not None and registered.figures is not None:
        out.update(registered.figures(measured))
    return out


# ---------------------------------------------------------------- the report


def _check_types(types: Iterable[str] | None) -> list[str]:
    if not types:
        return list(DISCREPANCY_TYPES)
    wanted = list(dict.fromkeys(types))
    unknown = [t for t in wanted if t not in DISCREPANCY_TYPES]
    if unknown:
        raise ValidationFailed(
            f"not a discrepancy type: {', '.join(unknown)} (GPS and deadline findings are "
            "listed by GET /findings)",
            errors={"type": [f"one of {', '.join(DISCREPANCY_TYPES)}"]},
        )
    return [t for t in DISCREPANCY_TYPES if t in wanted]


def discrepancy_report(
    session,
    *,
    actor: Actor,
    start: date | datetime,
    end: date | datetime,
    types: Iterable[str] | None = None,
) -> dict:
    """The discrepancy findings created in ``[start, end)`` naming an organisation in the
    regulator's regions (or about a manifest one of whose parties is there), oldest first.

    Returns ``{"from", "to", "regulator", "region_codes", "types", "rows", "totals"}`` where
    ``totals`` is ``{"findings", "by_severity", "by_type": {type: {severity: n, "total": n}}}``.
    Raises Forbidden unless ``actor`` is a regulator; ValidationFailed for an empty or
    reversed period, a time without an offset, or a type outside the discrepancy family.
    """
    actor.require_regulator()
    begin, finish = parse_period(start, end)
    wanted = _check_types(types)

    F, M, Named = Finding, Manifest, aliased(Manifest)
    in_scope = (
        visible_findings(actor)
        .with_only_columns(F.id)
        .where(F.type.in_(wanted), F.created_at >= begin, F.created_at < finish)
    )
    found = session.execute(
        select(
            F.id,
            F.type,
            F.severity,
            F.status,
            F.created_at,
            F.due_at,
            F.manifest_id,
            F.vehicle_plate,
            F.message,
            F.measured,
            M.number,
            Named.number,
        )
        .outerjoin(M, M.id == F.manifest_id)
        .outerjoin(Named, Named.id == F.named_manifest_id)
        .where(F.id.in_(in_scope))
        .order_by(F.created_at, F.id)
    ).all()
    parties: dict[int, dict[str, list[dict]]] = {}
    for finding_id, role, org_id, name, uscc in session.execute(
        select(
            FindingParty.finding_id,
            FindingParty.role,
            Organization.id,
            Organization.name,
            Organization.uscc,
        )
        .join(Organization, Organization.id == FindingParty.organization_id)
        .where(FindingParty.finding_id.in_(in_scope))
        .order_by(FindingParty.finding_id, Organization.id)
    ):
        parties.setdefault(finding_id, {r: [] for r in ROLES})[role].append(
            {"id": org_id, "name": name, "uscc": uscc}
        )

    rows = []
    for (
        fid,
        type_,
        severity,
        status,
        created,
        due,
        mid,
        plate,
        message,
        raw,
        number,
        named,
    ) in found:
        measured = json.loads(raw or "{}")
        rows.append(
            {
                "finding_id": fid,
                "type": type_,
                "severity": severity,
                "status": status,
                "created_at": created,
                "due_at": due,
                "manifest_id": mid,
                "manifest_number": number,
                "named_manifest_number": named,
                "vehicle_plate": plate,
                "message": message,
                **parties.get(fid, {r: [] for r in ROLES}),
                **figures(type_, measured),
            }
        )
    regulator = session.get(Regulator, actor.regulator_id)
    return {
        "from": begin,
        "to": finish,
        "regulator": None if regulator is None else regulator.name,
        "region_codes": list(actor.region_codes),
        "types": wanted,
        "rows": rows,
        "totals": totals(rows, wanted),
    }


def totals(rows: list[dict], types: Iterable[str]) -> dict:
    """Counts per type and severity (every type and severity present, zeros included)."""
    by_type = {t: {**dict.fromkeys(SEVERITIES, 0), "total": 0} for t in types}
    by_severity = dict.fromkeys(SEVERITIES, 0)
    for row in rows:
        by_type[row["type"]][row["severity"]] += 1
        by_type[row["type"]]["total"] += 1
        by_severity[row["severity"]] += 1
    return {"findings": len(rows), "by_severity": by_severity, "by_type": by_type}


# ---------------------------------------------------------------- rendering helpers


def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored time as China local time, e.g. ``2026-03-04 09:30``; empty for None."""
    return "" if value is None else value.astimezone(CHINA).strftime(fmt)


def names(orgs: list[dict]) -> str:
    return "; ".join(o["name"] for o in orgs)


def detail(row: dict, lang: str) -> str:
    """What the row compared, in words: the stage and basis, a ticket or a licence scope."""
    parts = []
    if row["stage"] and row["type"] == "quantity_discrepancy":
        parts.append(STAGE_NAMES[lang].get(row["stage"], row["stage"]))
    if row["basis"] == "dry":
        parts.append("干基" if lang == "zh" else "dry solids")
    if row["ticket"]:
        parts.append(("磅单 " if lang == "zh" else "ticket ") + str(row["ticket"]))
    if row.get("named_manifest_number"):
        named = row["named_manifest_number"]
        parts.append(
            f"所填联单 {named} 非本单位接收" if lang == "zh" else f"named manifest {named}"
        )
    if row["scope"]:
        parts.append(str(row["scope"]))
    return " · ".join(parts)


def _cell(value) -> str:
    if value is None:
        return ""
    text = str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and decimal_or_none(text) is None:
        # A name such as "=HYPERLINK(...)" would run as a formula in Excel: keep it text.
        return "'" + text
    return text


def report_csv(report: dict, lang: str = "zh") -> bytes:
    """The rows as CSV for a spreadsheet: UTF-8 with a byte order mark (so Excel reads the
    Chinese names), a header row in ``lang``, type, severity and status in words, times in
    China local time."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADERS[lang])
    for row in report["rows"]:
        values = {
            **row,
            "created_at": local_time(row["created_at"]),
            "due_at": local_time(row["due_at"], "%Y-%m-%d"),
            "type": label(row["type"], lang),
            "severity": SEVERITY_NAMES[lang][row["severity"]],
            "status": STATUS_NAMES[lang][row["status"]],
            "detail": detail(row, lang),
            **{role: names(row[role]) for role in ROLES},
        }
        writer.writerow([_cell(values[c]) for c in CSV_COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
