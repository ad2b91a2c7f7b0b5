"""Short portal searches (1–2 characters, the usual kind in Chinese) no longer scan: an index of each disclosure
item's characters and character pairs.

A trigram index (0023) cannot answer a query shorter than three characters. This one holds, per item, the distinct
lower-cased single characters and pairs of adjacent characters of its title and of its document number (each on its
own: no pair spans the two). A short query's lower-cased text is one of them exactly when the item contains it, so the
index gives the candidates and the portal's LIKE/ILIKE decides (the result is exactly the substring match).

PostgreSQL: an IMMUTABLE SQL function disclosure_grams(text) → text[], a stored generated column search_grams =
disclosure_grams(title) || disclosure_grams(doc_number) and a GIN index on it, queried with `@>`
disclosure_query_grams(q) (lower() on both sides is PostgreSQL's, the one ILIKE applies). A stored column, not an
expression index: when a common word matches most items the planner walks the list index and filters, and the filter
must not recompute the function for every row (≈ 0.17 ms each: 176 ms for 1,000 rows; the stored array: 2 ms).
Adding the column rewrites the table once (≈ 30 s for 50,000 items on a loaded 2-core machine). SQLite: a side table (gram, item_id) kept in step by triggers, filled
from the existing rows (lower() folds ASCII only, as SQLite's LIKE does). Names are in app.disclosure.models.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06 08:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


POSTGRESQL_UPGRADE = (
    # every distinct substring of 1 or 2 characters of lower(t); '{}' for NULL or ''
    """CREATE FUNCTION disclosure_grams(t text) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT coalesce(array_agg(DISTINCT substr(l, i, n)), '{}')
        FROM lower(coalesce(t, '')) AS l, generate_series(1, char_length(l)) AS i, (VALUES (1), (2)) AS w(n)
        WHERE i + n - 1 <= char_length(l)
    $$""",
    # what an item containing q must have: lower(q) itself when it is 1–2 characters, else its pairs
    """CREATE FUNCTION disclosure_query_grams(q text) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE WHEN char_length(l) <= 2 THEN ARRAY[l]
                    ELSE ARRAY(SELECT DISTINCT substr(l, i, 2) FROM generate_series(1, char_length(l) - 1) AS i) END
        FROM lower(coalesce(q, '')) AS l
    $$""",
    "ALTER TABLE disclosure_item ADD COLUMN search_grams text[]"
    " GENERATED ALWAYS AS (disclosure_grams(title) || disclosure_grams(doc_number)) STORED",
    "CREATE INDEX ix_disclosure_item_grams ON disclosure_item USING gin (search_grams)",
)

# the grams of one text `v` of an item: positions from json_each over a JSON array of length(v) zeros
_GRAMS = """SELECT DISTINCT lower(substr(s.v, p.key + 1, w.n)), {id}
    FROM ({source}) AS s,
         json_each('[' || substr(replace(hex(zeroblob(length(s.v))), '00', '0,'), 1, 2 * length(s.v) - 1) || ']') AS p,
         (SELECT 1 AS n UNION ALL SELECT 2) AS w
    WHERE p.key + w.n <= length(s.v)"""
_NEW = _GRAMS.format(id="new.id", source="SELECT coalesce(new.title, '') AS v"
                                         " UNION ALL SELECT coalesce(new.doc_number, '')")
SQLITE_UPGRADE = (
    "CREATE TABLE disclosure_item_search_gram (gram TEXT NOT NULL, item_id INTEGER NOT NULL,"
    " PRIMARY KEY (gram, item_id)) WITHOUT ROWID",
    "CREATE INDEX disclosure_item_search_gram_item ON disclosure_item_search_gram (item_id)",
    "INSERT OR IGNORE INTO disclosure_item_search_gram (gram, item_id) "
    + _GRAMS.format(id="s.id", source="SELECT id, coalesce(title, '') AS v FROM disclosure_item"
                                      " UNION ALL SELECT id, coalesce(doc_number, '') FROM disclosure_item"),
    f"""CREATE TRIGGER disclosure_item_search_gram_insert AFTER INSERT ON disclosure_item BEGIN
        INSERT OR IGNORE INTO disclosure_item_search_gram (gram, item_id) {_NEW};
    END""",
    """CREATE TRIGGER disclosure_item_search_gram_delete AFTER DELETE ON disclosure_item BEGIN
        DELETE FROM disclosure_item_search_gram WHERE item_id = old.id;
    END""",
    f"""CREATE TRIGGER disclosure_item_search_gram_update AFTER UPDATE OF title, doc_number ON disclosure_item BEGIN
        DELETE FROM disclosure_item_search_gram WHERE item_id = old.id;
        INSERT OR IGNORE INTO disclosure_item_search_gram (gram, item_id) {_NEW};
    END""",
)


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        for statement in POSTGRESQL_UPGRADE:
            op.execute(statement)
    elif dialect == 'sqlite':
        for statement in SQLITE_UPGRADE:
            op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        op.execute('DROP INDEX ix_disclosure_item_grams')
        op.execute('ALTER TABLE disclosure_item DROP COLUMN search_grams')
        op.execute('DROP FUNCTION disclosure_query_grams(text)')
        op.execute('DROP FUNCTION disclosure_grams(text)')
    elif dialect == 'sqlite':
        for trigger in ('update', 'delete', 'insert'):
            op.execute(f'DROP TRIGGER disclosure_item_search_gram_{trigger}')
        op.execute('DROP TABLE disclosure_item_search_gram')
