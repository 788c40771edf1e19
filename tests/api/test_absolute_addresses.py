"""The API's absolute addresses are on CIVIC_BASE_URL, whatever host name the request was sent to."""
from __future__ import annotations

import pytest


@pytest.fixture
def app_config():
    # civic.test (the test client's host) is answered as an alias of the site's address.
    return {"BASE_URL": "https://partecipa.example.it", "TRUSTED_HOSTS_EXTRA": ("civic.test",)}


def test_the_api_names_the_sites_address_not_the_requests_host(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["servers"] == [{"url": "https://partecipa.example.it/api/v1"}]
