"""The organisation of the hidden-everywhere crawl (tests/moderation/test_hidden_everywhere.py):
Anna's, in the crawled city, with her hidden need and idea posted on its behalf (and comments, hidden
or on hidden posts, written on its behalf), so that the crawl checks that the organisation's page and
the profiles never show them once hidden."""
from __future__ import annotations

from civic.extensions import db
from civic.orgs import services
from tests.orgs.conftest import org_data


def world_organisation(w):
    org = getattr(w, "organisation", None)
    if org is None:
        anna = w.users["anna"]
        org = services.register_organisation(anna, org_data(w.city, w.themes[:1], name="Rete Solidale Aurora"))
        _invitation, token = services.invite(anna, org, w.users["bruno"].email)
        services.accept_invitation(w.users["bruno"], token)
        services.invite(anna, org, "pending@example.it")
        for post in (w.posts["hidden_need"], w.posts["hidden_idea"], w.posts["visible_need"]):
            post.organisation_id = org.id
        # Comments on its behalf: the hidden ones, and Bruno's on the hidden need.
        for key in ("hidden", "hidden_reply", "on_hidden_need", "anna_visible"):
            w.comments[key].organisation_id = org.id
        db.session.commit()
        w.organisation = org
    return org


def org_ids(w) -> list[int]:
    return [world_organisation(w).id]


def org_slugs(w) -> list[str]:
    return [world_organisation(w).slug, "wrong-slug"]
