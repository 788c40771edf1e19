"""Comments on behalf of organisations

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27 13:00:00.000000

A comment (or reply) may be written on behalf of an organisation its author is a member of, like a
post: the organisation is shown beside the author's name. Deleting the organisation keeps the comment.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_comment_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_comment_organisation_id_organisation'), 'organisation',
                                    ['organisation_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_comment_organisation_id_organisation'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_comment_organisation_id'))
        batch_op.drop_column('organisation_id')
