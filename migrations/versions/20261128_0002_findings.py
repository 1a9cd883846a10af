"""findings

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 20:23:12.618168
"""

from alembic import op
import sqlalchemy as sa

from manifest.infra.db import UTCDateTime


revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('type', sa.String(length=30), nullable=False),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('manifest_id', sa.Integer(), nullable=True),
    sa.Column('vehicle_plate', sa.String(length=16), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('measured', sa.Text(), nullable=False),
    sa.Column('due_at', UTCDateTime(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.Column('closed_at', UTCDateTime(), nullable=True),
    sa.Column('escalated_at', UTCDateTime(), nullable=True),
    sa.CheckConstraint("severity IN ('info', 'warning', 'violation')", name=op.f('ck_findings_severity_valid')),
    sa.CheckConstraint("status IN ('open', 'explained', 'resolved', 'escalated')", name=op.f('ck_findings_status_valid')),
    sa.CheckConstraint("type IN ('quantity_discrepancy', 'type_discrepancy', 'moisture_change', 'rejection', 'route_deviation', 'unscheduled_stop', 'gps_gap', 'implausible_speed', 'start_outside_origin', 'end_outside_destination', 'track_missing', 'unmanifested_receipt', 'misdirected_receipt', 'licence_capacity', 'overdue_decision', 'overdue_delivery')", name=op.f('ck_findings_type_valid')),
    sa.ForeignKeyConstraint(['manifest_id'], ['manifests.id'], name=op.f('fk_findings_manifest_id_manifests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_findings')),
    sa.UniqueConstraint('key', name=op.f('uq_findings_key'))
    )
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_findings_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_findings_manifest_id'), ['manifest_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_findings_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_findings_type'), ['type'], unique=False)

    op.create_table('finding_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('author', sa.String(length=254), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('regulator_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status_change', sa.String(length=10), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['finding_id'], ['findings.id'], name=op.f('fk_finding_comments_finding_id_findings')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_finding_comments_organization_id_organizations')),
    sa.ForeignKeyConstraint(['regulator_id'], ['regulators.id'], name=op.f('fk_finding_comments_regulator_id_regulators')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_finding_comments_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finding_comments'))
    )
    with op.batch_alter_table('finding_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_finding_comments_finding_id'), ['finding_id'], unique=False)

    op.create_table('finding_parties',
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=12), nullable=False),
    sa.CheckConstraint("role IN ('generator', 'transporter', 'receiver')", name=op.f('ck_finding_parties_role_valid')),
    sa.ForeignKeyConstraint(['finding_id'], ['findings.id'], name=op.f('fk_finding_parties_finding_id_findings')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_finding_parties_organization_id_organizations')),
    sa.PrimaryKeyConstraint('finding_id', 'organization_id', name=op.f('pk_finding_parties'))
    )
    with op.batch_alter_table('finding_parties', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_finding_parties_organization_id'), ['organization_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('finding_parties', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finding_parties_organization_id'))

    op.drop_table('finding_parties')
    with op.batch_alter_table('finding_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finding_comments_finding_id'))

    op.drop_table('finding_comments')
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_findings_type'))
        batch_op.drop_index(batch_op.f('ix_findings_status'))
        batch_op.drop_index(batch_op.f('ix_findings_manifest_id'))
        batch_op.drop_index(batch_op.f('ix_findings_due_at'))

    op.drop_table('findings')
