"""The API is rate-limited per address (CIVIC_RATELIMIT_API), answering 429 in JSON with CORS."""
from __future__ import annotations

import pytest


@pytest.fixture
def app_config() -> dict:
    return {"RATELIMIT_ENABLED": True, "RATELIMIT_API": "3 per minute"}


def test_the_api_answers_429_after_its_limit(client, anna, torino, new_need):
    new_need(anna, torino)
    answers = [client.get("/api/v1/needs") for _ in range(4)]
    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    last = answers[-1]
    assert last.get_json()["error"]["status"] == 429
    assert last.headers["Access-Control-Allow-Origin"] == "*"
    # Another address has its own counter; the pages of the site are not counted by the API limit.
    assert client.get("/api/v1/needs", environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 200
    assert client.get("/").status_code == 200
