"""Bureaus as a tree (city → counties): every bureau-owned table gains `bureau_id`; users belong to one bureau;
supervised cases (挂牌督办) and their progress reports.

Existing single-bureau data moves into bureau 1, created from AGENCY_NAME / AGENCY_SHORT_NAME, with no loss:
columns are added nullable, back-filled, then made NOT NULL; unique keys become per bureau
(credit code, certificate number, expert and item codes, tier name, calendar day, document number and counter).
Audit events keep their hashes: their new `bureau_id` stays empty for events written before this migration
(the viewer counts them as bureau 1's) because the audit table refuses UPDATE.

Revision ID: 0015
Revises: 0019
Create Date: 2026-11-22 04:16:49.504402

"""
import os

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0019'
branch_labels = None
depends_on = None

# table → unique constraints that become per bureau: (old name, old columns, new name)
OWNED = {
    'tier': [('uq_tier_name', ['name'], 'uq_tier_bureau_name')],
    'inspection_object': [('uq_inspection_object_credit_code', ['credit_code'],
                           'uq_inspection_object_bureau_credit_code')],
    'inspection_result': [],
    'officer': [('uq_officer_certificate_no', ['certificate_no'], 'uq_officer_bureau_certificate_no')],
    'expert': [('uq_expert_code', ['code'], 'uq_expert_bureau_code')],
    'conflict_of_interest': [],
    'inspection_item': [('uq_inspection_item_code', ['code'], 'uq_inspection_item_bureau_code')],
    'enforcement_item': [('uq_enforcement_item_code', ['code'], 'uq_enforcement_item_bureau_code')],
    'calendar_override': [('uq_calendar_override_day', ['day'], 'uq_calendar_override_bureau_day')],
    'workflow_case': [],
    'task': [],
    'legal_review': [],
    'attachment': [],
    'document': [('uq_document_number_version', ['doc_type', 'year', 'seq', 'version', 'trial'],
                  'uq_document_number_version')],
    'draw': [('uq_draw_slot', ['slot'], 'uq_draw_bureau_slot')],
    # tables of the wave-1 branches
    'case_file': [],
    'resumable_upload': [],
    'delegation': [],
    'bureau_settings': [],
    'user_account': [],
}


def _agency_names():
    """The first bureau's names: the app's configuration when run by `flask db upgrade`, else the environment."""
    try:
        from flask import current_app

        return current_app.config["AGENCY_NAME"], current_app.config["AGENCY_SHORT_NAME"]
    except (ImportError, RuntimeError, KeyError):
        return os.environ.get("AGENCY_NAME") or "示例市档案局", os.environ.get("AGENCY_SHORT_NAME") or "示档"


def _sqlite_foreign_keys(on):
    """SQLite rebuilds tables to change constraints; foreign keys are off meanwhile (the pragma needs no transaction)."""
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        return
    if on:
        problems = bind.exec_driver_sql('PRAGMA foreign_key_check').fetchall()
        if problems:
            raise RuntimeError(f'foreign key problems after the bureau migration: {problems[:5]}')
    bind.exec_driver_sql('COMMIT')
    bind.exec_driver_sql(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    bind.exec_driver_sql('BEGIN')


def upgrade():
    op.create_table('bureau',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('short_name', sa.String(length=20), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['bureau.id'], name=op.f('fk_bureau_parent_id_bureau')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bureau')),
    sa.UniqueConstraint('name', name=op.f('uq_bureau_name'))
    )
    with op.batch_alter_table('bureau', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bureau_parent_id'), ['parent_id'], unique=False)
    name, short_name = _agency_names()
    bureau = sa.table('bureau', sa.column('id', sa.Integer), sa.column('parent_id', sa.Integer),
                      sa.column('name', sa.String), sa.column('short_name', sa.String),
                      sa.column('level', sa.String), sa.column('active', sa.Boolean),
                      sa.column('created_at', sa.DateTime))
    from datetime import datetime, timezone

    op.bulk_insert(bureau, [{'id': 1, 'parent_id': None, 'name': name, 'short_name': short_name, 'level': 'city',
                             'active': True, 'created_at': datetime.now(timezone.utc).replace(tzinfo=None)}])
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("SELECT setval(pg_get_serial_sequence('bureau', 'id'), 1)")

    _sqlite_foreign_keys(False)
    for table, uniques in OWNED.items():
        op.add_column(table, sa.Column('bureau_id', sa.Integer(), nullable=True))
        op.execute(sa.text(f'UPDATE {table} SET bureau_id = 1'))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('bureau_id', existing_type=sa.Integer(), nullable=False)
            for old_name, _columns, _new_name in uniques:
                batch_op.drop_constraint(old_name, type_='unique')
            batch_op.create_index(f'ix_{table}_bureau_id', ['bureau_id'], unique=False)
            for _old_name, columns, new_name in uniques:
                batch_op.create_unique_constraint(new_name, ['bureau_id', *columns])
            batch_op.create_foreign_key(f'fk_{table}_bureau_id_bureau', 'bureau', ['bureau_id'], ['id'])

    # One settings row per bureau (the single row so far becomes bureau 1's).
    with op.batch_alter_table('bureau_settings', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_bureau_settings_bureau_id', ['bureau_id'])

    # The number counters: the bureau joins the primary key (rows are few; rebuilt with their values).
    counters = op.get_bind().execute(sa.text('SELECT doc_type, year, last_seq FROM document_counter')).fetchall()
    op.drop_table('document_counter')
    counter = op.create_table('document_counter',
    sa.Column('bureau_id', sa.Integer(), nullable=False),
    sa.Column('doc_type', sa.String(length=40), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_seq', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['bureau_id'], ['bureau.id'], name=op.f('fk_document_counter_bureau_id_bureau')),
    sa.PrimaryKeyConstraint('bureau_id', 'doc_type', 'year', name=op.f('pk_document_counter'))
    )
    if counters:
        op.bulk_insert(counter, [{'bureau_id': 1, 'doc_type': r[0], 'year': r[1], 'last_seq': r[2]}
                                 for r in counters])

    with op.batch_alter_table('process_definition', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bureau_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_process_definition_bureau_id'), ['bureau_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_process_definition_bureau_id_bureau'), 'bureau', ['bureau_id'], ['id'])
    _sqlite_foreign_keys(True)

    # Not a batch: SQLite would rebuild the audit table and lose its append-only triggers.
    op.add_column('audit_event', sa.Column('bureau_id', sa.Integer(), nullable=True))
    op.create_index('ix_audit_event_bureau_id', 'audit_event', ['bureau_id'], unique=False)

    op.create_table('case_supervision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('supervising_bureau_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('report_every_days', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('lifted_by_id', sa.Integer(), nullable=True),
    sa.Column('lifted_at', sa.DateTime(), nullable=True),
    sa.Column('lift_reason', sa.Text(), nullable=True),
    sa.Column('bureau_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['bureau_id'], ['bureau.id'], name=op.f('fk_case_supervision_bureau_id_bureau')),
    sa.ForeignKeyConstraint(['case_id'], ['workflow_case.id'], name=op.f('fk_case_supervision_case_id_workflow_case')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_case_supervision_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['lifted_by_id'], ['user_account.id'], name=op.f('fk_case_supervision_lifted_by_id_user_account')),
    sa.ForeignKeyConstraint(['supervising_bureau_id'], ['bureau.id'], name=op.f('fk_case_supervision_supervising_bureau_id_bureau')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_supervision'))
    )
    with op.batch_alter_table('case_supervision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_supervision_bureau_id'), ['bureau_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_supervision_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_supervision_supervising_bureau_id'), ['supervising_bureau_id'], unique=False)

    op.create_table('supervision_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('supervision_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('progress', sa.Text(), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('escalated_at', sa.DateTime(), nullable=True),
    sa.Column('bureau_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['bureau_id'], ['bureau.id'], name=op.f('fk_supervision_report_bureau_id_bureau')),
    sa.ForeignKeyConstraint(['case_id'], ['workflow_case.id'], name=op.f('fk_supervision_report_case_id_workflow_case')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user_account.id'], name=op.f('fk_supervision_report_submitted_by_id_user_account')),
    sa.ForeignKeyConstraint(['supervision_id'], ['case_supervision.id'], name=op.f('fk_supervision_report_supervision_id_case_supervision')),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], name=op.f('fk_supervision_report_task_id_task')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_report'))
    )
    with op.batch_alter_table('supervision_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervision_report_bureau_id'), ['bureau_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_supervision_report_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_supervision_report_supervision_id'), ['supervision_id'], unique=False)


def downgrade():
    op.drop_index('ix_audit_event_bureau_id', table_name='audit_event')
    _drop_audit_column()
    op.drop_table('supervision_report')
    op.drop_table('case_supervision')
    _sqlite_foreign_keys(False)
    with op.batch_alter_table('process_definition', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_process_definition_bureau_id_bureau'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_process_definition_bureau_id'))
        batch_op.drop_column('bureau_id')
    counters = op.get_bind().execute(sa.text(
        'SELECT doc_type, year, MAX(last_seq) FROM document_counter GROUP BY doc_type, year')).fetchall()
    op.drop_table('document_counter')
    counter = op.create_table('document_counter',
    sa.Column('doc_type', sa.String(length=40), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_seq', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('doc_type', 'year', name=op.f('pk_document_counter'))
    )
    if counters:
        op.bulk_insert(counter, [{'doc_type': r[0], 'year': r[1], 'last_seq': r[2]} for r in counters])
    with op.batch_alter_table('bureau_settings', schema=None) as batch_op:
        batch_op.drop_constraint('uq_bureau_settings_bureau_id', type_='unique')
    for table, uniques in OWNED.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f'fk_{table}_bureau_id_bureau', type_='foreignkey')
            for _old_name, _columns, new_name in uniques:
                batch_op.drop_constraint(new_name, type_='unique')
            batch_op.drop_index(f'ix_{table}_bureau_id')
            for old_name, columns, _new_name in uniques:
                batch_op.create_unique_constraint(old_name, columns)
            batch_op.drop_column('bureau_id')
    _sqlite_foreign_keys(True)
    op.drop_table('bureau')


def _drop_audit_column():
    """PostgreSQL drops the column in place; SQLite (3.35+) too, without rebuilding the table and its triggers."""
    op.execute(sa.text('ALTER TABLE audit_event DROP COLUMN bureau_id'))
