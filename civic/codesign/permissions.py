"""Who may do what in a co-design process. Plain functions shared by views, templates (Jinja
globals) and services; no route checks a role inline.

Uploading documents is open to more than the municipality: the Third Sector organisations
admitted to a process will upload their proposals and drafts. They plug in with
`document_uploaders`: a predicate registered there is asked after the moderators' rule, e.g.

    from civic.codesign.permissions import document_uploaders

    @document_uploaders.append
    def admitted_organisation_member(user, process) -> bool:
        return is_member_of_an_admitted_organisation(user, process)
"""
from __future__ import annotations

from collections.abc import Callable

from civic.accounts.models import User
from civic.accounts.permissions import can_moderate_city
from civic.codesign.models import CodesignProcess, Meeting

# Extra rules (user, process) -> bool that allow uploading documents; see the module's docstring.
document_uploaders: list[Callable[[User, CodesignProcess], bool]] = []


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
