"""notice delivery: claims, hand-over record, retry time, digest preference, holidays

Revision ID: 0004notices
Revises: 940f92928b2e
Create Date: 2026-11-26 05:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0004notices'
down_revision = '940f92928b2e'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notice_delivery', sa.String(length=10), nullable=False,
                                      server_default='immediate'))
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claim_token', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('handed_over_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(), nullable=True))
        batch_op.create_index('ix_notices_recipient_read', ['recipient_id', 'read_at'], unique=False)
    op.create_table('holidays',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_holidays')),
    sa.UniqueConstraint('day', name=op.f('uq_holidays_day'))
    )


def downgrade():
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): a batch copy of `users` would trip the
    # foreign keys that point at it.
    op.drop_table('holidays')
    op.drop_index('ix_notices_recipient_read', table_name='notices')
    for column in ('next_attempt_at', 'handed_over_at', 'claim_token'):
        op.drop_column('notices', column)
    op.drop_column('users', 'notice_delivery')
