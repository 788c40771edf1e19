"""One organisation registered by many requests at the same moment (the same codice fiscale): one is
registered, every other request gets the form again with the message a request made a moment later gets, or
the service's own 409 for the race; none a 500."""
from __future__ import annotations

from sqlalchemy import func, select

from civic.extensions import db
from civic.orgs.models import Organisation
from tests.orgs.test_views import ANNA, org_form
from tests.races import DUPLICATE, clients, post_at_once

PARALLEL = 12
REGISTERED = "already registered"
MEANWHILE = "was registered meanwhile"


def test_simultaneous_registrations_of_one_organisation_register_it_once(app, client, anna, torino, themes):
    results = post_at_once(app, clients(app, PARALLEL, login=ANNA), "/organisations/new", org_form(torino, themes))
    statuses = [status for status, _page in results]
    assert statuses.count(302) == 1, statuses
    for status, page in results:
        if status != 302:
            assert status in (409, 422), status  # the service's own answer to the race is a 409
            assert any(text in page for text in (REGISTERED, MEANWHILE, DUPLICATE)), page[:2000]
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 1
