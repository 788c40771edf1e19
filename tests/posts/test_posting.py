"""Posting, reading, editing and withdrawing needs and ideas through the pages, with bad input."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from civic.comments.models import Comment
from civic.extensions import db
from civic.posts.models import Idea, Need, Post
from tests.conftest import table_counts
from tests.posts.helpers import english, field_error, idea_form, need_form, next_of

MULTIPART = {"content_type": "multipart/form-data"}


# --- posting and reading ------------------------------------------------------------------------

def test_post_a_need_through_the_page_and_read_it_at_its_permanent_address(client, anna, torino, themes):
    client.login("anna@example.it")
    page = client.get("/cities/torino/needs/new")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="title"' in html and 'name="location_text"' in html and 'enctype="multipart/form-data"' in html

    aurora = torino.neighbourhoods[0]
    response = client.submit("/cities/torino/needs/new", need_form(
        themes[1], title="  Fontanella   rotta in piazza Foroni ", neighbourhood=str(aurora.id)), **MULTIPART)
    assert response.status_code == 302
    need = db.session.scalar(select(Need))
    assert response.headers["Location"].endswith(f"/needs/{need.id}-fontanella-rotta-in-piazza-foroni")
    assert need.title == "Fontanella rotta in piazza Foroni"  # whitespace normalised
    assert (need.author_id, need.city_id, need.neighbourhood_id, need.theme_id) == (anna.id, torino.id, aurora.id, themes[1].id)
    assert need.location_text == "Piazza Foroni" and need.status == "published"
    assert need.body_markdown == "La fontanella **non funziona** da mesi."
    assert "<strong>non funziona</strong>" in need.body_html
    assert (need.vote_count, need.comment_count, need.image_id) == (0, 0, None)

    url = f"/needs/{need.id}-{need.slug}"
    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Fontanella rotta in piazza Foroni" in html and "<strong>non funziona</strong>" in html
    assert "Piazza Foroni" in html and "Aurora" in html and "Anna Rossi" in html and "Lavoro" in html


def test_short_and_wrong_addresses_redirect_permanently_and_unknown_ids_are_not_found(client, anna, torino, new_need, new_idea):
    need = new_need(anna, torino)
    idea = new_idea(anna, torino)
    for kind, post in (("needs", need), ("ideas", idea)):
        canonical = f"/{kind}/{post.id}-{post.slug}"
        assert client.get(canonical).status_code == 200
        for address in (f"/{kind}/{post.id}", f"/{kind}/{post.id}-wrong-slug", f"/{kind}/{post.id}-{post.slug.upper()}"):
            response = client.get(address)
            assert response.status_code == 301, address
            assert response.headers["Location"].endswith(canonical), address
        assert client.get(f"/{kind}/999999-anything").status_code == 404
        assert client.get(f"/{kind}/999999").status_code == 404
    # A need is not an idea: each kind answers only at its own address.
    assert client.get(f"/ideas/{need.id}-{need.slug}").status_code == 404
    assert client.get(f"/needs/{idea.id}-{idea.slug}").status_code == 404


def test_post_an_idea_that_answers_needs_and_both_pages_link_each_other(client, anna, bruno, torino, themes, new_need):
    first = new_need(bruno, torino, title="Fontanella rotta in piazza Foroni")
    second = new_need(bruno, torino, title="Panchine divelte nel giardino")
    client.login("anna@example.it")
    # Coming from a need's page ("Propose an idea for this need"), that need is already ticked.
    html = client.get(f"/cities/torino/ideas/new?need={first.id}").get_data(as_text=True)
    assert re.search(rf'id="needs-{first.id}" value="{first.id}"\s+checked', html)
    assert re.search(rf'id="needs-{second.id}" value="{second.id}"\s*>', html)
    assert "Panchine divelte nel giardino" in html

    response = client.submit("/cities/torino/ideas/new", idea_form(
        themes[0], needs=[str(first.id), str(second.id)], estimated_cost="25000.456",
        neighbourhood=str(torino.neighbourhoods[1].id)), **MULTIPART)
    assert response.status_code == 302
    idea = db.session.scalar(select(Idea))
    assert response.headers["Location"].endswith(f"/ideas/{idea.id}-{idea.slug}")
    assert [n.id for n in idea.needs] == [first.id, second.id]
    assert str(idea.estimated_cost) == "25000.46"
    assert idea.summary == "Un piano per riparare le fontanelle rotte in tre mesi"
    assert idea.beneficiaries == "Chi abita nel quartiere, soprattutto anziani"
    assert idea.neighbourhood_id == torino.neighbourhoods[1].id

    idea_page = client.get(f"/ideas/{idea.id}-{idea.slug}").get_data(as_text=True)
    assert f'href="/needs/{first.id}-{first.slug}"' in idea_page
    assert f'href="/needs/{second.id}-{second.slug}"' in idea_page
    assert "Un piano per riparare le fontanelle rotte in tre mesi" in idea_page
    need_page = client.get(f"/needs/{first.id}-{first.slug}").get_data(as_text=True)
    assert f'href="/ideas/{idea.id}-{idea.slug}"' in need_page


def test_anonymous_visitors_are_sent_to_login_and_nothing_is_posted(client, torino, themes):
    before = table_counts()
    for kind in ("needs", "ideas"):
        url = f"/cities/torino/{kind}/new"
        response = client.get(url)
        assert response.status_code == 302 and next_of(response.headers["Location"]) == url
        form = need_form(themes[0]) if kind == "needs" else idea_form(themes[0])
        response = client.submit(url, form, **MULTIPART)
        assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    assert table_counts() == before


@pytest.mark.parametrize("kind", ["needs", "ideas"])
def test_unknown_city_is_not_found(client, anna, themes, kind):
    client.login("anna@example.it")
    before = table_counts()
    assert client.get(f"/cities/atlantide/{kind}/new").status_code == 404
    form = need_form(themes[0]) if kind == "needs" else idea_form(themes[0])
    assert client.submit(f"/cities/atlantide/{kind}/new", form, **MULTIPART).status_code == 404
    assert table_counts() == before


# --- bad input ----------------------------------------------------------------------------------

# Each bad input: refused with 422, a message in the field's error element, nothing stored.
# Grouped by field (one app and one login per group keeps the suite fast on both backends).
BAD_NEED = {
    "title": [
        ("", "Enter a title."),
        (" \t  \n ", "Enter a title."),
        ("Buco", "at least 5 characters"),
        ("T" * 151, "at most 150 characters (you entered 151)"),
        ("Fontanella\x00 rotta", "characters that are not allowed"),
        ("Fontanella \u202eattor", "characters that are not allowed"),
    ],
    "body": [
        ("x" * 20_000, "at most 10000 characters"),
        ("Prima riga\x00 seconda", "characters that are not allowed"),
        ("   ", "Write a description."),
    ],
    "theme": [("999999", "Not a valid choice"), ("", ""), ("abc", ""), ("\u00b2", "")],
    "neighbourhood": [("999999", "Not a valid choice"), ("abc", ""), ("-1", "")],
    "location_text": [("L" * 201, "at most 200 characters"), ("Via\x00 Roma", "characters that are not allowed")],
}


@pytest.mark.parametrize("field", BAD_NEED)
def test_bad_need_is_refused_with_a_clear_message_and_nothing_changes(client, anna, torino, themes, field):
    client.login("anna@example.it")
    english(client)
    before = table_counts()
    for value, message in BAD_NEED[field]:
        case = f"{field}={value[:30]!r}"
        response = client.submit("/cities/torino/needs/new", need_form(themes[0], **{field: value}), **MULTIPART)
        assert response.status_code == 422, case
        html = response.get_data(as_text=True)
        assert message in field_error(html, field), case
        assert 'aria-invalid="true"' in html and 'id="form-errors"' in html, case
        assert "Traceback" not in html
        assert table_counts() == before, case


def test_limits_are_inclusive_and_accents_make_readable_addresses(client, anna, torino, themes):
    client.login("anna@example.it")
    title = "Più alberi in via Cigna: è urgente! " + "x" * 114
    assert len(title) == 150
    response = client.submit("/cities/torino/needs/new", need_form(themes[0], title=title, body="b" * 10_000,
                                                                   location_text="L" * 200), **MULTIPART)
    assert response.status_code == 302
    need = db.session.scalar(select(Need))
    assert need.slug.startswith("piu-alberi-in-via-cigna-e-urgente-xxx") and len(need.slug) <= 80
    assert (len(need.title), len(need.body_markdown), len(need.location_text)) == (150, 10_000, 200)
    assert response.headers["Location"].endswith(f"/needs/{need.id}-{need.slug}")


def test_line_breaks_sent_by_browsers_count_as_one_character(client, anna, torino, themes, new_need):
    need = new_need(anna, torino)
    client.login("anna@example.it")
    body = "\r\n".join(["abc"] * 2_400)  # 11,998 characters as sent, 9,599 once stored with \n
    response = client.submit("/cities/torino/needs/new", need_form(themes[0], body=body), **MULTIPART)
    assert response.status_code == 302
    assert len(db.session.scalar(select(Need).where(Need.id != need.id)).body_markdown) == 9_599
    response = client.submit(f"/posts/{need.id}/comments", {"body": "\r\n".join(["abc"] * 1_200)})
    assert response.status_code == 302
    assert len(db.session.scalar(select(Comment)).body_markdown) == 4_799


def test_neighbourhood_of_another_city_is_refused(client, anna, torino, palermo, themes):
    client.login("anna@example.it")
    before = table_counts()
    danisinni = palermo.neighbourhoods[0]
    response = client.submit("/cities/torino/needs/new", need_form(themes[0], neighbourhood=str(danisinni.id)), **MULTIPART)
    assert response.status_code == 422
    field_error(response.get_data(as_text=True), "neighbourhood")
    response = client.submit("/cities/torino/ideas/new", idea_form(themes[0], neighbourhood=str(danisinni.id)), **MULTIPART)
    assert response.status_code == 422
    field_error(response.get_data(as_text=True), "neighbourhood")
    assert table_counts() == before


BAD_IDEA = {
    "summary": [
        ("", "Write a summary."),
        ("Breve", "at least 10 characters"),
        ("S" * 301, "at most 300 characters"),
        ("Un riassunto\x00 lungo", "characters that are not allowed"),
    ],
    "beneficiaries": [("  ", "Say who would benefit."), ("B" * 501, "at most 500 characters")],
    "estimated_cost": [
        ("-1", "between 0 and 100,000,000"),
        ("100000000.01", "between 0 and 100,000,000"),
        ("venti euro", ""),
        ("NaN", ""),
        ("sNaN", ""),
        ("Infinity", ""),
    ],
    "needs": [(["999999"], "does not exist"), (["abc"], ""), (["\u00b2"], ""), (["9" * 30], "")],
}


@pytest.mark.parametrize("field", BAD_IDEA)
def test_bad_idea_is_refused_with_a_clear_message_and_nothing_changes(client, anna, torino, themes, new_need, field):
    new_need(anna, torino)  # the form lists the city's needs (see the next test for a city without any)
    client.login("anna@example.it")
    english(client)
    before = table_counts()
    for value, message in BAD_IDEA[field]:
        case = f"{field}={str(value)[:30]!r}"
        response = client.submit("/cities/torino/ideas/new", idea_form(themes[0], **{field: value}), **MULTIPART)
        assert response.status_code == 422, case
        assert message in field_error(response.get_data(as_text=True), field), case
        assert table_counts() == before, case


def test_idea_with_a_bad_need_in_a_city_without_needs_is_refused_not_a_server_error(client, anna, torino, palermo, themes,
                                                                                   new_need):
    elsewhere = new_need(anna, palermo, title="Manca un doposcuola a Danisinni")
    client.login("anna@example.it")
    before = table_counts()
    response = client.submit("/cities/torino/ideas/new", idea_form(themes[0], needs=[str(elsewhere.id)]), **MULTIPART)
    assert response.status_code == 422
    field_error(response.get_data(as_text=True), "needs")
    assert table_counts() == before


def test_an_idea_cannot_answer_a_need_of_another_city_or_too_many_needs(client, anna, torino, palermo, themes, new_need):
    elsewhere = new_need(anna, palermo, title="Manca un doposcuola a Danisinni")
    here = [new_need(anna, torino, title=f"Bisogno numero {i} di Torino") for i in range(11)]
    client.login("anna@example.it")
    english(client)
    before = table_counts()
    response = client.submit("/cities/torino/ideas/new", idea_form(themes[0], needs=[str(here[0].id), str(elsewhere.id)]),
                             **MULTIPART)
    assert response.status_code == 422
    assert "only needs of its own city, Torino" in field_error(response.get_data(as_text=True), "needs")
    response = client.submit("/cities/torino/ideas/new", idea_form(themes[0], needs=[str(n.id) for n in here]), **MULTIPART)
    assert response.status_code == 422
    assert "at most 10 needs" in field_error(response.get_data(as_text=True), "needs")
    assert table_counts() == before


def test_ids_beyond_the_database_integers_are_not_found(client, anna, torino, themes):
    client.login("anna@example.it")
    before = table_counts()
    for number in ("2147483648", "9223372036854775808", "99999999999999999999"):  # 2**31, 2**63, more
        statuses = {
            "need page": client.get(f"/needs/{number}").status_code,
            "idea page": client.get(f"/ideas/{number}-x").status_code,
            "idea form ?need=": client.get(f"/cities/torino/ideas/new?need={number}").status_code,
            "vote": client.submit(f"/posts/{number}/vote").status_code,
            "comment": client.submit(f"/posts/{number}/comments", {"body": "Ciao"}).status_code,
            "comment edit": client.get(f"/comments/{number}/edit").status_code,
            "idea needs field": client.submit("/cities/torino/ideas/new", idea_form(themes[0], needs=[number])).status_code,
        }
        assert statuses == {"need page": 404, "idea page": 404, "idea form ?need=": 200, "vote": 404, "comment": 404,
                            "comment edit": 404, "idea needs field": 422}, number
    assert table_counts() == before


def test_odd_need_parameter_on_the_idea_form_is_ignored(client, anna, torino, themes):
    client.login("anna@example.it")
    for value in ("%C2%B2", "9" * 5000):
        try:
            response = client.get(f"/cities/torino/ideas/new?need={value}")
        except ValueError as error:  # TESTING propagates the exception of the 500
            pytest.fail(f"{value[:10]}: 500: {error}")
        assert response.status_code == 200


# --- editing and withdrawing --------------------------------------------------------------------

def test_editing_someone_elses_need_or_idea_is_forbidden(client, anna, bruno, torino, themes, new_need, new_idea):
    need = new_need(anna, torino)
    idea = new_idea(anna, torino)
    client.login("bruno@example.it")
    before = table_counts()
    for kind, post, form in (("needs", need, need_form(themes[1], title="Titolo cambiato da Bruno")),
                             ("ideas", idea, idea_form(themes[1], title="Titolo cambiato da Bruno"))):
        assert client.get(f"/{kind}/{post.id}/edit").status_code == 403
        assert client.submit(f"/{kind}/{post.id}/edit", form, **MULTIPART).status_code == 403
        db.session.refresh(post)
        assert post.title != "Titolo cambiato da Bruno" and post.theme_id == themes[0].id
        page = client.get(f"/{kind}/{post.id}-{post.slug}").get_data(as_text=True)
        assert f'href="/{kind}/{post.id}/edit"' not in page
    assert table_counts() == before
    client.submit("/account/logout")
    response = client.get(f"/needs/{need.id}/edit")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_a_need_stays_editable_by_its_author_after_votes_and_comments(client, anna, bruno, torino, themes, new_need,
                                                                     add_vote, add_comment):
    need = new_need(anna, torino)
    add_vote(bruno, need)
    add_comment(bruno, need)
    client.login("anna@example.it")
    page = client.get(f"/needs/{need.id}/edit")
    assert page.status_code == 200 and "Fontanella rotta in piazza Foroni" in page.get_data(as_text=True)
    response = client.submit(f"/needs/{need.id}/edit", need_form(themes[1], title="Fontanella rotta e transennata",
                                                                 location_text=""), **MULTIPART)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/needs/{need.id}-fontanella-rotta-e-transennata")
    db.session.refresh(need)
    assert (need.title, need.theme_id, need.location_text) == ("Fontanella rotta e transennata", themes[1].id, None)
    assert (need.vote_count, need.comment_count) == (1, 1)
    # The old address still leads to the need.
    assert client.get(f"/needs/{need.id}-fontanella-rotta-in-piazza-foroni").status_code == 301


def test_author_edit_with_bad_input_is_refused_and_nothing_changes(client, anna, torino, themes, new_idea):
    idea = new_idea(anna, torino)
    client.login("anna@example.it")
    before = table_counts()
    response = client.submit(f"/ideas/{idea.id}/edit", idea_form(themes[0], title="", summary="x"), **MULTIPART)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    field_error(html, "title")
    field_error(html, "summary")
    db.session.refresh(idea)
    assert idea.title == "Riparare le fontanelle del quartiere"
    assert table_counts() == before


@pytest.mark.parametrize("reaction", ["vote", "comment"])
def test_an_idea_is_frozen_after_its_first_vote_or_comment(client, anna, bruno, torino, themes, new_idea, reaction):
    idea = new_idea(anna, torino)
    client.login("anna@example.it")
    assert client.get(f"/ideas/{idea.id}/edit").status_code == 200  # editable before anyone reacted
    client.submit("/account/logout")

    client.login("bruno@example.it")
    if reaction == "vote":
        assert client.submit(f"/posts/{idea.id}/vote").status_code == 302
    else:
        assert client.submit(f"/posts/{idea.id}/comments", {"body": "Bella idea!"}).status_code == 302
    client.submit("/account/logout")

    client.login("anna@example.it")
    before = table_counts()
    assert client.get(f"/ideas/{idea.id}/edit").status_code == 403
    response = client.submit(f"/ideas/{idea.id}/edit", idea_form(themes[0], title="Un altro titolo per l'idea"), **MULTIPART)
    assert response.status_code == 403
    db.session.refresh(idea)
    assert idea.title == "Riparare le fontanelle del quartiere"
    assert table_counts() == before
    assert f'href="/ideas/{idea.id}/edit"' not in client.get(f"/ideas/{idea.id}-{idea.slug}").get_data(as_text=True)
    if reaction == "vote":
        # Taking the vote back does not thaw it: people reacted to that text.
        client.submit("/account/logout")
        client.login("bruno@example.it")
        assert client.submit(f"/posts/{idea.id}/unvote").status_code == 302
        client.submit("/account/logout")
        client.login("anna@example.it")
        assert client.get(f"/ideas/{idea.id}/edit").status_code == 403


def test_withdrawing_an_idea(client, anna, bruno, torino, new_need, new_idea):
    need = new_need(anna, torino)
    idea = new_idea(anna, torino, needs=[need])
    # Someone else cannot withdraw it.
    client.login("bruno@example.it")
    before = table_counts()
    assert client.submit(f"/ideas/{idea.id}/withdraw").status_code == 403
    db.session.refresh(idea)
    assert idea.status == "published" and table_counts() == before
    client.submit("/account/logout")

    client.login("anna@example.it")
    assert client.post(f"/ideas/{idea.id}/withdraw").status_code == 400  # no CSRF token
    db.session.refresh(idea)
    assert idea.status == "published"
    response = client.submit(f"/ideas/{idea.id}/withdraw")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/ideas/{idea.id}-{idea.slug}")
    db.session.refresh(idea)
    assert idea.status == "withdrawn"
    # A second time: refused, nothing changes.
    before = table_counts()
    assert client.submit(f"/ideas/{idea.id}/withdraw").status_code == 403
    assert client.get(f"/ideas/{idea.id}/edit").status_code == 403
    assert table_counts() == before
    db.session.refresh(idea)
    assert idea.status == "withdrawn"
    # It stays visible, marked withdrawn, on its page and on the need's page.
    assert client.get(f"/ideas/{idea.id}-{idea.slug}").status_code == 200
    need_page = client.get(f"/needs/{need.id}-{need.slug}").get_data(as_text=True)
    assert f'href="/ideas/{idea.id}-{idea.slug}"' in need_page and "badge bg-secondary" in need_page
    # Needs cannot be withdrawn through the ideas' address.
    assert client.submit(f"/ideas/{need.id}/withdraw").status_code == 404
    assert db.session.scalar(select(Post.status).where(Post.id == need.id)) == "published"
