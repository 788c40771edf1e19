"""The site's own address: emailed links are built on CIVIC_BASE_URL and only its host names are answered."""
from __future__ import annotations

import os

import pytest

from civic import create_app
from civic.config import ConfigurationError, settings_from_env


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in [n for n in os.environ if n.startswith("CIVIC_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("CIVIC_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("CIVIC_SECRET_KEY", "a-key-for-the-test")
    monkeypatch.setenv("CIVIC_DATABASE_URL", f"sqlite:///{tmp_path / 'never-created.sqlite3'}")
    return monkeypatch


def test_production_refuses_to_start_without_a_base_url(clean_env, tmp_path):
    clean_env.setenv("CIVIC_ENV", "production")
    with pytest.raises(ConfigurationError, match="CIVIC_BASE_URL"):
        settings_from_env(tmp_path)
    with pytest.raises(ConfigurationError, match="CIVIC_BASE_URL"):
        create_app()
    clean_env.setenv("CIVIC_BASE_URL", "https://partecipa.example.it/")
    app = create_app()
    assert app.config["BASE_URL"] == "https://partecipa.example.it"
    assert app.config["TRUSTED_HOSTS"] == ["partecipa.example.it"]


def test_a_malformed_base_url_is_refused(clean_env):
    clean_env.setenv("CIVIC_BASE_URL", "partecipa.example.it")
    with pytest.raises(ConfigurationError, match="CIVIC_BASE_URL"):
        create_app()


def test_development_without_a_base_url_answers_on_the_local_addresses_only(clean_env):
    app = create_app()
    assert app.config["BASE_URL"] == "http://127.0.0.1:5000"
    client = app.test_client()
    for host in ("127.0.0.1:5000", "localhost:8000", "127.0.0.1"):
        assert client.get("/healthz", headers={"Host": host}).status_code != 400, host
    assert client.get("/healthz", headers={"Host": "evil.example"}).status_code == 400


@pytest.fixture
def app_config():
    return {"BASE_URL": "https://partecipa.example.it", "TRUSTED_HOSTS_EXTRA": ("www.partecipa.example.it",)}


def test_with_a_base_url_another_host_is_refused(app, client):
    assert app.config["TRUSTED_HOSTS"] == ["partecipa.example.it", "www.partecipa.example.it"]
    assert client.get("/", headers={"Host": "partecipa.example.it"}).status_code == 200
    assert client.get("/", headers={"Host": "www.partecipa.example.it:443"}).status_code == 200
    for host in ("evil.example", "civic.test", "localhost", "partecipa.example.it.evil.example"):
        refused = client.get("/", headers={"Host": host})
        assert refused.status_code == 400, host
        # Said in both languages (no page of the site is built for a host that is not the site's).
        text = refused.get_data(as_text=True)
        assert "Questo sito non risponde a questo nome di host" in text and "This site does not answer" in text
