"""Supporting needs and voting ideas, and taking it back, including many clicks at the same time."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from civic.extensions import db
from civic.participation import services
from civic.participation.models import Vote
from civic.posts.models import Post
from civic.posts.services import PostForbidden
from tests.conftest import table_counts
from tests.posts.helpers import english, logged_in_clients, next_of, post_all_at_once


def _votes(post) -> tuple[int, int]:
    """(rows in the vote table, the post's counter), read fresh from the database."""
    rows = db.session.scalar(select(func.count()).select_from(Vote).where(Vote.post_id == post.id))
    counter = db.session.scalar(select(Post.vote_count).where(Post.id == post.id))
    return rows, counter


def test_voting_while_logged_out_leads_to_login_and_back_to_the_post(client, anna, torino, new_need, new_idea):
    for post, kind in ((new_need(anna, torino), "needs"), (new_idea(anna, torino), "ideas")):
        before = table_counts()
        for action in ("vote", "unvote"):
            response = client.submit(f"/posts/{post.id}/{action}")
            assert response.status_code == 302
            assert next_of(response.headers["Location"]) == f"/{kind}/{post.id}-{post.slug}"
        assert table_counts() == before
        assert _votes(post) == (0, 0)


def test_vote_twice_counts_once_and_unvote_twice_takes_it_back_once(client, anna, bruno, torino, new_idea):
    idea = new_idea(anna, torino)
    client.login("bruno@example.it")
    response = client.submit(f"/posts/{idea.id}/vote")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/ideas/{idea.id}-{idea.slug}#participation")
    assert client.submit(f"/posts/{idea.id}/vote").status_code == 302
    assert _votes(idea) == (1, 1)
    vote = db.session.scalar(select(Vote))
    assert (vote.user_id, vote.post_id) == (bruno.id, idea.id)
    # The first reaction is the vote's own time, stored as every other date is (read back as one).
    reacted = db.session.scalar(select(Post.first_reaction_at).where(Post.id == idea.id))
    assert reacted is not None and abs((reacted.replace(tzinfo=None) - vote.created_at.replace(tzinfo=None))
                                       .total_seconds()) < 1
    page = client.get(f"/ideas/{idea.id}-{idea.slug}").get_data(as_text=True)
    assert f'action="/posts/{idea.id}/unvote"' in page and f'action="/posts/{idea.id}/vote"' not in page

    assert client.submit(f"/posts/{idea.id}/unvote").status_code == 302
    assert _votes(idea) == (0, 0)
    assert client.submit(f"/posts/{idea.id}/unvote").status_code == 302
    assert _votes(idea) == (0, 0)
    page = client.get(f"/ideas/{idea.id}-{idea.slug}").get_data(as_text=True)
    assert f'action="/posts/{idea.id}/vote"' in page


def test_supporting_a_need_is_the_same_mechanism(client, anna, bruno, torino, new_need):
    need = new_need(anna, torino)
    for email in ("anna@example.it", "bruno@example.it"):  # authors may support their own need
        client.login(email)
        assert client.submit(f"/posts/{need.id}/vote").status_code == 302
        client.submit("/account/logout")
    assert _votes(need) == (2, 2)


def test_voting_on_a_withdrawn_idea_is_refused_but_a_vote_can_be_taken_back(client, anna, bruno, make_user, torino,
                                                                           new_idea, add_vote):
    idea = new_idea(anna, torino)
    add_vote(bruno, idea)
    idea.status = "withdrawn"
    db.session.commit()
    make_user(email="carla@example.it")
    client.login("carla@example.it")
    before = table_counts()
    assert client.submit(f"/posts/{idea.id}/vote").status_code == 403
    assert table_counts() == before and _votes(idea) == (1, 1)
    client.submit("/account/logout")
    client.login("bruno@example.it")
    assert client.submit(f"/posts/{idea.id}/unvote").status_code == 302
    assert _votes(idea) == (0, 0)
    assert client.submit(f"/posts/{idea.id}/vote").status_code == 403
    assert _votes(idea) == (0, 0)


def test_vote_without_csrf_token_or_on_a_missing_post(client, anna, bruno, torino, new_need):
    need = new_need(anna, torino)
    client.login("bruno@example.it")
    before = table_counts()
    assert client.post(f"/posts/{need.id}/vote").status_code == 400
    assert client.post(f"/posts/{need.id}/vote", data={"csrf_token": "forged"}).status_code == 400
    assert client.submit("/posts/999999/vote").status_code == 404
    assert client.submit("/posts/999999/unvote").status_code == 404
    assert client.get(f"/posts/{need.id}/vote").status_code == 405
    assert table_counts() == before and _votes(need) == (0, 0)


# --- concurrency ------------------------------------------------------------------------------

PARALLEL = 20


def test_twenty_simultaneous_votes_of_one_account_count_once(app, client, anna, bruno, torino, new_idea):
    idea = new_idea(anna, torino)
    clients = logged_in_clients(app, ["bruno@example.it"] * PARALLEL)
    results = post_all_at_once(app, clients, f"/posts/{idea.id}/vote")
    assert results == [302] * PARALLEL
    rows, counter = _votes(idea)
    assert rows == 1
    assert counter == 1


def test_twenty_accounts_voting_at_once_are_all_counted(app, client, make_user, anna, torino, new_need):
    need = new_need(anna, torino)
    emails = [make_user(email=f"voter{i}@example.it").email for i in range(PARALLEL)]
    clients = logged_in_clients(app, emails)
    results = post_all_at_once(app, clients, f"/posts/{need.id}/vote")
    assert results == [302] * PARALLEL
    rows, counter = _votes(need)
    assert rows == PARALLEL
    assert counter == PARALLEL
    # And all of them taking it back at once.
    results = post_all_at_once(app, clients, f"/posts/{need.id}/unvote")
    assert results == [302] * PARALLEL
    assert _votes(need) == (0, 0)


def test_a_vote_without_its_csrf_token_is_refused_with_a_clear_message(client, anna, bruno, torino, new_idea):
    idea = new_idea(anna, torino)
    client.login("bruno@example.it")
    english(client)
    before = table_counts()
    response = client.post(f"/posts/{idea.id}/vote", data={})
    assert response.status_code == 400
    assert "Your form has expired or was not sent from this site." in response.get_data(as_text=True)
    assert table_counts() == before and _votes(idea) == (0, 0)


def test_a_vote_that_meets_a_move_made_meanwhile_is_taken_back(anna, bruno, torino, new_idea):
    """The idea was read as open to votes, then merged by another request before the vote was written:
    the status is judged again as the counter moves, so no vote stays and the counter does not move
    (on PostgreSQL the vote and the counter are one statement; this is its 'added, not counted' answer)."""
    idea = new_idea(anna, torino)
    db.session.commit()
    assert idea.status == "published"  # what this request read
    db.session.execute(update(Post.__table__).where(Post.__table__.c.id == idea.id).values(status="merged"))
    with pytest.raises(PostForbidden):
        services.add_vote(bruno, idea)
    db.session.commit()
    assert _votes(idea) == (0, 0)
