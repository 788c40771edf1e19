"""Who may do what. Plain functions shared by views, templates (as Jinja globals) and the CLI."""
from __future__ import annotations

from civic.accounts.models import Role, User
from civic.territories.models import City


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def is_admin(user: User | None) -> bool:
    return _signed_in(user) and user.role == Role.ADMIN


def can_moderate_city(user: User | None, city: City) -> bool:
    """Admins everywhere; moderators only in the cities they were given."""
    if not _signed_in(user):
        return False
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.MODERATOR and any(c.id == city.id for c in user.moderated_cities)


def can_edit_neighbourhoods(user: User | None, city: City) -> bool:
    return is_admin(user)


def can_moderate_user(user: User | None, person: User) -> bool:
    """Block, unblock, or close the reports on `person`'s profile: admins for anyone but themselves;
    moderators for the residents whose home city they moderate (never a moderator or an admin)."""
    if not _signed_in(user) or user.id == person.id:
        return False
    if user.role == Role.ADMIN:
        return True
    return (user.role == Role.MODERATOR and person.role == Role.RESIDENT and person.home_city_id is not None
            and any(c.id == person.home_city_id for c in user.moderated_cities))


TEMPLATE_PERMISSIONS = {
    "is_admin": is_admin,
    "can_moderate_city": can_moderate_city,
    "can_edit_neighbourhoods": can_edit_neighbourhoods,
    "can_moderate_user": can_moderate_user,
}
