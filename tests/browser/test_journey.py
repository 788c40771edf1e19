"""The participation journey in the browser: a need, its supporters, an idea that answers it, votes and comments.

Three demo accounts each in their own browser context (Anna reports the need, Karim
supports it and proposes an idea, the moderator of Turin votes and comments), then a
visitor who is not logged in, then the city's lists. axe runs on every page visited.

Elements are found by id, name, href or form action rather than by their text: some of
these strings are not translated into Italian yet. Only data (neighbourhood and theme
names, what the test typed) is matched as text.

Login POSTs made (the live server allows LOGIN_LIMIT per minute, shared with the other
browser tests; the `log_in` fixture waits if needed): 3 in the journey, 1 in the errors test.
"""
from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

RESIDENT = "anna.rossi@example.it"
SECOND_RESIDENT = "karim.benali@example.it"
MODERATOR = "moderatore.torino@example.it"

THEME_SLUG = "disagio-abitativo"
THEME = "Disagio abitativo"
OTHER_THEME_SLUG = "giovani-e-partecipazione"
NEIGHBOURHOOD = "Aurora"
LINK = "https://www.comune.torino.it/"

POST_FORM = "main form[enctype='multipart/form-data']"


def submit(page, selector: str):
    """Click a submit button and return the response of the page it leads to (after redirects)."""
    with page.expect_navigation() as navigation:
        page.locator(selector).click()
    response = navigation.value
    assert response is not None
    page.wait_for_load_state()
    return response


def count_in(page, selector: str) -> int:
    """The number in a text such as "1 sostegno" / "3 votes", whatever the language."""
    text = page.locator(selector).inner_text()
    found = re.search(r"\d+", text)
    assert found, f"no number in {selector}: {text!r}"
    return int(found.group())


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url).split("#")[0]


def vote_button(page):
    return page.locator("#participation form[action$='/vote'] button[type=submit]")


def test_need_idea_support_vote_and_comment_journey(new_context, visit, log_in, axe_check):
    run = uuid.uuid4().hex[:8]
    need_title = f"Mancano posti letto per chi dorme in strada {run}"
    need_body = f"D'inverno i dormitori sono **pieni ogni sera**.\n\nVedi i dati sul [sito del Comune]({LINK}).\n"
    idea_title = f"Un dormitorio diffuso nelle parrocchie {run}"
    idea_summary = "Dieci posti letto in più, distribuiti in cinque parrocchie del quartiere."
    idea_body = "Le parrocchie offrono le stanze, le associazioni i volontari per la notte."
    beneficiaries = "Persone senza dimora del quartiere Aurora"
    comment_text = f"Buona idea: serve anche un servizio docce. {run}"
    reply_text = f"Giusto, lo aggiungiamo alla proposta. {run}"

    # --- 1-2. Anna reports a need; first with an empty title --------------------------------------
    anna = new_context().new_page()
    assert log_in(anna, RESIDENT).status == 302
    visit(anna, "/cities/torino")
    axe_check(anna)

    anna.locator("main a[href$='/cities/torino/needs/new']").first.click()
    anna.wait_for_url(re.compile(r"/cities/torino/needs/new$"))
    expect(anna.locator("#title")).to_be_visible()
    # The resident's home neighbourhood is chosen for her.
    assert anna.locator("#neighbourhood option:checked").inner_text().strip() == "Barriera di Milano"
    axe_check(anna)

    anna.fill("#body", need_body)
    anna.select_option("#theme", label=THEME)
    anna.select_option("#neighbourhood", label=NEIGHBOURHOOD)
    response = submit(anna, f"{POST_FORM} button.btn-primary[type=submit]")
    assert response.status == 422, f"a need without a title answered {response.status}"
    assert re.search(r"/cities/torino/needs/new$", anna.url)
    expect(anna.locator("#title-error")).to_be_visible()
    expect(anna.locator("#title")).to_have_attribute("aria-invalid", "true")
    assert "title-error" in (anna.locator("#title").get_attribute("aria-describedby") or "").split()
    expect(anna.locator("#form-errors a[href='#title']")).to_be_visible()
    # What was typed and chosen is kept.
    assert anna.input_value("#body").strip() == need_body.strip()
    assert anna.locator("#theme option:checked").inner_text().strip() == THEME
    assert anna.locator("#neighbourhood option:checked").inner_text().strip() == NEIGHBOURHOOD
    axe_check(anna)

    anna.fill("#title", need_title)
    response = submit(anna, f"{POST_FORM} button.btn-primary[type=submit]")
    assert response.status == 200
    anna.wait_for_url(re.compile(r"/needs/\d+-[a-z0-9-]+$"))
    need_path = path_of(anna.url)
    need_id = int(re.search(r"/needs/(\d+)-", need_path).group(1))
    expect(anna.locator(".flash-messages .alert-success")).to_be_visible()
    expect(anna.locator("main h1#post-title")).to_have_text(need_title)
    expect(anna.locator("main .post-meta")).to_contain_text(THEME)
    expect(anna.locator("main .post-meta")).to_contain_text(NEIGHBOURHOOD)
    expect(anna.locator("main .post-body strong")).to_have_text("pieni ogni sera")
    link = anna.locator(f"main .post-body a[href='{LINK}']")
    expect(link).to_have_text("sito del Comune")
    assert "nofollow" in (link.get_attribute("rel") or "").split()
    assert "**" not in anna.locator("main .post-body").inner_text()
    assert count_in(anna, "#participation p.h3") == 0
    axe_check(anna)

    # --- 3. Karim supports the need and proposes an idea for it ----------------------------------
    karim = new_context().new_page()
    assert log_in(karim, SECOND_RESIDENT).status == 302
    visit(karim, need_path)
    expect(karim.locator("main h1#post-title")).to_have_text(need_title)
    # Not the author: no edit link.
    expect(karim.locator(f"main a[href$='/needs/{need_id}/edit']")).to_have_count(0)
    axe_check(karim)

    response = submit(karim, "#participation form[action$='/vote'] button[type=submit]")
    assert response.status == 200
    assert path_of(karim.url) == need_path and karim.url.endswith("#participation")
    expect(karim.locator(".flash-messages .alert-success")).to_be_visible()
    assert count_in(karim, "#participation p.h3") == 1
    expect(vote_button(karim)).to_have_count(0)
    expect(karim.locator("#participation form[action$='/unvote'] button[type=submit]")).to_be_visible()
    axe_check(karim)

    karim.locator(f"main a[href*='/ideas/new?need={need_id}']").click()
    karim.wait_for_url(re.compile(rf"/cities/torino/ideas/new\?need={need_id}$"))
    expect(karim.locator(f"#needs-{need_id}")).to_be_checked()
    expect(karim.locator(f"label[for=needs-{need_id}]")).to_have_text(need_title)
    axe_check(karim)

    karim.fill("#title", idea_title)
    karim.fill("#summary", idea_summary)
    karim.fill("#body", idea_body)
    karim.select_option("#theme", label=THEME)
    karim.select_option("#neighbourhood", label=NEIGHBOURHOOD)
    karim.fill("#beneficiaries", beneficiaries)
    karim.fill("#estimated_cost", "25000")
    response = submit(karim, f"{POST_FORM} button.btn-primary[type=submit]")
    assert response.status == 200
    karim.wait_for_url(re.compile(r"/ideas/\d+-[a-z0-9-]+$"))
    idea_path = path_of(karim.url)
    idea_id = int(re.search(r"/ideas/(\d+)-", idea_path).group(1))
    expect(karim.locator(".flash-messages .alert-success")).to_be_visible()
    expect(karim.locator("main h1#post-title")).to_have_text(idea_title)
    expect(karim.locator("main p.lead")).to_have_text(idea_summary)
    expect(karim.locator("main .post-body")).to_contain_text(idea_body)
    expect(karim.locator("main .idea-facts")).to_contain_text(beneficiaries)
    expect(karim.locator("main .idea-facts")).to_contain_text(re.compile(r"25[.\u202f\u00a0 ]?000"))
    answered = karim.locator(f"aside a[href='{need_path}']")
    expect(answered).to_have_text(need_title)
    # The author can still edit the idea: nobody has voted or commented yet.
    expect(karim.locator(f"main a[href$='/ideas/{idea_id}/edit']")).to_be_visible()
    axe_check(karim)

    answered.click()
    karim.wait_for_url(re.compile(rf"{re.escape(need_path)}$"))
    expect(karim.locator(f"aside a[href='{idea_path}']")).to_have_text(idea_title)
    axe_check(karim)

    # --- 4. The moderator votes the idea and comments; Karim replies; the comment is deleted -----
    moderator = new_context().new_page()
    assert log_in(moderator, MODERATOR).status == 302
    visit(moderator, idea_path)
    assert count_in(moderator, "#participation p.h3") == 0
    axe_check(moderator)

    response = submit(moderator, "#participation form[action$='/vote'] button[type=submit]")
    assert response.status == 200
    assert path_of(moderator.url) == idea_path
    assert count_in(moderator, "#participation p.h3") == 1
    expect(moderator.locator("#participation form[action$='/unvote']")).to_have_count(1)
    axe_check(moderator)

    comment_form = moderator.locator(f"#comments > form[action$='/posts/{idea_id}/comments']")
    comment_form.locator("#body").fill(comment_text)
    response = submit(moderator, f"#comments > form[action$='/posts/{idea_id}/comments'] button[type=submit]")
    assert response.status == 200
    assert re.search(r"#comment-\d+$", moderator.url), moderator.url
    comment_id = int(moderator.url.rsplit("-", 1)[1])
    comment = moderator.locator(f"#comment-{comment_id}")
    expect(comment.locator(".comment-body")).to_have_text(comment_text)
    expect(comment.locator(f"form[action$='/comments/{comment_id}/delete']")).to_have_count(1)
    assert count_in(moderator, "#comments-heading") == 1
    axe_check(moderator)

    # Karim, the idea's author, replies through the "Reply" disclosure under the comment.
    visit(karim, idea_path)
    # Voted and commented on: the idea is frozen for its author.
    expect(karim.locator(f"main a[href$='/ideas/{idea_id}/edit']")).to_have_count(0)
    expect(karim.locator(f"#comment-{comment_id} .comment-body")).to_have_text(comment_text)
    # Not his comment: no delete button for him.
    expect(karim.locator(f"#comment-{comment_id} form[action$='/delete']")).to_have_count(0)
    reply_box = karim.locator(f"details.reply-form:has(input[name=parent_id][value='{comment_id}'])")
    expect(reply_box).to_have_count(1)
    expect(karim.locator(f"#reply-{comment_id}")).to_be_hidden()
    reply_box.locator("summary").click()
    expect(karim.locator(f"#reply-{comment_id}")).to_be_visible()
    axe_check(karim)
    karim.fill(f"#reply-{comment_id}", reply_text)
    with karim.expect_navigation() as navigation:
        reply_box.locator("button[type=submit]").click()
    assert navigation.value.status == 200
    karim.wait_for_load_state()
    assert re.search(r"#comment-\d+$", karim.url), karim.url
    reply_id = int(karim.url.rsplit("-", 1)[1])
    assert reply_id != comment_id
    reply = karim.locator(f"#comment-{reply_id}")
    expect(reply).to_have_class(re.compile(r"\bcomment-reply\b"))
    expect(reply.locator(".comment-body")).to_have_text(reply_text)
    expect(karim.locator(f"#comment-{comment_id} .comment-body")).to_have_text(comment_text)
    # The reply comes right after the comment it answers.
    ids = karim.locator("#comments article.comment").evaluate_all("nodes => nodes.map(n => n.id)")
    assert ids.index(f"comment-{reply_id}") == ids.index(f"comment-{comment_id}") + 1
    assert count_in(karim, "#comments-heading") == 2
    axe_check(karim)

    # The moderator deletes the comment: a placeholder stays, and so does the reply.
    visit(moderator, idea_path)
    expect(moderator.locator(f"#comment-{reply_id} .comment-body")).to_have_text(reply_text)
    # Replies cannot be replied to: one disclosure, under the first comment.
    expect(moderator.locator("details.reply-form")).to_have_count(1)
    delete_button = f"#comment-{comment_id} form[action$='/comments/{comment_id}/delete'] button[type=submit]"
    response = submit(moderator, delete_button)
    assert response.status == 200
    assert path_of(moderator.url) == idea_path
    deleted = moderator.locator(f"#comment-{comment_id}")
    expect(deleted).to_be_visible()
    expect(deleted.locator(".comment-body")).to_have_count(0)
    expect(deleted.locator("p.fst-italic")).to_be_visible()
    expect(deleted).not_to_contain_text(comment_text)
    expect(deleted.locator("form, a[href*='/edit']")).to_have_count(0)
    expect(moderator.locator(f"#comment-{reply_id} .comment-body")).to_have_text(reply_text)
    # A deleted comment takes no new replies.
    expect(moderator.locator("details.reply-form")).to_have_count(0)
    assert count_in(moderator, "#comments-heading") == 1
    assert moderator.locator("main").inner_text().count(comment_text) == 0
    axe_check(moderator)

    # --- 5. A visitor who is not logged in ---------------------------------------------------------
    visitor = new_context().new_page()
    visit(visitor, idea_path)
    expect(visitor.locator("main h1#post-title")).to_have_text(idea_title)
    expect(visitor.locator(f"#comment-{reply_id} .comment-body")).to_have_text(reply_text)
    expect(visitor.locator("details.reply-form")).to_have_count(0)
    expect(visitor.locator("#comments form")).to_have_count(0)
    expect(visitor.locator("#comments a[href*='/account/login?next=']")).to_have_count(1)
    assert count_in(visitor, "#participation p.h3") == 1
    axe_check(visitor)

    response = submit(visitor, "#participation form[action$='/vote'] button[type=submit]")
    assert response.status == 200
    visitor.wait_for_url(re.compile(r"/account/login\?next="))
    assert "/account/login" in visitor.url and str(idea_id) in visitor.url
    expect(visitor.locator(".flash-messages .alert")).to_be_visible()
    expect(visitor.locator("#email")).to_be_visible()
    axe_check(visitor)
    # Nothing was counted.
    visit(visitor, idea_path)
    assert count_in(visitor, "#participation p.h3") == 1

    # --- 6. The city's lists: filters and sorting --------------------------------------------------
    visit(visitor, "/cities/torino")
    expect(visitor.locator(f"main a[href='{need_path}']")).to_have_text(need_title)
    expect(visitor.locator(f"main a[href='{idea_path}']")).to_have_text(idea_title)
    axe_check(visitor)

    visit(visitor, "/cities/torino/needs")
    filters = "main form.filters"
    need_card = visitor.locator(f"main .post-card:has(a[href='{need_path}'])")
    expect(need_card).to_have_count(1)
    expect(need_card.locator(".post-counts li").first).to_contain_text("1")
    axe_check(visitor)

    visitor.select_option("#filter-theme", THEME_SLUG)
    submit(visitor, f"{filters} button[type=submit]")
    assert f"theme={THEME_SLUG}" in visitor.url
    assert visitor.locator("#filter-theme").input_value() == THEME_SLUG
    expect(need_card).to_have_count(1)
    axe_check(visitor)

    visitor.select_option("#filter-theme", OTHER_THEME_SLUG)
    submit(visitor, f"{filters} button[type=submit]")
    assert f"theme={OTHER_THEME_SLUG}" in visitor.url
    expect(need_card).to_have_count(0)
    axe_check(visitor)

    visitor.select_option("#filter-theme", "")
    visitor.select_option("#filter-sort", "votes")
    submit(visitor, f"{filters} button[type=submit]")
    assert "sort=votes" in visitor.url
    assert visitor.locator("#filter-sort").input_value() == "votes"
    expect(need_card).to_have_count(1)
    axe_check(visitor)

    visit(visitor, "/cities/torino/ideas?sort=votes")
    idea_card = visitor.locator(f"main .post-card:has(a[href='{idea_path}'])")
    expect(idea_card).to_have_count(1)
    expect(idea_card).to_contain_text(idea_summary)
    assert visitor.locator("#filter-sort").input_value() == "votes"
    axe_check(visitor)

    visitor.select_option("#filter-theme", THEME_SLUG)
    visitor.select_option("#filter-neighbourhood", label=NEIGHBOURHOOD)
    submit(visitor, f"{filters} button[type=submit]")
    assert f"theme={THEME_SLUG}" in visitor.url and "sort=votes" in visitor.url
    expect(idea_card).to_have_count(1)
    axe_check(visitor)


def test_comment_and_idea_forms_refuse_invalid_input(new_context, visit, log_in, axe_check):
    """An empty comment, and an idea with a summary too short and a negative cost: 422, errors by the fields."""
    run = uuid.uuid4().hex[:8]
    page = new_context().new_page()
    assert log_in(page, RESIDENT).status == 302

    visit(page, "/cities/torino/ideas/new")
    body = f"Una proposta scritta per intero, da non perdere. {run}"
    page.fill("#title", f"Proposta incompleta {run}")
    page.fill("#summary", "Corta")
    page.fill("#body", body)
    page.fill("#beneficiaries", "Tutti")
    page.fill("#estimated_cost", "-5")
    response = submit(page, f"{POST_FORM} button.btn-primary[type=submit]")
    assert response.status == 422, f"an invalid idea answered {response.status}"
    for field in ("summary", "theme", "estimated_cost"):
        expect(page.locator(f"#{field}-error")).to_be_visible()
        expect(page.locator(f"#{field}")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#title-error")).to_have_count(0)
    assert page.input_value("#body").strip() == body
    assert page.input_value("#title") == f"Proposta incompleta {run}"
    axe_check(page)

    # A need to comment on, then an empty comment.
    visit(page, "/cities/torino/needs/new")
    page.fill("#title", f"Un bisogno per i commenti {run}")
    page.fill("#body", "Testo del bisogno.")
    page.select_option("#theme", label=THEME)
    response = submit(page, f"{POST_FORM} button.btn-primary[type=submit]")
    assert response.status == 200
    page.wait_for_url(re.compile(r"/needs/\d+-[a-z0-9-]+$"))
    need_id = int(re.search(r"/needs/(\d+)-", page.url).group(1))

    response = submit(page, f"#comments > form[action$='/posts/{need_id}/comments'] button[type=submit]")
    assert response.status == 422, f"an empty comment answered {response.status}"
    expect(page.locator("#body-error")).to_be_visible()
    expect(page.locator("#body")).to_have_attribute("aria-invalid", "true")
    axe_check(page)
