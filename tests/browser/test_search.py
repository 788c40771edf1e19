"""Search in the browser, on the demo content: the results page with its facets and highlights, and the
similar needs shown while a resident writes one (typed, with JavaScript; with the button, without).

Login POSTs made: 2.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "partecipa-2026"
RESIDENT = "anna.rossi@example.it"


def test_results_facets_and_highlights(page, visit, axe_check, axe_check_without_js):
    visit(page, "/search?q=alloggio")
    results = page.locator("main .search-result")
    expect(results.first).to_be_visible()
    expect(page.locator("main mark").first).to_be_visible()  # "alloggi" found by "alloggio"
    axe_check(page)
    axe_check_without_js(page)
    # A facet narrows the results, and says how many there are.
    facet = page.locator("#facet-type + ul a").first
    label = facet.inner_text()
    count = int(re.search(r"\((\d+)\)", label).group(1))
    facet.click()
    page.wait_for_load_state()
    expect(page.locator("main .search-result")).to_have_count(min(count, 20))
    expect(page.locator("#facet-status")).to_be_visible()
    axe_check(page)
    # A typo gets a suggestion that leads to results.
    visit(page, "/search?q=ascensre")
    page.locator("main .search-suggestion a").click()
    page.wait_for_load_state()
    expect(page.locator("main .search-result").first).to_be_visible()


def test_similar_needs_while_writing(new_context, visit, log_in, axe_check):
    page = new_context().new_page()
    log_in(page, RESIDENT, DEMO_PASSWORD)
    visit(page, "/cities/torino/needs/new")
    page.fill("#title", "Case popolari senza ascensore per gli anziani")
    hints = page.locator("#similar-posts li")
    expect(hints.first).to_be_visible(timeout=10_000)
    axe_check(page)

    no_js = new_context(java_script_enabled=False).new_page()
    log_in(no_js, RESIDENT, DEMO_PASSWORD)
    visit(no_js, "/cities/torino/needs/new")
    no_js.fill("#title", "Case popolari senza ascensore per gli anziani")
    no_js.locator("button[name=check_similar]").click()
    no_js.wait_for_load_state()
    expect(no_js.locator("#similar-posts li").first).to_be_visible()
    expect(no_js.locator("#title")).to_have_value("Case popolari senza ascensore per gli anziani")
