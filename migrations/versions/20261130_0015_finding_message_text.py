"""Findings keep the sentence of their message as a key and parameters, so the pages can say
it in their language; ``message`` stays the English text the API and the reports show.

``message_text`` is JSON (``{"key", "params"}``, see ``manifest.texts``), null for findings
raised before: those are shown as their English message. The downgrade drops the column.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 04:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("findings", sa.Column("message_text", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("findings") as batch:
        batch.drop_column("message_text")
