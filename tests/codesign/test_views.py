"""The pages of co-design processes: who may do what, forms and their messages, registrations
under concurrency, uploads and downloads, closing, hidden content, query counts."""
from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from civic.audit.models import AuditEvent
from civic.codesign import services
from civic.codesign.models import (
    CodesignProcess,
    CodesignStage,
    DocumentVersion,
    Meeting,
    MeetingRegistration,
)
from civic.extensions import db
from tests.codesign.conftest import (
    ADMIN,
    MODERATOR,
    OTHER_MODERATOR,
    RESIDENT,
    SCHEDULES,
    VALID_FILES,
    days,
    pdf_bytes,
    user,
)
from tests.conftest import table_counts
from tests.posts.helpers import english, logged_in_clients, post_at_once


def url(process) -> str:
    return f"/codesign/{process.id}-{process.slug}"


def stage_form(process, when="codesign_table", **overrides) -> dict:
    data = {"title": process.title, "summary": "Il percorso di **co-progettazione** del portierato."}
    for kind, (start, end) in SCHEDULES[when].items():
        data[f"{kind}_starts_on"] = days(start).isoformat()
        if end is not None:
            data[f"{kind}_ends_on"] = days(end).isoformat()
        data[f"{kind}_summary"] = f"Cosa succede: {kind}"
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def as_(client, email: str | None):
    if email:
        client.login(email)
    english(client)
    return client


# --- who may do what ----------------------------------------------------------------------------

ROLES = {"anonymous": None, "resident": RESIDENT, "other_moderator": OTHER_MODERATOR, "moderator": MODERATOR,
         "admin": ADMIN}
EXPECTED = {"anonymous": 302, "resident": 403, "other_moderator": 403, "moderator": 200, "admin": 200}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", ["edit", "meetings/new", "documents/new", "new"])
def test_moderator_pages_by_role(client, process, role, page):
    as_(client, ROLES[role])
    target = "/codesign/new?city=torino&need={need}" if page == "new" else f"/codesign/{process.id}/{page}"
    if page == "new":
        from civic.posts import services as posts
        from civic.posts.services import PostData

        need = posts.create_need(user(RESIDENT), process.city, PostData(
            title="Fontanella rotta in piazza", body="Da mesi.", theme_id=process.idea.theme_id))
        db.session.commit()
        target = target.format(need=need.id)
    response = client.get(target)
    assert response.status_code == EXPECTED[role], (role, page)
    if role == "anonymous":
        assert "/account/login" in response.headers["Location"]
    if role == "other_moderator":
        assert "Only the moderators of Torino" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ROLES)
def test_moderator_actions_by_role(client, planned, meeting, role):
    """Every POST of the moderators, by role: nothing changes for who may not."""
    process = planned("agreement")
    past = meeting(-3)
    document = services.add_document(user(MODERATOR), process, "Convenzione", "agreement",
                                     _storage(pdf_bytes(), "c.pdf"))
    db.session.commit()
    as_(client, ROLES[role])
    before = table_counts()
    posts = [
        (f"/codesign/{process.id}/edit", stage_form(process, "agreement")),
        (f"/codesign/{process.id}/meetings/new", _meeting_form()),
        (f"/codesign/meetings/{past.id}/minutes", {"minutes": "Verbale"}),
        (f"/codesign/{process.id}/documents/new", {"title": "Altro", "role": "other",
                                                   "file": (io.BytesIO(pdf_bytes()), "a.pdf")}),
        (f"/codesign/documents/{document.id}/versions", {f"doc{document.id}-file": (io.BytesIO(pdf_bytes()), "b.pdf")}),
        (f"/codesign/{process.id}/close", {"answer": "Firmata", "next_status": "in_startup", "partners": "Il Ponte"}),
    ]
    for target, data in posts:
        response = client.submit(target, data)
        if role in ("moderator", "admin"):
            assert response.status_code == 302, (target, response.get_data(as_text=True)[:3000])
        else:
            assert response.status_code == EXPECTED[role], (role, target)
            assert table_counts() == before
    if role in ("moderator", "admin"):
        db.session.refresh(process)
        assert process.is_closed


def _meeting_form(**overrides) -> dict:
    start = (services.stages.today() + timedelta(days=10)).isoformat()
    data = {"title": "Primo tavolo di co-progettazione", "starts_at": f"{start}T18:00", "ends_at": f"{start}T20:00",
            "place": "Casa del Quartiere, via Sansovino 1", "online_url": "", "agenda": "1. Presentazioni",
            "capacity": "20"}
    data.update(overrides)
    return data


def _storage(data: bytes, name: str):
    from werkzeug.datastructures import FileStorage

    return FileStorage(stream=io.BytesIO(data), filename=name)


# --- the public page ----------------------------------------------------------------------------

def test_the_public_page_shows_origin_timeline_meetings_and_documents(client, planned, meeting, idea):
    process = planned("codesign_table")
    meeting(48, capacity=5, title="Tavolo sul portierato")
    services.add_document(user(MODERATOR), process, "Avviso pubblico", "other", _storage(pdf_bytes(), "avviso.pdf"))
    db.session.commit()
    english(client)
    page = client.get(url(process)).get_data(as_text=True)
    assert f'href="/ideas/{idea.id}-{idea.slug}"' in page and "Discuss on the idea" in page
    current = re.search(r'<li id="stage-(\w+)"[^>]*aria-current="step"', page)
    assert current and current.group(1) == "codesign_table"
    assert page.count('aria-current="step"') == 1
    assert "Tavolo sul portierato" in page and "5 places left" in page and "Log in to register" in page
    assert "Version 1: avviso.pdf" in page
    assert "Manage the process" not in page
    # Reachable: from the idea's page, the city's page and the list.
    assert url(process) in client.get(f"/ideas/{idea.id}-{idea.slug}").get_data(as_text=True)
    assert url(process) in client.get("/cities/torino").get_data(as_text=True)
    assert url(process) in client.get("/codesign?city=torino").get_data(as_text=True)
    assert url(process) not in client.get("/codesign?city=palermo").get_data(as_text=True)
    assert url(process) not in client.get("/codesign?status=closed").get_data(as_text=True)
    assert client.get("/codesign?city=nowhere").status_code == 404
    assert client.get("/codesign?status=nonsense").status_code == 400
    # A wrong slug redirects; a missing process is a 404.
    assert client.get(f"/codesign/{process.id}-wrong").status_code == 301
    assert client.get("/codesign/999999-x").status_code == 404


def test_the_page_query_count_does_not_grow(client, planned, meeting, count_queries):
    process = planned("codesign_table")
    client.login(RESIDENT)

    def add(n):
        for i in range(n):
            m = meeting(48 + i, capacity=10, title=f"Tavolo numero {i + 1}")
            services.register(user(RESIDENT), m)
            doc = services.add_document(user(MODERATOR), process, f"Documento {i + 1}", "other",
                                        _storage(pdf_bytes(), "d.pdf"))
            services.add_version(user(MODERATOR), doc, _storage(pdf_bytes("v2"), "d.pdf"))
        db.session.commit()

    add(2)
    with count_queries() as few:
        assert client.get(url(process)).status_code == 200
    add(6)
    with count_queries() as many:
        assert client.get(url(process)).status_code == 200
    assert many.count == few.count <= 20, (few.count, many.count)


# --- editing the stages ---------------------------------------------------------------------------

def test_a_moderator_edits_the_stages(client, process):
    as_(client, MODERATOR)
    response = client.submit(f"/codesign/{process.id}/edit", stage_form(process))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    kinds = db.session.scalars(select(CodesignStage.kind).where(CodesignStage.process_id == process.id)
                               .order_by(CodesignStage.starts_on)).all()
    assert kinds == list(SCHEDULES["codesign_table"])
    assert db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id.desc())).first() == "codesign.edit"


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"assessment_ends_on": ""}, "assessment_ends_on", "Assessment (istruttoria): enter the last day."),
    ({"public_notice_ends_on": days(-70).isoformat()}, "public_notice_ends_on", "the last day comes before the first"),
    ({"assessment_starts_on": days(-35).isoformat()}, "assessment_starts_on", "without overlapping"),
    ({"final_project_starts_on": "31/02/2027"}, "final_project_starts_on", "Enter a date as day, month and year"),
    ({"summary": ""}, "summary", "Write a public summary of the process."),
])
def test_bad_stages_are_refused_with_a_message(client, process, overrides, field, message):
    as_(client, MODERATOR)
    before = table_counts()
    response = client.submit(f"/codesign/{process.id}/edit", stage_form(process, **overrides))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = re.search(rf'id="{field}-error"[^>]*>(.*?)</div>', page, re.S)
    assert error and message in error.group(1).replace("&#39;", "'"), page[page.find("form-errors"):][:1500]
    assert table_counts() == before


# --- meetings -----------------------------------------------------------------------------------

def test_a_moderator_schedules_a_meeting_in_italian_time(client, process):
    as_(client, MODERATOR)
    response = client.submit(f"/codesign/{process.id}/meetings/new", _meeting_form(
        starts_at="2027-07-01T18:00", ends_at="2027-07-01T20:30", online_url="https://meet.example.it/tavolo"))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    meeting = db.session.scalars(select(Meeting)).one()
    assert meeting.starts_at.isoformat() == "2027-07-01T16:00:00+00:00"
    assert meeting.capacity == 20 and meeting.online_url == "https://meet.example.it/tavolo"
    page = client.get(url(process)).get_data(as_text=True)
    assert "Primo tavolo di co-progettazione" in page and "Thursday 1 July 2027, 18:00" in page  # Italian time


@pytest.mark.parametrize(("overrides", "field"), [
    ({"place": "", "online_url": ""}, "place"),
    ({"online_url": "javascript:alert(1)"}, "online_url"),
    ({"ends_at": "2020-01-01T10:00", "starts_at": "2020-01-01T12:00"}, "ends_at"),
    ({"starts_at": "domani"}, "starts_at"),
    ({"capacity": "-3"}, "capacity"),
    ({"capacity": "tanti"}, "capacity"),
])
def test_bad_meetings_are_refused(client, process, overrides, field):
    as_(client, MODERATOR)
    before = table_counts()
    response = client.submit(f"/codesign/{process.id}/meetings/new", _meeting_form(**overrides))
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert table_counts() == before


def test_residents_register_and_unregister(client, meeting, process):
    m = meeting(48, capacity=2)
    anonymous = client.application.test_client()
    response = anonymous.post(f"/codesign/meetings/{m.id}/register")
    assert response.status_code in (302, 400)  # no session: the CSRF check or the login
    as_(client, RESIDENT)
    assert client.post(f"/codesign/meetings/{m.id}/register").status_code == 400  # no CSRF token
    assert client.submit(f"/codesign/meetings/{m.id}/register").status_code == 302
    assert "You are registered." in client.get(url(process)).get_data(as_text=True)
    second = client.submit(f"/codesign/meetings/{m.id}/register")
    assert second.status_code == 409 and "already registered" in second.get_data(as_text=True)
    assert client.submit(f"/codesign/meetings/{m.id}/unregister").status_code == 302
    assert client.submit(f"/codesign/meetings/{m.id}/unregister").status_code == 409
    db.session.refresh(m)
    assert m.registration_count == 0


def test_anonymous_posts_go_to_the_login(client, meeting):
    m = meeting(48)
    token = client.csrf_token()
    response = client.post(f"/codesign/meetings/{m.id}/register", data={"csrf_token": token})
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_the_last_places_go_to_one_person_each_under_concurrency(app, client, meeting, make_user):
    m = meeting(48, capacity=3)
    emails = [f"persona{i}@example.it" for i in range(6)]
    for email in emails:
        make_user(email=email)
    clients = logged_in_clients(app, emails)
    # Each person twice at once, and six people for three places.
    requests = [(c, token, f"/codesign/meetings/{m.id}/register", {}) for c, token in clients]
    requests += [(c, token, f"/codesign/meetings/{m.id}/register", {}) for c, token in clients[:2]]
    results = post_at_once(app, requests)
    assert all(r in (302, 409) for r in results), results
    assert results.count(302) == 3, results
    db.session.refresh(m)
    registered = db.session.scalar(select(func.count()).select_from(MeetingRegistration)
                                   .where(MeetingRegistration.meeting_id == m.id))
    assert m.registration_count == registered == 3


def test_minutes_and_attendance(client, meeting, make_user):
    upcoming, past = meeting(24), meeting(-3, title="Tavolo di apertura")
    resident = make_user(email="presente@example.it", name="Paola Presente")
    db.session.add(MeetingRegistration(meeting_id=past.id, user_id=resident.id))
    db.session.commit()
    as_(client, MODERATOR)
    early = client.get(f"/codesign/meetings/{upcoming.id}/minutes")
    assert early.status_code == 409 and "once the meeting has started" in early.get_data(as_text=True)
    assert client.submit(f"/codesign/meetings/{upcoming.id}/minutes", {"minutes": "x"}).status_code == 409
    page = client.get(f"/codesign/meetings/{past.id}/minutes").get_data(as_text=True)
    assert "Paola Presente" in page
    assert client.submit(f"/codesign/meetings/{past.id}/minutes", {"minutes": ""}).status_code == 422
    response = client.submit(f"/codesign/meetings/{past.id}/minutes",
                             {"minutes": "Erano presenti **dodici** persone.", "attended": [str(resident.id)]})
    assert response.status_code == 302
    assert db.session.get(MeetingRegistration, (past.id, resident.id)).attended
    public = client.application.test_client().get(url(past.process)).get_data(as_text=True)
    assert "<strong>dodici</strong>" in public


# --- documents ----------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", sorted(VALID_FILES))
def test_each_accepted_type_uploads_and_downloads(client, process, kind):
    build, name, content_type = VALID_FILES[kind]
    data = build()
    as_(client, MODERATOR)
    response = client.submit(f"/codesign/{process.id}/documents/new",
                             {"title": "Documento di lavoro", "role": "other", "file": (io.BytesIO(data), name)},
                             content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    version = db.session.scalars(select(DocumentVersion)).one()
    assert version.content_type == content_type and version.size == len(data)
    assert version.stored_name != name and version.stored_name.endswith("." + name.rsplit(".", 1)[1].replace("jpeg", "jpg"))
    download = client.application.test_client().get(f"/codesign/documents/versions/{version.id}/download")
    assert download.status_code == 200 and download.data == data
    assert download.headers["Content-Type"].startswith(content_type)
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert version.original_name in download.headers["Content-Disposition"]


@pytest.mark.parametrize(("data", "name"), [
    (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100, "convenzione.pdf"),  # a program renamed
    (b"<html><script>alert(1)</script></html>", "pagina.pdf"),
    (b"PK\x03\x04" + b"\x00" * 40, "finto.docx"),
    (b"", "vuoto.pdf"),
])
def test_other_files_are_refused_with_a_message(client, process, data, name):
    as_(client, MODERATOR)
    before = table_counts()
    response = client.submit(f"/codesign/{process.id}/documents/new",
                             {"title": "Convenzione", "role": "agreement", "file": (io.BytesIO(data), name)},
                             content_type="multipart/form-data")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "This file type is not accepted" in page or "The file is empty." in page
    assert table_counts() == before
    assert not list((process_folder(client)).glob("*"))


def process_folder(client):
    from pathlib import Path

    return Path(client.application.instance_path) / "uploads" / "documents"


def test_a_missing_file_is_refused(client, process):
    as_(client, MODERATOR)
    response = client.submit(f"/codesign/{process.id}/documents/new", {"title": "Convenzione", "role": "agreement"})
    assert response.status_code == 422 and "Choose the file to upload." in response.get_data(as_text=True)


def test_new_versions_keep_the_old_ones(client, process):
    moderator = user(MODERATOR)
    document = services.add_document(moderator, process, "Progetto definitivo", "final_project",
                                     _storage(pdf_bytes("prima"), "progetto.pdf"))
    db.session.commit()
    as_(client, MODERATOR)
    field = f"doc{document.id}-file"
    response = client.submit(f"/codesign/documents/{document.id}/versions",
                             {field: (io.BytesIO(pdf_bytes("seconda")), "progetto v2.pdf")},
                             content_type="multipart/form-data")
    assert response.status_code == 302
    bad = client.submit(f"/codesign/documents/{document.id}/versions",
                        {field: (io.BytesIO(b"MZ fake"), "progetto.pdf")}, content_type="multipart/form-data")
    assert bad.status_code == 422 and "This file type is not accepted" in bad.get_data(as_text=True)
    versions = db.session.scalars(select(DocumentVersion).order_by(DocumentVersion.number)).all()
    assert [v.number for v in versions] == [1, 2]
    page = client.get(url(process)).get_data(as_text=True)
    assert "Version 1: progetto.pdf" in page and "Version 2: progetto v2.pdf" in page
    for version, text in zip(versions, (b"prima", b"seconda"), strict=True):
        download = client.get(f"/codesign/documents/versions/{version.id}/download")
        assert download.status_code == 200 and download.data.endswith(text)
    assert client.application.test_client().get("/codesign/documents/versions/999999/download").status_code == 404


# --- starting and closing -------------------------------------------------------------------------

def test_start_and_close_from_the_page(client, planned, idea):
    process = planned("codesign_table")
    as_(client, MODERATOR)
    page = client.get(url(process)).get_data(as_text=True)
    assert "Start the co-design" in page
    assert client.submit(f"/codesign/{process.id}/start", {"reason": ""}).status_code == 422
    assert client.submit(f"/codesign/{process.id}/start", {"reason": "Si parte"}).status_code == 302
    db.session.refresh(idea)
    assert idea.status == "in_codesign"
    # Closing needs the agreement stage and document: refused with a message before.
    refused = client.submit(f"/codesign/{process.id}/close",
                            {"answer": "Firmata", "next_status": "funded", "partners": "Il Ponte"})
    assert refused.status_code == 422
    assert "agreement (convenzione) stage has begun" in refused.get_data(as_text=True)
    assert client.submit(f"/codesign/{process.id}/edit", stage_form(process, "agreement")).status_code == 302
    services.add_document(user(MODERATOR), process, "Convenzione firmata", "agreement", _storage(pdf_bytes(), "c.pdf"))
    db.session.commit()
    assert "Close the process" in client.get(url(process)).get_data(as_text=True)
    missing = client.submit(f"/codesign/{process.id}/close", {"answer": "Firmata", "next_status": "funded",
                                                            "partners": ""})
    assert missing.status_code == 422 and 'id="partners-error"' in missing.get_data(as_text=True)
    wrong = client.submit(f"/codesign/{process.id}/close", {"answer": "Firmata", "next_status": "completed",
                                                          "partners": "Il Ponte"})
    assert wrong.status_code == 422
    response = client.submit(f"/codesign/{process.id}/close", {
        "answer": "La convenzione è firmata con **due enti**.", "next_status": "funded",
        "partners": "Cooperativa Il Ponte\nAssociazione Vallette Insieme", "version": str(idea.status_version)})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.session.refresh(idea)
    assert idea.status == "funded"
    public = client.application.test_client()
    english(public)
    page = public.get(url(process)).get_data(as_text=True)
    assert "Outcome" in page and "<strong>due enti</strong>" in page and "Associazione Vallette Insieme" in page
    idea_page = public.get(f"/ideas/{idea.id}-{idea.slug}").get_data(as_text=True)
    assert idea_page.count("La convenzione è firmata con") == 2  # start-up support, then funded: one answer each
    # Read-only now.
    for target in (f"/codesign/{process.id}/edit", f"/codesign/{process.id}/meetings/new",
                   f"/codesign/{process.id}/documents/new"):
        assert client.get(target).status_code == 409, target
    assert client.submit(f"/codesign/{process.id}/close", {"answer": "x", "next_status": "funded",
                                                         "partners": "x"}).status_code == 409
    assert client.submit(f"/codesign/{process.id}/edit", stage_form(process, "agreement")).status_code == 409
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.target_kind == "codesign_process")
                                 .order_by(AuditEvent.id)).all()
    assert actions == ["codesign.open", "codesign.edit", "codesign.start", "codesign.edit", "codesign.close"]


def test_opening_from_a_need_through_the_pages(client, people, anna, torino, palermo, new_need, new_call):
    need = new_need(anna, torino, title="Scale senza ascensore alle Vallette")
    as_(client, MODERATOR)
    listing = client.get("/codesign?city=torino").get_data(as_text=True)
    assert "Open a co-design process" in listing and need.title in listing
    form = client.get(f"/codesign/new?city=torino&need={need.id}")
    assert form.status_code == 200 and need.title in form.get_data(as_text=True)
    assert client.get(f"/codesign/new?city=palermo&need={need.id}").status_code == 403
    assert client.get("/codesign/new?city=torino").status_code == 400
    call = new_call()
    assert client.get(f"/codesign/new?city=torino&need={need.id}&call={call.id}").status_code == 400
    assert client.get("/codesign/new?city=torino&need=999999").status_code == 404
    before = table_counts()
    assert client.submit(f"/codesign/new?city=torino&need={need.id}", {"title": "Ciao", "summary": "x"}).status_code == 422
    assert table_counts() == before
    response = client.submit(f"/codesign/new?city=torino&need={need.id}",
                             {"title": "Scale e ascensori: un percorso", "summary": "Con gli enti del quartiere."})
    assert response.status_code == 302
    process = db.session.scalars(select(CodesignProcess)).one()
    assert process.need_id == need.id and response.headers["Location"].endswith(f"/codesign/{process.id}/edit")
    assert client.get(f"/codesign/new?city=torino&call={call.id}").status_code == 200


# --- hidden content -----------------------------------------------------------------------------

def test_the_process_of_a_hidden_idea_is_not_public(client, planned, meeting, idea, make_user):
    from civic.moderation import services as moderation

    process = planned("codesign_table")
    past = meeting(-3)
    document = services.add_document(user(MODERATOR), process, "Avviso", "other", _storage(pdf_bytes(), "a.pdf"))
    db.session.commit()
    version = document.versions[0]
    moderation.hide(user(MODERATOR), idea, "Dati personali")
    db.session.commit()
    urls = [url(process), f"/codesign/{process.id}", f"/codesign/{process.id}-x",
            f"/codesign/documents/versions/{version.id}/download"]
    for email in (None, RESIDENT, OTHER_MODERATOR):
        browser = client.application.test_client()
        if email:
            browser.login(email)
        for target in urls:
            response = browser.get(target)
            assert response.status_code == 404, (email, target)
            assert idea.title not in response.get_data(as_text=True)
            assert "Location" not in response.headers
        for target in ("/codesign", "/codesign?city=torino", "/cities/torino"):
            assert idea.title not in browser.get(target).get_data(as_text=True), (email, target)
        assert browser.get(f"/codesign/meetings/{past.id}/minutes").status_code in (302, 404)
    moderator = client.application.test_client()
    moderator.login(MODERATOR)
    english(moderator)
    page = moderator.get(url(process)).get_data(as_text=True)
    assert "only the moderators of Torino see this page" in page and idea.title in page
