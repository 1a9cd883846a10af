"""A tolerance change may be the removal of a region's own setting.

``cleared`` is true when a regulator (or the operator) removed the setting: the new figures
recorded are those the region follows from then on (an enclosing region's or the default).
Every earlier change was a setting, so existing rows get false. The downgrade drops the
column; the clearings it recorded stay readable only as changes of values.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 03:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "tolerance_changes",
        sa.Column("cleared", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_column("tolerance_changes", "cleared")
