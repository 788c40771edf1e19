"""The programme dashboard in the browser, on the demo content: axe on the whole dashboard and on a
filtered one, also as a browser without JavaScript renders it; the filter form works without JavaScript;
a visitor compares the cities; a phone does not scroll sideways.

Login POSTs made: 0.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_dashboard_and_a_filtered_one_pass_axe(page, visit, axe_check, axe_check_without_js):
    visit(page, "/")
    page.locator("header a[href='/dashboard']").first.click()
    page.wait_for_load_state()
    assert page.url.endswith("/dashboard"), page.url
    expect(page.locator("main h1")).to_be_visible()
    cities = page.locator("#table-city tbody th[scope='row']")
    expect(cities.filter(has_text="Torino")).to_have_count(1)
    expect(cities.filter(has_text="Palermo")).to_have_count(1)
    expect(cities.filter(has_text="Bologna")).to_have_count(1)
    expect(page.locator("svg[role='img']")).to_have_count(5)
    axe_check(page)
    axe_check_without_js(page)

    visit(page, "/dashboard?programme=PON-METRO-2014-2020&city=palermo&measure=people_reached")
    expect(page.locator("#table-city tbody tr")).to_have_count(1)
    expect(page.locator("#total-projects")).to_have_text("1")
    axe_check(page)
    axe_check_without_js(page)


def test_the_filters_work_without_javascript(new_context, visit):
    page = new_context(java_script_enabled=False).new_page()
    visit(page, "/dashboard")
    page.select_option("#filter-city", "torino")
    page.select_option("#filter-measure", "housing_units")
    page.locator("form.dashboard-filters button[type='submit']").click()
    page.wait_for_load_state()
    assert re.search(r"/dashboard\?.*city=torino", page.url), page.url
    expect(page.locator("#table-city tbody tr")).to_have_count(1)
    expect(page.locator("#table-city tbody th")).to_contain_text("Torino")
    expect(page.locator("#by-city svg title")).to_contain_text(re.compile("(Alloggi|Housing units)"))


def test_the_dashboard_fits_a_phone(new_context, visit):
    phone = new_context(viewport={"width": 375, "height": 800}).new_page()
    visit(phone, "/dashboard")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
