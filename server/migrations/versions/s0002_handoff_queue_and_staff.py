"""handoff queue columns and staff accounts

Revision ID: s0002
Revises: s0001
"""
from alembic import op
import sqlalchemy as sa


revision = 's0002'
down_revision = 's0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handoff_trigger', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('priority_base', sa.Float(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('queued_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table('staff_accounts',
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('store_id', sa.String(length=64), nullable=True),
    sa.Column('password_hash', sa.String(length=256), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False, server_default=sa.true()),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )


def downgrade() -> None:
    op.drop_table('staff_accounts')
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        for col in ('ended_at', 'claimed_at', 'queued_at', 'priority_base', 'handoff_trigger'):
            batch_op.drop_column(col)
