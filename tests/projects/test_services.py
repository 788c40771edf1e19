"""The rules of funded projects: money, CUP, milestones, indicators, the lifecycle hook, the audit
log and the notifications."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from civic.audit.models import AuditEvent
from civic.core.rules import RuleError
from civic.extensions import db
from civic.notifications import follows
from civic.notifications.models import Notification
from civic.posts import lifecycle
from civic.projects import services
from civic.projects.models import Commitment, FundedProject, Payment, ProjectStatus
from tests.projects.conftest import CUP, MODERATOR, money, project_data, user


def refused(action, cls=RuleError) -> str:
    with force_locale("en"):
        with pytest.raises(cls) as error:
            action()
        db.session.rollback()
        return str(error.value.message)


def audit_actions(project) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.target_kind == "project",
                                                                   AuditEvent.target_id == project.id)
                                   .order_by(AuditEvent.id)))


# --- money --------------------------------------------------------------------------------------

def test_commitments_and_payments_keep_their_totals(project):
    mod = user(MODERATOR)
    services.add_commitment(mod, project, money("60.000,00", description="Convenzione con il capofila"))
    services.add_commitment(mod, project, money("40000"))
    services.add_payment(mod, project, money("1,234.56"))
    services.add_payment(mod, project, money("765,44"))
    db.session.commit()
    db.session.refresh(project)
    assert project.committed_total == Decimal("100000.00")
    assert project.paid_total == Decimal("2000.00")
    assert project.committed_total == db.session.scalar(select(func.sum(Commitment.amount)))
    assert project.paid_total == db.session.scalar(select(func.sum(Payment.amount)))
    assert audit_actions(project) == ["project.create"] + ["project.commitment"] * 2 + ["project.payment"] * 2


def test_commitments_cannot_exceed_the_funding(project):
    mod = user(MODERATOR)
    services.add_commitment(mod, project, money("90.000,00"))
    db.session.commit()
    message = refused(lambda: services.add_commitment(mod, project, money("10.000,01")))
    assert "would exceed the public funding" in message
    assert db.session.scalar(select(func.count()).select_from(Commitment)) == 1


def test_payments_cannot_exceed_the_commitments(project):
    mod = user(MODERATOR)
    services.add_commitment(mod, project, money("1.000,00"))
    db.session.commit()
    message = refused(lambda: services.add_payment(mod, project, money("1.000,01")))
    assert "would exceed the commitments" in message
    db.session.refresh(project)
    assert project.paid_total == 0


def test_an_explained_exception_is_recorded(project):
    mod = user(MODERATOR)
    message = refused(lambda: services.add_payment(mod, project, money("500", exception=True)))
    assert message == "Explain why this exception to the rule is correct."
    services.add_payment(mod, project, money("500", exception=True,
                                             exception_reason="Anticipo previsto dalla convenzione"))
    db.session.commit()
    db.session.refresh(project)
    assert project.paid_total == Decimal("500.00") and project.committed_total == 0
    assert project.payments[0].exception_reason == "Anticipo previsto dalla convenzione"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "project.payment"))
    assert event.reason == "Anticipo previsto dalla convenzione" and event.city_id == project.city_id


@pytest.mark.parametrize("amount, message", [
    ("0", "greater than zero"), ("0,00", "greater than zero"), ("-10", "without a sign"),
    ("10,555", "ambiguous"), ("10,5555", "two decimals"), ("dieci", "digits only"), ("", "Enter an amount"),
])
def test_bad_amounts(project, amount, message):
    assert message in refused(lambda: services.add_commitment(user(MODERATOR), project, money(amount)))


def test_only_the_city_moderators_manage(project, people, make_user, palermo):
    from tests.projects.conftest import OTHER_MODERATOR

    for email in (OTHER_MODERATOR, "anna@example.it"):
        who = user(email) if email == OTHER_MODERATOR else make_user(email=email)
        message = refused(lambda who=who: services.add_payment(who, project, money("10")), services.ProjectForbidden)
        assert "Only the moderators of Torino" in message


# --- CUP and codes ------------------------------------------------------------------------------

@pytest.mark.parametrize("cup, message", [
    ("D11B1600023000", "15 characters (you entered 14)"),
    ("111B16000230007", "not valid"),
    ("D1XB16000230007", "not valid"),
    ("D11B1600023000X", "not valid"),
])
def test_cup_format(people, torino, cup, message):
    assert message in refused(lambda: services.create_project(user(MODERATOR), torino, project_data(cup=cup)))


def test_cup_is_unique_and_never_changes(people, torino):
    mod = user(MODERATOR)
    made = services.create_project(mod, torino, project_data(cup=" d11b16000230007 "))
    assert made.cup == CUP
    db.session.commit()
    message = refused(lambda: services.create_project(mod, torino, project_data(cup=CUP)), services.ProjectConflict)
    assert message == f"The CUP {CUP} is already used by another project."
    message = refused(lambda: services.update_project(mod, made, project_data(cup="E11B16000230007")))
    assert "never changes" in message
    # Without a CUP (not yet assigned), several projects are fine.
    services.create_project(mod, torino, project_data(cup=""))
    services.create_project(mod, torino, project_data(cup=""))
    db.session.commit()


def test_local_code_unique_per_programme(people, torino, programme):
    mod = user(MODERATOR)
    services.create_project(mod, torino, project_data(local_code="to4.4.11.1.b", programme_id=programme.id))
    db.session.commit()
    message = refused(lambda: services.create_project(
        mod, torino, project_data(local_code="TO4.4.11.1.b", programme_id=programme.id)), services.ProjectConflict)
    assert "TO4.4.11.1.B is already used" in message


def test_beneficiary_defaults_to_the_municipality_and_its_tax_code_is_checked(people, torino):
    mod = user(MODERATOR)
    made = services.create_project(mod, torino, project_data())
    assert made.beneficiary_name == "Comune di Torino"
    assert "not valid" in refused(lambda: services.create_project(
        mod, torino, project_data(beneficiary_tax_code="00514490011")))
    made = services.create_project(mod, torino, project_data(beneficiary_tax_code="00514490010"))
    assert made.beneficiary_tax_code == "00514490010"


def test_funding_rules(people, torino):
    mod = user(MODERATOR)
    assert "EU share cannot exceed" in refused(lambda: services.create_project(
        mod, torino, project_data(funding_total="100", eu_share="101")))
    assert "actual end date" in refused(lambda: services.create_project(mod, torino, project_data(status="completed")))


def test_lowering_the_funding_below_the_commitments_needs_an_exception(project):
    mod = user(MODERATOR)
    services.add_commitment(mod, project, money("50000"))
    db.session.commit()
    assert "lower than what is already committed" in refused(
        lambda: services.update_project(mod, project, project_data(funding_total="40.000,00", eu_share="0")))
    services.update_project(mod, project, project_data(funding_total="40.000,00", eu_share="0", exception=True,
                                                       exception_reason="Definanziamento parziale"))
    db.session.commit()
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "project.update")).one()
    assert "funding 100000.00 → 40000.00" in event.summary and event.reason == "Definanziamento parziale"


# --- milestones and indicators ------------------------------------------------------------------

def test_milestone_weights_and_progress(project):
    mod = user(MODERATOR)
    first = services.add_milestone(mod, project, "Apertura dello sportello", date(2024, 3, 1), 30)
    db.session.commit()
    assert "weights of the milestones make 30" in refused(
        lambda: services.complete_milestone(mod, first), services.ProjectConflict)
    assert "would make 101" in refused(lambda: services.add_milestone(mod, project, "Troppo", date(2024, 4, 1), 71))
    assert "from 1 to 100" in refused(lambda: services.add_milestone(mod, project, "Zero", date(2024, 4, 1), 0))
    services.add_milestone(mod, project, "Dieci alloggi assegnati", date(2025, 3, 1), 70)
    db.session.commit()
    services.complete_milestone(mod, first)
    db.session.commit()
    db.session.refresh(project)
    assert project.progress == 30
    assert "already reached" in refused(lambda: services.complete_milestone(mod, first), services.ProjectConflict)


def test_indicators(project):
    mod = user(MODERATOR)
    indicator = services.save_indicator(mod, project, services.IndicatorData(
        code="eeco16", name="Persone senza dimora prese in carico", unit="persone", target="120", achieved="60",
        women=25, men=35))
    db.session.commit()
    assert indicator.code == "EECO16" and indicator.percent == 50
    assert "more than the value achieved" in refused(lambda: services.save_indicator(
        mod, project, services.IndicatorData(code="CO40", name="Alloggi", unit="alloggi", target="10", achieved="1",
                                             women=1, men=1)))
    assert "already has an indicator EECO16" in refused(lambda: services.save_indicator(
        mod, project, services.IndicatorData(code="EECO16", name="Doppio", unit="persone", target="1")),
        services.ProjectConflict)
    services.save_indicator(mod, project, services.IndicatorData(
        code="EECO16", name="Persone senza dimora prese in carico", unit="persone", target="120", achieved="90"),
        indicator)
    db.session.commit()
    assert indicator.percent == 75


# --- the lifecycle hook, updates and notifications ----------------------------------------------

def fund(moderator, idea) -> None:
    for action in ("review", "shortlist", "select", "start_codesign", "start_support", "fund"):
        lifecycle.perform(moderator, idea, action, f"Risposta pubblica: {action}")
    db.session.commit()


def test_funding_an_idea_creates_its_project_once(people, anna, torino, new_idea):
    mod = user(MODERATOR)
    idea = new_idea(anna, torino, title="Portierato sociale alle Vallette", neighbourhood=torino.neighbourhoods[0])
    fund(mod, idea)
    made = db.session.scalars(select(FundedProject)).one()
    assert (made.idea_id, made.title, made.city_id) == (idea.id, idea.title, torino.id)
    assert made.status == ProjectStatus.NOT_STARTED and made.beneficiary_name == "Comune di Torino"
    assert [n.id for n in made.neighbourhoods] == [torino.neighbourhoods[0].id]
    assert follows.is_following(anna, "project", made.id)
    # Idempotent: called again (the start-up support moves the same way), no second project.
    assert services.create_for_idea(mod, idea).id == made.id
    assert db.session.scalar(select(func.count()).select_from(FundedProject)) == 1


def test_updates_and_status_changes_notify_the_followers(project, bruno):
    mod = user(MODERATOR)
    follows.follow(bruno, "project", project.id)
    db.session.commit()
    db.session.refresh(project)
    assert project.follower_count == 1
    services.post_update(mod, project, "Lo sportello è **aperto**.")
    services.update_project(mod, project, project_data(status="completed", ended_on=date(2026, 6, 30)))
    db.session.commit()
    events = list(db.session.scalars(select(Notification.event).where(Notification.recipient_id == bruno.id)
                                     .order_by(Notification.id)))
    assert events == ["project.update", "project.status"]
    assert "<strong>aperto</strong>" in project.updates[0].body_html
    assert "project.update_posted" in audit_actions(project)
    status_entry = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "project.update")).one()
    assert "status in_progress → completed" in status_entry.summary and status_entry.city_id == project.city_id
