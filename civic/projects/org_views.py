"""An organisation's page (blueprint "orgs"): its members, the needs and ideas it posted, the funded
projects it carries out. It is here, above organisations, posts and projects, because it shows all three."""
from __future__ import annotations

from flask import redirect, render_template
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from civic.core.forms import ActionForm
from civic.extensions import db
from civic.orgs import permissions, services
from civic.orgs.forms import UnverifyForm
from civic.orgs.models import Organisation
from civic.orgs.views import _org, _user
from civic.orgs.views import bp as orgs_bp
from civic.posts.listing import posts_of
from civic.posts.models import Idea, Need
from civic.projects.models import FundedProject, PartnerRole, ProjectPartner
from civic.urls import org_url


@orgs_bp.route("/organisations/<int:org_id>", defaults={"org_slug": None})
@orgs_bp.route("/organisations/<int:org_id>-<org_slug>")
def show(org_id: int, org_slug: str | None):
    org = _org(org_id)
    if org_slug != org.slug:
        return redirect(org_url(org), code=301)
    user = _user()
    membership = permissions.membership_of(user, org)
    return render_template(
        "orgs/show.html", org=org, membership=membership, members=services.members(org),
        needs=posts_of(org, Need), ideas=posts_of(org, Idea),
        may_verify=permissions.can_verify(user, org), action_form=ActionForm(), unverify_form=UnverifyForm(),
        funded_projects=_funded_projects(org))


def _funded_projects(org: Organisation) -> list:
    """The funded projects the organisation implements, lead partner first: (role label, project), one query."""
    rows = db.session.execute(
        select(ProjectPartner.role, FundedProject)
        .join(FundedProject, FundedProject.id == ProjectPartner.project_id)
        .where(ProjectPartner.organisation_id == org.id)
        .options(joinedload(FundedProject.idea), joinedload(FundedProject.city))
        .order_by(ProjectPartner.role != PartnerRole.LEAD.value, FundedProject.id.desc())).all()
    return [(PartnerRole(role).label, project) for role, project in rows]
