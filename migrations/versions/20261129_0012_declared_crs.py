"""Planned routes and GPS tracks record the coordinate system their file was declared in.

``crs`` is ``wgs84``, ``gcj02`` (Amap, Tencent) or ``bd09`` (Baidu); every stored route and
track was read as WGS-84, so existing rows get ``wgs84``. The downgrade drops the column.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 22:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TABLES = ("manifest_routes", "gps_tracks")
CHECK = "crs IN ('wgs84', 'gcj02', 'bd09')"


def _check_name(table: str) -> str:
    return f"ck_{table}_crs_valid"


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in TABLES:
        if sqlite:
            # A column with its own CHECK is added in place; no table copy needed.
            op.execute(
                f"ALTER TABLE {table} ADD COLUMN crs VARCHAR(5) DEFAULT 'wgs84' NOT NULL "
                f"CONSTRAINT {_check_name(table)} CHECK ({CHECK})"
            )
        else:
            op.add_column(
                table,
                sa.Column("crs", sa.String(5), nullable=False, server_default="wgs84"),
            )
            op.create_check_constraint(op.f(_check_name(table)), table, CHECK)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in TABLES:
        if not sqlite:
            op.drop_constraint(op.f(_check_name(table)), table, type_="check")
        op.drop_column(table, "crs")
