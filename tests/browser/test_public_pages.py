"""Public pages in the browser: Italian by default, Bootstrap Italia layout, cities, errors, phone size."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ITALIAN_HOME_HEADING = "Il tuo quartiere, le tue idee, progetti per tutti"
TRANSPARENT = {"rgba(0, 0, 0, 0)", "transparent"}


def computed(page, selector: str, prop: str) -> str:
    return page.eval_on_selector(selector, "(el, prop) => getComputedStyle(el).getPropertyValue(prop)", prop)


def test_home_page_is_italian_with_the_bootstrap_italia_layout(page, visit, axe_check):
    visit(page, "/")
    assert page.get_attribute("html", "lang") == "it"
    expect(page.locator("main h1")).to_have_text(ITALIAN_HOME_HEADING)
    header = page.locator("header.it-header-wrapper")
    expect(header.get_by_role("link", name="Accedi")).to_be_visible()
    expect(header.get_by_role("link", name="Registrati")).to_be_visible()
    expect(page.locator("label[for=header-city]")).to_have_text("Scegli la tua città")
    expect(page.locator("#main-nav")).to_contain_text("Programmi")

    # Bootstrap Italia's stylesheet is applied: coloured header bands and its typeface.
    for band in (".it-header-slim-wrapper", ".it-header-center-wrapper"):
        assert computed(page, band, "background-color") not in TRANSPARENT, f"{band} has no background colour"
    assert "Titillium Web" in computed(page, "body", "font-family")
    assert page.locator("header .custom-navbar-toggler").count() == 1
    axe_check(page)


def test_cities_city_and_programmes_pages(page, visit, axe_check):
    visit(page, "/cities/")
    assert page.get_attribute("html", "lang") == "it"
    cities = page.locator("main .city-list")
    assert cities.get_by_role("link", name="Torino", exact=True).is_visible()
    assert cities.get_by_role("link", name="Palermo", exact=True).is_visible()
    axe_check(page)

    cities.get_by_role("link", name="Torino", exact=True).click()
    page.wait_for_url("**/cities/torino")
    assert page.locator("main h1").inner_text().strip() == "Torino"
    neighbourhoods = page.locator("main .neighbourhood-list li")
    names = [name.strip() for name in neighbourhoods.all_inner_texts()]
    assert "Barriera di Milano" in names and "Aurora" in names
    # Visitors do not get the editing link.
    assert page.locator("main a[href$='/cities/torino/neighbourhoods']").count() == 0
    axe_check(page)

    visit(page, "/programmes/")
    assert page.locator("main h1").is_visible()
    assert page.locator("main table").count() >= 1
    assert page.locator("main table caption").first.inner_text().strip()
    axe_check(page)


def test_header_city_selector_leads_to_the_city(page, visit, axe_check):
    visit(page, "/")
    page.locator("#header-city").select_option(label="Palermo")
    page.locator("header form.city-selector button[type=submit]").click()
    page.wait_for_url(re.compile(r"/cities/palermo$"))
    assert page.locator("main h1").inner_text().strip() == "Palermo"
    assert page.locator("#header-city").input_value() == "palermo"
    axe_check(page)


def test_unknown_address_shows_the_404_page_in_the_site_layout(page, visit, axe_check):
    visit(page, "/this-does-not-exist", status=404)
    assert page.get_attribute("html", "lang") == "it"
    assert page.locator("header.it-header-wrapper").is_visible()
    assert page.locator("footer#site-footer").is_visible()
    assert "404" in page.locator("main").inner_text()
    expect(page.locator("main h1")).to_have_text("Pagina non trovata")
    assert page.title().startswith("Pagina non trovata")
    assert page.locator("main a.btn[href='/']").is_visible()
    axe_check(page)


def test_phone_sized_home_page_does_not_scroll_sideways(new_context, visit, axe_check):
    page = new_context(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True).new_page()
    visit(page, "/")
    viewport_width = page.viewport_size["width"]
    scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
    # A mobile browser widens its layout viewport to content that does not fit: that is a side scroll too.
    layout_width = page.evaluate("window.innerWidth")
    assert scroll_width <= viewport_width + 1 and layout_width <= viewport_width + 1, (
        f"horizontal scroll: content {scroll_width}px wide (layout viewport {layout_width}px) in {viewport_width}px"
    )
    toggle = page.locator("header .custom-navbar-toggler")
    assert toggle.is_visible()
    axe_check(page)

    # The toggle opens the collapsed main navigation.
    toggle.click()
    expect(page.locator("#main-nav .navbar-nav .nav-link").first).to_be_visible()
    assert toggle.get_attribute("aria-expanded") == "true"
