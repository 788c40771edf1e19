"""Who may do what with funded projects: named predicates (civic/core/predicates.py) that the services,
the importer, the views and the templates call alike."""
from __future__ import annotations

from civic.accounts.models import User
from civic.accounts.permissions import can_moderate_city, is_admin, is_moderator, moderates_a_city
from civic.core.predicates import predicate
from civic.territories.models import City


@predicate
def moderates_project_city(user: User | None, project_or_city) -> bool:
    """A moderator of the city (of the project, or the city itself), or an admin."""
    city = project_or_city if isinstance(project_or_city, City) else project_or_city.city
    return can_moderate_city(user, city)


# Publishing, editing, money, milestones, indicators and updates of a project (or of a city's projects).
can_manage = moderates_project_city.named("can_manage")
# The CSV import: administrators, and moderators of at least one city (each row is checked for its city).
can_import_projects = (is_admin | (is_moderator & moderates_a_city)).named("can_import_projects")

TEMPLATE_PERMISSIONS = {
    "can_manage_project": can_manage,
    "can_import_projects": can_import_projects,
}
