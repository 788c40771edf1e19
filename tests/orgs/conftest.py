"""Fixtures of the organisations tests: the posts fixtures, people, and a builder of
organisations registered through the service."""
from __future__ import annotations

import pytest

from civic.accounts.models import Role
from civic.extensions import db
from civic.orgs import services
from civic.orgs.services import OrgData
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

# Valid entity numbers (the check digit computed with civic.orgs.fiscal.check_digit).
CF_A, CF_B, CF_C = "97001234562", "80012000826", "97123456788"
PIVA_A, PIVA_B = "01234567897", "02111333445"


@pytest.fixture
def carla(make_user):
    return make_user(email="carla@example.it", name="Carla Verdi")


@pytest.fixture
def mod_torino(make_user, torino):
    return make_user(Role.MODERATOR, email="mod.torino@example.it", name="Marta Moderatrice", cities=[torino])


@pytest.fixture
def mod_palermo(make_user, palermo):
    return make_user(Role.MODERATOR, email="mod.palermo@example.it", name="Nicola Moderatore", cities=[palermo])


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN, email="admin@example.it", name="Giulia Admin")


def org_data(city, themes=(), **overrides) -> OrgData:
    values = dict(name="Il Ponte APS", legal_form="Associazione", runts_section="b", codice_fiscale=CF_A,
                  city_id=city.id, description="Doposcuola e **sportello** per le famiglie di Aurora.",
                  theme_ids=tuple(t.id for t in themes), website="https://www.ilponte.example.it",
                  contact_email="info@ilponte.example.it", phone="+39 011 123 4567")
    values.update(overrides)
    return OrgData(**values)


@pytest.fixture
def new_org(themes, torino):
    """An organisation registered by `admin_user` through the service, committed; `members` join as members."""

    def make(admin_user, city=None, members=(), admins=(), **overrides):
        org = services.register_organisation(admin_user, org_data(city or torino, themes[:1], **overrides))
        db.session.commit()
        for user, role in [*((m, "member") for m in members), *((a, "admin") for a in admins)]:
            invitation, token = services.invite(admin_user, org, user.email, role)
            services.accept_invitation(user, token)
            db.session.commit()
        return org

    return make
