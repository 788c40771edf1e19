"""Co-design processes: stages, meetings, documents

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('codesign_process',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('city_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('summary_markdown', sa.Text(), nullable=False),
    sa.Column('summary_html', sa.Text(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=True),
    sa.Column('need_id', sa.Integer(), nullable=True),
    sa.Column('call_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome_markdown', sa.Text(), nullable=False),
    sa.Column('outcome_html', sa.Text(), nullable=False),
    sa.Column('partners', sa.JSON(), nullable=False),
    sa.CheckConstraint("(status = 'open' AND closed_at IS NULL) OR (status = 'closed' AND closed_at IS NOT NULL)", name=op.f('ck_codesign_process_closed_when_closed')),
    sa.CheckConstraint("status IN ('open', 'closed')", name=op.f('ck_codesign_process_status_known')),
    sa.CheckConstraint('(CASE WHEN idea_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN need_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN call_id IS NULL THEN 0 ELSE 1 END) = 1', name=op.f('ck_codesign_process_one_origin')),
    sa.ForeignKeyConstraint(['call_id'], ['call.id'], name=op.f('fk_codesign_process_call_id_call'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['city_id'], ['city.id'], name=op.f('fk_codesign_process_city_id_city'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['closed_by_id'], ['user_account.id'], name=op.f('fk_codesign_process_closed_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['idea_id'], ['idea.id'], name=op.f('fk_codesign_process_idea_id_idea'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['need_id'], ['need.id'], name=op.f('fk_codesign_process_need_id_need'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['opened_by_id'], ['user_account.id'], name=op.f('fk_codesign_process_opened_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_codesign_process')),
    sa.UniqueConstraint('idea_id', name=op.f('uq_codesign_process_idea_id'))
    )
    with op.batch_alter_table('codesign_process', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_codesign_process_call_id'), ['call_id'], unique=False)
        batch_op.create_index('ix_codesign_process_city_status', ['city_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_codesign_process_closed_by_id'), ['closed_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_codesign_process_need_id'), ['need_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_codesign_process_opened_by_id'), ['opened_by_id'], unique=False)

    op.create_table('codesign_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('other', 'final_project', 'agreement')", name=op.f('ck_codesign_document_role_known')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_codesign_document_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['process_id'], ['codesign_process.id'], name=op.f('fk_codesign_document_process_id_codesign_process'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_codesign_document'))
    )
    with op.batch_alter_table('codesign_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_codesign_document_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_codesign_document_process_id'), ['process_id'], unique=False)

    op.create_table('codesign_meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('place', sa.String(length=300), nullable=True),
    sa.Column('online_url', sa.String(length=500), nullable=True),
    sa.Column('agenda_markdown', sa.Text(), nullable=False),
    sa.Column('agenda_html', sa.Text(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('registration_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('minutes_markdown', sa.Text(), nullable=True),
    sa.Column('minutes_html', sa.Text(), nullable=True),
    sa.Column('minutes_published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('capacity IS NULL OR capacity > 0', name=op.f('ck_codesign_meeting_capacity_positive')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_codesign_meeting_times_in_order')),
    sa.CheckConstraint('place IS NOT NULL OR online_url IS NOT NULL', name=op.f('ck_codesign_meeting_has_place')),
    sa.CheckConstraint('registration_count >= 0 AND (capacity IS NULL OR registration_count <= capacity)', name=op.f('ck_codesign_meeting_registrations_within_capacity')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_codesign_meeting_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['process_id'], ['codesign_process.id'], name=op.f('fk_codesign_meeting_process_id_codesign_process'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_codesign_meeting'))
    )
    with op.batch_alter_table('codesign_meeting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_codesign_meeting_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index('ix_codesign_meeting_process_starts', ['process_id', 'starts_at'], unique=False)

    op.create_table('codesign_stage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('summary_markdown', sa.Text(), nullable=False),
    sa.Column('summary_html', sa.Text(), nullable=False),
    sa.CheckConstraint("kind IN ('public_notice', 'expressions_of_interest', 'assessment', 'codesign_table', 'final_project', 'agreement')", name=op.f('ck_codesign_stage_kind_known')),
    sa.CheckConstraint('ends_on IS NULL OR ends_on >= starts_on', name=op.f('ck_codesign_stage_dates_in_order')),
    sa.ForeignKeyConstraint(['process_id'], ['codesign_process.id'], name=op.f('fk_codesign_stage_process_id_codesign_process'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_codesign_stage')),
    sa.UniqueConstraint('process_id', 'kind', name=op.f('uq_codesign_stage_process_id_kind'))
    )
    op.create_table('codesign_document_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('original_name', sa.String(length=200), nullable=False),
    sa.Column('file_type', sa.String(length=10), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('number > 0 AND size > 0', name=op.f('ck_codesign_document_version_number_and_size_positive')),
    sa.ForeignKeyConstraint(['document_id'], ['codesign_document.id'], name=op.f('fk_codesign_document_version_document_id_codesign_document'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_codesign_document_version_uploaded_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_codesign_document_version')),
    sa.UniqueConstraint('document_id', 'number', name=op.f('uq_codesign_document_version_document_id_number')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_codesign_document_version_stored_name'))
    )
    with op.batch_alter_table('codesign_document_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_codesign_document_version_uploaded_by_id'), ['uploaded_by_id'], unique=False)

    op.create_table('codesign_registration',
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('attended', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['codesign_meeting.id'], name=op.f('fk_codesign_registration_meeting_id_codesign_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_codesign_registration_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('meeting_id', 'user_id', name=op.f('pk_codesign_registration'))
    )
    with op.batch_alter_table('codesign_registration', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_codesign_registration_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('codesign_registration', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_codesign_registration_user_id'))

    op.drop_table('codesign_registration')
    with op.batch_alter_table('codesign_document_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_codesign_document_version_uploaded_by_id'))

    op.drop_table('codesign_document_version')
    op.drop_table('codesign_stage')
    with op.batch_alter_table('codesign_meeting', schema=None) as batch_op:
        batch_op.drop_index('ix_codesign_meeting_process_starts')
        batch_op.drop_index(batch_op.f('ix_codesign_meeting_created_by_id'))

    op.drop_table('codesign_meeting')
    with op.batch_alter_table('codesign_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_codesign_document_process_id'))
        batch_op.drop_index(batch_op.f('ix_codesign_document_created_by_id'))

    op.drop_table('codesign_document')
    with op.batch_alter_table('codesign_process', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_codesign_process_opened_by_id'))
        batch_op.drop_index(batch_op.f('ix_codesign_process_need_id'))
        batch_op.drop_index(batch_op.f('ix_codesign_process_closed_by_id'))
        batch_op.drop_index('ix_codesign_process_city_status')
        batch_op.drop_index(batch_op.f('ix_codesign_process_call_id'))

    op.drop_table('codesign_process')
