"""Blocking and unblocking an account: who may, what it hides, what it restores, sessions and login."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from civic.accounts.models import User
from civic.audit.models import AuditEvent
from civic.comments import services as comment_services
from civic.comments.models import Comment
from civic.extensions import db
from civic.moderation.models import Report
from civic.posts.models import Post
from tests.conftest import PASSWORD, table_counts
from tests.moderation.helpers import comment_count, post_all_at_once
from tests.posts.helpers import english, logged_in_clients, next_of

MARK = "Zqxdario"  # in every text Dario writes: no public page may show it once he is blocked
REASON = "Insulti ripetuti ad altri residenti"


def _block(user) -> str:
    return f"/moderation/user/{user.id}/block"


def _unblock(user) -> str:
    return f"/moderation/user/{user.id}/unblock"


def _dismiss(user) -> str:
    return f"/moderation/user/{user.id}/dismiss"


@pytest.fixture
def scene(torino, bari, themes, make_user, bruno, carla, mod_torino, mod_bari, admin, new_need, new_idea,
          add_comment, add_report, hide):
    """Dario, a resident of Torino, with needs, an idea, comments and replies; some of it already hidden by a
    moderator, one comment deleted; others' comments on his need; reports on his profile and content."""
    dario = make_user(email="dario@example.it", name="Dario Neri", home_city_id=torino.id)
    s = {"dario": dario}
    s["carla_need"] = new_need(carla, torino, title="Il bisogno di Carla sui giardini")
    s["need"] = new_need(dario, torino, title=f"Bisogno {MARK}uno", body=f"Testo {MARK}corpo")
    s["idea"] = new_idea(dario, torino, title=f"Idea {MARK}due", body=f"Piano {MARK}piano",
                         summary=f"Sintesi {MARK}sintesi per tutto il quartiere")
    s["bari_need"] = new_need(dario, bari, title=f"Bisogno {MARK}bari")
    s["mod_hidden_need"] = new_need(dario, torino, title=f"Bisogno {MARK}duplicato")
    s["comment"] = add_comment(dario, s["carla_need"], f"Commento {MARK}primo")
    s["root"] = add_comment(bruno, s["carla_need"], "Il commento di Bruno")
    s["reply"] = add_comment(dario, s["carla_need"], f"Risposta {MARK}risposta", parent=s["root"])
    s["own"] = add_comment(dario, s["need"], f"Commento {MARK}suo")
    s["bruno_on_need"] = add_comment(bruno, s["need"], "Bruno commenta il bisogno di Dario")
    s["bari_comment"] = add_comment(dario, s["bari_need"], f"Commento {MARK}abari")
    s["deleted"] = add_comment(dario, s["carla_need"], "Un commento poi cancellato")
    comment_services.delete_comment(dario, s["deleted"])
    db.session.commit()
    s["mod_hidden_comment"] = add_comment(dario, s["carla_need"], f"Commento {MARK}fuoritema")
    hide(mod_torino, s["mod_hidden_comment"], "Fuori tema")
    hide(mod_torino, s["mod_hidden_need"], "Duplicato")
    add_report(bruno, dario, "offensive")
    add_report(carla, s["need"])
    add_report(carla, s["comment"])
    return s


def state() -> tuple:
    """Everything a block or an unblock may change, read fresh from the database."""
    return (
        table_counts(),
        db.session.execute(select(User.id, User.blocked_at, User.blocked_reason, User.session_token)
                           .order_by(User.id)).all(),
        db.session.execute(select(Post.id, Post.hidden_at, Post.hidden_reason, Post.hidden_by_block,
                                  Post.comment_count).order_by(Post.id)).all(),
        db.session.execute(select(Comment.id, Comment.hidden_at, Comment.hidden_reason, Comment.hidden_by_block,
                                  Comment.deleted_at).order_by(Comment.id)).all(),
        db.session.execute(select(Report.id, Report.resolved_at, Report.resolved_by_id).order_by(Report.id)).all(),
    )


def counts_are_exact() -> bool:
    """Every post's comment_count equals its comments that are neither deleted nor hidden."""
    live = dict(db.session.execute(select(Comment.post_id, func.count()).where(
        Comment.hidden_at.is_(None), Comment.deleted_at.is_(None)).group_by(Comment.post_id)).all())
    stored = dict(db.session.execute(select(Post.id, Post.comment_count)).all())
    return stored == {post_id: live.get(post_id, 0) for post_id in stored}


def user_audit() -> list[tuple]:
    return [(e.action, e.target_id, e.actor_id, e.city_id, e.reason) for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.target_kind == "user", AuditEvent.action.like("user.%block%"))
        .order_by(AuditEvent.id))]


def shows_mark(response) -> bool:
    return MARK.lower() in response.get_data(as_text=True).lower()


def post_path(post) -> str:
    return f"/{post.kind}s/{post.id}-{post.slug}"


# --- who may ------------------------------------------------------------------------------------

def test_anonymous_visitors_residents_the_person_and_other_cities_cannot_block_or_unblock(
        client, new_client, scene, torino, mod_bari, admin):
    dario = scene["dario"]
    before = state()
    # Anonymous: sent to the login page (POST only, so the target of next= is the action's own address).
    anonymous = new_client()
    for url in (_block(dario), _unblock(dario), _dismiss(dario)):
        response = anonymous.submit(url, {"reason": REASON})
        assert response.status_code == 302 and next_of(response.headers["Location"]) == url
    # Residents, the person themself, the moderator of another city: 403 with a message saying why.
    for email, message in (("bruno@example.it", "Only moderators and administrators can do this."),
                           ("dario@example.it", "You cannot do this on your own account."),
                           ("mod.bari@example.it", "Only the moderators of Torino can do this.")):
        browser = new_client(email)
        english(browser)
        for url in (_block(dario), _unblock(dario), _dismiss(dario)):
            response = browser.submit(url, {"reason": REASON})
            assert response.status_code == 403, (email, url)
            assert message in response.get_data(as_text=True), (email, url)
        # The profile offers them no moderation panel.
        assert 'id="moderator-panel"' not in browser.get(f"/users/{dario.id}").get_data(as_text=True)
    assert state() == before
    # And once Dario is blocked (by an admin), they cannot unblock him either.
    assert new_client("admin@example.it").submit(_block(dario), {"reason": REASON}).status_code == 302
    before = state()
    for email in ("bruno@example.it", "mod.bari@example.it"):
        assert new_client(email).submit(_unblock(dario)).status_code == 403, email
    assert new_client().submit(_unblock(dario)).status_code == 302  # to the login page
    assert state() == before


def test_moderators_cannot_block_moderators_admins_or_themselves_and_admins_can(
        client, new_client, scene, make_user, torino, mod_torino, admin):
    colleague = make_user("moderator", email="collega@example.it", name="Collega Moderatore", cities=[torino],
                          home_city_id=torino.id)
    homeless = make_user(email="senza.citta@example.it", name="Senza Città")  # no home city
    moderator = new_client("mod.torino@example.it")
    english(moderator)
    before = state()
    for person, message in (
            (colleague, "Only administrators can block or unblock a moderator or an administrator."),
            (admin, "Only administrators can block or unblock a moderator or an administrator."),
            (mod_torino, "You cannot do this on your own account."),
            (homeless, "This person has no home city: only administrators can act on this account.")):
        response = moderator.submit(_block(person), {"reason": REASON})
        assert response.status_code == 403, person.email
        assert message in response.get_data(as_text=True), person.email
    admin_browser = new_client("admin@example.it")
    assert admin_browser.submit(_block(admin), {"reason": REASON}).status_code == 403  # not themself
    assert state() == before
    # Admins may block a moderator and a person without a home city.
    for person in (colleague, homeless):
        assert admin_browser.submit(_block(person), {"reason": REASON}).status_code == 302, person.email
        db.session.refresh(person)
        assert person.blocked_at is not None
    # The moderator cannot unblock the colleague the admin blocked; the admin can.
    assert moderator.submit(_unblock(colleague)).status_code == 403
    assert admin_browser.submit(_unblock(colleague)).status_code == 302
    db.session.refresh(colleague)
    assert colleague.blocked_at is None


def test_refused_requests_change_nothing(client, new_client, scene, mod_torino):
    dario = scene["dario"]
    moderator = new_client("mod.torino@example.it")
    before = state()
    for data in ({}, {"reason": ""}, {"reason": "   "}, {"reason": "x" * 501}, {"reason": "a\u202eb"}):
        response = moderator.submit(_block(dario), data)
        assert response.status_code == 422, data
        assert 'id="reason-error"' in response.get_data(as_text=True), data
    for url in (_block(dario), _unblock(dario), _dismiss(dario)):
        assert moderator.post(url, data={"reason": REASON}).status_code == 400  # no CSRF token
        assert moderator.get(url).status_code == 405  # POST only
    for url in ("/moderation/user/999999/block", "/moderation/user/999999/unblock",
                "/moderation/user/999999/dismiss"):
        assert moderator.submit(url, {"reason": REASON}).status_code == 404
    assert moderator.submit(_unblock(dario)).status_code == 409  # not blocked
    assert state() == before


# --- blocking -----------------------------------------------------------------------------------

def test_blocking_hides_everything_closes_the_reports_ends_the_sessions_and_is_audited(
        client, new_client, scene, torino, bari, bruno, mod_torino):
    dario = scene["dario"]
    old_token = dario.session_token
    his_browser = new_client("dario@example.it")
    assert his_browser.get("/account/").status_code == 200
    anonymous = new_client()
    english(anonymous)
    public_pages = ["/", f"/cities/{torino.slug}", f"/cities/{torino.slug}/needs", f"/cities/{torino.slug}/ideas",
                    f"/cities/{bari.slug}", f"/cities/{bari.slug}/needs", f"/users/{dario.id}",
                    f"/users/{bruno.id}", post_path(scene["carla_need"])]
    # Control: before the block, his content is on these pages.
    assert all(anonymous.get(url).status_code == 200 for url in public_pages)
    assert [url for url in public_pages if shows_mark(anonymous.get(url))] == [
        f"/cities/{torino.slug}", f"/cities/{torino.slug}/needs", f"/cities/{torino.slug}/ideas",
        f"/cities/{bari.slug}", f"/cities/{bari.slug}/needs", f"/users/{dario.id}",
        f"/users/{bruno.id}",  # Bruno commented on Dario's need: his profile names it
        post_path(scene["carla_need"])]
    assert comment_count(scene["carla_need"]) == 3  # his first comment, Bruno's, his reply
    visible_before = {name: comment_count(scene[name]) for name in ("carla_need", "need", "bari_need")}

    moderator = new_client("mod.torino@example.it")
    response = moderator.submit(_block(dario), {"reason": f"  {REASON}  ", "next": f"/users/{dario.id}"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/users/{dario.id}")

    db.session.refresh(dario)
    assert dario.blocked_at is not None and dario.blocked_reason == REASON
    assert dario.session_token != old_token
    # Every visible post and comment of his is hidden with the reason, marked as hidden by the block.
    for name in ("need", "idea", "bari_need", "comment", "reply", "own", "bari_comment"):
        target = scene[name]
        db.session.refresh(target)
        assert (target.hidden_reason, target.hidden_by_block) == (REASON, True), name
        assert target.hidden_at == dario.blocked_at, name
    # What a moderator had hidden keeps its own reason; the deleted comment is left as it was.
    for name, reason in (("mod_hidden_need", "Duplicato"), ("mod_hidden_comment", "Fuori tema")):
        db.session.refresh(scene[name])
        assert (scene[name].hidden_reason, scene[name].hidden_by_block) == (reason, False), name
    db.session.refresh(scene["deleted"])
    assert scene["deleted"].hidden_at is None and scene["deleted"].deleted_at is not None
    # Others' comments stay; the counts lose exactly his visible comments.
    db.session.refresh(scene["bruno_on_need"])
    assert scene["bruno_on_need"].hidden_at is None
    assert comment_count(scene["carla_need"]) == visible_before["carla_need"] - 2
    assert comment_count(scene["need"]) == visible_before["need"] - 1
    assert comment_count(scene["bari_need"]) == visible_before["bari_need"] - 1
    assert counts_are_exact()
    # The reports on his profile and on his content are closed by the moderator.
    reports = db.session.scalars(select(Report)).all()
    assert len(reports) == 3 and all(r.resolved_by_id == mod_torino.id and r.resolved_at for r in reports)
    # The audit log.
    assert user_audit() == [("user.block", dario.id, mod_torino.id, torino.id, REASON)]

    # His open session ended: the next request is anonymous.
    response = his_browser.get("/account/")
    assert response.status_code == 302 and next_of(response.headers["Location"]) == "/account/"
    # Nothing public shows his content any more.
    for url in public_pages:
        response = anonymous.get(url)
        assert response.status_code == 200, url
        assert not shows_mark(response), url
    for name in ("need", "idea", "bari_need"):
        assert anonymous.get(post_path(scene[name])).status_code == 404, name
        assert new_client("bruno@example.it").get(post_path(scene[name])).status_code == 404, name
    thread = anonymous.get(post_path(scene["carla_need"])).get_data(as_text=True)
    assert thread.count("Comment hidden by the moderators") == 3 and "1 comment" in thread
    assert "Il commento di Bruno" in thread
    profile = anonymous.get(f"/users/{dario.id}").get_data(as_text=True)
    assert "This account has been suspended." in profile and "Dario Neri" in profile
    assert REASON not in profile  # the notice is neutral
    assert "has not posted any" not in profile

    # The moderators of Torino see him among the blocked accounts, with an Unblock button, and the panel.
    english(moderator)
    queue = moderator.get("/moderation/").get_data(as_text=True)
    blocked_section = queue[queue.index('id="blocked-heading"'):queue.index('id="hidden-heading"')]
    assert f'id="blocked-user-{dario.id}"' in blocked_section and REASON in blocked_section
    assert f'action="/moderation/user/{dario.id}/unblock"' in blocked_section
    assert 'id="queue-user-' not in queue  # his report was closed
    hidden_section = queue[queue.index('id="hidden-heading"'):]
    assert f"{MARK}duplicato" in hidden_section  # hidden by a moderator: listed
    assert f"{MARK}uno" not in hidden_section  # hidden by the block: the blocked account stands for it
    panel = moderator.get(f"/users/{dario.id}").get_data(as_text=True)
    assert 'id="moderator-panel"' in panel and f'action="/moderation/user/{dario.id}/unblock"' in panel
    assert REASON in panel
    # The moderator of Bari sees the block in no list (his home city is Torino).
    assert f'id="blocked-user-{dario.id}"' not in new_client("mod.bari@example.it").get("/moderation/").get_data(
        as_text=True)


def test_a_blocked_person_cannot_log_in_and_is_told_why(client, new_client, scene, mod_torino):
    dario = scene["dario"]
    assert new_client("mod.torino@example.it").submit(_block(dario), {"reason": REASON}).status_code == 302
    browser = new_client()
    english(browser)
    response = browser.submit("/account/login", {"email": "dario@example.it", "password": PASSWORD})
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert "Your account has been suspended by the moderators." in html and REASON in html
    assert browser.get("/account/").status_code == 302  # not logged in
    # With a wrong password the reason is not given away.
    response = browser.submit("/account/login", {"email": "dario@example.it", "password": "not-the-password"})
    assert response.status_code == 422 and REASON not in response.get_data(as_text=True)
    # Even a cookie with the current token and a live login session (made here by hand: the block ended his)
    # is not enough: a blocked account is logged out.
    from flask import current_app

    from civic.accounts import sessions

    token = db.session.scalar(select(User.session_token).where(User.id == dario.id))
    with current_app.test_request_context():
        key = sessions.start(db.session.get(User, dario.id), remember=True)
        db.session.commit()
    with browser.session_transaction() as session:
        session["_user_id"] = f"{dario.id}:{token}:{key}"
    assert browser.get("/account/").status_code == 302


def test_blocking_twice_or_unblocking_an_account_that_is_not_blocked_is_a_conflict(
        client, new_client, scene, mod_torino, admin):
    dario = scene["dario"]
    moderator, admin_browser = new_client("mod.torino@example.it"), new_client("admin@example.it")
    english(admin_browser)
    assert moderator.submit(_block(dario), {"reason": REASON}).status_code == 302
    before = state()
    response = admin_browser.submit(_block(dario), {"reason": "Un altro motivo"})
    assert response.status_code == 409
    assert "This account is already blocked" in response.get_data(as_text=True)
    assert state() == before
    assert moderator.submit(_unblock(dario)).status_code == 302
    before = state()
    response = admin_browser.submit(_unblock(dario))
    assert response.status_code == 409
    assert "This account is not blocked" in response.get_data(as_text=True)
    assert state() == before
    assert [a for a, *_ in user_audit()] == ["user.block", "user.unblock"]


PARALLEL = 6


def test_many_blocks_at_once_block_once(app, client, scene, make_user, torino):
    dario = scene["dario"]
    emails = [f"mod{i}.torino@example.it" for i in range(PARALLEL)]
    for email in emails:
        make_user("moderator", email=email, cities=[torino])
    clients = logged_in_clients(app, emails)
    db.session.commit()
    results = post_all_at_once(app, clients, _block(dario), {"reason": REASON})
    assert sorted(results, key=str) == sorted([302] + [409] * (PARALLEL - 1), key=str), results
    assert [a for a, *_ in user_audit()] == ["user.block"]
    assert counts_are_exact()
    assert comment_count(scene["carla_need"]) == 1


# --- unblocking ---------------------------------------------------------------------------------

def test_unblocking_restores_exactly_what_the_block_hid(client, new_client, scene, torino, mod_torino, admin):
    dario = scene["dario"]
    anonymous = new_client()
    before = state()
    pages = {url: anonymous.get(url).get_data(as_text=True).count(MARK) for url in (
        f"/cities/{torino.slug}/needs", f"/cities/{torino.slug}/ideas", f"/users/{dario.id}",
        post_path(scene["carla_need"]), post_path(scene["need"]))}
    moderator = new_client("mod.torino@example.it")
    assert moderator.submit(_block(dario), {"reason": REASON}).status_code == 302
    token_after_block = db.session.scalar(select(User.session_token).where(User.id == dario.id))

    response = moderator.submit(_unblock(dario), {"next": "/moderation/"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/moderation/")
    tables, users, posts, comments, reports = state()
    before_tables, before_users, before_posts, before_comments, _reports = before
    # Posts and comments, counts included, are back as they were: the moderator's hiding stays.
    assert (posts, comments) == (before_posts, before_comments)
    assert counts_are_exact()
    db.session.refresh(scene["mod_hidden_need"])
    assert scene["mod_hidden_need"].hidden_reason == "Duplicato"
    # The account: no block, the session token of the block (sessions ended by it stay ended).
    assert [(u.id, u.blocked_at, u.blocked_reason) for u in users] == [
        (u.id, u.blocked_at, u.blocked_reason) for u in before_users]
    assert next(u.session_token for u in users if u.id == dario.id) == token_after_block
    # Reports closed by the block stay closed; the audit log has both entries.
    assert all(r.resolved_at is not None for r in reports)
    assert tables == {**before_tables, "audit_event": before_tables["audit_event"] + 2}
    assert user_audit() == [("user.block", dario.id, mod_torino.id, torino.id, REASON),
                            ("user.unblock", dario.id, mod_torino.id, torino.id, "")]
    # The pages show his content again, as before.
    assert {url: anonymous.get(url).get_data(as_text=True).count(MARK) for url in pages} == pages
    assert "This account has been suspended." not in anonymous.get(f"/users/{dario.id}").get_data(as_text=True)
    # He can log in again.
    new_client("dario@example.it")


def test_unblocking_after_a_moderator_showed_one_item_again_keeps_the_counts_exact(
        client, new_client, scene, mod_torino):
    """An item hidden by the block and shown again one by one is not counted twice at the unblock."""
    dario = scene["dario"]
    moderator = new_client("mod.torino@example.it")
    assert moderator.submit(_block(dario), {"reason": REASON}).status_code == 302
    assert moderator.submit(f"/moderation/comment/{scene['comment'].id}/unhide").status_code == 302
    assert counts_are_exact()
    assert moderator.submit(_unblock(dario)).status_code == 302
    assert counts_are_exact()
    assert comment_count(scene["carla_need"]) == 3


def test_the_profile_panel_blocks_and_unblocks(client, new_client, scene, mod_torino):
    dario = scene["dario"]
    moderator = new_client("mod.torino@example.it")
    english(moderator)
    page = moderator.get(f"/users/{dario.id}").get_data(as_text=True)
    panel = page[page.index('id="moderator-panel"'):]
    assert f'action="/moderation/user/{dario.id}/block"' in panel
    assert re.search(r'<label for="block-reason"[^>]*>Reason shown to the person</label>', panel)
    # A form refused for its reason comes back with the message next to the field.
    response = moderator.submit(_block(dario), {"reason": " ", "next": f"/users/{dario.id}"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="reason-error"' in html and f'value="/users/{dario.id}"' in html
    # The next= of the form only leads to a page of this site.
    response = moderator.submit(_block(dario), {"reason": REASON, "next": "https://evil.example/"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/moderation/")
    assert moderator.submit(_unblock(dario), {"next": f"/users/{dario.id}"}).headers["Location"].endswith(
        f"/users/{dario.id}")
