"""Consent to the privacy notice: each acceptance of a version, and the version an account accepted last

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-28 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account') as batch:
        batch.add_column(sa.Column('privacy_version', sa.String(length=40), nullable=True))
    op.create_table(
        'consent',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.String(length=40), nullable=False),
        sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_consent_user_id_user_account'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_consent')),
        sa.UniqueConstraint('user_id', 'version', name=op.f('uq_consent_user_id_version')),
    )


def downgrade():
    op.drop_table('consent')
    with op.batch_alter_table('user_account') as batch:
        batch.drop_column('privacy_version')
