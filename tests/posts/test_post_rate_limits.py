"""Rate limits per account on posting, commenting and voting."""
from __future__ import annotations

import pytest

from tests.conftest import table_counts
from tests.posts.helpers import need_form


@pytest.fixture
def app_config():
    return {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_POST": "2 per hour",
        "RATELIMIT_COMMENT": "2 per hour",
        "RATELIMIT_VOTE": "2 per hour",
    }


def _refused(response) -> None:
    assert response.status_code == 429
    assert response.headers["Retry-After"]
    assert "Traceback" not in response.get_data(as_text=True)


def test_third_need_of_an_account_is_refused_but_refused_forms_do_not_count(client, anna, bruno, torino, themes):
    client.login("anna@example.it")
    for _ in range(3):
        assert client.submit("/cities/torino/needs/new", need_form(themes[0], title="")).status_code == 422
    for n in range(2):
        response = client.submit("/cities/torino/needs/new", need_form(themes[0], title=f"Bisogno numero {n}"))
        assert response.status_code == 302
    before = table_counts()
    _refused(client.submit("/cities/torino/needs/new", need_form(themes[0], title="Bisogno numero 3")))
    assert table_counts() == before
    assert client.get("/cities/torino/needs/new").status_code == 200  # reading the form stays possible
    # The limit is per account: another account on the same address may still post.
    client.submit("/account/logout")
    client.login("bruno@example.it")
    assert client.submit("/cities/torino/ideas/new", {
        "title": "Un'idea di Bruno", "summary": "Un riassunto abbastanza lungo", "body": "Testo",
        "theme": str(themes[0].id), "neighbourhood": "", "beneficiaries": "Tutti"}).status_code == 302


def test_third_comment_of_an_account_is_refused(client, anna, torino, new_need):
    need = new_need(anna, torino)
    client.login("anna@example.it")
    assert client.submit(f"/posts/{need.id}/comments", {"body": ""}).status_code == 422
    for n in range(2):
        assert client.submit(f"/posts/{need.id}/comments", {"body": f"Commento {n}"}).status_code == 302
    before = table_counts()
    _refused(client.submit(f"/posts/{need.id}/comments", {"body": "Commento 3"}))
    assert table_counts() == before


def test_third_vote_click_of_an_account_is_refused(client, anna, bruno, torino, new_need, new_idea):
    need = new_need(anna, torino)
    idea = new_idea(anna, torino)
    client.login("bruno@example.it")
    assert client.submit(f"/posts/{need.id}/vote").status_code == 302
    assert client.submit(f"/posts/{need.id}/vote").status_code == 302  # a repeated click counts too
    before = table_counts()
    _refused(client.submit(f"/posts/{idea.id}/vote"))  # per account, whatever the post
    assert table_counts() == before
    # (vote and unvote are limited separately: each route has its own "2 per hour".)
    assert client.submit(f"/posts/{need.id}/unvote").status_code == 302
