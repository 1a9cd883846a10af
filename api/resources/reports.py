"""Reports: the monthly mass balance."""

from __future__ import annotations

import marshmallow as ma
from flask import Response
from flask_smorest import Blueprint
from marshmallow import fields, validate

from manifest.services.balance import balance, balance_csv

from ..auth import current_actor
from ..db import session

blp = Blueprint(
    "reports",
    __name__,
    url_prefix="/api/v1/reports",
    description="Mass balance and discrepancy reports",
)


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
