"""Third Sector organisations, members and invitations

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 12:00:00.000000

Organisations (with their areas of activity), memberships and invitations; the organisation a
post is published on behalf of moves from the idea placeholder column to post, with its foreign key.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('organisation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('legal_form', sa.String(length=100), nullable=False),
    sa.Column('runts_section', sa.String(length=1), nullable=False),
    sa.Column('second_section', sa.String(length=1), nullable=True),
    sa.Column('codice_fiscale', sa.String(length=11), nullable=False),
    sa.Column('partita_iva', sa.String(length=11), nullable=True),
    sa.Column('city_id', sa.Integer(), nullable=False),
    sa.Column('description_markdown', sa.Text(), nullable=False),
    sa.Column('description_html', sa.Text(), nullable=False),
    sa.Column('website', sa.String(length=300), nullable=True),
    sa.Column('contact_email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=30), nullable=True),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('verified_by_id', sa.Integer(), nullable=True),
    sa.Column('verified_role', sa.String(length=20), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('member_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("runts_section IN ('a', 'b', 'c', 'd', 'e', 'f', 'g')", name=op.f('ck_organisation_runts_section_known')),
    sa.CheckConstraint("second_section IS NULL OR (runts_section = 'e' AND second_section IN ('a', 'b', 'c', 'd', 'f', 'g'))", name=op.f('ck_organisation_second_section_only_for_networks')),
    sa.CheckConstraint("verified_role IS NULL OR verified_role IN ('moderator', 'admin')", name=op.f('ck_organisation_verified_role_known')),
    sa.CheckConstraint('length(codice_fiscale) = 11', name=op.f('ck_organisation_codice_fiscale_length')),
    sa.CheckConstraint('member_count >= 0', name=op.f('ck_organisation_member_count_not_negative')),
    sa.CheckConstraint('partita_iva IS NULL OR length(partita_iva) = 11', name=op.f('ck_organisation_partita_iva_length')),
    sa.ForeignKeyConstraint(['city_id'], ['city.id'], name=op.f('fk_organisation_city_id_city'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_organisation_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['verified_by_id'], ['user_account.id'], name=op.f('fk_organisation_verified_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation')),
    sa.UniqueConstraint('codice_fiscale', name=op.f('uq_organisation_codice_fiscale')),
    sa.UniqueConstraint('partita_iva', name=op.f('uq_organisation_partita_iva'))
    )
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.create_index('ix_organisation_city_name', ['city_id', 'name'], unique=False)
        batch_op.create_index(batch_op.f('ix_organisation_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index('ix_organisation_section_name', ['runts_section', 'name'], unique=False)
        batch_op.create_index(batch_op.f('ix_organisation_verified_at'), ['verified_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_organisation_verified_by_id'), ['verified_by_id'], unique=False)

    op.create_table('invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted_by_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("role IN ('admin', 'member')", name=op.f('ck_invitation_role_known')),
    sa.CheckConstraint('expires_at > created_at', name=op.f('ck_invitation_expires_after_creation')),
    sa.ForeignKeyConstraint(['accepted_by_id'], ['user_account.id'], name=op.f('fk_invitation_accepted_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['invited_by_id'], ['user_account.id'], name=op.f('fk_invitation_invited_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_invitation_organisation_id_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_invitation_token_hash'))
    )
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitation_accepted_by_id'), ['accepted_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitation_invited_by_id'), ['invited_by_id'], unique=False)
        batch_op.create_index('ix_invitation_organisation_created', ['organisation_id', 'created_at'], unique=False)

    op.create_table('membership',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('admin', 'member')", name=op.f('ck_membership_role_known')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_membership_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_membership_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_membership')),
    sa.UniqueConstraint('organisation_id', 'user_id', name=op.f('uq_membership_organisation_id_user_id'))
    )
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.create_index('ix_membership_organisation_role', ['organisation_id', 'role'], unique=False)
        batch_op.create_index(batch_op.f('ix_membership_user_id'), ['user_id'], unique=False)

    op.create_table('organisation_theme',
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_organisation_theme_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], name=op.f('fk_organisation_theme_theme_id_theme'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('organisation_id', 'theme_id', name=op.f('pk_organisation_theme'))
    )
    with op.batch_alter_table('organisation_theme', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisation_theme_theme_id'), ['theme_id'], unique=False)

    # The placeholder column of 0002 never had a table to point to (it holds only NULLs): the
    # organisation now belongs to every post, needs included, with a real foreign key.
    with op.batch_alter_table('idea', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idea_organisation_id'))
        batch_op.drop_column('organisation_id')

    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_post_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_post_organisation_id_organisation'), 'organisation', ['organisation_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_post_organisation_id_organisation'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_post_organisation_id'))
        batch_op.drop_column('organisation_id')

    with op.batch_alter_table('idea', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_idea_organisation_id'), ['organisation_id'], unique=False)

    with op.batch_alter_table('organisation_theme', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisation_theme_theme_id'))

    op.drop_table('organisation_theme')
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_membership_user_id'))
        batch_op.drop_index('ix_membership_organisation_role')

    op.drop_table('membership')
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_index('ix_invitation_organisation_created')
        batch_op.drop_index(batch_op.f('ix_invitation_invited_by_id'))
        batch_op.drop_index(batch_op.f('ix_invitation_accepted_by_id'))

    op.drop_table('invitation')
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisation_verified_by_id'))
        batch_op.drop_index(batch_op.f('ix_organisation_verified_at'))
        batch_op.drop_index('ix_organisation_section_name')
        batch_op.drop_index(batch_op.f('ix_organisation_created_by_id'))
        batch_op.drop_index('ix_organisation_city_name')

    op.drop_table('organisation')
