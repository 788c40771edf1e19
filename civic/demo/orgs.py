"""Demo Third Sector organisations: a social cooperative in Turin (verified by the city's moderator),
an APS in Palermo and a network of associations in Bologna, with members among the demo residents.

Everything goes through the organisations' services (registration, invitations, verification), so
the counts and rules hold; an idea of each founder is then shown as posted on its organisation's behalf.
Created once: organisations already there (by codice fiscale) are left as they are.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from civic.accounts import services as accounts
from civic.accounts.models import User
from civic.extensions import db
from civic.orgs import services
from civic.orgs.models import Organisation
from civic.orgs.services import OrgData
from civic.posts.models import Idea
from civic.territories.models import City, Theme


@dataclass(frozen=True)
class OrgSeed:
    city: str
    name: str
    legal_form: str
    section: str
    codice_fiscale: str
    description: str
    themes: tuple[str, ...]
    admin: str
    members: tuple[str, ...]
    second_section: str | None = None
    partita_iva: str | None = None
    website: str | None = None
    contact_email: str | None = None
    phone: str | None = None
    verified_by: str | None = None
    idea_title: str | None = None  # an idea of the admin, shown as posted on the organisation's behalf


DEMO_ORGS = [
    OrgSeed(
        city="torino", name="Barriera Aperta Cooperativa Sociale", legal_form="Cooperativa sociale di tipo A",
        section="d", codice_fiscale="11234560016", partita_iva="11234560016",
        description=(
            "Dal 2009 gestiamo servizi di **prossimità** per anziani e persone con disabilità tra Barriera di "
            "Milano, Vallette e Aurora: portierato sociale, accompagnamento alle visite, consegna della spesa.\n\n"
            "Lavoriamo con i servizi sociali della Circoscrizione e con una rete di oltre 60 volontari di quartiere."
        ),
        themes=("autonomia-anziani-disabili", "persone-fragili"),
        admin="giuseppe.ferrero", members=("anna.rossi", "elena.martinetti"),
        website="https://www.barriera-aperta.example.it", contact_email="info@barriera-aperta.example.it",
        phone="+39 011 555 0192", verified_by="moderatore.torino",
        idea_title="Portierato sociale e spesa a domicilio per gli anziani delle Vallette",
    ),
    OrgSeed(
        city="palermo", name="Ballarò Insieme APS", legal_form="Associazione di promozione sociale",
        section="b", codice_fiscale="97612340022",
        description=(
            "Associazione di volontari del centro storico: scuola di italiano per adulti, doposcuola, "
            "sportello di orientamento ai servizi con mediatori culturali. Sede in un ex magazzino vicino al mercato."
        ),
        themes=("integrazione-paesi-terzi", "educazione-cultura-sport-ambiente"),
        admin="ibrahima.sow", members=("francesca.lupo", "giovanna.pipitone"),
        contact_email="ballaroinsieme@example.it",
        idea_title="Scuola di italiano serale vicino al mercato, con spazio bimbi",
    ),
    OrgSeed(
        city="bologna", name="Rete Civica Bolognina ETS", legal_form="Associazione riconosciuta",
        section="e", second_section="b", codice_fiscale="91805430039",
        description=(
            "Rete di 14 associazioni della Bolognina e del Navile: coordina i progetti di quartiere, "
            "raccoglie i bisogni dei soci e partecipa ai tavoli di co-progettazione con il Comune."
        ),
        themes=("giovani-e-partecipazione", "disagio-abitativo"),
        admin="luca.bertoni", members=("mei.chen", "chiara.montanari"),
        website="https://retebolognina.example.it",
    ),
]


def _person(handle: str) -> User:
    user = accounts.find_by_email(f"{handle}@example.it")
    if user is None:
        raise RuntimeError(f"The demo organisations name an unknown demo user: {handle}")
    return user


def load_demo_orgs(cities: dict[str, City]) -> int:
    """Create the demo organisations that do not exist yet; returns how many were created."""
    themes = {t.slug: t for t in db.session.scalars(select(Theme))}
    created = 0
    for seed in DEMO_ORGS:
        if seed.city not in cities:
            continue
        if db.session.scalar(select(Organisation.id).where(Organisation.codice_fiscale == seed.codice_fiscale)):
            continue
        admin = _person(seed.admin)
        org = services.register_organisation(admin, OrgData(
            name=seed.name, legal_form=seed.legal_form, runts_section=seed.section,
            second_section=seed.second_section, codice_fiscale=seed.codice_fiscale, partita_iva=seed.partita_iva,
            city_id=cities[seed.city].id, description=seed.description,
            theme_ids=tuple(themes[slug].id for slug in seed.themes if slug in themes),
            website=seed.website, contact_email=seed.contact_email, phone=seed.phone))
        for handle in seed.members:
            _invitation, token = services.invite(admin, org, f"{handle}@example.it")
            services.accept_invitation(_person(handle), token)
        if seed.verified_by:
            services.verify(_person(seed.verified_by), org)
        if seed.idea_title:
            idea = db.session.scalar(select(Idea).where(Idea.title == seed.idea_title, Idea.author_id == admin.id))
            if idea is not None:
                idea.organisation = org
        db.session.flush()
        created += 1
    return created
