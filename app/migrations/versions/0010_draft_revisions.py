"""Draft versions: the version a draft was copied from, an edit counter (optimistic concurrency), last editor.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22 04:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('process_definition', schema=None) as batch_op:
        batch_op.add_column(sa.Column('based_on_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('revision', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('updated_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_process_definition_based_on_id_process_definition'),
                                    'process_definition', ['based_on_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_process_definition_updated_by_id_user_account'),
                                    'user_account', ['updated_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('process_definition', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_process_definition_updated_by_id_user_account'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_process_definition_based_on_id_process_definition'),
                                 type_='foreignkey')
        batch_op.drop_column('updated_by_id')
        batch_op.drop_column('updated_at')
        batch_op.drop_column('revision')
        batch_op.drop_column('based_on_id')
