"""Tolerances per region, and an append-only record of every tolerance change.

The existing ``reconcile_tolerances`` rows stay as they are and become the service-wide
default, so every manifest is judged as before until a region sets its own. PostgreSQL refuses
to change or delete recorded changes (the trigger function of revision 0005). Downgrading
drops the regional settings and their history; the service-wide default stays.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 21:40:00
"""

import sqlalchemy as sa
from alembic import op

from manifest.infra.db import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

KIND_CHECK = "kind IN ('hazardous', 'sludge')"


def _values(prefix: str = "", nullable: bool = False) -> list[sa.Column]:
    return [
        sa.Column(f"{prefix}mass_pct", sa.Numeric(6, 2), nullable=nullable),
        sa.Column(f"{prefix}mass_abs_kg", sa.Numeric(15, 3), nullable=nullable),
        sa.Column(f"{prefix}moisture_points", sa.Numeric(5, 2), nullable=nullable),
        sa.Column(f"{prefix}violation_factor", sa.Numeric(5, 2), nullable=nullable),
    ]


def upgrade() -> None:
    op.create_table(
        "regional_tolerances",
        sa.Column("region_code", sa.String(6), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        *_values(),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(KIND_CHECK, name=op.f("ck_regional_tolerances_kind_valid")),
        sa.CheckConstraint(
            "length(region_code) = 6", name=op.f("ck_regional_tolerances_region_code_len")
        ),
        sa.CheckConstraint(
            "mass_pct BETWEEN 0 AND 100 AND mass_abs_kg >= 0"
            " AND moisture_points BETWEEN 0 AND 100 AND violation_factor >= 1",
            name=op.f("ck_regional_tolerances_bounded"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_regional_tolerances_updated_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("region_code", "kind", name=op.f("pk_regional_tolerances")),
    )
    op.create_table(
        "tolerance_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(6), nullable=True),
        sa.Column("kind", sa.String(10), nullable=False),
        *_values("old_", nullable=True),
        *_values(),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("regulator_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(KIND_CHECK, name=op.f("ck_tolerance_changes_kind_valid")),
        sa.CheckConstraint(
            "region_code IS NULL OR length(region_code) = 6",
            name=op.f("ck_tolerance_changes_region_code_len"),
        ),
        sa.ForeignKeyConstraint(
            ["changed_by_id"], ["users.id"], name=op.f("fk_tolerance_changes_changed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["regulator_id"],
            ["regulators.id"],
            name=op.f("fk_tolerance_changes_regulator_id_regulators"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tolerance_changes")),
    )
    op.create_index(
        "ix_tolerance_changes_region_code", "tolerance_changes", ["region_code", "id"]
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER tolerance_changes_append_only BEFORE UPDATE OR DELETE"
            " ON tolerance_changes FOR EACH ROW EXECUTE FUNCTION hwm_refuse_change()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER tolerance_changes_append_only ON tolerance_changes")
    op.drop_index("ix_tolerance_changes_region_code", table_name="tolerance_changes")
    op.drop_table("tolerance_changes")
    op.drop_table("regional_tolerances")
