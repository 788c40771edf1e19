"""Start-up support plans through the services: the hook, the mentor rule, milestones → gates → fund."""
from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from civic.audit.models import AuditEvent
from civic.extensions import db
from civic.posts import lifecycle
from civic.startup import services
from civic.startup.models import SupportMilestone, SupportPlan, TeamMember, TeamOrganisation
from tests.conftest import table_counts
from tests.startup.conftest import CF_B, MODERATOR, OTHER_MODERATOR, pdf_bytes, user


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_hook_creates_one_plan_with_the_author_in_the_team(plan, idea):
    assert plan.idea_id == idea.id and plan.city_id == idea.city_id
    members = db.session.scalars(select(TeamMember).where(TeamMember.plan_id == plan.id)).all()
    assert [(m.user_id, m.role) for m in members] == [(idea.author_id, "proposer")]
    # Idempotent: opening again (or entering the status again) gives the same plan.
    assert services.open_for_idea(idea) is plan
    assert _count(SupportPlan) == 1 and _count(TeamMember) == 1


def test_admitted_organisations_join_the_team(idea, make_user, new_org):
    from civic.codesign import participation
    from civic.codesign import services as codesign
    from tests.calls.conftest import days
    from tests.codesign.conftest import interest_data, stage_plan

    moderator = user(MODERATOR)
    for action in ("review", "shortlist", "select"):
        lifecycle.perform(moderator, idea, action, "Risposta")
    db.session.commit()
    process = codesign.process_for_idea(idea)
    codesign.update_process(moderator, process, codesign.ProcessData(
        title=process.title, summary="Sintesi", stages=stage_plan("codesign_table")))
    db.session.commit()
    org_admin = make_user(email="ente@example.it", name="Ente Admin")
    org = new_org(org_admin)
    interest = participation.express_interest(org_admin, process, interest_data(org), on=days(-40))
    db.session.commit()
    participation.decide(moderator, interest, True, "Ammesso", on=days(-20))
    db.session.commit()
    for action in ("start_codesign", "start_support"):
        lifecycle.perform(moderator, idea, action, "Risposta")
    db.session.commit()
    plan = services.plan_for_idea(idea)
    orgs = db.session.scalars(select(TeamOrganisation.organisation_id).where(TeamOrganisation.plan_id == plan.id)).all()
    assert orgs == [org.id]


def test_mentor_must_be_a_city_moderator_or_a_member_of_a_verified_organisation(plan, make_user, new_org, anna):
    moderator = user(MODERATOR)
    stranger = make_user(email="nessuno@example.it", name="Nessuno")
    unverified_admin = make_user(email="ente.nuovo@example.it", name="Ente Nuovo")
    new_org(unverified_admin, name="Ente Nuovo APS", codice_fiscale=CF_B)
    for candidate in (stranger, unverified_admin, user(OTHER_MODERATOR)):
        before = table_counts()
        with force_locale("en"), pytest.raises(services.StartupError) as refused:
            services.update_plan(moderator, plan, services.PlanData(mentor_email=candidate.email))
        assert "mentor must be a moderator of Torino or a member of a verified organisation" in str(refused.value)
        db.session.rollback()
        assert table_counts() == before
    services.update_plan(moderator, plan, services.PlanData(mentor_email=moderator.email))
    db.session.commit()
    assert plan.mentor_id == moderator.id


def test_only_moderators_of_the_city_edit_the_plan(plan, anna):
    for who in (anna, user(OTHER_MODERATOR)):
        with pytest.raises(services.StartupForbidden):
            services.update_plan(who, plan, services.PlanData(tutoring=True))


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-5"), Decimal("1.234"), Decimal("100000000000")])
def test_bad_grant_is_refused(plan, amount):
    with pytest.raises(services.StartupError):
        services.update_plan(user(MODERATOR), plan, services.PlanData(grant_amount=amount))


def test_space_needs_its_place(plan):
    with force_locale("en"), pytest.raises(services.StartupError) as refused:
        services.update_plan(user(MODERATOR), plan, services.PlanData(space=True, space_place="  "))
    assert refused.value.field == "space_place"
    services.update_plan(user(MODERATOR), plan, services.PlanData(
        space=True, space_place="Ex Manifattura Tabacchi, corso Regio Parco 142", grant_amount=Decimal("15000.50")))
    db.session.commit()
    db.session.refresh(plan)
    assert plan.grant_amount == Decimal("15000.50") and plan.space


def _milestone(plan, moderator, title="Prototipo del servizio"):
    milestone = services.add_milestone(moderator, plan, services.MilestoneData(title, date(2027, 3, 31),
                                                                               "Un prototipo provato da 10 famiglie"))
    db.session.commit()
    return milestone


def test_milestones_gates_and_fund(with_mentor, mentor_org, anna, idea):
    plan, moderator = with_mentor, user(MODERATOR)
    first, second = _milestone(plan, mentor_org, "Prototipo"), _milestone(plan, moderator, "Piano economico")
    gate1 = services.add_gate(moderator, plan, "Verifica del prototipo", [first.id])
    gate2 = services.add_gate(moderator, plan, "Verifica finale", [second.id])
    db.session.commit()
    assert (gate1.position, gate2.position) == (1, 2)

    # Before the last gate: the plan's fund and the lifecycle's own "fund" are refused (409), nothing changes.
    before = table_counts()
    with force_locale("en"), pytest.raises(services.StartupConflict) as refused:
        services.fund(moderator, plan, "Finanziata")
    assert "stage gates not passed" in str(refused.value)
    db.session.rollback()
    with pytest.raises(services.StartupConflict):
        lifecycle.perform(moderator, idea, "fund", "Finanziata")
    db.session.rollback()
    assert table_counts() == before and idea.status == "in_startup"

    # A gate needs its milestones approved, in order.
    with pytest.raises(services.StartupConflict):
        services.approve_gate(moderator, gate1)
    with pytest.raises(services.StartupConflict):
        services.approve_milestone(mentor_org, first)  # nothing submitted yet
    services.submit_milestone(anna, first, "Il prototipo è stato provato",
                              FileStorage(stream=io.BytesIO(pdf_bytes()), filename="../../rapporto.pdf"))
    services.approve_milestone(mentor_org, first)
    db.session.commit()
    assert first.is_approved and first.evidence[0].original_name == "rapporto.pdf"
    with pytest.raises(services.StartupConflict):
        services.approve_gate(moderator, gate2)  # earlier gate first
    services.approve_gate(moderator, gate1)
    db.session.commit()
    with pytest.raises(services.StartupConflict):
        services.fund(moderator, plan, "Finanziata")
    db.session.rollback()
    services.submit_milestone(anna, second, "Piano consegnato")
    services.approve_milestone(moderator, second)
    services.approve_gate(moderator, gate2)
    db.session.commit()
    with pytest.raises(services.StartupForbidden):
        services.fund(mentor_org, plan, "Finanziata")
    services.fund(moderator, plan, "Il progetto è finanziato")
    db.session.commit()
    db.session.refresh(idea)
    assert idea.status == "funded"
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"startup.plan_updated", "startup.milestone_approved", "startup.gate_added", "startup.gate_approved",
            "idea.fund"} <= actions


def test_a_gate_names_milestones_of_its_plan(plan):
    with pytest.raises(services.StartupError):
        services.add_gate(user(MODERATOR), plan, "Verifica", [])
    with pytest.raises(services.StartupError):
        services.add_gate(user(MODERATOR), plan, "Verifica", [12345])


def test_only_the_team_submits_and_only_mentor_or_moderators_approve(with_mentor, mentor_org, anna, bruno):
    milestone = _milestone(with_mentor, user(MODERATOR))
    for who in (bruno, mentor_org, user(OTHER_MODERATOR)):
        with pytest.raises(services.StartupForbidden):
            services.submit_milestone(who, milestone, "Fatto")
    services.submit_milestone(anna, milestone, "Fatto")
    for who in (anna, bruno, user(OTHER_MODERATOR)):
        with pytest.raises(services.StartupForbidden):
            services.approve_milestone(who, milestone)


@pytest.mark.parametrize("data,name", [(b"MZ\x90\x00 not a document", "evidenza.pdf"), (b"", "vuoto.pdf"),
                                       (b"<html><script>alert(1)</script>", "pagina.png")])
def test_evidence_files_are_checked_from_their_content(plan, anna, data, name):
    milestone = _milestone(plan, user(MODERATOR))
    before = table_counts()
    with pytest.raises(services.RuleError) as refused:
        services.submit_milestone(anna, milestone, "Fatto", FileStorage(stream=io.BytesIO(data), filename=name))
    assert refused.value.status == 422
    db.session.rollback()
    assert table_counts() == before
    assert db.session.get(SupportMilestone, milestone.id).status == "open"


def test_updates_notify_followers_and_notes_notify_no_one(with_mentor, mentor_org, anna, bruno, idea):
    from civic.notifications import follows
    from civic.notifications.models import Notification

    follows.follow(bruno, "idea", idea.id)
    db.session.commit()
    before = _count(Notification)
    services.add_note(anna, with_mentor, "Nota riservata Zqxprivatenote")
    db.session.commit()
    assert _count(Notification) == before
    services.add_update(anna, with_mentor, "Abbiamo **aperto** lo sportello")
    db.session.commit()
    notes = db.session.scalars(select(Notification).where(Notification.event == "startup.update")).all()
    assert [n.recipient_id for n in notes] == [bruno.id]
    with pytest.raises(services.StartupForbidden):
        services.add_update(bruno, with_mentor, "Non sono nel team")
    with pytest.raises(services.StartupForbidden):
        services.add_note(bruno, with_mentor, "Non sono nel team")
