"""Malformed addresses and query strings are answered with an error, never with a 500.

Every route the application has is found in its URL map, so a new one is covered without being named
here. Each page is asked for with the demo content loaded (ids from 1 exist for most tables), by an
anonymous visitor and by an administrator (who reaches the most pages): first with ids that do not
exist or cannot exist, then, where the page answers, with each query parameter the page reads set to
values no form would send.

Which parameters a page reads is recorded while it answers (the request's arguments note every name
looked up), on the plain address and again on every malformed one, since a parameter may be read
only when another one is present; a page that goes through all its arguments (the API refusing the
ones it does not know) gets every name of PARAMETERS. A parameter no page reads cannot reach a query,
so nothing is left out by not sending it.

The crawl runs on SQLite; on PostgreSQL (where an out-of-range number fails differently) it is marked
`slow`: CI runs it, `pytest --run-slow` does too.
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Request
from werkzeug.datastructures import ImmutableMultiDict

from civic.demo.content import load_demo_content
from civic.extensions import db
from tests.security.routes import filled, rules

# Query parameters the site's pages read (lists, pages, filters, search, redirects), for the pages
# that read every argument they are given.
PARAMETERS = ("page", "sort", "seed", "hidden", "comments", "q", "city", "status", "theme", "kind", "year",
              "neighbourhood", "call", "format", "next", "from", "to", "type", "objective", "axis")
# Values no link of the site would carry: text for a number, a negative one, one beyond any integer
# column, a superscript digit (str.isdigit() accepts it, int() does not), more digits than int() reads,
# a NUL byte, a very long value, an impossible date.
VALUES = ("abc", "-1", "99999999999999999999999", "9" * 5000, "²", "%00", "x" * 3000, "2026-13-45")
# Ids in the address: missing, zero, beyond any id (other parts get a name that matches nothing).
ID_VALUES = ("999999", "0", "99999999999999999999999")
EVERY_NAME = "*"


class ReadingLog:
    """The argument names the current request looked up (EVERY_NAME: it went through all of them)."""

    def __init__(self):
        self.names: set[str] = set()

    def take(self) -> set[str]:
        names, self.names = self.names, set()
        return names


def _recording_arguments(log: ReadingLog) -> type[ImmutableMultiDict]:
    class RecordingArguments(ImmutableMultiDict):
        def __getitem__(self, key):
            log.names.add(key)
            return super().__getitem__(key)

        def get(self, key, default=None, type=None):  # noqa: A002 - werkzeug's signature
            log.names.add(key)
            return super().get(key, default, type)

        def getlist(self, key, type=None):  # noqa: A002
            log.names.add(key)
            return super().getlist(key, type)

        def __contains__(self, key):
            log.names.add(key)
            return super().__contains__(key)

        def __iter__(self) -> Iterator:
            log.names.add(EVERY_NAME)
            return super().__iter__()

        def keys(self):
            log.names.add(EVERY_NAME)
            return super().keys()

        def items(self, multi=False):
            log.names.add(EVERY_NAME)
            return super().items(multi)

        def lists(self):
            log.names.add(EVERY_NAME)
            return super().lists()

        def to_dict(self, flat=True):
            log.names.add(EVERY_NAME)
            return super().to_dict(flat)

    return RecordingArguments


@pytest.fixture
def reading_log(app) -> Iterator[ReadingLog]:
    log = ReadingLog()

    class RecordingRequest(Request):
        parameter_storage_class = _recording_arguments(log)

    original = app.request_class
    app.request_class = RecordingRequest
    try:
        yield log
    finally:
        app.request_class = original


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


def _crawl(app, client, reading_log: ReadingLog, visitor: str) -> tuple[list[str], int, int]:
    """(server errors, pages answering, requests made)."""
    if visitor == "admin":
        client.login("crawler.admin@example.it")
    failures: list[str] = []
    requests = 0

    def get(url: str) -> int:
        nonlocal requests
        requests += 1
        status = client.get(url).status_code
        if status >= 500:
            failures.append(f"{status} {url[:200]}")
        return status

    answering: dict[str, set[str]] = {}
    for fill in ("1", *ID_VALUES):
        for address in _addresses(app, fill):
            reading_log.take()
            if get(address) == 200 and fill == "1":
                answering[address] = reading_log.take()
    for address, first_read in answering.items():
        sent: set[str] = set()
        pending = set(PARAMETERS) if EVERY_NAME in first_read else first_read
        while pending - sent:
            parameter = min(pending - sent)
            sent.add(parameter)
            for value in VALUES:
                reading_log.take()
                get(f"{address}?{parameter}={value}")
                read = reading_log.take()
                pending |= set(PARAMETERS) if EVERY_NAME in read else read - {EVERY_NAME}
    return failures, len(answering), requests


@pytest.mark.slow(backend="postgresql")
@pytest.mark.parametrize("visitor", ["anonymous", "admin"])
def test_no_address_or_query_string_gets_a_server_error(app, client, demo, reading_log, visitor):
    failures, answering, requests = _crawl(app, client, reading_log, visitor)
    assert answering, "no page answered: the crawl reached nothing"
    assert requests > answering * 2, "no query parameter was read by any page: the recording is broken"
    assert not failures, "\n".join(failures)


def test_the_crawl_sends_the_parameters_a_page_reads(app, client, demo, reading_log):
    """The recording itself: the list of a city's ideas reads its filters, paging and order."""
    client.get("/cities/torino/ideas")
    read = reading_log.take()
    assert {"page", "sort", "status"} <= read, read
    client.get("/healthz")
    assert not reading_log.take() - {EVERY_NAME}
