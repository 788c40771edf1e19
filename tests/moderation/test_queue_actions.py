"""The moderation queue and the moderators' actions: hide, show again, dismiss the reports."""
from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlalchemy import select

from civic.audit.models import AuditEvent
from civic.core.timeutil import utcnow
from civic.extensions import db
from civic.moderation.models import Report
from tests.conftest import table_counts
from tests.moderation.helpers import audit_trail, comment_count, hidden_at, open_reports_on, queued, reports_on
from tests.posts.helpers import english, next_of


def _act(target, action: str) -> str:
    kind = "comment" if hasattr(target, "parent_id") else "post"
    return f"/moderation/{kind}/{target.id}/{action}"


@pytest.fixture
def reported(anna, bruno, carla, torino, bari, new_need, new_idea, add_comment, add_report):
    """Reported content in Torino (a need, an idea, a comment) and in Bari (a need)."""
    need = new_need(anna, torino, title="Bisogno segnalato a Torino")
    idea = new_idea(anna, torino, title="Idea segnalata a Torino")
    comment = add_comment(anna, need, "Commento segnalato a Torino")
    bari_need = new_need(anna, bari, title="Bisogno segnalato a Bari")
    for target in (need, idea, comment, bari_need):
        add_report(bruno, target)
    add_report(carla, need, "offensive")
    return {"need": need, "idea": idea, "comment": comment, "bari_need": bari_need}


# --- the queue ----------------------------------------------------------------------------------

def test_the_queue_is_for_moderators_only(client, reported, anna, bruno, make_user):
    assert next_of(client.get("/moderation/").headers["Location"]) == "/moderation/"
    client.login("bruno@example.it")
    assert client.get("/moderation/").status_code == 403
    assert client.get("/moderation/?sort=most_reported").status_code == 403
    client.submit("/account/logout")
    # A moderator without cities sees an empty queue.
    make_user("moderator", email="nessuna@example.it")
    client.login("nessuna@example.it")
    response = client.get("/moderation/")
    assert response.status_code == 200 and queued(response.get_data(as_text=True)) == []


def test_each_moderator_sees_the_reports_of_their_own_cities_and_admins_see_all(
        client, reported, mod_torino, mod_bari, admin):
    torino_items = {("post", reported["need"].id), ("post", reported["idea"].id), ("comment", reported["comment"].id)}
    bari_items = {("post", reported["bari_need"].id)}
    for email, expected in (("mod.torino@example.it", torino_items), ("mod.bari@example.it", bari_items),
                            ("admin@example.it", torino_items | bari_items)):
        client.login(email)
        response = client.get("/moderation/")
        assert response.status_code == 200, email
        html = response.get_data(as_text=True)
        assert set(queued(html)) == expected, email
        if email == "mod.bari@example.it":
            assert "segnalato a Torino" not in html
        client.submit("/account/logout")


def test_sorting_the_queue(client, reported, mod_torino, make_user, add_report):
    # The idea gets three more reports, but long ago; the comment's single report is the most recent.
    for i in range(3):
        add_report(make_user(email=f"extra{i}@example.it"), reported["idea"])
    now = utcnow()
    ages = {("post", reported["idea"].id): 50, ("post", reported["need"].id): 20,
            ("comment", reported["comment"].id): 1}
    for entry in db.session.scalars(select(Report)):
        entry.created_at = now - timedelta(minutes=ages.get((entry.target_kind, entry.target_id), 0), seconds=entry.id)
    db.session.commit()
    client.login("mod.torino@example.it")
    newest = queued(client.get("/moderation/").get_data(as_text=True))
    assert newest == queued(client.get("/moderation/?sort=newest").get_data(as_text=True))
    assert newest == [("comment", reported["comment"].id), ("post", reported["need"].id), ("post", reported["idea"].id)]
    most = queued(client.get("/moderation/?sort=most_reported").get_data(as_text=True))
    assert most == [("post", reported["idea"].id), ("post", reported["need"].id), ("comment", reported["comment"].id)]
    assert client.get("/moderation/?sort=bogus").status_code == 400
    assert client.get("/moderation/?sort=").status_code == 400


# --- refusals -----------------------------------------------------------------------------------

def test_hide_without_a_valid_reason_or_a_bad_request_changes_nothing(client, reported, mod_torino):
    client.login("mod.torino@example.it")
    before = table_counts()
    for action in ("hide", "unhide", "dismiss"):
        assert client.post(_act(reported["need"], action), data={"reason": "x"}).status_code in (400, 422)  # no CSRF
        assert client.submit(f"/moderation/post/999999/{action}", {"reason": "x"}).status_code == 404
        assert client.submit(f"/moderation/comment/999999/{action}", {"reason": "x"}).status_code == 404
        assert client.get(_act(reported["need"], action)).status_code == 405
    assert client.submit(f"/moderation/post/{reported['need'].id}/delete", {"reason": "x"}).status_code == 404
    for data in ({}, {"reason": ""}, {"reason": "    "}, {"reason": "x" * 501}, {"reason": "a\u202eb"}):
        for target in (reported["need"], reported["comment"]):
            response = client.submit(_act(target, "hide"), data)
            assert response.status_code == 422, data
            assert 'id="reason-error"' in response.get_data(as_text=True)
            assert hidden_at(target) is None
    assert table_counts() == before
    assert open_reports_on("post", reported["need"].id) == 2


def test_a_moderator_of_another_city_or_a_resident_cannot_act(client, reported, mod_torino, mod_bari, bruno, hide):
    hide(mod_torino, reported["idea"])  # something to show again
    targets = [reported["need"], reported["comment"], reported["idea"]]

    def state():
        return table_counts(), [(hidden_at(t), open_reports_on("comment" if hasattr(t, "parent_id") else "post", t.id))
                                for t in targets]

    before = state()
    for email in ("mod.bari@example.it", "bruno@example.it"):
        client.login(email)
        english(client)
        for action, target in itertools.product(("hide", "unhide", "dismiss"), targets):
            response = client.submit(_act(target, action), {"reason": "Non è di Bari"})
            assert response.status_code == 403, (email, action, target)
            if email == "mod.bari@example.it":
                assert "Only the moderators of Torino" in response.get_data(as_text=True)
        client.submit("/account/logout")
    assert state() == before


# --- the actions --------------------------------------------------------------------------------

def test_hide_a_post_resolves_its_reports_and_writes_the_audit_log(client, reported, anna, mod_torino, admin,
                                                                    torino):
    need = reported["need"]
    client.login("mod.torino@example.it")
    response = client.submit(_act(need, "hide"), {"reason": "  Linguaggio   offensivo "})
    assert response.status_code == 302 and response.headers["Location"].endswith("/moderation/")
    db.session.refresh(need)
    assert need.hidden_at is not None and need.hidden_reason == "Linguaggio offensivo"
    assert all(r.resolved_at is not None and r.resolved_by_id == mod_torino.id for r in reports_on("post", need.id))
    # The other items keep their open reports.
    assert open_reports_on("post", reported["idea"].id) == 1
    assert open_reports_on("comment", reported["comment"].id) == 1
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "post.hide"))
    assert (event.actor_id, event.actor_role, event.target_kind, event.target_id, event.city_id, event.reason) == (
        mod_torino.id, "moderator", "post", need.id, torino.id, "Linguaggio offensivo")
    assert event.summary == need.title
    # Gone from the queue's reports, listed among the hidden content.
    html = client.get("/moderation/").get_data(as_text=True)
    assert ("post", need.id) not in queued(html)
    hidden_section = html[html.index('id="hidden-heading"'):]
    assert need.title in hidden_section and "Linguaggio offensivo" in hidden_section
    assert f'action="/moderation/post/{need.id}/unhide"' in hidden_section
    # The public no longer sees it.
    public = client.application.test_client()
    assert public.get(f"/needs/{need.id}-{need.slug}").status_code == 404
    # The audit log of the admins (the moderators' record: it names what was hidden, and why).
    client.submit("/account/logout")
    client.login("admin@example.it")
    html = client.get("/admin/audit").get_data(as_text=True)
    assert "post.hide" in html and need.title in html and "Linguaggio offensivo" in html


def test_hiding_twice_or_showing_visible_content_changes_nothing(client, reported, mod_torino):
    client.login("mod.torino@example.it")
    before, trail = table_counts(), audit_trail()
    for target in (reported["need"], reported["comment"]):
        assert client.submit(_act(target, "unhide")).status_code == 409  # it is not hidden
    assert table_counts() == before and audit_trail() == trail
    assert client.submit(_act(reported["need"], "hide"), {"reason": "Spam"}).status_code == 302
    before, trail = table_counts(), audit_trail()
    first = hidden_at(reported["need"])
    response = client.submit(_act(reported["need"], "hide"), {"reason": "Ancora spam"})
    assert response.status_code in (409, 422)
    assert table_counts() == before and audit_trail() == trail
    assert hidden_at(reported["need"]) == first
    db.session.refresh(reported["need"])
    assert reported["need"].hidden_reason == "Spam"


def test_hiding_twice_is_a_conflict(client, reported, mod_torino):
    client.login("mod.torino@example.it")
    assert client.submit(_act(reported["comment"], "hide"), {"reason": "Spam"}).status_code == 302
    assert client.submit(_act(reported["comment"], "hide"), {"reason": "Spam"}).status_code == 409


def test_dismiss_closes_the_reports_and_keeps_the_content(client, reported, anna, mod_torino):
    need, comment = reported["need"], reported["comment"]
    client.login("mod.torino@example.it")
    for target in (need, comment):
        response = client.submit(_act(target, "dismiss"))
        assert response.status_code == 302 and response.headers["Location"].endswith("/moderation/")
        kind = "comment" if target is comment else "post"
        assert reports_on(kind, target.id) and open_reports_on(kind, target.id) == 0
        assert all(r.resolved_by_id == mod_torino.id for r in reports_on(kind, target.id))
        assert hidden_at(target) is None
    assert open_reports_on("post", reported["idea"].id) == 1
    assert queued(client.get("/moderation/").get_data(as_text=True)) == [("post", reported["idea"].id)]
    public = client.application.test_client().get(f"/needs/{need.id}-{need.slug}").get_data(as_text=True)
    assert need.title in public and "Commento segnalato a Torino" in public
    assert audit_trail() == [("post.dismiss_reports", "post", need.id, mod_torino.id),
                             ("comment.dismiss_reports", "comment", comment.id, mod_torino.id)]


def test_hide_and_show_again_a_post_and_a_comment(client, reported, anna, mod_torino, admin):
    need, idea, comment = reported["need"], reported["idea"], reported["comment"]
    public = client.application.test_client()
    assert comment_count(need) == 1

    client.login("mod.torino@example.it")
    assert client.submit(_act(idea, "hide"), {"reason": "Fuori tema"}).status_code == 302
    assert client.submit(_act(comment, "hide"), {"reason": "Offensivo"}).status_code == 302
    assert public.get(f"/ideas/{idea.id}-{idea.slug}").status_code == 404
    assert "Commento segnalato a Torino" not in public.get(f"/needs/{need.id}-{need.slug}").get_data(as_text=True)
    assert comment_count(need) == 0
    assert open_reports_on("comment", comment.id) == 0

    client.submit("/account/logout")
    client.login("admin@example.it")  # admins act everywhere
    for target in (idea, comment):
        assert client.submit(_act(target, "unhide")).status_code == 302
        assert hidden_at(target) is None
    page = public.get(f"/ideas/{idea.id}-{idea.slug}")
    assert page.status_code == 200 and idea.title in page.get_data(as_text=True)
    assert "Commento segnalato a Torino" in public.get(f"/needs/{need.id}-{need.slug}").get_data(as_text=True)
    assert comment_count(need) == 1
    db.session.refresh(idea)
    assert idea.hidden_reason is None
    assert [(a, k, i) for a, k, i, _actor in audit_trail()] == [
        ("post.hide", "post", idea.id), ("comment.hide", "comment", comment.id),
        ("post.unhide", "post", idea.id), ("comment.unhide", "comment", comment.id)]
    actors = [actor for *_rest, actor in audit_trail()]
    assert actors == [mod_torino.id, mod_torino.id, admin.id, admin.id]
    comment_event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "comment.hide"))
    assert comment_event.city_id == need.city_id and comment_event.reason == "Offensivo"
    assert comment_event.summary == f"{need.title} · #{comment.id}"
