"""Password change and reset by email, through a real SMTP server."""
from __future__ import annotations

import re
import socket
import time

import pytest
from aiosmtpd.controller import Controller

from civic.accounts import tokens
from civic.extensions import db
from tests.conftest import PASSWORD, Client

NEW_PASSWORD = "another-long-password"


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def app_config(smtp_server):
    controller, _ = smtp_server
    return {"SMTP_HOST": controller.hostname, "SMTP_PORT": controller.port, "SMTP_SECURITY": "none",
            "MAIL_FROM": "Città Inclusive <noreply@civic.test>"}


def _wait_for(inbox, count=1, timeout=5.0):
    deadline = time.monotonic() + timeout
    while len(inbox.messages) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    return inbox.messages


def _reset_link(message) -> str:
    import email
    from email import policy

    parsed = email.message_from_bytes(message.content, policy=policy.default)
    body = parsed.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"http://civic\.test(/account/reset/\S+)", body).group(1)


def test_password_reset_by_email_through_smtp(client, make_user, smtp_server):
    _, inbox = smtp_server
    user = make_user(email="anna@example.it", name="Anna")
    response = client.submit("/account/reset", {"email": "ANNA@example.it"})
    assert response.status_code == 302
    messages = _wait_for(inbox)
    assert len(messages) == 1 and messages[0].rcpt_tos == ["anna@example.it"]
    assert b"Reimposta la tua password" in messages[0].content or b"Subject:" in messages[0].content
    link = _reset_link(messages[0])

    assert client.get(link).status_code == 200
    response = client.submit(link, {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/login")
    client.login("anna@example.it", NEW_PASSWORD)

    # The link works once: the password it was issued for has changed.
    other = client.application.test_client()
    again = other.submit(link, {"password": "yet-another-password", "password_confirm": "yet-another-password"})
    assert again.status_code == 302 and again.headers["Location"].endswith("/account/reset")
    assert user.email_confirmed


def test_reset_for_unknown_address_says_the_same_and_sends_nothing(client, smtp_server):
    _, inbox = smtp_server
    response = client.submit("/account/reset", {"email": "nobody@example.it"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/login")
    time.sleep(0.2)
    assert inbox.messages == []


def test_expired_or_forged_reset_token_is_refused(client, app, make_user):
    user = make_user(email="anna@example.it")
    token = tokens.make_reset_token(user)
    app.config["TOKEN_MAX_AGE_RESET"] = -1
    assert client.get(f"/account/reset/{token}").status_code == 302
    response = client.submit(f"/account/reset/{token}", {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert response.status_code == 302
    old_hash = user.password_hash
    app.config["TOKEN_MAX_AGE_RESET"] = 3600
    assert client.get(f"/account/reset/{token[:-2]}xx").status_code == 302
    assert user.password_hash == old_hash


def test_reset_with_a_short_password_keeps_the_old_one(client, make_user):
    user = make_user(email="anna@example.it")
    token = tokens.make_reset_token(user)
    old_hash = user.password_hash
    response = client.submit(f"/account/reset/{token}", {"password": "short", "password_confirm": "short"})
    assert response.status_code == 422
    assert user.password_hash == old_hash


def test_smtp_failure_gives_a_clear_message(client, app, make_user):
    make_user(email="anna@example.it")
    app.config["SMTP_PORT"] = _free_port()  # nothing listens there
    response = client.submit("/account/reset", {"email": "anna@example.it"})
    assert response.status_code == 503
    assert "Traceback" not in response.get_data(as_text=True)


def test_password_change_logs_out_other_sessions(client, app, make_user):
    user = make_user(email="anna@example.it")
    client.login("anna@example.it")
    other_device = app.test_client()
    other_device.login("anna@example.it")
    assert other_device.get("/account/").status_code == 200

    wrong = client.submit("/account/password", {"current_password": "wrong-password", "new_password": NEW_PASSWORD,
                                                "new_password_confirm": NEW_PASSWORD})
    assert wrong.status_code == 422
    old_hash = user.password_hash

    response = client.submit("/account/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                                                   "new_password_confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert user.password_hash != old_hash
    assert client.get("/account/").status_code == 200
    assert other_device.get("/account/").status_code == 302
    db.session.expire_all()


def test_confirmation_token_for_a_changed_email_is_refused(client, make_user):
    user = make_user(email="anna@example.it", confirmed=False)
    token = tokens.make_confirm_token(user)
    user.email = "anna.rossi@example.it"
    db.session.commit()
    client.get(f"/account/confirm/{token}")
    assert not user.email_confirmed


assert Client  # the fixtures' client class, used through the `client` fixture


def test_a_new_password_too_easy_to_guess_keeps_the_old_one(client, make_user):
    user = make_user(email="anna@example.it", name="Anna Rossi")
    token = tokens.make_reset_token(user)
    old_hash = user.password_hash
    for easy in ("iloveyou123", "annarossi2024", "0987654321"):
        response = client.submit(f"/account/reset/{token}", {"password": easy, "password_confirm": easy})
        assert response.status_code == 422, easy
        assert user.password_hash == old_hash
    client.login("anna@example.it")
    response = client.submit("/account/password", {"current_password": PASSWORD, "new_password": "qwerty123456",
                                                   "new_password_confirm": "qwerty123456"})
    assert response.status_code == 422
    db.session.refresh(user)
    assert user.password_hash == old_hash


def _submit_on(client, host: str, url: str, data: dict):
    """A form sent with this Host header (its CSRF token read from a page asked on the same host)."""
    page = client.get(url, headers={"Host": host})
    if page.status_code != 200:
        return page
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True)).group(1)
    return client.post(url, data={**data, "csrf_token": token}, headers={"Host": host})


class TestWithoutAnyAddressConfigured:
    """Neither CIVIC_BASE_URL nor SERVER_NAME (a development site): the links are on http://127.0.0.1:5000,
    never on the Host header a request gives; an unknown host is refused, a local alias gets the same link."""

    @pytest.fixture
    def app_config(self, smtp_server):
        controller, _ = smtp_server
        return {"SMTP_HOST": controller.hostname, "SMTP_PORT": controller.port, "SMTP_SECURITY": "none",
                "SERVER_NAME": None}

    def test_emailed_links_are_on_the_sites_address_whatever_the_host_header(self, client, make_user, smtp_server):
        _, inbox = smtp_server
        make_user(email="anna@example.it")
        refused = _submit_on(client, "evil.example", "/account/reset", {"email": "anna@example.it"})
        assert refused.status_code == 400
        response = _submit_on(client, "localhost:8000", "/account/reset", {"email": "anna@example.it"})
        assert response.status_code == 302
        messages = _wait_for(inbox)
        time.sleep(0.2)
        assert len(messages) == 1
        import email
        from email import policy

        body = email.message_from_bytes(messages[0].content, policy=policy.default).get_body(
            preferencelist=("plain",)).get_content()
        assert "evil.example" not in body and "localhost" not in body
        assert "http://127.0.0.1:5000/account/reset/" in body


class TestWithABaseUrl:
    @pytest.fixture
    def app_config(self, smtp_server):
        controller, _ = smtp_server
        return {"SMTP_HOST": controller.hostname, "SMTP_PORT": controller.port, "SMTP_SECURITY": "none",
                "BASE_URL": "https://partecipa.example.it", "TRUSTED_HOSTS_EXTRA": ("civic.test",)}

    def test_the_reset_link_is_on_the_base_url(self, client, make_user, smtp_server):
        _, inbox = smtp_server
        make_user(email="anna@example.it")
        assert client.submit("/account/reset", {"email": "anna@example.it"}).status_code == 302
        body = _wait_for(inbox)[0].content.decode()
        assert "https://partecipa.example.it/account/reset/" in body and "civic.test" not in body


def test_a_reset_link_is_refused_after_use_and_after_a_later_reset(client, make_user):
    user = make_user(email="anna@example.it")
    first, second = tokens.make_reset_token(user), tokens.make_reset_token(user)
    form = {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    assert client.submit(f"/account/reset/{second}", form).headers["Location"].endswith("/account/login")
    db.session.refresh(user)
    after_second = user.password_hash
    for used in (second, first):  # used, and issued before the later reset
        again = client.submit(f"/account/reset/{used}", {"password": "yet-another-password",
                                                          "password_confirm": "yet-another-password"})
        assert again.status_code == 302 and again.headers["Location"].endswith("/account/reset")
        db.session.refresh(user)
        assert user.password_hash == after_second


def test_a_confirmation_link_opened_again_changes_nothing(client, make_user):
    user = make_user(email="anna@example.it", confirmed=False)
    token = tokens.make_confirm_token(user)
    client.get(f"/account/confirm/{token}")
    db.session.refresh(user)
    confirmed_at = user.email_confirmed_at
    assert confirmed_at is not None
    again = client.get(f"/account/confirm/{token}")
    assert again.status_code == 302
    db.session.refresh(user)
    assert user.email_confirmed_at == confirmed_at
