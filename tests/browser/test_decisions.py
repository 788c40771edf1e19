"""A moderator's decision on an idea, in the browser: the decision form, its refusal without a
public answer, the idea's public history, and the entry in the administrators' audit log.

The demo moderator of Turin starts the review of a published demo idea of Turin; then the
demo administrator finds the decision in the audit log. axe runs on every page visited.

Elements are found by id, name and form action rather than by their text (some strings are
not translated into Italian yet); only what the test typed is matched as text.

Login POSTs made (the live server allows LOGIN_LIMIT per minute, shared with the other
browser tests; the `log_in` fixture waits if needed): 2.
"""
from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

MODERATOR = "moderatore.torino@example.it"
ADMIN = "admin@example.it"


def submit(page, selector: str):
    """Click a submit button and return the response of the page it leads to (after redirects)."""
    with page.expect_navigation() as navigation:
        page.locator(selector).click()
    response = navigation.value
    assert response is not None
    page.wait_for_load_state()
    return response


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url).split("#")[0]


def decision_form(page, idea_id: int):
    return page.locator(f"form[action='/ideas/{idea_id}/moves']")


def offered_actions(page, idea_id: int) -> list[str]:
    return decision_form(page, idea_id).locator("select#action option").evaluate_all(
        "options => options.map(o => o.value)")


def test_moderator_starts_the_review_and_the_admin_sees_it_in_the_audit_log(new_context, visit, log_in, axe_check):
    answer = f"Avviamo l'esame con gli uffici tecnici del Comune. Rif. {uuid.uuid4().hex[:8]}"

    # --- the moderator of Turin opens a published idea of Turin ---------------------------------------
    moderator = new_context().new_page()
    assert log_in(moderator, MODERATOR).status == 302
    visit(moderator, "/cities/torino/ideas?status=published")
    first = moderator.locator("main .card-title a[href^='/ideas/']").first
    href = first.get_attribute("href")
    match = re.match(r"^/ideas/(\d+)-", href or "")
    assert match, f"no published idea of Turin in the demo content: {href!r}"
    idea_id = int(match.group(1))
    idea_path = path_of(href)
    visit(moderator, idea_path)
    axe_check(moderator)

    form = decision_form(moderator, idea_id)
    expect(form).to_be_visible()
    assert offered_actions(moderator, idea_id) == ["", "review", "reject"]
    history = moderator.locator("#history ol > li")
    entries_before = history.count()
    assert entries_before >= 1  # "published", at least

    # --- without a public answer the decision is refused (422) and the form says why ------------------
    form.locator("select#action").select_option("review")
    response = submit(moderator, f"form[action='/ideas/{idea_id}/moves'] button[type=submit]")
    assert response.status == 422
    assert path_of(moderator.url) == f"/ideas/{idea_id}/moves"
    expect(moderator.locator("#reason-error")).to_be_visible()
    expect(moderator.locator("textarea#reason")).to_have_attribute("aria-invalid", "true")
    expect(moderator.locator("#form-errors")).to_be_visible()
    assert moderator.locator("select#action").input_value() == "review"  # the choice is kept
    axe_check(moderator)

    # --- from the idea's page, with a public answer ------------------------------------------------------
    visit(moderator, idea_path)
    form = decision_form(moderator, idea_id)
    form.locator("select#action").select_option("review")
    form.locator("textarea#reason").fill(answer)
    response = submit(moderator, f"form[action='/ideas/{idea_id}/moves'] button[type=submit]")
    assert response.status == 200
    assert path_of(moderator.url) == idea_path and moderator.url.endswith("#history")

    expect(history).to_have_count(entries_before + 1)
    latest = history.last
    assert re.fullmatch(r"event-\d+", latest.get_attribute("id") or "")
    expect(latest.locator(".event-reason")).to_have_text(answer)
    # The new status is shown in the idea's facts and as the latest step of its history.
    status_shown = moderator.locator("dl.idea-facts dd.idea-status").inner_text().strip()
    assert status_shown and latest.locator("p.fw-semibold").inner_text().strip() == status_shown
    # From "under review" the decisions are to shortlist or not to select; the form knows the new version.
    assert offered_actions(moderator, idea_id) == ["", "shortlist", "reject"]
    version = decision_form(moderator, idea_id).locator("input[name=version]").input_value()
    assert int(version) >= 1
    axe_check(moderator)

    # A visitor who is not logged in sees the same history, and no decision form.
    visitor = new_context().new_page()
    visit(visitor, idea_path)
    expect(visitor.locator("#history ol > li").last.locator(".event-reason")).to_have_text(answer)
    expect(visitor.locator(f"form[action='/ideas/{idea_id}/moves']")).to_have_count(0)

    # --- the administrator finds it in the audit log ---------------------------------------------------
    admin = new_context().new_page()
    assert log_in(admin, ADMIN).status == 302
    visit(admin, "/admin/audit")
    row = admin.locator("main table tbody tr", has_text=answer)
    expect(row).to_have_count(1)
    expect(row.locator("code")).to_have_text("idea.review")
    assert admin.locator("main table tbody tr").first.inner_text() == row.inner_text()  # the newest first
    axe_check(admin)

    # Filtered by that action, it is still there.
    visit(admin, "/admin/audit?action=idea.review")
    expect(admin.locator("select#audit-action")).to_have_value("idea.review")
    expect(admin.locator("main table tbody tr", has_text=answer)).to_have_count(1)
    axe_check(admin)
