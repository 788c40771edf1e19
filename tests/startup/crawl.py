"""Start-up support content for the crawl of tests/moderation/test_hidden_everywhere.py: the idea that
gets hidden and a visible one moved on to "in start-up support" (after their co-design, from
tests/codesign/crawl.py), each plan with a mentor, an approved milestone with a file, a gate, a public
update and a private note. Made once per World, through the services, before the crawl hides anything."""
from __future__ import annotations

import io
from datetime import date

from werkzeug.datastructures import FileStorage

from civic.extensions import db
from civic.posts import lifecycle
from civic.startup import services
from tests.codesign.crawl import PDF, codesign_world


def startup_world(w) -> dict:
    made = getattr(w, "_startup", None)
    if made is not None:
        return made
    codesign_world(w)
    moderator = w.users["mod_torino"]
    plans, evidence = [], []
    for key in ("hidden_idea", "visible_idea"):
        idea = w.posts[key]
        for action in ("start_codesign", "start_support"):
            lifecycle.perform(moderator, idea, action, "Risposta pubblica")
        plan = services.plan_for_idea(idea)
        services.update_plan(moderator, plan, services.PlanData(mentor_email=moderator.email, tutoring=True))
        milestone = services.add_milestone(moderator, plan, services.MilestoneData(
            "Primo traguardo", date(2027, 3, 31), "Un prototipo"))
        services.submit_milestone(idea.author, milestone, "Fatto",
                                  FileStorage(stream=io.BytesIO(PDF), filename="rapporto.pdf"))
        services.approve_milestone(moderator, milestone)
        services.add_gate(moderator, plan, "Prima verifica", [milestone.id])
        services.add_update(moderator, plan, "Aggiornamento pubblico")
        services.add_note(moderator, plan, "Nota riservata")
        plans.append(plan)
        evidence.append(milestone.evidence[0])
    db.session.commit()
    made = {"plans": plans, "evidence": evidence}
    w._startup = made
    return made


FILLERS = {
    "plan_id": lambda w, rule, chosen: [p.id for p in startup_world(w)["plans"]],
    "evidence_id": lambda w, rule, chosen: [e.id for e in startup_world(w)["evidence"]],
}
