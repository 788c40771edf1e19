"""Who may do what with an organisation: named predicates (civic/core/predicates.py) combined per action,
shared by views, templates and services,
and by the other domains (co-design asks `can_lead_codesign`)."""
from __future__ import annotations

from sqlalchemy import select

from civic.accounts.models import User
from civic.accounts.permissions import can_moderate_city, is_active_person
from civic.core.predicates import predicate
from civic.extensions import db
from civic.orgs.models import MemberRole, Membership, Organisation


def membership_of(user: User | None, org: Organisation) -> Membership | None:
    """The user's membership of the organisation, or None (one query)."""
    if not is_active_person(user) or org.id is None:
        return None
    return db.session.scalar(select(Membership).where(Membership.organisation_id == org.id,
                                                      Membership.user_id == user.id))


@predicate
def is_member(user: User | None, org: Organisation) -> bool:
    return membership_of(user, org) is not None


@predicate
def is_org_admin(user: User | None, org: Organisation) -> bool:
    membership = membership_of(user, org)
    return membership is not None and membership.role == MemberRole.ADMIN


@predicate
def has_confirmed_email(user: User | None) -> bool:
    return user.email_confirmed_at is not None


@predicate
def is_blocked(user: User | None) -> bool:
    return user.blocked_at is not None


@predicate
def moderates_org_city(user: User | None, org: Organisation) -> bool:
    return can_moderate_city(user, org.city)


can_register_organisation = (is_active_person & has_confirmed_email & ~is_blocked).named(
    "can_register_organisation", "Any signed-in person whose email address is confirmed.")
can_edit_organisation = is_org_admin.named("can_edit_organisation")
can_manage_members = is_org_admin.named("can_manage_members")
can_verify = (is_active_person & moderates_org_city).named(
    "can_verify", "The moderators of the organisation's city, and the administrators.")


def can_lead_codesign(org: Organisation) -> bool:
    """Only a verified organisation may lead (be capofila of) a co-design process."""
    return org.verified_at is not None


def organisations_of(user: User | None) -> list[Organisation]:
    """The organisations the user is a member of, by name (one query)."""
    if not is_active_person(user):
        return []
    return list(db.session.scalars(
        select(Organisation).join(Membership, Membership.organisation_id == Organisation.id)
        .where(Membership.user_id == user.id).order_by(Organisation.name, Organisation.id)))
