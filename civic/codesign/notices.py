"""What the followers of a co-design process are told: a new meeting, its minutes, a new document or
version, the closing with its outcome. The services call these in their own transaction (the view
commits once); each sentence is written when shown, in the reader's language.

The kind "codesign" is registered as followable by civic/wiring.py; the author of the idea or
need a process starts from follows it from the start (`author_follows`).
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import select

from civic.accounts.models import User
from civic.codesign import participation
from civic.codesign.models import CodesignProcess, Document, DocumentVisibility, Meeting
from civic.extensions import db
from civic.notifications import follows
from civic.notifications.reading import event
from civic.notifications.services import notify

KIND = "codesign"


def _when(n) -> str | None:
    value = n.params.get("starts_at")
    if not value:
        return None
    try:
        starts = datetime.fromisoformat(value)
    except ValueError:
        return None
    return _("When: %(when)s", when=format_datetime(starts, "d MMMM y, HH:mm"))


NOTIFICATION_EVENTS = (
    event("codesign.meeting", lambda n, title: _(
        "New meeting of the co-design process \"%(title)s\": %(meeting)s.", title=title,
        meeting=n.params.get("meeting", "")), detail=_when),
    event("codesign.minutes", lambda n, title: _(
        "The minutes of the meeting \"%(meeting)s\" of the co-design process \"%(title)s\" are published.",
        title=title, meeting=n.params.get("meeting", ""))),
    event("codesign.document", lambda n, title: _(
        "New document in the co-design process \"%(title)s\": %(document)s.", title=title,
        document=n.params.get("document", ""))),
    event("codesign.document_version", lambda n, title: _(
        "New version (%(number)d) of the document \"%(document)s\" in the co-design process \"%(title)s\".",
        title=title, document=n.params.get("document", ""), number=n.params.get("number", 0))),
    event("codesign.closed", lambda n, title: _(
        "The co-design process \"%(title)s\" is closed.", title=title),
        detail=lambda n: _("Outcome: %(outcome)s", outcome=n.params.get("outcome", ""))),
)


def author_follows(process: CodesignProcess) -> None:
    """The author of the idea or need the process started from follows it (a call has no author)."""
    origin = process.idea or process.need
    if origin is not None and origin.author_id is not None:
        author = db.session.get(User, origin.author_id)
        if author is not None:
            follows.follow(author, KIND, process.id, check_visible=False)


def meeting_added(user: User, meeting: Meeting) -> None:
    notify("codesign.meeting", KIND, meeting.process_id, actor=user, meeting=meeting.title,
           starts_at=meeting.starts_at.isoformat())


def minutes_published(user: User, meeting: Meeting, registered_ids: set[int]) -> None:
    """The followers and the people registered to the meeting (each told once)."""
    recipients = follows.follower_ids(KIND, meeting.process_id) | set(registered_ids)
    notify("codesign.minutes", KIND, meeting.process_id, actor=user, recipients=recipients, meeting=meeting.title)


def _document_audience(document: Document) -> set[int] | None:
    """Who may be told of a document: None for all the followers (a public document); for a document
    reserved to the participants, only the followers who can see it (the city's moderators and the
    members of the admitted organisations, civic/codesign/participation.py)."""
    if document.visibility == DocumentVisibility.PUBLIC:
        return None
    followers = follows.follower_ids(KIND, document.process_id)
    if not followers:
        return set()
    process = db.session.get(CodesignProcess, document.process_id)
    people = db.session.scalars(select(User).where(User.id.in_(followers)))
    return {person.id for person in people if participation.sees_participant_documents(person, process)}


def document_added(user: User, document: Document, number: int = 1) -> None:
    audience = _document_audience(document)
    if audience is not None and not audience:
        return
    if number == 1:
        notify("codesign.document", KIND, document.process_id, actor=user, recipients=audience,
               document=document.title)
    else:
        notify("codesign.document_version", KIND, document.process_id, actor=user, recipients=audience,
               document=document.title, number=number)


def process_closed(user: User, process: CodesignProcess, outcome: str) -> None:
    notify("codesign.closed", KIND, process.id, actor=user, outcome=outcome)
