"""The read-only JSON API: fields, filters, cursor pages, errors, CORS, hidden content, query counts."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest

from civic.extensions import db
from civic.posts.models import PostStatus


@pytest.fixture
def posts(anna, bruno, torino, palermo, themes, new_need, new_idea):
    aurora, vanchiglia = torino.neighbourhoods
    return {
        "need_aurora": new_need(anna, torino, title="Panchine rotte ad Aurora", neighbourhood=aurora,
                                location_text="Giardini di via Bologna"),
        "need_lavoro": new_need(bruno, torino, title="Sportello lavoro chiuso", theme=themes[1]),
        "need_palermo": new_need(bruno, palermo, title="Un bisogno di Palermo"),
        "idea": new_idea(anna, torino, title="Riparare le panchine", neighbourhood=vanchiglia,
                         estimated_cost=Decimal("25000.50")),
    }


def test_list_and_item_show_public_fields_only(api, posts, anna):
    status, body = api("/api/v1/needs")
    assert status == 200
    assert [n["id"] for n in body["data"]] == sorted((p.id for k, p in posts.items() if "need" in k), reverse=True)
    assert body["next_cursor"] is None
    need = next(n for n in body["data"] if n["id"] == posts["need_aurora"].id)
    assert need["title"] == "Panchine rotte ad Aurora"
    assert need["location_text"] == "Giardini di via Bologna"
    assert need["neighbourhood"] == {"slug": "aurora", "name": "Aurora"}
    assert need["author"] == {"display_name": "Anna Rossi", "profile_url": f"http://civic.test/users/{anna.id}"}
    assert need["url"].startswith(f"http://civic.test/needs/{need['id']}-")
    status, idea = api(f"/api/v1/ideas/{posts['idea'].id}")
    assert status == 200 and idea["estimated_cost"] == "25000.50" and idea["kind"] == "idea"
    assert idea["summary"] and idea["beneficiaries"]


def test_no_private_field_in_any_answer(client, posts):
    for url in ("/api/v1/needs", "/api/v1/ideas", f"/api/v1/needs/{posts['need_aurora'].id}",
                f"/api/v1/ideas/{posts['idea'].id}"):
        text = client.get(url).get_data(as_text=True)
        for private in ("@example.it", "email", "password", "hidden_reason", "session_token", "hidden_at"):
            assert private not in text, (url, private)


@pytest.mark.parametrize(("query", "expected"), [
    ({"city": "torino"}, {"need_aurora", "need_lavoro"}),
    ({"city": "palermo"}, {"need_palermo"}),
    ({"theme": "lavoro"}, {"need_lavoro"}),
    ({"city": "torino", "neighbourhood": "aurora"}, {"need_aurora"}),
    ({"neighbourhood": "aurora"}, {"need_aurora"}),  # the neighbourhoods of that name, in any city
    ({"city": "palermo", "neighbourhood": "aurora"}, set()),  # Palermo has none of that name: the filters combine
    ({"status": "published"}, {"need_aurora", "need_lavoro", "need_palermo"}),
    ({"status": "funded"}, set()),
])
def test_filters(api, posts, query, expected):
    status, body = api("/api/v1/needs", **query)
    assert status == 200
    assert {n["id"] for n in body["data"]} == {posts[k].id for k in expected}


@pytest.mark.parametrize("query", [
    {"city": "atlantide"}, {"theme": "nessuno"}, {"status": "lost"},
    {"neighbourhood": "nowhere"}, {"city": "torino", "neighbourhood": "nowhere"}, {"limit": "0"}, {"limit": "101"}, {"limit": "dieci"},
    {"cursor": "not-a-cursor"}, {"sort": "votes"},
])
def test_invalid_parameters_answer_400_json(api, posts, query):
    status, body = api("/api/v1/needs", **query)
    assert status == 400
    assert body["error"]["status"] == 400 and body["error"]["message"]


def test_a_forged_cursor_is_refused(app, api, posts):
    from itsdangerous import URLSafeSerializer

    forged = URLSafeSerializer("another-key", salt="api-cursor-v1").dumps(10**6)
    assert api("/api/v1/needs", cursor=forged)[0] == 400


def test_cursor_pages_have_no_duplicates_or_gaps(api, anna, torino, new_need, hide, mod_torino):
    ids = [new_need(anna, torino, title=f"Bisogno numero {i:02d} del quartiere").id for i in range(11)]
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        status, body = api("/api/v1/needs", **params)
        assert status == 200
        seen += [n["id"] for n in body["data"]]
        pages += 1
        cursor = body["next_cursor"]
        if pages == 1:  # a post hidden between two pages does not shift the pages
            from civic.posts.models import Need

            hide(mod_torino, db.session.get(Need, ids[-2]), "Spam")
        if cursor is None:
            break
    expected = sorted((i for i in ids if i != ids[-2]), reverse=True)
    assert seen == sorted(set(seen), reverse=True)
    assert [i for i in seen if i != ids[-2]] == expected and pages == 4


def test_unknown_item_is_404_json(api, posts):
    for url in ("/api/v1/needs/999999", f"/api/v1/needs/{posts['idea'].id}", f"/api/v1/ideas/{posts['need_aurora'].id}",
                "/api/v1/nothing-here"):
        status, body = api(url)
        assert status == 404, url
        assert body["error"]["status"] == 404


def test_hidden_after_creation_disappears_everywhere(api, client, posts, hide, mod_torino):
    need, idea = posts["need_aurora"], posts["idea"]
    hide(mod_torino, need, "Dati personali")
    hide(mod_torino, idea, "Dati personali")
    assert need.id not in [n["id"] for n in api("/api/v1/needs", city="torino")[1]["data"]]
    assert idea.id not in [n["id"] for n in api("/api/v1/ideas")[1]["data"]]
    assert api(f"/api/v1/needs/{need.id}")[0] == 404
    assert api(f"/api/v1/ideas/{idea.id}")[0] == 404
    text = client.get("/api/v1/needs").get_data(as_text=True) + client.get("/api/v1/ideas").get_data(as_text=True)
    assert "Panchine rotte ad Aurora" not in text and "Riparare le panchine" not in text


def test_cors_on_answers_and_preflight(client, posts):
    for url in ("/api/v1/needs", "/api/v1/needs/999999", "/api/v1/needs?limit=0"):
        response = client.get(url, headers={"Origin": "https://example.org"})
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "Access-Control-Allow-Credentials" not in response.headers
    preflight = client.options("/api/v1/ideas", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "GET"})
    assert preflight.status_code in (200, 204)
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Origin" not in client.get("/").headers


def test_the_api_refuses_writes(client, posts):
    assert client.post("/api/v1/needs").status_code in (400, 405)  # no write endpoint (CSRF or method)
    response = client.delete(f"/api/v1/needs/{posts['need_aurora'].id}")
    assert response.status_code == 405 and json.loads(response.get_data())["error"]["status"] == 405


@pytest.mark.parametrize("kind", ["needs", "ideas"])
def test_query_count_does_not_grow_with_rows(client, count_queries, anna, bruno, torino, themes, new_need, new_idea,
                                             kind):
    make = new_need if kind == "needs" else new_idea
    hoods = torino.neighbourhoods

    def counted() -> int:
        with count_queries() as counter:
            response = client.get(f"/api/v1/{kind}", query_string={"limit": 100, "city": "torino"})
        assert response.status_code == 200
        return counter.count, len(response.get_json()["data"])

    for i in range(2):
        make((anna, bruno)[i % 2], torino, title=f"Contenuto numero {i:02d} di prova", neighbourhood=hoods[i % 2])
    few, n_few = counted()
    for i in range(2, 40):
        make((anna, bruno)[i % 2], torino, title=f"Contenuto numero {i:02d} di prova", theme=themes[i % 2],
             neighbourhood=hoods[i % 2] if i % 3 else None)
    many, n_many = counted()
    assert (n_few, n_many) == (2, 40)
    assert many == few <= 3


def test_status_values_of_the_document_are_the_models(app):
    from civic.api.openapi import SCHEMAS

    assert SCHEMAS["Need"]["properties"]["status"]["enum"] == [s.value for s in PostStatus]
