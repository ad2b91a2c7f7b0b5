"""Statistics at speed: completed tasks per UTC day, office and person (`task_day`, kept by triggers on `task` and
backfilled here), an index of the trial cases, open tasks indexed with their office, bureau and name, completed
tasks by form.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 07:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None

COUNTED = "{row}.state = 'completed' AND {row}.completed_at IS NOT NULL " \
          "AND NOT EXISTS (SELECT 1 FROM workflow_case WHERE workflow_case.id = {row}.case_id AND workflow_case.trial)"
LATE = "CASE WHEN {row}.completed_at > {row}.due_at THEN 1 ELSE 0 END"
# one task counted once more (sign +1) or once less (-1) on its row of task_day
PG_ADD = """INSERT INTO task_day (bureau_id, day, role, person_id, done, late)
    VALUES ({row}.bureau_id, CAST({row}.completed_at AS DATE), {row}.role, coalesce({row}.completed_by_id, 0),
            {sign}, {sign} * {late})
    ON CONFLICT (bureau_id, day, role, person_id)
    DO UPDATE SET done = task_day.done + EXCLUDED.done, late = task_day.late + EXCLUDED.late;"""
SQLITE_ADD = """INSERT INTO task_day (bureau_id, day, role, person_id, done, late)
    SELECT {row}.bureau_id, date({row}.completed_at), {row}.role, coalesce({row}.completed_by_id, 0),
           {sign}, {sign} * {late} WHERE {counted}
    ON CONFLICT (bureau_id, day, role, person_id)
    DO UPDATE SET done = done + excluded.done, late = late + excluded.late;"""
WATCHED = "state, completed_at, completed_by_id, due_at, role, bureau_id, case_id"


def _sqlite_add(row, sign):
    return SQLITE_ADD.format(row=row, sign=sign, late=LATE.format(row=row), counted=COUNTED.format(row=row))


def upgrade():
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_open_due')
        batch_op.create_index('ix_task_open_due', ['state', 'due_at', 'case_id', 'role', 'bureau_id', 'name'])
        batch_op.create_index('ix_task_form_completed', ['form_key', 'state', 'completed_at'])
    op.create_index('ix_workflow_case_trial', 'workflow_case', ['id'], postgresql_where=sa.text('trial IS true'),
                    sqlite_where=sa.text('trial IS 1'))

    op.create_table(
        'task_day',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('role', sa.String(length=32), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('done', sa.Integer(), nullable=False),
        sa.Column('late', sa.Integer(), nullable=False),
        sa.Column('bureau_id', sa.Integer(), sa.ForeignKey('bureau.id'), nullable=False),
    )
    op.create_index('ix_task_day_bureau_id', 'task_day', ['bureau_id'])
    op.create_index('uq_task_day', 'task_day', ['bureau_id', 'day', 'role', 'person_id'], unique=True)
    op.execute(f"""INSERT INTO task_day (bureau_id, day, role, person_id, done, late)
        SELECT task.bureau_id, date(task.completed_at), task.role, coalesce(task.completed_by_id, 0), count(*),
               sum({LATE.format(row='task')})
        FROM task WHERE {COUNTED.format(row='task')}
        GROUP BY task.bureau_id, date(task.completed_at), task.role, coalesce(task.completed_by_id, 0)""")

    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION task_day_count() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP IN ('UPDATE', 'DELETE') THEN
                    IF {COUNTED.format(row='OLD')} THEN
                        {PG_ADD.format(row='OLD', sign=-1, late=LATE.format(row='OLD'))}
                    END IF;
                END IF;
                IF TG_OP IN ('INSERT', 'UPDATE') THEN
                    IF {COUNTED.format(row='NEW')} THEN
                        {PG_ADD.format(row='NEW', sign=1, late=LATE.format(row='NEW'))}
                    END IF;
                END IF;
                RETURN NULL;
            END $$""")
        op.execute(f"CREATE TRIGGER task_day_count AFTER INSERT OR DELETE OR UPDATE OF {WATCHED} ON task "
                   "FOR EACH ROW EXECUTE FUNCTION task_day_count()")
    else:
        op.execute(f"CREATE TRIGGER task_day_insert AFTER INSERT ON task BEGIN {_sqlite_add('NEW', 1)} END")
        op.execute(f"CREATE TRIGGER task_day_update AFTER UPDATE OF {WATCHED} ON task "
                   f"BEGIN {_sqlite_add('OLD', -1)} {_sqlite_add('NEW', 1)} END")
        op.execute(f"CREATE TRIGGER task_day_delete AFTER DELETE ON task BEGIN {_sqlite_add('OLD', -1)} END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS task_day_count ON task")
        op.execute("DROP FUNCTION IF EXISTS task_day_count()")
    else:
        for name in ("task_day_insert", "task_day_update", "task_day_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index('uq_task_day', table_name='task_day')
    op.drop_index('ix_task_day_bureau_id', table_name='task_day')
    op.drop_table('task_day')
    op.drop_index('ix_workflow_case_trial', table_name='workflow_case')
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_form_completed')
        batch_op.drop_index('ix_task_open_due')
        batch_op.create_index('ix_task_open_due', ['state', 'due_at', 'case_id'])
