"""The co-design pages in the browser, on the demo process of Turin: axe (WCAG 2.1 A/AA) on every
page, with and without JavaScript, and a resident registering to the upcoming meeting.

Login POSTs made: 2.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DEMO_MODERATOR, DEMO_RESIDENT

pytestmark = pytest.mark.browser


def _process_path(page, visit) -> str:
    visit(page, "/codesign?city=torino")
    # Other browser tests open processes too (publishing a call's results does): take the demo one.
    link = page.locator("main .codesign-list a", has_text="portierato sociale alle Vallette").first
    href = link.get_attribute("href")
    assert href and re.match(r"^/codesign/\d+-", href)
    return href


def test_co_design_pages_are_accessible(page, visit, log_in, axe_check, axe_check_without_js):
    path = _process_path(page, visit)
    for url in ("/codesign", "/codesign?city=torino", path):
        visit(page, url)
        axe_check(page)
    axe_check_without_js(page)
    process_id = path.split("/")[2].split("-")[0]
    log_in(page, DEMO_MODERATOR)
    for url in (path, "/codesign?city=torino", f"/codesign/{process_id}/edit", f"/codesign/{process_id}/meetings/new",
                f"/codesign/{process_id}/documents/new"):
        visit(page, url)
        axe_check(page)
    visit(page, path)
    minutes = page.locator("main a[href$='/minutes']").first
    visit(page, minutes.get_attribute("href"))
    axe_check(page)
    # A form refused: the errors are announced and tied to their fields.
    visit(page, f"/codesign/{process_id}/meetings/new")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("#form-errors")).to_be_visible()
    axe_check(page)


def test_a_resident_registers_to_the_upcoming_meeting(page, visit, log_in):
    path = _process_path(page, visit)
    log_in(page, DEMO_RESIDENT)
    visit(page, path)
    page.locator("main form[action$='/register'] button").first.click()
    page.wait_for_load_state()
    expect(page.locator("main form[action$='/unregister'] button").first).to_be_visible()
    page.locator("main form[action$='/unregister'] button").first.click()
    page.wait_for_load_state()
    expect(page.locator("main form[action$='/register'] button").first).to_be_visible()
