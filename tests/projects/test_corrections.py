"""Corrections of a funded project's money and milestones: editing and deleting a commitment, a
payment or a milestone not yet reached, with a reason in the audit log, the totals recomputed and
the money rules kept; refusals leave the database unchanged. Also the indicators' edit page."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from civic.audit.models import AuditEvent
from civic.core.rules import RuleError
from civic.extensions import db
from civic.projects import services
from civic.projects.models import Commitment, Indicator, Milestone, Payment
from tests.conftest import table_counts
from tests.posts.helpers import english
from tests.projects.conftest import MODERATOR, OTHER_MODERATOR, money, project_data, user
from tests.projects.test_services import refused


def url(project) -> str:
    return f"/projects/{project.id}-{project.display_slug}"


def audit_rows(project, action):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.target_kind == "project",
                                                       AuditEvent.target_id == project.id,
                                                       AuditEvent.action == action)
                              .order_by(AuditEvent.id)).all()


@pytest.fixture
def funded(project):
    """The project (100.000 € of public funding) with two commitments and one payment."""
    mod = user(MODERATOR)
    first = services.add_commitment(mod, project, money("60.000,00", description="Convenzione"))
    second = services.add_commitment(mod, project, money("30.000,00", description="Seconda convenzione"))
    paid = services.add_payment(mod, project, money("50.000,00", description="Primo SAL"))
    db.session.commit()
    return project, first, second, paid


def totals(project):
    db.session.refresh(project)
    assert project.committed_total == db.session.scalar(select(func.coalesce(func.sum(Commitment.amount), 0)))
    assert project.paid_total == db.session.scalar(select(func.coalesce(func.sum(Payment.amount), 0)))
    return project.committed_total, project.paid_total


# --- services -----------------------------------------------------------------------------------

def test_editing_a_commitment_recomputes_the_totals_and_logs_before_and_after(funded):
    project, first, _second, _paid = funded
    mod = user(MODERATOR)
    services.correct_money(mod, project, first, money("55.000,50", made_on=date(2024, 3, 2),
                                                      description="Convenzione rettificata"),
                           "Importo sbagliato nella determina")
    db.session.commit()
    assert totals(project) == (Decimal("85000.50"), Decimal("50000.00"))
    db.session.refresh(first)
    assert (first.made_on, first.amount, first.description) == (date(2024, 3, 2), Decimal("55000.50"),
                                                                  "Convenzione rettificata")
    [row] = audit_rows(project, "project.commitment_corrected")
    assert row.reason == "Importo sbagliato nella determina"
    assert "2024-03-01, 60000.00 €, «Convenzione» → 2024-03-02, 55000.50 €, «Convenzione rettificata»" in row.summary


def test_deleting_a_payment_and_a_commitment(funded):
    project, first, second, paid = funded
    mod = user(MODERATOR)
    services.delete_money(mod, project, paid, "Pagamento registrato due volte")
    db.session.commit()
    assert totals(project) == (Decimal("90000.00"), Decimal("0.00"))
    services.delete_money(mod, project, second, "Convenzione annullata")
    db.session.commit()
    assert totals(project) == (Decimal("60000.00"), Decimal("0.00"))
    assert [r.reason for r in audit_rows(project, "project.payment_deleted")] == ["Pagamento registrato due volte"]
    [row] = audit_rows(project, "project.commitment_deleted")
    assert row.reason == "Convenzione annullata" and "30000.00 €" in row.summary and "deleted" in row.summary


@pytest.mark.parametrize("action, message", [
    (lambda mod, p, c1, c2, pay: services.correct_money(mod, p, c1, money("70.000,01"), "Rettifica"),
     "would exceed the public funding"),
    (lambda mod, p, c1, c2, pay: services.correct_money(mod, p, c1, money("19.999,99"), "Rettifica"),
     "the payments (50000.00 €) would exceed the commitments (49999.99 €)"),
    (lambda mod, p, c1, c2, pay: services.delete_money(mod, p, c1, "Errore"),
     "the payments (50000.00 €) would exceed the commitments (30000.00 €)"),
    (lambda mod, p, c1, c2, pay: services.correct_money(mod, p, pay, money("90.000,01"), "Rettifica"),
     "the payments (90000.01 €) would exceed the commitments (90000.00 €)"),
    (lambda mod, p, c1, c2, pay: services.correct_money(mod, p, pay, money("10,555"), "Rettifica"), "ambiguous"),
    (lambda mod, p, c1, c2, pay: services.correct_money(mod, p, pay, money("10,5555"), "Rettifica"),
     "at most two decimals"),
    (lambda mod, p, c1, c2, pay: services.correct_money(mod, p, pay, money("0"), "Rettifica"), "greater than zero"),
    (lambda mod, p, c1, c2, pay: services.correct_money(mod, p, pay, money("10"), "  "),
     "Explain the reason for this correction."),
    (lambda mod, p, c1, c2, pay: services.delete_money(mod, p, pay, ""), "Explain the reason for this correction."),
    (lambda mod, p, c1, c2, pay: services.delete_money(mod, p, c1, "Errore", exception=True),
     "Explain why this exception to the rule is correct."),
])
def test_corrections_breaking_a_rule_are_refused(funded, action, message):
    project, first, second, paid = funded
    before = table_counts()
    assert message in refused(lambda: action(user(MODERATOR), project, first, second, paid))
    assert table_counts() == before
    assert totals(project) == (Decimal("90000.00"), Decimal("50000.00"))


def test_an_explained_exception_lets_a_correction_through(funded):
    project, first, _second, _paid = funded
    services.delete_money(user(MODERATOR), project, first, "Convenzione revocata", exception=True,
                          exception_reason="Il recupero delle somme è in corso")
    db.session.commit()
    assert totals(project) == (Decimal("30000.00"), Decimal("50000.00"))
    [row] = audit_rows(project, "project.commitment_deleted")
    assert row.reason == "Convenzione revocata\nexception: Il recupero delle somme è in corso"


def test_only_the_city_moderators_correct(funded, anna):
    project, first, _second, _paid = funded
    for email in ("anna@example.it", OTHER_MODERATOR):
        assert "Only the moderators of Torino" in refused(
            lambda email=email: services.correct_money(user(email), project, first, money("1"), "Rettifica"),
            services.ProjectForbidden)
        assert "Only the moderators of Torino" in refused(
            lambda email=email: services.delete_money(user(email), project, first, "Rettifica"),
            services.ProjectForbidden)


def test_milestones_not_yet_reached_are_changed_or_deleted(project):
    mod = user(MODERATOR)
    first = services.add_milestone(mod, project, "Avvio", date(2025, 1, 1), 40)
    second = services.add_milestone(mod, project, "Conclusione", date(2025, 6, 1), 60)
    db.session.commit()
    assert "would make 101" in refused(
        lambda: services.update_milestone(mod, project, first, "Avvio", date(2025, 1, 1), 41))
    services.update_milestone(mod, project, first, "Avvio del cantiere", date(2025, 2, 1), 30)
    db.session.commit()
    assert (first.title, first.weight) == ("Avvio del cantiere", 30)
    services.update_milestone(mod, project, second, "Conclusione", date(2025, 6, 1), 70)
    services.complete_milestone(mod, second)
    db.session.commit()
    assert "already reached" in refused(lambda: services.delete_milestone(mod, project, second), RuleError)
    assert "already reached" in refused(
        lambda: services.update_milestone(mod, project, second, "Fine", date(2025, 6, 1), 70), RuleError)
    services.delete_milestone(mod, project, first)
    db.session.commit()
    assert db.session.scalars(select(Milestone.title)).all() == ["Conclusione"]
    assert audit_rows(project, "project.milestone_deleted") and audit_rows(project, "project.milestone_changed")



# --- pages --------------------------------------------------------------------------------------

def test_a_moderator_corrects_a_commitment_through_its_page(client, funded):
    project, first, _second, _paid = funded
    client.login(MODERATOR)
    english(client)
    page = client.get(url(project)).get_data(as_text=True)
    address = f"/projects/{project.id}/commitments/{first.id}/edit"
    assert address in page
    form = client.get(address)
    assert form.status_code == 200 and "60.000,00" in form.get_data(as_text=True)
    response = client.submit(address, {"e-made_on": "2024-03-01", "e-amount": "59.000,00",
                                       "e-description": "Convenzione", "e-reason": "Refuso"})
    assert response.status_code == 302
    assert totals(project) == (Decimal("89000.00"), Decimal("50000.00"))
    assert audit_rows(project, "project.commitment_corrected")[0].reason == "Refuso"


@pytest.mark.parametrize("data, message", [
    ({"e-amount": "70.000,01"}, "would exceed the public funding"),
    ({"e-amount": "1,234"}, "ambiguous"),
    ({"e-amount": "1,555"}, "ambiguous"),
    ({"e-amount": "1,5555"}, "at most two decimals"),
    ({"e-reason": ""}, "Explain the reason for this correction."),
    ({"e-made_on": ""}, "Enter a date as day, month and year"),
])
def test_a_refused_correction_comes_back_with_its_message(client, funded, data, message):
    project, first, _second, _paid = funded
    client.login(MODERATOR)
    english(client)
    before = table_counts()
    response = client.submit(f"/projects/{project.id}/commitments/{first.id}/edit",
                             {"e-made_on": "2024-03-01", "e-amount": "1000", "e-reason": "Rettifica", **data})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and 'class="invalid-feedback d-block"' in page
    assert table_counts() == before
    assert totals(project) == (Decimal("90000.00"), Decimal("50000.00"))


def test_deleting_through_the_page(client, funded):
    project, first, _second, paid = funded
    paid_id = paid.id
    client.login(MODERATOR)
    english(client)
    before = table_counts()
    response = client.submit(f"/projects/{project.id}/commitments/{first.id}/delete", {"d-reason": "Errore"})
    assert response.status_code == 422
    assert "would exceed the commitments" in response.get_data(as_text=True)
    response = client.submit(f"/projects/{project.id}/payments/{paid.id}/delete", {"d-reason": ""})
    assert response.status_code == 422 and "Explain the reason for this correction." in response.get_data(
        as_text=True)
    assert table_counts() == before
    response = client.submit(f"/projects/{project.id}/payments/{paid.id}/delete", {"d-reason": "Doppione"})
    assert response.status_code == 302
    assert totals(project) == (Decimal("90000.00"), Decimal("0.00"))
    assert client.get(f"/projects/{project.id}/payments/{paid_id}/edit").status_code == 404


def test_csrf_permissions_and_rows_of_other_projects(client, funded, people, torino, anna):
    project, first, _second, paid = funded
    other = services.create_project(user(MODERATOR), torino, project_data(title="Altro progetto di Torino"))
    db.session.commit()
    edit = f"/projects/{project.id}/commitments/{first.id}/edit"
    delete = f"/projects/{project.id}/payments/{paid.id}/delete"
    data = {"e-made_on": "2024-03-01", "e-amount": "1000", "e-reason": "Rettifica", "d-reason": "Rettifica"}
    before = table_counts()
    assert client.get(edit).status_code == 302  # to the login page
    for who in ("anna@example.it", OTHER_MODERATOR):
        client.login(who)
        assert client.get(edit).status_code == 403
        assert client.submit(edit, data).status_code == 403
        assert client.submit(delete, data).status_code == 403
        client.submit("/account/logout")
    client.login(MODERATOR)
    assert client.post(edit, data=data).status_code == 400  # no CSRF token
    assert client.post(delete, data=data).status_code == 400
    assert client.get(f"/projects/{other.id}/commitments/{first.id}/edit").status_code == 404
    assert client.submit(f"/projects/{other.id}/payments/{paid.id}/delete", data).status_code == 404
    assert table_counts() == before
    assert totals(project) == (Decimal("90000.00"), Decimal("50000.00"))


def test_milestones_and_indicators_have_their_edit_pages(client, project):
    mod = user(MODERATOR)
    first = services.add_milestone(mod, project, "Avvio", date(2025, 1, 1), 40)
    second = services.add_milestone(mod, project, "Conclusione", date(2025, 6, 1), 60)
    indicator = services.save_indicator(mod, project, services.IndicatorData(
        code="CO40", name="Alloggi recuperati", unit="alloggi", target="32", achieved="8"))
    services.complete_milestone(mod, second)
    db.session.commit()
    client.login(MODERATOR)
    english(client)
    page = client.get(url(project)).get_data(as_text=True)
    assert f"/projects/{project.id}/milestones/{first.id}/edit" in page
    assert f"/projects/{project.id}/milestones/{second.id}/edit" not in page  # reached
    assert f"/projects/{project.id}/indicators/{indicator.id}/edit" in page
    form = client.get(f"/projects/{project.id}/indicators/{indicator.id}/edit").get_data(as_text=True)
    assert "Alloggi recuperati" in form and f'action="/projects/{project.id}/indicators/{indicator.id}"' in form
    before = table_counts()
    response = client.submit(f"/projects/{project.id}/indicators/{indicator.id}",
                             {"i-code": "CO40", "i-name": "Alloggi recuperati", "i-unit": "alloggi",
                              "i-target": "32", "i-achieved": "1,555"})
    assert response.status_code == 422 and "ambiguous" in response.get_data(as_text=True)
    response = client.submit(f"/projects/{project.id}/milestones/{first.id}/edit",
                             {"e-title": "Avvio", "e-due_on": "2025-01-01", "e-weight": "41"})
    assert response.status_code == 422 and "would make 101" in response.get_data(as_text=True)
    assert table_counts() == before
    assert client.submit(f"/projects/{project.id}/indicators/{indicator.id}",
                         {"i-code": "CO40", "i-name": "Alloggi recuperati", "i-unit": "alloggi", "i-target": "32",
                          "i-achieved": "16"}).status_code == 302
    db.session.refresh(indicator)
    db.session.refresh(project)
    assert indicator.achieved == Decimal("16.00") and project.housing_units == 16
    assert db.session.scalar(select(func.count()).select_from(Indicator)) == 1
    assert client.get(f"/projects/{project.id}/milestones/{second.id}/edit").status_code == 409
    assert client.submit(f"/projects/{project.id}/milestones/{second.id}/delete").status_code == 409
    assert client.post(f"/projects/{project.id}/milestones/{first.id}/delete").status_code == 400
    assert client.submit(f"/projects/{project.id}/milestones/{first.id}/edit",
                         {"e-title": "Avvio lavori", "e-due_on": "2025-02-01", "e-weight": "40"}).status_code == 302
    assert client.submit(f"/projects/{project.id}/milestones/{first.id}/delete").status_code == 302
    assert db.session.scalars(select(Milestone.title)).all() == ["Conclusione"]


def test_the_moderators_page_keeps_a_bounded_query_count(client, funded, count_queries):
    project, _first, _second, _paid = funded
    mod = user(MODERATOR)
    client.login(MODERATOR)
    client.get(url(project))
    with count_queries() as few:
        assert client.get(url(project)).status_code == 200
    for n in range(4):
        services.add_payment(mod, project, money("10", description=f"SAL {n}"))
        services.add_milestone(mod, project, f"Tappa {n}", date(2025, 1, 1), 10)
        services.save_indicator(mod, project, services.IndicatorData(code=f"X{n}", name="Persone", unit="persone",
                                                                     target="10"))
    db.session.commit()
    with count_queries() as many:
        page = client.get(url(project)).get_data(as_text=True)
    assert many.count == few.count
    assert page.count('class="project-payment-edit"') == 5 and page.count('class="project-milestone-edit"') == 4
