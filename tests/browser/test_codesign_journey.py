"""A co-design process with a Third Sector organisation, in the browser: a resident registers an
organisation, the moderator of Torino verifies it, opens a co-design process for a need and sets its
stages (the expressions of interest running today) through the edit page; the organisation's admin
expresses interest as capofila; the moderator admits it with a public reason, schedules a meeting (it
started yesterday: the form accepts a past meeting) and publishes its minutes; the admin, who follows
the process, finds the minutes in their mailbox once the email worker ran. axe runs on every page.

Login POSTs made (the live server's login limit is shared with the other browser tests): 2.
"""
from __future__ import annotations

import random
import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from civic.orgs.fiscal import check_digit
from tests.browser.test_decisions import path_of, submit

pytestmark = pytest.mark.browser

RESIDENT = "oumar.diallo@example.it"  # Torino, no organisation in the demo
MODERATOR = "moderatore.torino@example.it"


def _day(offset: int) -> str:
    return (date.today() + timedelta(days=offset)).isoformat()


def test_an_organisation_takes_part_in_a_co_design_process(new_context, visit, log_in, axe_check, live_server):
    suffix = "".join(random.choice("0123456789") for _ in range(8))
    base = "97" + suffix
    codice_fiscale = base + str(check_digit(base))
    org_name = f"San Salvario Solidale {suffix[-5:]}"
    title = f"Co-progettazione del doposcuola di quartiere {suffix[-5:]}"

    # The resident registers the organisation.
    resident = new_context().new_page()
    assert log_in(resident, RESIDENT).status == 302
    visit(resident, "/organisations/new")
    resident.fill("#name", org_name)
    resident.fill("#legal_form", "Associazione di promozione sociale")
    resident.locator("#runts_section").select_option("b")
    resident.fill("#codice_fiscale", codice_fiscale)
    resident.fill("#description", "Doposcuola e laboratori per ragazzi a San Salvario.")
    response = submit(resident, "main form button[type=submit]")
    assert response.status == 200 and path_of(resident.url).startswith("/organisations/")
    org_path = path_of(resident.url)
    axe_check(resident)

    # The moderator verifies it, then opens a process for a need of Torino.
    moderator = new_context().new_page()
    assert log_in(moderator, MODERATOR).status == 302
    visit(moderator, org_path)
    submit(moderator, "form[action$='/verify'] button")
    expect(moderator.locator(".org-verification")).to_contain_text(re.compile("Verificata|Verified"))
    axe_check(moderator)
    visit(moderator, "/codesign?city=torino")
    axe_check(moderator)
    submit(moderator, "form:has(#open-need) button[type=submit]")
    axe_check(moderator)
    moderator.fill("#title", title)
    moderator.fill("#summary", "Il Comune e gli enti del quartiere progettano insieme un **doposcuola**.")
    response = submit(moderator, "main form button[type=submit]")
    assert response.status == 200 and path_of(moderator.url).endswith("/edit")
    process_id = path_of(moderator.url).split("/")[2]
    axe_check(moderator)
    moderator.fill("#public_notice_starts_on", _day(-10))
    moderator.fill("#public_notice_ends_on", _day(-6))
    moderator.fill("#expressions_of_interest_starts_on", _day(-5))
    moderator.fill("#expressions_of_interest_ends_on", _day(5))
    moderator.fill("#assessment_starts_on", _day(6))
    moderator.fill("#assessment_ends_on", _day(15))
    response = submit(moderator, "main form button[type=submit]")
    assert response.status == 200 and path_of(moderator.url).startswith(f"/codesign/{process_id}-")
    process_path = path_of(moderator.url)
    axe_check(moderator)

    # The organisation's admin expresses interest as capofila.
    visit(resident, process_path)
    axe_check(resident)
    submit(resident, f"#interests a[href='/codesign/{process_id}/interest']")
    axe_check(resident)
    resident.locator("#organisation").select_option(label=org_name)
    resident.locator("label[for='role-capofila']").click()
    resident.fill("#contribution", "Tre educatori e lo spazio della nostra sede, tutti i pomeriggi.")
    resident.fill("#experience", "Dal 2019 gestiamo un doposcuola per quaranta ragazzi a San Salvario.")
    response = submit(resident, "main form button[type=submit]")
    assert response.status == 200 and path_of(resident.url) == process_path
    card = resident.locator("#interests article", has_text=org_name)
    expect(card).to_contain_text(re.compile("Capofila|capofila"))
    axe_check(resident)
    submit(resident, f"main form[action='/follow/codesign/{process_id}'] button")
    expect(resident.locator(f"main form[action='/unfollow/codesign/{process_id}'] button")).to_be_visible()

    # The moderator admits it with a public reason.
    visit(moderator, process_path)
    card = moderator.locator("#interests article", has_text=org_name)
    expect(card).to_contain_text("Tre educatori")  # the commission reads the proposal
    axe_check(moderator)
    card.locator("textarea[name=reason]").fill("Ente verificato, con esperienza documentata nel quartiere.")
    submit(moderator, f"#interests article:has-text('{org_name}') button[formaction$='/admit']")
    card = moderator.locator("#interests article", has_text=org_name)
    expect(card).to_contain_text("Ente verificato, con esperienza documentata nel quartiere.")
    axe_check(moderator)

    # A meeting that started yesterday, and its minutes.
    visit(moderator, f"/codesign/{process_id}/meetings/new")
    axe_check(moderator)
    moderator.fill("#title", "Primo tavolo del doposcuola")
    moderator.fill("#starts_at", f"{_day(-1)}T17:00")
    moderator.fill("#ends_at", f"{_day(-1)}T19:00")
    moderator.fill("#place", "Casa del Quartiere di San Salvario, via Morgari 14, Torino")
    moderator.fill("#agenda", "1. Presentazioni\n2. Orari del doposcuola")
    response = submit(moderator, "main form button[type=submit]")
    assert response.status == 200
    meeting = moderator.locator("#meetings article", has_text="Primo tavolo del doposcuola")
    submit(moderator, "#meetings article:has-text('Primo tavolo del doposcuola') a[href$='/minutes']")
    axe_check(moderator)
    moderator.fill("#minutes", "Presenti il Comune e l'ente capofila. Il doposcuola aprirà a febbraio.")
    response = submit(moderator, "main form button[type=submit]")
    assert response.status == 200
    meeting = moderator.locator("#meetings article", has_text="Primo tavolo del doposcuola")
    expect(meeting).to_contain_text("Il doposcuola aprirà a febbraio.")
    axe_check(moderator)

    # The organisation's page lists the participation.
    visit(resident, org_path)
    expect(resident.locator("main")).to_contain_text(title)
    axe_check(resident)

    # The follower is told by email, in Italian, once the worker ran.
    live_server.run_cli("notifications", "send")
    emails = [m for m in live_server.mailbox.to(RESIDENT) if title in m.get_content()]
    assert any("verbale dell'incontro «Primo tavolo del doposcuola»" in m.get_content() for m in emails), \
        [str(m["Subject"]) for m in live_server.mailbox.to(RESIDENT)]
    assert all(m["Content-Language"] == "it" for m in emails)
