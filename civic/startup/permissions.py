"""Who may do what with a start-up support plan: named predicates (civic/core/predicates.py) combined per
action, shared by views, templates and services."""
from __future__ import annotations

from sqlalchemy import exists, select

from civic.accounts.models import User
from civic.accounts.permissions import can_moderate_city, is_signed_in
from civic.core.predicates import predicate
from civic.extensions import db
from civic.orgs.models import Membership
from civic.posts.permissions import lifecycle_allows
from civic.startup.models import SupportPlan, TeamMember, TeamOrganisation


@predicate
def moderates_plan_city(user: User | None, plan: SupportPlan) -> bool:
    return can_moderate_city(user, plan.city)


can_manage_plan = moderates_plan_city.named(
    "can_manage_plan", "Mentor choice, kinds of support, gates, funding: the moderators of the idea's city and the admins.")


@predicate
def is_mentor(user: User | None, plan: SupportPlan) -> bool:
    return is_signed_in(user) and plan.mentor_id is not None and plan.mentor_id == user.id


@predicate
def is_team_member(user: User | None, plan: SupportPlan) -> bool:
    """A member of the team: added as a person, or a member of one of the team's organisations (one query)."""
    if not is_signed_in(user) or plan.id is None:
        return False
    as_person = exists().where(TeamMember.plan_id == plan.id, TeamMember.user_id == user.id)
    as_org = exists().where(TeamOrganisation.plan_id == plan.id,
                            Membership.organisation_id == TeamOrganisation.organisation_id,
                            Membership.user_id == user.id)
    return bool(db.session.scalar(select(as_person | as_org)))


def is_hidden(plan: SupportPlan) -> bool:
    return plan.idea.hidden_at is not None


@predicate
def plan_hidden(user: User | None, plan: SupportPlan) -> bool:
    """The plan's idea was hidden by the moderators."""
    return is_hidden(plan)


@predicate
def lifecycle_allows_fund(user: User | None, plan: SupportPlan) -> bool:
    """The lifecycle's "fund" move is open to this person for the plan's idea (its status, its role)."""
    return lifecycle_allows("fund")(user, plan.idea)


can_view_plan = (~plan_hidden | can_manage_plan).named(
    "can_view_plan", "The public page; the plan of a hidden idea exists only for the moderators of its city.")
can_use_workspace = (is_signed_in & (can_manage_plan | (~plan_hidden & (is_mentor | is_team_member)))).named(
    "can_use_workspace", "The workspace and its private notes: the team, the mentor and the city's moderators.")
can_work_on_milestones = (is_signed_in & ~plan_hidden & (is_team_member | can_manage_plan)).named(
    "can_work_on_milestones", "Submitting evidence: the team (and the moderators, who may act for it).")
can_approve_milestone = (is_mentor | can_manage_plan).named("can_approve_milestone")
can_plan_milestones = (is_mentor | can_manage_plan).named(
    "can_plan_milestones", "Adding milestones and team members: the mentor and the moderators.")
can_post_update = (is_signed_in & ~plan_hidden & (is_mentor | is_team_member)).named("can_post_update")
can_fund = lifecycle_allows_fund.named(
    "can_fund", "The gates are checked when the move is made.")


TEMPLATE_PERMISSIONS = {"startup_" + action.__name__: action for action in (
    can_manage_plan, can_use_workspace, can_approve_milestone, can_plan_milestones, can_work_on_milestones,
    can_post_update, can_fund)}
