"""Fixtures of the funded-projects tests: the calls and posts fixtures, people with their roles, and
a project of Torino with public funding, made through the services."""
from __future__ import annotations

from datetime import date

import pytest

from civic.accounts.models import User
from civic.extensions import db
from civic.projects import services
from tests.calls.conftest import (  # noqa: F401 - fixtures shared with the calls tests
    ADMIN,
    MODERATOR,
    OTHER_MODERATOR,
    objectives,
    people,
    programme,
)
from tests.posts.conftest import (  # noqa: F401 - fixtures shared with the posts tests
    _shared_template_cache,
    anna,
    bruno,
    client,
    new_idea,
    new_need,
    palermo,
    themes,
    torino,
)

RESIDENT = "anna@example.it"
CUP = "D11B16000230007"


def user(email: str) -> User:
    return db.session.query(User).filter_by(email=email).one()


def project_data(**overrides) -> services.ProjectData:
    values = dict(title="Agenzia sociale per la casa", summary="Un servizio per trovare casa a chi non la trova.",
                  funding_total="100.000,00", eu_share="80.000,00", status="in_progress",
                  starts_on=date(2024, 1, 15), planned_end_on=date(2026, 12, 31))
    values.update(overrides)
    return services.ProjectData(**values)


def money(amount: str, **overrides) -> services.MoneyData:
    return services.MoneyData(made_on=overrides.pop("made_on", date(2024, 3, 1)), amount=amount, **overrides)


@pytest.fixture
def project(people, torino):
    made = services.create_project(user(MODERATOR), torino, project_data())
    db.session.commit()
    return made
