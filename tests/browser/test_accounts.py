"""Accounts in the browser: sign-up, log out, log in, wrong password; demo moderator and admin; no JavaScript.

The whole run makes 5 login POSTs (the app's limit per minute and IP address):
2 in the sign-up test's log-in-again and wrong-password steps plus 1 for an unknown
email, 1 as admin, 1 as moderator (the no-JavaScript test).
"""
from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "partecipa-2026"
ADMIN = ("admin@example.it", "Giulia Ferraris")
MODERATOR = ("moderatore.torino@example.it", "Marco Bellini")


def header_account_link(page):
    return page.locator("header a[href$='/account/']")


def log_out(page) -> None:
    with page.expect_navigation():
        page.locator("header form[action$='/account/logout'] button[type=submit]").click()


def test_sign_up_log_out_log_in_and_wrong_password(page, visit, log_in, axe_check):
    run = uuid.uuid4().hex[:10]
    name = f"Prova Browser {run}"
    email = f"browser-{run}@example.it"
    password = f"una frase lunga {run}"

    visit(page, "/account/register")
    axe_check(page)
    page.fill("#display_name", name)
    page.fill("#email", email)
    page.fill("#password", password)
    page.fill("#password_confirm", password)
    page.select_option("#home_city", label="Torino")
    page.select_option("#home_neighbourhood", label="Barriera di Milano")
    page.locator("label[for=accept_privacy]").click()  # Bootstrap Italia draws the box on the label
    expect(page.locator("#accept_privacy")).to_be_checked()
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/account/register")) as posted:
        page.locator("main form button[type=submit]").click()
    assert posted.value.status == 302, f"registration answered {posted.value.status}"
    page.wait_for_url(re.compile(r"/account/$"))
    expect(page.locator(".flash-messages .alert-success")).to_be_visible()
    expect(header_account_link(page)).to_have_text(name)
    assert page.input_value("#display_name") == name
    assert page.locator("#home_city option:checked").inner_text().strip() == "Torino"
    assert page.locator("#home_neighbourhood option:checked").inner_text().strip() == "Barriera di Milano"
    axe_check(page)

    log_out(page)
    expect(page).to_have_url(re.compile(r"/$"))
    expect(header_account_link(page)).to_have_count(0)
    expect(page.locator(".flash-messages .alert")).to_be_visible()
    axe_check(page)

    response = log_in(page, email, password)
    assert response.status == 302, f"login answered {response.status}"
    expect(header_account_link(page)).to_have_text(name)
    expect(page.locator(".flash-messages .alert-success")).to_be_visible()
    axe_check(page)
    log_out(page)

    # A wrong password: the form again, status 422, a message that does not say which part is wrong.
    response = log_in(page, email, "not-the-right-password")
    assert response.status == 422
    expect(page.locator("#form-errors")).to_be_visible()
    wrong_password_message = page.locator("#form-errors").inner_text()
    assert email not in wrong_password_message
    expect(header_account_link(page)).to_have_count(0)
    assert page.input_value("#password") == ""
    axe_check(page)

    # An unknown email gets exactly the same answer.
    response = log_in(page, f"nobody-{run}@example.it", "not-the-right-password")
    assert response.status == 422
    assert page.locator("#form-errors").inner_text() == wrong_password_message
    assert page.locator("#email").get_attribute("aria-invalid") is None
    axe_check(page)


def test_admin_edits_the_neighbourhoods_of_a_city(page, visit, log_in, axe_check):
    email, name = ADMIN
    response = log_in(page, email)
    assert response.status == 302, f"admin login answered {response.status}"
    expect(header_account_link(page)).to_have_text(name)
    axe_check(page)

    visit(page, "/cities/torino")
    edit = page.locator("main a[href$='/cities/torino/neighbourhoods']")
    expect(edit).to_be_visible()
    expect(edit).to_have_text("Modifica i quartieri")
    axe_check(page)

    edit.click()
    page.wait_for_url(re.compile(r"/cities/torino/neighbourhoods$"))
    expect(page.locator("main table")).to_contain_text("Barriera di Milano")
    axe_check(page)

    added = f"Quartiere di prova {uuid.uuid4().hex[:6]}"
    page.fill("#name", added)
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/cities/torino/neighbourhoods")) as posted:
        page.locator("main form:has(#name) button[type=submit]").click()
    assert posted.value.status == 302, f"adding a neighbourhood answered {posted.value.status}"
    page.wait_for_load_state()
    expect(page.locator(".flash-messages .alert-success")).to_contain_text(added)
    expect(page.locator("main table")).to_contain_text(added)
    axe_check(page)

    visit(page, "/cities/torino")
    expect(page.locator("main .neighbourhood-list")).to_contain_text(added)
    axe_check(page)


def test_moderator_logs_in_without_javascript_on_a_phone(new_context, visit, log_in, axe_check_without_js):
    """No JavaScript, 375 px wide: the login form works and the main navigation shows inline (noscript.css)."""
    page = new_context(java_script_enabled=False, viewport={"width": 375, "height": 812}).new_page()
    email, name = MODERATOR
    response = log_in(page, email)
    assert response.status == 302, f"moderator login answered {response.status}"
    expect(header_account_link(page)).to_have_text(name)

    # Home, the needs, ideas and calls of the moderator's own city, moderation, cities, programmes,
    # co-design, the dashboard.
    navigation = page.locator("#main-nav .navbar-nav .nav-link")
    expect(navigation).to_have_count(9)
    expect(page.locator("#main-nav a[href='/cities/torino/calls']")).to_have_count(1)
    expect(page.locator("#main-nav a[href='/cities/torino/needs']")).to_have_count(1)
    expect(page.locator("#main-nav a[href='/moderation/']")).to_have_count(1)
    for link in navigation.all():
        expect(link).to_be_visible()
    expect(page.locator("header .custom-navbar-toggler")).to_be_hidden()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 376
    axe_check_without_js(page)

    # A moderator of Turin is not an administrator: no neighbourhood editing.
    visit(page, "/cities/torino")
    expect(page.locator("main .neighbourhood-list")).to_contain_text("Aurora")
    expect(page.locator("main a[href$='/cities/torino/neighbourhoods']")).to_have_count(0)
    axe_check_without_js(page)
