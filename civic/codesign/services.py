"""Co-design processes: opening, the stages, meetings and registrations, documents, closing.

Every rule lives here. Services take the acting user explicitly, check, change state and
flush; the view commits once. Refusals are RuleErrors: 422 for what was typed, 403 for who
acts, 409 for when (a closed process, a meeting already started).

How a process moves its idea through the lifecycle (civic/posts/lifecycle.py):
- selecting an idea for co-design (by hand, or when a call publishes its results) opens its
  process, through the receivers of `idea_moved` below (connected by civic/wiring.py); the idea
  stays "selected";
- the idea moves to "in co-design" when the co-design really starts: once the first stage has
  begun, the moderators press "Start the co-design" on the process page with a public answer
  (`start_codesign`); the same move made from the idea's own page is fine too;
- closing the process makes the remaining moves, in the lifecycle's order and each with the
  closing answer: (start the co-design →) start-up support (→ funded).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exc, func, or_, select, update
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.datastructures import FileStorage

from civic.accounts.models import Role, User
from civic.audit import services as audit
from civic.calls.models import Call, CallStatus
from civic.codesign import files, notices, permissions, stages
from civic.codesign.models import (
    CodesignProcess,
    CodesignStage,
    Document,
    DocumentRole,
    DocumentVersion,
    Meeting,
    MeetingRegistration,
    ProcessStatus,
    StageKind,
)
from civic.codesign.participation import admitted_names, check_visibility, record_partners
from civic.core.richtext import render_markdown
from civic.core.rules import Conflict, Forbidden, RuleError
from civic.core.schedule import check_sequence
from civic.core.text import checked_line, checked_text, has_forbidden_characters, normalise_line
from civic.core.timeutil import utcnow
from civic.extensions import db
from civic.posts import lifecycle
from civic.posts.models import Idea, Need, Post, PostEvent
from civic.posts.models import PostStatus as S
from civic.territories.models import City

log = logging.getLogger("civic.codesign")

TITLE_MAX = 200
TEXT_MAX = 20_000
PLACE_MAX = 300
URL_MAX = 500
CAPACITY_MAX = 10_000
PARTNERS_MAX = 30
PARTNER_MAX = 200
# What closing may lead the idea to, and the moves that lead there from "selected for co-design".
NEXT_STATUSES = (S.IN_STARTUP, S.FUNDED)
_PATH = (("start_codesign", S.SELECTED_FOR_CODESIGN), ("start_support", S.IN_CODESIGN), ("fund", S.IN_STARTUP))


class CodesignError(RuleError):
    """What was written breaks a rule (422, shown on the form)."""


class CodesignForbidden(Forbidden):
    pass


class CodesignConflict(Conflict):
    """Not now: the process is closed, the meeting started, the moderator's page is outdated (409)."""


# --- checks shared by every service -------------------------------------------------------------

def _require_manager(user: User | None, process: CodesignProcess) -> None:
    if not permissions.can_manage_process(user, process):
        raise CodesignForbidden(_l("Only the moderators of %(city)s can manage its co-design processes.",
                                   city=process.city.name))


def _require_open(process: CodesignProcess) -> None:
    if process.is_closed:
        raise CodesignConflict(_l("This co-design process is closed: it can no longer be changed."))


def check_can_edit(user: User | None, process: CodesignProcess) -> None:
    _require_manager(user, process)
    _require_open(process)


def _text(value: str | None, field_name: str, missing=None, maximum: int = TEXT_MAX) -> str:
    return checked_text(value, field_name, maximum=maximum, missing=missing, error=CodesignError)


def _line(value: str | None, field_name: str, missing, minimum: int = 3, maximum: int = TITLE_MAX) -> str:
    return checked_line(value, field_name, maximum=maximum, missing=missing, minimum=minimum, error=CodesignError)


def rome_to_utc(value: datetime) -> datetime:
    """A time typed in Italy (no zone) as an aware UTC datetime."""
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Europe/Rome")
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(ZoneInfo("UTC"))


# --- opening ------------------------------------------------------------------------------------

def process_for_idea(idea: Post) -> CodesignProcess | None:
    return db.session.scalar(select(CodesignProcess).where(CodesignProcess.idea_id == idea.id))


def open_for_idea(user: User, idea: Idea) -> CodesignProcess:
    """The process of an idea selected for co-design: created once (a reselected idea keeps its own,
    open again if it ended when the idea was not selected after all)."""
    existing = process_for_idea(idea)
    if existing is not None:
        if existing.is_closed:
            existing.status, existing.closed_at, existing.closed_by_id = ProcessStatus.OPEN, None, None
            existing.outcome_markdown = existing.outcome_html = ""
            audit.record(user, "codesign.reopen", "codesign_process", existing.id, existing.title,
                         city_id=existing.city_id)
        return existing
    process = CodesignProcess(city_id=idea.city_id, idea_id=idea.id, status=ProcessStatus.OPEN,
                              opened_by_id=user.id, opened_at=utcnow(), partners=[])
    process.set_title(idea.title[:TITLE_MAX])
    process.summary_markdown = idea.summary
    process.summary_html = render_markdown(idea.summary)
    db.session.add(process)
    db.session.flush()
    notices.author_follows(process)
    audit.record(user, "codesign.open", "codesign_process", process.id, process.title, city_id=idea.city_id)
    log.info("co-design process opened", extra={"process_id": process.id, "post_id": idea.id})
    return process


# Receivers of civic.core.signals.idea_moved, connected by civic/wiring.py for one status each.

def open_when_selected(status: S, *, user: User, idea: Idea, **_) -> None:
    """Selected for co-design (status SELECTED_FOR_CODESIGN): its process opens."""
    open_for_idea(user, idea)


def open_when_started(status: S, *, user: User, idea: Idea, **_) -> None:
    """In co-design (IN_CODESIGN): ideas selected before co-design processes existed get theirs now."""
    open_for_idea(user, idea)


def close_when_rejected(status: S, *, user: User, idea: Idea, event: PostEvent, **_) -> None:
    """Not selected after all (REJECTED): its open process ends, with the same public answer."""
    process = process_for_idea(idea)
    if process is None or process.is_closed:
        return
    db.session.execute(
        update(CodesignProcess).where(CodesignProcess.id == process.id,
                                      CodesignProcess.status == ProcessStatus.OPEN)
        .values(status=ProcessStatus.CLOSED, closed_at=utcnow(), closed_by_id=user.id,
                outcome_markdown=event.reason_markdown, outcome_html=event.reason_html))
    db.session.expire(process)
    audit.record(user, "codesign.close", "codesign_process", process.id, process.title,
                 reason=event.reason_markdown, city_id=process.city_id)
    notices.process_closed(user, process, event.reason_markdown)


@dataclass
class OpeningData:
    title: str
    summary: str
    need_id: int | None = None
    call_id: int | None = None


def open_process(user: User, city: City, data: OpeningData) -> CodesignProcess:
    """A moderator opens a process directly for a need or a call of the city."""
    if not permissions.can_open_process(user, city):
        raise CodesignForbidden(_l("Only the moderators of %(city)s can manage its co-design processes.",
                                   city=city.name))
    if (data.need_id is None) == (data.call_id is None):
        raise CodesignError(_l("A co-design process starts from one need or one call of the city: choose one."))
    need = call = None
    if data.need_id is not None:
        need = db.session.get(Need, data.need_id)
        if need is None or need.city_id != city.id or need.hidden_at is not None:
            raise CodesignError(_l("Choose a need reported in %(city)s.", city=city.name), "need")
    else:
        call = db.session.get(Call, data.call_id)
        if call is None or call.city_id != city.id or call.status != CallStatus.PUBLISHED:
            raise CodesignError(_l("Choose a published call of %(city)s.", city=city.name), "call")
    title = _line(data.title, "title", _l("Enter a title."), minimum=5)
    summary = _text(data.summary, "summary", _l("Write a public summary of the process."))
    process = CodesignProcess(city_id=city.id, need_id=need.id if need else None, call_id=call.id if call else None,
                              status=ProcessStatus.OPEN, opened_by_id=user.id, opened_at=utcnow(),
                              summary_markdown=summary, summary_html=render_markdown(summary), partners=[])
    process.set_title(title)
    db.session.add(process)
    db.session.flush()
    notices.author_follows(process)
    audit.record(user, "codesign.open", "codesign_process", process.id, process.title, city_id=city.id)
    return process


# --- the process and its stages -----------------------------------------------------------------

@dataclass
class StageData:
    kind: str
    starts_on: date | None = None
    ends_on: date | None = None
    summary: str = ""


@dataclass
class ProcessData:
    title: str
    summary: str
    stages: list[StageData] = field(default_factory=list)


def _checked_stages(items: list[StageData]) -> list[StageData]:
    """The stages given, in their fixed order, each with its dates, none overlapping the next."""
    known = {k.value for k in StageKind}
    if any(s.kind not in known for s in items) or len({s.kind for s in items}) != len(items):
        raise CodesignError(_l("Each stage can appear only once."), "stages")
    present = []
    for item in items:
        summary = _text(item.summary, f"{item.kind}_summary")
        if item.starts_on or item.ends_on or summary:
            present.append(StageData(item.kind, item.starts_on, item.ends_on, summary))
    return check_sequence(present, StageKind, StageKind.AGREEMENT, CodesignError)


def update_process(user: User, process: CodesignProcess, data: ProcessData) -> None:
    check_can_edit(user, process)
    title = _line(data.title, "title", _l("Enter a title."), minimum=5)
    summary = _text(data.summary, "summary", _l("Write a public summary of the process."))
    checked = _checked_stages(data.stages)
    process.set_title(title)
    process.summary_markdown, process.summary_html = summary, render_markdown(summary)
    wanted = {s.kind: s for s in checked}
    for stage in list(process.stages):
        if stage.kind not in wanted:
            process.stages.remove(stage)
    db.session.flush()
    existing = {s.kind: s for s in process.stages}
    for kind, item in wanted.items():
        stage = existing.get(kind)
        if stage is None:
            stage = CodesignStage(kind=kind)
            process.stages.append(stage)
        stage.starts_on, stage.ends_on = item.starts_on, item.ends_on
        stage.summary_markdown = item.summary
        stage.summary_html = render_markdown(item.summary) if item.summary else ""
    db.session.flush()
    db.session.expire(process, ["stages"])
    audit.record(user, "codesign.edit", "codesign_process", process.id, process.title, city_id=process.city_id)


def may_start_codesign(process: CodesignProcess) -> bool:
    """The idea waits in "selected for co-design" and the first stage has begun."""
    if process.is_closed or process.idea is None or process.idea.status != S.SELECTED_FOR_CODESIGN:
        return False
    first = min(process.stages, key=lambda s: s.starts_on, default=None)
    return first is not None and first.starts_on <= stages.today()


def start_codesign(user: User, process: CodesignProcess, answer: str) -> PostEvent:
    """Move the idea to "in co-design" (with the public answer) once the first stage has begun."""
    check_can_edit(user, process)
    if process.idea is None:
        raise CodesignError(_l("This process did not start from an idea: there is no idea to move."))
    if process.idea.status != S.SELECTED_FOR_CODESIGN:
        raise CodesignConflict(_l("The idea is \"%(status)s\": its co-design has already started or it has moved on.",
                                  status=process.idea.status_label))
    if not may_start_codesign(process):
        raise CodesignError(_l("The co-design starts with its first stage: give the stages' dates, and start it "
                               "once the first stage has begun."), "reason")
    event = lifecycle.perform(user, process.idea, "start_codesign", answer)
    audit.record(user, "codesign.start", "codesign_process", process.id, process.title, reason=answer,
                 city_id=process.city_id)
    return event


# --- meetings -----------------------------------------------------------------------------------

@dataclass
class MeetingData:
    title: str
    starts_at: datetime | None
    ends_at: datetime | None
    place: str = ""
    online_url: str = ""
    agenda: str = ""
    capacity: int | None = None


def _checked_url(value: str | None) -> str | None:
    url = (value or "").strip()
    if not url:
        return None
    parts = urlsplit(url)
    if (parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url)
            or has_forbidden_characters(url) or len(url) > URL_MAX):
        raise CodesignError(_l("Enter the full address of the online meeting, starting with https:// or http://."),
                            "online_url")
    return url


def add_meeting(user: User, process: CodesignProcess, data: MeetingData) -> Meeting:
    check_can_edit(user, process)
    title = _line(data.title, "title", _l("Enter a title."), minimum=5)
    if data.starts_at is None:
        raise CodesignError(_l("Enter the day and time the meeting starts."), "starts_at")
    if data.ends_at is None:
        raise CodesignError(_l("Enter the day and time the meeting ends."), "ends_at")
    starts_at, ends_at = rome_to_utc(data.starts_at), rome_to_utc(data.ends_at)
    if ends_at <= starts_at:
        raise CodesignError(_l("The meeting must end after it starts."), "ends_at")
    place = normalise_line(data.place) or None
    if place is not None and (has_forbidden_characters(data.place) or len(place) > PLACE_MAX):
        raise CodesignError(_l("Enter the place in at most %(num)d characters, without special characters.",
                               num=PLACE_MAX), "place")
    online_url = _checked_url(data.online_url)
    if place is None and online_url is None:
        raise CodesignError(_l("Say where the meeting takes place: an address, an online link, or both."), "place")
    agenda = _text(data.agenda, "agenda", _l("Write the agenda of the meeting."))
    if data.capacity is not None and not 1 <= data.capacity <= CAPACITY_MAX:
        raise CodesignError(_l("The places available must be a whole number from 1 to %(num)d, or empty for no "
                               "limit.", num=CAPACITY_MAX), "capacity")
    meeting = Meeting(process_id=process.id, title=title, starts_at=starts_at, ends_at=ends_at, place=place,
                      online_url=online_url, agenda_markdown=agenda, agenda_html=render_markdown(agenda),
                      capacity=data.capacity, registration_count=0, created_by_id=user.id)
    db.session.add(meeting)
    db.session.flush()
    audit.record(user, "codesign.meeting", "codesign_meeting", meeting.id, f"{process.title}: {title}",
                 city_id=process.city_id)
    notices.meeting_added(user, meeting)
    return meeting


def is_registered(user: User | None, meeting: Meeting) -> bool:
    return bool(registered_meeting_ids(user, [meeting]))


def registered_meeting_ids(user: User | None, meetings: list[Meeting]) -> set[int]:
    """The meetings of the list the user registered to, in one query."""
    if user is None or not getattr(user, "is_authenticated", False) or not meetings:
        return set()
    return set(db.session.scalars(select(MeetingRegistration.meeting_id).where(
        MeetingRegistration.user_id == user.id, MeetingRegistration.meeting_id.in_([m.id for m in meetings]))))


def register(user: User, meeting: Meeting) -> None:
    """Register to a meeting: once per person, within its places, before it starts.

    The place is taken by one conditional UPDATE (count below capacity): of two people asking
    for the last place at once, one gets it, whatever the backend.
    """
    if not permissions.can_register(user, meeting):
        raise CodesignConflict(_l("This co-design process is closed: it can no longer be changed."))
    if meeting.starts_at <= utcnow():
        raise CodesignConflict(_l("This meeting has already started: registrations are closed."))
    if is_registered(user, meeting):
        raise CodesignConflict(_l("You are already registered to this meeting."))
    # The same person twice at once: the primary key refuses the second (the view rolls back).
    db.session.add(MeetingRegistration(meeting_id=meeting.id, user_id=user.id, attended=False))
    try:
        db.session.flush()
    except exc.IntegrityError:
        raise CodesignConflict(_l("You are already registered to this meeting.")) from None
    taken = db.session.execute(
        update(Meeting)
        .where(Meeting.id == meeting.id,
               or_(Meeting.capacity.is_(None), Meeting.registration_count < Meeting.capacity))
        .values(registration_count=Meeting.registration_count + 1).returning(Meeting.id)
    ).first()
    if taken is None:
        raise CodesignConflict(_l("This meeting is full: no places are left."))
    db.session.expire(meeting, ["registration_count"])


def unregister(user: User, meeting: Meeting) -> None:
    if meeting.process.is_closed:
        raise CodesignConflict(_l("This co-design process is closed: it can no longer be changed."))
    if meeting.starts_at <= utcnow():
        raise CodesignConflict(_l("This meeting has already started: registrations can no longer change."))
    removed = db.session.execute(
        delete(MeetingRegistration).where(MeetingRegistration.meeting_id == meeting.id,
                                          MeetingRegistration.user_id == user.id)
        .returning(MeetingRegistration.user_id)
    ).first()
    if removed is None:
        raise CodesignConflict(_l("You are not registered to this meeting."))
    db.session.execute(update(Meeting).where(Meeting.id == meeting.id)
                       .values(registration_count=Meeting.registration_count - 1))
    db.session.expire(meeting, ["registration_count"])


def registrations(meeting: Meeting) -> list[MeetingRegistration]:
    return list(db.session.scalars(
        select(MeetingRegistration).where(MeetingRegistration.meeting_id == meeting.id)
        .options(joinedload(MeetingRegistration.user)).order_by(MeetingRegistration.created_at)))


def check_minutes_allowed(user: User | None, meeting: Meeting) -> None:
    check_can_edit(user, meeting.process)
    if meeting.starts_at > utcnow():
        raise CodesignConflict(_l("The minutes can be published once the meeting has started."))


def publish_minutes(user: User, meeting: Meeting, minutes: str, attended_user_ids: list[int]) -> None:
    """Publish (or correct) the minutes, and record who of the registered people attended."""
    check_minutes_allowed(user, meeting)
    text = _text(minutes, "minutes", _l("Write the minutes of the meeting."))
    rows = registrations(meeting)
    registered = {r.user_id for r in rows}
    chosen = set(attended_user_ids)
    if not chosen <= registered:
        raise CodesignError(_l("Only people registered to the meeting can be marked as present."), "attended")
    for row in rows:
        row.attended = row.user_id in chosen
    first = meeting.minutes_published_at is None
    meeting.minutes_markdown, meeting.minutes_html = text, render_markdown(text)
    if first:
        meeting.minutes_published_at = utcnow()
    db.session.flush()
    audit.record(user, "codesign.minutes" if first else "codesign.minutes_edit", "codesign_meeting", meeting.id,
                 f"{meeting.process.title}: {meeting.title} ({len(chosen)} present)", city_id=meeting.process.city_id)
    if first:  # corrections are not news
        notices.minutes_published(user, meeting, registered)


# --- documents ----------------------------------------------------------------------------------

def _require_uploader(user: User | None, process: CodesignProcess) -> None:
    _require_open(process)
    if not permissions.can_upload_document(user, process):
        raise CodesignForbidden(_l("Only the moderators of %(city)s can upload the documents of its co-design "
                                   "processes.", city=process.city.name))


def _new_version(user: User, document: Document, number: int, file: FileStorage | None) -> DocumentVersion:
    stored = files.store(file, document.title)
    version = DocumentVersion(document=document, number=number, stored_name=stored.stored_name,
                              original_name=stored.original_name, file_type=stored.file_type.key,
                              content_type=stored.file_type.content_type, size=stored.size,
                              uploaded_by_id=user.id)
    db.session.add(version)
    try:
        db.session.flush()
    except exc.IntegrityError:
        files.discard(stored.stored_name)
        raise
    return version


def add_document(user: User, process: CodesignProcess, title: str, role: str,
                 file: FileStorage | None, visibility: str = "public") -> Document:
    """`visibility`: "public", or "participants" (the commission and the admitted organisations, participation.py)."""
    _require_uploader(user, process)
    title = _line(title, "title", _l("Enter the document's title."))
    if role not in {r.value for r in DocumentRole}:
        raise CodesignError(_l("Choose what the document is."), "role")
    visibility = check_visibility(visibility)
    document = Document(process_id=process.id, title=title, role=role, visibility=visibility,
                        created_by_id=user.id)
    db.session.add(document)
    db.session.flush()
    _new_version(user, document, 1, file)
    audit.record(user, "codesign.document", "codesign_document", document.id, f"{process.title}: {title}",
                 city_id=process.city_id)
    notices.document_added(user, document)
    return document


def add_version(user: User, document: Document, file: FileStorage | None) -> DocumentVersion:
    """A new version; the earlier ones stay listed and downloadable. Two uploads at once get
    different numbers or one is refused (unique document and number)."""
    process = document.process
    _require_uploader(user, process)
    number = (db.session.scalar(select(func.max(DocumentVersion.number))
                                .where(DocumentVersion.document_id == document.id)) or 0) + 1
    try:
        version = _new_version(user, document, number, file)
    except exc.IntegrityError:
        raise CodesignConflict(_l("Someone uploaded another version at the same moment. Reload the page and try "
                                  "again.")) from None
    audit.record(user, "codesign.document_version", "codesign_document", document.id,
                 f"{process.title}: {document.title} v{number}", city_id=process.city_id)
    notices.document_added(user, document, number)
    return version


def has_agreement_document(process: CodesignProcess) -> bool:
    return db.session.scalar(select(func.count()).select_from(Document).where(
        Document.process_id == process.id, Document.role == DocumentRole.AGREEMENT.value)) > 0


# --- closing ------------------------------------------------------------------------------------

def parse_partners(text: str | None, required: bool = True) -> list[str]:
    """The partners' names, one per line; optional (`required=False`) when organisations registered here
    were admitted to the process: they are recorded as partners on their own (participation.py)."""
    partners = []
    for line in (text or "").replace("\r\n", "\n").split("\n"):
        if has_forbidden_characters(line.replace("\t", " ")):
            raise CodesignError(_l("This field contains characters that are not allowed."), "partners")
        name = normalise_line(line)
        if not name:
            continue
        if len(name) > PARTNER_MAX:
            raise CodesignError(_l("A partner's name can have at most %(num)d characters.", num=PARTNER_MAX),
                                "partners")
        if name.casefold() not in {p.casefold() for p in partners}:
            partners.append(name)
    if not partners and required:
        raise CodesignError(_l("Name the partners who signed the agreement, one per line."), "partners")
    if len(partners) > PARTNERS_MAX:
        raise CodesignError(_l("Name at most %(num)d partners.", num=PARTNERS_MAX), "partners")
    return partners


def may_close(process: CodesignProcess) -> bool:
    return (not process.is_closed and stages.has_reached(process, StageKind.AGREEMENT)
            and has_agreement_document(process))


def _moves_to(idea: Idea, target: S) -> list[str]:
    """The lifecycle moves, in order, that bring the idea from where it is to `target`."""
    actions = []
    reached = False
    for action, source in _PATH:
        if idea.status == source:
            reached = True
        if reached:
            actions.append(action)
            if lifecycle.MOVES_BY_ACTION[action].target == target:
                return actions
    return []


def close_process(user: User, process: CodesignProcess, answer: str, next_status: str, partners_text: str,
                  expected_version: int | None = None) -> None:
    """Close with a public answer and the partners, moving the idea (if any) to its next status."""
    check_can_edit(user, process)
    if not stages.has_reached(process, StageKind.AGREEMENT):
        raise CodesignError(_l("A process can be closed once its agreement (convenzione) stage has begun."))
    if not has_agreement_document(process):
        raise CodesignError(_l("Upload the signed agreement (convenzione) among the documents before closing."))
    text = _text(answer, "answer", _l("Write the public answer: it explains the outcome to everyone."),
                 lifecycle.REASON_MAX)
    registered = admitted_names(process)  # recorded as partners by record_partners below
    partners = [p for p in parse_partners(partners_text, required=not registered) if p.casefold() not in registered]
    idea = process.idea
    if idea is not None:
        if next_status not in {s.value for s in NEXT_STATUSES}:
            raise CodesignError(_l("Choose what happens to the idea next."), "next_status")
        if expected_version is not None and expected_version != idea.status_version:
            raise CodesignConflict(_l("The idea changed while you were looking at it. Reload the page and try again."))
        actions = _moves_to(idea, S(next_status))
        if not actions:
            raise CodesignError(_l("The idea is \"%(status)s\": it cannot move to \"%(next)s\" from there.",
                                   status=idea.status_label, next=S(next_status).label), "next_status")
        for action in actions:
            lifecycle.perform(user, idea, action, text)
    closed = db.session.execute(
        update(CodesignProcess).where(CodesignProcess.id == process.id,
                                      CodesignProcess.status == ProcessStatus.OPEN)
        .values(status=ProcessStatus.CLOSED, closed_at=utcnow(), closed_by_id=user.id,
                outcome_markdown=text, outcome_html=render_markdown(text), partners=partners)
        .returning(CodesignProcess.id)).first()
    if closed is None:
        raise CodesignConflict(_l("This co-design process is closed: it can no longer be changed."))
    db.session.expire(process)
    record_partners(process)  # the admitted organisations, besides the names written above
    audit.record(user, "codesign.close", "codesign_process", process.id, f"{process.title}: {', '.join(partners)}",
                 reason=text, city_id=process.city_id)
    notices.process_closed(user, process, text)


# --- lists --------------------------------------------------------------------------------------

def _visible(query, user: User | None):
    """Processes whose idea or need is hidden are left out, except for those who moderate their city."""
    hidden_origin = (
        select(Post.id).where(Post.hidden_at.is_not(None),
                              or_(Post.id == CodesignProcess.idea_id, Post.id == CodesignProcess.need_id))
        .correlate(CodesignProcess).exists())
    if user is not None and getattr(user, "is_authenticated", False):
        if user.role == Role.ADMIN:
            return query
        if user.role == Role.MODERATOR:
            city_ids = [c.id for c in user.moderated_cities]
            return query.where(or_(~hidden_origin, CodesignProcess.city_id.in_(city_ids)))
    return query.where(~hidden_origin)


def list_processes(user: User | None, city: City | None = None, status: str | None = None,
                   limit: int = 50, offset: int = 0) -> list[CodesignProcess]:
    query = select(CodesignProcess).options(joinedload(CodesignProcess.city), selectinload(CodesignProcess.stages))
    if city is not None:
        query = query.where(CodesignProcess.city_id == city.id)
    if status in {s.value for s in ProcessStatus}:
        query = query.where(CodesignProcess.status == status)
    query = _visible(query, user).order_by(CodesignProcess.opened_at.desc(), CodesignProcess.id.desc())
    return list(db.session.scalars(query.limit(limit).offset(offset)).unique())


def running_in_city(city: City, limit: int = 5) -> list[CodesignProcess]:
    """Open processes of the city the public may see (for the city page)."""
    return list_processes(None, city, ProcessStatus.OPEN, limit=limit)
