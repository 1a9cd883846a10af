"""A weighbridge record naming another receiver's manifest is unmanifested for its uploader.

Findings gain ``named_manifest_id``, read by regulators only: the manifest such a record
named. The ``misdirected_receipt`` finding type and the ``misdirected`` matching outcome go:
the findings already raised become the uploader's ``unmanifested_receipt`` findings (the
manifest moves to ``named_manifest_id``, the message and figures read as for a number naming
nothing, and only the uploader stays a party), and their records become ``unmanifested``.

The downgrade turns findings with a named manifest back into ``misdirected_receipt`` findings
about that manifest, and their records back into ``misdirected``; the manifest's parties,
who were taken off those findings, are not put back.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 21:40:00
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TYPES_BEFORE = (
    "quantity_discrepancy",
    "type_discrepancy",
    "moisture_change",
    "rejection",
    "route_deviation",
    "unscheduled_stop",
    "gps_gap",
    "implausible_speed",
    "start_outside_origin",
    "end_outside_destination",
    "track_missing",
    "unmanifested_receipt",
    "misdirected_receipt",
    "licence_capacity",
    "overdue_decision",
    "overdue_delivery",
)
TYPES_AFTER = tuple(t for t in TYPES_BEFORE if t != "misdirected_receipt")
OUTCOMES_BEFORE = ("matched", "misdirected", "cancelled", "already_received", "unmanifested")
OUTCOMES_AFTER = tuple(o for o in OUTCOMES_BEFORE if o != "misdirected")
OLD_REASON = " is addressed to another receiver"
NEW_REASON = "no manifest of this receiver matches it"


def _one_of(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _checks(types, outcomes) -> None:
    with op.batch_alter_table("findings") as batch:
        batch.drop_constraint(op.f("ck_findings_type_valid"), type_="check")
        batch.create_check_constraint(op.f("ck_findings_type_valid"), _one_of("type", types))
    with op.batch_alter_table("weighbridge_matches") as batch:
        batch.drop_constraint(op.f("ck_weighbridge_matches_outcome_valid"), type_="check")
        batch.create_check_constraint(
            op.f("ck_weighbridge_matches_outcome_valid"), _one_of("outcome", outcomes)
        )


def _canonical(measured: dict) -> str:
    return json.dumps(measured, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def upgrade() -> None:
    with op.batch_alter_table("findings") as batch:
        batch.add_column(sa.Column("named_manifest_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_findings_named_manifest_id_manifests"),
            "manifests",
            ["named_manifest_id"],
            ["id"],
        )
        batch.create_index(op.f("ix_findings_named_manifest_id"), ["named_manifest_id"])

    conn = op.get_bind()
    misdirected = conn.execute(
        sa.text(
            "SELECT f.id, f.manifest_id, f.message, f.measured, r.id, r.receiver_id"
            " FROM findings f JOIN weighbridge_receipts r"
            " ON f.key = 'receipt:' || r.id || :suffix WHERE f.type = 'misdirected_receipt'"
        ),
        {"suffix": ":misdirected_receipt"},
    ).all()
    for finding_id, manifest_id, message, raw, receipt_id, receiver_id in misdirected:
        measured = json.loads(raw or "{}")
        measured.update(outcome="unmanifested", matched_manifest_number=None, manifest_status=None)
        head, colon, reason = message.rpartition(": ")
        if colon and reason.endswith(OLD_REASON):
            message = f"{head}: {NEW_REASON}"
        conn.execute(
            sa.text(
                "UPDATE findings SET type = 'unmanifested_receipt', key = :key,"
                " manifest_id = NULL, named_manifest_id = :named, message = :message,"
                " measured = :measured WHERE id = :id"
            ),
            {
                "key": f"receipt:{receipt_id}:unmanifested_receipt",
                "named": manifest_id,
                "message": message,
                "measured": _canonical(measured),
                "id": finding_id,
            },
        )
        conn.execute(
            sa.text(
                "DELETE FROM finding_parties WHERE finding_id = :id AND organization_id <> :uploader"
            ),
            {"id": finding_id, "uploader": receiver_id},
        )
    conn.execute(
        sa.text(
            "UPDATE weighbridge_matches SET outcome = 'unmanifested', manifest_id = NULL,"
            " matched_by = NULL WHERE outcome = 'misdirected'"
        )
    )
    _checks(TYPES_AFTER, OUTCOMES_AFTER)


def downgrade() -> None:
    _checks(TYPES_BEFORE, OUTCOMES_BEFORE)
    conn = op.get_bind()
    named = conn.execute(
        sa.text(
            "SELECT f.id, f.named_manifest_id, r.id FROM findings f"
            " JOIN weighbridge_receipts r ON f.key = 'receipt:' || r.id || :suffix"
            " WHERE f.named_manifest_id IS NOT NULL"
        ),
        {"suffix": ":unmanifested_receipt"},
    ).all()
    for finding_id, manifest_id, receipt_id in named:
        conn.execute(
            sa.text(
                "UPDATE findings SET type = 'misdirected_receipt', key = :key,"
                " manifest_id = :manifest WHERE id = :id"
            ),
            {
                "key": f"receipt:{receipt_id}:misdirected_receipt",
                "manifest": manifest_id,
                "id": finding_id,
            },
        )
        conn.execute(
            sa.text(
                "UPDATE weighbridge_matches SET outcome = 'misdirected', manifest_id = :manifest,"
                " matched_by = 'number' WHERE receipt_id = :receipt"
            ),
            {"manifest": manifest_id, "receipt": receipt_id},
        )
    with op.batch_alter_table("findings") as batch:
        batch.drop_index(op.f("ix_findings_named_manifest_id"))
        batch.drop_constraint(op.f("fk_findings_named_manifest_id_manifests"), type_="foreignkey")
        batch.drop_column("named_manifest_id")
