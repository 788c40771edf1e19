"""Funded projects for the crawl of tests/moderation/test_hidden_everywhere.py: the project of the idea
that gets hidden (created as the lifecycle hook does, its title still the idea's) and a project of the
city without an idea. Made once per World, through the services, before the crawl hides anything."""
from __future__ import annotations

from datetime import date

from civic.extensions import db
from civic.projects import services


def projects_world(w) -> list:
    made = getattr(w, "_projects", None)
    if made is not None:
        return made
    moderator = w.users["mod_torino"]
    from_idea = services.create_for_idea(moderator, w.posts["hidden_idea"])
    services.add_milestone(moderator, from_idea, "Avvio del servizio", date(2025, 1, 1), 100)
    services.post_update(moderator, from_idea, "Il servizio è partito.")
    plain = services.create_project(moderator, w.city, services.ProjectData(
        title="Agenzia sociale per la casa", summary="Un servizio per trovare casa.", funding_total="1000"))
    db.session.commit()
    w._projects = [from_idea, plain]
    return w._projects


FILLERS = {
    "project_id": lambda w, rule, chosen: [p.id for p in projects_world(w)],
    "milestone_id": lambda w, rule, chosen: [m.id for p in projects_world(w) for m in p.milestones],
    "indicator_id": lambda w, rule, chosen: [1],
    "commitment_id": lambda w, rule, chosen: [c.id for p in projects_world(w) for c in p.commitments] or [1],
    "payment_id": lambda w, rule, chosen: [x.id for p in projects_world(w) for x in p.payments] or [1],
}
