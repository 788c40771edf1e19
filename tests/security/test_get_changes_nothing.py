"""No GET request changes anything: neither the database nor what the session remembers.

A link can be followed by anyone's browser without its owner asking (an image, a prefetch, a page of
another site), so only a form posted with its CSRF token may change state. Every GET route of the URL
map is asked for, on the demo content, by an anonymous visitor and by a signed-in resident: with its
parts filled as tests/security/routes.py fills them, with a city's slug where a part is a slug, and
with the query strings that once changed something (the header's city selector, the random order).
After each, every table holds the same rows and the session the same keys and values, apart from
the bookkeeping of Flask-WTF and Flask-Login (the CSRF token, messages to flash, `_fresh`) and the
display preferences of ALLOWED below.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from civic.core import content_version
from civic.demo.content import load_demo_content
from civic.extensions import db
from tests.security.routes import filled, rules

BOOKKEEPING = {"csrf_token", "_flashes", "_fresh"}

# Session keys a GET may still write, each with its reason (none changes what anyone else sees):
ALLOWED = {
    # The seed of a visitor's "random" order of needs and ideas (civic/posts/views.py), a display
    # preference: the order stays the same from page to page; the address it redirects to carries
    # the seed, and the page cache ignores it (civic/core/pagecache.py).
    "list_seed",
}

# Tables a GET may write: the login's own row notes when the session was last used.
BOOKKEEPING_TABLES = {"login_session"}

QUERIES = ["/city?city=torino", "/cities/torino/needs?sort=random", "/cities/torino/ideas?sort=random",
           "/cities/torino/needs?sort=random&seed=3", "/search?q=parco", "/search/similar?city=torino&text=parco"]


@pytest.fixture
def demo(app, reference_data, make_user):
    content_version.create_rows()
    load_demo_content()
    db.session.commit()
    make_user("resident", email="get.resident@example.it")


def _addresses(app) -> list[str]:
    addresses = set(QUERIES)
    for rule in rules(app, {"GET"}):
        addresses.add(filled(rule))
        if "<slug>" in rule.rule:
            addresses.add(filled(rule).replace("nothing-here", "torino"))
    return sorted(addresses)


def _database() -> dict[str, list[tuple]]:
    db.session.expire_all()
    return {table.name: sorted(map(tuple, db.session.execute(select(table)).all()), key=repr)
            for table in db.metadata.sorted_tables if table.name not in BOOKKEEPING_TABLES}


def _session(client) -> dict:
    with client.session_transaction() as session:
        return {key: value for key, value in session.items() if key not in BOOKKEEPING | ALLOWED}


@pytest.mark.parametrize("visitor", ["anonymous", "resident"])
def test_no_get_request_changes_the_database_or_the_session(app, client, demo, visitor):
    if visitor == "resident":
        client.login("get.resident@example.it")
    addresses = _addresses(app)
    assert len(addresses) > 50, "the URL map should hold the site's pages"
    changed = []
    database, session = _database(), _session(client)
    assert database["city"] and database["need"], "the demo content should be there to be changed"
    for address in addresses:
        status = client.get(address).status_code
        after_database, after_session = _database(), _session(client)
        if after_session != session:
            changed.append(f"{status} GET {address}: the session {session} became {after_session}")
        tables = sorted(name for name in database if database[name] != after_database[name])
        if tables:
            changed.append(f"{status} GET {address}: the tables {', '.join(tables)} changed")
        database, session = after_database, after_session
    assert not changed, "\n".join(changed)
