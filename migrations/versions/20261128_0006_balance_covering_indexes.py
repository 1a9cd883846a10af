"""Covering indexes for the monthly balance.

On PostgreSQL the balance reads the month's manifests and their lines' tallies by index-only
scans; SQLite ignores INCLUDE and gets plain indexes on the key columns.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 22:05:00
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_manifests_balance",
        "manifests",
        ["issued_at"],
        unique=False,
        postgresql_include=[
            "id",
            "status",
            "category",
            "generator_id",
            "transporter_id",
            "receiver_id",
        ],
    )
    op.create_index(
        "ix_manifest_lines_balance",
        "manifest_lines",
        ["manifest_id"],
        unique=False,
        postgresql_include=[
            "unit",
            "density_t_m3",
            "declared",
            "loaded",
            "received",
            "accepted",
            "rejected",
        ],
    )


def downgrade() -> None:
    op.drop_index("ix_manifest_lines_balance", table_name="manifest_lines")
    op.drop_index("ix_manifests_balance", table_name="manifests")
