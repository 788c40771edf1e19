"""The moderation queue is kept for each moderator's session (civic/core/pagecache.kept_for_account):
served again while nothing it shows has changed, built again after a report, a notification, a change
of role, and never served to anyone else."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update

from civic.accounts.models import Role, User
from civic.core import content_version
from civic.core.content_version import ContentVersion
from civic.extensions import db
from civic.notifications import services as notifications
from tests.moderation.helpers import open_reports_on


@pytest.fixture
def app_config():
    return {"PAGE_CACHE_SECONDS": 60}


@pytest.fixture(autouse=True)
def _version_row(app):
    content_version.create_rows()  # the migration's rows (tests build tables with create_all)
    db.session.commit()


def kept(response) -> str | None:
    return response.headers.get("X-Page-Cache")


def token_of(response) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.get_data(as_text=True)).group(1)


@pytest.fixture
def new_client(new_client):
    """A logged-in browser past the page that shows the login's message (a page with a message is not kept)."""
    def make(email: str | None = None):
        browser = new_client(email)
        browser.get("/")
        return browser

    return make


@pytest.fixture
def reported_need(anna, bruno, torino, new_need, add_report):
    need = new_need(anna, torino, title="Bisogno segnalato a Torino")
    add_report(bruno, need)
    return need


def test_the_queue_is_built_once_then_served_again_with_a_working_token(
        new_client, mod_torino, reported_need, count_queries):
    moderator = new_client(mod_torino.email)
    first = moderator.get("/moderation/")
    assert first.status_code == 200 and kept(first) == "miss"
    with count_queries() as counter:
        again = moderator.get("/moderation/")
    assert kept(again) == "hit"
    # The account (its session token), its unread notifications, the content version: nothing else.
    assert counter.count == 3, counter.statements
    assert "Bisogno segnalato a Torino" in again.get_data(as_text=True)
    # Every form of the kept page carries this session's token: dismissing the reports works.
    done = moderator.post(f"/moderation/post/{reported_need.id}/dismiss", data={"csrf_token": token_of(again)})
    assert done.status_code == 302
    assert open_reports_on("post", reported_need.id) == 0
    # The page after the action shows its message: built for it, and not kept.
    after = moderator.get("/moderation/")
    assert kept(after) is None and "Bisogno segnalato a Torino" not in after.get_data(as_text=True)


def test_a_new_report_shows_at_once(new_client, mod_torino, anna, carla, torino, new_need, add_report,
                                    reported_need):
    moderator = new_client(mod_torino.email)
    moderator.get("/moderation/")
    assert kept(moderator.get("/moderation/")) == "hit"
    other = new_need(anna, torino, title="Un altro bisogno segnalato")
    add_report(carla, other)
    page = moderator.get("/moderation/")
    assert kept(page) == "miss" and "Un altro bisogno segnalato" in page.get_data(as_text=True)


def test_a_notification_shows_in_the_bell_at_once(new_client, mod_torino, anna, reported_need):
    moderator = new_client(mod_torino.email)
    moderator.get("/moderation/")
    assert kept(moderator.get("/moderation/")) == "hit"
    notifications.notify("content.hidden", "need", reported_need.id, recipients=[mod_torino], reason="Spam")
    db.session.commit()
    page = moderator.get("/moderation/")
    assert kept(page) == "miss"
    assert "notifications-bell btn-warning" in page.get_data(as_text=True)


def test_each_moderator_gets_their_own_queue(new_client, mod_torino, mod_bari, anna, bruno, bari, new_need,
                                             add_report, reported_need):
    add_report(bruno, new_need(anna, bari, title="Bisogno segnalato a Bari"))
    torino_page = new_client(mod_torino.email).get("/moderation/")
    bari_browser = new_client(mod_bari.email)
    bari_page = bari_browser.get("/moderation/")
    assert kept(bari_page) == "miss"
    html = bari_page.get_data(as_text=True)
    assert "Bisogno segnalato a Bari" in html and "Bisogno segnalato a Torino" not in html
    assert "Bisogno segnalato a Torino" in torino_page.get_data(as_text=True)
    # A second session of the same moderator has a page of its own (its own token in every form).
    assert kept(new_client(mod_torino.email).get("/moderation/")) == "miss"


def test_a_moderator_who_loses_the_role_is_refused_at_once(new_client, mod_torino, reported_need):
    moderator = new_client(mod_torino.email)
    moderator.get("/moderation/")
    assert kept(moderator.get("/moderation/")) == "hit"
    db.session.execute(update(User).where(User.id == mod_torino.id).values(role=Role.RESIDENT.value))
    db.session.commit()
    assert moderator.get("/moderation/").status_code == 403


def test_a_renewed_session_token_logs_the_session_out(new_client, mod_torino, reported_need):
    moderator = new_client(mod_torino.email)
    moderator.get("/moderation/")
    assert kept(moderator.get("/moderation/")) == "hit"
    # As "log out everywhere" and a block do. The version is then put back as it was, so only the
    # account's own check can keep the kept page from being served.
    before = dict(db.session.execute(select(ContentVersion.id, ContentVersion.value)).all())
    db.session.execute(update(User).where(User.id == mod_torino.id).values(session_token="renewed"))
    db.session.commit()
    for slot, value in before.items():
        db.session.execute(update(ContentVersion).where(ContentVersion.id == slot).values(value=value))
    db.session.commit()
    page = moderator.get("/moderation/")
    assert page.status_code == 302 and "/account/login" in page.headers["Location"]


def test_pages_not_marked_are_never_kept_for_an_account(new_client, mod_torino, reported_need):
    moderator = new_client(mod_torino.email)
    for _ in range(2):
        assert kept(moderator.get("/cities/")) is None
