"""Case lists at 100,000 cases (party column, list indexes, open-task due and completer indexes) and case files.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-22 04:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('workflow_case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('party', sa.String(length=200), nullable=True))
        batch_op.create_index('ix_workflow_case_created', ['created_at', 'id'], unique=False)
        batch_op.create_index('ix_workflow_case_status_created', ['status', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_workflow_case_definition', ['definition_id', 'created_at'], unique=False)
        batch_op.create_index('ix_workflow_case_party', ['party'], unique=False)
        batch_op.create_index('ix_workflow_case_subject', ['subject'], unique=False)
        batch_op.create_index('ix_workflow_case_updated', ['updated_at', 'id'], unique=False)
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.create_index('ix_task_open_due', ['state', 'due_at', 'case_id'], unique=False)
        batch_op.create_index('ix_task_completed_by', ['completed_by_id', 'case_id'], unique=False)
    op.create_table('case_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=100), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('folder', sa.String(length=255), nullable=False),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=True),
    sa.Column('zip_sha256', sa.String(length=64), nullable=True),
    sa.Column('pages', sa.Integer(), nullable=True),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['workflow_case.id'], name=op.f('fk_case_file_case_id_workflow_case')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'], name=op.f('fk_case_file_requested_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_file'))
    )
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_file_case_id'), ['case_id'], unique=False)


def downgrade():
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_file_case_id'))
    op.drop_table('case_file')
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_completed_by')
        batch_op.drop_index('ix_task_open_due')
    with op.batch_alter_table('workflow_case', schema=None) as batch_op:
        batch_op.drop_index('ix_workflow_case_updated')
        batch_op.drop_index('ix_workflow_case_subject')
        batch_op.drop_index('ix_workflow_case_party')
        batch_op.drop_index('ix_workflow_case_definition')
        batch_op.drop_index('ix_workflow_case_status_created')
        batch_op.drop_index('ix_workflow_case_created')
        batch_op.drop_column('party')
