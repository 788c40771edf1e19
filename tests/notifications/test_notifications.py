"""Who is notified of what; the notifications page, the bell, read marks; hidden content never shows."""
from __future__ import annotations

import re

from sqlalchemy import select

from civic.extensions import db
from civic.moderation import services as moderation
from civic.notifications import follows, reading, services
from civic.notifications.models import Notification
from civic.posts import lifecycle
from tests.conftest import table_counts
from tests.posts.helpers import english


def _of(user, event: str | None = None) -> list[Notification]:
    query = select(Notification).where(Notification.recipient_id == user.id).order_by(Notification.id)
    if event:
        query = query.where(Notification.event == event)
    return list(db.session.scalars(query))


def _bell(page: str) -> str:
    match = re.search(r'notifications-bell.*?<span class="visually-hidden">(.*?)</span>', page, re.S)
    assert match, "no bell in the page"
    return match.group(1).strip()


def test_a_comment_notifies_the_followers_and_a_reply_the_author_of_the_comment(
        anna, bruno, carla, torino, new_need, add_comment):
    need = new_need(anna, torino)
    follows.follow(bruno, "need", need.id)
    db.session.commit()
    comment = add_comment(carla, need, "Anche nel mio cortile.")
    assert [(n.event, n.comment_id, n.actor_id) for n in _of(anna)] == [("comment.new", comment.id, carla.id)]
    assert [n.event for n in _of(bruno)] == ["comment.new"]
    assert _of(carla) == []  # never of one's own action

    add_comment(anna, need, "Grazie, lo segnalo.", parent=comment)
    assert [n.event for n in _of(carla)] == ["comment.reply"]  # Carla does not follow: the reply reaches her
    assert [n.event for n in _of(bruno)] == ["comment.new", "comment.new"]
    assert [n.event for n in _of(anna)] == ["comment.new"]


def test_a_decision_notifies_the_author_and_the_followers_with_its_answer(
        client, anna, bruno, carla, mod_torino, torino, new_idea):
    idea = new_idea(anna, torino)
    follows.follow(bruno, "idea", idea.id)
    db.session.commit()
    lifecycle.perform(mod_torino, idea, "review", "Lo esaminiamo entro marzo.")
    db.session.commit()
    for person in (anna, bruno):
        (n,) = _of(person)
        assert (n.event, n.actor_id, n.params["to_status"], n.params["reason"]) == (
            "idea.moved", mod_torino.id, "under_review", "Lo esaminiamo entro marzo.")
    assert _of(carla) == [] and _of(mod_torino) == []

    # The sentence is written when shown, in the reader's language.
    client.login("bruno@example.it")
    page = client.get("/notifications").get_data(as_text=True)
    assert "In valutazione" in page  # the status, in Italian (the sentence's catalogue entry comes with the merge)
    english(client)
    page = client.get("/notifications").get_data(as_text=True)
    assert f"The idea &#34;{idea.title}&#34; is now &#34;Under review&#34;." in page
    assert "Answer of the municipality: Lo esaminiamo entro marzo." in page
    assert f'href="/ideas/{idea.id}-{idea.slug}"' in page


def test_hiding_tells_the_author_only_with_the_reason_and_not_the_title(
        client, anna, bruno, mod_torino, torino, new_need, add_comment):
    need = new_need(anna, torino, title="Titolo da non mostrare")
    follows.follow(bruno, "need", need.id)
    db.session.commit()
    comment = add_comment(bruno, need, "Un commento scortese")
    moderation.hide(mod_torino, comment, "Linguaggio offensivo")
    moderation.hide(mod_torino, need, "Dati personali")
    db.session.commit()
    assert [n.params["what"] for n in _of(anna, "content.hidden")] == ["need"]
    assert [n.params["what"] for n in _of(bruno, "content.hidden")] == ["comment"]
    client.login("anna@example.it")
    english(client)
    page = client.get("/notifications").get_data(as_text=True)
    assert "The moderators hid one of your needs." in page and "Reason: Dati personali" in page
    assert "Titolo da non mostrare" not in page
    assert "Bruno" not in page  # the notification about his comment went with the hidden need


def test_blocking_notifies_no_one(anna, mod_torino, torino, new_need):
    from civic.moderation import blocking

    new_need(anna, torino)
    anna.home_city_id = torino.id
    db.session.commit()
    blocking.block(mod_torino, anna, "Account falso")
    db.session.commit()
    assert _of(anna) == []


def test_the_page_the_bell_and_read_marks(client, anna, bruno, carla, torino, new_need, add_comment):
    need = new_need(anna, torino)
    first = add_comment(bruno, need, "Primo")
    add_comment(carla, need, "Secondo")
    client.login("anna@example.it")
    english(client)
    page = client.get("/notifications").get_data(as_text=True)
    assert _bell(page) == "2 unread notifications"
    assert page.count("notification-unread") == 2
    assert page.index("Carla Verdi commented") < page.index("Bruno Bianchi commented")  # newest first
    # The comment's permanent address, which leads to the page of the conversation that shows it.
    assert f'href="/comments/{first.id}"' in page
    assert client.get(f"/comments/{first.id}").headers["Location"].endswith(
        f"/needs/{need.id}-{need.slug}#comment-{first.id}")

    mine = _of(anna)
    assert client.submit(f"/notifications/{mine[0].id}/read").status_code == 302
    page = client.get("/notifications").get_data(as_text=True)
    assert _bell(page) == "1 unread notification" and page.count("notification-unread") == 1
    assert client.submit("/notifications/read-all").status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert _bell(page) == "Notifications: none unread"


def test_someone_elses_notification_cannot_be_marked(client, anna, bruno, torino, new_need, add_comment):
    need = new_need(anna, torino)
    add_comment(bruno, need, "Primo")
    (theirs,) = _of(anna)
    client.login("bruno@example.it")
    english(client)
    before = table_counts()
    for url in (f"/notifications/{theirs.id}/read", "/notifications/999999/read"):
        response = client.submit(url)
        assert response.status_code == 404
        assert "This notification does not exist." in response.get_data(as_text=True)
    assert client.post(f"/notifications/{theirs.id}/read").status_code == 400  # no CSRF token
    assert table_counts() == before
    db.session.expire_all()
    assert db.session.get(Notification, theirs.id).read_at is None
    malformed = client.get("/notifications?page=abc")
    assert malformed.status_code == 400
    assert "The parameter page must be a whole number from 1 up." in malformed.get_data(as_text=True)


def test_the_page_needs_a_login(client):
    response = client.get("/notifications")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_content_hidden_after_the_event_leaves_the_page_and_the_bell(
        client, anna, bruno, carla, mod_torino, torino, new_need, new_idea, add_comment):
    need, idea = new_need(anna, torino, title="Bisogno poi nascosto"), new_idea(carla, torino)
    follows.follow(bruno, "need", need.id)
    follows.follow(bruno, "idea", idea.id)
    db.session.commit()
    add_comment(anna, need, "Aggiornamento")
    hidden_comment = add_comment(carla, idea, "Commento poi nascosto")
    add_comment(anna, idea, "Commento visibile")
    client.login("bruno@example.it")
    english(client)
    page = client.get("/notifications").get_data(as_text=True)
    assert _bell(page) == "3 unread notifications" and "Bisogno poi nascosto" in page

    moderation.hide(mod_torino, need, "Spam")
    moderation.hide(mod_torino, hidden_comment, "Spam")
    db.session.commit()
    page = client.get("/notifications").get_data(as_text=True)
    assert "Bisogno poi nascosto" not in page and "Carla Verdi" not in page
    assert _bell(page) == "1 unread notification" and page.count("notification-unread") == 1
    assert reading.unread_count(bruno) == 1


def test_the_page_runs_a_fixed_number_of_queries(client, anna, bruno, carla, torino, new_need, new_idea,
                                                  add_comment, count_queries):
    need, idea = new_need(bruno, torino), new_idea(bruno, torino)
    client.login("bruno@example.it")

    def queries() -> int:
        with count_queries() as counter:
            assert client.get("/notifications").status_code == 200
        return counter.count

    for post in (need, idea):
        add_comment(anna, post, "Uno")
    few = queries()
    for i in range(12):
        add_comment(carla if i % 2 else anna, (need, idea)[i % 2], f"Commento {i}")
    assert len(_of(bruno)) == 14
    assert queries() == few
    assert few <= 10, few


def test_another_domain_registers_its_kind_in_one_call(client, anna, bruno, carla, torino):
    """What the organisations and co-design domains do: register, then follow and notify like any other kind."""
    from sqlalchemy import true

    from civic.territories.models import City

    follows.register_followable("city", City, title="name", url=lambda city: f"/cities/{city.slug}",
                                is_visible=lambda: true())
    try:
        assert client.get("/").status_code == 200
        follows.follow(bruno, "city", torino.id)
        follows.follow(carla, "city", torino.id)
        db.session.commit()
        rows = services.notify("city.news", "city", torino.id, actor=carla, exclude=[anna], headline="Nuovo bando")
        db.session.commit()
        assert [n.recipient_id for n in rows] == [bruno.id]  # the actor is not notified
        assert services.notify("city.news", "city", torino.id, recipients=[anna, carla], exclude=[carla])[0] \
            .recipient_id == anna.id
        client.login("bruno@example.it")
        english(client)
        page = client.get("/notifications").get_data(as_text=True)
        assert "News about &#34;Torino&#34;." in page and 'href="/cities/torino"' in page  # the default sentence
        try:
            services.notify("nothing", "unknown_kind", 1)
        except ValueError as error:
            assert "unknown_kind" in str(error)
        else:
            raise AssertionError("an unknown kind must be refused")
    finally:
        follows._REGISTRY.pop("city", None)


def test_publishing_the_results_of_a_call_tells_its_followers_and_each_idea_its_people(
        client, people, anna, bruno, torino, new_call, new_idea):
    from civic.accounts.models import User
    from civic.calls import evaluation

    call = new_call("evaluation")
    idea = new_idea(anna, torino, title="Idea del bando")
    idea.call_id = call.id
    follows.follow(bruno, "call", call.id)
    db.session.commit()
    moderator = db.session.scalar(select(User).where(User.email == people["moderator"]))
    evaluation.publish_results(moderator, call, evaluation.ResultsDecisions(ideas={}, others_answer="Non rientra."))
    db.session.commit()
    assert [n.event for n in _of(bruno)] == ["call.results"]
    assert [(n.event, n.params["action"], n.params["reason"]) for n in _of(anna)] == [
        ("idea.moved", "reject", "Non rientra.")]
    client.login("bruno@example.it")
    english(client)
    page = client.get("/notifications").get_data(as_text=True)
    assert f"The results of the call &#34;{call.title}&#34; are published." in page
    assert f'href="/calls/{call.id}-{call.slug}"' in page
