"""The API's contract checked from outside: schemathesis reads /api/v1/openapi.json and sends what the
document allows, and what it does not, with every check it has; each answer must match the document."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.generation import GenerationMode

from civic.demo.content import load_demo_content
from civic.extensions import db


@pytest.fixture
def api_schema(app, reference_data):
    load_demo_content()
    db.session.commit()
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_answer_matches_the_document(api_schema, mode):
    failures = []
    for result in api_schema.get_all_operations():
        operation = result.ok()

        cases = operation.as_strategy(generation_mode=mode)
        if mode is GenerationMode.POSITIVE:
            # A cursor is signed by the server: only a previous page's next_cursor is valid, which the
            # document cannot generate (tests/api/test_api.py follows real cursors and refuses forged ones).
            cases = cases.filter(lambda case: "cursor" not in (case.query or {}))

        @given(case=cases)
        @settings(max_examples=25, derandomize=True, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case):
            case.call_and_validate()

        try:
            check()
        except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - every operation is tried, the failures listed together
            failures.append(f"{operation.method.upper()} {operation.path}: {error}")
    assert not failures, "\n\n".join(failures)


@pytest.mark.parametrize("query", ["limit=5&limit=6", "city=torino&city=bari", "status=", "limit="])
def test_a_parameter_repeated_or_empty_is_refused(client, reference_data, query):
    response = client.get(f"/api/v1/needs?{query}")
    assert response.status_code == 400 and response.mimetype == "application/json"
    assert response.get_json()["error"]["message"]


def test_other_methods_answer_in_json_and_a_preflight_has_no_body(client):
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        response = client.open("/api/v1/openapi.json", method=method)
        assert response.status_code == 405 and response.mimetype == "application/json", method
        assert "GET" in response.headers["Allow"]
    preflight = client.open("/api/v1/needs", method="OPTIONS")
    assert preflight.status_code == 204 and not preflight.data and "Content-Type" not in preflight.headers
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"


def test_the_filters_list_the_values_they_accept(client, reference_data):
    document = client.get("/api/v1/openapi.json").get_json()
    parameters = document["components"]["parameters"]
    assert "torino" in parameters["city"]["schema"]["enum"]
    assert "published" in parameters["status_post"]["schema"]["enum"]
    assert set(parameters["status_project"]["schema"]["enum"]) == {"not_started", "in_progress", "completed"}
