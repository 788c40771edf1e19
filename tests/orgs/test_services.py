"""The rules of organisations, through the services: registration, editing, verification,
members and invitations, and posting on behalf of an organisation."""
from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from civic.audit.models import AuditEvent
from civic.core.rules import RuleError
from civic.extensions import db
from civic.orgs import permissions, services
from civic.orgs.models import Invitation, Membership, Organisation
from civic.orgs.services import OrgConflict, OrgError, OrgForbidden
from civic.posts import services as post_services
from civic.posts.listing import posts_of
from civic.posts.models import Post
from civic.posts.services import PostData, PostError, PostForbidden
from tests.conftest import table_counts
from tests.orgs.conftest import CF_B, PIVA_A, PIVA_B, org_data


@pytest.fixture(autouse=True)
def _in_english(app):
    """Messages are asserted in English (the site's default language is Italian)."""
    with force_locale("en"):
        yield


def _members_in_db(org) -> int:
    return db.session.scalar(select(func.count()).select_from(Membership).where(Membership.organisation_id == org.id))


def _admins(org) -> int:
    return db.session.scalar(select(func.count()).select_from(Membership)
                             .where(Membership.organisation_id == org.id, Membership.role == "admin"))


# --- registration ---------------------------------------------------------------------------------

def test_registering_makes_the_author_its_first_admin(app, anna, torino, themes):
    org = services.register_organisation(anna, org_data(torino, themes, second_section=None, partita_iva=PIVA_A))
    db.session.commit()
    assert org.slug == "il-ponte-aps" and org.city == torino and org.created_by == anna
    assert "<strong>sportello</strong>" in org.description_html
    assert [t.slug for t in org.themes] == ["abitare", "lavoro"]
    assert org.member_count == 1 == _members_in_db(org)
    assert permissions.is_org_admin(anna, org) and not org.is_verified
    assert org.partita_iva == PIVA_A


def test_an_unconfirmed_account_cannot_register(app, make_user, torino, themes):
    person = make_user(confirmed=False)
    before = table_counts()
    with pytest.raises(OrgForbidden):
        services.register_organisation(person, org_data(torino))
    db.session.rollback()
    assert table_counts() == before


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"name": ""}, "name", "Enter the name of the organisation."),
    ({"name": "x" * 201}, "name", "at most 200"),
    ({"legal_form": ""}, "legal_form", "legal form"),
    ({"runts_section": None}, "runts_section", "Choose the section of the RUNTS"),
    ({"runts_section": "z"}, "runts_section", "from the list"),
    ({"runts_section": "b", "second_section": "a"}, "second_section", "Only a network of associations"),
    ({"runts_section": "e", "second_section": "e"}, "second_section", "must differ from the first"),
    ({"runts_section": "e", "second_section": "x"}, "second_section", "Choose a section of the RUNTS from the list"),
    ({"codice_fiscale": "97001234563"}, "codice_fiscale", "last digit"),
    ({"partita_iva": "01234567898"}, "partita_iva", "last digit"),
    ({"city_id": 999_999}, "city", "Choose the city"),
    ({"theme_ids": (999_999,)}, "themes", "areas of activity"),
    ({"description": "  "}, "description", "Describe what the organisation does"),
    ({"website": "javascript:alert(1)"}, "website", "http:// or https://"),
    ({"website": "ftp://example.it"}, "website", "http:// or https://"),
    ({"contact_email": "not-an-email"}, "contact_email", "valid email"),
    ({"phone": "call me"}, "phone", "telephone number"),
    ({"name": "Il Ponte\u202e APS"}, "name", "not allowed"),
])
def test_bad_input_is_refused_with_a_message_and_nothing_written(app, anna, torino, overrides, field, message):
    before = table_counts()
    with pytest.raises(RuleError) as caught:
        services.register_organisation(anna, org_data(torino, **overrides))
    db.session.rollback()
    assert caught.value.field == field and caught.value.status == 422
    assert message in str(caught.value.message)
    assert table_counts() == before


def test_a_network_may_sit_in_a_second_section(app, anna, torino):
    org = services.register_organisation(anna, org_data(torino, runts_section="e", second_section="b"))
    assert (org.section.value, org.second.value) == ("e", "b")


def test_a_website_without_scheme_gets_https(app, anna, torino):
    org = services.register_organisation(anna, org_data(torino, website="www.ilponte.example.it"))
    assert org.website == "https://www.ilponte.example.it"


def test_codice_fiscale_and_partita_iva_are_unique(app, anna, bruno, torino, new_org):
    new_org(anna, partita_iva=PIVA_A)
    before = table_counts()
    with pytest.raises(OrgError, match="codice fiscale is already registered") as caught:
        services.register_organisation(bruno, org_data(torino, name="Altro nome"))
    assert caught.value.field == "codice_fiscale"
    with pytest.raises(OrgError, match="partita IVA is already registered"):
        services.register_organisation(bruno, org_data(torino, codice_fiscale=CF_B, partita_iva=PIVA_A))
    db.session.rollback()
    assert table_counts() == before
    # Two organisations without a partita IVA are fine.
    services.register_organisation(bruno, org_data(torino, codice_fiscale=CF_B, partita_iva=None, name="Terzo"))


def test_the_database_refuses_a_second_section_outside_networks(app, anna, torino, new_org):
    from sqlalchemy.exc import IntegrityError

    org = new_org(anna)
    org.second_section = "a"  # section b: not a network
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


# --- editing ----------------------------------------------------------------------------------------

def test_only_admins_edit(app, anna, bruno, carla, new_org, torino):
    org = new_org(anna, members=[bruno])
    with pytest.raises(OrgForbidden):
        services.update_organisation(bruno, org, org_data(torino, name="Preso da Bruno"))
    with pytest.raises(OrgForbidden):
        services.update_organisation(carla, org, org_data(torino, name="Preso da Carla"))
    db.session.rollback()
    assert services.update_organisation(anna, org, org_data(torino, name="Il Ponte ETS")) is False
    db.session.commit()
    assert org.name == "Il Ponte ETS" and org.slug == "il-ponte-ets"


def test_changing_what_was_verified_removes_the_verification(app, anna, mod_torino, new_org, torino):
    org = new_org(anna)
    services.verify(mod_torino, org)
    db.session.commit()
    # The description is not what a moderator verified: the badge stays.
    assert services.update_organisation(anna, org, org_data(torino, description="Nuovo testo")) is False
    assert org.is_verified
    assert services.update_organisation(anna, org, org_data(torino, codice_fiscale=CF_B)) is True
    db.session.commit()
    assert not org.is_verified and org.verified_by_id is None


# --- verification -----------------------------------------------------------------------------------

def test_the_city_moderator_verifies_with_an_audit_entry(app, anna, mod_torino, new_org):
    org = new_org(anna)
    services.verify(mod_torino, org)
    db.session.commit()
    assert org.is_verified and org.verified_by == mod_torino and org.verified_role == "moderator"
    assert permissions.can_lead_codesign(org)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "organisation.verify"))
    assert (event.actor_id, event.target_id, event.city_id) == (mod_torino.id, org.id, org.city_id)
    with pytest.raises(OrgConflict):
        services.verify(mod_torino, org)
    services.unverify(mod_torino, org, "Codice fiscale non trovato nel RUNTS")
    db.session.commit()
    assert not org.is_verified and not permissions.can_lead_codesign(org)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "organisation.unverify"))
    assert event.reason == "Codice fiscale non trovato nel RUNTS"
    with pytest.raises(OrgConflict):
        services.unverify(mod_torino, org)


def test_verification_matrix(app, anna, bruno, mod_torino, mod_palermo, admin, new_org):
    org = new_org(anna, members=[bruno])
    for outsider in (anna, bruno, mod_palermo, None):
        with pytest.raises(OrgForbidden):
            services.verify(outsider, org)
    services.verify(admin, org)
    assert org.verified_role == "admin"


# --- invitations --------------------------------------------------------------------------------------

def test_an_invitation_works_once_with_its_role(app, anna, bruno, carla, new_org):
    org = new_org(anna)
    invitation, token = services.invite(anna, org, "  Bruno@Example.it ", "admin")
    db.session.commit()
    assert invitation.email == "bruno@example.it" and invitation.token_hash != token
    assert invitation.token_hash == services.hash_token(token) and len(token) >= 40
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)
    membership = services.accept_invitation(bruno, token)
    db.session.commit()
    assert membership.role == "admin" and org.member_count == 2 == _members_in_db(org)
    # Any account may accept; but only once.
    with pytest.raises(OrgConflict, match="already been used"):
        services.accept_invitation(carla, token)
    db.session.rollback()
    assert org.member_count == 2


def test_expired_revoked_and_unknown_tokens_are_refused(app, anna, bruno, new_org):
    org = new_org(anna)
    expired, expired_token = services.invite(anna, org, "bruno@example.it")
    expired.created_at -= timedelta(days=8)
    expired.expires_at -= timedelta(days=8)
    revoked, revoked_token = services.invite(anna, org, "carla@example.it")
    db.session.commit()
    services.revoke_invitation(anna, org, revoked.id)
    db.session.commit()
    before = table_counts()
    for token, error, status in ((expired_token, "expired", 410), (revoked_token, "withdrawn", 410),
                                 ("nope", "not valid", 404), ("x" * 500, "not valid", 404)):
        with pytest.raises(OrgError, match=error) as caught:
            services.accept_invitation(bruno, token)
        assert caught.value.status == status
        db.session.rollback()
    assert table_counts() == before and org.member_count == 1


def test_invitation_rules(app, anna, bruno, carla, new_org):
    org = new_org(anna, members=[bruno])
    with pytest.raises(OrgForbidden):
        services.invite(bruno, org, "carla@example.it")  # a plain member
    with pytest.raises(OrgError, match="already a member"):
        services.invite(anna, org, "bruno@example.it")
    with pytest.raises(OrgError, match="valid email") as caught:
        services.invite(anna, org, "carla")
    assert caught.value.field == "email"
    with pytest.raises(OrgError, match="from the list"):
        services.invite(anna, org, "carla@example.it", "owner")
    services.invite(anna, org, "carla@example.it")
    with pytest.raises(OrgError, match="already been invited"):
        services.invite(anna, org, "CARLA@example.it")
    with pytest.raises(OrgForbidden):
        services.pending_invitations(bruno, org)
    assert [i.email for i in services.pending_invitations(anna, org)] == ["carla@example.it"]


def test_a_member_accepting_again_is_told_and_the_token_stays_unused(app, anna, bruno, new_org):
    org = new_org(anna, members=[bruno])
    invitation, token = services.invite(anna, org, "someone@example.it")
    db.session.commit()
    with pytest.raises(OrgConflict, match="already a member"):
        services.accept_invitation(bruno, token)
    db.session.rollback()
    assert db.session.get(Invitation, invitation.id).accepted_at is None


def test_revoking_someone_elses_invitation_is_not_found(app, anna, bruno, new_org):
    org_a = new_org(anna)
    org_b = new_org(bruno, codice_fiscale=CF_B, name="Altra")
    invitation, _token = services.invite(bruno, org_b, "x@example.it")
    db.session.commit()
    with pytest.raises(OrgError) as caught:
        services.revoke_invitation(anna, org_a, invitation.id)
    assert caught.value.status == 404
    with pytest.raises(OrgForbidden):
        services.revoke_invitation(anna, org_b, invitation.id)


# --- members and the last admin ---------------------------------------------------------------------

def test_the_last_admin_cannot_leave_be_removed_or_step_down(app, anna, bruno, new_org):
    org = new_org(anna, members=[bruno])
    for action in (lambda: services.leave(anna, org), lambda: services.remove_member(anna, org, anna.id),
                   lambda: services.change_role(anna, org, anna.id, "member")):
        with pytest.raises(OrgConflict, match="at least one administrator"):
            action()
        db.session.rollback()
    assert _admins(org) == 1 and org.member_count == 2
    # Hand over: make Bruno admin, then Anna may step down and leave.
    services.change_role(anna, org, bruno.id, "admin")
    services.change_role(anna, org, anna.id, "member")
    db.session.commit()
    assert not permissions.is_org_admin(anna, org) and permissions.is_org_admin(bruno, org)
    services.leave(anna, org)
    db.session.commit()
    assert org.member_count == 1 == _members_in_db(org)


def test_admins_remove_members_and_members_leave(app, anna, bruno, carla, new_org):
    org = new_org(anna, members=[bruno, carla])
    with pytest.raises(OrgForbidden):
        services.remove_member(bruno, org, carla.id)
    db.session.rollback()
    services.remove_member(anna, org, carla.id)
    services.leave(bruno, org)
    db.session.commit()
    assert org.member_count == 1 == _members_in_db(org)
    with pytest.raises(OrgConflict, match="not a member"):
        services.leave(bruno, org)
    with pytest.raises(OrgError) as caught:
        services.remove_member(anna, org, carla.id)
    assert caught.value.status == 404


# --- posting on behalf of an organisation -----------------------------------------------------------

def _need(org_id, themes):
    return PostData(title="Serve un doposcuola ad Aurora", body="Mancano spazi.", theme_id=themes[0].id,
                    organisation_id=org_id)


def test_a_member_posts_on_behalf_of_the_organisation(app, anna, bruno, torino, themes, new_org):
    org = new_org(anna, members=[bruno])
    need = post_services.create_need(bruno, torino, _need(org.id, themes))
    db.session.commit()
    assert need.organisation == org
    assert posts_of(org, type(need)) == [need]


def test_posting_for_an_organisation_one_is_not_a_member_of_is_refused(app, anna, carla, torino, themes, new_org):
    org = new_org(anna)
    before = table_counts()
    with pytest.raises(PostForbidden, match="only if you are one of its members") as caught:
        post_services.create_need(carla, torino, _need(org.id, themes))
    assert caught.value.status == 403 and caught.value.field == "organisation"
    db.session.rollback()
    with pytest.raises(PostError, match="Choose one of your organisations"):
        post_services.create_need(carla, torino, _need(999_999, themes))
    db.session.rollback()
    assert table_counts() == before


def test_an_edit_keeps_the_organisation_of_an_author_who_left(app, anna, bruno, torino, themes, new_org):
    org = new_org(anna, members=[bruno])
    need = post_services.create_need(bruno, torino, _need(org.id, themes))
    db.session.commit()
    services.leave(bruno, org)
    db.session.commit()
    post_services.update_post(bruno, need, _need(org.id, themes))
    assert need.organisation_id == org.id
    post_services.update_post(bruno, need, _need(None, themes))
    db.session.commit()
    assert need.organisation_id is None
    with pytest.raises(PostForbidden):
        post_services.update_post(bruno, need, _need(org.id, themes))


def test_deleting_an_organisation_keeps_its_posts(app, anna, torino, themes, new_org):
    org = new_org(anna)
    need = post_services.create_need(anna, torino, _need(org.id, themes))
    db.session.commit()
    db.session.delete(db.session.get(Organisation, org.id))
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Post, need.id).organisation_id is None


def test_can_lead_codesign_needs_verification(app, anna, mod_torino, new_org):
    org = new_org(anna, partita_iva=PIVA_B)
    assert not permissions.can_lead_codesign(org)
    services.verify(mod_torino, org)
    assert permissions.can_lead_codesign(org)
