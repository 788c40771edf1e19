"""A call for ideas from draft to published results, in the browser.

The demo moderator of Turin writes a call whose submission phase runs today and publishes it;
a demo resident submits an idea to it from the call's page; the moderator then moves the
call's dates on to its evaluation (as when the submission closes), examines and shortlists
the idea, scores it against the call's criteria and publishes the results; the resident
finds the outcome, with its public answer, on the call's page and on the idea's history.
axe runs on every page visited.

Login POSTs made (the live server allows LOGIN_LIMIT per minute, shared with the other
browser tests; the `log_in` fixture waits if needed): 2.
"""
from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.test_decisions import path_of, submit

pytestmark = pytest.mark.browser

MODERATOR = "moderatore.torino@example.it"
RESIDENT = "anna.rossi@example.it"


def day(offset: int) -> str:
    # The server decides the phase in Italian time; the offsets keep a margin of a day.
    return (date.today() + timedelta(days=offset)).isoformat()


def fill_call_dates(page, submission, voting, evaluation, results) -> None:
    for prefix, span in (("submission", submission), ("voting", voting), ("evaluation", evaluation)):
        page.fill(f"#{prefix}_starts_on", span[0] if span else "")
        page.fill(f"#{prefix}_ends_on", span[1] if span else "")
    page.fill("#results_starts_on", results)


def test_a_call_from_draft_to_results(new_context, visit, log_in, axe_check):
    tag = uuid.uuid4().hex[:6]
    call_title = f"Cortili aperti per i ragazzi {tag}"
    idea_title = f"Un campetto nel cortile della scuola {tag}"
    answer = f"La proposta risponde bene ai bisogni del quartiere. Rif. {tag}"

    # --- the moderator writes the call: a draft first --------------------------------------------------
    moderator = new_context().new_page()
    assert log_in(moderator, MODERATOR).status == 302
    visit(moderator, "/cities/torino/calls")
    axe_check(moderator)
    submit(moderator, "main a[href='/cities/torino/calls/new']")
    axe_check(moderator)
    moderator.fill("#title", call_title)
    moderator.fill("#description", "Idee per aprire i **cortili delle scuole** ai ragazzi nel pomeriggio.")
    moderator.locator("label[for^=themes-]").first.click()  # Bootstrap Italia draws the box on the label
    moderator.locator("#programme").select_option(index=1)  # the newest programme: PN Metro Plus
    moderator.locator("#objective").select_option(index=1)
    moderator.fill("#budget", "90000")
    moderator.fill("#eligibility", "Residenti di Torino e enti del Terzo Settore.")
    fill_call_dates(moderator, (day(-2), day(10)), None, (day(11), day(20)), day(25))
    # Weights that do not add up to 100 are refused, and what was typed stays.
    moderator.fill("#criteria-0-name", "Impatto sul quartiere")
    moderator.fill("#criteria-0-weight", "70")
    moderator.fill("#criteria-1-name", "Fattibilità")
    moderator.fill("#criteria-1-weight", "40")
    response = submit(moderator, "main form button[type=submit]")
    assert response.status == 422
    expect(moderator.locator("#form-errors")).to_be_visible()
    expect(moderator.locator("#title")).to_have_value(call_title)
    axe_check(moderator)
    moderator.fill("#criteria-1-weight", "30")
    response = submit(moderator, "main form button[type=submit]")
    assert response.status == 200
    call_path = path_of(moderator.url)
    call_id = int(re.match(r"^/calls/(\d+)-", call_path).group(1))
    expect(moderator.locator("h1")).to_have_text(call_title)
    axe_check(moderator)

    # A draft is not public yet.
    visitor = new_context().new_page()
    visit(visitor, call_path, status=404)

    submit(moderator, f"form[action='/calls/{call_id}/publish'] button[type=submit]")
    current = moderator.locator(".call-timeline [aria-current=step]")
    expect(current).to_have_count(1)
    expect(current).to_have_class(re.compile(r"call-phase-current"))
    visit(visitor, call_path)
    axe_check(visitor)

    # --- a resident submits an idea to the call, from its page ----------------------------------------
    resident = new_context().new_page()
    assert log_in(resident, RESIDENT).status == 302
    visit(resident, call_path)
    submit(resident, f"main a[href='/cities/torino/ideas/new?call={call_id}']")
    expect(resident.locator("#call")).to_have_value(str(call_id))
    axe_check(resident)
    resident.fill("#title", idea_title)
    resident.fill("#summary", "Aprire il cortile della scuola Parini il pomeriggio con un educatore")
    resident.fill("#body", "Il cortile resta chiuso dopo le 16: con un educatore potrebbe restare aperto.")
    resident.locator("#theme").select_option(index=1)
    resident.fill("#beneficiaries", "Ragazze e ragazzi di Barriera di Milano")
    response = submit(resident, "main form button.btn-primary[type=submit]")
    assert response.status == 200
    idea_path = path_of(resident.url)
    idea_id = int(re.match(r"^/ideas/(\d+)-", idea_path).group(1))
    expect(resident.locator(f"main a[href='{call_path}']")).to_have_count(1)
    visit(resident, call_path)
    expect(resident.locator("#ideas", has_text=idea_title)).to_have_count(1)

    # --- the submission closes: the moderator moves the dates on to the evaluation -------------------
    visit(moderator, f"/calls/{call_id}/edit")
    fill_call_dates(moderator, (day(-20), day(-2)), None, (day(-1), day(10)), day(15))
    assert submit(moderator, "main form button[type=submit]").status == 200
    expect(moderator.locator(".call-timeline [aria-current=step] .call-phase-name")).to_have_count(1)

    # The idea is examined and shortlisted from its page, each step with its public answer.
    for action in ("review", "shortlist"):
        visit(moderator, idea_path)
        form = moderator.locator(f"form[action='/ideas/{idea_id}/moves']")
        form.locator("select#action").select_option(action)
        form.locator("textarea#reason").fill(f"Passaggio {action} del bando {tag}.")
        assert submit(moderator, f"form[action='/ideas/{idea_id}/moves'] button[type=submit]").status == 200

    evaluate_and_publish(moderator, visit, axe_check, call_id, idea_id, answer)

    # --- the resident finds the outcome --------------------------------------------------------------
    visit(resident, call_path)
    results = resident.locator("#results")
    expect(results).to_contain_text(idea_title)
    expect(results).to_contain_text(answer)
    axe_check(resident)
    visit(resident, idea_path)
    expect(resident.locator("#history ol > li").last.locator(".event-reason")).to_have_text(answer)


def evaluate_and_publish(moderator, visit, axe_check, call_id: int, idea_id: int, answer: str) -> None:
    """Score the idea on every criterion, then publish the results selecting it."""
    visit(moderator, f"/calls/{call_id}/evaluation")
    axe_check(moderator)
    submit(moderator, f"main a[href='/calls/{call_id}/evaluation/{idea_id}']")
    axe_check(moderator)
    scores = moderator.locator("main form input[type=number]")
    for index in range(scores.count()):
        scores.nth(index).fill("8")
    moderator.locator("main form textarea").first.fill("Nota privata: sentire la scuola Parini.")
    assert submit(moderator, "main form button[type=submit]").status == 200

    visit(moderator, f"/calls/{call_id}/evaluation")
    results_form = moderator.locator(f"form[action='/calls/{call_id}/results']")
    results_form.locator("label[for^=selected_]").first.click()
    expect(results_form.locator("input[type=checkbox]").first).to_be_checked()
    for index in range(results_form.locator("textarea").count()):
        results_form.locator("textarea").nth(index).fill(answer)
    assert submit(moderator, f"form[action='/calls/{call_id}/results'] button[type=submit]").status == 200
