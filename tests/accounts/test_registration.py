"""Registration, login and logout through the pages, with bad input."""
from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from civic.accounts.models import User
from civic.extensions import db
from tests.conftest import PASSWORD, table_counts


def registration(**overrides) -> dict:
    data = {
        "display_name": "Anna Rossi",
        "email": "anna@example.it",
        "password": PASSWORD,
        "password_confirm": PASSWORD,
        "home_city": "",
        "home_neighbourhood": "",
        "accept_privacy": "y",
    }
    data.update(overrides)
    return data


def test_register_creates_a_resident_logs_in_and_sends_confirmation(client, make_city, caplog):
    city = make_city("Torino", neighbourhoods=("Aurora", "Vanchiglia"))
    aurora = city.neighbourhoods[0]
    with caplog.at_level(logging.INFO, logger="civic.mail"):
        response = client.submit("/account/register", registration(
            email="  Anna@Example.IT ", home_city=str(city.id), home_neighbourhood=str(aurora.id)))
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/")
    user = db.session.scalar(select(User).where(User.email == "anna@example.it"))
    assert user.role == "resident" and user.home_city_id == city.id and user.home_neighbourhood_id == aurora.id
    assert user.password_hash.startswith("scrypt:") and PASSWORD not in user.password_hash
    assert not user.email_confirmed
    assert "Anna Rossi" in client.get("/account/").get_data(as_text=True)
    mail = next(r for r in caplog.records if r.name == "civic.mail")
    assert mail.to == "anna@example.it" and "/account/confirm/" in mail.body

    link = mail.body.split("http://civic.test", 1)[1].split()[0]
    assert client.get(link).status_code == 302
    db.session.refresh(user)
    assert user.email_confirmed


@pytest.mark.parametrize("overrides, field, message", [
    ({"email": "not-an-email"}, "email", "Enter a valid email address"),
    ({"email": "anna@"}, "email", "Enter a valid email address"),
    ({"password": "short", "password_confirm": "short"}, "password", "at least 10 characters"),
    ({"password_confirm": "something-else-entirely"}, "password_confirm", "do not match"),
    # Long enough, and still among the first a guesser tries: common, a run of keys, one's own name.
    ({"password": "basketball2024!", "password_confirm": "basketball2024!"}, "password", "too easy to guess"),
    ({"password": "Password12345", "password_confirm": "Password12345"}, "password", "too easy to guess"),
    ({"password": "qwertyuiop", "password_confirm": "qwertyuiop"}, "password", "too easy to guess"),
    ({"password": "1234567890", "password_confirm": "1234567890"}, "password", "too easy to guess"),
    ({"password": "abcabcabcabc", "password_confirm": "abcabcabcabc"}, "password", "too easy to guess"),
    ({"password": "forzanapoli1926", "password_confirm": "forzanapoli1926"}, "password", "too easy to guess"),
    ({"password": "Anna Rossi 1990", "password_confirm": "Anna Rossi 1990"}, "password", "too easy to guess"),
    ({"password": "anna@example.it", "password_confirm": "anna@example.it"}, "password", "too easy to guess"),
    ({"display_name": "A" * 10_000}, "display_name", "at most 80 characters"),
    ({"display_name": "Anna\x00Rossi"}, "display_name", "not allowed"),
    ({"display_name": "Anna \u202eissoR"}, "display_name", "not allowed"),
    ({"display_name": "   "}, "display_name", "Enter the name others will see"),
    ({"email": ""}, "email", "Enter your email address"),
    ({"home_city": "999999"}, "home_city", "Not a valid choice"),
    ({"home_city": "abc"}, "home_city", "Not a valid choice"),
])
def test_bad_registration_is_refused_with_a_clear_message_and_nothing_changes(client, app, overrides, field, message):
    client.application.config["BABEL_DEFAULT_LOCALE"] = "en"
    client.submit("/language", {"locale": "en"})
    before = table_counts()
    response = client.submit("/account/register", registration(**overrides))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert f'id="{field}-error"' in html and 'aria-invalid="true"' in html
    assert "Traceback" not in html
    assert table_counts() == before


def test_taken_email_is_refused_whatever_its_case(client, make_user):
    make_user(email="anna@example.it")
    before = table_counts()
    response = client.submit("/account/register", registration(email="ANNA@example.it"))
    assert response.status_code == 422
    assert "esiste già un account" in response.get_data(as_text=True).lower()
    assert table_counts() == before


def test_neighbourhood_must_belong_to_the_chosen_city(client, make_city):
    torino = make_city("Torino", neighbourhoods=("Aurora",))
    palermo = make_city("Palermo", region="Sicilia", neighbourhoods=("Danisinni",))
    before = table_counts()
    response = client.submit("/account/register", registration(
        home_city=str(torino.id), home_neighbourhood=str(palermo.neighbourhoods[0].id)))
    assert response.status_code == 422
    assert table_counts() == before


def test_registration_without_csrf_token_is_rejected(client):
    before = table_counts()
    response = client.post("/account/register", data=registration())
    assert response.status_code == 400
    assert table_counts() == before


def test_login_wrong_password_and_unknown_email_get_the_same_answer(client, make_user):
    make_user(email="anna@example.it")
    wrong_password = client.submit("/account/login", {"email": "anna@example.it", "password": "not-the-password"})
    unknown_email = client.submit("/account/login", {"email": "nobody@example.it", "password": "not-the-password"})
    assert wrong_password.status_code == unknown_email.status_code == 422
    message = "L&#39;email o la password non sono corrette."
    assert message in wrong_password.get_data(as_text=True)
    assert message in unknown_email.get_data(as_text=True)
    assert "nobody@example.it" in unknown_email.get_data(as_text=True)  # the typed address is kept
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_login_renews_the_session_and_logout_ends_it(client, make_user):
    make_user(email="anna@example.it")
    with client.session_transaction() as session:
        session["planted"] = "by-an-attacker"
    client.login("anna@example.it")
    with client.session_transaction() as session:
        assert "planted" not in session and session["_user_id"]
    assert client.get("/account/").status_code == 200
    response = client.submit("/account/logout")
    assert response.status_code == 302
    assert client.get("/account/").status_code == 302  # back to the login page


def test_inactive_accounts_cannot_log_in(client, make_user):
    user = make_user(email="anna@example.it")
    user.active = False
    db.session.commit()
    response = client.submit("/account/login", {"email": "anna@example.it", "password": PASSWORD})
    assert response.status_code == 422


@pytest.mark.parametrize("target", [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "http:/evil.example",
    "/\r\nLocation: https://evil.example",
])
def test_login_next_only_redirects_within_the_site(client, make_user, target):
    make_user(email="anna@example.it")
    token = client.csrf_token()
    response = client.post("/account/login", query_string={"next": target},
                           data={"email": "anna@example.it", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location in ("/", "http://civic.test/")


def test_login_next_to_a_page_of_the_site(client, make_user):
    make_user(email="anna@example.it")
    token = client.csrf_token()
    response = client.post("/account/login", query_string={"next": "/cities/?x=1"},
                           data={"email": "anna@example.it", "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/cities/?x=1"


def test_pages_that_need_login_send_to_the_login_page(client):
    response = client.get("/account/")
    assert response.status_code == 302
    assert "/account/login?next=" in response.headers["Location"]


def test_public_profile_shows_name_not_email(client, make_user):
    user = make_user(email="anna@example.it", name="Anna Rossi")
    html = client.get(f"/users/{user.id}").get_data(as_text=True)
    assert "Anna Rossi" in html and "anna@example.it" not in html
    assert client.get("/users/999999").status_code == 404


def test_profile_update(client, make_user, make_city):
    city = make_city("Bari", region="Puglia", neighbourhoods=("Japigia",))
    user = make_user(email="anna@example.it")
    client.login("anna@example.it")
    response = client.submit("/account/", {"display_name": "Anna R.", "home_city": str(city.id),
                                           "home_neighbourhood": str(city.neighbourhoods[0].id)})
    assert response.status_code == 302
    assert user.display_name == "Anna R." and user.home_neighbourhood_id == city.neighbourhoods[0].id
    response = client.submit("/account/", {"display_name": "x", "home_city": "", "home_neighbourhood": ""})
    assert response.status_code == 422
    assert user.display_name == "Anna R."


def test_a_passphrase_of_unrelated_words_is_welcome(client):
    response = client.submit("/account/register", registration(password="tre parole a caso",
                                                               password_confirm="tre parole a caso"))
    assert response.status_code == 302
