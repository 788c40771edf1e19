"""Who may do what with a start-up support plan. Plain functions shared by views, templates and services."""
from __future__ import annotations

from sqlalchemy import exists, select

from civic.accounts.models import User
from civic.accounts.permissions import can_moderate_city
from civic.extensions import db
from civic.orgs.models import Membership
from civic.posts.lifecycle import available_moves
from civic.startup.models import SupportPlan, TeamMember, TeamOrganisation


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def can_manage_plan(user: User | None, plan: SupportPlan) -> bool:
    """Mentor choice, kinds of support, gates, funding: the moderators of the idea's city and the admins."""
    return can_moderate_city(user, plan.city)


def is_mentor(user: User | None, plan: SupportPlan) -> bool:
    return _signed_in(user) and plan.mentor_id is not None and plan.mentor_id == user.id


def is_team_member(user: User | None, plan: SupportPlan) -> bool:
    """A member of the team: added as a person, or a member of one of the team's organisations (one query)."""
    if not _signed_in(user) or plan.id is None:
        return False
    as_person = exists().where(TeamMember.plan_id == plan.id, TeamMember.user_id == user.id)
    as_org = exists().where(TeamOrganisation.plan_id == plan.id,
                            Membership.organisation_id == TeamOrganisation.organisation_id,
                            Membership.user_id == user.id)
    return bool(db.session.scalar(select(as_person | as_org)))


def is_hidden(plan: SupportPlan) -> bool:
    return plan.idea.hidden_at is not None


def can_view_plan(user: User | None, plan: SupportPlan) -> bool:
    """The public page; the plan of a hidden idea exists only for the moderators of its city."""
    return not is_hidden(plan) or can_manage_plan(user, plan)


def can_use_workspace(user: User | None, plan: SupportPlan) -> bool:
    """The workspace and its private notes: the team, the mentor and the city's moderators."""
    if not _signed_in(user):
        return False
    if can_manage_plan(user, plan):
        return True
    if is_hidden(plan):
        return False
    return is_mentor(user, plan) or is_team_member(user, plan)


def can_work_on_milestones(user: User | None, plan: SupportPlan) -> bool:
    """Submitting evidence: the team (and the moderators, who may act for it)."""
    return _signed_in(user) and not is_hidden(plan) and (is_team_member(user, plan) or can_manage_plan(user, plan))


def can_approve_milestone(user: User | None, plan: SupportPlan) -> bool:
    return is_mentor(user, plan) or can_manage_plan(user, plan)


def can_plan_milestones(user: User | None, plan: SupportPlan) -> bool:
    """Adding milestones and team members: the mentor and the moderators."""
    return is_mentor(user, plan) or can_manage_plan(user, plan)


def can_post_update(user: User | None, plan: SupportPlan) -> bool:
    return _signed_in(user) and not is_hidden(plan) and (is_mentor(user, plan) or is_team_member(user, plan))


def can_fund(user: User | None, plan: SupportPlan) -> bool:
    """The lifecycle's "fund" move is open to this user for the plan's idea (its status, its role);
    the gates are checked when the move is made."""
    return any(move.action == "fund" for move in available_moves(user, plan.idea))
