"""Every request that can change something is refused without its CSRF token, and changes nothing.

The routes are read from the URL map (every method but GET, HEAD and OPTIONS), so a new form is covered
without being named here. Each is sent, without a token, by an administrator (who may do the most) on
the demo content, ids filled in with 1 (which exists for most tables). Nothing may change: neither the
number of rows of any table nor the content version, which every write to a public table raises.
"""
from __future__ import annotations

import pytest

from civic.core import content_version
from civic.demo.content import load_demo_content
from civic.extensions import db
from tests.conftest import table_counts
from tests.posts.helpers import english
from tests.security.routes import filled, rules

# Exempt on purpose: the one-click unsubscribe link of an email (RFC 8058) is posted by mail clients,
# without a session; its signed token is the proof.
EXEMPT = {"notifications.unsubscribe"}


def _changing_routes(app) -> list[tuple[str, str, str]]:
    changing = {"POST", "PUT", "PATCH", "DELETE"}
    return sorted({(method, filled(rule), rule.endpoint) for rule in rules(app, changing)
                   for method in rule.methods & changing if rule.endpoint not in EXEMPT})


@pytest.fixture
def demo(app, reference_data, make_user):
    content_version.create_rows()
    load_demo_content()
    db.session.commit()
    make_user("admin", email="csrf.admin@example.it")


def test_every_change_without_its_token_is_refused_and_changes_nothing(app, client, demo):
    client.login("csrf.admin@example.it")
    english(client)
    routes = _changing_routes(app)
    assert len(routes) > 50, "the URL map should hold the site's forms"
    before = (table_counts(), content_version.current())
    wrong = []
    for method, url, endpoint in routes:
        response = client.open(url, method=method, data={"title": "Senza token", "body": "x", "reason": "x"})
        if response.status_code != 400 or "Your form has expired or was not sent from this site." not in response.get_data(as_text=True):
            wrong.append(f"{response.status_code} {method} {url} ({endpoint})")
    db.session.expire_all()
    assert not wrong, "\n".join(wrong)
    assert (table_counts(), content_version.current()) == before


def test_a_forged_token_is_refused_too(client, demo):
    client.login("csrf.admin@example.it")
    response = client.post("/language", data={"locale": "en", "csrf_token": "forged." + "a" * 40})
    assert response.status_code == 400
