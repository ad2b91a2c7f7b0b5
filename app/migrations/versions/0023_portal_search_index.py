"""The portal's search index: the text search over disclosure items' title and document number no longer scans.

PostgreSQL: the pg_trgm extension (trusted since PostgreSQL 13: the database owner may create it) and a GIN trigram
index on each searched column, which serve `ILIKE '%…%'`. SQLite: an FTS5 table with the trigram tokenizer over the
same columns (external content: it stores only the index), kept in step by triggers, filled from the existing rows.
Names are in app.disclosure.models (SEARCH_TABLE, SEARCH_INDEXES), which Alembic's comparison leaves aside.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 07:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


SQLITE_UPGRADE = (
    "CREATE VIRTUAL TABLE disclosure_item_search USING fts5("
    "title, doc_number, content='disclosure_item', content_rowid='id', tokenize='trigram')",
    "INSERT INTO disclosure_item_search(disclosure_item_search) VALUES ('rebuild')",
    """CREATE TRIGGER disclosure_item_search_insert AFTER INSERT ON disclosure_item BEGIN
        INSERT INTO disclosure_item_search(rowid, title, doc_number) VALUES (new.id, new.title, new.doc_number);
    END""",
    """CREATE TRIGGER disclosure_item_search_delete AFTER DELETE ON disclosure_item BEGIN
        INSERT INTO disclosure_item_search(disclosure_item_search, rowid, title, doc_number)
        VALUES ('delete', old.id, old.title, old.doc_number);
    END""",
    """CREATE TRIGGER disclosure_item_search_update AFTER UPDATE OF title, doc_number ON disclosure_item BEGIN
        INSERT INTO disclosure_item_search(disclosure_item_search, rowid, title, doc_number)
        VALUES ('delete', old.id, old.title, old.doc_number);
        INSERT INTO disclosure_item_search(rowid, title, doc_number) VALUES (new.id, new.title, new.doc_number);
    END""",
)


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        op.create_index('ix_disclosure_item_title_trgm', 'disclosure_item', ['title'], postgresql_using='gin',
                        postgresql_ops={'title': 'gin_trgm_ops'})
        op.create_index('ix_disclosure_item_doc_number_trgm', 'disclosure_item', ['doc_number'],
                        postgresql_using='gin', postgresql_ops={'doc_number': 'gin_trgm_ops'})
    elif dialect == 'sqlite':
        for statement in SQLITE_UPGRADE:
            op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        op.drop_index('ix_disclosure_item_doc_number_trgm', table_name='disclosure_item')
        op.drop_index('ix_disclosure_item_title_trgm', table_name='disclosure_item')
        # pg_trgm stays: other objects may use it, and an unused trusted extension costs nothing.
    elif dialect == 'sqlite':
        for trigger in ('update', 'delete', 'insert'):
            op.execute(f'DROP TRIGGER disclosure_item_search_{trigger}')
        op.execute('DROP TABLE disclosure_item_search')
