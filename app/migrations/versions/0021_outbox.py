"""Outbox of events pushed to the city's disclosure platform, with per-item sequence counters.

Revision ID: 0021
Revises: 0015
Create Date: 2026-11-22 07:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'outbox_event',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.Column('event_id', sa.String(length=36), nullable=False),
        sa.Column('topic', sa.String(length=40), nullable=False),
        sa.Column('item_key', sa.String(length=200), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('event_type', sa.String(length=40), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
        sa.Column('claimed_by', sa.String(length=100), nullable=True),
        sa.Column('claimed_until', sa.DateTime(), nullable=True),
        sa.Column('last_attempt_at', sa.DateTime(), nullable=True),
        sa.Column('last_status', sa.Integer(), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('delivered_at', sa.DateTime(), nullable=True),
        sa.Column('bureau_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['bureau_id'], ['bureau.id'], name=op.f('fk_outbox_event_bureau_id_bureau')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_event')),
        sa.UniqueConstraint('event_id', name=op.f('uq_outbox_event_event_id')),
        sa.UniqueConstraint('topic', 'item_key', 'seq', name='uq_outbox_event_item_seq'),
    )
    with op.batch_alter_table('outbox_event', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_event_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index('ix_outbox_event_topic', ['topic', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_event_bureau_id'), ['bureau_id'], unique=False)

    op.create_table(
        'outbox_item_counter',
        sa.Column('topic', sa.String(length=40), nullable=False),
        sa.Column('item_key', sa.String(length=200), nullable=False),
        sa.Column('last_seq', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('topic', 'item_key', name=op.f('pk_outbox_item_counter')),
    )


def downgrade():
    op.drop_table('outbox_item_counter')
    with op.batch_alter_table('outbox_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_event_bureau_id'))
        batch_op.drop_index('ix_outbox_event_topic')
        batch_op.drop_index('ix_outbox_event_due')
    op.drop_table('outbox_event')
