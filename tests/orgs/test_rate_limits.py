"""Invitations send email to any address: an account may send only so many."""
from __future__ import annotations

import pytest

from tests.conftest import table_counts


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://", "RATELIMIT_INVITE": "2 per hour"}


def test_the_third_invitation_of_an_hour_is_refused(client, anna, new_org):
    org = new_org(anna)
    client.login("anna@example.it")
    url = f"/organisations/{org.id}/invitations"
    assert client.submit(url, {"email": "nope", "role": "member"}).status_code == 422  # refused forms do not count
    for n in range(2):
        assert client.submit(url, {"email": f"persona{n}@example.it", "role": "member"}).status_code == 302
    before = table_counts()
    response = client.submit(url, {"email": "persona3@example.it", "role": "member"})
    assert response.status_code == 429 and response.headers["Retry-After"]
    assert table_counts() == before
