"""Fixtures of the API and open data tests: the builders of tests/posts and tests/moderation, reused."""
from __future__ import annotations

import pytest

from civic.accounts.models import Role
from civic.calls import services as call_services
from civic.extensions import db
from civic.orgs import services as org_services
from civic.territories.models import Programme, SpecificObjective
from tests.calls.conftest import call_data
from tests.moderation.conftest import hide, mod_torino  # noqa: F401 - fixtures
from tests.orgs.conftest import org_data
from tests.posts.conftest import (  # noqa: F401 - fixtures
    _shared_template_cache,
    anna,
    bruno,
    client,
    new_idea,
    new_need,
    palermo,
    themes,
    torino,
)


@pytest.fixture
def api(client):
    """GET a JSON endpoint: (status, body)."""

    def get(url: str, **params):
        response = client.get(url, query_string=params)
        assert response.mimetype == "application/json", (url, response.mimetype)
        return response.status_code, response.get_json()

    return get


def valid_cf(base: int) -> str:
    """An organisation's codice fiscale: ten digits of `base` and the check digit."""
    from civic.orgs.fiscal import is_valid_number

    return next(f"{base}{d}" for d in range(10) if is_valid_number(f"{base}{d}"))


@pytest.fixture
def calls_orgs(make_user, anna, torino, palermo, themes):
    """Two published calls (Torino, Palermo), a draft one, and an organisation of Torino."""
    moderator = make_user(Role.ADMIN, email="admin.api@example.it", name="Giulia Admin")
    programme = Programme(code="PN-METRO-PLUS", name="PN Metro Plus", full_name="PN Metro Plus e Città Medie Sud",
                          reference="CCI 2021IT16FFPR003", start_year=2021, end_year=2027)
    objective = SpecificObjective(code="ESO4.8", name_it="Inclusione attiva", name_en="Active inclusion")
    db.session.add_all([programme, objective])
    db.session.flush()
    objectives = {"ESO4.8": objective}
    published = call_services.create_call(moderator, torino, call_data(programme, objectives, themes))
    call_services.publish_call(moderator, published)
    other = call_services.create_call(moderator, palermo, call_data(programme, objectives, themes, title="Palermo",
                                                                    theme_ids=(themes[1].id,)))
    call_services.publish_call(moderator, other)
    draft = call_services.create_call(moderator, torino, call_data(programme, objectives, themes,
                                                                   title="Bozza riservata Zqxdraft"))
    org = org_services.register_organisation(anna, org_data(torino, themes[:1]))
    db.session.commit()
    return {"call": published, "other": other, "draft": draft, "org": org}


HIDDEN_IDEA_TITLE = "Orti condivisi Zqxorti nel cortile"
HIDDEN_IDEA_SUMMARY = "Coltivare insieme Zqxsintesi i cortili delle case popolari"


@pytest.fixture
def projects(make_user, anna, torino, palermo, themes, new_idea, hide, mod_torino):  # noqa: F811 - fixtures
    """Funded projects: one of Torino complete with money, milestones, indicators and a lead partner; one of
    Palermo completed, without programme; one from an idea of Torino that is then hidden."""
    from datetime import date

    from civic.projects import services as project_services
    from civic.projects.models import ProjectPartner
    from civic.territories.models import Priority

    admin = make_user(Role.ADMIN, email="admin.projects@example.it", name="Giulia Admin")
    programme = Programme(code="PN-METRO-PLUS", name="PN Metro Plus", full_name="PN Metro Plus e Città Medie Sud",
                          reference="CCI 2021IT16FFPR003", start_year=2021, end_year=2027)
    programme.priorities = [Priority(code="4", kind="priority", name_it="Servizi per l'inclusione e l'innovazione "
                                     "sociale", name_en="Inclusion services", fund="FSE+", inclusion=True, position=1)]
    objective = SpecificObjective(code="ESO4.11", name_it="Accesso ai servizi", name_en="Access to services")
    db.session.add_all([programme, objective])
    db.session.flush()
    org = org_services.register_organisation(anna, org_data(torino, themes[:1]))
    main = project_services.create_project(admin, torino, project_services.ProjectData(
        title="Agenzia sociale per la casa", summary="Un servizio per trovare casa.", cup="D11B16000230007",
        local_code="TO4.4.11.1.b", programme_id=programme.id, priority_id=programme.priorities[0].id,
        objective_id=objective.id, action="4.4.11.1", beneficiary_name="Comune di Torino",
        neighbourhood_ids=[torino.neighbourhoods[0].id], starts_on=date(2024, 1, 15),
        planned_end_on=date(2026, 12, 31), status="in_progress", funding_total="100.000,00", eu_share="80.000,00"))
    db.session.add(ProjectPartner(project_id=main.id, organisation_id=org.id, role="lead"))
    project_services.add_commitment(admin, main, project_services.MoneyData(made_on=date(2024, 3, 1),
                                                                            amount="60.000,00"))
    project_services.add_payment(admin, main, project_services.MoneyData(made_on=date(2024, 4, 1),
                                                                         amount="25.000,50"))
    first = project_services.add_milestone(admin, main, "Apertura dello sportello", date(2024, 6, 1), 40)
    project_services.add_milestone(admin, main, "Cento famiglie accolte", date(2025, 6, 1), 60)
    project_services.complete_milestone(admin, first)
    for code, name, unit, target, achieved in (("EECO16", "Persone senza dimora", "persone", "120", "45"),
                                               ("CO40", "Alloggi recuperati", "alloggi", "12,5", "0")):
        project_services.save_indicator(admin, main, project_services.IndicatorData(
            code=code, name=name, unit=unit, target=target, achieved=achieved))
    other = project_services.create_project(admin, palermo, project_services.ProjectData(
        title="Sportello per l'abitare", summary="Un sportello a Palermo.", status="completed",
        starts_on=date(2022, 2, 1), planned_end_on=date(2023, 12, 31), ended_on=date(2024, 1, 31),
        funding_total="5000"))
    idea = new_idea(anna, torino, title=HIDDEN_IDEA_TITLE, summary=HIDDEN_IDEA_SUMMARY)
    from_idea = project_services.create_for_idea(admin, idea)
    db.session.commit()
    hide(mod_torino, idea)
    return {"main": main, "other": other, "from_idea": from_idea, "idea": idea, "org": org,
            "programme": programme}
