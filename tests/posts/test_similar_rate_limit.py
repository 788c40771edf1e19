""""Look for similar ones first" on the submission forms is a search: it counts in the search's limit,
with the same key as the similar posts shown while typing (/search/similar), and is refused like it."""
from __future__ import annotations

import pytest

from tests.conftest import table_counts
from tests.posts.helpers import english, idea_form, need_form


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://", "RATELIMIT_SEARCH": "2 per minute"}


def _check(client, kind: str, form: dict):
    return client.submit(f"/cities/torino/{kind}s/new", {**form, "check_similar": "1"})


def _refused_with_the_form_kept(response, title: str) -> None:
    assert response.status_code == 429
    assert response.headers["Retry-After"]
    html = response.get_data(as_text=True)
    assert "You made too many attempts in a short time. Wait a minute and try again." in html
    assert f'value="{title}"' in html  # what was typed comes back
    assert "Traceback" not in html


@pytest.mark.parametrize("kind", ["need", "idea"])
def test_looking_for_similar_ones_counts_in_the_search_limit(client, anna, torino, themes, kind):
    client.login("anna@example.it")
    english(client)
    form = (need_form if kind == "need" else idea_form)(themes[0], title="Panchine rotte nel parco")
    before = table_counts()
    for _ in range(2):
        assert _check(client, kind, form).status_code == 200
    _refused_with_the_form_kept(_check(client, kind, form), "Panchine rotte nel parco")
    # The same bucket as the similar posts shown while typing.
    assert client.get("/search/similar?city=torino&text=panchine").status_code == 429
    assert table_counts() == before


def test_searches_while_typing_count_against_the_button_too(client, anna, torino, themes):
    client.login("anna@example.it")
    english(client)
    for _ in range(2):
        assert client.get("/search/similar?city=torino&text=panchine").status_code == 200
    _refused_with_the_form_kept(_check(client, "need", need_form(themes[0], title="Panchine")), "Panchine")
    # Publishing is not a search: it stays possible.
    assert client.submit("/cities/torino/needs/new", need_form(themes[0], title="Panchine")).status_code == 302
