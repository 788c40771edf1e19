"""The pages of start-up support plans: permissions matrix, private notes, forms, the fund button."""
from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import select

from civic.extensions import db
from civic.notifications.models import Notification
from civic.startup import services
from civic.startup.models import SupportMilestone, SupportPlan
from tests.conftest import table_counts
from tests.posts.helpers import english
from tests.startup.conftest import ADMIN, CF_B, MODERATOR, OTHER_MODERATOR, pdf_bytes, user

NOTE = "Zqxprivatenote riservata"


@pytest.fixture
def world(with_mentor, mentor_org, make_user, new_org, anna, bruno):
    """A plan with a mentor, a milestone, a private note; Dario is a member of another organisation."""
    plan = with_mentor
    dario = make_user(email="dario@example.it", name="Dario Neri")
    new_org(dario, name="Altro Ente APS", codice_fiscale=CF_B)
    milestone = services.add_milestone(user(MODERATOR), plan, services.MilestoneData(
        "Prototipo", date(2027, 3, 31), "Un prototipo provato"))
    services.add_note(anna, plan, NOTE)
    db.session.commit()
    return {"plan": plan, "milestone": milestone, "team": anna.email, "mentor": mentor_org.email,
            "moderator": MODERATOR, "admin": ADMIN, "other_moderator": OTHER_MODERATOR, "resident": bruno.email,
            "other_org": dario.email}


WORKSPACE = {"team": 200, "mentor": 200, "moderator": 200, "admin": 200, "other_moderator": 404,
             "resident": 404, "other_org": 404}


@pytest.mark.parametrize("who", list(WORKSPACE))
def test_workspace_and_private_notes(client, world, who):
    plan = world["plan"]
    client.login(world[who])
    response = client.get(f"/startup/{plan.id}/workspace")
    assert response.status_code == WORKSPACE[who]
    assert (NOTE in response.get_data(as_text=True)) == (WORKSPACE[who] == 200)
    public = client.get(f"/startup/{plan.id}")
    assert public.status_code == 200 and NOTE not in public.get_data(as_text=True)
    note = client.submit(f"/startup/{plan.id}/notes", {"note-body": "Un'altra nota"})
    assert note.status_code == (302 if WORKSPACE[who] == 200 else 404)


def test_anonymous(client, world):
    plan = world["plan"]
    page = client.get(f"/startup/{plan.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Prototipo" in html and NOTE not in html and "Carla Verdi" in html
    assert client.get(f"/startup/{plan.id}/workspace").status_code == 302
    for url in (f"/startup/{plan.id}/notes", f"/startup/{plan.id}/milestones", f"/startup/{plan.id}/fund",
                f"/startup/milestones/{world['milestone'].id}/approve", f"/startup/{plan.id}/edit"):
        response = client.submit(url, {})
        assert response.status_code == 302 and "/account/login" in response.headers["Location"], url


def test_private_notes_never_in_notifications(client, world, bruno, idea):
    from civic.notifications import follows

    follows.follow(bruno, "idea", idea.id)
    services.add_update(user(world["team"]), world["plan"], "Aggiornamento pubblico")
    db.session.commit()
    client.login(world["resident"])
    page = client.get("/notifications").get_data(as_text=True)
    assert NOTE not in page and "Zqxprivatenote" not in page
    assert all("Zqxprivatenote" not in repr(n.params) for n in db.session.scalars(select(Notification)))


@pytest.mark.parametrize("who,expected", [("moderator", 200), ("admin", 200), ("mentor", 403), ("team", 403),
                                          ("other_moderator", 403), ("other_org", 403)])
def test_edit_is_for_the_city_moderators(client, world, who, expected):
    client.login(world[who])
    assert client.get(f"/startup/{world['plan'].id}/edit").status_code == expected


def test_edit_bad_input_is_422_and_nothing_changes(client, world, make_user):
    plan = world["plan"]
    stranger = make_user(email="nessuno@example.it", name="Nessuno")
    client.login(MODERATOR)
    english(client)
    before = table_counts()
    for data in ({"mentor_email": stranger.email}, {"mentor_email": world["mentor"], "grant_amount": "-10"},
                 {"mentor_email": world["mentor"], "grant_amount": "abc"},
                 {"mentor_email": world["mentor"], "space": "y", "space_place": ""}):
        response = client.submit(f"/startup/{plan.id}/edit", data)
        assert response.status_code == 422, data
        assert "The form could not be saved" in response.get_data(as_text=True)
    assert table_counts() == before
    ok = client.submit(f"/startup/{plan.id}/edit", {"mentor_email": world["mentor"], "training": "y",
                                                    "grant_amount": "20000"})
    assert ok.status_code == 302
    db.session.expire_all()
    assert db.session.get(SupportPlan, plan.id).training


def test_csrf_is_required(client, world):
    client.login(world["team"])
    response = client.post(f"/startup/{world['plan'].id}/notes", data={"note-body": "Senza token"})
    assert response.status_code in (400, 422)
    assert NOTE in client.get(f"/startup/{world['plan'].id}/workspace").get_data(as_text=True)


def test_submit_evidence_and_download(client, world):
    milestone = world["milestone"]
    client.login(world["team"])
    english(client)
    bad = client.submit(f"/startup/milestones/{milestone.id}/submit",
                        {"submit-evidence": "Fatto", "submit-file": (io.BytesIO(b"MZ not a pdf"), "x.pdf")},
                        content_type="multipart/form-data")
    assert bad.status_code == 422 and "This file type is not accepted" in bad.get_data(as_text=True)
    empty = client.submit(f"/startup/milestones/{milestone.id}/submit", {"submit-evidence": ""})
    assert empty.status_code == 422
    ok = client.submit(f"/startup/milestones/{milestone.id}/submit",
                       {"submit-evidence": "Prototipo provato", "submit-file": (io.BytesIO(pdf_bytes()), "r.pdf")},
                       content_type="multipart/form-data")
    assert ok.status_code == 302
    evidence = db.session.get(SupportMilestone, milestone.id).evidence[0]
    url = f"/startup/evidence/{evidence.id}/download"
    download = client.get(url)
    assert download.status_code == 200 and download.headers["Content-Disposition"].startswith("attachment")
    assert download.data.startswith(b"%PDF")
    anonymous = client.application.test_client()
    assert anonymous.get(url).status_code == 404  # not approved yet: team, mentor and moderators only
    # Approved: public, like the plan.
    client.login(world["mentor"])
    assert client.submit(f"/startup/milestones/{milestone.id}/approve", {}).status_code == 302
    assert anonymous.get(url).status_code == 200


def test_gates_and_fund_through_the_pages(client, world):
    plan, milestone = world["plan"], world["milestone"]
    client.login(MODERATOR)
    english(client)
    bad = client.submit(f"/startup/{plan.id}/gates", {"gate-title": "Verifica", "gate-milestones": "99999"})
    assert bad.status_code == 422
    assert client.submit(f"/startup/{plan.id}/gates", {"gate-title": "Verifica finale",
                                                       "gate-milestones": str(milestone.id)}).status_code == 302
    before = table_counts()
    refused = client.submit(f"/startup/{plan.id}/fund", {"fund-reason": "Finanziata"})
    assert refused.status_code == 409
    assert "stage gates not passed" in refused.get_data(as_text=True)
    assert table_counts() == before
    services.submit_milestone(user(world["team"]), milestone, "Fatto")
    db.session.commit()
    assert client.submit(f"/startup/milestones/{milestone.id}/approve", {}).status_code == 302
    gate = db.session.get(SupportPlan, plan.id).gates[0]
    client_other = client.application.test_client()
    client_other.login(OTHER_MODERATOR)
    assert client_other.submit(f"/startup/gates/{gate.id}/approve", {}).status_code == 403
    assert client.submit(f"/startup/gates/{gate.id}/approve", {}).status_code == 302
    assert client.submit(f"/startup/{plan.id}/fund", {"fund-reason": ""}).status_code == 422
    assert client_other.submit(f"/startup/{plan.id}/fund", {"fund-reason": "No"}).status_code == 403
    assert client.submit(f"/startup/{plan.id}/fund", {"fund-reason": "Il progetto è finanziato"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(SupportPlan, plan.id).idea.status == "funded"


def test_lifecycle_fund_from_the_idea_page_is_refused_before_the_last_gate(client, world, idea):
    plan, milestone = world["plan"], world["milestone"]
    services.add_gate(user(MODERATOR), plan, "Verifica", [milestone.id])
    db.session.commit()
    client.login(MODERATOR)
    english(client)
    before = table_counts()
    response = client.submit(f"/ideas/{idea.id}/moves", {"action": "fund", "reason": "Finanziata",
                                                         "version": str(idea.status_version)})
    assert response.status_code == 409
    assert "stage gates not passed" in response.get_data(as_text=True)
    assert table_counts() == before
    with pytest.raises(services.StartupConflict):
        from civic.posts import lifecycle

        lifecycle.perform(user(MODERATOR), idea, "fund", "Finanziata")
    db.session.rollback()
    assert table_counts() == before


def test_updates_are_public_and_notified(client, world, bruno, idea):
    from civic.notifications import follows

    follows.follow(bruno, "idea", idea.id)
    db.session.commit()
    plan = world["plan"]
    client.login(world["mentor"])
    assert client.submit(f"/startup/{plan.id}/updates", {"update-body": "Sportello **aperto**"}).status_code == 302
    assert "<strong>aperto</strong>" in client.application.test_client().get(f"/startup/{plan.id}").get_data(
        as_text=True)
    other = client.application.test_client()
    other.login(world["resident"])
    assert other.submit(f"/startup/{plan.id}/updates", {"update-body": "Io no"}).status_code == 403
    notifications = other.get("/notifications").get_data(as_text=True)
    assert "progress update" in notifications or "aggiornamento" in notifications


def test_hidden_idea_hides_the_plan(client, world, idea):
    from civic.moderation import services as moderation

    moderation.hide(user(MODERATOR), idea, "Dati personali")
    db.session.commit()
    plan = world["plan"]
    assert client.get(f"/startup/{plan.id}").status_code == 404
    client.login(world["team"])
    assert client.get(f"/startup/{plan.id}").status_code == 404
    assert client.get(f"/startup/{plan.id}/workspace").status_code == 404
    moderator = client.application.test_client()
    moderator.login(MODERATOR)
    assert moderator.get(f"/startup/{plan.id}").status_code == 200


def test_idea_page_links_to_the_plan(client, world, idea):
    from civic.posts.views import post_url

    with client.application.test_request_context():
        url = post_url(idea)
    assert f"/startup/{world['plan'].id}" in client.get(url).get_data(as_text=True)


def test_plan_page_query_count_is_bounded(client, world, count_queries):
    plan = world["plan"]
    client.login(MODERATOR)

    def add(n):
        ids = []
        for i in range(n):
            m = services.add_milestone(user(MODERATOR), plan, services.MilestoneData(
                f"Traguardo {i}", date(2027, 4, 1), "Consegna"))
            services.submit_milestone(user(world["team"]), m, "Fatto")
            services.approve_milestone(user(MODERATOR), m)
            ids.append(m.id)
        services.add_gate(user(MODERATOR), plan, f"Verifica {n}", ids)
        services.add_update(user(world["mentor"]), plan, "Aggiornamento")
        db.session.commit()

    add(1)
    with count_queries() as few:
        assert client.get(f"/startup/{plan.id}").status_code == 200
    add(8)
    with count_queries() as many:
        assert client.get(f"/startup/{plan.id}").status_code == 200
    assert many.count == few.count <= 25, (few.count, many.count)
    with count_queries() as workspace:
        assert client.get(f"/startup/{plan.id}/workspace").status_code == 200
    assert workspace.count <= 30
