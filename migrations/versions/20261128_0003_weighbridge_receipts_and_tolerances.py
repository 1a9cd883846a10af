"""weighbridge receipts and tolerances

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 20:31:50.411703
"""

from alembic import op
import sqlalchemy as sa

from manifest.infra.db import UTCDateTime


revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('reconcile_tolerances',
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('mass_pct', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('mass_abs_kg', sa.Numeric(precision=15, scale=3), nullable=False),
    sa.Column('moisture_points', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('violation_factor', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('hazardous', 'sludge')", name=op.f('ck_reconcile_tolerances_kind_valid')),
    sa.CheckConstraint('mass_pct >= 0 AND mass_abs_kg >= 0 AND moisture_points >= 0 AND violation_factor >= 0', name=op.f('ck_reconcile_tolerances_nonneg')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_reconcile_tolerances_updated_by_id_users')),
    sa.PrimaryKeyConstraint('kind', name=op.f('pk_reconcile_tolerances'))
    )
    op.create_table('weighbridge_receipts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('receiver_id', sa.Integer(), nullable=False),
    sa.Column('ticket', sa.String(length=64), nullable=False),
    sa.Column('plate', sa.String(length=16), nullable=False),
    sa.Column('arrived_at', UTCDateTime(), nullable=False),
    sa.Column('gross_kg', sa.Numeric(precision=15, scale=3), nullable=True),
    sa.Column('tare_kg', sa.Numeric(precision=15, scale=3), nullable=True),
    sa.Column('net_kg', sa.Numeric(precision=15, scale=3), nullable=False),
    sa.Column('manifest_number', sa.String(length=14), nullable=True),
    sa.Column('source_sha256', sa.String(length=64), nullable=True),
    sa.Column('source_row', sa.Integer(), nullable=True),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.CheckConstraint('net_kg >= 0', name=op.f('ck_weighbridge_receipts_net_nonneg')),
    sa.ForeignKeyConstraint(['receiver_id'], ['organizations.id'], name=op.f('fk_weighbridge_receipts_receiver_id_organizations')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_weighbridge_receipts_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_weighbridge_receipts')),
    sa.UniqueConstraint('receiver_id', 'ticket', name=op.f('uq_weighbridge_receipts_receiver_id_ticket'))
    )
    with op.batch_alter_table('weighbridge_receipts', schema=None) as batch_op:
        batch_op.create_index('ix_weighbridge_receipts_receiver_arrived', ['receiver_id', 'arrived_at'], unique=False)

    # Matching results live apart from the records (see manifest.models.receipts); no foreign
    # keys, as a key check per row would cost more than writing a year of results.
    op.create_table('weighbridge_matches',
    sa.Column('receipt_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('manifest_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('matched_by', sa.String(length=10), nullable=True),
    sa.Column('matched_at', UTCDateTime(), nullable=False),
    sa.CheckConstraint("matched_by IN ('number', 'plate')", name=op.f('ck_weighbridge_matches_matched_by_valid')),
    sa.CheckConstraint("outcome IN ('matched', 'misdirected', 'cancelled', 'already_received', 'unmanifested')", name=op.f('ck_weighbridge_matches_outcome_valid')),
    sa.PrimaryKeyConstraint('receipt_id', name=op.f('pk_weighbridge_matches'))
    )
    with op.batch_alter_table('weighbridge_matches', schema=None) as batch_op:
        batch_op.create_index('uq_weighbridge_matches_matched_manifest', ['manifest_id'], unique=True, sqlite_where=sa.text("outcome = 'matched'"), postgresql_where=sa.text("outcome = 'matched'"))

    with op.batch_alter_table('manifests', schema=None) as batch_op:
        batch_op.create_index('ix_manifests_issued_at', ['issued_at'], unique=False)
        batch_op.create_index('ix_manifests_receiver_plate', ['receiver_id', 'vehicle_plate', 'picked_up_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('manifests', schema=None) as batch_op:
        batch_op.drop_index('ix_manifests_receiver_plate')
        batch_op.drop_index('ix_manifests_issued_at')

    with op.batch_alter_table('weighbridge_matches', schema=None) as batch_op:
        batch_op.drop_index('uq_weighbridge_matches_matched_manifest', sqlite_where=sa.text("outcome = 'matched'"), postgresql_where=sa.text("outcome = 'matched'"))

    op.drop_table('weighbridge_matches')
    with op.batch_alter_table('weighbridge_receipts', schema=None) as batch_op:
        batch_op.drop_index('ix_weighbridge_receipts_receiver_arrived')

    op.drop_table('weighbridge_receipts')
    op.drop_table('reconcile_tolerances')
