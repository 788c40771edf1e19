"""Who may do what in a co-design process. Plain functions shared by views, templates (Jinja
globals) and services; no route checks a role inline.

Uploading documents is open to more than the municipality: the Third Sector organisations
admitted to a process upload their proposals and drafts. They plug in with `add_document_uploaders`,
called by the app factory (civic/wiring.py) with civic.codesign.participation.admitted_organisation_member:
a predicate (user, process) -> bool asked after the moderators' rule.
"""
from __future__ import annotations

from collections.abc import Callable

from civic.accounts.models import User
from civic.accounts.permissions import can_moderate_city
from civic.codesign.models import CodesignProcess, Meeting

# Extra rules (user, process) -> bool that allow uploading documents; see the module's docstring.
document_uploaders: list[Callable[[User, CodesignProcess], bool]] = []


def add_document_uploaders(*rules: Callable[[User, CodesignProcess], bool]) -> None:
    for rule in rules:
        if rule not in document_uploaders:
            document_uploaders.append(rule)


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def can_manage_process(user: User | None, process: CodesignProcess) -> bool:
    """Stages, meetings, minutes, closing: the moderators of the process's city and the admins."""
    return can_moderate_city(user, process.city)


def can_open_process(user: User | None, city) -> bool:
    return can_moderate_city(user, city)


def origin_is_hidden(process: CodesignProcess) -> bool:
    """The idea or need the process started from was hidden by the moderators."""
    origin = process.idea or process.need
    return origin is not None and origin.hidden_at is not None


def can_view_process(user: User | None, process: CodesignProcess) -> bool:
    """A process whose idea or need is hidden exists only for the moderators of its city: its page
    would otherwise tell what the hidden idea was about (its title is the process's)."""
    return not origin_is_hidden(process) or can_manage_process(user, process)


def can_upload_document(user: User | None, process: CodesignProcess) -> bool:
    """New documents and new versions: the city's moderators and the admins, plus whoever an
    extra rule in `document_uploaders` admits (the organisations admitted to the process)."""
    if not _signed_in(user) or process.is_closed:
        return False
    if can_manage_process(user, process):
        return True
    return any(rule(user, process) for rule in document_uploaders)


def can_register(user: User | None, meeting: Meeting) -> bool:
    """Any signed-in person may register to a meeting of an open process (capacity and time are
    checked by the service, which says why it refuses)."""
    return _signed_in(user) and not meeting.process.is_closed


TEMPLATE_PERMISSIONS = {
    "can_manage_process": can_manage_process,
    "can_upload_document": can_upload_document,
}
