"""The trail of changes to members (role, deactivation, reactivation: who, whom, when) and the
flag that makes an invited member choose their own password at first sign-in.

Existing accounts keep their passwords: the flag starts false for every user.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 03:30:00
"""

import sqlalchemy as sa
from alembic import op

from manifest.infra.db import UTCDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

CHANGES = "'role', 'deactivated', 'reactivated'"


def upgrade() -> None:
    op.create_table(
        "member_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("user_email", sa.String(length=254), nullable=False),
        sa.Column("change", sa.String(length=20), nullable=False),
        sa.Column("old_role", sa.String(length=10), nullable=True),
        sa.Column("new_role", sa.String(length=10), nullable=True),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_by_email", sa.String(length=254), nullable=True),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(f"change IN ({CHANGES})", name=op.f("ck_member_changes_change_valid")),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_member_changes_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_member_changes_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["changed_by_id"], ["users.id"], name=op.f("fk_member_changes_changed_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_changes")),
    )
    op.create_index(
        "ix_member_changes_organization_id_id", "member_changes", ["organization_id", "id"]
    )
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column(
                "must_change_password", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("must_change_password")
    op.drop_index("ix_member_changes_organization_id_id", table_name="member_changes")
    op.drop_table("member_changes")
