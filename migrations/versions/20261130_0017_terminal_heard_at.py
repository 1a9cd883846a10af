"""When the gateway last heard from a terminal on an authenticated connection (its
authentication or a heartbeat), so a terminal that sends heartbeats but no positions shows as
seen. Existing terminals start with none.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 06:10:00
"""

import sqlalchemy as sa
from alembic import op

from manifest.infra.db import UTCDateTime

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("terminals") as batch:
        batch.add_column(sa.Column("heard_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("terminals") as batch:
        batch.drop_column("heard_at")
