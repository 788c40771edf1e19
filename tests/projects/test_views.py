"""The pages of funded projects: permissions, forms refused with their message and the database
unchanged, the public page (timeline, progress, money), the list, query counts, a hidden origin,
and simultaneous payments."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from civic.extensions import db
from civic.moderation import services as moderation
from civic.projects import services
from civic.projects.models import FundedProject, Payment
from tests.conftest import table_counts
from tests.posts.helpers import english, logged_in_clients, post_at_once
from tests.projects.conftest import MODERATOR, OTHER_MODERATOR, money, project_data, user
from tests.projects.test_services import fund

MONEY = {"c-made_on": "2024-03-01", "c-amount": "1.234,56", "c-description": "Convenzione"}


def url(project) -> str:
    return f"/projects/{project.id}-{project.display_slug}"


@pytest.mark.parametrize("who, status", [(None, 302), ("anna@example.it", 403), (OTHER_MODERATOR, 403)])
def test_only_the_city_moderators_post(client, project, anna, who, status):
    if who:
        client.login(who)
    before = table_counts()
    for path, data in ((f"/projects/{project.id}/commitments", MONEY), (f"/projects/{project.id}/edit", {}),
                       (f"/projects/{project.id}/updates", {"u-body": "Novità"}),
                       (f"/projects/{project.id}/payments", {}), (f"/projects/{project.id}/milestones", {}),
                       (f"/projects/{project.id}/indicators", {}), ("/projects/new?city=torino", {})):
        response = client.submit(path, data)
        assert response.status_code == status, path
        if status == 302:
            assert "/account/login" in response.headers["Location"]
    assert table_counts() == before


def test_a_moderator_records_money_and_sees_it(client, project):
    client.login(MODERATOR)
    response = client.submit(f"/projects/{project.id}/commitments", MONEY)
    assert response.status_code == 302
    response = client.submit(f"/projects/{project.id}/payments",
                             {"p-made_on": "2024-04-01", "p-amount": "1,000.00", "p-description": "Primo SAL"})
    assert response.status_code == 302
    db.session.refresh(project)
    assert (project.committed_total, project.paid_total) == (Decimal("1234.56"), Decimal("1000.00"))
    english(client)
    page = client.get(url(project)).get_data(as_text=True)
    assert "Primo SAL" in page and "Convenzione" in page and "<svg" in page
    assert 'class="table table-sm project-money"' in page


@pytest.mark.parametrize("data, message", [
    ({**MONEY, "c-amount": "200.000,00"}, "would exceed the public funding"),
    ({**MONEY, "c-amount": "0"}, "greater than zero"),
    ({**MONEY, "c-amount": "-3"}, "without a sign"),
    ({**MONEY, "c-amount": "10,555"}, "ambiguous"),
    ({**MONEY, "c-amount": "10,5555"}, "at most two decimals"),
    ({**MONEY, "c-amount": ""}, "Enter an amount in euro."),
    ({**MONEY, "c-made_on": ""}, "Enter a date as day, month and year"),
    ({**MONEY, "c-amount": "200.000,00", "c-exception": "y"}, "Explain why this exception"),
])
def test_bad_money_is_refused_and_changes_nothing(client, project, data, message):
    client.login(MODERATOR)
    english(client)
    before = table_counts()
    response = client.submit(f"/projects/{project.id}/commitments", data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert table_counts() == before
    db.session.refresh(project)
    assert project.committed_total == 0


def test_create_and_edit_with_cup_rules(client, people, torino):
    client.login(MODERATOR)
    english(client)
    form = {"title": "L'essenziale è casa", "summary": "Accompagnamento all'abitare.", "status": "in_progress",
            "cup": "D11B16000230007", "funding_total": "1.879.999,99", "eu_share": "0", "starts_on": "2024-01-01"}
    response = client.submit("/projects/new?city=torino", form)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    made = db.session.scalars(select(FundedProject)).one()
    assert made.funding_total == Decimal("1879999.99")
    before = table_counts()
    response = client.submit("/projects/new?city=torino", form)
    assert response.status_code == 409
    assert "The CUP D11B16000230007 is already used by another project." in response.get_data(as_text=True)
    response = client.submit("/projects/new?city=torino", {**form, "cup": "D11B1600023000Z"})
    assert response.status_code == 422 and "This CUP is not valid" in response.get_data(as_text=True)
    assert table_counts() == before
    response = client.submit(f"/projects/{made.id}/edit", {**form, "status": "completed", "ended_on": "2026-01-31"})
    assert response.status_code == 302
    db.session.refresh(made)
    assert made.status == "completed"
    assert "Completed" in client.get(url(made)).get_data(as_text=True)


def test_milestones_progress_bar_and_indicators(client, project):
    client.login(MODERATOR)
    for title, weight in (("Avvio", "40"), ("Conclusione", "60")):
        assert client.submit(f"/projects/{project.id}/milestones",
                             {"m-title": title, "m-due_on": "2025-01-01", "m-weight": weight}).status_code == 302
    response = client.submit(f"/projects/{project.id}/milestones",
                             {"m-title": "Troppo", "m-due_on": "2025-01-01", "m-weight": "1"})
    assert response.status_code == 422
    first = project.milestones[0]
    assert client.submit(f"/projects/milestones/{first.id}/complete").status_code == 302
    assert client.submit(f"/projects/{project.id}/indicators",
                         {"i-code": "CO40", "i-name": "Alloggi recuperati", "i-unit": "alloggi", "i-target": "32",
                          "i-achieved": "8"}).status_code == 302
    page = client.get(url(project)).get_data(as_text=True)
    assert 'role="progressbar"' in page and 'aria-valuenow="40"' in page
    assert "Alloggi recuperati" in page and '<progress max="100" value="25"' in page


def test_pages_show_for_everyone_with_a_bounded_query_count(client, people, torino, count_queries):
    mod = user(MODERATOR)
    made = []
    for n in range(3):
        p = services.create_project(mod, torino, project_data(title=f"Progetto numero {n}"))
        db.session.flush()
        services.add_commitment(mod, p, money("100"))
        services.add_payment(mod, p, money("50"))
        services.add_milestone(mod, p, "Avvio", date(2025, 1, 1), 100)
        services.post_update(mod, p, "Aggiornamento")
        made.append(p)
    db.session.commit()
    client.get("/projects")
    with count_queries() as few:
        assert client.get("/projects").status_code == 200
    for p in made[:2]:
        services.add_commitment(mod, p, money("10"))
        services.save_indicator(mod, p, services.IndicatorData(code=f"X{p.id}", name="Persone", unit="persone",
                                                               target="10"))
    for n in range(5):
        services.create_project(mod, torino, project_data(title=f"Altro progetto {n}"))
    db.session.commit()
    with count_queries() as many:
        page = client.get("/projects?city=torino").get_data(as_text=True)
    assert many.count <= few.count + 2  # the city filter, at most
    assert "Altro progetto 4" in page
    with count_queries() as one:
        client.get(url(made[2]))
    with count_queries() as other:
        client.get(url(made[0]))
    assert other.count == one.count <= 25
    assert client.get(f"/projects/{made[0].id}").status_code == 301
    assert client.get("/projects?status=nonsense").status_code == 400


def test_a_hidden_idea_leaves_its_project_public_without_its_text(client, people, anna, torino, new_idea):
    mod = user(MODERATOR)
    idea = new_idea(anna, torino, title="Zqxsegreto del quartiere", summary="Zqxsommario nascosto e lungo")
    fund(mod, idea)
    made = services.project_for_idea(idea)
    services.update_project(mod, made, project_data(title="Portierato sociale di Aurora"))
    db.session.commit()
    page = client.get(url(made)).get_data(as_text=True)
    assert "Zqxsegreto" in page  # the timeline links the idea while it is visible
    moderation.hide(mod, idea, "Dati personali")
    db.session.commit()
    english(client)
    response = client.get(url(made))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "The original idea is not available." in page
    assert "Zqxsegreto" not in page and "Portierato sociale di Aurora" in page


def test_simultaneous_payments_cannot_both_pass(app, client, project):
    mod = user(MODERATOR)
    services.add_commitment(mod, project, money("1000"))
    db.session.commit()
    clients = logged_in_clients(app, [MODERATOR, MODERATOR, MODERATOR])
    data = {"p-made_on": "2024-05-01", "p-amount": "600"}
    results = post_at_once(app, [(c, token, f"/projects/{project.id}/payments", data) for c, token in clients])
    assert sorted(results) == [302, 422, 422], results
    db.session.refresh(project)
    assert project.paid_total == Decimal("600.00")
    assert db.session.scalars(select(Payment)).one().amount == Decimal("600.00")


def test_the_idea_page_links_its_project(client, people, anna, torino, new_idea):
    idea = new_idea(anna, torino, title="Portierato sociale alle Vallette")
    fund(user(MODERATOR), idea)
    made = services.project_for_idea(idea)

    from civic.posts.views import post_url

    with client.application.test_request_context():
        address = post_url(idea)
    page = client.get(address, follow_redirects=True).get_data(as_text=True)
    assert url(made) in page


def test_updates_with_a_photo_and_the_followers_read_them(client, project, bruno):
    import io

    from tests.codesign.conftest import png_bytes

    client.login("bruno@example.it")
    assert client.get(url(project)).get_data(as_text=True).count(f'action="/follow/project/{project.id}"') == 1
    assert client.submit(f"/follow/project/{project.id}").status_code == 302
    db.session.refresh(project)
    assert project.follower_count == 1
    client.submit("/account/logout")
    client.login(MODERATOR)
    before = table_counts()
    response = client.submit(f"/projects/{project.id}/updates",
                             {"u-body": "Foto", "u-image": (io.BytesIO(b"not an image at all"), "x.png")},
                             content_type="multipart/form-data")
    assert response.status_code == 422 and table_counts() == before
    response = client.submit(f"/projects/{project.id}/updates",
                             {"u-body": "Aperto lo **sportello**", "u-image": (io.BytesIO(png_bytes()), "foto.png")},
                             content_type="multipart/form-data")
    assert response.status_code == 302
    update = project.updates[0]
    assert update.image is not None
    page = client.get(url(project)).get_data(as_text=True)
    assert update.image.stored_name in page and "<strong>sportello</strong>" in page
    client.submit("/account/logout")
    client.login("bruno@example.it")
    english(client)
    page = client.get("/notifications").get_data(as_text=True)
    assert f"New update on the funded project &#34;{project.title}&#34;" in page or \
        f'New update on the funded project "{project.title}"' in page


def test_moderator_forms_show(client, project):
    assert client.get("/projects/new?city=torino").status_code == 302  # to the login page
    client.login(MODERATOR)
    assert client.get("/projects/new?city=torino").status_code == 200
    assert client.get("/projects/new?city=nowhere").status_code == 404
    page = client.get(f"/projects/{project.id}/edit").get_data(as_text=True)
    assert "100.000,00" in page and project.title in page


def test_the_timeline_goes_from_the_need_to_the_project(client, people, anna, torino, new_idea, new_need):
    need = new_need(anna, torino, title="Nessuno apre il portone alle Vallette")
    idea = new_idea(anna, torino, title="Portierato sociale alle Vallette", needs=(need,))
    fund(user(MODERATOR), idea)
    made = services.project_for_idea(idea)
    english(client)
    page = client.get(url(made)).get_data(as_text=True)
    timeline = page[page.index('class="list-unstyled border-start ps-3 project-timeline"'):]
    timeline = timeline[:timeline.index("</ol>")]
    from civic.codesign.services import process_for_idea

    process = process_for_idea(idea)
    stages = [timeline.index(marker) for marker in (
        f"/needs/{need.id}-", f"/ideas/{idea.id}-", f"/codesign/{process.id}-", "/startup/", "Funded project")]
    assert stages == sorted(stages)
