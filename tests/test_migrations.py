"""The migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.extensions import db


def test_models_and_migrations_agree(app):
    with app.app_context(), db.engine.connect() as connection:
        options = app.extensions["migrate"].configure_args  # as `flask db migrate` compares (search index aside)
        context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                               "include_object": options["include_object"]})
        diff = compare_metadata(context, db.metadata)
    assert diff == []
