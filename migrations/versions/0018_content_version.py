"""The content version: one number (the sum of 16 rows, each raised by the transactions of some
database sessions) raised by every transaction that changes what public pages show, so that the
pages kept for anonymous visitors are built again

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-27 21:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'content_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('value', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_content_version')),
    )
    op.bulk_insert(table, [{'id': slot, 'value': 0} for slot in range(16)])  # SLOTS in content_version.py


def downgrade():
    op.drop_table('content_version')
