"""The application skeleton: factory, configuration, errors, headers, language."""
from __future__ import annotations

import json
import logging
import os

import pytest

from civic import create_app
from civic.config import normalise_database_url, settings_from_env


def test_factory_has_no_side_effects_and_keeps_generated_key(tmp_path, monkeypatch):
    monkeypatch.delenv("CIVIC_SECRET_KEY", raising=False)
    instance = tmp_path / "instance"
    monkeypatch.setenv("CIVIC_INSTANCE_PATH", str(instance))
    monkeypatch.setenv("CIVIC_DATABASE_URL", f"sqlite:///{tmp_path / 'never-created.sqlite3'}")
    first = create_app()
    second = create_app()
    # The key is generated once, kept in instance/ and reused by the next start (and other workers).
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) >= 40
    assert (instance / "secret_key").read_text().strip() == first.config["SECRET_KEY"]
    assert oct((instance / "secret_key").stat().st_mode & 0o777) == "0o600"
    # No database was opened, no table created.
    assert not (tmp_path / "never-created.sqlite3").exists()


def test_configuration_comes_from_civic_environment_variables(tmp_path, monkeypatch):
    monkeypatch.setenv("CIVIC_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("CIVIC_DATABASE_URL", "postgresql://civic@db.example/civic")
    monkeypatch.setenv("CIVIC_REDIS_URL", "redis://cache.example:6379/0")
    monkeypatch.setenv("CIVIC_ENV", "production")
    monkeypatch.setenv("CIVIC_BASE_URL", "https://partecipa.example.it")
    monkeypatch.setenv("CIVIC_MAX_CONTENT_LENGTH", "1024")
    settings = settings_from_env(tmp_path)
    assert settings["SECRET_KEY"] == "from-the-environment"
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://civic@db.example/civic"
    assert settings["RATELIMIT_STORAGE_URI"] == "redis://cache.example:6379/0"
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["LOG_FORMAT"] == "json"
    assert settings["MAX_CONTENT_LENGTH"] == 1024
    assert not (tmp_path / "secret_key").exists()


def test_defaults_give_sqlite_in_instance_and_memory_rate_limits(tmp_path, monkeypatch):
    for name in [n for n in os.environ if n.startswith("CIVIC_")]:
        monkeypatch.delenv(name)
    settings = settings_from_env(tmp_path)
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'civic.sqlite3'}"
    assert settings["RATELIMIT_STORAGE_URI"] == "memory://"
    assert settings["SESSION_COOKIE_SECURE"] is False


@pytest.mark.parametrize("given, expected", [
    ("postgres://u@h/d", "postgresql+psycopg://u@h/d"),
    ("postgresql://u@h/d", "postgresql+psycopg://u@h/d"),
    ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
    ("sqlite:///x.db", "sqlite:///x.db"),
])
def test_database_urls_use_psycopg3(given, expected):
    assert normalise_database_url(given) == expected


def test_home_page_is_italian_by_default(client, reference_data):
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="it">' in html
    assert "Accedi" in html and "Città" in html
    assert "bootstrap-italia.min.css" in html


def test_security_headers_on_every_page(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Request-ID"]


def test_no_inline_scripts_or_styles_in_pages(client, reference_data):
    html = client.get("/").get_data(as_text=True)
    assert "<script>" not in html and "style=" not in html and "<style" not in html


@pytest.mark.parametrize("locale, text", [("en", "Log in"), ("it", "Accedi")])
def test_language_switch_is_remembered(client, locale, text):
    response = client.submit("/language", {"locale": locale, "next": "/cities/"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/cities/")
    html = client.get("/").get_data(as_text=True)
    assert f'<html lang="{locale}">' in html and text in html


def test_language_switch_refuses_foreign_redirects_and_unknown_languages(client):
    response = client.submit("/language", {"locale": "xx", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response.headers["Location"] in ("/", "http://civic.test/")
    assert '<html lang="it">' in client.get("/").get_data(as_text=True)


def test_logged_in_users_keep_their_language_across_sessions(client, make_user):
    user = make_user(email="lingua@example.it")
    client.login("lingua@example.it")
    client.submit("/language", {"locale": "en"})
    assert user.locale == "en"
    client.submit("/account/logout")
    client.delete_cookie("session", domain="civic.test")
    client.login("lingua@example.it")
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_post_without_csrf_token_is_rejected(client):
    response = client.post("/language", data={"locale": "en"})
    assert response.status_code == 400
    assert "modulo" in response.get_data(as_text=True)  # the Italian explanation, in the layout
    assert '<html lang="it">' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("path, code", [("/no-such-page", 404), ("/account/logout", 405)])
def test_error_pages_use_the_layout_and_language(client, path, code):
    response = client.get(path)
    assert response.status_code == code
    html = response.get_data(as_text=True)
    assert "it-header-wrapper" in html and "Traceback" not in html
    if code == 405:
        assert "POST" in response.headers["Allow"]


def test_api_paths_get_json_errors(client):
    response = client.get("/api/unknown")
    assert response.status_code == 404
    assert response.is_json
    assert response.json["error"]["status"] == 404
    assert response.json["error"]["message"]


def test_request_too_large_is_413(client, app):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post("/language", data={"locale": "x" * 5000})
    assert response.status_code == 413
    assert "it-header-wrapper" in response.get_data(as_text=True)


@pytest.mark.fresh_app  # it adds a route
def test_unexpected_errors_show_a_500_page_without_trace_and_are_logged(app, client, caplog):
    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internals")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    with caplog.at_level(logging.ERROR, logger="civic.errors"):
        response = client.get("/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "secret internals" not in html and "Traceback" not in html
    assert response.headers["X-Request-ID"] in html
    assert any("unhandled error" in r.getMessage() for r in caplog.records)


def test_json_log_lines(tmp_path, capsys):
    from civic.core.logging import JSONFormatter

    record = logging.LogRecord("civic.test", logging.INFO, __file__, 1, "hello %s", ("world",), None)
    record.user_id = 7
    event = json.loads(JSONFormatter().format(record))
    assert event["message"] == "hello world" and event["user_id"] == 7 and event["level"] == "INFO"


def test_health_route(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_euro_and_dates_are_formatted_per_locale(app):
    from datetime import date
    from decimal import Decimal

    from flask_babel import force_locale

    from civic.core.templating import format_eur

    with app.test_request_context():
        with force_locale("it"):
            assert format_eur(Decimal("1879999.99")) == "1.879.999,99\xa0€"
            assert app.jinja_env.filters["date"](date(2026, 3, 1), "long") == "1 marzo 2026"
        with force_locale("en"):
            assert format_eur(Decimal("1879999.99")) == "€1,879,999.99"
            assert app.jinja_env.filters["date"](date(2026, 3, 1), "long") == "March 1, 2026"


def test_city_selector_remembers_the_city(client, make_city):
    city = make_city("Palermo", region="Sicilia")
    header = client.get("/").get_data(as_text=True)
    assert '<form class="city-selector d-none d-md-flex align-items-center" method="post"' in header
    response = client.submit("/city", {"city": "palermo"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/cities/{city.slug}")
    assert '<option value="palermo" selected>' in client.get("/").get_data(as_text=True)
    assert client.submit("/city", {"city": "atlantide"}).headers["Location"].endswith("/cities/")
    assert client.post("/city", data={"city": "palermo"}).status_code == 400  # without its CSRF token


def test_an_address_of_the_city_selector_only_leads_to_the_city(client, make_city):
    city = make_city("Palermo", region="Sicilia")
    response = client.get("/city?city=palermo")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/cities/{city.slug}")
    assert '<option value="palermo" selected>' not in client.get("/").get_data(as_text=True)  # not remembered
    assert client.get("/city?city=atlantide").headers["Location"].endswith("/cities/")


def test_every_configuration_variable_is_documented():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    source = (root / "civic" / "config.py").read_text()
    readme = (root / "README.md").read_text()
    import re

    names = set(re.findall(r'_env(?:_int|_bool)?\("([A-Z_]+)"', source))
    assert names, "no variables found"
    missing = sorted(n for n in names if f"CIVIC_{n}" not in readme)
    assert not missing, f"document these in README.md: {missing}"


def test_request_log_lines_are_json_with_the_request_id(new_database, tmp_path, capsys):
    from tests.conftest import make_test_app

    app = make_test_app(new_database("sqlite", "logs"), tmp_path, LOG_FORMAT="json", LOG_LEVEL="INFO")
    response = app.test_client().get("/healthz", headers={"X-Request-ID": "abc-123-def-456"})
    assert response.headers["X-Request-ID"] == "abc-123-def-456"
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    request_line = next(line for line in lines if line["message"] == "request")
    assert request_line["request_id"] == "abc-123-def-456"
    assert request_line["path"] == "/healthz" and request_line["status"] == 200
    assert isinstance(request_line["duration_ms"], float)


def test_health_route_reports_an_unreachable_database(tmp_path):
    from tests.conftest import make_test_app

    app = make_test_app(f"sqlite:///{tmp_path}/missing/dir/civic.sqlite3", tmp_path)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.json == {"status": "unavailable"}


def test_api_errors_are_json_for_every_status(client):
    response = client.post("/api/anything")
    assert response.is_json and response.json["error"]["status"] in (400, 404, 405)


def test_forbidden_page_in_the_layout(client, make_user, make_city):
    make_city("Torino")
    make_user(email="resident@example.it")
    client.login("resident@example.it")
    response = client.get("/cities/torino/neighbourhoods")
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert "Solo gli amministratori" in html and "it-header-wrapper" in html


def test_error_page_survives_a_broken_database(tmp_path):
    """Without tables the layout cannot be built: the visitor still gets a plain page, never a trace."""
    from tests.conftest import make_test_app

    app = make_test_app(f"sqlite:///{tmp_path}/empty.sqlite3", tmp_path)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/cities/")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "<h1>" in html and "Traceback" not in html and "sqlite3" not in html


@pytest.mark.parametrize("url", ["/cities/%00", "/city?city=%00abc", "/users/1%00", "/account/login?next=/%00"])
def test_nul_bytes_in_the_address_are_refused_clearly(client, url):
    response = client.get(url)
    assert response.status_code in (400, 404)
    assert "Traceback" not in response.get_data(as_text=True)
