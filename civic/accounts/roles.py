"""Administrators manage who holds which role: resident, moderator of some cities, administrator.

Every change is written to the audit log with the role and cities before and after. A change needs the
administrator's password again (a session left open is not enough to hand out power), no one changes
their own role, and the platform always keeps an administrator.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from werkzeug.security import check_password_hash

from civic.accounts import sessions
from civic.accounts.models import Role, User
from civic.accounts.permissions import is_admin
from civic.audit import services as audit
from civic.core.rules import Forbidden, RuleError
from civic.extensions import db
from civic.territories.models import City

PAGE_SIZE = 50


class RoleError(RuleError):
    pass


@dataclass
class UserPage:
    users: list[User]
    total: int
    page: int
    pages: int


def find_users(query: str = "", role: str | None = None, page: int = 1) -> UserPage:
    """Accounts by name or email (part of either), newest first; deleted accounts are left out."""
    condition = [User.deleted_at.is_(None)]
    words = " ".join((query or "").split()).lower()
    if words:
        pattern = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        condition.append(or_(User.email.like(pattern, escape="\\"), func.lower(User.stored_name).like(pattern, escape="\\")))
    if role:
        condition.append(User.role == role)
    total = db.session.scalar(select(func.count()).select_from(User).where(*condition))
    pages = max(1, -(-total // PAGE_SIZE))
    users = list(db.session.scalars(select(User).where(*condition).order_by(User.id.desc())
                                    .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
    return UserPage(users, total, page, pages)


def _describe(role: str, cities: list[City]) -> str:
    label = Role(role).value
    return f"{label} ({', '.join(c.name for c in cities)})" if cities else label


def set_role(actor: User, person: User, role: str, city_ids: list[int], password: str) -> bool:
    """Give `person` this role (and, for a moderator, these cities). Returns False when nothing changed."""
    if not is_admin(actor):
        raise Forbidden(_l("Only administrators can change roles."))
    if not check_password_hash(actor.password_hash, password or ""):
        raise RoleError(_l("Your password is not correct: enter it to confirm the change."), "password")
    if person.id == actor.id:
        raise Forbidden(_l("You cannot change your own role: ask another administrator."))
    if person.deleted_at is not None or not person.active:
        raise RoleError(_l("This account is closed: its role cannot be changed."))
    if role not in {r.value for r in Role}:
        raise RoleError(_l("Choose a role."), "role")
    cities = list(db.session.scalars(select(City).where(City.id.in_(city_ids or [])).order_by(City.name)))
    if len(cities) != len(set(city_ids or [])):
        raise RoleError(_l("Choose cities from the list."), "cities")
    if role == Role.MODERATOR and not cities:
        raise RoleError(_l("A moderator moderates at least one city: choose it."), "cities")
    if role != Role.MODERATOR:
        cities = []
    before = _describe(person.role, list(person.moderated_cities) if person.role == Role.MODERATOR else [])
    after = _describe(role, cities)
    if before == after:
        return False
    person.role = role
    person.moderated_cities = cities
    if role == Role.RESIDENT:
        # Power taken back ends the sessions that held it.
        sessions.end_all(person)
    audit.record(actor, "user.role", "user", person.id, f"{person.display_name}: {before} → {after}",
                 city_id=cities[0].id if len(cities) == 1 else None)
    db.session.flush()
    return True
