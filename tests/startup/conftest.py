"""Fixtures of the start-up support tests: an idea moved through the lifecycle to "in start-up support"
(its plan opened by the lifecycle hook), a mentor, and people around it."""
from __future__ import annotations

import pytest

from civic.extensions import db
from civic.posts import lifecycle
from civic.startup import services
from tests.codesign.conftest import (  # noqa: F401 - fixtures shared with the co-design tests
    ADMIN,
    CF_A,
    CF_B,
    MODERATOR,
    OTHER_MODERATOR,
    _shared_template_cache,
    anna,
    bruno,
    client,
    idea,
    jpeg_bytes,
    new_idea,
    new_org,
    objectives,
    palermo,
    pdf_bytes,
    people,
    png_bytes,
    programme,
    themes,
    torino,
    user,
)

MOVES_TO_STARTUP = ("review", "shortlist", "select", "start_codesign", "start_support")


def to_startup(moderator, idea) -> None:
    for action in MOVES_TO_STARTUP:
        lifecycle.perform(moderator, idea, action, f"Risposta pubblica: {action}")
    db.session.commit()


@pytest.fixture
def plan(idea):
    to_startup(user(MODERATOR), idea)
    found = services.plan_for_idea(idea)
    assert found is not None
    return found


@pytest.fixture
def mentor_org(make_user, new_org, plan):
    """Carla, member of a verified organisation: a possible mentor."""
    carla = make_user(email="carla@example.it", name="Carla Verdi")
    admin = make_user(email="org.admin@example.it", name="Ornella Admin")
    org = new_org(admin, members=[carla])
    from civic.orgs import services as org_services

    org_services.verify(user(MODERATOR), org)
    db.session.commit()
    return carla


@pytest.fixture
def with_mentor(plan, mentor_org):
    services.update_plan(user(MODERATOR), plan, services.PlanData(mentor_email=mentor_org.email, tutoring=True))
    db.session.commit()
    return plan
