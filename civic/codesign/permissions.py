"""Who may do what in a co-design process: named predicates (civic/core/predicates.py) combined per
action, shared by views, templates (Jinja globals) and services; no route checks a role inline.

Uploading documents is open to more than the municipality: the Third Sector organisations
admitted to a process upload their proposals and drafts. They plug in with `add_document_uploaders`,
called by the app factory (civic/wiring.py) with civic.codesign.participation.admitted_organisation_member:
a predicate (user, process) -> bool asked after the moderators' rule.
"""
from __future__ import annotations

from collections.abc import Callable

from civic.accounts.models import User
from civic.accounts.permissions import can_moderate_city, is_signed_in
from civic.codesign.models import CodesignProcess, Meeting
from civic.core.predicates import predicate

# Extra rules (user, process) -> bool that allow uploading documents; see the module's docstring.
document_uploaders: list[Callable[[User, CodesignProcess], bool]] = []


def add_document_uploaders(*rules: Callable[[User, CodesignProcess], bool]) -> None:
    for rule in rules:
        if rule not in document_uploaders:
            document_uploaders.append(rule)


@predicate
def moderates_process_city(user: User | None, process: CodesignProcess) -> bool:
    return can_moderate_city(user, process.city)


can_manage_process = moderates_process_city.named(
    "can_manage_process", "Stages, meetings, minutes, closing: the moderators of the process's city and the admins.")
can_open_process = can_moderate_city.named("can_open_process")  # asked of the city


def origin_is_hidden(process: CodesignProcess) -> bool:
    """The idea or need the process started from was hidden by the moderators."""
    origin = process.idea or process.need
    return origin is not None and origin.hidden_at is not None


@predicate
def origin_hidden(user: User | None, process: CodesignProcess) -> bool:
    return origin_is_hidden(process)


@predicate
def is_closed(user: User | None, process: CodesignProcess) -> bool:
    return process.is_closed


@predicate
def admitted_as_uploader(user: User | None, process: CodesignProcess) -> bool:
    """An extra rule in `document_uploaders` admits the person (the organisations admitted to the process)."""
    return any(rule(user, process) for rule in document_uploaders)


@predicate
def meeting_process_closed(user: User | None, meeting: Meeting) -> bool:
    return meeting.process.is_closed


can_view_process = (~origin_hidden | can_manage_process).named(
    "can_view_process", "A process whose idea or need is hidden exists only for the moderators of its city: its page "
    "would otherwise tell what the hidden idea was about (its title is the process's).")
can_upload_document = (is_signed_in & ~is_closed & (can_manage_process | admitted_as_uploader)).named(
    "can_upload_document", "New documents and new versions: the city's moderators and the admins, plus whoever an "
    "extra rule in `document_uploaders` admits.")
can_register = (is_signed_in & ~meeting_process_closed).named(
    "can_register", "Any signed-in person may register to a meeting of an open process (capacity and time are "
    "checked by the service, which says why it refuses).")


TEMPLATE_PERMISSIONS = {
    "can_manage_process": can_manage_process,
    "can_upload_document": can_upload_document,
}
