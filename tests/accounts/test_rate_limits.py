"""Rate limits on login, registration and password reset."""
from __future__ import annotations

import os
import uuid

import pytest

from tests.conftest import IN_CI, PASSWORD

REDIS_URL = os.environ.get("CIVIC_TEST_REDIS_URL")


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"}


def _attempt(client, password="wrong-password"):
    return client.submit("/account/login", {"email": "anna@example.it", "password": password})


def test_sixth_login_attempt_in_a_minute_is_refused(client, make_user):
    make_user(email="anna@example.it")
    for _ in range(5):
        assert _attempt(client).status_code == 422
    response = _attempt(client, PASSWORD)  # even the right password: the limit comes first
    assert response.status_code == 429
    assert response.headers["Retry-After"]
    html = response.get_data(as_text=True)
    assert "it-header-wrapper" in html and "Traceback" not in html
    with client.session_transaction() as session:
        assert "_user_id" not in session
    # Reading the login page stays possible.
    assert client.get("/account/login").status_code == 200


def test_registration_mistakes_do_not_count_but_accounts_do(client, app):
    app.config["RATELIMIT_SIGNUP"] = "2 per hour"
    bad = {"display_name": "A", "email": "bad", "password": "x", "password_confirm": "x"}
    for _ in range(4):
        assert client.submit("/account/register", bad).status_code == 422
    for n in range(2):
        good = {"display_name": f"Persona {n}", "email": f"p{n}@example.it", "password": PASSWORD,
                "password_confirm": PASSWORD, "accept_privacy": "y"}
        assert client.submit("/account/register", good).status_code == 302
        client.submit("/account/logout")
    response = client.submit("/account/register", {**bad, "email": "p9@example.it"})
    assert response.status_code == 429


def test_registrations_refused_for_a_taken_address_count(client, app, make_user):
    """Each refusal tells that the address has an account: they are counted, unlike mistakes."""
    app.config["RATELIMIT_SIGNUP"] = "2 per hour"
    make_user(email="anna@example.it")
    taken = {"display_name": "Persona", "email": "anna@example.it", "password": PASSWORD,
             "password_confirm": PASSWORD, "accept_privacy": "y"}
    assert client.submit("/account/register", {**taken, "password": "x", "password_confirm": "x"}).status_code == 422
    for _ in range(2):
        assert client.submit("/account/register", taken).status_code == 422
    assert client.submit("/account/register", {**taken, "email": "nuova@example.it"}).status_code == 429


def test_email_changes_refused_for_a_taken_address_count(client, app, make_user):
    app.config["RATELIMIT_RESET"] = "2 per hour"
    make_user(email="anna@example.it")
    make_user(email="bruno@example.it")
    client.login("anna@example.it")
    wrong_password = {"new_email": "bruno@example.it", "current_password": "wrong-password"}
    for _ in range(3):  # a mistake, not counted: the password comes first
        assert client.submit("/account/email", wrong_password).status_code == 422
    for _ in range(2):
        taken = client.submit("/account/email", {"new_email": "bruno@example.it", "current_password": PASSWORD})
        assert taken.status_code == 422
    response = client.submit("/account/email", {"new_email": "carla@example.it", "current_password": PASSWORD})
    assert response.status_code == 429


def test_password_reset_requests_are_limited(client, app):
    app.config["RATELIMIT_RESET"] = "2 per hour"
    for _ in range(2):
        assert client.submit("/account/reset", {"email": "someone@example.it"}).status_code == 302
    assert client.submit("/account/reset", {"email": "someone@example.it"}).status_code == 429


class TestWithRedis:
    """The same limits when the counters live in Redis (shared by every worker)."""

    @pytest.fixture
    def app_config(self):
        if not REDIS_URL:
            if IN_CI:
                pytest.fail("CIVIC_TEST_REDIS_URL must be set in CI", pytrace=False)
            pytest.skip("CIVIC_TEST_REDIS_URL is not set")
        import redis

        try:
            redis.Redis.from_url(REDIS_URL).ping()
        except redis.RedisError as error:
            if IN_CI:
                pytest.fail(f"Redis at {REDIS_URL} is unreachable: {error}", pytrace=False)
            pytest.skip(f"Redis unreachable: {error}")
        return {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": REDIS_URL,
                "RATELIMIT_KEY_PREFIX": f"civic-test-{uuid.uuid4().hex}"}

    def test_sixth_login_attempt_is_refused_with_redis_storage(self, client, make_user, app):
        assert app.config["RATELIMIT_STORAGE_URI"].startswith("redis://")
        # Counters outlive the test in Redis: this run's own client address keeps them apart.
        address = "127.{}.{}.{}".format(*uuid.uuid4().bytes[:3])
        client.environ_base["REMOTE_ADDR"] = address
        make_user(email="anna@example.it")
        for _ in range(5):
            assert _attempt(client).status_code == 422
        assert _attempt(client).status_code == 429
        # A second app (another worker) sees the same counters.
        other_worker = app.test_client()
        other_worker.environ_base["REMOTE_ADDR"] = address
        assert other_worker.submit("/account/login", {"email": "anna@example.it", "password": "x"}).status_code == 429
