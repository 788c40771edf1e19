"""Fixtures of the calls tests: the posts fixtures, a programme with its objectives, and a
builder of calls whose phases are placed around today."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from civic.calls import phases, services
from civic.calls.services import CallData, CriterionData, PhaseData
from civic.extensions import db
from civic.territories.models import Priority, Programme, SpecificObjective
from tests.posts.conftest import (  # noqa: F401 - fixtures shared with the posts tests
    _shared_template_cache,
    add_comment,
    add_vote,
    anna,
    bruno,
    client,
    new_idea,
    new_need,
    palermo,
    themes,
    torino,
)

MODERATOR = "mod.torino@example.it"
OTHER_MODERATOR = "mod.palermo@example.it"
ADMIN = "admin@example.it"


@pytest.fixture
def programme(app):
    programme = Programme(code="PN-METRO-PLUS", name="PN Metro Plus", full_name="PN Metro Plus e Città Medie Sud",
                          reference="CCI 2021IT16FFPR003", start_year=2021, end_year=2027)
    programme.priorities = [Priority(code="7", kind="priority", name_it="Rigenerazione urbana e inclusione",
                                     name_en="Urban regeneration and inclusion", inclusion=True, position=1)]
    objectives = [SpecificObjective(code="ESO4.8", name_it="Inclusione attiva", name_en="Active inclusion"),
                  SpecificObjective(code="ESO4.11", name_it="Accesso ai servizi", name_en="Access to services"),
                  SpecificObjective(code="RSO2.7", name_it="Biodiversità", name_en="Biodiversity")]
    db.session.add(programme)
    db.session.add_all(objectives)
    db.session.commit()
    return programme


@pytest.fixture
def objectives(programme):
    return {o.code: o for o in db.session.query(SpecificObjective)}


@pytest.fixture
def people(make_user, torino, palermo):
    make_user("moderator", email=MODERATOR, name="Moderatrice Torino", cities=[torino])
    make_user("moderator", email=OTHER_MODERATOR, name="Moderatore Palermo", cities=[palermo])
    make_user("admin", email=ADMIN, name="Amministratrice")
    return {"moderator": MODERATOR, "other_moderator": OTHER_MODERATOR, "admin": ADMIN}


def days(n: int):
    return phases.today() + timedelta(days=n)


# Where today falls: the phases are placed so that `running` is the phase of today.
SCHEDULES = {
    "before": {"submission": (3, 10), "voting": (11, 20), "evaluation": (21, 30), "results": (31, None)},
    "submission": {"submission": (-3, 3), "voting": (4, 10), "evaluation": (11, 20), "results": (21, None)},
    "voting": {"submission": (-10, -4), "voting": (-3, 3), "evaluation": (4, 10), "results": (11, None)},
    "evaluation": {"submission": (-20, -11), "voting": (-10, -4), "evaluation": (-3, 3), "results": (4, None)},
    "results": {"submission": (-30, -21), "voting": (-20, -11), "evaluation": (-10, -4), "results": (-3, None)},
}


def schedule(when: str, skip: tuple[str, ...] = ()) -> list[PhaseData]:
    return [PhaseData(kind, days(start), days(end) if end is not None else None)
            for kind, (start, end) in SCHEDULES[when].items() if kind not in skip]


def call_data(programme, objectives, themes, **overrides) -> CallData:
    values = dict(
        title="Giovani al centro", description="Idee per i **giovani** dei quartieri.",
        programme_id=programme.id, objective_id=objectives["ESO4.8"].id, budget=Decimal("250000"),
        eligibility="Residenti e organizzazioni del Terzo Settore della città.",
        theme_ids=(themes[0].id,), phases=schedule("submission"),
        criteria=[CriterionData("Impatto sociale", 60), CriterionData("Fattibilità", 40)],
    )
    values.update(overrides)
    return CallData(**values)


@pytest.fixture
def new_call(people, programme, objectives, themes, torino):
    """A call of Torino created through the service; published unless told otherwise."""
    from civic.accounts.models import User

    def make(when: str = "submission", publish: bool = True, city=None, skip=(), **overrides):
        moderator = db.session.query(User).filter_by(email=ADMIN if city is not None else MODERATOR).one()
        data = call_data(programme, objectives, themes, phases=schedule(when, skip), **overrides)
        call = services.create_call(moderator, city or torino, data)
        if publish:
            services.publish_call(moderator, call)
        db.session.commit()
        return call

    return make
