"""Two requests that insert the same row at the same moment: both pass the service's check, one write wins
and the other meets the unique constraint. The loser gets the answer a request made a moment later gets
(the form again with the check's message), never a 500; what reaches no form answers 409 with the error
page, after a rollback, so the page itself can read the database."""
from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from civic.accounts.models import User
from civic.extensions import db
from tests.conftest import PASSWORD
from tests.posts.helpers import english
from tests.races import DUPLICATE, clients, post_at_once

PARALLEL = 20
EXISTS = "An account with this email address already exists."


def test_simultaneous_registrations_with_one_address_make_one_account(app, client):
    results = post_at_once(app, clients(app, PARALLEL), "/account/register", {
        "display_name": "Anna Rossi", "email": "anna.parallela@example.it", "password": PASSWORD,
        "password_confirm": PASSWORD, "home_city": "", "home_neighbourhood": "", "accept_privacy": "y"})
    statuses = [status for status, _page in results]
    assert statuses.count(302) == 1, statuses
    for status, page in results:
        if status != 302:
            assert status == 422, status
            assert EXISTS in page or DUPLICATE in page, page[:2000]
    count = db.session.scalar(select(func.count()).select_from(User).where(User.email == "anna.parallela@example.it"))
    assert count == 1


@pytest.mark.fresh_app  # it adds routes
def test_a_duplicate_met_by_a_view_answers_409_with_the_error_page_and_the_session_is_usable(app, client, make_user,
                                                                                           caplog):
    make_user(email="gia.presente@example.it")
    db.session.commit()

    def insert_twice():
        db.session.add(User(email="gia.presente@example.it", display_name="Copia", password_hash="x", role="resident"))
        db.session.flush()

    @app.route("/duplicate")
    def duplicate():
        insert_twice()
        return "never"

    @app.route("/api/v1/duplicate")
    def api_duplicate():
        insert_twice()
        return "never"

    @app.route("/not-null")
    def not_null():
        db.session.add(User(email=None, display_name="Senza", password_hash="x", role="resident"))
        db.session.flush()
        return "never"

    english(client)
    with caplog.at_level(logging.ERROR, logger="civic.errors"):
        response = client.get("/duplicate")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert DUPLICATE in page
    assert "409 · Home" not in page  # the site's layout, not the bare page of a broken database
    assert not [r for r in caplog.records if "could not be rendered" in r.getMessage()]

    api = client.get("/api/v1/duplicate")
    assert api.status_code == 409 and api.get_json()["error"]["status"] == 409
    assert api.get_json()["error"]["message"] == DUPLICATE

    # Any other broken constraint is a 500, whose page is rendered in the layout too.
    app.config["PROPAGATE_EXCEPTIONS"] = False
    with caplog.at_level(logging.ERROR, logger="civic.errors"):
        broken = client.get("/not-null")
    assert broken.status_code == 500
    assert "500 · Home" not in broken.get_data(as_text=True)
    assert not [r for r in caplog.records if "could not be rendered" in r.getMessage()]
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
    assert client.get("/").status_code == 200
