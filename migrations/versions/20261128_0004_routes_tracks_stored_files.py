"""routes tracks stored files

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 21:05:44.315819
"""

from alembic import op
import sqlalchemy as sa

from manifest.infra.db import UTCDateTime


revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('stored_files',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.CheckConstraint('length(sha256) = 64', name=op.f('ck_stored_files_sha256_len')),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_stored_files'))
    )
    op.create_table('manifest_routes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('manifest_id', sa.Integer(), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('corridor_m', sa.Integer(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('geometry', sa.Text(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.CheckConstraint('corridor_m > 0', name=op.f('ck_manifest_routes_corridor_positive')),
    sa.ForeignKeyConstraint(['file_sha256'], ['stored_files.sha256'], name=op.f('fk_manifest_routes_file_sha256_stored_files')),
    sa.ForeignKeyConstraint(['manifest_id'], ['manifests.id'], name=op.f('fk_manifest_routes_manifest_id_manifests')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_manifest_routes_organization_id_organizations')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_manifest_routes_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_manifest_routes'))
    )
    with op.batch_alter_table('manifest_routes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_manifest_routes_manifest_id'), ['manifest_id'], unique=False)

    op.create_table('gps_tracks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('manifest_id', sa.Integer(), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('route_id', sa.Integer(), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('vehicle_plate', sa.String(length=16), nullable=False),
    sa.Column('fixes', sa.Integer(), nullable=False),
    sa.Column('started_at', UTCDateTime(), nullable=False),
    sa.Column('ended_at', UTCDateTime(), nullable=False),
    sa.Column('analysis', sa.Text(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['file_sha256'], ['stored_files.sha256'], name=op.f('fk_gps_tracks_file_sha256_stored_files')),
    sa.ForeignKeyConstraint(['manifest_id'], ['manifests.id'], name=op.f('fk_gps_tracks_manifest_id_manifests')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_gps_tracks_organization_id_organizations')),
    sa.ForeignKeyConstraint(['route_id'], ['manifest_routes.id'], name=op.f('fk_gps_tracks_route_id_manifest_routes')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_gps_tracks_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gps_tracks')),
    sa.UniqueConstraint('manifest_id', 'file_sha256', name=op.f('uq_gps_tracks_manifest_id_file_sha256'))
    )
    with op.batch_alter_table('gps_tracks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gps_tracks_manifest_id'), ['manifest_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_gps_tracks_organization_id'), ['organization_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('gps_tracks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gps_tracks_organization_id'))
        batch_op.drop_index(batch_op.f('ix_gps_tracks_manifest_id'))

    op.drop_table('gps_tracks')
    with op.batch_alter_table('manifest_routes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_manifest_routes_manifest_id'))

    op.drop_table('manifest_routes')
    op.drop_table('stored_files')
