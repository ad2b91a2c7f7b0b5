"""Trial cases on drafts: marked cases, and documents numbered apart from the real ones.

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-22 04:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('workflow_case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('trial', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('trial_hash', sa.String(length=64), nullable=True))

    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('trial', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.drop_constraint('uq_document_number_version', type_='unique')
        batch_op.create_unique_constraint('uq_document_number_version', ['doc_type', 'year', 'seq', 'version', 'trial'])


def downgrade():
    op.execute("DELETE FROM document WHERE trial = true")  # trial numbers would collide with real ones
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_constraint('uq_document_number_version', type_='unique')
        batch_op.create_unique_constraint('uq_document_number_version', ['doc_type', 'year', 'seq', 'version'])
        batch_op.drop_column('trial')

    with op.batch_alter_table('workflow_case', schema=None) as batch_op:
        batch_op.drop_column('trial_hash')
        batch_op.drop_column('trial')
