"""Who may do what with an organisation. Plain functions shared by views, templates and services,
and by the other domains (co-design asks `can_lead_codesign`)."""
from __future__ import annotations

from sqlalchemy import select

from civic.accounts.models import User
from civic.accounts.permissions import can_moderate_city
from civic.extensions import db
from civic.orgs.models import MemberRole, Membership, Organisation


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def membership_of(user: User | None, org: Organisation) -> Membership | None:
    """The user's membership of the organisation, or None (one query)."""
    if not _signed_in(user) or org.id is None:
        return None
    return db.session.scalar(select(Membership).where(Membership.organisation_id == org.id,
                                                      Membership.user_id == user.id))


def is_member(user: User | None, org: Organisation) -> bool:
    return membership_of(user, org) is not None


def is_org_admin(user: User | None, org: Organisation) -> bool:
    membership = membership_of(user, org)
    return membership is not None and membership.role == MemberRole.ADMIN


def can_register_organisation(user: User | None) -> bool:
    """Any signed-in person whose email address is confirmed."""
    return _signed_in(user) and user.email_confirmed_at is not None and user.blocked_at is None


def can_edit_organisation(user: User | None, org: Organisation) -> bool:
    return is_org_admin(user, org)


def can_manage_members(user: User | None, org: Organisation) -> bool:
    return is_org_admin(user, org)


def can_verify(user: User | None, org: Organisation) -> bool:
    """The moderators of the organisation's city, and the administrators."""
    return _signed_in(user) and can_moderate_city(user, org.city)


def can_lead_codesign(org: Organisation) -> bool:
    """Only a verified organisation may lead (be capofila of) a co-design process."""
    return org.verified_at is not None


def organisations_of(user: User | None) -> list[Organisation]:
    """The organisations the user is a member of, by name (one query)."""
    if not _signed_in(user):
        return []
    return list(db.session.scalars(
        select(Organisation).join(Membership, Membership.organisation_id == Organisation.id)
        .where(Membership.user_id == user.id).order_by(Organisation.name, Organisation.id)))
