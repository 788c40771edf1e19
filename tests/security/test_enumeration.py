"""The login and the password reset answer an unknown address exactly as a known one: nobody learns
from them who has an account. (An unknown address also costs a password hash: civic/accounts/services.py.)"""
from __future__ import annotations

import re

from civic.extensions import db
from tests.posts.helpers import english

KNOWN, UNKNOWN, ASLEEP = "anna@example.it", "nobody@example.it", "dario@example.it"


def _page(response, email: str) -> str:
    """The answer with what differs by nature removed: the CSRF token, the address typed in."""
    html = response.get_data(as_text=True)
    html = re.sub(r'(name="csrf_token"[^>]*value=")[^"]+', r"\1", html)
    return html.replace(email, "EMAIL")


def test_the_login_answers_the_same_for_any_address(client, make_user):
    make_user(email=KNOWN)
    asleep = make_user(email=ASLEEP)
    asleep.active = False
    db.session.commit()
    english(client)
    answers = {}
    for email in (KNOWN, UNKNOWN, ASLEEP):
        response = client.submit("/account/login", {"email": email, "password": "not-the-password-at-all"})
        answers[email] = (response.status_code, _page(response, email))
    assert answers[KNOWN][0] == 422
    assert "The email or the password is not correct." in answers[KNOWN][1]
    assert answers[KNOWN] == answers[UNKNOWN] == answers[ASLEEP]


def test_the_password_reset_answers_the_same_for_any_address(client, make_user):
    make_user(email=KNOWN)
    answers = {}
    for email in (KNOWN, UNKNOWN):
        response = client.submit("/account/reset", {"email": email})
        followed = client.get(response.headers["Location"])
        answers[email] = (response.status_code, response.headers["Location"], _page(followed, email))
    assert answers[KNOWN][0] == 302
    assert answers[KNOWN] == answers[UNKNOWN]
