"""An organisation's public page lists the funded projects it implements (ProjectPartner), lead
partner first, in a number of queries that does not grow with the projects."""
from __future__ import annotations

from civic.extensions import db
from civic.moderation import services as moderation
from civic.projects import services
from civic.projects.models import ProjectPartner
from tests.orgs.conftest import CF_B, new_org  # noqa: F401 - fixture
from tests.posts.helpers import english
from tests.projects.conftest import MODERATOR, project_data, user
from tests.projects.test_services import fund


def org_page(org) -> str:
    return f"/organisations/{org.id}-{org.slug}"


def test_the_projects_an_organisation_implements(client, people, anna, torino, new_org, new_idea,  # noqa: F811
                                                 count_queries):
    mod = user(MODERATOR)
    org = new_org(anna)
    other = new_org(anna, name="Altra Cooperativa", codice_fiscale=CF_B)
    english(client)
    assert "Funded projects it implements" not in client.get(org_page(org)).get_data(as_text=True)
    lead = services.create_project(mod, torino, project_data(title="Portierato sociale di Aurora",
                                                             cup="D11B16000230007"))
    db.session.flush()
    db.session.add(ProjectPartner(project_id=lead.id, organisation_id=org.id, role="lead"))
    db.session.add(ProjectPartner(project_id=lead.id, organisation_id=other.id, role="partner"))
    db.session.commit()
    client.get(org_page(org))
    with count_queries() as few:
        page = client.get(org_page(org)).get_data(as_text=True)
    assert "Portierato sociale di Aurora" in page and f"/projects/{lead.id}-" in page
    assert "Lead partner (capofila)" in page and "D11B16000230007" in page
    for n in range(4):
        made = services.create_project(mod, torino, project_data(title=f"Progetto partner {n}"))
        db.session.flush()
        db.session.add(ProjectPartner(project_id=made.id, organisation_id=org.id, role="partner"))
    idea = new_idea(anna, torino, title="Zqxidea del quartiere nascosta")
    fund(mod, idea)
    from_idea = services.project_for_idea(idea)
    db.session.add(ProjectPartner(project_id=from_idea.id, organisation_id=org.id, role="partner"))
    db.session.commit()
    with count_queries() as many:
        page = client.get(org_page(org)).get_data(as_text=True)
    assert many.count == few.count
    assert page.index("Portierato sociale di Aurora") < page.index("Progetto partner 3") \
        < page.index("Progetto partner 0")
    assert "Zqxidea del quartiere nascosta" in page
    moderation.hide(mod, idea, "Dati personali")
    db.session.commit()
    page = client.get(org_page(org)).get_data(as_text=True)
    assert "Zqxidea" not in page and f"Funded project no. {from_idea.id}" in page
    partner_page = client.get(org_page(other)).get_data(as_text=True)
    assert "Portierato sociale di Aurora" in partner_page and "Progetto partner 0" not in partner_page
