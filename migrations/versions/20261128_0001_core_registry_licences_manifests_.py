"""core registry licences manifests custody chain

Revision ID: 0001
Revises:
Create Date: 2026-11-28 20:15:14.167807
"""

from alembic import op
import sqlalchemy as sa

from manifest.infra.db import UTCDateTime


revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ledger_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_head'))
    )
    op.create_table('manifest_counters',
    sa.Column('city', sa.String(length=4), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_serial', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('city', 'year', name=op.f('pk_manifest_counters'))
    )
    op.create_table('organizations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('uscc', sa.String(length=18), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('address', sa.String(length=500), nullable=False),
    sa.Column('lat', sa.Numeric(precision=9, scale=6), nullable=True),
    sa.Column('lon', sa.Numeric(precision=9, scale=6), nullable=True),
    sa.Column('site_radius_m', sa.Integer(), nullable=False),
    sa.Column('key_supervision', sa.Boolean(), nullable=False),
    sa.Column('is_generator', sa.Boolean(), nullable=False),
    sa.Column('is_transporter', sa.Boolean(), nullable=False),
    sa.Column('is_receiver', sa.Boolean(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.CheckConstraint('is_generator OR is_transporter OR is_receiver', name=op.f('ck_organizations_has_a_role')),
    sa.CheckConstraint('length(region_code) = 6', name=op.f('ck_organizations_region_code_len')),
    sa.CheckConstraint('length(uscc) = 18', name=op.f('ck_organizations_uscc_len')),
    sa.CheckConstraint('site_radius_m > 0', name=op.f('ck_organizations_site_radius_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organizations')),
    sa.UniqueConstraint('uscc', name=op.f('uq_organizations_uscc'))
    )
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organizations_region_code'), ['region_code'], unique=False)

    op.create_table('regulators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_regulators'))
    )
    op.create_table('waste_codes',
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('category', sa.String(length=4), nullable=False),
    sa.Column('name_zh', sa.String(length=500), nullable=False),
    sa.Column('name_en', sa.String(length=500), nullable=False),
    sa.Column('hazard', sa.String(length=20), nullable=False),
    sa.Column('loaded_at', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_waste_codes'))
    )
    with op.batch_alter_table('waste_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_waste_codes_category'), ['category'], unique=False)

    op.create_table('licences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('number', sa.String(length=64), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('operations', sa.String(length=200), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('hw_operation', 'dg_transport')", name=op.f('ck_licences_kind_valid')),
    sa.CheckConstraint("status IN ('active', 'suspended', 'revoked')", name=op.f('ck_licences_status_valid')),
    sa.CheckConstraint('valid_to >= valid_from', name=op.f('ck_licences_validity_order')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_licences_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_licences')),
    sa.UniqueConstraint('kind', 'number', name=op.f('uq_licences_kind_number'))
    )
    with op.batch_alter_table('licences', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_licences_organization_id'), ['organization_id'], unique=False)

    op.create_table('regulator_regions',
    sa.Column('regulator_id', sa.Integer(), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.CheckConstraint('length(region_code) = 6', name=op.f('ck_regulator_regions_region_code_len')),
    sa.ForeignKeyConstraint(['regulator_id'], ['regulators.id'], name=op.f('fk_regulator_regions_regulator_id_regulators')),
    sa.PrimaryKeyConstraint('regulator_id', 'region_code', name=op.f('pk_regulator_regions'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=300), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('regulator_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.CheckConstraint("role IN ('admin', 'member', 'driver', 'reader')", name=op.f('ck_users_role_valid')),
    sa.CheckConstraint('(organization_id IS NULL) <> (regulator_id IS NULL)', name=op.f('ck_users_one_affiliation')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_users_organization_id_organizations')),
    sa.ForeignKeyConstraint(['regulator_id'], ['regulators.id'], name=op.f('fk_users_regulator_id_regulators')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_users_regulator_id'), ['regulator_id'], unique=False)

    op.create_table('vehicles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('plate', sa.String(length=16), nullable=False),
    sa.Column('max_load_t', sa.Numeric(precision=15, scale=3), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.CheckConstraint('max_load_t > 0', name=op.f('ck_vehicles_max_load_positive')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_vehicles_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vehicles')),
    sa.UniqueConstraint('plate', name=op.f('uq_vehicles_plate'))
    )
    with op.batch_alter_table('vehicles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vehicles_organization_id'), ['organization_id'], unique=False)

    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('last_used_at', UTCDateTime(), nullable=True),
    sa.Column('revoked_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('idempotency_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('method', sa.String(length=10), nullable=False),
    sa.Column('path', sa.String(length=500), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('response_body', sa.LargeBinary(), nullable=True),
    sa.Column('content_type', sa.Text(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_idempotency_records_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_records')),
    sa.UniqueConstraint('user_id', 'key', name=op.f('uq_idempotency_records_user_id_key'))
    )
    op.create_table('licence_capacities',
    sa.Column('licence_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=12), nullable=False),
    sa.Column('tonnes', sa.Numeric(precision=15, scale=3), nullable=False),
    sa.CheckConstraint('tonnes > 0', name=op.f('ck_licence_capacities_tonnes_positive')),
    sa.ForeignKeyConstraint(['licence_id'], ['licences.id'], name=op.f('fk_licence_capacities_licence_id_licences')),
    sa.PrimaryKeyConstraint('licence_id', 'scope', name=op.f('pk_licence_capacities'))
    )
    op.create_table('licence_scopes',
    sa.Column('licence_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.ForeignKeyConstraint(['licence_id'], ['licences.id'], name=op.f('fk_licence_scopes_licence_id_licences')),
    sa.PrimaryKeyConstraint('licence_id', 'code', name=op.f('pk_licence_scopes'))
    )
    op.create_table('manifests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=14), nullable=True),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('category', sa.String(length=4), nullable=False),
    sa.Column('generator_id', sa.Integer(), nullable=False),
    sa.Column('transporter_id', sa.Integer(), nullable=False),
    sa.Column('receiver_id', sa.Integer(), nullable=False),
    sa.Column('vehicle_plate', sa.String(length=16), nullable=False),
    sa.Column('driver', sa.String(length=100), nullable=True),
    sa.Column('planned_pickup_at', UTCDateTime(), nullable=False),
    sa.Column('operation', sa.String(length=3), nullable=False),
    sa.Column('moisture_pct', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('received_moisture_pct', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('heavy_metal_report', sa.String(length=200), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('issued_at', UTCDateTime(), nullable=True),
    sa.Column('picked_up_at', UTCDateTime(), nullable=True),
    sa.Column('delivered_at', UTCDateTime(), nullable=True),
    sa.Column('decided_at', UTCDateTime(), nullable=True),
    sa.Column('completed_at', UTCDateTime(), nullable=True),
    sa.Column('completed_operation', sa.String(length=3), nullable=True),
    sa.Column('cancelled_at', UTCDateTime(), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.Column('last_move_at', UTCDateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('hazardous', 'sludge')", name=op.f('ck_manifests_kind_valid')),
    sa.CheckConstraint("status IN ('draft', 'issued', 'in_transit', 'delivered', 'accepted', 'partially_rejected', 'rejected', 'completed', 'cancelled')", name=op.f('ck_manifests_status_valid')),
    sa.CheckConstraint('moisture_pct IS NULL OR (moisture_pct >= 0 AND moisture_pct < 100)', name=op.f('ck_manifests_moisture_range')),
    sa.CheckConstraint('number IS NULL OR length(number) = 14', name=op.f('ck_manifests_number_len')),
    sa.CheckConstraint('received_moisture_pct IS NULL OR (received_moisture_pct >= 0 AND received_moisture_pct < 100)', name=op.f('ck_manifests_received_moisture_range')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_manifests_created_by_id_users')),
    sa.ForeignKeyConstraint(['generator_id'], ['organizations.id'], name=op.f('fk_manifests_generator_id_organizations')),
    sa.ForeignKeyConstraint(['receiver_id'], ['organizations.id'], name=op.f('fk_manifests_receiver_id_organizations')),
    sa.ForeignKeyConstraint(['transporter_id'], ['organizations.id'], name=op.f('fk_manifests_transporter_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_manifests')),
    sa.UniqueConstraint('number', name=op.f('uq_manifests_number'))
    )
    with op.batch_alter_table('manifests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_manifests_delivered_at'), ['delivered_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_manifests_generator_id'), ['generator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_manifests_receiver_id'), ['receiver_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_manifests_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_manifests_transporter_id'), ['transporter_id'], unique=False)

    op.create_table('custody_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('manifest_id', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('user_email', sa.String(length=254), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('party', sa.String(length=20), nullable=False),
    sa.Column('server_time', UTCDateTime(), nullable=False),
    sa.Column('claimed_time', UTCDateTime(), nullable=True),
    sa.Column('claimed_lat', sa.Numeric(precision=9, scale=6), nullable=True),
    sa.Column('claimed_lon', sa.Numeric(precision=9, scale=6), nullable=True),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('previous_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('ledger_sequence', sa.Integer(), nullable=False),
    sa.Column('ledger_previous_hash', sa.String(length=64), nullable=False),
    sa.Column('ledger_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['manifest_id'], ['manifests.id'], name=op.f('fk_custody_events_manifest_id_manifests')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_custody_events_organization_id_organizations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_custody_events_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_custody_events')),
    sa.UniqueConstraint('ledger_sequence', name=op.f('uq_custody_events_ledger_sequence')),
    sa.UniqueConstraint('manifest_id', 'sequence', name=op.f('uq_custody_events_manifest_id_sequence'))
    )
    with op.batch_alter_table('custody_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_custody_events_manifest_id'), ['manifest_id'], unique=False)

    op.create_table('manifest_legs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('manifest_id', sa.Integer(), nullable=False),
    sa.Column('leg_no', sa.Integer(), nullable=False),
    sa.Column('transporter_id', sa.Integer(), nullable=False),
    sa.Column('vehicle_plate', sa.String(length=16), nullable=False),
    sa.Column('driver', sa.String(length=100), nullable=False),
    sa.Column('started_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['manifest_id'], ['manifests.id'], name=op.f('fk_manifest_legs_manifest_id_manifests')),
    sa.ForeignKeyConstraint(['transporter_id'], ['organizations.id'], name=op.f('fk_manifest_legs_transporter_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_manifest_legs')),
    sa.UniqueConstraint('manifest_id', 'leg_no', name=op.f('uq_manifest_legs_manifest_id_leg_no'))
    )
    with op.batch_alter_table('manifest_legs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_manifest_legs_manifest_id'), ['manifest_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_manifest_legs_transporter_id'), ['transporter_id'], unique=False)

    op.create_table('manifest_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('manifest_id', sa.Integer(), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('waste_code', sa.String(length=12), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('physical_form', sa.String(length=2), nullable=False),
    sa.Column('hazard', sa.String(length=20), nullable=False),
    sa.Column('packaging', sa.String(length=100), nullable=False),
    sa.Column('container_count', sa.Integer(), nullable=True),
    sa.Column('unit', sa.String(length=3), nullable=False),
    sa.Column('density_t_m3', sa.Numeric(precision=8, scale=3), nullable=True),
    sa.Column('declared', sa.Numeric(precision=15, scale=3), nullable=False),
    sa.Column('loaded', sa.Numeric(precision=15, scale=3), nullable=True),
    sa.Column('received', sa.Numeric(precision=15, scale=3), nullable=True),
    sa.Column('received_waste_code', sa.String(length=12), nullable=True),
    sa.Column('received_physical_form', sa.String(length=2), nullable=True),
    sa.Column('accepted', sa.Numeric(precision=15, scale=3), nullable=True),
    sa.Column('rejected', sa.Numeric(precision=15, scale=3), nullable=True),
    sa.Column('rejection_reason', sa.Text(), nullable=True),
    sa.CheckConstraint("physical_form IN ('S', 'SS', 'L', 'G')", name=op.f('ck_manifest_lines_physical_form_valid')),
    sa.CheckConstraint("unit IN ('t', 'kg', 'm3', 'pcs')", name=op.f('ck_manifest_lines_unit_valid')),
    sa.CheckConstraint('accepted IS NULL OR accepted >= 0', name=op.f('ck_manifest_lines_accepted_nonneg')),
    sa.CheckConstraint('declared > 0', name=op.f('ck_manifest_lines_declared_positive')),
    sa.CheckConstraint('loaded IS NULL OR loaded >= 0', name=op.f('ck_manifest_lines_loaded_nonneg')),
    sa.CheckConstraint('received IS NULL OR received >= 0', name=op.f('ck_manifest_lines_received_nonneg')),
    sa.CheckConstraint('rejected IS NULL OR rejected >= 0', name=op.f('ck_manifest_lines_rejected_nonneg')),
    sa.ForeignKeyConstraint(['manifest_id'], ['manifests.id'], name=op.f('fk_manifest_lines_manifest_id_manifests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_manifest_lines')),
    sa.UniqueConstraint('manifest_id', 'line_no', name=op.f('uq_manifest_lines_manifest_id_line_no'))
    )
    with op.batch_alter_table('manifest_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_manifest_lines_manifest_id'), ['manifest_id'], unique=False)

    ledger_head = sa.table(
        "ledger_head",
        sa.column("id", sa.Integer),
        sa.column("sequence", sa.Integer),
        sa.column("hash", sa.String),
    )
    op.bulk_insert(ledger_head, [{"id": 1, "sequence": 0, "hash": "0" * 64}])


def downgrade() -> None:
    with op.batch_alter_table('manifest_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_manifest_lines_manifest_id'))

    op.drop_table('manifest_lines')
    with op.batch_alter_table('manifest_legs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_manifest_legs_transporter_id'))
        batch_op.drop_index(batch_op.f('ix_manifest_legs_manifest_id'))

    op.drop_table('manifest_legs')
    with op.batch_alter_table('custody_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_custody_events_manifest_id'))

    op.drop_table('custody_events')
    with op.batch_alter_table('manifests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_manifests_transporter_id'))
        batch_op.drop_index(batch_op.f('ix_manifests_status'))
        batch_op.drop_index(batch_op.f('ix_manifests_receiver_id'))
        batch_op.drop_index(batch_op.f('ix_manifests_generator_id'))
        batch_op.drop_index(batch_op.f('ix_manifests_delivered_at'))

    op.drop_table('manifests')
    op.drop_table('licence_scopes')
    op.drop_table('licence_capacities')
    op.drop_table('idempotency_records')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    with op.batch_alter_table('vehicles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vehicles_organization_id'))

    op.drop_table('vehicles')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_regulator_id'))
        batch_op.drop_index(batch_op.f('ix_users_organization_id'))

    op.drop_table('users')
    op.drop_table('regulator_regions')
    with op.batch_alter_table('licences', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_licences_organization_id'))

    op.drop_table('licences')
    with op.batch_alter_table('waste_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_waste_codes_category'))

    op.drop_table('waste_codes')
    op.drop_table('regulators')
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organizations_region_code'))

    op.drop_table('organizations')
    op.drop_table('manifest_counters')
    op.drop_table('ledger_head')
