"""Indexes of a city's public lists of needs and ideas (newest, most voted, most commented): partial,
over the posts not hidden, holding the sort columns and the id, so that counting a list and skipping to
a deep page read the index only; of a page of a post's comments (its first comments in order, then
their replies); and of the moderators' lists of hidden posts and comments and blocked accounts
(partial: the few rows they list)

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
HIDDEN = sa.text("hidden_at IS NOT NULL")
BLOCKED = sa.text("blocked_at IS NOT NULL")
ROOT = sa.text("parent_id IS NULL")
REPLY = sa.text("parent_id IS NOT NULL")
LISTS = {
    "ix_post_public_newest": ["kind", "city_id", "created_at", "id"],
    "ix_post_public_votes": ["kind", "city_id", "vote_count", "created_at", "id"],
    "ix_post_public_comments": ["kind", "city_id", "comment_count", "created_at", "id"],
    "ix_post_public_theme": ["kind", "city_id", "theme_id", "id"],  # the dashboard's counts
}


def upgrade():
    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.drop_index('ix_post_kind_city_votes')
        batch_op.drop_index('ix_post_kind_city_comments')
        for name, columns in LISTS.items():
            batch_op.create_index(name, columns, unique=False, postgresql_where=PUBLIC, sqlite_where=PUBLIC)
        batch_op.create_index('ix_post_hidden', ['hidden_at'], unique=False, postgresql_where=HIDDEN,
                              sqlite_where=HIDDEN)
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.create_index('ix_comment_hidden', ['hidden_at'], unique=False, postgresql_where=HIDDEN,
                              sqlite_where=HIDDEN)
        batch_op.create_index('ix_comment_post_roots', ['post_id', 'created_at', 'id'], unique=False,
                              postgresql_where=ROOT, sqlite_where=ROOT)
        batch_op.create_index('ix_comment_parent_created', ['parent_id', 'created_at'], unique=False,
                              postgresql_where=REPLY, sqlite_where=REPLY)
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.create_index('ix_user_account_blocked', ['blocked_at'], unique=False, postgresql_where=BLOCKED,
                              sqlite_where=BLOCKED)


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_index('ix_user_account_blocked')
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_index('ix_comment_parent_created')
        batch_op.drop_index('ix_comment_post_roots')
        batch_op.drop_index('ix_comment_hidden')
    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.drop_index('ix_post_hidden')
        for name in LISTS:
            batch_op.drop_index(name)
        batch_op.create_index('ix_post_kind_city_comments', ['kind', 'city_id', 'comment_count'], unique=False)
        batch_op.create_index('ix_post_kind_city_votes', ['kind', 'city_id', 'vote_count'], unique=False)
