"""My data and account deletion: a deleted account keeps its row (its public contributions stay,
named "utente eliminato") with the date of deletion; the copies of a person's data prepared on request

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-28 08:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account') as batch:
        batch.add_column(sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        'data_export',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ready_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('content', sa.LargeBinary(), nullable=True),
        sa.Column('size_bytes', sa.Integer(), nullable=True),
        sa.Column('downloads', sa.Integer(), server_default='0', nullable=False),
        sa.CheckConstraint("status IN ('pending', 'ready', 'failed')", name=op.f('ck_data_export_status_known')),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_data_export_user_id_user_account'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_data_export')),
    )
    op.create_index('ix_data_export_one_pending', 'data_export', ['user_id'], unique=True,
                    postgresql_where=sa.text("status = 'pending'"), sqlite_where=sa.text("status = 'pending'"))
    op.create_index('ix_data_export_user_requested', 'data_export', ['user_id', 'requested_at'])
    op.create_index('ix_data_export_status_requested', 'data_export', ['status', 'requested_at'])


def downgrade():
    op.drop_table('data_export')
    with op.batch_alter_table('user_account') as batch:
        batch.drop_column('deleted_at')
