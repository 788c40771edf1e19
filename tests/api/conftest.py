"""Fixtures of the API and open data tests: the builders of tests/posts and tests/moderation, reused."""
from __future__ import annotations

import pytest

from civic.accounts.models import Role
from civic.calls import services as call_services
from civic.extensions import db
from civic.orgs import services as org_services
from civic.territories.models import Programme, SpecificObjective
from tests.calls.conftest import call_data
from tests.moderation.conftest import hide, mod_torino  # noqa: F401 - fixtures
from tests.orgs.conftest import org_data
from tests.posts.conftest import (  # noqa: F401 - fixtures
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


@pytest.fixture
def api(client):
    """GET a JSON endpoint: (status, body)."""

    def get(url: str, **params):
        response = client.get(url, query_string=params)
        assert response.mimetype == "application/json", (url, response.mimetype)
        return response.status_code, response.get_json()

    return get


def valid_cf(base: int) -> str:
    """An organisation's codice fiscale: ten digits of `base` and the check digit."""
    from civic.orgs.fiscal import is_valid_number

    return next(f"{base}{d}" for d in range(10) if is_valid_number(f"{base}{d}"))


@pytest.fixture
def calls_orgs(make_user, anna, torino, palermo, themes):
    """Two published calls (Torino, Palermo), a draft one, and an organisation of Torino."""
    moderator = make_user(Role.ADMIN, email="admin.api@example.it", name="Giulia Admin")
    programme = Programme(code="PN-METRO-PLUS", name="PN Metro Plus", full_name="PN Metro Plus e Città Medie Sud",
                          reference="CCI 2021IT16FFPR003", start_year=2021, end_year=2027)
    objective = SpecificObjective(code="ESO4.8", name_it="Inclusione attiva", name_en="Active inclusion")
    db.session.add_all([programme, objective])
    db.session.flush()
    objectives = {"ESO4.8": objective}
    published = call_services.create_call(moderator, torino, call_data(programme, objectives, themes))
    call_services.publish_call(moderator, published)
    other = call_services.create_call(moderator, palermo, call_data(programme, objectives, themes, title="Palermo",
                                                                    theme_ids=(themes[1].id,)))
    call_services.publish_call(moderator, other)
    draft = call_services.create_call(moderator, torino, call_data(programme, objectives, themes,
                                                                   title="Bozza riservata Zqxdraft"))
    org = org_services.register_organisation(anna, org_data(torino, themes[:1]))
    db.session.commit()
    return {"call": published, "other": other, "draft": draft, "org": org}
