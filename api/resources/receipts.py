"""Weighbridge receipts: a receiver's records, matched to manifests (the fourth tally)."""

from __future__ import annotations

import marshmallow as ma
from flask import request
from marshmallow import fields

from manifest.services import receipts

from ..auth import current_actor
from ..db import uow
from ..guards import accepts
from . import api_blueprint

blp = api_blueprint("receipts", "/receipts", "Weighbridge records of receivers")


class ReceiptRowErrorOut(ma.Schema):
    row = fields.Integer()
    field = fields.String()
    message = fields.String()


#: What an upload did: each count the service keeps (in its order), the file's SHA-256 and
#: the rows refused. A count the service adds is answered and documented with the others.
IngestOut = ma.Schema.from_dict(
    {
        **{count: fields.Integer() for count in receipts.IngestResult.COUNTS},
        "sha256": fields.String(),
        "errors": fields.List(fields.Nested(ReceiptRowErrorOut)),
    },
    name="IngestOut",
)


@blp.route("", methods=["POST"])
@accepts("text/csv", "application/csv")
@blp.response(201, IngestOut)
@blp.doc(
    requestBody={
        "required": True,
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
        },
    }
)
def upload():
    """Upload weighbridge records as CSV (header row) or JSON (receiver).

    Columns: ticket, plate, arrived_at, gross_kg, tare_kg, net_kg, manifest_number (Chinese
    headers such as 磅单号 and 车牌号 work too). Valid rows are stored; each invalid row is
    listed in ``errors``. A ticket sent before is counted in ``duplicates`` and changes
    nothing. A manifest number that names no manifest addressed to you counts as
    ``unmanifested``, whether or not it exists.
    """
    result = receipts.ingest_receipts(
        uow(),
        actor=current_actor(),
        data=request.get_data(cache=True),
        fmt=request.mimetype or None,
    )
    return result.to_dict()
