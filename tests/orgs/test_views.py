"""The pages of organisations: what each person may see and do, the messages and status codes
of refusals (with the database unchanged), invitations by email, and bounded query counts."""
from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from civic.audit.models import AuditEvent
from civic.extensions import db
from civic.moderation import services as moderation
from civic.notifications import outbox
from civic.orgs import services
from civic.orgs.models import Invitation, Membership, Organisation
from civic.posts.models import Need
from tests.conftest import table_counts
from tests.orgs.conftest import CF_B, CF_C, org_data
from tests.posts.helpers import card_ids, english, field_error, logged_in_clients, need_form, post_at_once

ANNA, BRUNO, CARLA = "anna@example.it", "bruno@example.it", "carla@example.it"


def org_form(in_city, themes=(), **overrides) -> dict:
    data = {"name": "Cooperativa Sociale Aurora Bene Comune", "legal_form": "Cooperativa sociale",
            "runts_section": "d", "second_section": "", "codice_fiscale": "970 012 345 62", "partita_iva": "",
            "city": str(in_city.id), "description": "Inserimento lavorativo di persone fragili.",
            "website": "https://aurora.example.it", "contact_email": "", "phone": ""}
    if themes:
        data["themes"] = [str(t.id) for t in themes]
    data.update(overrides)
    return data


def _url(org) -> str:
    return f"/organisations/{org.id}-{org.slug}"


def _mails(caplog) -> list:
    return [r for r in caplog.records if r.name == "civic.mail"]


# --- the list ---------------------------------------------------------------------------------------

def test_the_list_filters_by_city_section_and_verification(client, anna, bruno, mod_torino, palermo, new_org):
    ponte = new_org(anna)
    palermitana = new_org(bruno, city=palermo, codice_fiscale=CF_B, name="Rete Palermitana", runts_section="e",
                          second_section="a")
    services.verify(mod_torino, ponte)
    db.session.commit()
    english(client)
    html = client.get("/organisations").get_data(as_text=True)
    assert ponte.name in html and palermitana.name in html and "2 organisations" in html
    assert html.count("org-verified") == 1
    html = client.get(f"/organisations?city={palermo.slug}").get_data(as_text=True)
    assert palermitana.name in html and ponte.name not in html
    html = client.get("/organisations?section=a").get_data(as_text=True)  # its second section
    assert palermitana.name in html and ponte.name not in html
    html = client.get("/organisations?verified=yes").get_data(as_text=True)
    assert ponte.name in html and palermitana.name not in html
    html = client.get("/organisations?verified=no").get_data(as_text=True)
    assert palermitana.name in html and ponte.name not in html


@pytest.mark.parametrize(("query", "message"), [
    ("city=atlantide", "Unknown city"), ("section=z", "Unknown section"), ("verified=maybe", "yes or no"),
    ("page=0", "whole number"), ("page=abc", "whole number"),
])
def test_bad_list_parameters_are_a_400_with_a_message(client, query, message):
    english(client)
    response = client.get(f"/organisations?{query}")
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_the_list_costs_the_same_with_2_or_25_organisations(client, app, make_user, torino, themes, count_queries):
    founder = make_user(email="founder@example.it")
    from civic.orgs.fiscal import check_digit

    for i in range(25):
        base = f"97{i:08d}"
        services.register_organisation(founder, org_data(torino, themes, name=f"Associazione numero {i}",
                                                         codice_fiscale=base + str(check_digit(base))))
    db.session.commit()
    client.login("founder@example.it")
    client.get("/organisations")  # warm up
    with count_queries() as few:
        html = client.get("/organisations?section=b&page=2").get_data(as_text=True)
    assert html.count('class="card card-bg org-card') == 5
    with count_queries() as many:
        html = client.get("/organisations?section=b").get_data(as_text=True)
    assert html.count('class="card card-bg org-card') == 20 and "/organisations?section=b&amp;page=2" in html
    assert many.count == few.count, many.statements[few.count:]
    assert many.count <= 12


def test_moderators_see_what_awaits_verification_in_their_cities(client, anna, bruno, mod_torino, palermo, new_org):
    new_org(anna)
    new_org(bruno, city=palermo, codice_fiscale=CF_B, name="Palermitana")
    client.login(mod_torino.email)
    english(client)
    html = client.get("/organisations").get_data(as_text=True)
    section = html[html.index('id="awaiting-heading"'):]
    assert "1 organisation to verify" in section and "/organisations?city=torino&amp;verified=no" in section
    assert "Palermo" not in section[:section.index("</section>")]


# --- registering --------------------------------------------------------------------------------------

def test_registering_through_the_page(client, anna, torino, themes):
    client.login(ANNA)
    english(client)
    page = client.get("/organisations/new")
    assert page.status_code == 200 and 'name="csrf_token"' in page.get_data(as_text=True)
    response = client.submit("/organisations/new", org_form(torino, themes))
    assert response.status_code == 302
    org = db.session.scalar(select(Organisation))
    assert response.headers["Location"].endswith(_url(org))
    assert org.codice_fiscale == "97001234562" and org.runts_section == "d" and len(org.themes) == 2
    html = client.get(_url(org)).get_data(as_text=True)
    assert "Inserimento lavorativo" in html and "You are an administrator of this organisation." in html


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"codice_fiscale": "97001234563"}, "codice_fiscale", "its last digit does not match"),
    ({"codice_fiscale": "RSSMRA80A01H501U"}, "codice_fiscale", "codice fiscale of a person"),
    ({"partita_iva": "123"}, "partita_iva", "has 11 digits (you entered 3)"),
    ({"second_section": "a"}, "second_section", "Only a network of associations"),
    ({"website": "javascript:alert(1)"}, "website", "http:// or https://"),
    ({"name": ""}, "name", "Enter the name of the organisation."),
    ({"city": "abc"}, "city", "Choose the city"),
])
def test_bad_registrations_are_422_with_the_message_by_the_field(client, anna, torino, overrides, field, message):
    client.login(ANNA)
    english(client)
    before = table_counts()
    response = client.submit("/organisations/new", org_form(torino, **overrides))
    assert response.status_code == 422
    assert message in field_error(response.get_data(as_text=True), field)
    assert table_counts() == before


def test_a_duplicate_codice_fiscale_is_refused(client, anna, bruno, torino, new_org):
    new_org(anna)
    client.login(BRUNO)
    english(client)
    before = table_counts()
    response = client.submit("/organisations/new", org_form(torino))
    assert response.status_code == 422
    assert "already registered" in field_error(response.get_data(as_text=True), "codice_fiscale")
    assert table_counts() == before


def test_registering_needs_a_confirmed_login_and_a_csrf_token(client, make_user, torino):
    assert client.get("/organisations/new").status_code == 302  # to the login page
    make_user(email="new@example.it", confirmed=False)
    client.login("new@example.it")
    english(client)
    response = client.get("/organisations/new")
    assert response.status_code == 403 and "Confirm your email address" in response.get_data(as_text=True)
    assert client.submit("/organisations/new", org_form(torino)).status_code == 403
    before = table_counts()
    response = client.post("/organisations/new", data=org_form(torino))  # no token
    assert response.status_code in (400, 403) and table_counts() == before


# --- the profile page ---------------------------------------------------------------------------------

def test_the_profile_shows_details_members_and_the_verification(client, anna, bruno, mod_torino, new_org):
    org = new_org(anna, members=[bruno])
    services.verify(mod_torino, org)
    db.session.commit()
    english(client)
    response = client.get(_url(org))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Anna Rossi" in html and "Bruno Bianchi" in html and org.codice_fiscale in html
    assert "<strong>sportello</strong>" in html
    assert "Verified" in html and "by a moderator of the municipality" in html
    assert "anna@example.it" not in html  # members: names only
    main = html[html.index('<main id="main"'):html.index("</main>")]  # the header links to both sections
    assert "Co-design" not in main and "Funded projects" not in main  # no empty placeholders
    assert client.get(f"/organisations/{org.id}").headers["Location"].endswith(_url(org))
    assert client.get(f"/organisations/{org.id}-wrong").status_code == 301
    assert client.get("/organisations/999999").status_code == 404
    assert client.get("/organisations/99999999999").status_code == 404


def test_the_profile_lists_its_visible_posts_only(client, anna, mod_torino, torino, themes, new_org, new_need):
    org = new_org(anna)
    shown = new_need(anna, torino, title="Un bisogno visibile del Ponte", organisation_id=org.id)
    hidden = new_need(anna, torino, title="Zqxnascosto del Ponte", organisation_id=org.id)
    new_need(anna, torino, title="Un bisogno di Anna per conto suo")
    html = client.get(_url(org)).get_data(as_text=True)
    assert card_ids(html) == [hidden.id, shown.id]
    moderation.hide(mod_torino, hidden, "Dati personali")
    db.session.commit()
    html = client.get(_url(org)).get_data(as_text=True)
    assert card_ids(html) == [shown.id] and "Zqxnascosto" not in html


# --- permissions matrix ---------------------------------------------------------------------------------

@pytest.fixture
def two_orgs(anna, bruno, carla, palermo, new_org):
    """A: Anna admin, Bruno member. B: Carla admin."""
    a = new_org(anna, members=[bruno])
    b = new_org(carla, city=palermo, codice_fiscale=CF_B, name="Organizzazione B")
    invitation, _token = services.invite(carla, b, "someone@example.it")
    db.session.commit()
    return a, b, invitation


@pytest.mark.parametrize(("who", "org_key", "status"), [
    (ANNA, "a", 200), (BRUNO, "a", 403), (CARLA, "a", 403), (ANNA, "b", 403), (BRUNO, "b", 403), (CARLA, "b", 200),
])
def test_only_the_organisations_admins_manage_it(client, two_orgs, who, org_key, status):
    org = two_orgs[0] if org_key == "a" else two_orgs[1]
    client.login(who)
    for url in (f"/organisations/{org.id}/edit", f"/organisations/{org.id}/members"):
        response = client.get(url)
        assert response.status_code == status, url
        if url.endswith("/members"):  # B's pending invitation: seen by B's admins only
            assert ("someone@example.it" in response.get_data(as_text=True)) == (status == 200 and org_key == "b")


def test_an_admin_of_a_cannot_act_for_b(client, two_orgs, carla, torino):
    a, b, invitation = two_orgs
    client.login(ANNA)
    before = table_counts()
    assert client.submit(f"/organisations/{b.id}/edit", org_form(torino, name="Presa")).status_code == 403
    assert client.submit(f"/organisations/{b.id}/invitations", {"email": "x@example.it", "role": "admin"}
                         ).status_code == 403
    assert client.submit(f"/organisations/{b.id}/invitations/{invitation.id}/revoke").status_code == 403
    assert client.submit(f"/organisations/{a.id}/invitations/{invitation.id}/revoke").status_code == 404
    assert client.submit(f"/organisations/{b.id}/members/{carla.id}/remove").status_code == 403
    assert client.submit(f"/organisations/{b.id}/members/{carla.id}/role", {"role": "member"}).status_code == 403
    assert client.submit(f"/organisations/{b.id}/leave").status_code == 409
    assert client.submit(f"/organisations/{b.id}/verify").status_code == 403
    assert table_counts() == before
    assert db.session.get(Organisation, b.id).name == "Organizzazione B"


def test_anonymous_visitors_are_sent_to_log_in(client, two_orgs):
    a = two_orgs[0]
    for url in (f"/organisations/{a.id}/edit", f"/organisations/{a.id}/members"):
        assert client.get(url).status_code == 302
    assert client.submit(f"/organisations/{a.id}/leave").status_code == 302


def test_post_actions_need_the_csrf_token(client, two_orgs, bruno):
    a = two_orgs[0]
    client.login(ANNA)
    before = table_counts()
    for url in (f"/organisations/{a.id}/members/{bruno.id}/remove", f"/organisations/{a.id}/leave",
                f"/organisations/{a.id}/invitations"):
        assert client.post(url, data={"email": "x@example.it"}).status_code == 400, url
    assert table_counts() == before


# --- invitations through the pages ----------------------------------------------------------------------

def _invite(client, org, email, role="member", caplog=None):
    with caplog.at_level(logging.INFO, logger="civic.mail"):
        before = len(_mails(caplog))
        response = client.submit(f"/organisations/{org.id}/invitations", {"email": email, "role": role})
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        assert len(_mails(caplog)) == before  # queued in the outbox with the invitation, not sent in the request
        assert outbox.deliver_due().sent == 1  # the worker (without SMTP settings, the email goes to the log)
    mail = _mails(caplog)[-1]
    token = re.search(r"/organisations/invitations/([\w-]+)", mail.body).group(1)
    return mail, token


def test_an_invitation_by_email_then_accepted(client, app, anna, new_org, make_user, caplog):
    org = new_org(anna)
    client.login(ANNA)
    mail, token = _invite(client, org, "dario@example.it", "admin", caplog)
    assert mail.to == "dario@example.it" and mail.subject == f"Invito a far parte di {org.name}" \
        or mail.subject == f"Invitation to join {org.name}"  # Italian once the catalogue has it
    assert db.session.scalar(select(Invitation.token_hash)) == services.hash_token(token)
    assert token not in str(db.session.scalar(select(Invitation.token_hash)))
    # The invitee opens the link without an account, creates one, accepts with it.
    visitor = app.test_client()
    english(visitor)
    page = visitor.get(f"/organisations/invitations/{token}")
    assert page.status_code == 200 and "Log in, or create an account" in page.get_data(as_text=True)
    assert visitor.submit(f"/organisations/invitations/{token}").status_code == 302  # to log in
    make_user(email="dario.altro@example.it", name="Dario Neri")
    visitor.login("dario.altro@example.it")  # another address than the invited one: any account works
    english(visitor)
    response = visitor.submit(f"/organisations/invitations/{token}")
    assert response.status_code == 302 and response.headers["Location"].endswith(_url(org))
    membership = db.session.scalar(select(Membership).where(Membership.organisation_id == org.id,
                                                            Membership.role == "admin",
                                                            Membership.user_id != anna.id))
    assert membership.user.display_name == "Dario Neri"
    assert db.session.get(Organisation, org.id).member_count == 2
    # Once only.
    before = table_counts()
    response = client.submit(f"/organisations/invitations/{token}")
    assert response.status_code == 409
    english(client)
    page = client.get(f"/organisations/invitations/{token}")
    assert page.status_code == 409 and "already been used" in page.get_data(as_text=True)
    assert table_counts() == before


def test_the_email_is_in_the_invitees_language(client, anna, new_org, make_user, caplog):
    make_user(email="english@example.it", locale="en")
    org = new_org(anna)
    client.login(ANNA)
    mail, _token = _invite(client, org, "english@example.it", caplog=caplog)
    assert mail.subject == f"Invitation to join {org.name}"
    assert "expires in 7 days" in mail.body


def test_expired_revoked_and_unknown_links(client, app, anna, bruno, new_org, caplog):
    org = new_org(anna)
    client.login(ANNA)
    _mail, expired = _invite(client, org, "uno@example.it", caplog=caplog)
    _mail, revoked = _invite(client, org, "due@example.it", caplog=caplog)
    invitation = db.session.scalar(select(Invitation).where(Invitation.email == "uno@example.it"))
    invitation.created_at -= timedelta(days=8)
    invitation.expires_at -= timedelta(days=8)
    db.session.commit()
    to_revoke = db.session.scalar(select(Invitation).where(Invitation.email == "due@example.it"))
    assert client.submit(f"/organisations/{org.id}/invitations/{to_revoke.id}/revoke").status_code == 302
    assert client.submit(f"/organisations/{org.id}/invitations/{to_revoke.id}/revoke").status_code == 409
    members_page = client.get(f"/organisations/{org.id}/members").get_data(as_text=True)
    assert "uno@example.it" not in members_page and "due@example.it" not in members_page
    invitee = app.test_client()
    invitee.login(BRUNO)
    english(invitee)
    before = table_counts()
    for token, status, message in ((expired, 410, "expired"), (revoked, 410, "withdrawn"),
                                   ("not-a-token", 404, "not valid")):
        for response in (invitee.get(f"/organisations/invitations/{token}"),
                         invitee.submit(f"/organisations/invitations/{token}")):
            assert response.status_code == status and message in response.get_data(as_text=True)
    assert table_counts() == before


def test_a_bad_invitation_is_422_on_the_members_page(client, anna, bruno, new_org):
    org = new_org(anna, members=[bruno])
    client.login(ANNA)
    english(client)
    before = table_counts()
    for data, message in (({"email": "nope", "role": "member"}, "valid email"),
                          ({"email": BRUNO, "role": "member"}, "already a member"),
                          ({"email": "x@example.it", "role": "owner"}, "from the list")):
        response = client.submit(f"/organisations/{org.id}/invitations", data)
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    assert table_counts() == before


# --- members --------------------------------------------------------------------------------------------

def test_admins_manage_roles_and_members_through_the_page(client, anna, bruno, carla, new_org):
    org = new_org(anna, members=[bruno, carla])
    client.login(ANNA)
    english(client)
    before = table_counts()
    response = client.submit(f"/organisations/{org.id}/leave")
    assert response.status_code == 409 and "at least one administrator" in response.get_data(as_text=True)
    assert client.submit(f"/organisations/{org.id}/members/{anna.id}/role", {"role": "member"}).status_code == 409
    assert client.submit(f"/organisations/{org.id}/members/{bruno.id}/role", {"role": "boss"}).status_code == 422
    assert client.submit(f"/organisations/{org.id}/members/999999/remove").status_code == 404
    assert table_counts() == before
    assert client.submit(f"/organisations/{org.id}/members/{bruno.id}/role", {"role": "admin"}).status_code == 302
    assert client.submit(f"/organisations/{org.id}/members/{carla.id}/remove").status_code == 302
    assert client.submit(f"/organisations/{org.id}/leave").status_code == 302
    db.session.expire_all()
    org = db.session.get(Organisation, org.id)
    assert org.member_count == 1 and [m.user_id for m in org.memberships] == [bruno.id]


def test_a_member_leaves_from_the_profile(client, anna, bruno, new_org):
    org = new_org(anna, members=[bruno])
    client.login(BRUNO)
    html = client.get(_url(org)).get_data(as_text=True)
    assert f'action="/organisations/{org.id}/leave"' in html
    assert f"/organisations/{org.id}/members" not in html and f"/organisations/{org.id}/edit" not in html
    assert client.submit(f"/organisations/{org.id}/leave").status_code == 302
    assert db.session.get(Organisation, org.id).member_count == 1


def test_two_admins_leaving_at_once_leave_one_admin(app, client, anna, bruno, new_org):
    org = new_org(anna, admins=[bruno])
    clients = logged_in_clients(app, [ANNA, BRUNO])
    results = post_at_once(app, [(c, token, f"/organisations/{org.id}/leave", {}) for c, token in clients])
    assert sorted(results) == [302, 409], results
    db.session.expire_all()
    admins = db.session.scalar(select(func.count()).select_from(Membership)
                               .where(Membership.organisation_id == org.id, Membership.role == "admin"))
    members = db.session.scalar(select(func.count()).select_from(Membership)
                                .where(Membership.organisation_id == org.id))
    assert admins == 1 and db.session.get(Organisation, org.id).member_count == members == 1


def test_two_admins_removing_each_other_at_once_leave_one(app, client, anna, bruno, new_org):
    org = new_org(anna, admins=[bruno])
    (a, a_token), (b, b_token) = logged_in_clients(app, [ANNA, BRUNO])
    results = post_at_once(app, [(a, a_token, f"/organisations/{org.id}/members/{bruno.id}/role", {"role": "member"}),
                                 (b, b_token, f"/organisations/{org.id}/members/{anna.id}/remove", {})])
    db.session.expire_all()
    admins = db.session.scalar(select(func.count()).select_from(Membership)
                               .where(Membership.organisation_id == org.id, Membership.role == "admin"))
    assert admins == 1, results
    assert sorted(results) in ([302, 409], [302, 403]), results


# --- verification ----------------------------------------------------------------------------------------

def test_verification_through_the_page(client, app, anna, mod_torino, mod_palermo, new_org):
    org = new_org(anna)
    other = app.test_client()
    other.login(mod_palermo.email)
    english(other)
    assert "Verify this organisation" not in other.get(_url(org)).get_data(as_text=True)
    assert other.submit(f"/organisations/{org.id}/verify").status_code == 403
    client.login(mod_torino.email)
    english(client)
    assert "Verify this organisation" in client.get(_url(org)).get_data(as_text=True)
    assert client.submit(f"/organisations/{org.id}/verify").status_code == 302
    assert client.submit(f"/organisations/{org.id}/verify").status_code == 409
    html = client.get(_url(org)).get_data(as_text=True)
    assert "Withdraw the verification" in html
    assert client.submit(f"/organisations/{org.id}/unverify", {"reason": "Non iscritta"}).status_code == 302
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("organisation.%"))
                                 .order_by(AuditEvent.id)).all()
    assert actions == ["organisation.verify", "organisation.unverify"]


# --- posting on behalf of an organisation -----------------------------------------------------------------

def test_the_on_behalf_select_lists_only_ones_organisations(client, anna, bruno, carla, torino, themes, new_org):
    org = new_org(anna, members=[bruno])
    new_org(carla, codice_fiscale=CF_C, name="Organizzazione di Carla")
    client.login(BRUNO)
    html = client.get(f"/cities/{torino.slug}/needs/new").get_data(as_text=True)
    assert 'id="organisation"' in html and org.name in html and "Organizzazione di Carla" not in html


def test_the_select_is_hidden_without_organisations(client, anna, torino, themes):
    client.login(ANNA)
    html = client.get(f"/cities/{torino.slug}/ideas/new").get_data(as_text=True)
    assert 'id="organisation"' not in html


def test_posting_on_behalf_shows_the_organisation_beside_the_author(client, anna, bruno, torino, themes, new_org):
    org = new_org(anna, members=[bruno])
    client.login(BRUNO)
    response = client.submit(f"/cities/{torino.slug}/needs/new", need_form(themes[0], organisation=str(org.id)))
    assert response.status_code == 302
    need = db.session.scalar(select(Need))
    assert need.organisation_id == org.id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f'<a href="{_url(org)}">{org.name}</a>' in page
    listing = client.get(f"/cities/{torino.slug}/needs").get_data(as_text=True)
    assert f'<a href="{_url(org)}">{org.name}</a>' in listing
    city_page = client.get(f"/cities/{torino.slug}").get_data(as_text=True)
    assert f'<a href="{_url(org)}">{org.name}</a>' in city_page


def test_posting_for_someone_elses_organisation_is_refused(client, anna, carla, torino, themes, new_org):
    org = new_org(anna)
    client.login(CARLA)
    english(client)
    before = table_counts()
    response = client.submit(f"/cities/{torino.slug}/needs/new", need_form(themes[0], organisation=str(org.id)))
    assert response.status_code == 403 and "only if you are one of its members" in response.get_data(as_text=True)
    response = client.submit(f"/cities/{torino.slug}/needs/new", need_form(themes[0], organisation="abc"))
    assert response.status_code == 422
    assert "Choose one of your organisations" in response.get_data(as_text=True)
    assert table_counts() == before


def test_the_needs_list_costs_the_same_with_organisations(client, anna, bruno, torino, make_city, themes, new_org,
                                                          new_need, count_queries):
    small = make_city("Piccola")
    orgs = [new_org(anna), new_org(anna, codice_fiscale=CF_B, name="Seconda"),
            new_org(anna, codice_fiscale=CF_C, name="Terza")]
    new_need(anna, small, title="Un bisogno qualunque", organisation_id=orgs[0].id)
    for i in range(30):
        new_need(anna, torino, title=f"Bisogno numero {i}", organisation_id=orgs[i % 3].id if i % 4 else None)
    client.get(f"/cities/{small.slug}/needs")
    with count_queries() as few:
        client.get(f"/cities/{small.slug}/needs?per_page=50")
    with count_queries() as many:
        html = client.get(f"/cities/{torino.slug}/needs?per_page=50").get_data(as_text=True)
    assert len(card_ids(html)) == 30 and "Terza" in html
    assert many.count == few.count, many.statements[few.count:]


def test_every_mistake_of_the_form_shows_at_once(client, anna, torino):
    client.login(ANNA)
    english(client)
    response = client.submit("/organisations/new", org_form(torino, name="", legal_form="",
                                                            codice_fiscale="97001234563", partita_iva="0123"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter the name" in field_error(html, "name") and "legal form" in field_error(html, "legal_form")
    assert "last digit" in field_error(html, "codice_fiscale")
    assert "you entered 4" in field_error(html, "partita_iva")


def test_the_edit_form_keeps_the_organisation_of_an_author_who_left(client, anna, bruno, torino, themes, new_org,
                                                                    new_need):
    org = new_org(anna, members=[bruno])
    need = new_need(bruno, torino, title="Serve un doposcuola in Aurora", organisation_id=org.id)
    services.leave(bruno, org)
    db.session.commit()
    client.login(BRUNO)
    html = client.get(f"/needs/{need.id}/edit").get_data(as_text=True)
    assert re.search(rf'<option selected value="{org.id}">|<option value="{org.id}" selected', html)
    response = client.submit(f"/needs/{need.id}/edit", need_form(themes[0], title="Serve un doposcuola ad Aurora",
                                                                  organisation=str(org.id)))
    assert response.status_code == 302 and db.session.get(Need, need.id).organisation_id == org.id
    response = client.submit(f"/needs/{need.id}/edit", need_form(themes[0], organisation=""))
    assert response.status_code == 302 and db.session.get(Need, need.id).organisation_id is None
