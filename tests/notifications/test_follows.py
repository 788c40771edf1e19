"""Following needs, ideas and calls: the pages, the counts under parallel requests, bad input."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from civic.calls.models import Call
from civic.extensions import db
from civic.moderation import services as moderation
from civic.notifications import follows
from civic.notifications.models import Follow
from civic.posts.models import Post
from tests.conftest import table_counts
from tests.posts.helpers import english, logged_in_clients, post_all_at_once


def _followers(kind: str, target_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Follow).where(
        Follow.target_kind == kind, Follow.target_id == target_id))


def _count_column(model, target_id: int) -> int:
    db.session.expire_all()
    return db.session.get(model, target_id).follower_count


def test_authors_follow_what_they_post_and_the_count_is_kept(anna, torino, new_need, new_idea):
    need, idea = new_need(anna, torino), new_idea(anna, torino)
    assert follows.is_following(anna, "need", need.id) and follows.is_following(anna, "idea", idea.id)
    assert _count_column(Post, need.id) == 1 == _followers("need", need.id)
    assert _count_column(Post, idea.id) == 1 == _followers("idea", idea.id)


def test_follow_and_unfollow_from_the_page(client, anna, bruno, torino, new_need):
    need = new_need(anna, torino)
    client.login("bruno@example.it")
    english(client)
    page = client.get(f"/needs/{need.id}-{need.slug}").get_data(as_text=True)
    assert f'action="/follow/need/{need.id}"' in page and "1 person follows this" in page

    response = client.submit(f"/follow/need/{need.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/needs/{need.id}-{need.slug}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You follow it now" in page and "2 people follow this" in page
    assert f'action="/unfollow/need/{need.id}"' in page and "Following" in page
    # Idempotent: a second click changes nothing.
    assert client.submit(f"/follow/need/{need.id}").status_code == 302
    assert _count_column(Post, need.id) == 2 == _followers("need", need.id)

    assert client.submit(f"/unfollow/need/{need.id}").status_code == 302
    assert client.submit(f"/unfollow/need/{need.id}").status_code == 302
    assert _count_column(Post, need.id) == 1 == _followers("need", need.id)
    assert not follows.is_following(bruno, "need", need.id)


def test_the_call_page_offers_to_follow_the_call(client, bruno, new_call):
    call = new_call()
    client.login("bruno@example.it")
    english(client)
    assert f'action="/follow/call/{call.id}"' in client.get(f"/calls/{call.id}-{call.slug}").get_data(as_text=True)
    assert client.submit(f"/follow/call/{call.id}").status_code == 302
    assert _count_column(Call, call.id) == 1 == _followers("call", call.id)
    draft = new_call(publish=False)
    assert client.submit(f"/follow/call/{draft.id}").status_code == 404  # a draft is not public


def test_after_voting_following_is_offered_not_imposed(client, anna, bruno, torino, new_need):
    need = new_need(anna, torino)
    client.login("bruno@example.it")
    english(client)
    response = client.submit(f"/posts/{need.id}/vote", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Do you want to know what happens next?" in page
    assert f'action="/follow/need/{need.id}"' in page and "border-primary" in page
    assert not follows.is_following(bruno, "need", need.id)
    # Someone who already follows is not asked again.
    assert client.submit(f"/posts/{need.id}/unvote").status_code == 302
    assert client.submit(f"/follow/need/{need.id}").status_code == 302
    page = client.submit(f"/posts/{need.id}/vote", follow_redirects=True).get_data(as_text=True)
    assert "Thank you: your support is counted." in page
    assert "Do you want to know what happens next?" not in page


@pytest.mark.parametrize("url, status", [
    ("/follow/petition/1", 404),  # unknown kind
    ("/follow/need/999999", 404),  # no such need
    ("/follow/idea/{need}", 404),  # a need is not an idea
    ("/follow/need/{hidden}", 404),  # hidden by the moderators
    ("/unfollow/need/999999", 404),
    ("/follow/need/99999999999", 404),  # beyond any id
])
def test_bad_follows_are_refused_and_change_nothing(client, anna, bruno, mod_torino, torino, new_need, url, status):
    need, hidden = new_need(anna, torino), new_need(anna, torino, title="Un bisogno nascosto")
    moderation.hide(mod_torino, hidden, "Spam")
    db.session.commit()
    client.login("bruno@example.it")
    english(client)
    before = table_counts()
    response = client.submit(url.format(need=need.id, hidden=hidden.id))
    assert response.status_code == status
    assert "This content does not exist." in response.get_data(as_text=True) or "99999999999" in url
    assert table_counts() == before


def test_follow_needs_a_login_and_a_valid_form(client, anna, torino, new_need):
    need = new_need(anna, torino)
    before = table_counts()
    response = client.submit(f"/follow/need/{need.id}")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    assert client.post(f"/follow/need/{need.id}").status_code == 400  # no CSRF token
    client.login("anna@example.it")
    english(client)
    response = client.post(f"/follow/need/{need.id}", data={"csrf_token": "forged"})
    assert response.status_code == 400
    assert client.get(f"/follow/need/{need.id}").status_code == 405
    assert table_counts() == before


def test_the_count_is_exact_under_parallel_follows(app, client, make_user, anna, torino, new_need):
    need = new_need(anna, torino)
    emails = [make_user(email=f"fan{i}@example.it").email for i in range(8)]
    clients = logged_in_clients(app, emails)
    # Every person clicks twice at the same moment: each is counted once.
    results = post_all_at_once(app, clients + clients, f"/follow/need/{need.id}")
    assert all(r == 302 for r in results), results
    assert _count_column(Post, need.id) == _followers("need", need.id) == 9
    results = post_all_at_once(app, clients + clients, f"/unfollow/need/{need.id}")
    assert all(r == 302 for r in results), results
    assert _count_column(Post, need.id) == _followers("need", need.id) == 1
