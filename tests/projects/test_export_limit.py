"""The open-data files are rate-limited per address (CIVIC_RATELIMIT_EXPORT): 429 with a readable page."""
from __future__ import annotations

import pytest

from tests.posts.helpers import english


@pytest.fixture
def app_config() -> dict:
    return {"RATELIMIT_ENABLED": True, "RATELIMIT_EXPORT": "3 per minute"}


def test_the_exports_answer_429_after_their_limit(client, people, torino):
    english(client)
    answers = [client.get(path) for path in ("/opendata/projects.csv", "/opendata/projects.json",
                                            "/opendata/needs.csv", "/opendata/projects.csv")]
    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    last = answers[-1]
    page = last.get_data(as_text=True)
    assert "You downloaded many open-data files in a short time." in page
    assert last.headers["Retry-After"] == "60" and last.headers["Access-Control-Allow-Origin"] == "*"
    assert last.content_type.startswith("text/html")
    # Another address has its own counter; the list of datasets is not counted.
    assert client.get("/opendata/projects.csv", environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 200
    assert client.get("/opendata").status_code == 200


def test_the_default_limit_is_in_the_configuration(monkeypatch, tmp_path):
    from civic.config import settings_from_env

    monkeypatch.delenv("CIVIC_RATELIMIT_EXPORT", raising=False)
    assert settings_from_env(tmp_path, "x" * 32)["RATELIMIT_EXPORT"] == "30 per minute"
    monkeypatch.setenv("CIVIC_RATELIMIT_EXPORT", "5 per minute")
    assert settings_from_env(tmp_path, "x" * 32)["RATELIMIT_EXPORT"] == "5 per minute"
