"""Co-design: expressions of interest, partners, document visibility

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 12:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('codesign_interest',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('contribution', sa.Text(), nullable=False),
    sa.Column('experience', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(status = 'pending' AND decided_at IS NULL) OR (status <> 'pending' AND decided_at IS NOT NULL AND reason <> '')", name=op.f('ck_codesign_interest_decided_with_reason')),
    sa.CheckConstraint("role IN ('capofila', 'partner')", name=op.f('ck_codesign_interest_role_known')),
    sa.CheckConstraint("status IN ('pending', 'admitted', 'declined')", name=op.f('ck_codesign_interest_status_known')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_codesign_interest_decided_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_codesign_interest_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['process_id'], ['codesign_process.id'], name=op.f('fk_codesign_interest_process_id_codesign_process'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user_account.id'], name=op.f('fk_codesign_interest_submitted_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_codesign_interest')),
    sa.UniqueConstraint('process_id', 'organisation_id', name=op.f('uq_codesign_interest_process_id_organisation_id'))
    )
    with op.batch_alter_table('codesign_interest', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_codesign_interest_decided_by_id'), ['decided_by_id'], unique=False)
        batch_op.create_index('ix_codesign_interest_organisation_status', ['organisation_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_codesign_interest_submitted_by_id'), ['submitted_by_id'], unique=False)

    op.create_table('codesign_partner',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('capofila', 'partner')", name=op.f('ck_codesign_partner_role_known')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_codesign_partner_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['process_id'], ['codesign_process.id'], name=op.f('fk_codesign_partner_process_id_codesign_process'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_codesign_partner')),
    sa.UniqueConstraint('process_id', 'organisation_id', name=op.f('uq_codesign_partner_process_id_organisation_id'))
    )
    with op.batch_alter_table('codesign_partner', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_codesign_partner_organisation_id'), ['organisation_id'], unique=False)

    with op.batch_alter_table('codesign_document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('visibility', sa.String(length=12), server_default='public', nullable=False))
        batch_op.create_check_constraint('visibility_known', "visibility IN ('public', 'participants')")


def downgrade():
    with op.batch_alter_table('codesign_document', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_codesign_document_visibility_known'), type_='check')
        batch_op.drop_column('visibility')

    with op.batch_alter_table('codesign_partner', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_codesign_partner_organisation_id'))

    op.drop_table('codesign_partner')
    with op.batch_alter_table('codesign_interest', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_codesign_interest_submitted_by_id'))
        batch_op.drop_index('ix_codesign_interest_organisation_status')
        batch_op.drop_index(batch_op.f('ix_codesign_interest_decided_by_id'))

    op.drop_table('codesign_interest')
