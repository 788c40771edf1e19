"""The migrations are the schema: applied to an empty database they build exactly the models."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from civic.core.models import render_migration_item
from civic.extensions import db
from tests.conftest import POSTGRES_URL, make_test_app

BACKENDS = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_migrations_build_exactly_the_models_schema(backend, new_database, tmp_path):
    app = make_test_app(new_database(backend, "migrations"), tmp_path)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={"compare_type": True, "render_item": render_migration_item},
            )
            diff = compare_metadata(context, db.metadata)
        assert diff == [], f"the models and the migrations differ: {diff}"

        # Autogenerate does not compare CHECK constraints: compare their names (and on SQLite their text).
        inspector = inspect(db.engine)
        for table in db.metadata.sorted_tables:
            in_models = {c.name: str(c.sqltext) for c in table.constraints if c.__class__.__name__ == "CheckConstraint"}
            in_db = {c["name"]: c["sqltext"] for c in inspector.get_check_constraints(table.name)}
            assert set(in_db) == set(in_models), f"CHECK constraints of {table.name} differ"
            if backend == "sqlite":
                assert in_db == in_models, f"CHECK constraints of {table.name} differ: {in_db} != {in_models}"

        tables = set(inspect(db.engine).get_table_names())
        assert {"user_account", "city", "neighbourhood", "moderator_city", "alembic_version"} <= tables

        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        db.engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_database_constraints_hold_without_the_application(backend, new_database, tmp_path):
    """One account per email and known roles are enforced by the database itself."""
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    app = make_test_app(new_database(backend, "constraints"), tmp_path)
    with app.app_context():
        upgrade()
        insert = text("INSERT INTO user_account (email, display_name, password_hash, role, active, session_token, "
                      "created_at, updated_at) VALUES (:email, 'X', 'h', :role, true, 't', "
                      "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")
        with db.engine.begin() as connection:
            connection.execute(insert, {"email": "a@example.it", "role": "resident"})
        for values in ({"email": "a@example.it", "role": "resident"}, {"email": "b@example.it", "role": "emperor"}):
            with pytest.raises(IntegrityError), db.engine.begin() as connection:
                connection.execute(insert, values)
        db.engine.dispose()
