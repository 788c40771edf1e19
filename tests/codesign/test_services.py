"""Co-design processes through the services: opening by the lifecycle, stages and their dates,
meetings and their places, documents' types, closing through the lifecycle."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from civic.audit.models import AuditEvent
from civic.codesign import files, services, stages
from civic.codesign.models import CodesignProcess, DocumentRole, Meeting, MeetingRegistration, StageKind
from civic.codesign.services import CodesignConflict, CodesignError, CodesignForbidden, StageData
from civic.core.timeutil import utcnow
from civic.extensions import db
from civic.posts import lifecycle
from civic.posts.models import PostEvent
from tests.codesign.conftest import (
    ADMIN,
    MODERATOR,
    OTHER_MODERATOR,
    VALID_FILES,
    days,
    pdf_bytes,
    select_for_codesign,
    user,
)


@pytest.fixture(autouse=True)
def _english_messages(app):
    """The messages checked here are the English ones (outside a request the default is Italian)."""
    with force_locale("en"):
        yield



def _actions(kind: str = "codesign_process") -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.target_kind == kind)
                                   .order_by(AuditEvent.id)))


# --- opening ------------------------------------------------------------------------------------

def test_selecting_an_idea_opens_its_process_once(idea):
    moderator = user(MODERATOR)
    select_for_codesign(moderator, idea)
    process = services.process_for_idea(idea)
    assert process is not None and process.title == idea.title and process.city_id == idea.city_id
    assert process.status == "open" and process.opened_by_id == moderator.id
    assert idea.status == "selected_for_codesign"  # opening does not start the co-design
    # Not selected after all: the process ends with the same public answer, and is no longer running.
    lifecycle.perform(moderator, idea, "reject", "Per ora **no**: manca la sede")
    db.session.commit()
    assert process.status == "closed" and process.closed_by_id == moderator.id
    assert process.outcome_markdown == "Per ora **no**: manca la sede" and "<strong>no</strong>" in process.outcome_html
    assert process not in services.running_in_city(idea.city)
    # Reopened and selected again: the same process, open again.
    lifecycle.perform(moderator, idea, "reopen", "Riesaminiamo")
    lifecycle.perform(moderator, idea, "shortlist", "Sì")
    lifecycle.perform(moderator, idea, "select", "Sì")
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(CodesignProcess)) == 1
    assert process.status == "open" and process.closed_at is None and process.outcome_markdown == ""
    assert _actions() == ["codesign.open", "codesign.close", "codesign.reopen"]


def test_publishing_a_calls_results_opens_the_process_of_each_selected_idea(new_call, anna, new_idea, torino):
    from civic.calls import evaluation

    call = new_call("evaluation")
    chosen = new_idea(anna, torino, title="Un'idea scelta dal bando")
    chosen.call_id = call.id
    db.session.commit()
    moderator = user(MODERATOR)
    for action in ("review", "shortlist"):
        lifecycle.perform(moderator, chosen, action, "Risposta")
    db.session.commit()
    evaluation.publish_results(moderator, call, evaluation.ResultsDecisions(
        ideas={chosen.id: evaluation.IdeaDecision(True, "Scelta per la co-progettazione")}))
    db.session.commit()
    process = services.process_for_idea(chosen)
    assert process is not None and process.title == chosen.title


def test_a_moderator_opens_a_process_for_a_need_or_a_call(people, anna, torino, palermo, new_need, new_call):
    need = new_need(anna, torino)
    moderator = user(MODERATOR)
    process = services.open_process(moderator, torino, services.OpeningData(
        title="Fontanelle: un percorso con gli enti", summary="Con le associazioni del quartiere.", need_id=need.id))
    assert process.need_id == need.id and process.idea_id is None and process.call_id is None
    call = new_call()
    other = services.open_process(moderator, torino, services.OpeningData(
        title="Dal bando alla co-progettazione", summary="Il percorso del bando.", call_id=call.id))
    assert other.call_id == call.id
    with pytest.raises(CodesignError):  # both origins
        services.open_process(moderator, torino, services.OpeningData("Titolo lungo", "x", need.id, call.id))
    with pytest.raises(CodesignError):  # a need of another city
        services.open_process(user(ADMIN), palermo, services.OpeningData("Titolo lungo", "x", need_id=need.id))
    with pytest.raises(CodesignForbidden):
        services.open_process(user(OTHER_MODERATOR), torino, services.OpeningData("Titolo lungo", "x", need.id))


def test_the_database_wants_exactly_one_origin(process):
    from sqlalchemy.exc import IntegrityError

    process.need_id = None
    process.idea_id = None
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


# --- stages -------------------------------------------------------------------------------------

def _data(process, stages_):
    return services.ProcessData(title=process.title, summary="Sintesi pubblica", stages=stages_)


@pytest.mark.parametrize(("stages_", "field", "message"), [
    ([StageData("public_notice", days(1), None)], "public_notice_ends_on", "Public notice (avviso pubblico): enter the last day."),
    ([StageData("assessment", None, days(3))], "assessment_starts_on", "Assessment (istruttoria): enter the first day."),
    ([StageData("public_notice", days(5), days(1))], "public_notice_ends_on", "the last day comes before the first"),
    ([StageData("public_notice", days(1), days(10)), StageData("expressions_of_interest", days(10), days(20))],
     "expressions_of_interest_starts_on", "must start after Public notice (avviso pubblico) ends"),
    # Given in the wrong order: the later stage starts before the earlier ends.
    ([StageData("codesign_table", days(1), days(5)), StageData("assessment", days(3), days(9))],
     "codesign_table_starts_on", "without overlapping"),
    ([StageData("final_project", None, None, "Solo un testo")], "final_project_starts_on", "enter the first day"),
    ([StageData("public_notice", days(1), days(2)), StageData("public_notice", days(3), days(4))], "stages",
     "only once"),
])
def test_stage_dates_are_checked(app, process, stages_, field, message):
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("en"):
        with pytest.raises(CodesignError) as raised:
            services.update_process(user(MODERATOR), process, _data(process, stages_))
        assert raised.value.field == field
        assert message in str(raised.value.message)


def test_the_current_stage_follows_the_dates(planned):
    process = planned("codesign_table")
    assert stages.current_stage(process).kind == StageKind.CODESIGN_TABLE
    states = dict((s.kind, state) for s, state in stages.timeline(process))
    assert states == {"public_notice": "done", "expressions_of_interest": "done", "assessment": "done",
                      "codesign_table": "current", "final_project": "upcoming", "agreement": "upcoming"}
    assert stages.current_stage(process, days(-30)).kind == StageKind.EXPRESSIONS_OF_INTEREST
    assert stages.accepts_expressions_of_interest(process, days(-30))
    assert not stages.accepts_expressions_of_interest(process)
    assert stages.current_stage(process, days(400)).kind == StageKind.AGREEMENT  # the agreement has no end
    # Editing keeps the stages' rows (no duplicates) and can drop one.
    services.update_process(user(MODERATOR), process, _data(process, [
        StageData("public_notice", days(-5), days(5), "Avviso aperto"), StageData("agreement", days(40))]))
    db.session.commit()
    db.session.refresh(process)
    assert [(s.kind, s.summary_html) for s in process.stages] == [
        ("public_notice", "<p>Avviso aperto</p>\n"), ("agreement", "")]


# --- starting the co-design -----------------------------------------------------------------------

def test_the_co_design_starts_with_its_first_stage(planned, idea):
    process = planned("before")
    moderator = user(MODERATOR)
    assert not services.may_start_codesign(process)
    with pytest.raises(CodesignError):
        services.start_codesign(moderator, process, "Si parte")
    db.session.rollback()
    process = planned("codesign_table")
    assert services.may_start_codesign(process)
    with pytest.raises(CodesignForbidden):
        services.start_codesign(user(OTHER_MODERATOR), process, "Si parte")
    services.start_codesign(moderator, process, "L'avviso pubblico è uscito: si parte.")
    db.session.commit()
    assert idea.status == "in_codesign"
    with pytest.raises(CodesignConflict):
        services.start_codesign(moderator, process, "Di nuovo")


# --- meetings -----------------------------------------------------------------------------------

def test_meeting_times_are_italian_and_stored_in_utc(process):
    from datetime import UTC, datetime

    meeting = services.add_meeting(user(MODERATOR), process, services.MeetingData(
        title="Tavolo di luglio", starts_at=datetime(2027, 7, 1, 18, 0), ends_at=datetime(2027, 7, 1, 20, 0),
        online_url="https://meet.example.it/tavolo", agenda="Punti"))
    db.session.commit()
    db.session.refresh(meeting)
    assert meeting.starts_at == datetime(2027, 7, 1, 16, 0, tzinfo=UTC)  # CEST: UTC+2
    winter = services.add_meeting(user(MODERATOR), process, services.MeetingData(
        title="Tavolo di gennaio", starts_at=datetime(2027, 1, 12, 9, 30), ends_at=datetime(2027, 1, 12, 11, 0),
        place="Sala del Consiglio", agenda="Punti"))
    assert winter.starts_at == datetime(2027, 1, 12, 8, 30, tzinfo=UTC)  # CET: UTC+1


@pytest.mark.parametrize(("changes", "field"), [
    ({"place": "", "online_url": ""}, "place"),
    ({"online_url": "javascript:alert(1)"}, "online_url"),
    ({"online_url": "ftp://example.it/x"}, "online_url"),
    ({"ends_at": "start"}, "ends_at"),
    ({"capacity": 0}, "capacity"),
    ({"agenda": "  "}, "agenda"),
    ({"title": "Ciao"}, "title"),
])
def test_meeting_input_is_checked(process, changes, field):
    from datetime import datetime

    values = dict(title="Tavolo di co-progettazione", starts_at=datetime(2027, 7, 1, 18, 0),
                  ends_at=datetime(2027, 7, 1, 20, 0), place="Sala civica", online_url="", agenda="Punti",
                  capacity=None)
    values.update(changes)
    if values["ends_at"] == "start":
        values["ends_at"] = values["starts_at"]
    with pytest.raises(CodesignError) as raised:
        services.add_meeting(user(MODERATOR), process, services.MeetingData(**values))
    assert raised.value.field == field


def test_registrations_are_counted_and_bounded(meeting, make_user):
    m = meeting(48, capacity=2)
    people_ = [make_user() for _ in range(3)]
    services.register(people_[0], m)
    services.register(people_[1], m)
    db.session.commit()
    with pytest.raises(CodesignConflict, match="full"):
        services.register(people_[2], m)
    db.session.rollback()
    with pytest.raises(CodesignConflict, match="already registered"):
        services.register(people_[0], m)
    db.session.rollback()
    services.unregister(people_[0], m)
    services.register(people_[2], m)
    db.session.commit()
    db.session.refresh(m)
    assert m.registration_count == 2 == db.session.scalar(
        select(func.count()).select_from(MeetingRegistration).where(MeetingRegistration.meeting_id == m.id))
    with pytest.raises(CodesignConflict, match="not registered"):
        services.unregister(people_[0], m)


def test_minutes_wait_for_the_meeting_and_record_attendance(meeting, make_user):
    upcoming = meeting(24)
    with pytest.raises(CodesignConflict):
        services.publish_minutes(user(MODERATOR), upcoming, "Verbale", [])
    db.session.rollback()
    past = meeting(-3)
    resident, other = make_user(), make_user()
    db.session.add(MeetingRegistration(meeting_id=past.id, user_id=resident.id))
    db.session.commit()
    with pytest.raises(CodesignError):
        services.publish_minutes(user(MODERATOR), past, "Verbale", [other.id])
    db.session.rollback()
    services.publish_minutes(user(MODERATOR), past, "Presenti in **dodici**.", [resident.id])
    db.session.commit()
    db.session.refresh(past)
    assert past.minutes_published_at is not None and "<strong>dodici</strong>" in past.minutes_html
    assert db.session.get(MeetingRegistration, (past.id, resident.id)).attended
    assert _actions("codesign_meeting")[-1] == "codesign.minutes"
    with pytest.raises(CodesignConflict):  # the meeting started: registrations are closed
        services.register(other, past)


# --- documents ----------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", sorted(VALID_FILES))
def test_accepted_files_are_recognised_from_their_content(kind):
    build, _name, content_type = VALID_FILES[kind]
    found = files.detect(build())
    assert found is not None and found.key == kind and found.content_type == content_type


def _zip(members: dict[str, bytes], first: str | None = None) -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize("data", [
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64,  # a Windows program
    b"<html><script>alert(1)</script></html>",
    b"GIF89a\x01\x00\x01\x00",
    b"PK\x03\x04 not really a zip",
    _zip({"hello.txt": b"ciao"}),
    _zip({"mimetype": b"application/epub+zip", "content.opf": b"x"}),
    _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"x"}),  # no main document declared
    _zip({"[Content_Types].xml": b"wordprocessingml.document.main+xml", "other/x.xml": b"x"}),
    b"%PD",
])
def test_other_files_are_refused(data):
    assert files.detect(data) is None


def test_download_names_are_cleaned(app):
    pdf = files.TYPES["pdf"]
    assert files.clean_name("../../etc/passwd", pdf, "doc") == "passwd.pdf"
    assert files.clean_name("C:\\Users\\x\\Convenzione firmata.exe", pdf, "doc") == "Convenzione firmata.pdf"
    assert files.clean_name('a"b;c\r\n.pdf', pdf, "doc") == "a b c.pdf"
    assert files.clean_name("", pdf, "Avviso") == "Avviso.pdf"
    assert files.clean_name("\u202egnp.pdf", pdf, "doc") == "gnp.pdf"


def test_versions_are_numbered_and_kept(process):
    moderator = user(MODERATOR)
    document = services.add_document(moderator, process, "Progetto definitivo", DocumentRole.FINAL_PROJECT.value,
                                     FileStorage(stream=io.BytesIO(pdf_bytes("v1")), filename="progetto.pdf"))
    services.add_version(moderator, document, FileStorage(stream=io.BytesIO(pdf_bytes("v2")), filename="p2.pdf"))
    db.session.commit()
    db.session.refresh(document)
    assert [v.number for v in document.versions] == [2, 1]
    assert all((files.folder() / v.stored_name).exists() for v in document.versions)
    assert _actions("codesign_document") == ["codesign.document", "codesign.document_version"]
    with pytest.raises(CodesignForbidden):
        services.add_version(user(OTHER_MODERATOR), document,
                             FileStorage(stream=io.BytesIO(pdf_bytes()), filename="x.pdf"))


def test_uploads_open_to_extra_rules(process, make_user):
    """Admitted organisations will plug in through `document_uploaders`."""
    from civic.codesign import permissions

    partner = make_user(email="ets@example.it")
    assert not permissions.can_upload_document(partner, process)
    permissions.document_uploaders.append(lambda u, p: u.email == "ets@example.it")
    try:
        assert permissions.can_upload_document(partner, process)
    finally:
        permissions.document_uploaders.pop()


# --- closing ------------------------------------------------------------------------------------

def _agreement(process):
    services.add_document(user(MODERATOR), process, "Convenzione firmata", DocumentRole.AGREEMENT.value,
                          FileStorage(stream=io.BytesIO(pdf_bytes()), filename="convenzione.pdf"))
    db.session.commit()


def test_closing_needs_the_agreement_stage_and_document(planned):
    process = planned("codesign_table")
    moderator = user(MODERATOR)
    _agreement(process)
    with pytest.raises(CodesignError, match="agreement"):
        services.close_process(moderator, process, "Firmata", "in_startup", "Cooperativa Sociale Il Ponte")
    db.session.rollback()
    process = planned("agreement")
    assert services.may_close(process)


@pytest.mark.parametrize(("next_status", "moves"), [
    ("in_startup", ["start_codesign", "start_support"]),
    ("funded", ["start_codesign", "start_support", "fund"]),
])
def test_closing_moves_the_idea_through_the_lifecycle(planned, idea, next_status, moves):
    process = planned("agreement")
    moderator = user(MODERATOR)
    with pytest.raises(CodesignError, match="agreement"):  # no agreement document yet
        services.close_process(moderator, process, "Firmata", next_status, "Il Ponte")
    db.session.rollback()
    _agreement(process)
    with pytest.raises(CodesignError) as raised:
        services.close_process(moderator, process, "Firmata", next_status, "  \n ")
    assert raised.value.field == "partners"
    db.session.rollback()
    services.close_process(moderator, process, "La convenzione è firmata: si parte a gennaio.", next_status,
                           "Cooperativa Sociale Il Ponte\nAssociazione Vallette Insieme\ncooperativa sociale  il ponte\n")
    db.session.commit()
    db.session.refresh(process)
    assert idea.status == next_status
    assert process.is_closed and process.closed_at is not None and process.closed_by_id == moderator.id
    assert process.partners == ["Cooperativa Sociale Il Ponte", "Associazione Vallette Insieme"]
    events = db.session.scalars(select(PostEvent).where(PostEvent.post_id == idea.id)
                                .order_by(PostEvent.id)).all()
    assert [e.action for e in events][-len(moves):] == moves
    assert all(e.reason_markdown == "La convenzione è firmata: si parte a gennaio." for e in events[-len(moves):])
    assert _actions()[-1] == "codesign.close"
    # A closed process is read-only.
    with pytest.raises(CodesignConflict):
        services.update_process(moderator, process, _data(process, []))
    with pytest.raises(CodesignConflict):
        services.close_process(moderator, process, "Di nuovo", next_status, "X")


def test_closing_from_an_idea_already_in_co_design(planned, idea):
    process = planned("agreement")
    _agreement(process)
    moderator = user(MODERATOR)
    services.start_codesign(moderator, process, "Si parte")
    db.session.commit()
    services.close_process(moderator, process, "Firmata", "in_startup", "Il Ponte")
    db.session.commit()
    assert idea.status == "in_startup"


def test_closing_a_process_opened_for_a_need(people, anna, torino, new_need):
    moderator = user(MODERATOR)
    process = services.open_process(moderator, torino, services.OpeningData(
        title="Fontanelle: un percorso", summary="Con gli enti.", need_id=new_need(anna, torino).id))
    services.update_process(moderator, process, _data(process, [StageData("agreement", days(-1))]))
    _agreement(process)
    services.close_process(moderator, process, "Firmata", "", "Il Ponte")
    db.session.commit()
    assert process.is_closed


def test_a_closed_process_refuses_meetings_registrations_and_documents(planned, meeting, make_user):
    m = meeting(48)
    process = planned("agreement")
    _agreement(process)
    services.close_process(user(MODERATOR), process, "Firmata", "in_startup", "Il Ponte")
    db.session.commit()
    for attempt in (
        lambda: services.add_meeting(user(MODERATOR), process, services.MeetingData("Un altro tavolo", None, None)),
        lambda: services.register(make_user(), m),
        lambda: services.add_document(user(MODERATOR), process, "Altro", "other", None),
        lambda: services.publish_minutes(user(MODERATOR), m, "x", []),
    ):
        with pytest.raises(CodesignConflict):
            attempt()
        db.session.rollback()


def test_lists_leave_out_processes_of_hidden_content(process, idea):
    from civic.moderation import services as moderation

    moderator = user(MODERATOR)
    assert [p.id for p in services.list_processes(None)] == [process.id]
    moderation.hide(moderator, idea, "Dati personali")
    db.session.commit()
    assert services.list_processes(None) == []
    assert services.list_processes(user(OTHER_MODERATOR)) == []
    assert [p.id for p in services.list_processes(moderator)] == [process.id]
    assert [p.id for p in services.list_processes(user(ADMIN))] == [process.id]
    assert services.running_in_city(process.city) == []


def test_meetings_cannot_start_before_they_end(process):
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 0
    now = utcnow()
    db.session.add(Meeting(process_id=process.id, title="x", starts_at=now, ends_at=now - timedelta(hours=1),
                           place="x", agenda_markdown="", agenda_html=""))
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
