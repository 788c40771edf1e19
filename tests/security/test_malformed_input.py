"""Malformed addresses and query strings are answered with an error, never with a 500.

Every route the application has is found in its URL map, so a new one is covered without being named
here. Each page is asked for with the demo content loaded (ids from 1 exist for most tables), by an
anonymous visitor and by an administrator (who reaches the most pages): first with ids that do not
exist or cannot exist, then, where the page answers, with each usual query parameter set to values
no form would send.
"""
from __future__ import annotations

import pytest

from civic.demo.content import load_demo_content
from civic.extensions import db
from tests.security.routes import filled, rules

# Query parameters the site's pages read (lists, pages, filters, search, redirects), and values no
# link of the site would carry: text for a number, a negative one, one beyond any integer column,
# a superscript digit (str.isdigit() accepts it, int() does not), more digits than int() reads, a NUL
# byte, a very long value, an impossible date.
PARAMETERS = ("page", "sort", "seed", "hidden", "comments", "q", "city", "status", "theme", "kind", "year",
              "neighbourhood", "call", "format", "next", "from", "to", "type", "objective", "axis")
VALUES = ("abc", "-1", "99999999999999999999999", "9" * 5000, "²", "%00", "x" * 3000, "2026-13-45")
# Ids in the address: missing, zero, beyond any id (other parts get a name that matches nothing).
ID_VALUES = ("999999", "0", "99999999999999999999999")


def _addresses(app, fill_id: str) -> list[str]:
    return sorted({filled(rule, fill_id) for rule in rules(app, {"GET"})})


@pytest.fixture
def app_config():
    # A server error is answered as in production (a 500 page), so that the crawl can list them all.
    return {"PROPAGATE_EXCEPTIONS": False}


@pytest.fixture
def demo(app, reference_data, make_user):
    load_demo_content()
    db.session.commit()
    make_user("admin", email="crawler.admin@example.it")


@pytest.mark.parametrize("visitor", ["anonymous", "admin"])
def test_no_address_or_query_string_gets_a_server_error(app, client, demo, visitor):
    if visitor == "admin":
        client.login("crawler.admin@example.it")
    failures = []

    def get(url: str) -> int:
        status = client.get(url).status_code
        if status >= 500:
            failures.append(f"{status} {url[:200]}")
        return status

    answering = []
    for fill in ("1", *ID_VALUES):
        for address in _addresses(app, fill):
            if get(address) == 200 and fill == "1":
                answering.append(address)
    for address in answering:
        for parameter in PARAMETERS:
            for value in VALUES:
                get(f"{address}?{parameter}={value}")
    assert answering, "no page answered: the crawl reached nothing"
    assert not failures, "\n".join(failures)
