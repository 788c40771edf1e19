"""The demo organisations: three in the demo cities, one verified, with members and an idea on behalf."""
from __future__ import annotations

from sqlalchemy import func, select

from civic.demo.content import load_demo_content
from civic.demo.orgs import DEMO_ORGS, load_demo_orgs
from civic.extensions import db
from civic.orgs.fiscal import is_valid_number
from civic.orgs.models import Membership, Organisation
from civic.posts.models import Post
from civic.territories.models import City


def test_the_demo_organisations_load_once(app, reference_data):
    load_demo_content()
    db.session.commit()
    orgs = db.session.scalars(select(Organisation).order_by(Organisation.id)).all()
    assert [o.name for o in orgs] == [seed.name for seed in DEMO_ORGS]
    assert [o.is_verified for o in orgs] == [True, False, False]
    assert all(is_valid_number(o.codice_fiscale) for o in orgs)
    for org in orgs:
        count = db.session.scalar(select(func.count()).select_from(Membership)
                                  .where(Membership.organisation_id == org.id))
        assert org.member_count == count == 3
    assert db.session.scalar(select(func.count()).select_from(Post).where(Post.organisation_id.is_not(None))) == 2
    cities = {c.slug: c for c in db.session.scalars(select(City))}
    assert load_demo_orgs(cities) == 0  # a second run creates nothing


def test_the_demo_organisations_are_valid_entities():
    for seed in DEMO_ORGS:
        assert is_valid_number(seed.codice_fiscale), seed.name
        assert seed.second_section is None or seed.section == "e"
