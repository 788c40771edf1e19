"""Who may do what with calls for ideas: named predicates (civic/core/predicates.py) that the services,
the views and the templates call alike."""
from __future__ import annotations

from civic.accounts.models import User
from civic.accounts.permissions import can_moderate_city
from civic.calls.models import Call
from civic.core.predicates import predicate


@predicate
def moderates_call_city(user: User | None, call: Call) -> bool:
    """A moderator of the call's city, or an admin."""
    return can_moderate_city(user, call.city)


@predicate
def is_published(user: User | None, call: Call) -> bool:
    return not call.is_draft


# Creating a call in a city (asked of the city), listing its drafts.
can_manage_calls = can_moderate_city.named("can_manage_calls")
# Editing, publishing, evaluating and publishing the results of a call.
can_manage_call = moderates_call_city.named("can_manage_call")
can_evaluate = moderates_call_city.named("can_evaluate")
# A draft exists only for the moderators of its city.
can_see_call = (is_published | moderates_call_city).named("can_see_call")

TEMPLATE_PERMISSIONS = {
    "can_manage_calls": can_manage_calls,
    "can_manage_call": can_manage_call,
}
