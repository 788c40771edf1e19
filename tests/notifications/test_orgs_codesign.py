"""Following organisations and co-design processes; what their followers and members are told; the emails
through a real SMTP server, the invitation email through the outbox."""
from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from civic.accounts.models import User
from civic.codesign import services as codesign
from civic.codesign.models import CodesignProcess, DocumentRole, Meeting
from civic.core.timeutil import utcnow
from civic.extensions import db
from civic.moderation import services as moderation
from civic.notifications import follows, outbox, reading
from civic.notifications.models import EmailKind, EmailMessage, EmailStatus, Follow, Notification
from civic.orgs import services as orgs
from civic.orgs.models import Invitation, Organisation
from tests.codesign.conftest import MODERATOR, pdf_bytes, user
from tests.conftest import table_counts
from tests.posts.helpers import english, logged_in_clients, post_all_at_once


def _count(model, target_id: int) -> int:
    db.session.expire_all()
    return db.session.get(model, target_id).follower_count


def _followers(kind: str, target_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Follow).where(
        Follow.target_kind == kind, Follow.target_id == target_id))


def _told(event: str) -> list[int]:
    """The recipients of an event, sorted."""
    return sorted(db.session.scalars(select(Notification.recipient_id).where(Notification.event == event)))


def _texts(person: User) -> list[str]:
    with force_locale("en"):
        return [shown.text for shown in reading.page_of(db.session.get(User, person.id))[0]]


def _pdf(name: str = "documento.pdf", text: str = "v1") -> FileStorage:
    return FileStorage(stream=io.BytesIO(pdf_bytes(text)), filename=name)


# --- following ----------------------------------------------------------------------------------

def test_following_an_organisation_members_follow_theirs(client, anna, bruno, carla, new_org):
    org = new_org(anna, members=[carla])  # the admin who registers it and the member who joins follow it
    assert follows.is_following(anna, "organisation", org.id) and follows.is_following(carla, "organisation", org.id)
    assert _count(Organisation, org.id) == 2 == _followers("organisation", org.id)

    client.login("bruno@example.it")
    english(client)
    page = client.get(f"/organisations/{org.id}-{org.slug}").get_data(as_text=True)
    assert f'action="/follow/organisation/{org.id}"' in page and "2 people follow this" in page
    response = client.submit(f"/follow/organisation/{org.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/organisations/{org.id}-{org.slug}")
    assert client.submit(f"/follow/organisation/{org.id}").status_code == 302  # twice: counted once
    assert _count(Organisation, org.id) == 3 == _followers("organisation", org.id)
    page = client.get(f"/organisations/{org.id}-{org.slug}").get_data(as_text=True)
    assert f'action="/unfollow/organisation/{org.id}"' in page and "3 people follow this" in page
    assert client.submit(f"/unfollow/organisation/{org.id}").status_code == 302
    assert _count(Organisation, org.id) == 2 == _followers("organisation", org.id)
    before = table_counts()
    assert client.submit("/follow/organisation/999999").status_code == 404
    assert table_counts() == before


def test_following_a_process_and_its_hidden_origin(client, anna, bruno, carla, process, idea):
    # The author of the idea follows the process from its opening.
    assert follows.is_following(anna, "codesign", process.id)
    assert _count(CodesignProcess, process.id) == 1 == _followers("codesign", process.id)

    client.login("bruno@example.it")
    english(client)
    page = client.get(f"/codesign/{process.id}-{process.slug}")
    assert f'action="/follow/codesign/{process.id}"' in page.get_data(as_text=True)
    assert client.submit(f"/follow/codesign/{process.id}").status_code == 302
    assert client.submit(f"/follow/codesign/{process.id}").status_code == 302
    assert _count(CodesignProcess, process.id) == 2 == _followers("codesign", process.id)

    moderation.hide(user(MODERATOR), db.session.get(type(idea), idea.id), "Dati personali nel testo")
    db.session.commit()
    before = table_counts()
    client.login("carla@example.it")
    assert client.submit(f"/follow/codesign/{process.id}").status_code == 404
    assert table_counts() == before
    assert _count(CodesignProcess, process.id) == 2
    # The routes do not confirm that a hidden process exists: unfollowing answers 404 too, as for posts.
    assert client.submit(f"/unfollow/codesign/{process.id}").status_code == 404


# --- co-design events ---------------------------------------------------------------------------

def test_each_codesign_event_tells_the_followers_but_not_the_actor(anna, bruno, carla, process, meeting):
    moderator = user(MODERATOR)
    follows.follow(bruno, "codesign", process.id)
    follows.follow(moderator, "codesign", process.id)
    db.session.commit()

    upcoming = meeting(title="Primo tavolo di co-progettazione")
    assert _told("codesign.meeting") == sorted([anna.id, bruno.id])  # not the moderator who added it
    texts = _texts(bruno)
    assert texts[0] == ('New meeting of the co-design process "Portierato sociale alle Vallette": '
                        'Primo tavolo di co-progettazione.')
    with force_locale("en"):
        (shown,) = [s for s in reading.page_of(bruno)[0] if s.notification.event == "codesign.meeting"]
        assert shown.detail.startswith("When: ") and shown.url.endswith(f"{process.id}-{process.slug}")

    # Carla registers (without following); once the meeting took place the minutes reach her too.
    codesign.register(carla, upcoming)
    db.session.commit()
    held = db.session.get(Meeting, upcoming.id)
    held.starts_at -= timedelta(days=3)
    held.ends_at -= timedelta(days=3)
    db.session.commit()
    codesign.publish_minutes(moderator, held, "Presenti in dodici.", [carla.id])
    db.session.commit()
    assert _told("codesign.minutes") == sorted([anna.id, bruno.id, carla.id])
    codesign.publish_minutes(moderator, held, "Presenti in tredici.", [carla.id])  # a correction is not news
    db.session.commit()
    assert len(_told("codesign.minutes")) == 3
    assert ('The minutes of the meeting "Primo tavolo di co-progettazione" of the co-design process '
            '"Portierato sociale alle Vallette" are published.') in _texts(carla)

    document = codesign.add_document(moderator, process, "Scheda del progetto", DocumentRole.OTHER.value, _pdf())
    db.session.commit()
    assert _told("codesign.document") == sorted([anna.id, bruno.id])
    codesign.add_version(moderator, document, _pdf("scheda-2.pdf", "v2"))
    db.session.commit()
    assert _told("codesign.document_version") == sorted([anna.id, bruno.id])
    assert ('New version (2) of the document "Scheda del progetto" in the co-design process '
            '"Portierato sociale alle Vallette".') in _texts(bruno)
    with force_locale("it"):
        italian = [s.text for s in reading.page_of(db.session.get(User, anna.id))[0]]
        assert gettext('New document in the co-design process "%(title)s": %(document)s.',
                       title="Portierato sociale alle Vallette", document="Scheda del progetto") in italian


def test_a_document_for_participants_only_tells_only_the_followers_who_see_it(anna, bruno, make_user, process,
                                                                             torino):
    moderator = user(MODERATOR)
    colleague = make_user("moderator", email="collega.torino@example.it", cities=[torino])
    follows.follow(bruno, "codesign", process.id)
    follows.follow(colleague, "codesign", process.id)
    db.session.commit()
    codesign.add_document(moderator, process, "Bozza riservata", DocumentRole.OTHER.value, _pdf(),
                          visibility="participants")
    db.session.commit()
    # Neither the author of the idea nor Bruno may see it: only the other moderator of the city is told.
    assert _told("codesign.document") == [colleague.id]


def test_closing_tells_the_followers_the_outcome(anna, bruno, planned):
    process = planned("agreement")
    moderator = user(MODERATOR)
    follows.follow(bruno, "codesign", process.id)
    codesign.add_document(moderator, process, "Convenzione firmata", DocumentRole.AGREEMENT.value,
                          _pdf("convenzione.pdf"))
    db.session.commit()
    codesign.close_process(moderator, process, "La convenzione è firmata: si parte a gennaio.", "in_startup",
                           "Cooperativa Sociale Il Ponte")
    db.session.commit()
    assert _told("codesign.closed") == sorted([anna.id, bruno.id])
    with force_locale("en"):
        (shown,) = [s for s in reading.page_of(bruno)[0] if s.notification.event == "codesign.closed"]
        assert shown.text == 'The co-design process "Portierato sociale alle Vallette" is closed.'
        assert shown.detail == "Outcome: La convenzione è firmata: si parte a gennaio."


def test_a_process_whose_origin_is_hidden_disappears_from_notifications_emails_and_digests(
        smtp, anna, bruno, carla, process, idea, meeting):
    follows.follow(bruno, "codesign", process.id)
    carla.email_frequency = "daily"
    follows.follow(carla, "codesign", process.id)
    db.session.commit()
    meeting()
    assert reading.unread_count(bruno) == 1 and len(reading.page_of(carla)[0]) == 1
    moderation.hide(user(MODERATOR), db.session.get(type(idea), idea.id), "Dati personali nel testo")
    db.session.commit()
    db.session.expire_all()
    assert reading.unread_count(db.session.get(User, bruno.id)) == 0
    assert not [s for s in reading.page_of(db.session.get(User, bruno.id))[0] if s.notification.event.startswith(
        "codesign.")]
    report = outbox.deliver_due(now=utcnow() + timedelta(days=1, hours=1))  # the digest is due too
    assert not smtp.to("bruno@example.it") and not smtp.to("carla@example.it")
    assert report.dropped >= 1
    assert db.session.scalar(select(func.count()).select_from(EmailMessage).where(
        EmailMessage.kind == "digest")) == 0


# --- organisations ------------------------------------------------------------------------------

def test_organisation_events_reach_the_members_concerned(anna, bruno, carla, make_user, new_org, torino):
    moderator = make_user("moderator", email="mod.orgs@example.it", cities=[torino])
    org = new_org(anna, members=[bruno])
    # An invitation to an existing account: a notification on the site, and no email of its own.
    invitation, _token = orgs.invite(anna, org, "carla@example.it")
    db.session.commit()
    assert _told("org.invited") == sorted([bruno.id, carla.id])  # Bruno, invited by new_org, then Carla
    assert db.session.scalar(select(func.count()).select_from(EmailMessage)) == 0
    assert not db.session.scalar(select(Notification.digest_pending).where(Notification.event == "org.invited"))
    assert (f'Anna Rossi invited you to join "{org.name}" as member: open the link in the email we sent you to '
            "accept.") in _texts(carla)
    orgs.invite(anna, org, "nessuno@example.it")  # no account: nobody to notify on the site
    db.session.commit()
    assert _told("org.invited") == sorted([bruno.id, carla.id])

    orgs.change_role(anna, org, bruno.id, "admin")
    db.session.commit()
    assert _told("org.made_admin") == [bruno.id]
    assert f'You are now an administrator of "{org.name}".' in _texts(bruno)

    orgs.verify(moderator, org)
    db.session.commit()
    assert _told("org.verified") == sorted([anna.id, bruno.id])

    orgs.remove_member(anna, org, bruno.id)
    db.session.commit()
    assert _told("org.member_removed") == [bruno.id]
    assert f'You are no longer a member of "{org.name}".' in _texts(bruno)
    # The actor is never told of their own action.
    assert anna.id not in _told("org.made_admin") + _told("org.member_removed")


# --- emails through the SMTP server -------------------------------------------------------------

def test_followers_get_the_email_in_their_language_with_the_unsubscribe_link(smtp, anna, bruno, process, meeting):
    bruno.locale = "en"
    follows.follow(bruno, "codesign", process.id)
    db.session.commit()
    outbox.deliver_due()  # what the idea's selection sent its author
    smtp.reset()
    meeting(title="Secondo tavolo")
    report = outbox.deliver_due()
    assert (report.sent, report.failed) == (2, 0)
    (to_bruno,), (to_anna,) = smtp.to("bruno@example.it"), smtp.to("anna@example.it")
    assert to_bruno.subject == ('[Città Inclusive] New meeting of the co-design process "Portierato sociale alle '
                                'Vallette": Secondo tavolo.')
    assert to_bruno.message["Content-Language"] == "en" and to_anna.message["Content-Language"] == "it"
    with force_locale("it"):  # the sentence as the Italian catalogue has it
        italian = gettext('New meeting of the co-design process "%(title)s": %(meeting)s.',
                          title="Portierato sociale alle Vallette", meeting="Secondo tavolo")
    assert to_anna.subject == f"[Città Inclusive] {italian}" and "Ciao Anna Rossi" in to_anna.body
    assert "http://civic.test/codesign/" in to_bruno.body and f"{process.id}-{process.slug}" in to_bruno.body
    for received in (to_anna, to_bruno):
        link = re.search(r"https?://\S+/unsubscribe/\S+", received.body).group()
        assert received.message["List-Unsubscribe"] == f"<{link}>"


def _invitation_emails() -> list[EmailMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(EmailMessage).where(EmailMessage.kind == EmailKind.INVITATION.value)
                                   .order_by(EmailMessage.id)))


def test_the_invitation_email_is_queued_then_sent_by_the_worker_and_retried(client, app, smtp, anna, new_org):
    org = new_org(anna)
    client.login("anna@example.it")
    response = client.submit(f"/organisations/{org.id}/invitations", {"email": "dario@example.it", "role": "member"})
    assert response.status_code == 302
    assert not smtp.messages  # nothing is sent during the request
    (queued,) = _invitation_emails()
    assert queued.status == EmailStatus.PENDING and queued.recipient_id is None and queued.language == "it"
    assert queued.to_address == "dario@example.it" and queued.unsubscribe_url is None
    assert "/organisations/invitations/" not in queued.body_text  # the token is never stored

    smtp.refuse = 1  # the mail server fails once: nothing is lost
    report = outbox.deliver_due()
    assert (report.sent, report.retried) == (0, 1)
    (queued,) = _invitation_emails()
    assert queued.status == EmailStatus.PENDING and "451" in queued.last_error
    assert outbox.deliver_due().handled == 0  # not due yet
    report = outbox.deliver_due(now=utcnow() + timedelta(minutes=2))
    assert report.sent == 1
    (received,) = smtp.to("dario@example.it")
    assert received.subject == f"Invito a far parte di {org.name}"
    assert received.message["Content-Language"] == "it" and received.message["List-Unsubscribe"] is None
    token = re.search(r"http://civic\.test/organisations/invitations/([\w-]+)", received.body).group(1)
    assert db.session.scalar(select(Invitation.token_hash)) == orgs.hash_token(token)
    assert _invitation_emails()[0].status == EmailStatus.SENT

    # The link of the email works.
    visitor = app.test_client()
    english(visitor)
    page = visitor.get(f"/organisations/invitations/{token}")
    assert page.status_code == 200 and org.name in page.get_data(as_text=True)


def test_an_invitation_revoked_before_its_email_leaves_is_not_sent(smtp, anna, new_org, make_user):
    make_user(email="english@example.it", locale="en")
    org = new_org(anna)
    invitation, _token = orgs.invite(anna, org, "english@example.it")
    orgs.send_invitation(invitation)
    db.session.commit()
    (queued,) = _invitation_emails()
    assert queued.language == "en" and queued.subject == f"Invitation to join {org.name}"
    orgs.revoke_invitation(anna, org, invitation.id)
    db.session.commit()
    report = outbox.deliver_due()
    assert (report.sent, report.dropped) == (0, 1) and not smtp.messages


@pytest.mark.parametrize("role", ["member", "admin"])
def test_joining_by_invitation_follows_the_organisation(anna, bruno, new_org, role):
    org = new_org(anna, **{"members" if role == "member" else "admins": [bruno]})
    assert follows.is_following(bruno, "organisation", org.id)
    assert _count(Organisation, org.id) == 2


@pytest.mark.parametrize("kind", ["organisation", "codesign"])
def test_the_counts_are_exact_under_parallel_follows(app, client, make_user, anna, new_org, process, kind):
    target = new_org(anna) if kind == "organisation" else process  # Anna follows both already
    model = Organisation if kind == "organisation" else CodesignProcess
    clients = logged_in_clients(app, [make_user(email=f"fan{i}@example.it").email for i in range(6)])
    results = post_all_at_once(app, clients + clients, f"/follow/{kind}/{target.id}")  # each clicks twice
    assert all(r == 302 for r in results), results
    assert _count(model, target.id) == _followers(kind, target.id) == 7
    results = post_all_at_once(app, clients + clients, f"/unfollow/{kind}/{target.id}")
    assert all(r == 302 for r in results), results
    assert _count(model, target.id) == _followers(kind, target.id) == 1
