"""Demo start-up support plan: the Palermo idea of neighbourhood tutors moved through the lifecycle
(review, shortlist, selection, co-design, start-up support) with public answers, then its plan: the
Palermo moderator as mentor, tutoring and a seed grant, three milestones (the first approved, with its
evidence), a stage gate, a public progress update and a private note. Everything goes through the
lifecycle and the start-up services."""
from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from civic.accounts import services as accounts
from civic.demo.codesign import tiny_pdf
from civic.extensions import db
from civic.posts import lifecycle
from civic.posts.models import Idea, PostStatus
from civic.startup import services
from civic.startup.models import SupportPlan
from civic.territories.models import City

IDEA_TITLE = "Tutor di quartiere per accompagnare i ragazzi alle superiori"

ANSWERS = (
    ("review", "Il Comune valuta l'idea con l'Ufficio scolastico e i servizi sociali della Circoscrizione."),
    ("shortlist", "L'idea risponde alla dispersione scolastica segnalata nel quartiere: passa alla selezione."),
    ("select", "L'idea è scelta per la co-progettazione con le scuole e gli enti del quartiere."),
    ("start_codesign", "Il tavolo di co-progettazione è partito con due istituti superiori e un'associazione."),
    ("start_support", "Il progetto co-progettato passa all'accompagnamento all'avvio: un anno scolastico di prova "
                      "con tutoraggio e un contributo iniziale."),
)


def load_demo_startup(cities: dict[str, City]) -> int:
    """Create the demo plan once; returns how many were created."""
    if db.session.scalar(select(SupportPlan.id).limit(1)) is not None or "palermo" not in cities:
        return 0
    idea = db.session.scalar(select(Idea).where(Idea.city_id == cities["palermo"].id, Idea.title == IDEA_TITLE))
    moderator = accounts.find_by_email("moderatrice.palermo@example.it")
    if idea is None or moderator is None or idea.status != PostStatus.PUBLISHED:
        return 0
    for action, answer in ANSWERS:
        lifecycle.perform(moderator, idea, action, answer)
    plan = services.plan_for_idea(idea)  # opened by the lifecycle when the idea entered start-up support
    services.update_plan(moderator, plan, services.PlanData(
        mentor_email=moderator.email, tutoring=True, training=True, grant_amount=Decimal("12000.00")))
    today = plan.created_at.date()
    first = services.add_milestone(moderator, plan, services.MilestoneData(
        "Selezione e formazione dei tutor", today - timedelta(days=20),
        "Sei tutor scelti tra studenti universitari del quartiere, con 20 ore di formazione."))
    second = services.add_milestone(moderator, plan, services.MilestoneData(
        "Primi trenta ragazzi accompagnati", today + timedelta(days=60),
        "Registro delle presenze e un breve questionario ai ragazzi e alle famiglie."))
    services.add_milestone(moderator, plan, services.MilestoneData(
        "Bilancio dell'anno scolastico", today + timedelta(days=200),
        "Una relazione pubblica: ragazzi seguiti, iscrizioni confermate, cosa cambiare."))
    author = idea.author
    services.submit_milestone(author, first, "Sei tutor selezionati con un avviso pubblico; formazione svolta a "
                                             "maggio nella biblioteca di quartiere.",
                              FileStorage(stream=io.BytesIO(tiny_pdf(["Formazione dei tutor di quartiere",
                                                                      "Registro delle presenze"])),
                                          filename="formazione-tutor.pdf"))
    services.approve_milestone(moderator, first)
    services.add_gate(moderator, plan, "Verifica di metà anno", [first.id, second.id])
    services.add_update(author, plan, "I **tutor di quartiere** sono pronti: da lunedì ricevono i ragazzi "
                                      "ogni pomeriggio nella biblioteca di quartiere.")
    services.add_note(author, plan, "Due famiglie chiedono orari anche il sabato mattina: ne parliamo al "
                                    "prossimo incontro?")
    db.session.flush()
    return 1
