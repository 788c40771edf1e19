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


def test_upgrading_a_sqlite_database_keeps_the_rows_that_point_to_rebuilt_tables(new_database, tmp_path):
    """SQLite alters a table by copying it and dropping the old one; with foreign keys on, the drop
    would delete the rows of other tables that point to it (ON DELETE CASCADE). 0006 rebuilds `idea`:
    the links between ideas and needs, and the votes, must survive the upgrade."""
    from sqlalchemy import text

    app = make_test_app(new_database("sqlite", "rebuild"), tmp_path)
    with app.app_context():
        upgrade(revision="0005")
        now = "CURRENT_TIMESTAMP"
        with db.engine.begin() as connection:
            run = connection.execute
            run(text(f"INSERT INTO city (id, slug, name, region, role, created_at, updated_at) VALUES "
                     f"(1, 'torino', 'Torino', 'Piemonte', 'metropolitan', {now}, {now})"))
            run(text("INSERT INTO theme (id, slug, name_it, name_en, position) VALUES (1, 'casa', 'Casa', 'Housing', 1)"))
            run(text(f"INSERT INTO user_account (id, email, display_name, password_hash, role, active, "
                     f"session_token, created_at, updated_at) VALUES (1, 'a@example.it', 'A', 'h', 'resident', "
                     f"true, 't', {now}, {now})"))
            for post_id, kind in ((1, "need"), (2, "idea")):
                run(text(f"INSERT INTO post (id, kind, author_id, city_id, theme_id, title, slug, body_markdown, "
                         f"body_html, status, vote_count, comment_count, created_at, updated_at) VALUES ({post_id}, "
                         f"'{kind}', 1, 1, 1, 'T', 't', 'b', 'b', 'published', 0, 0, {now}, {now})"))
            run(text("INSERT INTO need (id) VALUES (1)"))
            run(text("INSERT INTO idea (id, summary, beneficiaries) VALUES (2, 's', 'b')"))
            run(text("INSERT INTO idea_need (idea_id, need_id) VALUES (2, 1)"))
        upgrade()
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT idea_id, need_id FROM idea_need")).all() == [(2, 1)]
            assert connection.execute(text("PRAGMA foreign_key_check")).all() == []
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1  # on again for the app
        db.engine.dispose()
