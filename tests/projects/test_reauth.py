"""Changing public money needs a recent password: after CIVIC_REAUTH_MINUTES the change is held on a
page that asks for it, keeping what was submitted; the right password sends it all again."""
from __future__ import annotations

import re
import time
from decimal import Decimal

import pytest
from sqlalchemy import select

from civic.extensions import db
from civic.projects import services
from civic.projects.models import Payment
from tests.conftest import PASSWORD, table_counts
from tests.posts.helpers import english
from tests.projects.conftest import MODERATOR, RESIDENT, money, user

PAYMENT = {"p-made_on": "2024-04-01", "p-amount": "1.500,00", "p-description": "Primo SAL"}


@pytest.fixture
def committed(project):
    services.add_commitment(user(MODERATOR), project, money("10000"))
    db.session.commit()
    return project


def _age_the_confirmation(client, minutes: int) -> None:
    with client.session_transaction() as session:
        session["password_confirmed_at"] = int(time.time()) - minutes * 60


def _carried(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html))


def test_a_payment_after_a_while_asks_for_the_password_and_loses_nothing(client, app, committed):
    project = committed
    client.login(MODERATOR)
    english(client)
    _age_the_confirmation(client, app.config["REAUTH_MINUTES"] + 1)
    before = table_counts()
    asked = client.submit(f"/projects/{project.id}/payments", PAYMENT)
    assert asked.status_code == 200
    html = asked.get_data(as_text=True)
    assert "Confirm your password" in html and 'name="reauth_password"' in html
    carried = _carried(html)
    assert {k: carried[k] for k in PAYMENT} == PAYMENT and carried["csrf_token"]
    assert table_counts() == before

    wrong = client.post(f"/projects/{project.id}/payments", data={**carried, "reauth_password": "nope"})
    assert wrong.status_code == 422 and "The password is not correct." in wrong.get_data(as_text=True)
    assert table_counts() == before

    done = client.post(f"/projects/{project.id}/payments", data={**carried, "reauth_password": PASSWORD})
    assert done.status_code == 302
    assert db.session.scalars(select(Payment)).one().amount == Decimal("1500.00")
    # Confirmed now: the next change within the window goes through at once.
    again = client.submit(f"/projects/{project.id}/payments", {**PAYMENT, "p-description": "Secondo SAL"})
    assert again.status_code == 302
    assert len(db.session.scalars(select(Payment)).all()) == 2


def test_just_after_login_nothing_is_asked(client, committed):
    project = committed
    client.login(MODERATOR)
    assert client.submit(f"/projects/{project.id}/payments", PAYMENT).status_code == 302


def test_who_may_not_change_money_is_refused_before_any_password_is_asked(client, app, project, anna):
    client.login(RESIDENT)
    _age_the_confirmation(client, app.config["REAUTH_MINUTES"] + 1)
    response = client.submit(f"/projects/{project.id}/payments", PAYMENT)
    assert response.status_code == 403
    assert "reauth_password" not in response.get_data(as_text=True)
