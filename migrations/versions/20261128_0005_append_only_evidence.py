"""Append-only evidence: PostgreSQL refuses to change or delete custody events and to delete
manifests, stored files, tracks or weighbridge records.

The hash chains detect tampering after the fact; these triggers stop the ordinary ways of
doing it (an UPDATE or DELETE by the application's own database role) before it happens.
SQLite is the development database and gets no triggers.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 21:20:00
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

#: table -> the operations refused on it
PROTECTED = {
    "custody_events": "UPDATE OR DELETE",
    "manifests": "DELETE",
    "stored_files": "UPDATE OR DELETE",
    "gps_tracks": "UPDATE OR DELETE",
    "weighbridge_receipts": "DELETE",
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """
        CREATE FUNCTION hwm_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'hwm: % on % is not allowed; evidence is append-only',
                TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
        END
        $$
        """
    )
    for table, operations in PROTECTED.items():
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE {operations} ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION hwm_refuse_change()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in PROTECTED:
        op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
    op.execute("DROP FUNCTION hwm_refuse_change()")
