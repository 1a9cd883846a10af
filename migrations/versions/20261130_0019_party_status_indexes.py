"""A party's manifests of one status, newest first, from an index alone: each index on a
party column (generator, transporter, receiver, next transporter) becomes one on the party,
the status and the id. The lists, the home page's piles and the receiver filter then read
no manifest row to test its status. The single-column indexes go: the new ones lead with the
same column and serve the same lookups. The downgrade restores them.

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30 09:40:00
"""

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

PARTIES = ("generator", "transporter", "receiver", "next_transporter")


def upgrade() -> None:
    for party in PARTIES:
        op.create_index(
            f"ix_manifests_{party}_status", "manifests", [f"{party}_id", "status", "id"]
        )
        op.drop_index(f"ix_manifests_{party}_id", table_name="manifests")


def downgrade() -> None:
    for party in PARTIES:
        op.create_index(f"ix_manifests_{party}_id", "manifests", [f"{party}_id"])
        op.drop_index(f"ix_manifests_{party}_status", table_name="manifests")
