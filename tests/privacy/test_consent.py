"""The privacy notice: accepted at registration with its version, asked again when the version changes."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from civic.accounts.models import User
from civic.extensions import db
from civic.participation.models import Vote
from civic.privacy.models import Consent
from tests.conftest import PASSWORD, table_counts
from tests.posts.helpers import english, field_error

REGISTRATION = {"display_name": "Carla Neri", "email": "carla@example.it", "password": PASSWORD,
                "password_confirm": PASSWORD, "home_city": "", "home_neighbourhood": "", "accept_privacy": "y"}


def _consents(user_id: int) -> list[str]:
    return list(db.session.scalars(select(Consent.version).where(Consent.user_id == user_id).order_by(Consent.id)))


def test_the_notice_is_public_in_both_languages(client, app):
    page = client.get("/privacy")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Titolare del trattamento" in html and app.config["PRIVACY_VERSION"] in html
    assert 'href="/privacy"' in client.get("/").get_data(as_text=True)  # linked from every page's footer
    english(client)
    assert "The controller is" in client.get("/privacy").get_data(as_text=True)


def test_registration_records_the_accepted_version(client, app):
    form = client.get("/account/register").get_data(as_text=True)
    assert 'id="accept_privacy"' in form and 'href="/privacy"' in form
    assert client.submit("/account/register", REGISTRATION).status_code == 302
    carla = db.session.scalar(select(User).where(User.email == "carla@example.it"))
    assert carla.privacy_version == app.config["PRIVACY_VERSION"]
    assert _consents(carla.id) == [app.config["PRIVACY_VERSION"]]


def test_registration_without_accepting_creates_nothing(client):
    english(client)
    before = table_counts()
    response = client.submit("/account/register", {**REGISTRATION, "accept_privacy": ""})
    assert response.status_code == 422
    assert "read the privacy notice and tick the box" in field_error(response.get_data(as_text=True), "accept_privacy")
    assert table_counts() == before


class TestANewVersion:
    @pytest.fixture
    def anna_on_old_version(self, anna, app):
        app.config["PRIVACY_VERSION"] = "2027-01-01"  # the notice changed after Anna accepted it
        return anna

    def test_is_asked_before_anything_else(self, client, anna_on_old_version, torino, new_idea, bruno):
        anna = anna_on_old_version
        idea = new_idea(bruno, torino)
        english(client)
        client.login(anna.email)
        client._token = client.csrf_token("/privacy")  # the home page, where the token is usually read, waits too
        asked = client.get("/account/")
        assert asked.status_code == 303
        assert asked.headers["Location"] == "/privacy/accept?next=/account/?"
        page = client.get(asked.headers["Location"]).get_data(as_text=True)
        assert "The privacy notice has changed since you accepted it (now version 2027-01-01)" in page

        # An action sent meanwhile waits: not carried out.
        vote = client.submit(f"/posts/{idea.id}/vote")
        assert vote.status_code == 303 and vote.headers["Location"].startswith("/privacy/accept")
        assert db.session.scalar(select(func.count()).select_from(Vote).where(Vote.user_id == anna.id)) == 0

        # Refusing to tick the box keeps things as they are.
        refused = client.submit("/privacy/accept?next=/account/", {})
        assert refused.status_code == 422
        assert "Tick the box to accept the privacy notice" in refused.get_data(as_text=True)

        accepted = client.submit("/privacy/accept?next=/account/", {"accept": "y"})
        assert accepted.status_code == 302 and accepted.headers["Location"] == "/account/"
        assert _consents(anna.id) == ["2026-11-28", "2027-01-01"]
        assert db.session.get(User, anna.id).privacy_version == "2027-01-01"
        assert client.get("/account/").status_code == 200
        assert client.submit(f"/posts/{idea.id}/vote").status_code == 302
        assert db.session.scalar(select(func.count()).select_from(Vote).where(Vote.user_id == anna.id)) == 1

    def test_without_accepting_one_can_still_take_the_data_and_leave(self, client, anna_on_old_version):
        anna = anna_on_old_version
        client.login(anna.email)
        client._token = client.csrf_token("/privacy")
        for path in ("/privacy", "/account/data", "/account/delete"):
            assert client.get(path).status_code == 200, path
        assert client.submit("/account/data").status_code == 302
        assert client.submit("/account/logout").status_code == 302


def test_an_account_made_from_the_command_line_is_asked_at_first_login(client, runner, app):
    result = runner.invoke(args=["users", "create-admin", "capo@example.it", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    english(client)
    client.login("capo@example.it")
    assert client.get("/moderation/").status_code == 303
    client._token = client.csrf_token("/privacy")
    page = client.get("/privacy/accept").get_data(as_text=True)
    assert "Before you go on, read how the platform uses your data and accept it." in page
    client.submit("/privacy/accept", {"accept": "y"})
    assert client.get("/moderation/").status_code == 200
    admin = db.session.scalar(select(User).where(User.email == "capo@example.it"))
    assert _consents(admin.id) == [app.config["PRIVACY_VERSION"]]
