"""The OpenAPI document describes every API route, and every real answer matches its schema."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest
from jsonschema.validators import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from civic.api.openapi import document


def _doc(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def _validator(doc: dict, schema: dict) -> Draft202012Validator:
    """A validator for a response schema, resolving the document's "#/components/..." references."""
    registry = Registry().with_resource("urn:civic-api", DRAFT202012.create_resource({**doc, "$id": "urn:civic-api"}))
    return Draft202012Validator({"$ref": "urn:civic-api" + schema["$ref"]}, registry=registry,
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


def _check(doc: dict, path: str, status: int, body) -> None:
    operation = doc["paths"][path]["get"]
    assert str(status) in operation["responses"], f"{path} does not document {status}"
    schema = operation["responses"][str(status)]["content"]["application/json"]["schema"]
    errors = list(_validator(doc, schema).iter_errors(body))
    assert not errors, f"{path} {status}: {[e.message for e in errors[:3]]}"


def test_the_document_lists_exactly_the_api_routes(app, client):
    doc = _doc(client)
    assert doc["openapi"].startswith("3.1")
    routes = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule).removeprefix("/api/v1")
              for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")}
    assert routes == set(doc["paths"]), "document every API route in civic/api/openapi.py"
    for path, item in doc["paths"].items():
        names = set(re.findall(r"{(\w+)}", path))
        documented = {p["$ref"].rsplit("/", 1)[-1] for p in item["get"].get("parameters", [])}
        assert names <= documented, path


def test_the_schemas_are_valid_json_schema(app):
    with app.test_request_context():
        doc = document()
    for schema in doc["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)  # raises, naming the problem
    assert set(doc["components"]["schemas"]) >= {"Need", "Idea", "NeedList", "IdeaList", "Error"}


@pytest.fixture
def content(anna, bruno, torino, themes, new_need, new_idea):
    aurora = torino.neighbourhoods[0]
    need = new_need(anna, torino, neighbourhood=aurora, location_text="Piazza Foroni")
    new_need(bruno, torino)
    idea = new_idea(bruno, torino, needs=[need], estimated_cost=Decimal("1200"))
    new_idea(anna, torino, neighbourhood=aurora)
    return {"needs": need, "ideas": idea}


def test_every_answer_matches_the_document(client, content):
    doc = _doc(client)
    for plural, post in content.items():
        for params in ({}, {"limit": 1}, {"city": "torino", "neighbourhood": "aurora"}):
            response = client.get(f"/api/v1/{plural}", query_string=params)
            _check(doc, f"/{plural}", response.status_code, response.get_json())
        first = client.get(f"/api/v1/{plural}", query_string={"limit": 1}).get_json()
        assert first["next_cursor"]
        response = client.get(f"/api/v1/{plural}", query_string={"limit": 1, "cursor": first["next_cursor"]})
        _check(doc, f"/{plural}", 200, response.get_json())
        for bad in ({"limit": 0}, {"cursor": "x"}, {"city": "nowhere"}):
            response = client.get(f"/api/v1/{plural}", query_string=bad)
            _check(doc, f"/{plural}", 400, response.get_json())
        response = client.get(f"/api/v1/{plural}/{post.id}")
        _check(doc, f"/{plural}/{{item_id}}", 200, response.get_json())
        response = client.get(f"/api/v1/{plural}/999999")
        _check(doc, f"/{plural}/{{item_id}}", 404, response.get_json())


def test_a_wrong_answer_would_fail(client, content):
    """The check is not vacuous: a body with a private field or a missing one is refused."""
    doc = _doc(client)
    body = client.get(f"/api/v1/needs/{content['needs'].id}").get_json()
    with pytest.raises(AssertionError):
        _check(doc, "/needs/{item_id}", 200, {**body, "email": "anna@example.it"})
    with pytest.raises(AssertionError):
        _check(doc, "/needs/{item_id}", 200, {k: v for k, v in body.items() if k != "url"})
