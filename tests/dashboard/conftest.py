"""Fixtures of the dashboard tests: two programmes, Torino and Palermo, funded projects (one made through
the services with its indicators, the others written directly with their figures), public and hidden
needs and ideas (one submitted to a call), co-design processes (one from a hidden idea) and organisations."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from civic.accounts.models import Role, User
from civic.calls import services as call_services
from civic.codesign.models import CodesignPartner, CodesignProcess, ExpressionOfInterest
from civic.core.timeutil import utcnow
from civic.extensions import db
from civic.moderation import services as moderation
from civic.orgs import services as org_services
from civic.projects import services as project_services
from civic.projects.models import FundedProject, ProjectPartner
from civic.territories.models import Priority, Programme, SpecificObjective
from tests.calls.conftest import call_data
from tests.orgs.conftest import CF_B, CF_C, org_data
from tests.posts.conftest import (  # noqa: F401 - fixtures shared with the posts tests
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

PLUS, PON = "PN-METRO-PLUS-2021-2027", "PON-METRO-2014-2020"


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN, email="admin.dashboard@example.it", name="Giulia Admin")


@pytest.fixture
def programmes(app):
    plus = Programme(code=PLUS, name="PN Metro Plus", full_name="PN Metro Plus e Città Medie Sud",
                     reference="C(2022) 9773", start_year=2021, end_year=2027)
    plus.priorities = [Priority(code="4", kind="priority", name_it="Servizi per l'inclusione", name_en="Inclusion "
                                "services", fund="FSE+", inclusion=True, position=4)]
    pon = Programme(code=PON, name="PON Metro", full_name="PON Città Metropolitane", reference="2014IT16M2OP004",
                    start_year=2014, end_year=2020)
    pon.priorities = [Priority(code="3", kind="axis", name_it="Servizi per l'inclusione sociale",
                               name_en="Services for social inclusion", fund="FSE", inclusion=True, position=3),
                      Priority(code="4", kind="axis", name_it="Infrastrutture per l'inclusione sociale",
                               name_en="Infrastructure for social inclusion", fund="FESR", inclusion=True, position=4)]
    objectives = [SpecificObjective(code="ESO4.8", name_it="Inclusione attiva", name_en="Active inclusion"),
                  SpecificObjective(code="ESO4.11", name_it="Accesso ai servizi", name_en="Access to services")]
    db.session.add_all([plus, pon, *objectives])
    db.session.commit()
    return {"plus": plus, "pon": pon, "objectives": {o.code: o for o in objectives}}


def add_project(city, programme=None, priority=None, objective=None, theme=None, funding="0", committed="0",
                paid="0", people=0, housing=0, area="0", n=[0]) -> FundedProject:  # noqa: B006 - a counter
    """A project written directly with its figures (the dashboard sums the columns)."""
    n[0] += 1
    project = FundedProject(city_id=city.id, title=f"Progetto {n[0]}", slug=f"progetto-{n[0]}",
                            programme_id=programme.id if programme else None,
                            priority_id=priority.id if priority else None,
                            objective_id=objective.id if objective else None, theme_id=theme.id if theme else None,
                            funding_total=Decimal(funding), committed_total=Decimal(committed),
                            paid_total=Decimal(paid), people_reached=people, housing_units=housing,
                            area_m2=Decimal(area), status="in_progress")
    db.session.add(project)
    db.session.flush()
    return project


@pytest.fixture
def world(app, admin, anna, bruno, torino, palermo, themes, programmes, new_need, new_idea):
    plus, pon, objectives = programmes["plus"], programmes["pon"], programmes["objectives"]
    # A project made as a moderator would, with its indicators: 74 people, 12 housing units, 2050.5 m².
    main = project_services.create_project(admin, torino, project_services.ProjectData(
        title="L'essenziale è casa", summary="Accompagnamento all'abitare.", programme_id=plus.id,
        priority_id=plus.priorities[0].id, objective_id=objectives["ESO4.11"].id, theme_id=themes[0].id,
        status="in_progress", starts_on=date(2024, 2, 1), funding_total="1.450.000,10", eu_share="580.000,00"))
    project_services.add_commitment(admin, main, project_services.MoneyData(date(2024, 3, 1), "900.000,05"))
    project_services.add_payment(admin, main, project_services.MoneyData(date(2024, 4, 1), "180.000,01"))
    for code, target, achieved in (("EECO16", "180", "74"), ("EECO07", "50", "20"), ("CO40", "32", "12"),
                                   ("CO39", "3.100,00", "2.050,50")):
        project_services.save_indicator(admin, main, project_services.IndicatorData(
            code, f"Indicatore {code}", "unità", target, achieved))
    add_project(palermo, pon, pon.priorities[0], None, themes[0], "2100000.33", "2100000.33", "2080250.40",
                people=2640)
    add_project(torino, pon, pon.priorities[1], None, themes[1], "2518685.23", "2400000.00", "1250000.00",
                housing=31, area="2050.25")
    add_project(palermo, None, None, objectives["ESO4.8"], None, "0.01", "0", "0", people=3)
    # Ideas and needs: public, hidden, and one idea submitted to a call of PN Metro Plus.
    call = call_services.create_call(admin, torino, call_data(plus, objectives, themes, title="Giovani al centro"))
    call_services.publish_call(admin, call)
    db.session.commit()
    need = new_need(anna, torino)
    new_need(bruno, palermo, theme=themes[1])
    hidden_need = new_need(bruno, torino, title="Bisogno nascosto Zqx")
    idea = new_idea(anna, torino)
    called = new_idea(bruno, torino, title="Un'idea per l'avviso dei giovani", call_id=call.id)
    hidden_idea = new_idea(bruno, palermo, title="Idea nascosta Zqx")
    for target in (hidden_need, hidden_idea):
        moderation.hide(admin, target, "Contenuto offensivo")
    # Organisations: two of Torino, one of Palermo.
    ponte = org_services.register_organisation(anna, org_data(torino, themes[:1]))
    rete = org_services.register_organisation(bruno, org_data(torino, themes[:1], name="Rete Torino",
                                                              codice_fiscale=CF_B))
    sole = org_services.register_organisation(bruno, org_data(palermo, themes[:1], name="Il Sole APS",
                                                              codice_fiscale=CF_C))
    db.session.add(ProjectPartner(project_id=main.id, organisation_id=ponte.id, role="lead"))
    # Co-design: open from the idea of the call, closed from a need, one from the hidden idea.
    open_process = CodesignProcess(city_id=torino.id, title="Co-progettazione giovani", slug="giovani",
                                   idea_id=called.id, status="open")
    closed_process = CodesignProcess(city_id=torino.id, title="Co-progettazione fontanelle", slug="fontanelle",
                                     need_id=need.id, status="closed", closed_at=utcnow())
    hidden_process = CodesignProcess(city_id=palermo.id, title="Processo di un'idea nascosta", slug="nascosto",
                                     idea_id=hidden_idea.id, status="open")
    db.session.add_all([open_process, closed_process, hidden_process])
    db.session.flush()
    db.session.add_all([
        ExpressionOfInterest(process_id=open_process.id, organisation_id=rete.id, role="partner", contribution="x",
                             experience="y", status="admitted", reason="Ammessa", decided_at=utcnow()),
        ExpressionOfInterest(process_id=open_process.id, organisation_id=sole.id, role="partner", contribution="x",
                             experience="y", status="declined", reason="No", decided_at=utcnow()),
        CodesignPartner(process_id=closed_process.id, organisation_id=ponte.id, role="capofila"),
        ExpressionOfInterest(process_id=hidden_process.id, organisation_id=sole.id, role="partner",
                             contribution="x", experience="y", status="admitted", reason="Ammessa",
                             decided_at=utcnow()),
    ])
    db.session.commit()
    return {"main": main, "call": call, "idea": idea, "called": called, "need": need, "orgs": (ponte, rete, sole),
            "processes": (open_process, closed_process, hidden_process), "admin": admin}


def user(email: str) -> User:
    return db.session.query(User).filter_by(email=email).one()
