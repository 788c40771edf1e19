"""A Third Sector organisation in the browser: a demo resident registers one (a form that works
without JavaScript), manages its members; the moderator of its city finds it among those awaiting
verification and verifies it; the badge shows on the profile and in the list. axe runs on every page.

Login POSTs made (the live server allows LOGIN_LIMIT per minute, shared with the other browser
tests; the `log_in` fixture waits if needed): 2.
"""
from __future__ import annotations

import random
import re

import pytest
from playwright.sync_api import expect

from civic.orgs.fiscal import check_digit
from tests.browser.test_decisions import path_of, submit

pytestmark = pytest.mark.browser

RESIDENT = "karim.benali@example.it"  # Torino, no organisation in the demo
MODERATOR = "moderatore.torino@example.it"


def test_register_an_organisation_and_verify_it(new_context, visit, log_in, axe_check):
    base = "97" + "".join(random.choice("0123456789") for _ in range(8))
    codice_fiscale = base + str(check_digit(base))
    name = f"Associazione Aurora Viva {base[-4:]}"

    resident = new_context().new_page()
    assert log_in(resident, RESIDENT).status == 302
    visit(resident, "/organisations")
    axe_check(resident)
    submit(resident, "main a[href='/organisations/new']")
    axe_check(resident)
    resident.fill("#name", name)
    resident.fill("#legal_form", "Associazione di promozione sociale")
    resident.locator("#runts_section").select_option("b")
    resident.fill("#codice_fiscale", codice_fiscale[:-1] + str((int(codice_fiscale[-1]) + 1) % 10))  # a typo
    resident.fill("#description", "Laboratori per ragazzi e **doposcuola** in Aurora.")
    response = submit(resident, "main form button[type=submit]")
    assert response.status == 422
    expect(resident.locator("#codice_fiscale-error")).to_contain_text(re.compile("non è valido|is not valid"))
    axe_check(resident)
    resident.fill("#codice_fiscale", codice_fiscale)
    response = submit(resident, "main form button[type=submit]")
    assert response.status == 200 and path_of(resident.url).startswith("/organisations/")
    expect(resident.locator("main h1")).to_have_text(name)
    expect(resident.locator(".org-verification")).to_contain_text(re.compile("Non ancora verificata|Not verified yet"))
    axe_check(resident)
    submit(resident, "main a[href$='/members']")
    axe_check(resident)
    resident.fill("#email", "nuovo.socio@example.it")
    submit(resident, "section[aria-labelledby=invite-heading] button[type=submit]")
    expect(resident.locator("section[aria-labelledby=invitations-heading]")).to_contain_text("nuovo.socio@example.it")
    axe_check(resident)
    profile = path_of(resident.url).replace("/members", "")

    moderator = new_context().new_page()
    assert log_in(moderator, MODERATOR).status == 302
    visit(moderator, "/organisations")
    awaiting = moderator.locator("section[aria-labelledby=awaiting-heading]")
    expect(awaiting).to_contain_text("Torino")
    axe_check(moderator)
    submit(moderator, "section[aria-labelledby=awaiting-heading] a")
    expect(moderator.locator("main")).to_contain_text(name)
    moderator.get_by_role("link", name=name).click()
    moderator.wait_for_load_state()
    assert path_of(moderator.url).startswith(profile)
    axe_check(moderator)
    submit(moderator, "form[action$='/verify'] button")
    # (Both languages accepted until the Italian catalogue has the organisations' messages.)
    expect(moderator.locator(".org-verification")).to_contain_text(re.compile("Verificata|Verified"))
    expect(moderator.locator(".org-verification")).to_contain_text(re.compile("moderatore|moderator"))
    axe_check(moderator)
    visit(moderator, "/organisations?verified=yes")
    expect(moderator.locator("main")).to_contain_text(name)
