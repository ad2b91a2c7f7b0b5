"""Draws: one per year and scope (slot), failed attempts, cancellation.

Revision ID: 0016
Revises: 0012
Create Date: 2026-11-22 04:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0012'
branch_labels = None
depends_on = None

LIVE = ("prepared", "failed", "drawn", "redraw_requested", "confirmed")


def upgrade():
    with op.batch_alter_table('draw', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope', sa.String(length=20), server_default='annual', nullable=False))
        batch_op.add_column(sa.Column('slot', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('attempts', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('cancel_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('cancelled_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_draw_slot'), ['slot'])
        batch_op.create_foreign_key(batch_op.f('fk_draw_cancelled_by_id_user_account'), 'user_account',
                                    ['cancelled_by_id'], ['id'])
    # Existing records: the confirmed (else the newest) live draw of each year holds that year's slot.
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, year, status FROM draw ORDER BY id DESC")).all()
    taken = {}
    for row in sorted(rows, key=lambda r: (r.status != "confirmed", -r.id)):
        if row.status in LIVE and row.year not in taken:
            taken[row.year] = row.id
    for year, draw_id in taken.items():
        connection.execute(sa.text("UPDATE draw SET slot = :slot WHERE id = :id"),
                           {"slot": f"{year}:annual", "id": draw_id})


def downgrade():
    with op.batch_alter_table('draw', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_draw_cancelled_by_id_user_account'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_draw_slot'), type_='unique')
        batch_op.drop_column('cancelled_at')
        batch_op.drop_column('cancelled_by_id')
        batch_op.drop_column('cancel_reason')
        batch_op.drop_column('attempts')
        batch_op.drop_column('slot')
        batch_op.drop_column('scope')
