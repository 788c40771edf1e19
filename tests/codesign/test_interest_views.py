"""The pages of expressions of interest: the form, the process page (what each reader sees), the
commission's buttons, participants-only documents, the organisation's participations, hidden origins,
bad input, decisions at once and query counts."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from civic.codesign import participation, services
from civic.codesign.models import Document, DocumentRole, ExpressionOfInterest
from civic.core.timeutil import utcnow
from civic.extensions import db
from civic.orgs import services as org_services
from civic.orgs.fiscal import check_digit
from civic.orgs.services import OrgData
from tests.codesign.conftest import (
    CONTRIBUTION,
    EXPERIENCE,
    MODERATOR,
    OTHER_MODERATOR,
    express,
    pdf_bytes,
    plan,
    upload,
    user,
)
from tests.conftest import table_counts
from tests.posts.helpers import english, logged_in_clients, post_at_once


def entity_code(n: int) -> str:
    digits = f"9800000{n:03d}"
    return digits + str(check_digit(digits))


def page(process) -> str:
    return f"/codesign/{process.id}-{process.slug}"


def as_(client, email: str | None):
    if email:
        client.login(email)
    english(client)
    return client


def form(org, role="partner", **overrides) -> dict:
    values = {"organisation": str(org.id), "role": role, "contribution": CONTRIBUTION, "experience": EXPERIENCE}
    values.update(overrides)
    return values


# --- the form ------------------------------------------------------------------------------------------

def test_an_admin_expresses_interest_from_the_process_page(client, process, orgs):
    plan(process, "during")
    as_(client, "ada@example.it")
    html = client.get(page(process)).get_data(as_text=True)
    assert f'href="/codesign/{process.id}/interest"' in html
    form_page = client.get(f"/codesign/{process.id}/interest")
    assert form_page.status_code == 200
    body = form_page.get_data(as_text=True)
    assert orgs["a"].name in body and orgs["b"].name not in body  # only the organisations she administers
    response = client.submit(f"/codesign/{process.id}/interest", form(orgs["a"], "capofila"))
    assert response.status_code == 302 and response.headers["Location"].endswith("#interests")
    interest = db.session.scalar(select(ExpressionOfInterest))
    assert (interest.organisation_id, interest.role, interest.status) == (orgs["a"].id, "capofila", "pending")
    # Changed through the same form while pending.
    client.get(f"/codesign/{process.id}/interest?organisation={orgs['a'].id}")
    response = client.submit(f"/codesign/{process.id}/interest", form(orgs["a"], "partner"))
    assert response.status_code == 302
    db.session.refresh(interest)
    assert interest.role == "partner" and db.session.query(ExpressionOfInterest).count() == 1


@pytest.mark.parametrize("overrides, message", [
    ({"role": "sponsor"}, "Choose the role"),
    ({"contribution": ""}, "Describe what the organisation would bring"),
    ({"experience": "x" * 5001}, "Enter at most 5000 characters"),
    ({"organisation": "abc"}, "Choose one of the organisations you administer"),
])
def test_bad_input_is_refused_and_nothing_is_saved(client, process, orgs, overrides, message):
    plan(process, "during")
    as_(client, "ada@example.it")
    before = table_counts()
    response = client.submit(f"/codesign/{process.id}/interest", form(orgs["a"], **overrides))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert table_counts() == before


def test_an_unverified_organisation_is_told_how_to_lead(client, process, orgs):
    plan(process, "during")
    as_(client, "bea@example.it")
    before = table_counts()
    response = client.submit(f"/codesign/{process.id}/interest", form(orgs["b"], "capofila"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "apply as partner, or ask the moderators of Torino to verify" in html
    assert table_counts() == before


def test_who_reaches_the_form(client, process, orgs, make_user):
    plan(process, "during")
    make_user(email="resident@example.it")
    as_(client, "resident@example.it")
    assert client.get(f"/codesign/{process.id}/interest").status_code == 403  # no organisation
    client.get("/account/logout")
    as_(client, "mino@example.it")  # a member, not an admin
    assert client.get(f"/codesign/{process.id}/interest").status_code == 403
    # An admin of B posting for A.
    client.get("/account/logout")
    as_(client, "bea@example.it")
    assert client.submit(f"/codesign/{process.id}/interest", form(orgs["a"])).status_code == 403
    plan(process, "after")
    assert client.get(f"/codesign/{process.id}/interest").status_code == 409
    anonymous = client.application.test_client()
    assert anonymous.get(f"/codesign/{process.id}/interest").status_code == 302


def test_the_form_of_a_process_whose_origin_is_hidden_is_missing(client, process, orgs):
    plan(process, "during")
    process.idea.hidden_at = utcnow()
    db.session.commit()
    as_(client, "ada@example.it")
    assert client.get(f"/codesign/{process.id}/interest").status_code == 404
    assert client.submit(f"/codesign/{process.id}/interest", form(orgs["a"])).status_code == 404


# --- what each reader sees ------------------------------------------------------------------------------

def test_the_public_sees_organisations_roles_and_decisions_not_the_proposals(client, process, orgs, make_user):
    plan(process, "during")
    a = express(process, orgs["ada"], orgs["a"], "capofila")
    b = express(process, orgs["bea"], orgs["b"])
    participation.decide(user(MODERATOR), a, True, "Esperienza documentata")
    db.session.commit()
    secret_b = b.contribution
    a.contribution = "Il contributo di A, riservato"
    db.session.commit()
    english(client)
    html = client.get(page(process)).get_data(as_text=True)
    assert orgs["a"].name in html and orgs["b"].name in html
    assert "Lead partner (capofila)" in html and "Esperienza documentata" in html and "Admitted" in html
    assert "riservato" not in html and secret_b not in html
    assert "/admit" not in html and "Express interest</a>" not in html
    # A member of A sees A's proposal, not B's.
    as_(client, "mino@example.it")
    html = client.get(page(process)).get_data(as_text=True)
    assert "Il contributo di A, riservato" in html and secret_b not in html
    client.get("/account/logout")
    # The commission sees both, with the buttons for the pending one.
    as_(client, MODERATOR)
    html = client.get(page(process)).get_data(as_text=True)
    assert "Il contributo di A, riservato" in html and secret_b in html
    assert f"/codesign/interests/{b.id}/admit" in html and f"/codesign/interests/{a.id}/admit" not in html


# --- the commission's decisions -------------------------------------------------------------------------------

def test_deciding_needs_a_reason_and_the_commission(client, process, orgs):
    plan(process, "during")
    interest = express(process, orgs["ada"], orgs["a"])
    as_(client, OTHER_MODERATOR)
    assert client.submit(f"/codesign/interests/{interest.id}/admit", {"reason": "Sì"}).status_code == 403
    client.get("/account/logout")
    as_(client, "ada@example.it")
    assert client.submit(f"/codesign/interests/{interest.id}/admit", {"reason": "Sì"}).status_code == 403
    client.get("/account/logout")
    as_(client, MODERATOR)
    before = table_counts()
    response = client.submit(f"/codesign/interests/{interest.id}/decline", {"reason": "  "})
    assert response.status_code == 422 and "Write the public reason" in response.get_data(as_text=True)
    response = client.submit(f"/codesign/interests/{interest.id}/admit", {"reason": "x" * 2001})
    assert response.status_code == 422 and "Enter at most 2000 characters" in response.get_data(as_text=True)
    assert table_counts() == before
    response = client.submit(f"/codesign/interests/{interest.id}/decline", {"reason": "Requisiti mancanti"})
    assert response.status_code == 302
    db.session.refresh(interest)
    assert interest.status == "declined" and interest.reason == "Requisiti mancanti"
    assert client.submit(f"/codesign/interests/{interest.id}/admit", {"reason": "Ci ripenso"}).status_code == 409
    assert client.submit("/codesign/interests/999999/admit", {"reason": "Nessuna"}).status_code == 404


def test_two_decisions_at_once_one_wins(app, client, process, orgs):
    plan(process, "during")
    interest = express(process, orgs["ada"], orgs["a"])
    clients = logged_in_clients(app, [MODERATOR, MODERATOR])
    results = post_at_once(app, [
        (clients[0][0], clients[0][1], f"/codesign/interests/{interest.id}/admit", {"reason": "Ammessa"}),
        (clients[1][0], clients[1][1], f"/codesign/interests/{interest.id}/decline", {"reason": "Non ammessa"}),
    ])
    assert sorted(results) == [302, 409], results
    db.session.refresh(interest)
    assert interest.status in ("admitted", "declined")


def test_withdrawing(client, process, orgs):
    plan(process, "during")
    interest = express(process, orgs["ada"], orgs["a"])
    as_(client, "mino@example.it")
    assert client.submit(f"/codesign/interests/{interest.id}/withdraw").status_code == 403
    client.get("/account/logout")
    as_(client, "ada@example.it")
    assert client.submit(f"/codesign/interests/{interest.id}/withdraw").status_code == 302
    assert db.session.scalar(select(ExpressionOfInterest.id)) is None


# --- participants-only documents ----------------------------------------------------------------------------

def test_participants_documents_are_for_the_commission_and_admitted_organisations(client, process, orgs, make_user):
    plan(process, "during")
    admitted, declined = express(process, orgs["ada"], orgs["a"]), express(process, orgs["bea"], orgs["b"])
    participation.decide(user(MODERATOR), admitted, True, "Ammessa")
    participation.decide(user(MODERATOR), declined, False, "Non ammessa")
    db.session.commit()
    as_(client, "mino@example.it")  # a member of the admitted organisation uploads, choosing who sees it
    upload_page = client.get(f"/codesign/{process.id}/documents/new").get_data(as_text=True)
    assert 'value="participants"' in upload_page
    response = client.submit(f"/codesign/{process.id}/documents/new", {
        "title": "Bozza del piano dei turni", "role": DocumentRole.OTHER.value, "visibility": "participants",
        "file": upload(pdf_bytes(), "turni.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    document = db.session.scalar(select(Document))
    assert document.visibility == "participants" and document.created_by_id == orgs["mino"].id
    download = f"/codesign/documents/versions/{document.versions[0].id}/download"
    assert client.get(download).status_code == 200
    client.get("/account/logout")
    for email in ("bea@example.it", OTHER_MODERATOR, None):
        other = client.application.test_client()
        as_(other, email)
        assert "Bozza del piano dei turni" not in other.get(page(process)).get_data(as_text=True)
        assert other.get(download).status_code == 404
    as_(client, MODERATOR)
    assert "Bozza del piano dei turni" in client.get(page(process)).get_data(as_text=True)
    assert client.get(download).status_code == 200
    before = table_counts()
    response = client.submit(f"/codesign/{process.id}/documents/new", {
        "title": "Documento", "role": "other", "visibility": "secret", "file": upload(pdf_bytes(), "d.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 422 and table_counts() == before


# --- the organisation's page ----------------------------------------------------------------------------------

def test_the_organisation_page_lists_its_participations(client, process, orgs, new_idea, anna, torino):  # noqa: F811
    plan(process, "during")
    participation.decide(user(MODERATOR), express(process, orgs["ada"], orgs["a"], "capofila"), True, "Ammessa")
    hidden_idea = new_idea(anna, torino, title="Idea poi nascosta dai moderatori")
    from tests.codesign.conftest import select_for_codesign

    select_for_codesign(user(MODERATOR), hidden_idea)
    hidden = services.process_for_idea(hidden_idea)
    plan(hidden, "during")
    participation.decide(user(MODERATOR), express(hidden, orgs["ada"], orgs["a"]), True, "Ammessa")
    hidden_idea.hidden_at = utcnow()
    db.session.commit()
    english(client)
    html = client.get(f"/organisations/{orgs['a'].id}-{orgs['a'].slug}").get_data(as_text=True)
    assert "Co-design participations" in html and process.title in html
    assert "Idea poi nascosta" not in html
    assert "Co-design participations" not in client.get(
        f"/organisations/{orgs['b'].id}-{orgs['b'].slug}").get_data(as_text=True)
    as_(client, MODERATOR)  # the city's moderators see the hidden one too
    assert "Idea poi nascosta" in client.get(f"/organisations/{orgs['a'].id}-{orgs['a'].slug}").get_data(as_text=True)


# --- query counts ------------------------------------------------------------------------------------------------

def test_the_process_page_reads_a_fixed_number_of_queries(client, process, orgs, make_user, count_queries):
    plan(process, "during")
    as_(client, MODERATOR)

    def queries() -> int:
        with count_queries() as counter:
            assert client.get(page(process)).status_code == 200
        return counter.count

    express(process, orgs["ada"], orgs["a"])
    few = queries()
    for n in range(8):
        admin = make_user(email=f"ente{n}@example.it")
        org = org_services.register_organisation(admin, OrgData(
            name=f"Ente numero {n}", legal_form="Associazione", runts_section="b", codice_fiscale=entity_code(n),
            city_id=process.city_id, description="Un ente del quartiere."))
        db.session.commit()
        participation.decide(user(MODERATOR), express(process, admin, org), n % 2 == 0, "Decisione")
    db.session.commit()
    many = queries()
    assert len(re.findall(r'id="interest-\d+"', client.get(page(process)).get_data(as_text=True))) == 9
    assert many <= few, (few, many)
