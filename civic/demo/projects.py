"""Demo funded projects of Turin, Palermo and Bologna, modelled on real PON Metro projects (the
figures are demo data: see /work/shared/domain/REFERENCE.md), with commitments, payments,
milestones, indicators (EECO and CO40 give the dashboard its people reached and housing units), a theme
and the demo's Third Sector organisations as implementing partners. Made through the services, as a
moderator would."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from civic.accounts.models import User
from civic.extensions import db
from civic.orgs.models import Organisation
from civic.projects import services
from civic.projects.models import FundedProject, ProjectPartner
from civic.projects.services import IndicatorData, MoneyData, ProjectData
from civic.territories.models import City, Neighbourhood, Priority, Programme, SpecificObjective, Theme

PON = "PON-METRO-2014-2020"
PLUS = "PN-METRO-PLUS-2021-2027"

PROJECTS = [
    {
        "city": "torino", "moderator": "moderatore.torino@example.it", "programme": PLUS, "priority": "4",
        "objective": "ESO4.11", "neighbourhoods": ["Barriera di Milano", "Aurora"], "theme": "disagio-abitativo",
        "partners": [("11234560016", "lead")],
        "data": dict(title="L'essenziale è casa", cup="C11H22000140007", local_code="TO4.4.11.1.b",
                     summary="Accompagnamento all'abitare per persone e famiglie in **disagio abitativo**: "
                             "case in affitto calmierato, un tutor per ogni nucleo, percorsi verso l'autonomia "
                             "con gli enti del Terzo Settore.",
                     action="4.4.11.1 Servizi per l'abitare e l'autonomia", status="in_progress",
                     beneficiary_tax_code="00514490010", starts_on=date(2024, 2, 1),
                     planned_end_on=date(2028, 6, 30), funding_total="1.450.000,00", eu_share="580.000,00"),
        "commitments": [(date(2024, 3, 15), "900.000,00", "Convenzione con il raggruppamento di ETS"),
                        (date(2025, 1, 20), "350.000,00", "Secondo lotto di alloggi")],
        "payments": [(date(2024, 6, 30), "180.000,00", "Anticipo alla convenzione"),
                     (date(2025, 3, 31), "245.500,00", "Primo stato di avanzamento")],
        "milestones": [("Convenzione firmata", date(2024, 3, 15), 15, True),
                       ("Prime 20 famiglie accompagnate", date(2025, 3, 31), 35, True),
                       ("60 famiglie in autonomia abitativa", date(2027, 6, 30), 50, False)],
        "indicators": [("EECO16", "Persone senza dimora o in esclusione abitativa prese in carico", "persone",
                        "180", "74", 39, 35),
                       ("CO40", "Alloggi recuperati e assegnati", "alloggi", "32", "12", None, None)],
        "update": "Consegnate le chiavi dei primi **12 alloggi** in via Vagnone: 26 persone hanno una casa.",
    },
    {
        "city": "palermo", "moderator": "moderatrice.palermo@example.it", "programme": PON, "priority": "3",
        "objective": None, "neighbourhoods": ["Ballarò", "ZEN"], "theme": "persone-fragili",
        "partners": [("97612340022", "partner")],
        "data": dict(title="Agenzia Sociale per la Casa", cup="D71B16000420006", local_code="PA3.1.1.a",
                     summary="Dieci sportelli in città, con il Consorzio Sol.Co e sette enti del Terzo Settore: "
                             "orientamento, mediazione con i proprietari, garanzie per l'affitto.",
                     action="3.1.1 Contrasto alla povertà abitativa", status="completed",
                     beneficiary_tax_code="80016350821", starts_on=date(2018, 4, 1),
                     planned_end_on=date(2021, 3, 31), ended_on=date(2021, 12, 31),
                     funding_total="2.100.000,00", eu_share="1.575.000,00"),
        "commitments": [(date(2018, 5, 10), "2.100.000,00", "Affidamento al Consorzio Sol.Co")],
        "payments": [(date(2019, 5, 31), "700.000,00", "Prima annualità"),
                     (date(2020, 6, 30), "700.000,00", "Seconda annualità"),
                     (date(2022, 2, 28), "680.250,40", "Saldo")],
        "milestones": [("Apertura dei 10 sportelli", date(2018, 9, 30), 30, True),
                       ("1.000 persone orientate", date(2019, 12, 31), 30, True),
                       ("Rendicontazione finale", date(2021, 12, 31), 40, True)],
        "indicators": [("EECO16", "Persone prese in carico", "persone", "2500", "2640", 1380, 1260)],
        "update": "Il progetto è concluso: **2.640 persone** raggiunte in tre anni e mezzo.",
    },
    {
        "city": "bologna", "moderator": "moderatore.bologna@example.it", "programme": PON, "priority": "4",
        "objective": None, "neighbourhoods": ["Bolognina"], "theme": "disagio-abitativo",
        "partners": [("91805430039", "partner")],
        "data": dict(title="Alloggi temporanei per l'inclusione", cup="F31E16000320007", local_code="BO4.1.1.a",
                     summary="Recupero di alloggi pubblici sfitti per l'accoglienza temporanea di famiglie in "
                             "emergenza abitativa.",
                     action="4.1.1 Realizzazione e recupero di alloggi", status="in_progress",
                     beneficiary_tax_code="01232710374", starts_on=date(2016, 9, 1),
                     planned_end_on=date(2026, 12, 31), funding_total="2.518.685,23", eu_share="2.014.948,18"),
        "commitments": [(date(2017, 2, 1), "2.400.000,00", "Lavori di recupero, lotti 1-3")],
        "payments": [(date(2018, 12, 31), "1.250.000,00", "SAL lotti 1-2")],
        "milestones": [("Progetto esecutivo approvato", date(2017, 1, 31), 20, True),
                       ("Lotti 1-2 consegnati", date(2019, 6, 30), 40, True),
                       ("Lotto 3 consegnato", date(2026, 10, 31), 40, False)],
        "indicators": [("CO40", "Alloggi recuperati", "alloggi", "48", "31", None, None),
                       ("CO39", "Superficie di edifici recuperata", "m²", "3.100,00", "2.050,00", None, None)],
        "update": "Avviati i lavori del **lotto 3**: 17 alloggi in via Fioravanti.",
    },
]


def _id(model, **where) -> int | None:
    return db.session.scalar(select(model.id).filter_by(**where))


def load_demo_projects(cities: dict[str, City]) -> int:
    made = 0
    for seed in PROJECTS:
        city = cities.get(seed["city"])
        moderator = db.session.scalar(select(User).where(User.email == seed["moderator"]))
        if city is None or moderator is None or db.session.scalar(
                select(FundedProject.id).where(FundedProject.cup == seed["data"]["cup"])) is not None:
            continue
        programme_id = _id(Programme, code=seed["programme"])
        priority_id = (db.session.scalar(select(Priority.id).where(Priority.programme_id == programme_id,
                                                                   Priority.code == seed["priority"]))
                       if programme_id else None)
        hoods = [n for n in db.session.scalars(select(Neighbourhood.id).where(
            Neighbourhood.city_id == city.id, Neighbourhood.name.in_(seed["neighbourhoods"])))]
        project = services.create_project(moderator, city, ProjectData(
            programme_id=programme_id, priority_id=priority_id,
            objective_id=_id(SpecificObjective, code=seed["objective"]) if seed["objective"] else None,
            theme_id=_id(Theme, slug=seed["theme"]), neighbourhood_ids=hoods, **seed["data"]))
        # The implementing organisations (the demo's Third Sector organisations), for the dashboard's
        # "organisations involved".
        for codice_fiscale, role in seed["partners"]:
            if (org_id := _id(Organisation, codice_fiscale=codice_fiscale)) is not None:
                db.session.add(ProjectPartner(project_id=project.id, organisation_id=org_id, role=role))
        for on, amount, description in seed["commitments"]:
            services.add_commitment(moderator, project, MoneyData(on, amount, description))
        for on, amount, description in seed["payments"]:
            services.add_payment(moderator, project, MoneyData(on, amount, description))
        milestones = [services.add_milestone(moderator, project, title, due, weight)
                      for title, due, weight, _done in seed["milestones"]]
        for milestone, (*_rest, done) in zip(milestones, seed["milestones"], strict=True):
            if done:
                services.complete_milestone(moderator, milestone)
        for code, name, unit, target, achieved, women, men in seed["indicators"]:
            services.save_indicator(moderator, project, IndicatorData(code, name, unit, target, achieved, women, men))
        services.post_update(moderator, project, seed["update"])
        made += 1
    db.session.flush()
    return made
