"""The language switch in the header: English on request, remembered across pages, back to Italian."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def switch_to(page, code: str) -> None:
    with page.expect_navigation():
        page.locator(f"header form.language-switch button[value={code}]").click()


def test_language_switch_is_remembered_across_pages(page, visit, axe_check):
    visit(page, "/")
    assert page.get_attribute("html", "lang") == "it"
    italian_heading = page.locator("main h1").inner_text().strip()
    axe_check(page)

    switch_to(page, "en")
    expect(page).to_have_url(re.compile(r"/$"))
    assert page.get_attribute("html", "lang") == "en"
    header = page.locator("header.it-header-wrapper")
    expect(header.get_by_role("link", name="Log in")).to_be_visible()
    expect(header.get_by_role("link", name="Sign up")).to_be_visible()
    expect(page.locator("main h1")).to_have_text("Your neighbourhood, your ideas, projects for everyone")
    assert page.locator("header button[value=en]").get_attribute("aria-current") == "true"
    axe_check(page)

    # Another page: the choice is remembered.
    page.locator("#main-nav").get_by_role("link", name="Cities").click()
    page.wait_for_url(re.compile(r"/cities/$"))
    assert page.get_attribute("html", "lang") == "en"
    expect(page.locator("main h1")).to_have_text("Cities")
    expect(page.locator("label[for=header-city]")).to_have_text("Choose your city")
    axe_check(page)

    # Back to Italian, on the same page.
    switch_to(page, "it")
    expect(page).to_have_url(re.compile(r"/cities/$"))
    assert page.get_attribute("html", "lang") == "it"
    assert page.locator("header button[value=it]").get_attribute("aria-current") == "true"
    assert page.locator("header button[value=en]").get_attribute("aria-current") is None
    visit(page, "/")
    assert page.get_attribute("html", "lang") == "it"
    assert page.locator("main h1").inner_text().strip() == italian_heading
    axe_check(page)
