"""Delete my account: personal data erased, public contributions kept as "utente eliminato", votes counted."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from civic.accounts.models import User
from civic.audit.models import AuditEvent
from civic.extensions import db
from civic.notifications.models import Follow, Notification
from civic.orgs.models import Membership, Organisation
from civic.participation.models import Vote
from civic.posts.models import Post
from tests.conftest import PASSWORD, table_counts
from tests.posts.helpers import english

CONFIRM = {"password": PASSWORD, "understood": "y"}


def test_deleting_erases_the_person_and_keeps_what_they_published(client, app, anna, bruno, anna_active, new_org,
                                                                   smtp):
    need, idea = anna_active
    org = new_org(bruno, admins=[anna])  # Anna is one of two admins: she can leave it
    votes_before = db.session.get(Post, idea.id).vote_count
    followers_before = db.session.get(Post, idea.id).follower_count
    members_before = db.session.get(Organisation, org.id).member_count
    anna_id = anna.id

    other_device = app.test_client()
    other_device.login(anna.email)
    client.login(anna.email)
    assert client.get("/account/delete").status_code == 200
    response = client.submit("/account/delete", CONFIRM)
    assert response.status_code == 302 and response.headers["Location"] == "/"

    gone = db.session.get(User, anna_id)
    assert gone.email == f"deleted-{anna_id}@account.invalid"
    assert gone.stored_name == "utente eliminato"
    assert not gone.active and gone.deleted_at is not None
    assert gone.home_city_id is None and gone.last_login_at is None
    # Private things are gone, counters moved back; the vote stays counted.
    assert db.session.scalars(select(Follow).where(Follow.user_id == anna_id)).all() == []
    assert db.session.scalars(select(Notification).where(Notification.recipient_id == anna_id)).all() == []
    assert db.session.scalars(select(Membership).where(Membership.user_id == anna_id)).all() == []
    assert db.session.get(Organisation, org.id).member_count == members_before - 1
    assert db.session.get(Post, idea.id).follower_count == followers_before - 1
    assert db.session.get(Post, idea.id).vote_count == votes_before
    assert db.session.scalar(select(Vote.id).where(Vote.user_id == anna_id, Vote.post_id == idea.id)) is not None
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.target_id == anna_id)) == "user.delete"

    # Logged out here and on the other device; the old password opens nothing.
    assert client.get("/account/").status_code == 302
    assert other_device.get("/account/").status_code == 302
    refused = client.submit("/account/login", {"email": "anna@example.it", "password": PASSWORD})
    assert refused.status_code == 422

    # Her need is still there, signed "utente eliminato", with no link to a profile, which is gone.
    page = client.get(f"/needs/{need.id}", follow_redirects=True).get_data(as_text=True)
    assert "Panchine rotte ai giardini" in page
    assert "utente eliminato" in page and "Anna Rossi" not in page
    assert f"/users/{anna_id}" not in page
    assert client.get(f"/users/{anna_id}").status_code == 404
    english(client)
    assert "deleted user" in client.get(f"/ideas/{idea.id}", follow_redirects=True).get_data(as_text=True)
    api = client.get(f"/api/v1/needs/{need.id}").get_json()
    assert api["author"] == {"display_name": "deleted user", "profile_url": None}

    # A last email to the old address; the address can register again.
    assert any("deleted" in m.subject or "eliminato" in m.subject for m in smtp.to("anna@example.it"))
    again = client.submit("/account/register", {"email": "anna@example.it", "display_name": "Anna di nuovo",
                                                "password": "una frase lunga e nuova", "password_confirm":
                                                "una frase lunga e nuova", "accept_privacy": "y"})
    assert again.status_code == 302, again.get_data(as_text=True)[:2000]
    assert db.session.scalar(select(User.id).where(User.email == "anna@example.it")) not in (None, anna_id)


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"password": "not her password", "understood": "y"}, "password", "The password is not correct."),
    ({"password": "", "understood": "y"}, "password", "Enter your password to confirm."),
    ({"password": PASSWORD}, "understood", "Tick the box to confirm"),
])
def test_a_refused_deletion_changes_nothing(client, anna, anna_active, data, field, message):
    client.login(anna.email)
    english(client)
    before = table_counts()
    response = client.submit("/account/delete", data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html and message in html
    assert table_counts() == before
    kept = db.session.get(User, anna.id)
    assert kept.email == "anna@example.it" and kept.active and kept.deleted_at is None
    assert client.get("/account/").status_code == 200


def test_the_last_admin_of_an_organisation_must_hand_it_over_first(client, anna, bruno, new_org, torino):
    org = new_org(anna, members=[bruno], name="Associazione Il Cortile")
    client.login(anna.email)
    english(client)
    page = client.get("/account/delete").get_data(as_text=True)
    assert "You are the only administrator of Associazione Il Cortile" in page
    before = table_counts()
    response = client.submit("/account/delete", CONFIRM)
    assert response.status_code == 422
    assert "Give the administrator role to another member first" in response.get_data(as_text=True)
    assert table_counts() == before
    assert db.session.get(User, anna.id).deleted_at is None

    # Once Bruno is an admin too, she can go; the organisation keeps him.
    from civic.orgs import services as orgs

    orgs.change_role(anna, org, bruno.id, "admin")
    db.session.commit()
    assert client.submit("/account/delete", CONFIRM).status_code == 302
    assert db.session.get(Organisation, org.id).member_count == 1


def test_the_only_administrator_of_the_platform_cannot_leave_it_without_one(client, make_user):
    admin = make_user("admin", email="admin@example.it")
    client.login(admin.email)
    english(client)
    response = client.submit("/account/delete", CONFIRM)
    assert response.status_code == 422
    assert "the platform&#39;s only administrator" in response.get_data(as_text=True)
    assert db.session.get(User, admin.id).deleted_at is None


def test_deleting_needs_a_login(client):
    response = client.get("/account/delete")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
