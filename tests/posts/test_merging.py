"""Merging a duplicate idea into the idea that remains: who may do it, which ideas may remain,
the votes that move (whoever voted both counts once), what the pages show, the audit entry,
and merges that meet at the same moment (one wins; never a chain or a cycle)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select, update

from civic.accounts.models import Role, User
from civic.audit.models import AuditEvent
from civic.core.timeutil import utcnow
from civic.extensions import db
from civic.participation.models import Vote
from civic.posts import merging
from civic.posts.lifecycle import MoveError, perform
from civic.posts.models import Idea, Post, PostEvent
from tests.conftest import table_counts
from tests.posts.helpers import english, field_error, logged_in_clients, next_of, post_at_once

ANSWER = "È la stessa proposta: **uniamo** i voti."
MAY_MERGE = {"moderator_torino", "admin"}


@pytest.fixture
def people(make_user, torino, palermo, anna, bruno):
    """The email of every role (anna is the author of the ideas, bruno another resident)."""
    make_user(Role.MODERATOR, email="mod.torino@example.it", name="Marco Bellini", cities=[torino])
    make_user(Role.MODERATOR, email="mod.palermo@example.it", name="Rosa Palermo", cities=[palermo])
    make_user(Role.ADMIN, email="admin@example.it", name="Giulia Admin")
    return {
        "anonymous": None,
        "resident": "bruno@example.it",
        "author": "anna@example.it",
        "moderator_palermo": "mod.palermo@example.it",
        "moderator_torino": "mod.torino@example.it",
        "admin": "admin@example.it",
    }


@pytest.fixture
def pair(anna, bruno, torino, new_idea):
    """Two ideas of Torino: a duplicate (anna's) and the idea that remains (bruno's)."""
    duplicate = new_idea(anna, torino, title="Riparare le fontanelle di Aurora")
    survivor = new_idea(bruno, torino, title="Fontanelle funzionanti in tutto il quartiere")
    return duplicate, survivor


def _merge(client, idea, target, reason: str | None = ANSWER, version=None, **extra):
    if version is None:
        version = _state(idea.id)[1]
    data = {"target": str(target.id) if isinstance(target, Post) else target, "version": str(version), **extra}
    if reason is not None:
        data["reason"] = reason
    return client.submit(f"/ideas/{idea.id}/merge", data)


def _state(idea_id: int) -> tuple:
    """(status, status_version, merged_into_id, vote_count), fresh from the database."""
    return tuple(db.session.execute(
        select(Idea.status, Idea.status_version, Idea.merged_into_id, Idea.vote_count).where(Idea.id == idea_id)).one())


def _voters(post_id: int) -> list[int]:
    return sorted(db.session.scalars(select(Vote.user_id).where(Vote.post_id == post_id)))


def _put_in(idea_id: int, status: str) -> None:
    db.session.execute(update(Post.__table__).where(Post.__table__.c.id == idea_id).values(status=status))
    db.session.commit()


def _hide(post_id: int) -> None:
    db.session.execute(update(Post.__table__).where(Post.__table__.c.id == post_id)
                       .values(hidden_at=utcnow(), hidden_reason="Spam"))
    db.session.commit()


def _merge_by_service(moderator, idea, target) -> None:
    merging.merge_idea(moderator, db.session.get(Idea, idea.id), target.id, "Doppione.")
    db.session.commit()


def _vote(user, idea) -> None:
    from civic.participation import services as votes

    votes.add_vote(user, db.session.get(Idea, idea.id))
    db.session.commit()


def _login(client, people, role: str) -> None:
    client.submit("/account/logout")
    if people[role]:
        client.login(people[role])
        english(client)


# --- who may merge ---------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["anonymous", "resident", "author", "moderator_palermo"])
def test_only_the_moderators_of_the_city_and_admins_may_merge(client, people, pair, role):
    duplicate, survivor = pair
    url = f"/ideas/{duplicate.id}/merge"
    _login(client, people, role)
    before = table_counts()
    get, post = client.get(url), _merge(client, duplicate, survivor)
    if role == "anonymous":
        for response in (get, post):
            assert response.status_code == 302
            assert next_of(response.headers["Location"]) == url
    else:
        for response in (get, post):
            assert response.status_code == 403, role
            assert "Only the moderators of Torino can merge this idea." in response.get_data(as_text=True)
    assert table_counts() == before
    assert _state(duplicate.id) == ("published", 0, None, 0)
    page = client.get(f"/ideas/{duplicate.id}-{duplicate.slug}").get_data(as_text=True)
    assert f'href="{url}"' not in page


@pytest.mark.parametrize("role", sorted(MAY_MERGE))
def test_the_moderators_of_the_city_and_admins_merge(client, people, pair, role):
    duplicate, survivor = pair
    _login(client, people, role)
    page = client.get(f"/ideas/{duplicate.id}/merge")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert re.search(r'<label[^>]*for="target"[^>]*>Number of the idea that remains</label>', html)
    assert 'id="reason"' in html and 'name="version"' in html
    response = _merge(client, duplicate, survivor)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/ideas/{duplicate.id}-{duplicate.slug}")
    assert _state(duplicate.id) == ("merged", 1, survivor.id, 0)
    assert _state(survivor.id) == ("published", 0, None, 0)


def test_the_merge_link_is_shown_to_who_may_merge_in_the_statuses_that_allow_it(client, people, pair):
    duplicate, _survivor = pair
    url = f"/ideas/{duplicate.id}-{duplicate.slug}"
    link = f'href="/ideas/{duplicate.id}/merge"'
    for role in people:
        _login(client, people, role)
        html = client.get(url).get_data(as_text=True)
        assert (link in html) == (role in MAY_MERGE), role
        if role in MAY_MERGE:
            # Next to the decision form, which itself does not offer the merge.
            card = re.search(r'aria-labelledby="decision-heading".*?</section>', html, re.S).group(0)
            assert link in card and ">Merge into another idea</a>" in card
            assert 'value="merge"' not in card
    _login(client, people, "moderator_torino")
    for status, shown in (("under_review", True), ("shortlisted", True), ("selected_for_codesign", False),
                          ("in_codesign", False), ("rejected", False), ("withdrawn", False), ("completed", False)):
        _put_in(duplicate.id, status)
        assert (link in client.get(url).get_data(as_text=True)) == shown, status


def test_an_idea_in_another_status_cannot_be_merged(client, people, pair):
    duplicate, survivor = pair
    _login(client, people, "moderator_torino")
    for status, label in (("selected_for_codesign", "Selected for co-design"), ("withdrawn", "Withdrawn"),
                          ("rejected", "Not selected"), ("merged", "Merged into another idea")):
        _put_in(duplicate.id, status)
        html = client.get(f"/ideas/{duplicate.id}/merge").get_data(as_text=True)
        assert f'This idea cannot be merged while it is "{label}".' in html, status
        assert 'id="target"' not in html
        before = table_counts()
        response = _merge(client, duplicate, survivor)
        assert response.status_code == 422, status
        assert f"&#34;Merge into another idea&#34; is not possible for an idea that is &#34;{label}&#34;." \
            in response.get_data(as_text=True)
        assert table_counts() == before and _state(duplicate.id) == (status, 0, None, 0)


def test_the_decision_form_does_not_merge_without_the_idea_that_remains(client, people, pair):
    duplicate, _survivor = pair
    _login(client, people, "moderator_torino")
    before = table_counts()
    response = client.submit(f"/ideas/{duplicate.id}/moves", {"action": "merge", "reason": ANSWER, "version": "0"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'use the page &#34;Merge into another idea&#34;: there you choose the idea that remains.' in html
    assert f'href="/ideas/{duplicate.id}/merge"' in html  # the way there, on the page shown again
    assert table_counts() == before and _state(duplicate.id) == ("published", 0, None, 0)
    # The lifecycle refuses it just the same: a merge is made only through merging.merge_idea.
    with pytest.raises(MoveError) as refused:
        perform(_user("mod.torino@example.it"), db.session.get(Idea, duplicate.id), "merge", ANSWER)
    assert refused.value.field == "action"
    db.session.rollback()
    assert table_counts() == before


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


# --- which idea may remain -----------------------------------------------------------------------

def test_every_refused_target_changes_nothing(client, people, pair, anna, bruno, torino, palermo, new_idea):
    duplicate, survivor = pair
    other_city = new_idea(anna, palermo, title="Fontanelle a Danisinni")
    hidden = new_idea(bruno, torino, title="Idea nascosta dai moderatori")
    hidden_elsewhere = new_idea(bruno, palermo, title="Idea nascosta a Palermo")
    merged = new_idea(bruno, torino, title="Idea già unita a un'altra")
    withdrawn = new_idea(bruno, torino, title="Idea ritirata dall'autore")
    rejected = new_idea(bruno, torino, title="Idea non selezionata")
    _hide(hidden.id)
    _hide(hidden_elsewhere.id)
    _merge_by_service(_user("mod.torino@example.it"), merged, survivor)
    _put_in(withdrawn.id, "withdrawn")
    _put_in(rejected.id, "rejected")
    _vote(bruno, duplicate)
    _login(client, people, "moderator_torino")
    before = table_counts()
    state = _state(duplicate.id)

    cases = [
        (duplicate.id, "An idea cannot be merged into itself"),
        (f"/ideas/{duplicate.id}-{duplicate.slug}", "An idea cannot be merged into itself"),
        (other_city.id, f"Idea {other_city.id} is in Palermo: an idea can be merged only into an idea of Torino."),
        (hidden.id, f"Idea {hidden.id} is hidden by the moderators: it cannot receive other ideas."),
        (hidden_elsewhere.id, f"There is no idea number {hidden_elsewhere.id}."),
        (merged.id, f"Idea {merged.id} has itself been merged into idea {survivor.id}: merge into that one."),
        (withdrawn.id, f'Idea {withdrawn.id} is "Withdrawn": it cannot receive other ideas.'),
        (rejected.id, f'Idea {rejected.id} is "Not selected": it cannot receive other ideas.'),
        ("999999", "There is no idea number 999999."),
        ("99999999999", "There is no idea number 99999999999."),
        ("0", "There is no idea number 0."),
        (f"/needs/{survivor.id}", "Enter the number of the idea that remains, for example 123"),
        ("abc", "Enter the number of the idea that remains, for example 123"),
        (f"{survivor.id}abc", "Enter the number of the idea that remains, for example 123"),
        ("-5", "Enter the number of the idea that remains, for example 123"),
        (f"javascript:alert({survivor.id})", "Enter the number of the idea that remains, for example 123"),
        ("x" * 3000, "Enter the number of the idea that remains, for example 123"),
        ("", "Enter the number of the idea that remains."),
        ("   ", "Enter the number of the idea that remains."),
    ]
    for target, message in cases:
        response = _merge(client, duplicate, target, version=state[1])
        assert response.status_code == 422, target
        html = response.get_data(as_text=True)
        assert message in field_error(html, "target"), target
        assert table_counts() == before, target
        assert _state(duplicate.id) == state, target
        assert _voters(duplicate.id) == [bruno.id]
    # What was typed is kept, for another try.
    html = _merge(client, duplicate, "abc", reason="Risposta da tenere").get_data(as_text=True)
    assert 'value="abc"' in html and "Risposta da tenere" in html
    # A number is not an idea of another kind: a need's number is unknown.
    need_id = db.session.scalar(select(func.max(Post.id))) + 1
    assert "There is no idea number" in field_error(_merge(client, duplicate, str(need_id)).get_data(as_text=True),
                                                    "target")
    # The public answer is required, as for every decision.
    for reason in ("", " \r\n ", None):
        html = _merge(client, duplicate, survivor, reason=reason).get_data(as_text=True)
        assert "Write the public answer" in field_error(html, "reason")
    assert table_counts() == before and _state(duplicate.id) == state


def test_a_pasted_address_names_the_idea(client, people, pair):
    duplicate, survivor = pair
    _login(client, people, "moderator_torino")
    response = _merge(client, duplicate, f"https://civic.test/ideas/{survivor.id}-{survivor.slug}?x=1#history")
    assert response.status_code == 302
    assert _state(duplicate.id)[2] == survivor.id


@pytest.mark.parametrize("text, number", [
    ("123", 123), (" #123 ", 123), ("/ideas/123-fontanelle", 123), ("/ideas/123", 123),
    ("https://partecipa.example.it/ideas/123-fontanelle?utm=x#history", 123), ("civic.test/ideas/7-x/", 7),
    ("/needs/123-x", None), ("/ideas/123-x/edit", None), ("abc", None), ("1.5", None), ("", None), (None, None),
    ("ftp://x/ideas/3", None), ("12 13", None),
])
def test_reading_the_number_of_an_idea(text, number):
    assert merging.parse_idea_number(text) == number


# --- votes -----------------------------------------------------------------------------------------

def test_votes_move_and_who_voted_both_counts_once(client, people, pair, make_user):
    duplicate, survivor = pair
    voters = [make_user(email=f"voter{i}@example.it") for i in range(6)]
    both = voters[2:4]
    for user in voters[:4]:
        _vote(user, duplicate)
    for user in voters[2:]:
        _vote(user, survivor)
    assert _state(duplicate.id)[3] == 4 and _state(survivor.id)[3] == 4
    first_vote = db.session.scalar(select(Vote).where(Vote.post_id == duplicate.id, Vote.user_id == voters[0].id))
    first_vote_at, first_reaction_at = first_vote.created_at, db.session.get(Idea, survivor.id).first_reaction_at

    _login(client, people, "moderator_torino")
    assert _merge(client, duplicate, survivor).status_code == 302
    assert _state(duplicate.id) == ("merged", 1, survivor.id, 0)
    assert _state(survivor.id) == ("published", 0, None, 6)
    assert _voters(duplicate.id) == []
    assert _voters(survivor.id) == sorted(u.id for u in voters)
    per_user = db.session.execute(select(Vote.user_id, func.count()).where(Vote.post_id == survivor.id)
                                  .group_by(Vote.user_id)).all()
    assert all(count == 1 for _user, count in per_user) and len(per_user) == 6
    assert {u.id for u in both} <= set(_voters(survivor.id))
    moved = db.session.scalar(select(Vote).where(Vote.post_id == survivor.id, Vote.user_id == voters[0].id))
    assert moved.created_at == first_vote_at  # a vote keeps its date
    assert db.session.get(Idea, survivor.id).first_reaction_at == first_reaction_at

    # The merged idea takes no more votes; the idea that remains counts them as before.
    client.submit("/account/logout")
    client.login(voters[0].email)
    english(client)
    response = client.submit(f"/posts/{duplicate.id}/vote")
    assert response.status_code == 403 and "You cannot vote here." in response.get_data(as_text=True)
    assert client.submit(f"/posts/{duplicate.id}/unvote").status_code == 302  # nothing to take back
    assert _voters(duplicate.id) == [] and _state(duplicate.id)[3] == 0
    assert client.submit(f"/posts/{survivor.id}/unvote").status_code == 302
    assert _state(survivor.id)[3] == 5
    assert client.submit(f"/posts/{survivor.id}/vote").status_code == 302
    assert _state(survivor.id)[3] == 6


def test_moved_votes_freeze_the_text_of_the_idea_that_remains(client, people, pair, make_user):
    duplicate, survivor = pair
    _vote(make_user(), duplicate)
    assert db.session.get(Idea, survivor.id).first_reaction_at is None
    _login(client, people, "admin")
    assert _merge(client, duplicate, survivor).status_code == 302
    assert db.session.get(Idea, survivor.id).first_reaction_at is not None  # people support this text now
    assert _state(survivor.id)[3] == 1


def test_merging_an_idea_without_votes_leaves_the_counts_alone(client, people, pair):
    duplicate, survivor = pair
    _login(client, people, "moderator_torino")
    assert _merge(client, duplicate, survivor).status_code == 302
    assert _state(survivor.id) == ("published", 0, None, 0)
    assert db.session.get(Idea, survivor.id).first_reaction_at is None


def test_ideas_merged_before_follow_their_idea_into_the_next_one(client, people, pair, anna, torino, new_idea,
                                                                 make_user):
    first, second = pair
    third = new_idea(anna, torino, title="Un piano per tutte le fontanelle della città")
    a, b, c = make_user(), make_user(), make_user()
    _vote(a, first)
    _vote(b, first)
    _vote(b, second)
    _vote(c, third)
    _login(client, people, "moderator_torino")
    assert _merge(client, first, second).status_code == 302
    assert _merge(client, second, third).status_code == 302
    # No chain: both point to the idea that remains, which has every voter once.
    assert _state(first.id) == ("merged", 1, third.id, 0)
    assert _state(second.id) == ("merged", 1, third.id, 0)
    assert _voters(third.id) == sorted([a.id, b.id, c.id]) and _state(third.id)[3] == 3
    html = client.get(f"/ideas/{third.id}-{third.slug}").get_data(as_text=True)
    listed = re.search(r'<section[^>]*id="merged-ideas".*?</section>', html, re.S).group(0)
    assert f'href="/ideas/{first.id}-{first.slug}"' in listed and f'href="/ideas/{second.id}-{second.slug}"' in listed
    html = client.get(f"/ideas/{first.id}-{first.slug}").get_data(as_text=True)
    assert f'href="/ideas/{third.id}-{third.slug}"' in _notice(html)


# --- the pages -------------------------------------------------------------------------------------

def _notice(html: str) -> str:
    match = re.search(r'<div class="alert alert-info mt-3 merge-notice" id="merged-into">.*?</div>', html, re.S)
    assert match, "no merge notice"
    return match.group(0)


def _text(fragment: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


def test_the_pages_of_both_ideas(client, people, pair, anna, bruno, torino, new_idea, make_user):
    duplicate, survivor = pair
    hidden_duplicate = new_idea(anna, torino, title="Un doppione poi nascosto")
    _vote(make_user(), duplicate)
    _login(client, people, "moderator_torino")
    assert _merge(client, duplicate, survivor, reason=ANSWER).status_code == 302
    assert _merge(client, hidden_duplicate, survivor).status_code == 302
    _hide(hidden_duplicate.id)

    for role in ("anonymous", "resident", "moderator_torino"):
        _login(client, people, role)
        if role == "anonymous":
            english(client)
        html = client.get(f"/ideas/{duplicate.id}-{duplicate.slug}").get_data(as_text=True)
        notice = _notice(html)
        assert _text(notice).startswith(f"Merged into {survivor.title}")
        assert f'<a href="/ideas/{survivor.id}-{survivor.slug}">{survivor.title}</a>' in notice
        # The public answer, in the history, with the municipality as its author.
        history = re.search(r'<section id="history".*?</section>', html, re.S).group(0)
        last = _text(re.findall(r"<li\b.*?</li>", history, re.S)[-1])
        assert "Municipality of Torino" in last and "Merged into another idea" in last
        assert "È la stessa proposta: uniamo i voti." in last and "<strong>uniamo</strong>" in history
        # Its votes: none left here, and where they count now.
        box = re.search(r'<section id="participation".*?</section>', html, re.S).group(0)
        assert "0 votes" in _text(box)
        assert "This idea has been merged: its votes now count for the idea that remains." in _text(box)
        assert f'action="/posts/{duplicate.id}/vote"' not in box

        html = client.get(f"/ideas/{survivor.id}-{survivor.slug}").get_data(as_text=True)
        listed = re.search(r'<section[^>]*id="merged-ideas".*?</section>', html, re.S).group(0)
        assert "Ideas merged into this one" in listed
        assert f'<a href="/ideas/{duplicate.id}-{duplicate.slug}">{duplicate.title}</a>' in listed
        assert hidden_duplicate.title not in html  # hidden: not listed, not even for moderators
        assert "1 vote" in _text(re.search(r'<section id="participation".*?</section>', html, re.S).group(0))


def test_an_idea_that_received_none_lists_nothing(client, pair):
    _duplicate, survivor = pair
    html = client.get(f"/ideas/{survivor.id}-{survivor.slug}").get_data(as_text=True)
    assert 'id="merged-ideas"' not in html and "merge-notice" not in html


def test_a_hidden_idea_that_remains_is_not_linked_for_the_public(client, people, pair):
    duplicate, survivor = pair
    _login(client, people, "moderator_torino")
    assert _merge(client, duplicate, survivor).status_code == 302
    _hide(survivor.id)
    url = f"/ideas/{duplicate.id}-{duplicate.slug}"
    assert f'href="/ideas/{survivor.id}-{survivor.slug}"' in _notice(client.get(url).get_data(as_text=True))
    _login(client, people, "resident")
    html = client.get(url).get_data(as_text=True)
    assert f"/ideas/{survivor.id}" not in html and "Merged into another idea" in _text(_notice(html))


# --- the record ------------------------------------------------------------------------------------

def test_the_history_and_the_audit_log_record_the_merge(client, people, pair, torino):
    duplicate, survivor = pair
    _login(client, people, "admin")
    before = table_counts()
    assert _merge(client, duplicate, survivor, reason="Doppione\r\nstessa proposta.").status_code == 302
    after = table_counts()
    # The author of the merged idea is notified (in-app and by email).
    assert {t: after[t] - before[t] for t in before if after[t] != before[t]} == {
        "post_event": 1, "audit_event": 1, "notification": 1, "email_message": 1}
    event = db.session.scalars(select(PostEvent).where(PostEvent.post_id == duplicate.id)).one()
    assert (event.action, event.from_status, event.to_status, event.actor_role) == (
        "merge", "published", "merged", "moderator")
    assert event.reason_markdown == "Doppione\nstessa proposta." and event.actor.email == "admin@example.it"
    entry = db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("idea.%"))).one()
    assert (entry.action, entry.target_kind, entry.target_id, entry.city_id) == (
        "idea.merge", "idea", duplicate.id, torino.id)
    assert (entry.actor.email, entry.actor_role, entry.reason) == ("admin@example.it", "admin",
                                                                   "Doppione\nstessa proposta.")
    assert entry.summary == (f"{duplicate.title}: published → merged, into #{survivor.id}: {survivor.title}")
    # The survivor's own history is not touched.
    assert db.session.scalar(select(func.count()).select_from(PostEvent).where(PostEvent.post_id == survivor.id)) == 0
    html = client.get("/admin/audit").get_data(as_text=True)
    assert f"into #{survivor.id}" in html


def test_a_merge_without_the_csrf_token_changes_nothing(client, people, pair, make_user):
    duplicate, survivor = pair
    _vote(make_user(), duplicate)
    _login(client, people, "moderator_torino")
    before = table_counts()
    response = client.post(f"/ideas/{duplicate.id}/merge",
                           data={"target": str(survivor.id), "reason": ANSWER, "version": "0"})
    assert response.status_code == 400
    assert table_counts() == before
    assert _state(duplicate.id) == ("published", 0, None, 1) and _state(survivor.id) == ("published", 0, None, 0)


def test_a_stale_page_is_a_conflict(client, people, pair):
    duplicate, survivor = pair
    _login(client, people, "moderator_torino")
    assert client.submit(f"/ideas/{duplicate.id}/moves", {"action": "review", "reason": "In esame.",
                                                          "version": "0"}).status_code == 302
    before = table_counts()
    response = _merge(client, duplicate, survivor, version=0)
    assert response.status_code == 409
    assert "changed while you were looking at it" in response.get_data(as_text=True)
    assert table_counts() == before and _state(duplicate.id) == ("under_review", 1, None, 0)
    assert _merge(client, duplicate, survivor, version=1).status_code == 302


# --- at the same moment ------------------------------------------------------------------------------



def _merge_request(c, token, idea, target) -> tuple:
    return c, token, f"/ideas/{idea.id}/merge", {"target": str(target.id), "reason": ANSWER, "version": "0"}


def _no_chain_no_cycle() -> None:
    """Every merged idea points to an idea that is not merged; no idea points to itself."""
    rows = db.session.execute(select(Idea.id, Idea.merged_into_id, Idea.status)).all()
    status = {i: s for i, _m, s in rows}
    for idea_id, into, state in rows:
        assert (into is not None) == (state == "merged"), (idea_id, into, state)
        if into is not None:
            assert into != idea_id and status[into] != "merged", rows


def _counts_match_rows() -> None:
    rows = db.session.execute(select(Post.id, Post.vote_count)).all()
    for post_id, count in rows:
        assert count == len(_voters(post_id)), (post_id, count)


@pytest.fixture
def moderators(make_user, people, torino):
    make_user(Role.MODERATOR, email="mod2.torino@example.it", cities=[torino])
    return ["mod.torino@example.it", "mod2.torino@example.it"]


@pytest.mark.parametrize("parallel", [2, 6])
def test_simultaneous_merges_of_the_same_idea_only_one_wins(app, client, moderators, pair, anna, torino, new_idea,
                                                            make_user, parallel):
    duplicate, survivor = pair
    other = new_idea(anna, torino, title="Una terza idea sulle fontanelle")
    voters = [make_user() for _ in range(4)]
    for user in voters[:3]:
        _vote(user, duplicate)
    _vote(voters[2], survivor)
    _vote(voters[3], other)
    clients = logged_in_clients(app, [moderators[i % 2] for i in range(parallel)])
    targets = [(survivor, other)[i % 2] for i in range(parallel)]  # into one idea or the other
    before = table_counts()
    results = post_at_once(app, [_merge_request(c, t, duplicate, target)
                                  for (c, t), target in zip(clients, targets, strict=True)])

    assert results.count(302) == 1, results
    assert set(results) - {302} == {409}, results
    winner = targets[results.index(302)]
    after = table_counts()
    assert after["post_event"] - before["post_event"] == 1 and after["audit_event"] - before["audit_event"] == 1
    assert _state(duplicate.id) == ("merged", 1, winner.id, 0)
    loser = other if winner is survivor else survivor
    expected = {survivor.id: {voters[0].id, voters[1].id, voters[2].id},
                other.id: {voters[0].id, voters[1].id, voters[2].id, voters[3].id}}
    assert set(_voters(winner.id)) == expected[winner.id]
    assert _voters(loser.id) == ([voters[2].id] if loser is survivor else [voters[3].id])
    _counts_match_rows()
    _no_chain_no_cycle()


def test_merging_into_an_idea_being_merged_meanwhile_leaves_no_chain(app, client, moderators, pair, anna, torino,
                                                                     new_idea, make_user):
    """A into B and B into C at the same moment: either B was merged first and A's merge is
    refused, or A went into B first and follows B into C."""
    a, b = pair
    c = new_idea(anna, torino, title="Una terza idea sulle fontanelle")
    voters = [make_user() for _ in range(3)]
    _vote(voters[0], a)
    _vote(voters[1], b)
    _vote(voters[2], c)
    (c1, t1), (c2, t2) = logged_in_clients(app, moderators)
    results = post_at_once(app, [_merge_request(c1, t1, a, b), _merge_request(c2, t2, b, c)])

    assert results[1] == 302, results
    assert results[0] in (302, 422), results
    assert _state(b.id)[:3] == ("merged", 1, c.id)
    if results[0] == 302:
        assert _state(a.id)[:3] == ("merged", 1, c.id)
        assert _voters(c.id) == sorted(u.id for u in voters)
    else:
        assert _state(a.id) == ("published", 0, None, 1)
        assert _voters(c.id) == sorted([voters[1].id, voters[2].id])
    _counts_match_rows()
    _no_chain_no_cycle()


def test_two_ideas_merged_into_each_other_at_once_make_no_cycle(app, client, moderators, pair, make_user):
    a, b = pair
    _vote(make_user(), a)
    _vote(make_user(), b)
    (c1, t1), (c2, t2) = logged_in_clients(app, moderators)
    results = post_at_once(app, [_merge_request(c1, t1, a, b), _merge_request(c2, t2, b, a)])

    assert results.count(302) == 1, results
    assert set(results) - {302} <= {409, 422}, results
    winner, remaining = (a, b) if results[0] == 302 else (b, a)
    assert _state(winner.id) == ("merged", 1, remaining.id, 0)
    assert _state(remaining.id) == ("published", 0, None, 2)
    _counts_match_rows()
    _no_chain_no_cycle()


def test_a_vote_given_while_the_idea_is_merged_is_not_left_behind(app, client, moderators, pair, make_user):
    """Residents voting the duplicate while it is merged: each vote either moved with the
    others or was refused; none stays on the merged idea."""
    duplicate, survivor = pair
    residents = [make_user(email=f"resident{i}@example.it") for i in range(4)]
    clients = logged_in_clients(app, [moderators[0]] + [r.email for r in residents])
    (mc, mt), voting = clients[0], clients[1:]
    results = post_at_once(app, [_merge_request(mc, mt, duplicate, survivor)]
                            + [(c, t, f"/posts/{duplicate.id}/vote", {}) for c, t in voting])

    assert results[0] == 302, results
    assert set(results[1:]) <= {302, 403}, results
    assert _voters(duplicate.id) == [] and _state(duplicate.id) == ("merged", 1, survivor.id, 0)
    assert len(_voters(survivor.id)) == results[1:].count(302)
    _counts_match_rows()
