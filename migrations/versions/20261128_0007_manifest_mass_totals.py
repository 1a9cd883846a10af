"""Mass totals on each manifest, so the monthly balance reads manifests without their lines.

The totals are derived from the lines (kilograms, exact with three decimals) and filled here
for the manifests already stored, in one UPDATE; the balance's covering index carries them,
and the covering index over the lines' tallies, which only the balance read, is dropped.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 23:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TALLIES = ("declared", "loaded", "received", "accepted", "rejected")
BASE_INCLUDE = ["id", "status", "category", "generator_id", "transporter_id", "receiver_id"]
TOTALS = [f"{t}_kg" for t in TALLIES] + ["unmeasured_lines"]


def _kg(tally: str) -> str:
    # As manifest.tonnage.line_kg; a line without mass, or a tally not yet written, is NULL
    # and left out of the sum.
    return (
        f"CASE l.unit WHEN 't' THEN l.{tally} * 1000 WHEN 'kg' THEN l.{tally}"
        f" WHEN 'm3' THEN l.{tally} * l.density_t_m3 * 1000 END"
    )


def _balance_index(include: list[str]) -> None:
    op.drop_index("ix_manifests_balance", table_name="manifests")
    op.create_index(
        "ix_manifests_balance", "manifests", ["issued_at"], postgresql_include=include
    )


def upgrade() -> None:
    for tally in TALLIES:
        op.add_column(
            "manifests",
            sa.Column(
                f"{tally}_kg",
                sa.Numeric(precision=18, scale=3),
                server_default="0",
                nullable=False,
            ),
        )
    op.add_column(
        "manifests",
        sa.Column("unmeasured_lines", sa.Integer(), server_default="0", nullable=False),
    )
    # One statement for every manifest: each row takes its lines' sums from one correlated
    # subquery (row values work on PostgreSQL and SQLite alike).
    sums = ", ".join(f"COALESCE(SUM({_kg(t)}), 0)" for t in TALLIES)
    unmeasured = (
        "COALESCE(SUM(CASE WHEN l.unit IN ('t', 'kg')"
        " OR (l.unit = 'm3' AND l.density_t_m3 IS NOT NULL) THEN 0 ELSE 1 END), 0)"
    )
    op.execute(
        f"UPDATE manifests SET ({', '.join(TOTALS)}) = "
        f"(SELECT {sums}, {unmeasured} FROM manifest_lines l WHERE l.manifest_id = manifests.id)"
    )
    _balance_index(BASE_INCLUDE + TOTALS)
    op.drop_index("ix_manifest_lines_balance", table_name="manifest_lines")


def downgrade() -> None:
    op.create_index(
        "ix_manifest_lines_balance",
        "manifest_lines",
        ["manifest_id"],
        unique=False,
        postgresql_include=["unit", "density_t_m3", *TALLIES],
    )
    _balance_index(BASE_INCLUDE)
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35 or later): copying the table in batch
    # mode would have to drop and recreate a table the other tables refer to.
    for column in reversed(TOTALS):
        op.drop_column("manifests", column)
