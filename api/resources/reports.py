"""Reports: the monthly mass balance and the discrepancy report."""

from __future__ import annotations

import re
from datetime import date, datetime

import marshmallow as ma
from flask import Response
from marshmallow import fields, validate

from manifest.finding_types import DISCREPANCY_TYPES
from manifest.infra.db import utcnow
from manifest.services.balance import balance, balance_csv
from manifest.services.discrepancy_report import discrepancy_report, local_time, report_csv

from ..auth import current_actor
from ..db import session
from ..i18n import language
from ..report_printing import render_discrepancy_pdf
from ..schemas import FindingStatus, FindingType, PartyOut, Severity
from . import api_blueprint

blp = api_blueprint("reports", "/reports", "Mass balance and discrepancy reports")


class BalanceQuery(ma.Schema):
    period = fields.String(required=True, metadata={"description": "YYYY-MM"})
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]))


@blp.route("/balance", methods=["GET"])
@blp.arguments(BalanceQuery, location="query")
@blp.response(200)
def get_balance(args):
    """Declared, loaded, received, accepted, rejected, completed and in-transit tonnes per
    organisation, role and category for manifests issued in the month (regulator: its
    region; parties: their own), with the safe disposal rate of key-supervision
    generators. ``format=csv`` gives CSV."""
    report = balance(session(), actor=current_actor(), period=args["period"])
    if args["format"] == "csv":
        return Response(
            balance_csv(report),
            mimetype="text/csv",
            headers={
                "Content-Disposition": f'attachment; filename="balance-{report["period"]}.csv"'
            },
        )
    return report


# ---------------------------------------------------------------- discrepancies


class DayOrTime(fields.Field):
    """A day ``YYYY-MM-DD`` (midnight China time) or an ISO 8601 time with an offset."""

    def _deserialize(self, value, attr, data, **kwargs) -> date | datetime:
        # An unescaped "+08:00" in a query string arrives as " 08:00"; read it as meant.
        text = re.sub(r" (\d{2}:?\d{2})$", r"+\1", str(value).strip(), flags=re.ASCII)
        try:
            parsed = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
        except ValueError:
            raise ma.ValidationError("a day YYYY-MM-DD or a time with an offset") from None
        if isinstance(parsed, datetime) and parsed.tzinfo is None:
            raise ma.ValidationError("a time needs an offset, e.g. +08:00")
        if not 2000 <= parsed.year <= 2100:
            raise ma.ValidationError("a time between the years 2000 and 2100")
        return parsed


class DiscrepancyQuery(ma.Schema):
    from_ = DayOrTime(required=True, data_key="from", metadata={"description": "start, included"})
    to = DayOrTime(required=True, metadata={"description": "end, excluded"})
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv", "pdf"]))
    type = fields.List(
        FindingType(DISCREPANCY_TYPES),
        metadata={"description": "repeat to select several; default: the whole family"},
    )
    lang = fields.String(
        validate=validate.OneOf(["zh", "en"]),
        metadata={"description": "CSV and PDF language (or Accept-Language); default zh"},
    )


class ReportOrgOut(PartyOut):
    """A party of a report row, named as a manifest names it."""


class DiscrepancyRowOut(ma.Schema):
    finding_id = fields.Integer()
    type = FindingType(DISCREPANCY_TYPES)
    severity = Severity()
    status = FindingStatus()
    created_at = fields.AwareDateTime()
    due_at = fields.AwareDateTime()
    manifest_id = fields.Integer(allow_none=True)
    manifest_number = fields.String(allow_none=True)
    named_manifest_number = fields.String(
        allow_none=True,
        metadata={"description": "the manifest of another receiver a weighbridge record named"},
    )
    vehicle_plate = fields.String(allow_none=True)
    line_no = fields.Integer(allow_none=True)
    stage = fields.String(allow_none=True)
    basis = fields.String(allow_none=True)
    ticket = fields.String(allow_none=True)
    scope = fields.String(allow_none=True)
    generator = fields.List(fields.Nested(ReportOrgOut))
    transporter = fields.List(fields.Nested(ReportOrgOut))
    receiver = fields.List(fields.Nested(ReportOrgOut))
    unit = fields.String(allow_none=True)
    declared = fields.String(allow_none=True)
    observed = fields.String(allow_none=True)
    difference = fields.String(allow_none=True, metadata={"description": "observed - declared"})
    difference_pct = fields.String(allow_none=True, metadata={"description": "of declared"})
    message = fields.String()


class DiscrepancyTotalsOut(ma.Schema):
    findings = fields.Integer()
    by_severity = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_type = fields.Dict(
        keys=fields.String(), values=fields.Dict(keys=fields.String(), values=fields.Integer())
    )


class DiscrepancyReportOut(ma.Schema):
    from_ = fields.AwareDateTime(data_key="from", attribute="from")
    to = fields.AwareDateTime()
    regulator = fields.String(allow_none=True)
    region_codes = fields.List(fields.String())
    types = fields.List(fields.String())
    totals = fields.Nested(DiscrepancyTotalsOut)
    rows = fields.List(fields.Nested(DiscrepancyRowOut))


@blp.route("/discrepancies", methods=["GET"])
@blp.arguments(DiscrepancyQuery, location="query")
@blp.response(200, DiscrepancyReportOut)
def get_discrepancies(args):
    """Discrepancy findings raised in [from, to) in your region, with totals per type and
    severity (regulator). ``format=csv`` (UTF-8 with BOM) or ``format=pdf`` for print;
    Chinese by default, English with ``lang=en``. GPS and deadline findings are not part of
    it (see GET /findings)."""
    report = discrepancy_report(
        session(),
        actor=current_actor(),
        start=args["from_"],
        end=args["to"],
        types=args.get("type"),
    )
    if args["format"] == "json":
        return report
    name = "discrepancies-{}-{}".format(
        local_time(report["from"], "%Y%m%d"), local_time(report["to"], "%Y%m%d")
    )
    if args["format"] == "csv":
        return Response(
            report_csv(report, language()),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    return Response(
        render_discrepancy_pdf(report, language(), utcnow()),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}.pdf"'},
    )
