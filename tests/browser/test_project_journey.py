"""From an idea to a funded project, in the browser, on the demo content of Turin: a resident proposes
an idea for a demo need; the moderator of Turin takes it through the lifecycle (review, shortlist,
co-design, start-up support); in the start-up plan's workspace the moderator adds a milestone, the
resident (the team) submits its evidence, the moderator approves it, adds a stage gate and passes it,
then marks the idea as funded. The funded project's page shows the timeline need → idea → co-design →
start-up support → project. A second resident follows the project; the moderator records a commitment,
a milestone and an indicator and publishes an update; once the email worker ran, the follower's mailbox
has the update with a link to the project. axe runs on the moderators' pages of the project (the page
with all its forms, the correction and edit pages) and of the start-up plan (workspace, plan page).

Data is found by the unique titles the test types. Login POSTs made: 3.
"""
from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DEMO_MODERATOR
from tests.browser.test_decisions import path_of, submit

pytestmark = pytest.mark.browser

AUTHOR = "elena.martinetti@example.it"   # a demo resident of Turin
FOLLOWER = "giuseppe.ferrero@example.it"  # another demo resident of Turin
POST_FORM = "main form[enctype='multipart/form-data']"


def _day(offset: int) -> str:
    return (date.today() + timedelta(days=offset)).isoformat()


def _move(page, idea_id: int, idea_path: str, action: str, reason: str) -> None:
    """The moderator's decision form on the idea's page."""
    page.goto(idea_path)
    form = page.locator(f"form[action='/ideas/{idea_id}/moves']")
    form.locator("select#action").select_option(action)
    form.locator("textarea#reason").fill(reason)
    response = submit(page, f"form[action='/ideas/{idea_id}/moves'] button[type=submit]")
    assert response.status == 200, f"{action}: {response.status}"
    assert path_of(page.url) == idea_path, page.url


def test_from_an_idea_to_a_funded_project_with_an_update_for_its_followers(new_context, visit, log_in, axe_check,
                                                                          axe_check_without_js, live_server):
    run = uuid.uuid4().hex[:8]
    idea_title = f"Portineria di comunità a Mirafiori {run}"
    update_text = f"Aperto lo sportello della portineria il martedì e il giovedì {run}"

    # --- a resident proposes an idea for a demo need of Turin --------------------------------------------
    author = new_context().new_page()
    assert log_in(author, AUTHOR).status == 302
    visit(author, "/cities/torino/needs")
    need_href = author.locator("main .card-title a[href^='/needs/']").first.get_attribute("href")
    need_id = int(re.match(r"^/needs/(\d+)-", need_href).group(1))
    visit(author, f"/cities/torino/ideas/new?need={need_id}")
    expect(author.locator(f"#needs-{need_id}")).to_be_checked()
    author.fill("#title", idea_title)
    author.fill("#summary", "Una portineria di quartiere che aiuta gli anziani soli con le piccole necessità.")
    author.fill("#body", "Volontari e un portinaio sociale, in un locale comunale al piano terra.")
    author.select_option("#theme", index=1)
    author.select_option("#neighbourhood", label="Mirafiori Sud")
    author.fill("#beneficiaries", "Anziani soli di Mirafiori Sud")
    author.fill("#estimated_cost", "40000")
    response = submit(author, f"{POST_FORM} button.btn-primary[type=submit]")  # not "look for similar ones"
    assert response.status == 200
    author.wait_for_url(re.compile(r"/ideas/\d+-[a-z0-9-]+$"))
    idea_path = path_of(author.url)
    idea_id = int(re.search(r"/ideas/(\d+)-", idea_path).group(1))

    # --- the moderator takes it through the lifecycle up to the start-up support -------------------------
    moderator = new_context().new_page()
    assert log_in(moderator, DEMO_MODERATOR).status == 302
    for action, reason in (("review", "Esaminiamo la proposta con i servizi sociali."),
                           ("shortlist", "La proposta risponde a un bisogno segnalato da molti residenti."),
                           ("select", "Selezionata per la co-progettazione con gli enti del quartiere."),
                           ("start_codesign", "Inizia la co-progettazione."),
                           ("start_support", "La co-progettazione è conclusa: parte l'accompagnamento.")):
        _move(moderator, idea_id, idea_path, action, reason)
    plan_href = moderator.locator("main a[href^='/startup/']").first.get_attribute("href")
    plan_id = int(re.match(r"^/startup/(\d+)", plan_href).group(1))

    # --- the start-up plan: a milestone, its evidence, its approval, a stage gate, funded ----------------
    visit(moderator, f"/startup/{plan_id}/workspace")
    axe_check(moderator)
    moderator.fill("#milestone-title", f"Locale pronto {run}")
    moderator.fill("#milestone-due_date", _day(30))
    moderator.fill("#milestone-deliverable", "Il locale al piano terra arredato e con la linea telefonica.")
    assert submit(moderator, f"form[action='/startup/{plan_id}/milestones'] button[type=submit]").status == 200
    milestone = moderator.locator("#milestones .milestone", has_text=f"Locale pronto {run}")
    milestone_id = int(milestone.get_attribute("id").split("-")[1])
    axe_check(moderator)

    visit(author, f"/startup/{plan_id}/workspace")
    author.fill(f"#evidence-{milestone_id}", "Il locale è arredato; la linea è attiva dal lunedì.")
    assert submit(author, f"form[action='/startup/milestones/{milestone_id}/submit'] button[type=submit]"
                  ).status == 200

    visit(moderator, f"/startup/{plan_id}/workspace")
    assert submit(moderator, f"form[action='/startup/milestones/{milestone_id}/approve'] button").status == 200
    visit(moderator, f"/startup/{plan_id}/workspace")
    moderator.fill("#gate-title", f"Avvio del servizio {run}")
    moderator.locator(f"label[for='gate-milestones-{milestone_id}']").click()
    assert submit(moderator, f"form[action='/startup/{plan_id}/gates'] button[type=submit]").status == 200
    axe_check(moderator)
    visit(moderator, f"/startup/{plan_id}")
    axe_check(moderator)
    submit(moderator, "#gates form[action^='/startup/gates/'] button")
    visit(moderator, f"/startup/{plan_id}")
    moderator.fill("#fund-reason", "Il Comune finanzia la portineria con i fondi del programma.")
    axe_check(moderator)
    assert submit(moderator, f"form[action='/startup/{plan_id}/fund'] button[type=submit]").status == 200

    # --- the funded project and its timeline ----------------------------------------------------------------
    visit(moderator, "/projects?city=torino")
    project_href = moderator.locator("main a[href^='/projects/']", has_text=idea_title).first.get_attribute("href")
    project_id = int(re.match(r"^/projects/(\d+)-", project_href).group(1))
    visit(moderator, project_href)
    expect(moderator.locator("main h1")).to_have_text(idea_title)
    timeline = moderator.locator("main .project-timeline")
    stages = timeline.locator("li").evaluate_all("items => items.map(i => i.innerHTML)")
    markers = [f"/needs/{need_id}-", f"/ideas/{idea_id}-", "/codesign/", f"/startup/{plan_id}"]
    positions = [next(n for n, html in enumerate(stages) if marker in html) for marker in markers]
    assert positions == sorted(positions) and positions[-1] == len(stages) - 2, stages
    expect(timeline.locator("li[aria-current=step]")).to_contain_text(idea_title)  # the project, last
    axe_check(moderator)  # the page as a moderator sees it, with all its forms
    axe_check_without_js(moderator)

    # --- a resident follows the project ------------------------------------------------------------------
    follower = new_context().new_page()
    assert log_in(follower, FOLLOWER).status == 302
    visit(follower, project_href)
    submit(follower, f"main form[action='/follow/project/{project_id}'] button")
    expect(follower.locator(f"main form[action='/unfollow/project/{project_id}'] button")).to_be_visible()

    # --- the moderator's forms: a commitment (an explained exception: no funding yet), a milestone,
    # an indicator; their correction and edit pages ------------------------------------------------------
    visit(moderator, project_href)
    moderator.fill("#c-made_on", _day(-1))
    moderator.fill("#c-amount", "1.500,00")
    moderator.fill("#c-description", f"Convenzione {run}")
    moderator.locator("label[for='c-exception']").click()
    moderator.fill("#c-exception_reason", "Il finanziamento sarà registrato con la delibera di giunta.")
    assert submit(moderator, f"form[action='/projects/{project_id}/commitments'] button[type=submit]").status == 200
    moderator.fill("#m-title", "Apertura dello sportello")
    moderator.fill("#m-due_on", _day(60))
    moderator.fill("#m-weight", "50")
    assert submit(moderator, f"form[action='/projects/{project_id}/milestones'] button[type=submit]").status == 200
    moderator.fill("#i-code", "EECO01")
    moderator.fill("#i-name", "Partecipanti")
    moderator.fill("#i-unit", "persone")
    moderator.fill("#i-target", "120")
    assert submit(moderator, f"form[action='/projects/{project_id}/indicators'] button[type=submit]").status == 200
    axe_check(moderator)
    for link in (".project-commitment-edit", ".project-milestone-edit", ".project-indicator-edit"):
        visit(moderator, project_href)
        submit(moderator, f"main {link}")
        expect(moderator.locator("main form.project-row-edit")).to_be_visible()
        axe_check(moderator)
    # A correction refused (no reason) comes back with the message next to the field.
    visit(moderator, project_href)
    submit(moderator, "main .project-commitment-edit")
    moderator.fill("#e-amount", "1.200,00")
    response = submit(moderator, "main form.project-row-edit button[type=submit]")
    assert response.status == 422
    expect(moderator.locator("#e-reason-error")).to_be_visible()
    axe_check(moderator)
    moderator.fill("#e-reason", "Importo della convenzione rettificato.")
    assert submit(moderator, "main form.project-row-edit button[type=submit]").status == 200
    expect(moderator.locator("main .project-money")).to_contain_text("1.200,00")

    # --- a public update, and the follower's email ---------------------------------------------------------
    moderator.fill("#u-body", update_text)
    assert submit(moderator, f"form[action='/projects/{project_id}/updates'] button[type=submit]").status == 200
    expect(moderator.locator("main .project-update").first).to_contain_text(update_text)

    if live_server.mailbox is None:
        pytest.skip("aiosmtpd is not installed: the email is checked by tests/notifications")
    live_server.run_cli("notifications", "send")
    emails = [m for m in live_server.mailbox.to(FOLLOWER) if idea_title in m.get_content()]
    assert emails, [str(m["Subject"]) for m in live_server.mailbox.to(FOLLOWER)]
    updates = [m for m in emails if f'Nuovo aggiornamento sul progetto finanziato "{idea_title}"' in m.get_content()]
    assert len(updates) == 1, [m.get_content() for m in emails]
    (received,) = updates
    assert received["Content-Language"] == "it"
    assert re.search(rf"https?://\S+/projects/{project_id}-\S*", received.get_content()), received.get_content()
    assert not [m for m in live_server.mailbox.to(DEMO_MODERATOR) if idea_title in m.get_content()]
