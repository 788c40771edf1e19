"""Demo calls for ideas: one of Turin collecting ideas now, one of Palermo in its vote.

Dates are placed around the day the demo is loaded. Everything goes through the calls and
posts services, so the phase rules hold: the Palermo ideas are submitted while its call
collects ideas, then the call's dates are moved on, as a moderator would.
"""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from civic.accounts import services as accounts
from civic.accounts.models import User
from civic.calls import phases
from civic.calls import services as calls
from civic.calls.models import Call
from civic.calls.services import CallData, CriterionData, PhaseData
from civic.extensions import db
from civic.posts import services as posts
from civic.posts.services import PostData
from civic.territories.models import City, Priority, Programme, SpecificObjective, Theme

PROGRAMME = "PN-METRO-PLUS-2021-2027"


def _day(offset: int):
    return phases.today() + timedelta(days=offset)


def _schedule(submission, voting, evaluation, results) -> list[PhaseData]:
    return [PhaseData("submission", _day(submission[0]), _day(submission[1])),
            PhaseData("voting", _day(voting[0]), _day(voting[1])),
            PhaseData("evaluation", _day(evaluation[0]), _day(evaluation[1])),
            PhaseData("results", _day(results), None)]


def _person(email: str) -> User:
    user = accounts.find_by_email(email)
    if user is None:
        raise RuntimeError(f"The demo calls name an unknown demo user: {email}")
    return user


def load_demo_calls(cities: dict[str, City]) -> int:
    """Create the demo calls once; returns how many were created."""
    if db.session.scalar(select(Call.id).limit(1)) is not None:
        return 0
    programme = db.session.scalar(select(Programme).where(Programme.code == PROGRAMME))
    objective = db.session.scalar(select(SpecificObjective).where(SpecificObjective.code == "ESO4.8"))
    if programme is None or objective is None:
        raise RuntimeError("Load the reference data first: flask --app wsgi territories load")
    priority = db.session.scalar(select(Priority).where(Priority.programme_id == programme.id, Priority.code == "4"))
    themes = {t.slug: t for t in db.session.scalars(select(Theme))}
    criteria = [CriterionData("Risposta ai bisogni del quartiere", 40), CriterionData("Fattibilità e costi", 30),
                CriterionData("Coinvolgimento di residenti e Terzo Settore", 30)]

    torino = calls.create_call(_person("moderatore.torino@example.it"), cities["torino"], CallData(
        title="Giovani protagonisti a Barriera di Milano e Aurora",
        description=(
            "Il Comune cerca idee per **spazi e attività dedicate ai ragazzi tra i 14 e i 25 anni** nei quartieri "
            "di Barriera di Milano e Aurora: luoghi di incontro, laboratori, sport di strada, orientamento al "
            "lavoro.\n\nLe idee più votate e meglio valutate entrano nella co-progettazione con gli enti del Terzo "
            "Settore."),
        programme_id=programme.id, priority_id=priority.id if priority else None, objective_id=objective.id,
        budget=Decimal("180000"),
        eligibility=("Possono partecipare le persone che vivono, studiano o lavorano a Torino e gli enti del Terzo "
                     "Settore iscritti al RUNTS. Ogni idea indica il quartiere e il costo stimato."),
        theme_ids=(themes["giovani-e-partecipazione"].id, themes["educazione-cultura-sport-ambiente"].id),
        phases=_schedule((-7, 21), (22, 36), (37, 50), 55), criteria=criteria))
    calls.publish_call(_person("moderatore.torino@example.it"), torino)

    moderator = _person("moderatrice.palermo@example.it")
    palermo = calls.create_call(moderator, cities["palermo"], CallData(
        title="Abitare insieme: idee contro il disagio abitativo",
        description=(
            "Proposte per **accompagnare le famiglie in difficoltà abitativa** a Danisinni, Ballarò e Brancaccio: "
            "sportelli, mediazione con i proprietari, piccoli interventi di recupero, coabitazioni solidali."),
        programme_id=programme.id, priority_id=priority.id if priority else None, objective_id=objective.id,
        budget=Decimal("240000"),
        eligibility="Residenti di Palermo ed enti del Terzo Settore con esperienza nel contrasto al disagio abitativo.",
        theme_ids=(themes["disagio-abitativo"].id,),
        phases=_schedule((-3, 3), (4, 18), (19, 30), 35), criteria=criteria))
    calls.publish_call(moderator, palermo)
    for email, title, summary, body in (
        ("salvo.messina@example.it", "Uno sportello casa nel cortile di Danisinni",
         "Un punto di ascolto due pomeriggi a settimana per chi rischia lo sfratto",
         "Volontari e un avvocato aiutano le famiglie a capire i contratti e a chiedere i contributi per l'affitto."),
        ("francesca.lupo@example.it", "Coabitare a Brancaccio: studenti e anziani",
         "Stanze libere di anziani soli offerte a studenti in cambio di compagnia e piccoli aiuti",
         "Un ente del Terzo Settore fa da garante, seleziona le coppie e segue la convivenza per un anno."),
    ):
        posts.create_idea(_person(email), cities["palermo"], PostData(
            title=title, summary=summary, body=body, theme_id=themes["disagio-abitativo"].id,
            beneficiaries="Famiglie e persone sole in difficoltà abitativa", call_id=palermo.id))
    db.session.flush()
    # The submission closed: the moderator moves the call to its vote.
    calls.update_call(moderator, palermo, CallData(
        title=palermo.title, description=palermo.description_markdown, programme_id=programme.id,
        priority_id=palermo.priority_id, objective_id=objective.id, budget=palermo.budget_eur,
        eligibility=palermo.eligibility_markdown, theme_ids=tuple(t.id for t in palermo.themes),
        phases=_schedule((-20, -1), (0, 14), (15, 30), 35), criteria=criteria))
    db.session.flush()
    return 2
