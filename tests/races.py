"""Requests sent at the same moment, for the race tests: each client its own session (and login), all
released together by a barrier, each in its own app context as in production."""
from __future__ import annotations

import threading

from tests.posts.helpers import english

# What a request that lost a race against a unique constraint is told (civic/core/errors.py).
DUPLICATE = "This has just been saved by another request, so it already exists. Reload the page to see it."


def clients(app, count: int, login: str | None = None) -> list:
    """`count` test clients, in English, logged in as `login` when given: (client, CSRF token) each."""
    made = []
    for _ in range(count):
        client = app.test_client()
        if login is not None:
            client.login(login)
        english(client)
        made.append((client, client.csrf_token()))
    return made


def post_at_once(app, senders: list, url: str, data: dict) -> list:
    """POST from every (client, token) at the same moment: each (status, page) or the exception's text."""
    barrier = threading.Barrier(len(senders))
    results: list = [None] * len(senders)

    def run(i, client, token):
        with app.app_context():  # its own session, as a request in production
            barrier.wait()
            try:
                response = client.post(url, data={"csrf_token": token, **data})
                results[i] = (response.status_code, response.get_data(as_text=True))
            except Exception as error:  # noqa: BLE001 - TESTING propagates a 500's exception: report it
                results[i] = (f"{type(error).__name__}: {error}"[:300], "")

    threads = [threading.Thread(target=run, args=(i, c, token)) for i, (c, token) in enumerate(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results
