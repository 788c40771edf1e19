"""Co-design content for the crawl of tests/moderation/test_hidden_everywhere.py: a process for
the idea that gets hidden, one for a visible idea and one for the need that gets hidden, each
with a meeting (with minutes naming nothing hidden) and a document. Made once per World,
through the services, before the crawl hides anything."""
from __future__ import annotations

import io
from datetime import timedelta

from werkzeug.datastructures import FileStorage

from civic.codesign import services
from civic.codesign.models import DocumentRole
from civic.core.timeutil import utcnow
from civic.extensions import db
from civic.posts import lifecycle

PDF = b"%PDF-1.4\n%%EOF\n"


def _select(moderator, idea) -> None:
    for action in ("review", "shortlist", "select"):
        lifecycle.perform(moderator, idea, action, "Risposta pubblica")


def codesign_world(w) -> dict:
    made = getattr(w, "_codesign", None)
    if made is not None:
        return made
    moderator = w.users["mod_torino"]
    processes = []
    for key in ("hidden_idea", "visible_idea"):
        _select(moderator, w.posts[key])
        processes.append(services.process_for_idea(w.posts[key]))
    processes.append(services.open_process(moderator, w.city, services.OpeningData(
        title="Percorso per le strade del quartiere", summary="Un percorso con gli enti del quartiere.",
        need_id=w.posts["hidden_need"].id)))
    meetings, documents = [], []
    start = (utcnow() - timedelta(days=2)).astimezone(services.ZoneInfo("Europe/Rome")).replace(tzinfo=None)
    for process in processes:
        meeting = services.add_meeting(moderator, process, services.MeetingData(
            title="Tavolo di co-progettazione", starts_at=start, ends_at=start + timedelta(hours=2),
            place="Sala civica", agenda="Ordine del giorno"))
        services.publish_minutes(moderator, meeting, "Verbale della seduta", [])
        meetings.append(meeting)
        documents.append(services.add_document(moderator, process, "Avviso pubblico", DocumentRole.OTHER.value,
                                               FileStorage(stream=io.BytesIO(PDF), filename="avviso.pdf")))
        _admit_the_organisation(w, moderator, process)
    db.session.commit()
    made = {"processes": processes, "meetings": meetings, "documents": documents}
    w._codesign = made
    return made


def _admit_the_organisation(w, moderator, process) -> None:
    """Anna's organisation (tests/orgs/crawl.py) is admitted to every process: its page lists the processes,
    and must leave out those whose origin gets hidden (their title is the hidden idea's)."""
    from civic.codesign import participation
    from tests.orgs.crawl import world_organisation

    org = world_organisation(w)
    on = utcnow().date()
    services.update_process(moderator, process, services.ProcessData(
        title=process.title, summary=process.summary_markdown or "Un percorso con gli enti del quartiere.",
        stages=[services.StageData("expressions_of_interest", on - timedelta(days=3), on + timedelta(days=3))]))
    interest = participation.express_interest(w.users["anna"], process, participation.InterestData(
        organisation_id=org.id, role="partner", contribution="Volontari e uno spazio per gli incontri.",
        experience="Dieci anni di attività nel quartiere."))
    participation.decide(moderator, interest, True, "Requisiti verificati")


FILLERS = {
    "process_id": lambda w, rule, chosen: [p.id for p in codesign_world(w)["processes"]],
    "meeting_id": lambda w, rule, chosen: [m.id for m in codesign_world(w)["meetings"]],
    "document_id": lambda w, rule, chosen: [d.id for d in codesign_world(w)["documents"]],
    "version_id": lambda w, rule, chosen: [d.versions[0].id for d in codesign_world(w)["documents"]],
}
