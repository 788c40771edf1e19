"""Lists of needs and ideas of a city (filters, sorting, pages), the city page and the profile page."""
from __future__ import annotations

import re
import urllib.parse

import pytest
from sqlalchemy import select

from civic.comments.models import Comment
from civic.comments.services import delete_comment
from civic.extensions import db
from civic.posts import listing
from tests.conftest import table_counts
from tests.posts.helpers import card_ids, english


@pytest.fixture
def listed(anna, bruno, make_user, torino, palermo, themes, new_need, new_idea, add_vote, add_comment):
    """Needs and ideas in Torino (and one need in Palermo, which Torino's lists never show)."""
    aurora, vanchiglia = torino.neighbourhoods
    carla = make_user(email="carla@example.it")
    needs = [
        new_need(anna, torino, title="Fontanella rotta ad Aurora", neighbourhood=aurora, theme=themes[0]),
        new_need(bruno, torino, title="Manca un doposcuola a Vanchiglia", neighbourhood=vanchiglia, theme=themes[1]),
        new_need(anna, torino, title="Poche panchine in tutta la città", theme=themes[0]),
    ]
    new_need(anna, palermo, title="Manca un doposcuola a Danisinni")
    ideas = [
        new_idea(anna, torino, title="Riparare le fontanelle", neighbourhood=aurora, theme=themes[0]),
        new_idea(bruno, torino, title="Doposcuola nella biblioteca", neighbourhood=vanchiglia, theme=themes[1]),
        new_idea(anna, torino, title="Panchine nuove in corso Giulio", theme=themes[0]),
    ]
    ideas[2].status = "withdrawn"
    db.session.commit()
    # Most supported: needs[1] (2 votes), then needs[2] (1); most commented: needs[0] (2), then needs[2] (1).
    for voter in (anna, carla):
        add_vote(voter, needs[1])
    add_vote(carla, needs[2])
    add_comment(bruno, needs[0], "Anche sotto casa mia.")
    add_comment(carla, needs[0], "Confermo.")
    add_comment(carla, needs[2], "Servono anche ombre.")
    return {"needs": needs, "ideas": ideas}


def _ids(posts, *indexes):
    return [posts[i].id for i in indexes]


def test_filters_by_neighbourhood_theme_and_status(client, listed):
    needs, ideas = listed["needs"], listed["ideas"]
    html = client.get("/cities/torino/needs").get_data(as_text=True)
    assert card_ids(html) == _ids(needs, 2, 1, 0)  # newest first, Palermo's need left out
    assert card_ids(client.get("/cities/torino/needs?neighbourhood=aurora").get_data(as_text=True)) == _ids(needs, 0)
    assert card_ids(client.get("/cities/torino/needs?theme=abitare").get_data(as_text=True)) == _ids(needs, 2, 0)
    assert card_ids(client.get("/cities/torino/needs?theme=lavoro&neighbourhood=aurora").get_data(as_text=True)) == []
    assert card_ids(client.get("/cities/torino/ideas").get_data(as_text=True)) == _ids(ideas, 2, 1, 0)
    assert card_ids(client.get("/cities/torino/ideas?status=published").get_data(as_text=True)) == _ids(ideas, 1, 0)
    assert card_ids(client.get("/cities/torino/ideas?status=withdrawn").get_data(as_text=True)) == _ids(ideas, 2)
    assert card_ids(client.get("/cities/palermo/needs").get_data(as_text=True)) != []
    assert client.get("/cities/atlantide/needs").status_code == 404
    assert client.get("/cities/atlantide/ideas").status_code == 404


def test_sorting_by_comments(client, listed):
    needs = listed["needs"]
    html = client.get("/cities/torino/needs?sort=comments").get_data(as_text=True)
    assert card_ids(html) == _ids(needs, 0, 2, 1)


def test_sorting_by_votes(client, listed):
    needs = listed["needs"]
    html = client.get("/cities/torino/needs?sort=votes").get_data(as_text=True)
    assert card_ids(html) == _ids(needs, 1, 2, 0)


def test_random_order_is_stable_for_a_visitor(client, app, anna, torino, new_need):
    posts = [new_need(anna, torino, title=f"Bisogno numero {i:02d}") for i in range(12)]

    def shown(browser, url: str) -> list[int]:
        return card_ids(browser.get(url, follow_redirects=True).get_data(as_text=True))

    # The visitor is sent to the address of their own order, which the next visit finds again.
    moved = client.get("/cities/torino/needs?sort=random&theme=abitare")
    assert moved.status_code == 302
    seed = int(dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(moved.location).query))["seed"])
    assert 0 <= seed < listing.RANDOM_SEEDS and "theme=abitare" in moved.location
    assert f"seed={seed}" in client.get("/cities/torino/needs?sort=random").location
    first = shown(client, "/cities/torino/needs?sort=random")
    assert first == shown(client, "/cities/torino/needs?sort=random")
    assert sorted(first) == sorted(p.id for p in posts)
    # Its pages follow the same order, without repeating or losing a post, and link to each other.
    html = client.get(f"/cities/torino/needs?sort=random&seed={seed}&per_page=5").get_data(as_text=True)
    assert f"seed={seed}" in html[html.index('class="pagination"'):]
    pages = [shown(client, f"/cities/torino/needs?sort=random&seed={seed}&per_page=5&page={n}") for n in (1, 2, 3)]
    assert sum(pages, []) == first
    # The address gives the same order to anyone; other visitors get other orders (12! of them, and
    # RANDOM_SEEDS seeds: five equal to the first only by a fluke).
    assert shown(app.test_client(), f"/cities/torino/needs?sort=random&seed={seed}") == first
    shuffles = {tuple(shown(app.test_client(), "/cities/torino/needs?sort=random")) for _ in range(5)}
    assert len(shuffles | {tuple(first)}) > 1
    # Only the list's own parameters are carried to the order's address.
    odd = client.get("/cities/torino/needs?sort=random&slug=palermo&_external=1&_scheme=javascript")
    assert odd.status_code == 302 and odd.location.startswith("/cities/torino/needs?") and "javascript" not in odd.location
    for bad in ("-1", "x", str(listing.RANDOM_SEEDS), "", "²"):
        response = client.get(f"/cities/torino/needs?sort=random&seed={bad}")
        assert response.status_code == 400, bad


def test_pagination(client, anna, torino, new_need):
    posts = [new_need(anna, torino, title=f"Bisogno numero {i:02d}") for i in range(5)]
    newest_first = [p.id for p in reversed(posts)]
    english(client)
    page1 = client.get("/cities/torino/needs?per_page=2").get_data(as_text=True)
    page3 = client.get("/cities/torino/needs?per_page=2&page=3").get_data(as_text=True)
    assert card_ids(page1) == newest_first[:2] and card_ids(page3) == newest_first[4:]
    assert "Page 1 of 3" in page1 and "5 results" in page1
    assert 'href="/cities/torino/needs?per_page=2&amp;page=2"' in page1
    assert 'href="/cities/torino/needs?per_page=2&amp;page=2"' in page3  # previous page
    response = client.get("/cities/torino/needs?per_page=2&page=9")
    assert response.status_code == 200 and card_ids(response.get_data(as_text=True)) == []


@pytest.mark.parametrize("cases", [
    [("page=-1", "page must be a whole number from 1 up"),
     ("page=0", "page must be a whole number from 1 up"),
     ("page=abc", "page must be a whole number from 1 up"),
     ("page=1.5", "page must be a whole number from 1 up"),
     ("page=100001", "page can be at most 100000")],
    [("per_page=100000", "per_page can be at most 50"),
     ("per_page=0", "per_page must be a whole number from 1 up"),
     ("per_page=-5", "per_page must be a whole number from 1 up")],
    [("sort=anything-else", "Unknown sort order"),
     ("sort=id;drop table post", "Unknown sort order")],
    [("neighbourhood=atlantide", "Torino has no neighbourhood called atlantide"),
     ("neighbourhood=danisinni", "Torino has no neighbourhood called danisinni"),  # Palermo's
     ("theme=nessuno", "Unknown theme: nessuno"),
     ("status=deleted", "Unknown status: deleted")],
], ids=["page", "per_page", "sort", "filters"])
def test_bad_list_parameters_answer_400_with_the_error_page(client, torino, palermo, themes, cases):
    english(client)
    before = table_counts()
    for query, message in cases:
        for kind in ("needs", "ideas"):
            response = client.get(f"/cities/torino/{kind}?{query}")
            assert response.status_code == 400, (kind, query)
            html = response.get_data(as_text=True)
            assert message in html and "Error 400" in html and "Traceback" not in html, (kind, query)
    assert table_counts() == before


def test_odd_numbers_in_list_parameters_answer_400(client, torino):
    for query in ("page=%C2%B2", "per_page=%C2%B9", "page=" + "9" * 5000):
        try:
            response = client.get(f"/cities/torino/needs?{query}")
        except ValueError as error:  # TESTING propagates the exception of the 500
            pytest.fail(f"{query[:20]}: 500: {error}")
        assert response.status_code == 400, query[:20]


# --- query counts -------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["needs", "ideas"])
def test_list_page_query_count_does_not_grow_with_its_size(client, make_city, anna, bruno, themes, new_need, new_idea,
                                                           count_queries, kind):
    small = make_city("Piccola", neighbourhoods=("Centro",))
    big = make_city("Grande", neighbourhoods=("Centro", "Borgo"))
    make = new_need if kind == "needs" else new_idea
    for i in range(2):
        make((anna, bruno)[i % 2], small, title=f"Contributo numero {i}", neighbourhood=small.neighbourhoods[0],
             theme=themes[i % 2])
    for i in range(40):
        make((anna, bruno)[i % 2], big, title=f"Contributo numero {i}", neighbourhood=big.neighbourhoods[i % 2],
             theme=themes[i % 2])
    client.login("anna@example.it")
    client.get(f"/cities/{small.slug}/{kind}")  # warm up
    with count_queries() as few:
        html = client.get(f"/cities/{small.slug}/{kind}?per_page=50").get_data(as_text=True)
    assert len(card_ids(html)) == 2
    with count_queries() as many:
        html = client.get(f"/cities/{big.slug}/{kind}?per_page=50").get_data(as_text=True)
    assert len(card_ids(html)) == 40
    assert many.count == few.count, many.statements[few.count:]
    assert few.count <= 10


def test_post_page_query_count_does_not_grow_with_its_comments(client, make_user, anna, bruno, torino, new_need,
                                                               add_comment, count_queries):
    quiet = new_need(anna, torino, title="Un bisogno con un commento")
    busy = new_need(anna, torino, title="Un bisogno molto commentato")
    add_comment(bruno, quiet, "L'unico commento")
    people = [anna, bruno, make_user(email="carla@example.it")]
    for i in range(10):
        root = add_comment(people[i % 3], busy, f"Commento {i}")
        for j in range(2):
            add_comment(people[(i + j + 1) % 3], busy, f"Risposta {i}.{j}", parent=root)
    assert busy.comment_count == 30
    client.login("anna@example.it")
    client.get(f"/needs/{quiet.id}-{quiet.slug}")  # warm up
    with count_queries() as few:
        assert client.get(f"/needs/{quiet.id}-{quiet.slug}").status_code == 200
    with count_queries() as many:
        html = client.get(f"/needs/{busy.id}-{busy.slug}").get_data(as_text=True)
    assert html.count('class="comment ') == 30
    assert many.count == few.count, many.statements[few.count:]


# --- city and profile pages ---------------------------------------------------------------------

def _figures(html: str) -> dict[str, int]:
    pairs = re.findall(r"<dt[^>]*>\s*([^<]+?)\s*</dt>\s*<dd[^>]*>\s*([\d.,]+)\s*</dd>", html)
    return {label: int(value.replace(".", "").replace(",", "")) for label, value in pairs}


def test_city_page_shows_figures_and_the_latest_posts(client, listed):
    english(client)
    html = client.get("/cities/torino").get_data(as_text=True)
    needs, ideas = listed["needs"], listed["ideas"]
    for post in needs + ideas:
        assert f'href="/{post.kind}s/{post.id}-{post.slug}"' in html
    assert "Manca un doposcuola a Danisinni" not in html
    assert html.index("Poche panchine in tutta la città") < html.index("Fontanella rotta ad Aurora")  # newest first
    assert _figures(html)["Needs"] == 3 and _figures(html)["Ideas"] == 3 and _figures(html)["Comments"] == 3
    assert (_figures(html)["Supports"], _figures(html)["Votes"]) == (3, 0)


def test_city_page_shows_at_most_five_of_each(client, anna, torino, new_need):
    posts = [new_need(anna, torino, title=f"Bisogno numero {i:02d}") for i in range(7)]
    html = client.get("/cities/torino").get_data(as_text=True)
    assert card_ids(html) == [p.id for p in reversed(posts)][:5]


def test_profile_lists_needs_ideas_and_comments(client, anna, bruno, torino, new_need, new_idea, add_comment):
    need = new_need(anna, torino, title="Fontanella rotta ad Aurora")
    idea = new_idea(anna, torino, title="Riparare le fontanelle")
    others = new_need(bruno, torino, title="Il bisogno di Bruno")
    add_comment(anna, others, "Il commento di Anna su un bisogno di Bruno")
    gone = add_comment(anna, others, "Un commento poi eliminato")
    delete_comment(anna, gone)
    db.session.commit()
    html = client.get(f"/users/{anna.id}").get_data(as_text=True)
    assert "Anna Rossi" in html
    assert f'href="/needs/{need.id}-{need.slug}"' in html and f'href="/ideas/{idea.id}-{idea.slug}"' in html
    assert "Il commento di Anna su un bisogno di Bruno" in html and "Un commento poi eliminato" not in html
    shown = db.session.scalar(select(Comment).where(Comment.post_id == others.id, Comment.deleted_at.is_(None)))
    assert f'href="/comments/{shown.id}"' in html
    assert 'id="profile-needs"' in html and 'id="profile-ideas"' in html and 'id="profile-comments"' in html
    html = client.get(f"/users/{bruno.id}").get_data(as_text=True)
    assert "Il bisogno di Bruno" in html and "Fontanella rotta ad Aurora" not in html
    assert client.get("/users/999999").status_code == 404
