"""Statistics and full-process recording: facts beside each case (stage, outcome, rounds, source, decision, fine),
the problems found per art. 42 area, the annual work report draft, the 音像记录事项清单, and a covering index of
completed tasks for throughput figures.

Revision ID: 0022
Revises: 0020
Create Date: 2026-11-22 07:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'case_fact',
        sa.Column('case_id', sa.Integer(), sa.ForeignKey('workflow_case.id'), primary_key=True),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('process_id', sa.String(length=100), nullable=False),
        sa.Column('started_on', sa.Date(), nullable=False),
        sa.Column('closed_on', sa.Date(), nullable=True),
        sa.Column('year', sa.Integer(), nullable=True),
        sa.Column('draw_id', sa.Integer(), sa.ForeignKey('draw.id'), nullable=True),
        sa.Column('object_id', sa.Integer(), sa.ForeignKey('inspection_object.id'), nullable=True),
        sa.Column('planned_date', sa.Date(), nullable=True),
        sa.Column('team', sa.String(length=500), nullable=False),
        sa.Column('stage', sa.String(length=20), nullable=False),
        sa.Column('checked_on', sa.Date(), nullable=True),
        sa.Column('outcome', sa.String(length=20), nullable=True),
        sa.Column('rect_rounds', sa.Integer(), nullable=False),
        sa.Column('rect_started_on', sa.Date(), nullable=True),
        sa.Column('rectified_on', sa.Date(), nullable=True),
        sa.Column('rect_days', sa.Integer(), nullable=True),
        sa.Column('transferred_case_id', sa.Integer(), nullable=True),
        sa.Column('source', sa.String(length=20), nullable=True),
        sa.Column('decision', sa.String(length=20), nullable=True),
        sa.Column('fine_amount', sa.Numeric(14, 2), nullable=True),
        sa.Column('decided_on', sa.Date(), nullable=True),
        sa.Column('inspection_case_id', sa.Integer(), nullable=True),
        sa.Column('bureau_id', sa.Integer(), sa.ForeignKey('bureau.id'), nullable=False),
    )
    op.create_index('ix_case_fact_bureau_id', 'case_fact', ['bureau_id'])
    op.create_index('ix_case_fact_board', 'case_fact', ['bureau_id', 'kind', 'year', 'planned_date', 'case_id'])
    op.create_index('ix_case_fact_started', 'case_fact', ['bureau_id', 'kind', 'started_on'])
    op.create_index('ix_case_fact_inspection_case', 'case_fact', ['inspection_case_id'])

    op.create_table(
        'case_problem',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('case_id', sa.Integer(), sa.ForeignKey('workflow_case.id'), nullable=False),
        sa.Column('area', sa.String(length=30), nullable=False),
        sa.Column('found_on', sa.Date(), nullable=False),
        sa.Column('bureau_id', sa.Integer(), sa.ForeignKey('bureau.id'), nullable=False),
    )
    op.create_index('ix_case_problem_bureau_id', 'case_problem', ['bureau_id'])
    op.create_index('ix_case_problem_case_id', 'case_problem', ['case_id'])
    op.create_index('ix_case_problem_found', 'case_problem', ['bureau_id', 'found_on', 'area'])

    op.create_table(
        'annual_report',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('sections', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('document_id', sa.Integer(), sa.ForeignKey('document.id'), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), sa.ForeignKey('user_account.id'), nullable=True),
        sa.Column('bureau_id', sa.Integer(), sa.ForeignKey('bureau.id'), nullable=False),
    )
    op.create_index('ix_annual_report_bureau_id', 'annual_report', ['bureau_id'])
    op.create_index('uq_annual_report_bureau_year', 'annual_report', ['bureau_id', 'year'], unique=True)

    op.create_table(
        'recording_item',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('process_id', sa.String(length=100), nullable=False),
        sa.Column('element_id', sa.String(length=100), nullable=False),
        sa.Column('step_name', sa.String(length=200), nullable=False),
        sa.Column('method', sa.String(length=20), nullable=False),
        sa.Column('recorder', sa.String(length=200), nullable=False),
        sa.Column('note', sa.String(length=500), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), sa.ForeignKey('user_account.id'), nullable=True),
        sa.Column('bureau_id', sa.Integer(), sa.ForeignKey('bureau.id'), nullable=False),
        sa.UniqueConstraint('bureau_id', 'process_id', 'element_id', name='uq_recording_item_step'),
    )
    op.create_index('ix_recording_item_bureau_id', 'recording_item', ['bureau_id'])

    op.create_index('ix_task_completed', 'task', ['completed_at', 'bureau_id', 'role', 'completed_by_id', 'due_at'])


def downgrade():
    op.drop_index('ix_task_completed', table_name='task')
    op.drop_table('recording_item')
    op.drop_table('annual_report')
    op.drop_table('case_problem')
    op.drop_table('case_fact')
