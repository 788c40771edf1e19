"""Indexes of a city's public lists of needs and ideas (newest, most voted, most commented): partial,
over the posts not hidden, holding the sort columns and the id, so that counting a list and skipping to
a deep page read the index only

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-27 19:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

PUBLIC = sa.text("hidden_at IS NULL")
LISTS = {
    "ix_post_public_newest": ["kind", "city_id", "created_at", "id"],
    "ix_post_public_votes": ["kind", "city_id", "vote_count", "created_at", "id"],
    "ix_post_public_comments": ["kind", "city_id", "comment_count", "created_at", "id"],
}


def upgrade():
    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.drop_index('ix_post_kind_city_votes')
        batch_op.drop_index('ix_post_kind_city_comments')
        for name, columns in LISTS.items():
            batch_op.create_index(name, columns, unique=False, postgresql_where=PUBLIC, sqlite_where=PUBLIC)


def downgrade():
    with op.batch_alter_table('post', schema=None) as batch_op:
        for name in LISTS:
            batch_op.drop_index(name)
        batch_op.create_index('ix_post_kind_city_comments', ['kind', 'city_id', 'comment_count'], unique=False)
        batch_op.create_index('ix_post_kind_city_votes', ['kind', 'city_id', 'vote_count'], unique=False)
