"""Sign-in audit log (also counted by the sign-in rate limit) and an expiry on every token.

Tokens issued before this revision get an expiry 30 days after the upgrade (the default
lifetime), so existing integrations keep working for a month and then sign in again.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 21:30:00
"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

from manifest.infra.db import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

OUTCOMES = "'success', 'wrong_password', 'unknown_account', 'inactive', 'locked'"


def upgrade() -> None:
    op.create_table(
        "signin_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempted_at", UTCDateTime(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.CheckConstraint(f"outcome IN ({OUTCOMES})", name=op.f("ck_signin_attempts_outcome_valid")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_signin_attempts_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signin_attempts")),
    )
    op.create_index("ix_signin_attempts_email_at", "signin_attempts", ["email", "attempted_at"])
    op.create_index(
        "ix_signin_attempts_address_at", "signin_attempts", ["address", "attempted_at"]
    )
    op.create_index("ix_signin_attempts_user_at", "signin_attempts", ["user_id", "attempted_at"])

    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("expires_at", UTCDateTime(), nullable=True))
    expiry = datetime.now(UTC) + timedelta(days=30)
    tokens = sa.table("api_tokens", sa.column("expires_at", UTCDateTime()))
    op.execute(tokens.update().values(expires_at=expiry))
    with op.batch_alter_table("api_tokens") as batch:
        batch.alter_column("expires_at", existing_type=UTCDateTime(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("expires_at")
    op.drop_index("ix_signin_attempts_user_at", table_name="signin_attempts")
    op.drop_index("ix_signin_attempts_address_at", table_name="signin_attempts")
    op.drop_index("ix_signin_attempts_email_at", table_name="signin_attempts")
    op.drop_table("signin_attempts")
