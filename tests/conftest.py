"""Shared fixtures: an app on a clean database per test, on SQLite and (when configured) PostgreSQL.

CIVIC_TEST_POSTGRES_URL names a server where the run may create and drop its own
database; with it set, every test that uses the database runs on both backends.
Under CI=true an unreachable PostgreSQL server fails the run instead of skipping.
"""
from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import current_app
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import civic
from civic.accounts import services as account_services
from civic.accounts.models import Role, User
from civic.extensions import db, limiter
from civic.territories.models import City, Neighbourhood

PASSWORD = "a-long-enough-password"
IN_CI = os.environ.get("CI", "").lower() == "true"
POSTGRES_URL = os.environ.get("CIVIC_TEST_POSTGRES_URL")
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def pytest_addoption(parser):
    parser.addoption("--run-slow", action="store_true", default=IN_CI,
                     help="run the tests marked slow too (on by default under CI=true)")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """`slow` tests run under CI or with --run-slow; `slow(backend=...)` is slow on that backend only."""
    run_slow = config.getoption("--run-slow")
    for item in items:
        marker = item.get_closest_marker("slow")
        if marker is None:
            continue
        backend = marker.kwargs.get("backend")
        params = getattr(getattr(item, "callspec", None), "params", {})
        if backend is not None and params.get("database_url") != backend:
            continue
        if not run_slow:
            item.add_marker(pytest.mark.skip(reason="slow: CI runs it, or pytest --run-slow"))


def _backends() -> list[str]:
    return ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]


class PostgresServer:
    """Creates and drops this run's own databases on the configured server."""

    def __init__(self, url: str):
        self.url = make_url(url).set(drivername="postgresql+psycopg")
        self.admin = create_engine(self.url, isolation_level="AUTOCOMMIT")

    def check(self) -> None:
        try:
            with self.admin.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as error:  # noqa: BLE001
            message = f"PostgreSQL at {POSTGRES_URL} is unreachable: {error}"
            if IN_CI:
                pytest.fail(message, pytrace=False)
            pytest.skip(message)

    def create(self, label: str) -> str:
        name = f"civic_test_{label}_{uuid.uuid4().hex[:10]}"
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
            # A test database is dropped at the end of the run: a commit need not wait for the disk.
            connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit TO off'))
        url = self.url.set(database=name)
        # What migration 0015 prepares for PostgreSQL full-text search (tests may use create_all).
        from civic.search.postgres_engine import prepare_database

        engine = create_engine(url)
        with engine.begin() as connection:
            prepare_database(connection)
        engine.dispose()
        return url.render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        name = make_url(url).database
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def postgres_server():
    if not POSTGRES_URL:
        pytest.skip("CIVIC_TEST_POSTGRES_URL is not set")
    server = PostgresServer(POSTGRES_URL)
    server.check()
    yield server
    server.admin.dispose()


@pytest.fixture(scope="session")
def new_database(tmp_path_factory, request):
    """A factory of empty databases for a backend; all are dropped at the end of the run."""
    created: list[tuple[PostgresServer, str]] = []

    def make(backend: str, label: str = "db") -> str:
        if backend == "sqlite":
            path = tmp_path_factory.mktemp(f"sqlite-{label}") / "civic.sqlite3"
            return f"sqlite:///{path}"
        server = request.getfixturevalue("postgres_server")
        url = server.create(label)
        created.append((server, url))
        return url

    yield make
    for server, url in created:
        server.drop(url)


def make_test_app(database_url: str, instance: Path, **overrides):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "INSTANCE_PATH": str(instance),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": "civic.test",
        # A cheaper scrypt: the same code path, fast enough to create many users.
        "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
        "SMTP_HOST": None,
        "LOG_LEVEL": "WARNING",
        # Kept pages are tested in tests/posts/test_page_cache.py; elsewhere each request builds its page.
        "PAGE_CACHE_SECONDS": 0,
        # The second factor required of moderators and administrators is tested in
        # tests/accounts/test_two_factor.py (and by the browser tests, on the demo); elsewhere they log in with
        # their password, as the second factor is not what those tests are about.
        "TWO_FACTOR_ROLES": (),
    }
    config.update(overrides)
    return create_app(config)


class _CountingFactory:
    """civic.create_app, counting the apps built: the shared app is used again only while no other app
    was built since. Some extensions keep what the last `init_app` read in their one global object (the
    rate limiter: whether it is on and its storage; the log handlers), so another app changes them."""

    def __init__(self, factory):
        self.factory = factory
        self.built = 0

    def __call__(self, *args, **kwargs):
        self.built += 1
        return self.factory(*args, **kwargs)


create_app = civic.create_app = _CountingFactory(civic.create_app)


@dataclass
class _SharedApp:
    key: tuple
    app: object
    built: int  # create_app's count when this app was built


_shared: _SharedApp | None = None


def _app_for(database_url: str, overrides: dict, instance: Path):
    """The app of this database and configuration: built once, used by test after test.

    Building an app (168 routes, the templates compiled again) costs about 0.3 s; tests that ask for
    the same configuration on the same database share one. One is kept at a time (pytest runs the
    tests of one backend, and mostly of one configuration, one after another)."""
    global _shared
    key = (database_url, repr(sorted(overrides.items(), key=lambda item: item[0])))
    if _shared is None or _shared.key != key or _shared.built != create_app.built:
        if _shared is not None:
            with _shared.app.app_context():
                db.engine.dispose()
        app = make_test_app(database_url, instance, **overrides)
        _shared = _SharedApp(key, app, create_app.built)
    return _shared.app


@pytest.fixture(scope="session", params=_backends())
def database_url(request, new_database, tmp_path_factory):
    """One database per backend, with the models' schema (tests may use create_all)."""
    url = new_database(request.param, "suite")
    app = make_test_app(url, tmp_path_factory.mktemp("schema-instance"))
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    return url


def _empty_all_tables() -> None:
    """Every row deleted and every id counting from 1 again, as in a new database.

    On PostgreSQL one block deletes the rows and restarts the sequences: TRUNCATE of every table took
    0.57 s a test, deleting rows takes a few milliseconds (most tables are empty)."""
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        sequences = db.session.scalars(text(
            "SELECT quote_ident(sequence_schema) || '.' || quote_ident(sequence_name) "
            "FROM information_schema.sequences WHERE sequence_schema = current_schema()")).all()
        statements = [f'DELETE FROM "{t.name}";' for t in tables]
        statements += [f"ALTER SEQUENCE {name} RESTART;" for name in sequences]
        db.session.execute(text("DO $$ BEGIN " + " ".join(statements) + " END $$"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def app_config() -> dict:
    """Override in a test module to change the app's configuration."""
    return {}


@pytest.fixture
def app(request, database_url, tmp_path, app_config):
    """The app on a clean database, with an instance folder (uploads, search index) of this test's own.

    Tests share the app of their database and configuration (see _app_for); what a test may change
    in it is put back afterwards: its configuration, the kept pages, the rate-limit counters. A test
    that adds routes or hooks asks for an app of its own with `@pytest.mark.fresh_app`."""
    instance = tmp_path / "instance"
    if request.node.get_closest_marker("fresh_app"):
        app = make_test_app(database_url, instance, **app_config)
    else:
        app = _app_for(database_url, app_config, instance)
    app.instance_path = str(instance)
    config = dict(app.config)
    ctx = app.app_context()
    ctx.push()
    try:
        yield app
    finally:
        db.session.rollback()
        db.session.remove()
        _empty_all_tables()
        db.session.remove()
        app.config.clear()
        app.config.update(config)
        if "page_cache" in app.extensions:
            app.extensions["page_cache"].clear()
        if app.config.get("RATELIMIT_ENABLED") and str(app.config.get("RATELIMIT_STORAGE_URI")).startswith("memory"):
            limiter.reset()
        if request.node.get_closest_marker("fresh_app"):
            db.engine.dispose()
        ctx.pop()


class Client(FlaskClient):
    """The test client, plus helpers that submit forms the way a browser does (with the CSRF token).

    Each request runs in its own app context, as in production: its own `g` and its own
    database session. The test's session commits before and ends its transaction after each
    request, so objects the test holds are re-read with what the request changed.
    """

    def open(self, *args, **kwargs):
        db.session.commit()
        try:
            with self.application.app_context():
                return super().open(*args, **kwargs)
        finally:
            db.session.rollback()

    def csrf_token(self, page: str = "/") -> str:
        response = self.get(page)
        match = _CSRF.search(response.get_data(as_text=True))
        assert match, f"no CSRF token on {page}"
        return match.group(1)

    def submit(self, url: str, data: dict | None = None, **kwargs):
        payload = dict(data or {})
        payload.setdefault("csrf_token", self.csrf_token())
        return self.post(url, data=payload, **kwargs)

    def login(self, email: str, password: str = PASSWORD):
        response = self.submit("/account/login", {"email": email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response


@pytest.fixture
def client(app) -> Client:
    app.test_client_class = Client
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- builders -----------------------------------------------------------------------------------

@pytest.fixture
def make_city(app):
    counter = iter(range(1, 10_000))

    def make(name: str | None = None, region: str = "Piemonte", role: str = "metropolitan",
             neighbourhoods: tuple[str, ...] = ()) -> City:
        n = next(counter)
        name = name or f"Città {n}"
        city = City(slug=f"citta-{n}" if name.startswith("Città ") else name.lower().replace(" ", "-"),
                    name=name, region=region, role=role)
        for hood in neighbourhoods:
            city.neighbourhoods.append(Neighbourhood(name=hood, slug=hood.lower().replace(" ", "-")))
        db.session.add(city)
        db.session.commit()
        return city

    return make


@pytest.fixture
def make_user(app):
    counter = iter(range(1, 10_000))

    def make(role: str | Role = Role.RESIDENT, email: str | None = None, name: str | None = None,
             password: str = PASSWORD, cities: list[City] | tuple = (), confirmed: bool = True, **fields) -> User:
        n = next(counter)
        fields.setdefault("privacy_version", current_app.config["PRIVACY_VERSION"])  # accepted at registration
        user = account_services.register_user(
            email=email or f"user{n}@example.it", display_name=name or f"Persona {n}",
            password=password, role=Role(role), confirmed=confirmed, **fields,
        )
        if cities:
            account_services.grant_moderation(user, list(cities))
        db.session.commit()
        return user

    return make


@pytest.fixture
def reference_data(app):
    from civic.territories.reference import load_reference_data

    report = load_reference_data()
    db.session.commit()
    return report


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """Counts SQL statements run inside the block: `with count_queries() as counter: ...`."""
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def counting():
        counter = QueryCounter()
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)

    return counting


# The search index of PostgreSQL: derived from the content in the same transaction, it follows every
# accepted change (tests/search checks it); the content tables say what a request changed.
DERIVED_TABLES = {"search_document", "search_word"}
# Written by every login (civic/accounts/sessions.py), which tests do between two counts.
LOGIN_TABLES = {"login_session"}


def table_counts() -> dict[str, int]:
    """Row count of every content table: compared before and after a rejected request."""
    from sqlalchemy import func, select

    return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables
            if t.name not in DERIVED_TABLES | LOGIN_TABLES}
