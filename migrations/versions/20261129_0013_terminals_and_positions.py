"""Positioning terminals bound to vehicles, the positions they report, terminal tracks.

``terminals`` binds a JT/T 808 terminal (its phone number) to a vehicle; ``vehicle_positions``
keeps every reported fix (on PostgreSQL partitioned by month of the fix time, partitions made
as positions arrive); ``gps_tracks`` gains ``source`` (``upload`` or ``terminal``). The downgrade drops both tables
(with their partitions) and the column.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 00:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

BOUND = sa.text("unbound_at IS NULL")
SOURCE_CHECK = "source IN ('upload', 'terminal')"


def upgrade() -> None:
    op.create_table(
        "terminals",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column(
            "organization_id",
            sa.Integer(),
            sa.ForeignKey(
                "organizations.id", name=op.f("fk_terminals_organization_id_organizations")
            ),
            nullable=False,
        ),
        sa.Column(
            "vehicle_id",
            sa.Integer(),
            sa.ForeignKey("vehicles.id", name=op.f("fk_terminals_vehicle_id_vehicles")),
            nullable=False,
        ),
        sa.Column("plate_colour", sa.Integer(), nullable=False),
        sa.Column("auth_code_hash", sa.String(64), nullable=True),
        sa.Column("registered_at", sa.DateTime(), nullable=True),
        sa.Column(
            "bound_by_id",
            sa.Integer(),
            sa.ForeignKey("users.id", name=op.f("fk_terminals_bound_by_id_users")),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("unbound_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "plate_colour BETWEEN 0 AND 255", name=op.f("ck_terminals_plate_colour_byte")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_terminals")),
    )
    op.create_index(op.f("ix_terminals_organization_id"), "terminals", ["organization_id"])
    for name, column in (
        ("uq_terminals_bound_phone", "phone"),
        ("uq_terminals_bound_vehicle", "vehicle_id"),
    ):
        op.create_index(
            name, "terminals", [column], unique=True, sqlite_where=BOUND, postgresql_where=BOUND
        )
    op.create_table(
        "vehicle_positions",
        sa.Column(
            "terminal_id",
            sa.Integer(),
            sa.ForeignKey("terminals.id", name=op.f("fk_vehicle_positions_terminal_id_terminals")),
            nullable=False,
        ),
        sa.Column("fixed_at", sa.DateTime(), nullable=False),
        sa.Column(
            "vehicle_id",
            sa.Integer(),
            sa.ForeignKey("vehicles.id", name=op.f("fk_vehicle_positions_vehicle_id_vehicles")),
            nullable=False,
        ),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("lat_e6", sa.Integer(), nullable=False),
        sa.Column("lon_e6", sa.Integer(), nullable=False),
        sa.Column("altitude_m", sa.Integer(), nullable=False),
        sa.Column("speed_dkmh", sa.Integer(), nullable=False),
        sa.Column("heading", sa.Integer(), nullable=False),
        sa.Column("alarm", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.BigInteger(), nullable=False),
        sa.Column("mileage_hm", sa.BigInteger(), nullable=True),
        sa.Column("time_bcd", sa.String(12), nullable=False),
        sa.Column("positioned", sa.Boolean(), nullable=False),
        sa.Column("usable", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(5), nullable=False),
        sa.CheckConstraint(
            "source IN ('live', 'batch')", name=op.f("ck_vehicle_positions_source_valid")
        ),
        sa.PrimaryKeyConstraint("terminal_id", "fixed_at", name=op.f("pk_vehicle_positions")),
        postgresql_partition_by="RANGE (fixed_at)",
    )
    op.create_index(
        "ix_vehicle_positions_vehicle_time", "vehicle_positions", ["vehicle_id", "fixed_at"]
    )
    if op.get_bind().dialect.name == "sqlite":
        # A column with its own CHECK is added in place; no table copy needed.
        op.execute(
            "ALTER TABLE gps_tracks ADD COLUMN source VARCHAR(8) DEFAULT 'upload' NOT NULL "
            f"CONSTRAINT ck_gps_tracks_source_valid CHECK ({SOURCE_CHECK})"
        )
    else:
        op.add_column(
            "gps_tracks",
            sa.Column("source", sa.String(8), nullable=False, server_default="upload"),
        )
        op.create_check_constraint(op.f("ck_gps_tracks_source_valid"), "gps_tracks", SOURCE_CHECK)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f("ck_gps_tracks_source_valid"), "gps_tracks", type_="check")
    op.drop_column("gps_tracks", "source")
    op.drop_index("ix_vehicle_positions_vehicle_time", table_name="vehicle_positions")
    op.drop_table("vehicle_positions")
    op.drop_index("uq_terminals_bound_vehicle", table_name="terminals")
    op.drop_index("uq_terminals_bound_phone", table_name="terminals")
    op.drop_index(op.f("ix_terminals_organization_id"), table_name="terminals")
    op.drop_table("terminals")
