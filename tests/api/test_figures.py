"""The programme figures in the API (/api/v1/figures): every answer matches the OpenAPI document, the
totals are the sums of the projects, the filters, 400 on a bad filter, and the API's rate limit."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from civic.extensions import db
from civic.projects.models import FundedProject
from tests.api.test_openapi import _check, _doc
from tests.posts.helpers import english


@pytest.fixture
def app_config(request) -> dict:
    """The API's rate limit, on for the test about it only."""
    return {"RATELIMIT_ENABLED": True, "RATELIMIT_API": "3 per minute"} if "429" in request.node.name else {}


def test_every_answer_matches_the_document(client, projects):
    doc = _doc(client)
    for query in ({}, {"city": "torino"}, {"programme": "PN-METRO-PLUS"}, {"programme": "PN-METRO-PLUS",
                                                                             "city": "palermo"}):
        response = client.get("/api/v1/figures", query_string=query)
        assert response.status_code == 200
        _check(doc, "/figures", 200, response.get_json())
    for bad in ({"city": "atlantide"}, {"programme": "NESSUNO"}, {"status": "completed"}):
        response = client.get("/api/v1/figures", query_string=bad)
        assert response.status_code == 400
        _check(doc, "/figures", 400, response.get_json())


def test_a_wrong_answer_would_fail(client, projects):
    doc = _doc(client)
    body = client.get("/api/v1/figures").get_json()
    with pytest.raises(AssertionError):
        _check(doc, "/figures", 200, {**body, "totals": {**body["totals"], "funding_total": 12.5}})
    with pytest.raises(AssertionError):
        _check(doc, "/figures", 200, {k: v for k, v in body.items() if k != "groups"})


def test_the_totals_are_the_sums_of_the_projects(api, projects):
    status, body = api("/api/v1/figures")
    assert status == 200
    rows = db.session.scalars(select(FundedProject)).all()
    totals = body["totals"]
    assert totals["projects"] == len(rows) == 3
    for name in ("funding_total", "committed_total", "paid_total", "area_m2"):
        assert Decimal(totals[name]) == sum((getattr(p, name) for p in rows), Decimal("0")), name
    assert totals["people_reached"] == sum(p.people_reached for p in rows) == 45
    assert body["filters"] == {"programme": None, "city": None}
    # The idea of the third project is hidden: it is not counted; the project is.
    assert totals["ideas"] == 0
    status, body = api("/api/v1/figures", city="palermo", programme="PN-METRO-PLUS")
    assert status == 200 and body["totals"]["projects"] == 0 and body["totals"]["needs"] is None
    assert body["filters"] == {"programme": "PN-METRO-PLUS", "city": "palermo"}
    status, body = api("/api/v1/figures", city="palermo")
    assert body["totals"]["funding_total"] == "5000.00"
    assert [g["key"] for g in body["groups"]["city"]] == ["palermo"]


@pytest.mark.parametrize(("query", "message"), [({"city": "atlantide"}, "Unknown city: atlantide."),
                                                ({"programme": "X"}, "Unknown programme: X."),
                                                ({"limit": "3"}, "Unknown parameter: limit.")])
def test_bad_filters_answer_400(api, client, projects, query, message):
    english(client)
    status, body = api("/api/v1/figures", **query)
    assert status == 400 and body["error"]["message"] == message


def test_the_figures_answer_429_after_the_api_limit(client, projects):
    answers = [client.get("/api/v1/figures") for _ in range(4)]
    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    assert answers[-1].get_json()["error"]["status"] == 429
