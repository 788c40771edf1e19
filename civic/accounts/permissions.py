"""Who may do what, by role. Named predicates (civic/core/predicates.py) that views, templates (as
Jinja globals), the API, the CLI and the other domains' `permissions.py` combine; no view, template
or service compares roles itself."""
from __future__ import annotations

from civic.accounts.models import Role, User
from civic.core.predicates import Predicate, predicate
from civic.territories.models import City


@predicate
def is_signed_in(user: User | None) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


@predicate
def is_active_person(user: User | None) -> bool:
    """Signed in with an account that is not blocked or deleted."""
    return is_signed_in(user) and user.is_active


def has_role(*roles: Role) -> Predicate:
    """Signed in with one of these roles."""
    return Predicate(lambda user: is_signed_in(user) and user.role in roles,
                     f"has_role({', '.join(r.value for r in roles)})")


is_admin = has_role(Role.ADMIN).named("is_admin")
is_moderator = has_role(Role.MODERATOR).named("is_moderator")


@predicate
def moderates_city(user: User | None, city: City) -> bool:
    """The city is one of those given to the person to moderate."""
    return any(c.id == city.id for c in user.moderated_cities)


@predicate
def moderates_a_city(user: User | None) -> bool:
    return bool(user.moderated_cities)


can_moderate_city = (is_admin | (is_moderator & moderates_city)).named(
    "can_moderate_city", "Admins everywhere; moderators only in the cities they were given.")

can_use_moderation_desk = has_role(Role.MODERATOR, Role.ADMIN).named(
    "can_use_moderation_desk", "The moderation queue and the organisations awaiting verification: moderators and admins.")

can_edit_neighbourhoods = is_admin.named("can_edit_neighbourhoods")


@predicate
def can_moderate_user(user: User | None, person: User) -> bool:
    """Block, unblock, or close the reports on `person`'s profile: admins for anyone but themselves;
    moderators for the residents whose home city they moderate (never a moderator or an admin)."""
    if not is_signed_in(user) or user.id == person.id:
        return False
    if is_admin(user):
        return True
    return (is_moderator(user) and person.role == Role.RESIDENT and person.home_city_id is not None
            and any(c.id == person.home_city_id for c in user.moderated_cities))


TEMPLATE_PERMISSIONS = {
    "is_admin": is_admin,
    "can_moderate_city": can_moderate_city,
    "can_use_moderation_desk": can_use_moderation_desk,
    "can_edit_neighbourhoods": can_edit_neighbourhoods,
    "can_moderate_user": can_moderate_user,
}
