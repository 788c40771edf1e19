"""Follower counts of organisations and co-design processes; invitation emails in the outbox

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 12:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    # New columns of existing tables are added in place (no table rebuild on SQLite).
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('follower_count', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('codesign_process', schema=None) as batch_op:
        batch_op.add_column(sa.Column('follower_count', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token_seed', sa.String(length=64), nullable=True))

    # Invitation emails go through the outbox: an address without an account, no unsubscribe link, a new kind.
    # SQLite rebuilds email_message for this (no other table refers to it, so foreign keys stay intact).
    with op.batch_alter_table('email_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invitation_id', sa.Integer(), nullable=True))
        batch_op.alter_column('recipient_id', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('unsubscribe_url', existing_type=sa.String(length=1000), nullable=True)
        batch_op.drop_constraint(batch_op.f('ck_email_message_kind_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_email_message_kind_known'),
                                         "kind IN ('immediate', 'digest', 'invitation')")
        batch_op.create_foreign_key(batch_op.f('fk_email_message_invitation_id_invitation'), 'invitation',
                                    ['invitation_id'], ['id'], ondelete='CASCADE')
        batch_op.create_index(batch_op.f('ix_email_message_invitation_id'), ['invitation_id'], unique=False)


def downgrade():
    op.execute("DELETE FROM email_message WHERE kind = 'invitation' OR recipient_id IS NULL")
    with op.batch_alter_table('email_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_email_message_invitation_id'))
        batch_op.drop_constraint(batch_op.f('fk_email_message_invitation_id_invitation'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('ck_email_message_kind_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_email_message_kind_known'), "kind IN ('immediate', 'digest')")
        batch_op.alter_column('unsubscribe_url', existing_type=sa.String(length=1000), nullable=False)
        batch_op.alter_column('recipient_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('invitation_id')

    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_column('token_seed')

    with op.batch_alter_table('codesign_process', schema=None) as batch_op:
        batch_op.drop_column('follower_count')

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('follower_count')
