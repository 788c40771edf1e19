"""Changing the email address: the password first, a link to the new address, the change when it is
opened, a notice to the old address; every refusal leaves the account as it was."""
from __future__ import annotations

import email
import re
import time
from email import policy

from civic.accounts import tokens
from civic.extensions import db
from tests.accounts import test_passwords as mail
from tests.accounts.test_passwords import _free_port, _wait_for
from tests.conftest import PASSWORD

# The real SMTP server of the password tests, and the configuration that sends to it.
app_config = mail.app_config
smtp_server = mail.smtp_server


def _body(message) -> str:
    parsed = email.message_from_bytes(message.content, policy=policy.default)
    return parsed.get_body(preferencelist=("plain",)).get_content()


def _change_link(message) -> str:
    return re.search(r"http://civic\.test(/account/email/\S+)", _body(message)).group(1)


def test_the_address_changes_when_the_link_sent_to_it_is_opened(client, make_user, smtp_server):
    _, inbox = smtp_server
    user = make_user(email="anna@example.it", name="Anna")
    client.login("anna@example.it")
    page = client.get("/account/")
    assert 'href="/account/email"' in page.get_data(as_text=True)
    assert client.get("/account/email").status_code == 200

    response = client.submit("/account/email", {"new_email": " Anna.Nuova@Example.it ", "current_password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/")
    messages = _wait_for(inbox)
    assert len(messages) == 1 and messages[0].rcpt_tos == ["anna.nuova@example.it"]
    assert user.email == "anna@example.it"  # nothing changes before the link is opened
    link = _change_link(messages[0])

    opened = client.get(link)
    assert opened.status_code == 302 and opened.headers["Location"].endswith("/account/")
    db.session.refresh(user)
    assert user.email == "anna.nuova@example.it" and user.email_confirmed
    notice = _wait_for(inbox, 2)[1]
    assert notice.rcpt_tos == ["anna@example.it"]
    assert "anna.nuova" not in _body(notice)  # the old address is told that, not where to

    # The new address logs in, the old one no longer does, and the link works once.
    client.post("/account/logout", data={"csrf_token": client.csrf_token()})
    client.login("anna.nuova@example.it")
    assert client.get(link).status_code == 302
    db.session.refresh(user)
    assert user.email == "anna.nuova@example.it"
    other = client.application.test_client()
    refused = other.submit("/account/login", {"email": "anna@example.it", "password": PASSWORD})
    assert refused.status_code == 422


def test_refusals_name_the_field_and_change_nothing(client, make_user, smtp_server):
    _, inbox = smtp_server
    make_user(email="bruno@example.it")
    user = make_user(email="anna@example.it")
    client.login("anna@example.it")
    cases = [
        ({"new_email": "nuova@example.it", "current_password": "not-the-password"}, "password attuale non è corretta"),
        ({"new_email": "not an address", "current_password": PASSWORD}, "indirizzo email valido"),
        ({"new_email": "ANNA@example.it", "current_password": PASSWORD}, "già il tuo indirizzo"),
        ({"new_email": "bruno@example.it", "current_password": PASSWORD}, "Un altro account usa già"),
        ({"new_email": "", "current_password": PASSWORD}, "nuovo indirizzo email"),
        ({"new_email": "nuova@example.it", "current_password": ""}, "password attuale"),
    ]
    for data, message in cases:
        response = client.submit("/account/email", data)
        text = response.get_data(as_text=True)
        assert response.status_code == 422, data
        assert message in text, (data, message)
        assert "Traceback" not in text
    time.sleep(0.2)
    assert inbox.messages == []
    assert user.email == "anna@example.it"


def test_a_link_is_refused_when_forged_expired_or_the_address_was_taken_meanwhile(client, app, make_user):
    user = make_user(email="anna@example.it")
    token = tokens.make_email_change_token(user, "nuova@example.it")

    assert client.get(f"/account/email/{token[:-2]}xx").status_code == 302
    app.config["TOKEN_MAX_AGE_CONFIRM"] = -1
    assert client.get(f"/account/email/{token}").status_code == 302
    app.config["TOKEN_MAX_AGE_CONFIRM"] = 3600
    make_user(email="nuova@example.it")  # someone registered with it after the link was sent
    response = client.get(f"/account/email/{token}", follow_redirects=True)
    assert "un altro account ha iniziato" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.email == "anna@example.it"


def test_only_a_logged_in_user_asks_and_an_smtp_failure_is_explained(client, app, make_user):
    user = make_user(email="anna@example.it")
    assert client.get("/account/email").status_code == 302
    client.login("anna@example.it")
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=_free_port(), SMTP_SECURITY="none")  # nothing listens there
    response = client.submit("/account/email", {"new_email": "nuova@example.it", "current_password": PASSWORD})
    assert response.status_code == 503
    assert "Riprova tra qualche minuto" in response.get_data(as_text=True)
    assert user.email == "anna@example.it"


def test_a_used_link_stays_refused_after_moving_back_to_the_first_address(client, make_user):
    """A → B → A: the first link names address A again, but not the moment A was confirmed."""
    user = make_user(email="anna@example.it")
    to_b = tokens.make_email_change_token(user, "anna.b@example.it")
    assert client.get(f"/account/email/{to_b}").status_code == 302
    db.session.refresh(user)
    assert user.email == "anna.b@example.it"
    back_to_a = tokens.make_email_change_token(user, "anna@example.it")
    assert client.get(f"/account/email/{back_to_a}").status_code == 302
    db.session.refresh(user)
    assert user.email == "anna@example.it"
    confirmed_at = user.email_confirmed_at

    for used in (to_b, back_to_a):
        client.get(f"/account/email/{used}")
        db.session.refresh(user)
        assert user.email == "anna@example.it" and user.email_confirmed_at == confirmed_at
    assert tokens.read_email_change_token(to_b) is None


def test_a_pending_link_is_refused_once_another_change_was_made(client, make_user):
    user = make_user(email="anna@example.it")
    first = tokens.make_email_change_token(user, "anna.b@example.it")
    second = tokens.make_email_change_token(user, "anna.c@example.it")
    assert client.get(f"/account/email/{second}").status_code == 302
    back = tokens.make_email_change_token(db.session.get(type(user), user.id), "anna@example.it")
    client.get(f"/account/email/{back}")
    client.get(f"/account/email/{first}")
    db.session.refresh(user)
    assert user.email == "anna@example.it"
