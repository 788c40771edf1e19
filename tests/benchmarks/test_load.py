"""The load benchmark's own pieces on a small PostgreSQL database: gunicorn started as bench/load.py starts
it, the race of 64 identical votes through it, the SQL statements per request, and (with wrk installed)
a short wrk run parsed into figures. The full load is not run here: its figures depend on the machine."""
from __future__ import annotations

import os
import shutil
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench import load

POSTGRES_URL = os.environ.get("CIVIC_TEST_POSTGRES_URL")
PASSWORD = "bench-password"

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="CIVIC_TEST_POSTGRES_URL is not set")


@pytest.fixture(scope="module")
def filled_database():
    """A database of its own filled by bench.populate at a tiny scale, dropped at the end."""
    from bench.populate import populate

    server = make_url(POSTGRES_URL).set(drivername="postgresql+psycopg")
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    name = f"civic_test_load_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001
        admin.dispose()
        pytest.skip(f"PostgreSQL at {POSTGRES_URL} is unreachable: {error}")
    url = server.set(database=name).render_as_string(hide_password=False)
    try:
        yield url, populate(url, scale=0.005, seed=7, password=PASSWORD, progress=lambda *_: None)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module")
def app(filled_database, tmp_path_factory):
    url, _populated = filled_database
    app = load.make_app(url, tmp_path_factory.mktemp("load-instance"))
    yield app
    from civic.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def targets(app, filled_database):
    return load.choose_targets(app, filled_database[1], voters=5)


@pytest.fixture(scope="module")
def server(filled_database, tmp_path_factory):
    with load.running_server(filled_database[0], workers=2, instance=tmp_path_factory.mktemp("gunicorn")) as server:
        yield server


def test_gunicorn_answers_health_with_its_workers(server):
    status, body = load.http_get(server.base, "/healthz")
    assert status == 200, body[:200]
    assert len(server.worker_pids()) == 2
    assert server.peak_mb() > 10


def test_64_identical_votes_at_once_count_once(server, app, targets):
    email = targets.resident_emails[0]
    idea = load.race_target(app, email, load.votable_ideas(app, 20))
    race = load.race_check(server, app, email, PASSWORD, idea, concurrent=64)
    assert race["vote_rows"] == 1, race
    assert race["vote_count_after"] == race["vote_count_before"] + 1 == race["vote_rows_of_idea"], race
    assert sum(race["statuses"].values()) == 64 and set(race["statuses"]) <= {"302"}, race


def test_sql_statements_per_request_are_bounded(app, targets):
    plan = {endpoint.name: endpoint for endpoint in load.endpoints(app, targets)}
    health = load.sql_per_request(app, plan["/healthz (baseline)"], PASSWORD)
    idea = load.sql_per_request(app, plan["idea, most voted"], PASSWORD)
    listing = load.sql_per_request(app, plan["ideas list sort=votes page=1"], PASSWORD)
    queue = load.sql_per_request(app, plan["moderation queue (moderator)"], PASSWORD)
    assert 0 <= health <= 2
    for figure in (idea, listing, queue):
        assert 1 <= figure <= 40


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (apt-get install -y wrk)")
def test_a_short_wrk_run_gives_figures(server, tmp_path):
    paths = tmp_path / "paths.txt"
    paths.write_text("/healthz\n")
    figures = load.wrk_figures(load.run_wrk(server.base, "paths.lua", [str(paths), "1", ""], clients=4,
                                            threads=1, duration=2))
    assert figures["requests"] > 10
    assert figures["rps"] > 5
    assert 0 < figures["p50_ms"] <= figures["p95_ms"] <= figures["p99_ms"]
    assert figures["errors_pct"] == 0
