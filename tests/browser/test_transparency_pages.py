"""The public accountability pages in the browser, on the demo content: the funded projects, a project
with its money and indicators, a start-up support plan and the open data page. axe runs on each,
also without JavaScript (the charts are server-rendered), and the phone width does not scroll sideways.

Login POSTs made: 0.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_projects_support_plan_and_open_data_pages(page, visit, axe_check, axe_check_without_js):
    visit(page, "/projects")
    axe_check(page)
    link = page.locator("main a[href^='/projects/']", has_text=re.compile("Agenzia Sociale per la Casa")).first
    project_path = link.get_attribute("href")
    visit(page, project_path)
    expect(page.locator("main h1")).to_contain_text("Agenzia Sociale per la Casa")
    expect(page.locator("main")).to_contain_text("€")  # the money, programmed, committed and paid
    axe_check(page)
    axe_check_without_js(page)

    visit(page, "/cities/palermo/ideas?status=in_startup")
    page.locator("main a", has_text="Tutor di quartiere").first.click()
    page.wait_for_load_state()
    page.locator("main a[href^='/startup/']").first.click()
    page.wait_for_load_state()
    assert re.search(r"/startup/\d+$", page.url), page.url
    expect(page.locator("main")).to_contain_text(re.compile("Tutor di quartiere"))
    axe_check(page)

    visit(page, "/opendata")
    expect(page.locator("main")).to_contain_text("CC BY 4.0")
    axe_check(page)


def test_a_project_page_fits_a_phone(new_context, visit):
    phone = new_context(viewport={"width": 375, "height": 800}).new_page()
    visit(phone, "/projects")
    visit(phone, phone.locator("main a[href^='/projects/']").first.get_attribute("href"))
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
