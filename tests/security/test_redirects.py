"""A `next` address leads only to a page of this site, however another host is spelled in it.

Every form that sends its visitor on to `next` is tried with each spelling: the login, the language
switch, following and unfollowing, marking notifications read, and the moderators' actions on an
account. Browsers read some of these spellings as another host: a backslash for a slash, a scheme with
no slashes, a tab or a line break inside "//", a user name before "@".
"""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.conftest import PASSWORD

SPELLINGS = (
    "https://evil.example/",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "https:evil.example",
    "http:/evil.example",
    "https:/\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    " //evil.example",
    "//civic.test@evil.example",
    "http://civic.test@evil.example/",
    "https://evil.example%2F@civic.test/",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "/\r\nLocation: https://evil.example",
    "ｈｔｔｐｓ://evil.example",
    "//evil。example",
)


def _stays_on_the_site(location: str) -> bool:
    parts = urlsplit(location)
    return (parts.scheme in ("", "http") and parts.netloc in ("", "civic.test")
            and not location.startswith("//") and "\\" not in location
            and not any(ord(ch) < 32 for ch in location))


@pytest.fixture
def resident(make_user):
    return make_user(email="anna@example.it", name="Anna Rossi")


@pytest.mark.parametrize("target", SPELLINGS)
def test_the_login_sends_on_only_to_this_site(client, resident, target):
    token = client.csrf_token()
    response = client.post("/account/login", query_string={"next": target},
                           data={"email": "anna@example.it", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    assert _stays_on_the_site(response.headers["Location"]), response.headers["Location"]


@pytest.mark.parametrize("target", SPELLINGS)
def test_the_forms_that_send_on_send_only_to_this_site(client, resident, make_user, target):
    make_user("admin", email="admin@example.it")
    client.login("admin@example.it")
    forms = [("/language", {"locale": "en"}), ("/notifications/read-all", {}),
             (f"/moderation/user/{resident.id}/dismiss", {})]
    for url, data in forms:
        response = client.submit(url, {**data, "next": target})
        assert response.status_code == 302, url
        assert _stays_on_the_site(response.headers["Location"]), (url, response.headers["Location"])
