"""The next transporter named on a manifest: the only carrier that may take the load over.

Nullable, so every stored manifest starts with nobody named; a manifest in transit needs a
naming by its current carrier before anyone can take it over.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 21:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

FK = "fk_manifests_next_transporter_id_organizations"
INDEX = "ix_manifests_next_transporter_id"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a column with its reference in place; Alembic would want a batch copy,
        # which recreates a table the other tables refer to.
        op.execute(
            "ALTER TABLE manifests ADD COLUMN next_transporter_id INTEGER "
            f"CONSTRAINT {FK} REFERENCES organizations (id)"
        )
    else:
        op.add_column("manifests", sa.Column("next_transporter_id", sa.Integer(), nullable=True))
        op.create_foreign_key(FK, "manifests", "organizations", ["next_transporter_id"], ["id"])
    op.create_index(INDEX, "manifests", ["next_transporter_id"], unique=False)


def downgrade() -> None:
    op.drop_index(INDEX, table_name="manifests")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(FK, "manifests", type_="foreignkey")
    # SQLite drops the column with its inline reference (ALTER TABLE ... DROP COLUMN).
    op.drop_column("manifests", "next_transporter_id")
