"""Demo co-design process: the Vallette social concierge idea of Turin, selected for co-design,
with its Art. 55 stages placed around the day the demo is loaded (today in the co-design
table), a past meeting with its minutes, an upcoming one open for registration, and the
public notice as a PDF. Everything goes through the lifecycle and the co-design services."""
from __future__ import annotations

import io
from datetime import datetime, time, timedelta

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from civic.accounts import services as accounts
from civic.accounts.models import User
from civic.codesign import participation
from civic.codesign import services as codesign
from civic.codesign.models import CodesignProcess, DocumentRole, MeetingRegistration
from civic.codesign.services import StageData
from civic.codesign.stages import today
from civic.extensions import db
from civic.orgs.models import MemberRole, Membership, Organisation
from civic.posts import lifecycle
from civic.posts.models import Idea, PostStatus
from civic.territories.models import City

IDEA_TITLE = "Portierato sociale e spesa a domicilio per gli anziani delle Vallette"


def tiny_pdf(lines: list[str]) -> bytes:
    """A valid one-page PDF with a few lines of text (Helvetica, Latin-1), built by hand."""
    text = ["BT", "/F1 12 Tf", "72 770 Td", "16 TL"]
    for line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        text.append(f"({escaped}) Tj T*")
    text.append("ET")
    stream = "\n".join(text).encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def _day(offset: int):
    return today() + timedelta(days=offset)


def _at(offset: int, hour: int, minute: int = 0) -> datetime:
    """A time in Italy, `offset` days from today (the services store it in UTC)."""
    return datetime.combine(_day(offset), time(hour, minute))


def load_demo_codesign(cities: dict[str, City]) -> int:
    """Create the demo process once; returns how many were created."""
    if db.session.scalar(select(CodesignProcess.id).limit(1)) is not None or "torino" not in cities:
        return 0
    idea = db.session.scalar(select(Idea).where(Idea.city_id == cities["torino"].id, Idea.title == IDEA_TITLE))
    moderator = accounts.find_by_email("moderatore.torino@example.it")
    if idea is None or moderator is None or idea.status != PostStatus.PUBLISHED:
        return 0
    for action, answer in (
        ("review", "Il Comune sta valutando l'idea con i servizi sociali della Circoscrizione 5."),
        ("shortlist", "L'idea risponde a un bisogno segnalato da molti residenti: passa alla selezione."),
        ("select", "L'idea è scelta per la co-progettazione con gli enti del Terzo Settore (art. 55 del Codice "
                   "del Terzo Settore)."),
    ):
        lifecycle.perform(moderator, idea, action, answer)
    process = codesign.process_for_idea(idea)  # opened by the lifecycle when the idea was selected
    codesign.update_process(moderator, process, codesign.ProcessData(
        title="Co-progettazione del portierato sociale alle Vallette",
        summary=(
            "Il Comune di Torino e gli enti del Terzo Settore progettano insieme un **portierato sociale** per "
            "gli anziani soli delle Vallette: spesa e farmaci a domicilio, accompagnamento alle visite, una rete "
            "di vicini volontari.\n\nBudget indicativo: 40.000 euro per il primo anno (PN Metro Plus, ESO4.11)."),
        stages=[
            StageData("public_notice", _day(-75), _day(-61),
                      "Avviso pubblico per la raccolta delle manifestazioni di interesse, pubblicato all'Albo "
                      "Pretorio e su questa pagina."),
            StageData("expressions_of_interest", _day(-60), _day(-41),
                      "Gli enti del Terzo Settore hanno presentato le loro manifestazioni di interesse, elencate qui sotto."),
            StageData("assessment", _day(-40), _day(-26),
                      "La commissione verifica i requisiti e ammette gli enti al tavolo, con una motivazione pubblica."),
            StageData("codesign_table", _day(-25), _day(20),
                      "Il tavolo si riunisce ogni due settimane: incontri aperti ai residenti, con verbale "
                      "pubblico."),
            StageData("final_project", _day(21), _day(35),
                      "Il progetto definitivo, con il piano dei costi, sarà pubblicato tra i documenti."),
            StageData("agreement", _day(36), None, "Firma della convenzione tra il Comune e gli enti partner."),
        ]))
    codesign.start_codesign(moderator, process,
                            "L'avviso pubblico è uscito: la co-progettazione del portierato è cominciata.")

    past = codesign.add_meeting(moderator, process, codesign.MeetingData(
        title="Primo tavolo: i bisogni degli anziani delle Vallette", starts_at=_at(-10, 17, 30),
        ends_at=_at(-10, 19, 30), place="Sala della Circoscrizione 5, via Stradella 192, Torino",
        agenda="1. Presentazione degli enti ammessi\n2. I bisogni raccolti dai residenti\n3. Calendario del tavolo",
        capacity=40))
    # They registered before the meeting (the service refuses registrations once it has started).
    attendees = [accounts.find_by_email(e) for e in ("giuseppe.ferrero@example.it", "anna.rossi@example.it",
                                                     "elena.martinetti@example.it")]
    attendees = [a for a in attendees if a is not None]
    for person in attendees:
        db.session.add(MeetingRegistration(meeting_id=past.id, user_id=person.id))
    past.registration_count = len(attendees)
    db.session.flush()
    codesign.publish_minutes(moderator, past, (
        "Presenti il Comune (Servizi sociali, Circoscrizione 5), tre enti del Terzo Settore e undici residenti.\n\n"
        "- Le richieste più frequenti: spesa settimanale, ritiro dei farmaci, accompagnamento alle visite.\n"
        "- Il locale di via Sansovino può ospitare il portierato tutte le mattine.\n"
        "- Prossimo incontro: il piano dei turni dei volontari."), [a.id for a in attendees[:2]])

    codesign.add_meeting(moderator, process, codesign.MeetingData(
        title="Secondo tavolo: turni dei volontari e sede del portierato", starts_at=_at(7, 17, 30),
        ends_at=_at(7, 19, 0), place="Sala della Circoscrizione 5, via Stradella 192, Torino",
        online_url="https://meet.comune.torino.example.it/portierato-vallette",
        agenda="1. Proposta di turni\n2. Allestimento del locale di via Sansovino\n3. Domande dei residenti",
        capacity=30))

    notice = tiny_pdf([
        "Citta di Torino - Avviso pubblico di co-progettazione (art. 55 D.Lgs. 117/2017)",
        "Portierato sociale e spesa a domicilio per gli anziani delle Vallette",
        "Budget indicativo: 40.000 euro. Possono partecipare gli enti iscritti al RUNTS.",
    ])
    codesign.add_document(moderator, process, "Avviso pubblico di co-progettazione", DocumentRole.OTHER.value,
                          FileStorage(stream=io.BytesIO(notice), filename="avviso-portierato-vallette.pdf"))
    _load_interests(process, moderator)
    db.session.flush()
    return 1


# (organisation, role, contribution, experience, public reason of the commission or None: still pending)
DEMO_INTERESTS = [
    ("Barriera Aperta Cooperativa Sociale", "capofila",
     "Coordinamento del portierato sei mattine su sette nel locale di via Sansovino, due operatrici socio-sanitarie, "
     "la rete di volontari di quartiere per la spesa e il ritiro dei farmaci.",
     "Dal 2015 gestiamo il portierato sociale di Barriera di Milano (120 anziani seguiti ogni anno) e il servizio "
     "di accompagnamento alle visite della Circoscrizione 5.",
     "Ente verificato nel RUNTS, con esperienza documentata di portierato sociale nel quartiere: ammesso come "
     "capofila."),
    ("Rete Civica Bolognina ETS", "partner",
     "Formazione dei volontari sul modello dei portierati di quartiere di Bologna e supporto alla raccolta dei "
     "bisogni con questionari porta a porta.",
     "Coordiniamo dal 2018 quattordici associazioni della Bolognina in tre progetti di co-progettazione con il "
     "Comune di Bologna.",
     None),
]


def _load_interests(process: CodesignProcess, moderator) -> None:
    """Expressions of interest sent while that stage ran (weeks ago), through the services."""
    stage = next((s for s in process.stages if s.kind == "expressions_of_interest"), None)
    if stage is None:
        return
    for name, role, contribution, experience, reason in DEMO_INTERESTS:
        org = db.session.scalar(select(Organisation).where(Organisation.name == name))
        admin = db.session.scalar(select(User).join(Membership, Membership.user_id == User.id).where(
            Membership.organisation_id == org.id, Membership.role == MemberRole.ADMIN)) if org else None
        if admin is None:
            continue
        interest = participation.express_interest(admin, process, participation.InterestData(
            organisation_id=org.id, role=role, contribution=contribution, experience=experience), on=stage.starts_on)
        if reason:
            participation.decide(moderator, interest, True, reason)
