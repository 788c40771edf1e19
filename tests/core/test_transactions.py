"""A read-only transaction ends with COMMIT on PostgreSQL (civic/core/transactions.py), so psycopg keeps
its prepared statements; one that wrote anything is still rolled back."""
from __future__ import annotations

import pytest
from sqlalchemy import select, text

from civic.core.transactions import reads_only
from civic.extensions import db
from civic.territories.models import City


def _prepared(connection) -> int:
    return connection.scalar(text("SELECT count(*) FROM pg_prepared_statements"))


def _postgres_only() -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("psycopg's prepared statements: PostgreSQL only")


def test_reads_after_a_rollback_keep_their_prepared_statements(app, make_city):
    make_city("Torino")
    with app.app_context():
        _postgres_only()
        with db.engine.connect() as connection:
            for _ in range(8):  # psycopg prepares a statement at its fifth run
                assert connection.scalar(select(City.name)) == "Torino"
                connection.rollback()
            assert _prepared(connection) >= 1


def test_a_transaction_that_wrote_is_still_rolled_back(app, make_city):
    city = make_city("Torino")
    with app.app_context():
        _postgres_only()
        for statement in (f"UPDATE city SET name = 'Milano' WHERE id = {city.id}",
                          f"WITH renamed AS (UPDATE city SET name = 'Milano' WHERE id = {city.id} RETURNING id) "
                          "SELECT id FROM renamed"):
            with db.engine.connect() as connection:
                connection.execute(text(statement))
                connection.rollback()
                assert connection.scalar(select(City.name).where(City.id == city.id)) == "Torino"
                connection.rollback()


def test_a_failed_read_is_rolled_back(app, make_city):
    make_city("Torino")
    with app.app_context():
        _postgres_only()
        with db.engine.connect() as connection:
            with pytest.raises(Exception, match="division by zero"):
                connection.execute(text("SELECT 1 / 0"))
            connection.rollback()
            assert connection.scalar(select(City.name)) == "Torino"


def test_requests_that_read_leave_the_statements_prepared(app, client, make_city):
    make_city("Torino")
    with app.app_context():
        _postgres_only()
    for _ in range(8):
        assert client.get("/cities/").status_code == 200
    with app.app_context():
        # The requests ran one after the other on the pool's one connection, which this one is.
        with db.engine.connect() as connection:
            assert _prepared(connection) >= 1


@pytest.mark.parametrize(("statement", "expected"), [
    ("SELECT 1", True),
    ("  select id from city", True),
    ("WITH t AS (SELECT 1) SELECT * FROM t", True),
    ("WITH t AS (DELETE FROM city RETURNING id) SELECT * FROM t", False),
    ("UPDATE city SET name = 'x'", False),
    ("INSERT INTO city (name) VALUES ('x')", False),
    ("SAVEPOINT sa_savepoint_1", False),
    ("SET LOCAL statement_timeout = 1000", False),
])
def test_what_counts_as_a_read(statement, expected):
    assert reads_only(statement) is expected
