"""Funded projects in the API: public fields, filters, pages, a constant query count, the document, and a
project whose original idea is hidden stays public without naming that idea."""
from __future__ import annotations

import pytest
from flask_babel import force_locale

from civic.api.resources import project_record
from tests.api.conftest import HIDDEN_IDEA_SUMMARY, HIDDEN_IDEA_TITLE
from tests.api.test_openapi import _check, _doc


def test_the_public_fields_of_a_project(api, projects):
    main, org = projects["main"], projects["org"]
    status, item = api(f"/api/v1/projects/{main.id}")
    assert status == 200
    assert item["title"] == "Agenzia sociale per la casa" and item["summary"] == "Un servizio per trovare casa."
    assert item["cup"] == "D11B16000230007" and item["local_code"] == "TO4.4.11.1.B"
    assert item["programme"] == {"code": "PN-METRO-PLUS", "name": "PN Metro Plus"}
    assert item["priority"]["code"] == "4" and item["priority"]["fund"] == "FSE+"
    assert item["objective"] == {"code": "ESO4.11", "name": "Accesso ai servizi"}
    assert item["action"] == "4.4.11.1" and item["region"] == "Piemonte"
    assert item["city"]["slug"] == "torino" and [n["slug"] for n in item["neighbourhoods"]] == ["aurora"]
    assert item["beneficiary_name"] == "Comune di Torino"
    assert [(o["id"], o["name"], o["role"]) for o in item["implementing_organisations"]] == [
        (org.id, "Il Ponte APS", "lead")]
    assert item["implementing_organisations"][0]["url"].startswith(f"http://civic.test/organisations/{org.id}-")
    assert (item["starts_on"], item["planned_end_on"], item["ended_on"]) == ("2024-01-15", "2026-12-31", None)
    assert item["status"] == "in_progress"
    assert (item["funding_total"], item["eu_share"], item["committed_total"], item["paid_total"]) == (
        "100000.00", "80000.00", "60000.00", "25000.50")
    assert item["progress"] == 40
    assert item["indicators"] == [
        {"code": "EECO16", "name": "Persone senza dimora", "unit": "persone", "target": "120.00", "achieved": "45.00"},
        {"code": "CO40", "name": "Alloggi recuperati", "unit": "alloggi", "target": "12.50", "achieved": "0.00"}]
    assert item["idea_id"] is None
    assert item["url"] == f"http://civic.test/projects/{main.id}-agenzia-sociale-per-la-casa"


def test_no_private_field(client, projects):
    for url in ("/api/v1/projects", f"/api/v1/projects/{projects['main'].id}"):
        text = client.get(url).get_data(as_text=True)
        assert "@" not in text and "created_by" not in text and "exception" not in text, url


@pytest.mark.parametrize(("query", "expected"), [
    ({}, {"main", "other", "from_idea"}), ({"city": "torino"}, {"main", "from_idea"}),
    ({"city": "palermo"}, {"other"}), ({"programme": "PN-METRO-PLUS"}, {"main"}),
    ({"status": "completed"}, {"other"}), ({"status": "not_started", "city": "torino"}, {"from_idea"}),
    ({"status": "in_progress", "city": "palermo"}, set()),
])
def test_project_filters(api, projects, query, expected):
    status, body = api("/api/v1/projects", **query)
    assert status == 200
    assert {p["id"] for p in body["data"]} == {projects[k].id for k in expected}


@pytest.mark.parametrize("query", [{"city": "atlantide"}, {"programme": "PON-NESSUNO"}, {"status": "funded"},
                                   {"theme": "abitare"}, {"limit": "0"}, {"cursor": "x"}])
def test_invalid_parameters_answer_400(api, projects, query):
    status, body = api("/api/v1/projects", **query)
    assert status == 400 and body["error"]["message"]


def test_unknown_project_is_404(api, projects):
    assert api("/api/v1/projects/999999")[0] == 404


def test_cursor_pages(api, projects):
    seen, cursor = [], None
    while True:
        body = api("/api/v1/projects", limit=1, **({"cursor": cursor} if cursor else {}))[1]
        seen += [p["id"] for p in body["data"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted((p.id for p in (projects["main"], projects["other"], projects["from_idea"])),
                          reverse=True)


def test_a_project_of_a_hidden_idea_stays_public_without_the_idea(client, api, projects):
    project = projects["from_idea"]
    for url in ("/api/v1/projects", f"/api/v1/projects/{project.id}"):
        text = client.get(url).get_data(as_text=True)
        assert "Zqxorti" not in text and "Zqxsintesi" not in text and "orti-condivisi" not in text, url
        assert HIDDEN_IDEA_TITLE not in text and HIDDEN_IDEA_SUMMARY not in text, url
    item = api(f"/api/v1/projects/{project.id}")[1]
    assert item["idea_id"] is None and item["summary"] == "" and item["summary_html"] == ""
    assert item["url"] == f"http://civic.test/projects/{project.id}-progetto"
    with force_locale("en"):
        assert project_record(project)["title"] == f"Funded project no. {project.id}"


def test_a_visible_idea_is_named_by_id(app, api, projects, new_idea, anna, torino):
    from civic.accounts.models import User
    from civic.extensions import db
    from civic.projects import services
    from civic.projects.models import FundedProject

    idea = new_idea(anna, torino, title="Una ciclofficina nel quartiere")
    admin = db.session.get(User, db.session.get(FundedProject, projects["main"].id).created_by_id)
    project = services.create_for_idea(admin, idea)
    db.session.commit()
    item = api(f"/api/v1/projects/{project.id}")[1]
    assert item["idea_id"] == idea.id and item["title"] == "Una ciclofficina nel quartiere"


def test_query_count_does_not_grow_with_rows(client, count_queries, projects, torino):
    from datetime import date

    from civic.accounts.models import User
    from civic.extensions import db
    from civic.projects import services
    from civic.projects.models import FundedProject, ProjectPartner

    def counted() -> tuple[int, int]:
        with count_queries() as counter:
            response = client.get("/api/v1/projects", query_string={"limit": 100, "city": "torino"})
        assert response.status_code == 200
        return counter.count, len(response.get_json()["data"])

    few, n_few = counted()
    main = db.session.get(FundedProject, projects["main"].id)
    admin = db.session.get(User, main.created_by_id)
    for i in range(28):
        made = services.create_project(admin, torino, services.ProjectData(
            title=f"Progetto numero {i:02d} di prova", summary="Una sintesi.", programme_id=main.programme_id,
            priority_id=main.priority_id, objective_id=main.objective_id,
            neighbourhood_ids=[torino.neighbourhoods[i % 2].id], starts_on=date(2024, 1, 1), funding_total="1000"))
        db.session.add(ProjectPartner(project_id=made.id, organisation_id=projects["org"].id, role="partner"))
        services.add_milestone(admin, made, "Avvio", date(2025, 1, 1), 100)
        services.save_indicator(admin, made, services.IndicatorData(code="EECO16", name="Persone senza dimora",
                                                                    unit="persone", target="10"))
    db.session.commit()
    many, n_many = counted()
    assert (n_few, n_many) == (2, 30)
    assert many == few


def test_projects_match_the_document(client, projects):
    doc = _doc(client)
    for params in ({}, {"limit": 1}, {"city": "torino"}, {"programme": "PN-METRO-PLUS"}, {"status": "completed"}):
        response = client.get("/api/v1/projects", query_string=params)
        _check(doc, "/projects", response.status_code, response.get_json())
    first = client.get("/api/v1/projects", query_string={"limit": 1}).get_json()
    response = client.get("/api/v1/projects", query_string={"limit": 1, "cursor": first["next_cursor"]})
    _check(doc, "/projects", 200, response.get_json())
    for bad in ({"limit": 0}, {"programme": "nessuno"}, {"neighbourhood": "aurora"}):
        response = client.get("/api/v1/projects", query_string=bad)
        _check(doc, "/projects", 400, response.get_json())
    for project in projects["main"], projects["other"], projects["from_idea"]:
        _check(doc, "/projects/{item_id}", 200, client.get(f"/api/v1/projects/{project.id}").get_json())
    _check(doc, "/projects/{item_id}", 404, client.get("/api/v1/projects/999999").get_json())
    body = client.get(f"/api/v1/projects/{projects['main'].id}").get_json()
    with pytest.raises(AssertionError):
        _check(doc, "/projects/{item_id}", 200, {**body, "created_by_id": 1})
