"""Oversized requests: every route that takes a form, read from the URL map, answers 413 with the site's
error page (never a 500, never a stack trace) to a body larger than it accepts, and changes nothing; so
does a text field larger than a form may hold. Sent by an administrator, who may use the most routes.
(Each form's own length limits answer 422 with the field's message: tests of each domain.)"""
from __future__ import annotations

import io

import pytest

from civic.core import content_version
from civic.demo.content import load_demo_content
from civic.extensions import db
from tests.conftest import table_counts
from tests.posts.helpers import english
from tests.security.routes import filled, rules

TOO_LARGE = "What you sent is larger than the site accepts."
# Routes that answer before reading any body, and why.
BODY_NOT_READ = {"notifications.unsubscribe": "the one-click unsubscribe checks its signed token and reads no form"}


@pytest.fixture
def demo(app, reference_data, make_user):
    content_version.create_rows()
    load_demo_content()
    db.session.commit()
    make_user("admin", email="limits.admin@example.it")


def _changing_routes(app) -> list[tuple[str, str, str]]:
    changing = {"POST", "PUT", "PATCH", "DELETE"}
    return sorted({(method, filled(rule).replace("nothing-here", "torino") if "<slug>" in rule.rule else filled(rule),
                    rule.endpoint) for rule in rules(app, changing) for method in rule.methods & changing})


def _state():
    db.session.expire_all()
    return table_counts(), content_version.current()


def _answered_too_large(response) -> bool:
    html = response.get_data(as_text=True)
    return response.status_code == 413 and "Traceback" not in html and "it-header-wrapper" in html


def test_every_form_refuses_what_is_too_large_and_changes_nothing(app, client, demo):
    client.login("limits.admin@example.it")
    english(client)
    token = client.csrf_token("/privacy")
    # Larger than any route accepts, co-design documents and project imports included.
    file_limit = max(app.config["MAX_CONTENT_LENGTH"], app.config["DOCUMENT_MAX_BYTES"]) + 2 * 1024 * 1024
    before = _state()
    wrong = []
    for method, url, endpoint in _changing_routes(app):
        big_file = client.open(url, method=method, content_type="multipart/form-data", data={
            "csrf_token": token, "file": (io.BytesIO(b"x" * file_limit), "grande.pdf")})
        if not _answered_too_large(big_file) and endpoint not in BODY_NOT_READ:
            wrong.append(f"{big_file.status_code} {method} {url} ({endpoint})")
    assert not wrong, "\n".join(wrong)
    assert _state() == before
    assert TOO_LARGE in client.post("/posts/1/comments", content_type="multipart/form-data", data={
        "csrf_token": token, "file": (io.BytesIO(b"x" * file_limit), "grande.pdf")}).get_data(as_text=True)


def test_a_text_field_larger_than_a_form_holds_is_refused(app, client, demo):
    client.login("limits.admin@example.it")
    english(client)
    token = client.csrf_token("/privacy")
    before = _state()
    # A comment of 600 KB sent as a multipart form: more than a form's field may hold in memory.
    response = client.post("/posts/1/comments", content_type="multipart/form-data",
                           data={"csrf_token": token, "body": "x" * 600 * 1024})
    assert _answered_too_large(response) and TOO_LARGE in response.get_data(as_text=True)
    # The same as an ordinary form: the comment's own limit answers, with its message.
    response = client.post("/posts/1/comments", data={"csrf_token": token, "body": "x" * 600 * 1024})
    assert response.status_code == 422 and "Traceback" not in response.get_data(as_text=True)
    assert _state() == before
