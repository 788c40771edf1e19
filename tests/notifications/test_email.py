"""Notification emails through a real SMTP server: language, unsubscribe, digests, retries, crashed workers."""
from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from civic.accounts.models import User
from civic.extensions import db
from civic.moderation import services as moderation
from civic.notifications import follows, outbox, reading
from civic.notifications.models import EmailMessage, EmailStatus, Notification
from civic.posts import lifecycle
from tests.conftest import table_counts
from tests.posts.helpers import english

ROME = ZoneInfo("Europe/Rome")
_LINK = re.compile(r"https?://\S+/unsubscribe/\S+")


def _set(user: User, **values) -> None:
    for name, value in values.items():
        setattr(user, name, value)
    db.session.commit()


def _emails(status: str | None = None) -> list[EmailMessage]:
    query = select(EmailMessage).order_by(EmailMessage.id)
    if status:
        query = query.where(EmailMessage.status == status)
    db.session.expire_all()
    return list(db.session.scalars(query))


def _decide(moderator, idea, action="review", reason="Lo esaminiamo entro marzo."):
    lifecycle.perform(moderator, idea, action, reason)
    db.session.commit()


def test_each_recipient_gets_the_email_in_their_language(smtp, anna, bruno, carla, mod_torino, torino, new_idea):
    _set(bruno, locale="en")
    idea = new_idea(anna, torino, title="Orti condivisi")
    follows.follow(bruno, "idea", idea.id)
    db.session.commit()
    _decide(mod_torino, idea)
    assert [e.status for e in _emails()] == ["pending", "pending"]  # written with the notifications

    report = outbox.deliver_due()
    assert (report.sent, report.retried, report.failed) == (2, 0, 0)
    assert sorted(r for m in smtp.messages for r in m.recipients) == ["anna@example.it", "bruno@example.it"]
    (to_anna,), (to_bruno,) = smtp.to("anna@example.it"), smtp.to("bruno@example.it")
    assert to_bruno.subject == '[Città Inclusive] The idea "Orti condivisi" is now "Under review".'
    assert "Hello Bruno Bianchi," in to_bruno.body and "Answer of the municipality: Lo esaminiamo" in to_bruno.body
    assert to_anna.message["Content-Language"] == "it" and to_bruno.message["Content-Language"] == "en"
    assert "In valutazione" in to_anna.subject  # the status in Italian
    assert f"http://civic.test/ideas/{idea.id}-{idea.slug}" in to_anna.body
    for received in (to_anna, to_bruno):
        link = _LINK.search(received.body).group()
        assert received.message["List-Unsubscribe"] == f"<{link}>"
        assert received.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert [e.status for e in _emails()] == ["sent", "sent"]
    assert outbox.deliver_due().handled == 0  # nothing is sent twice
    assert len(smtp.messages) == 2


def test_the_unsubscribe_link_works_without_login(client, smtp, anna, carla, torino, new_need, add_comment):
    need = new_need(anna, torino)
    add_comment(carla, need, "Anche io")
    outbox.deliver_due()
    (received,) = smtp.to("anna@example.it")
    path = _LINK.search(received.body).group().removeprefix("http://civic.test")

    page = client.get(path)
    assert page.status_code == 200 and "anna@example.it" in page.get_data(as_text=True)
    assert db.session.get(User, anna.id).email_frequency == "immediate"  # a GET changes nothing
    response = client.post(path)  # no session, no CSRF token: the signed link is enough
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(User, anna.id).email_frequency == "never"
    add_comment(carla, need, "Ancora io")
    assert len(_notifications_of(anna)) == 2  # still notified on the site, not by email
    assert len(_emails()) == 1


def test_one_click_unsubscribe_as_mail_clients_send_it(client, anna, torino):
    from civic.notifications.tokens import make_unsubscribe_token

    token = make_unsubscribe_token(anna)
    response = client.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(User, anna.id).email_frequency == "never"


def test_a_tampered_unsubscribe_link_is_refused_clearly(client, anna, bruno):
    from civic.notifications.tokens import make_unsubscribe_token

    english(client)
    token = make_unsubscribe_token(anna)
    before = table_counts()
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "not-a-token", token + "x"):
        for method in (client.get, client.post):
            response = method(f"/unsubscribe/{bad}")
            assert response.status_code == 400
            assert "This unsubscribe link is not valid" in response.get_data(as_text=True)
    # A link issued for an address the account no longer has stops working.
    _set(anna, email="anna.nuova@example.it")
    assert client.post(f"/unsubscribe/{token}").status_code == 400
    db.session.expire_all()
    assert db.session.get(User, anna.id).email_frequency == "immediate"
    assert table_counts() == before


def _notifications_of(user) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.recipient_id == user.id)))


def test_preferences_page_from_the_account(client, anna):
    client.login("anna@example.it")
    english(client)
    assert 'href="/account/notifications"' in client.get("/account/").get_data(as_text=True)
    page = client.get("/account/notifications").get_data(as_text=True)
    assert 'value="immediate" checked' in page
    response = client.submit("/account/notifications", {"email_frequency": "daily"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, anna.id).email_frequency == "daily"
    response = client.submit("/account/notifications", {"email_frequency": "hourly"})
    assert response.status_code == 422 and "Choose one of the options." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, anna.id).email_frequency == "daily"


def test_an_email_about_content_hidden_before_sending_is_dropped(smtp, anna, carla, mod_torino, torino,
                                                                new_need, add_comment):
    need = new_need(anna, torino)
    comment = add_comment(carla, need, "Commento da nascondere")
    add_comment(carla, need, "Commento che resta")
    moderation.hide(mod_torino, comment, "Spam")
    db.session.commit()
    report = outbox.deliver_due()
    assert (report.sent, report.dropped) == (2, 1)  # the visible comment, and Carla told of the hiding
    assert [m.subject for m in smtp.messages if "Commento" in m.body] == []  # comments' text is never mailed
    assert {e.status for e in _emails()} == {"sent", "dropped"}
    assert len(smtp.to("anna@example.it")) == 1 and len(smtp.to("carla@example.it")) == 1


def test_daily_digest_once_a_day_without_hidden_content(smtp, anna, bruno, carla, mod_torino, torino,
                                                      new_need, new_idea, add_comment):
    _set(bruno, email_frequency="daily", locale="en")
    need, idea = new_need(anna, torino, title="Bisogno che verrà nascosto"), new_idea(anna, torino,
                                                                                        title="Idea che resta")
    for post in (need, idea):
        follows.follow(bruno, post.kind, post.id)
    db.session.commit()
    add_comment(carla, need, "Uno")
    add_comment(carla, idea, "Due")
    _decide(mod_torino, idea)
    assert [e.recipient_id for e in _emails()] == [anna.id, anna.id, anna.id]  # Bruno waits for his digest
    moderation.hide(mod_torino, need, "Spam")  # after the events, before the digest
    db.session.commit()

    created = max(n.created_at for n in _notifications_of(bruno))
    next_morning = (created.astimezone(ROME) + timedelta(days=1)).replace(hour=9, minute=0)
    outbox.deliver_due(now=next_morning)
    (digest,) = smtp.to("bruno@example.it")
    assert digest.subject == "[Città Inclusive] 2 updates today"
    assert "Idea che resta" in digest.body and "Bisogno che verrà nascosto" not in digest.body
    assert "Carla Verdi commented" in digest.body and "is now \"Under review\"" in digest.body
    assert _LINK.search(digest.body) and digest.message["List-Unsubscribe-Post"]

    # Later that day: new notifications wait for the next morning.
    add_comment(carla, idea, "Tre")
    assert outbox.compose_digests(now=next_morning + timedelta(hours=5)) == 0
    assert outbox.compose_digests(now=next_morning + timedelta(days=1)) == 1
    outbox.deliver_due(now=next_morning + timedelta(days=1))
    assert len(smtp.to("bruno@example.it")) == 2


def test_smtp_refusals_are_retried_with_growing_delays_then_given_up(app, smtp, anna, carla, torino, new_need,
                                                                    add_comment):
    need = new_need(anna, torino)
    add_comment(carla, need, "Anche io")
    now = datetime.now(ROME)
    smtp.refuse = 2
    assert outbox.deliver_due(now=now).retried == 1
    (email,) = _emails()
    assert (email.status, email.attempts) == ("pending", 1) and "451" in email.last_error
    assert email.next_attempt_at == now + timedelta(seconds=60)
    assert outbox.deliver_due(now=now + timedelta(seconds=30)).handled == 0  # not due yet
    assert outbox.deliver_due(now=now + timedelta(seconds=61)).retried == 1
    (email,) = _emails()
    assert email.attempts == 2 and email.next_attempt_at == now + timedelta(seconds=61 + 120)
    assert outbox.deliver_due(now=now + timedelta(seconds=200)).sent == 1
    (email,) = _emails()
    assert (email.status, email.attempts, email.last_error) == ("sent", 3, None)
    assert len(smtp.messages) == 1

    # A server that keeps refusing: given up after the last attempt (3 here), with the error kept.
    add_comment(carla, need, "Di nuovo")
    smtp.refuse, smtp.code = 100, "550 5.1.1 Mailbox unavailable"
    later = now + timedelta(hours=1)
    for step in range(3):
        outbox.deliver_due(now=later + timedelta(hours=step))
    failed = _emails(EmailStatus.FAILED)
    assert len(failed) == 1 and failed[0].attempts == 3 and "550" in failed[0].last_error
    assert outbox.deliver_due(now=later + timedelta(days=1)).handled == 0


def test_a_worker_killed_mid_batch_sends_nothing_twice(smtp, anna, make_user, torino, new_need, add_comment):
    need = new_need(anna, torino)
    for i in range(5):
        add_comment(make_user(email=f"vicino{i}@example.it"), need, f"Commento {i}")
    now = datetime.now(ROME)
    token, claimed = outbox.claim(10, now=now)
    assert len(claimed) == 5
    outbox.send_claimed(token, claimed[:2], now=now)  # ... and the worker dies here
    assert len(smtp.messages) == 2
    assert [e.status for e in _emails()] == ["sent", "sent", "sending", "sending", "sending"]

    # Restarted at once, another worker leaves the claimed rows alone while the lease runs.
    assert outbox.deliver_due(now=now + timedelta(seconds=10)).handled == 0
    # Once the lease has run out, the rest is sent; what was sent is not sent again.
    report = outbox.deliver_due(now=now + timedelta(seconds=301))
    assert report.sent == 3
    ids = [m.message["Message-ID"] for m in smtp.messages]
    assert len(ids) == len(set(ids)) == 5
    assert {e.status for e in _emails()} == {"sent"}
    # The late worker's token no longer matches: it cannot mark or resend anything.
    assert outbox.send_claimed(token, claimed, now=now).handled == 0
    assert len(smtp.messages) == 5


def test_workers_running_at_once_send_each_email_once(app, smtp, anna, make_user, torino, new_need, add_comment):
    need = new_need(anna, torino)
    for i in range(12):
        add_comment(make_user(email=f"vicino{i}@example.it"), need, f"Commento {i}")
    barrier, errors = threading.Barrier(3), []

    def work():
        with app.app_context():
            barrier.wait()
            try:
                outbox.deliver_due(batch=2)
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    ids = [m.message["Message-ID"] for m in smtp.messages]
    assert len(ids) == len(set(ids)) == 12
    assert db.session.scalar(select(func.count()).select_from(EmailMessage).where(
        EmailMessage.status == "sent")) == 12


def test_the_cli_sends_once_and_exits(runner, smtp, anna, carla, torino, new_need, add_comment):
    need = new_need(anna, torino)
    add_comment(carla, need, "Anche io")
    result = runner.invoke(args=["notifications", "send"])
    assert result.exit_code == 0, result.output
    assert "sent 1" in result.output
    assert len(smtp.messages) == 1
    assert runner.invoke(args=["notifications", "send", "--interval", "0"]).exit_code == 2


def test_without_confirmed_address_or_when_never_no_email_is_written(anna, bruno, carla, torino, new_need,
                                                                    add_comment):
    _set(bruno, email_confirmed_at=None)
    _set(carla, email_frequency="never")
    need = new_need(anna, torino)
    for person in (bruno, carla):
        follows.follow(person, "need", need.id)
    db.session.commit()
    add_comment(anna, need, "Novità")
    assert len(_notifications_of(bruno)) == len(_notifications_of(carla)) == 1
    assert _emails() == []
    assert reading.unread_count(carla) == 1
