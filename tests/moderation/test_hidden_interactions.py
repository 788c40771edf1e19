"""Hidden content takes no votes, comments, replies, reports or edits; a hidden comment keeps its place."""
from __future__ import annotations

import re

import pytest

from civic.extensions import db
from tests.conftest import table_counts
from tests.moderation.helpers import comment_count
from tests.posts.helpers import idea_form, need_form

NEED_BODY, IDEA_BODY, COMMENT_BODY = "Testo nascosto del bisogno", "Testo nascosto dell'idea", "Parole volgari della signora"
REPLY = "Una risposta che resta visibile"


@pytest.fixture
def hidden(anna, bruno, carla, torino, mod_torino, new_need, new_idea, add_comment, add_vote, hide):
    need = new_need(anna, torino, title="Un bisogno che sarà nascosto", body=NEED_BODY)
    idea = new_idea(anna, torino, title="Un'idea che sarà nascosta", body=IDEA_BODY)
    host = new_need(carla, torino, title="Un bisogno visibile con commenti")
    add_vote(bruno, need)  # a vote given before the hiding
    comment = add_comment(anna, host, COMMENT_BODY)
    reply = add_comment(bruno, host, REPLY, parent=comment)
    for target in (need, idea, comment):
        hide(mod_torino, target)
    return {"need": need, "idea": idea, "host": host, "comment": comment, "reply": reply}


def test_hidden_content_takes_no_votes_comments_replies_or_reports(client, hidden, bruno, mod_torino):
    client.login("bruno@example.it")
    before = table_counts()
    for post in (hidden["need"], hidden["idea"]):
        counts = (post.vote_count, comment_count(post))
        assert client.submit(f"/posts/{post.id}/vote").status_code == 404
        assert client.submit(f"/posts/{post.id}/unvote").status_code == 404
        assert client.submit(f"/posts/{post.id}/comments", {"body": "Ciao"}).status_code == 404
        assert client.submit(f"/report/post/{post.id}", {"reason": "spam"}).status_code == 404
        db.session.refresh(post)
        assert (post.vote_count, comment_count(post)) == counts
    # Nor a reply or a report on a hidden comment.
    comment, host = hidden["comment"], hidden["host"]
    response = client.submit(f"/posts/{host.id}/comments", {"body": "Rispondo", "parent_id": str(comment.id)})
    assert response.status_code in (404, 422)
    assert client.submit(f"/report/comment/{comment.id}", {"reason": "spam"}).status_code == 404
    assert table_counts() == before

    # Anonymous visitors get the same 404, not a login page that would lead back to the post.
    client.submit("/account/logout")
    for post in (hidden["need"], hidden["idea"]):
        for url in (f"/posts/{post.id}/vote", f"/posts/{post.id}/comments"):
            response = client.submit(url, {"body": "Ciao"})
            assert response.status_code == 404, url
    assert table_counts() == before

    # Shown again, the need takes comments again, and the vote given before can be taken back.
    need = hidden["need"]
    moderator = client.application.test_client()
    moderator.login("mod.torino@example.it")
    assert moderator.submit(f"/moderation/post/{need.id}/unhide").status_code == 302
    client.login("bruno@example.it")
    assert client.submit(f"/posts/{need.id}/comments", {"body": "Di nuovo visibile"}).status_code == 302
    assert client.submit(f"/posts/{need.id}/unvote").status_code == 302
    db.session.refresh(need)
    assert (need.vote_count, need.comment_count) == (0, 1)


def test_the_author_cannot_edit_a_hidden_post(client, hidden, anna, themes):
    client.login("anna@example.it")
    before = table_counts()
    need, idea = hidden["need"], hidden["idea"]
    for url, form in ((f"/needs/{need.id}/edit", need_form(themes[0], title="Un titolo cambiato")),
                      (f"/ideas/{idea.id}/edit", idea_form(themes[0], title="Un titolo cambiato"))):
        page = client.get(url)
        assert page.status_code in (403, 404), url
        assert NEED_BODY not in page.get_data(as_text=True) and IDEA_BODY not in page.get_data(as_text=True)
        assert client.submit(url, form).status_code in (403, 404), url
    assert table_counts() == before
    db.session.refresh(need)
    db.session.refresh(idea)
    assert "cambiato" not in need.title + idea.title


def test_the_author_cannot_edit_a_hidden_comment(client, hidden, anna):
    comment = hidden["comment"]
    client.login("anna@example.it")
    before = table_counts()
    response = client.submit(f"/comments/{comment.id}/edit", {"body": "Testo cambiato dopo il nascondimento"})
    db.session.refresh(comment)
    assert comment.body_markdown == COMMENT_BODY and comment.edited_at is None
    assert response.status_code in (403, 404)
    assert client.get(f"/comments/{comment.id}/edit").status_code in (403, 404)
    assert table_counts() == before


def test_the_thread_keeps_the_place_of_a_hidden_comment_and_its_replies(client, hidden, anna, bruno, mod_torino):
    host, comment, reply = hidden["host"], hidden["comment"], hidden["reply"]
    for email in (None, "anna@example.it", "bruno@example.it", "mod.torino@example.it"):
        if email:
            client.login(email)
        html = client.get(f"/needs/{host.id}-{host.slug}").get_data(as_text=True)
        assert f'id="comment-{comment.id}"' in html, email
        assert COMMENT_BODY not in html, email
        assert REPLY in html and f'id="comment-{reply.id}"' in html, email
        assert html.index(f'id="comment-{comment.id}"') < html.index(f'id="comment-{reply.id}"')
        placeholder = re.search(rf'id="comment-{comment.id}"[^>]*>(.*?)</article>', html, re.S).group(1)
        assert "Anna Rossi" not in placeholder and "/edit" not in placeholder and "/report/" not in placeholder
        # No reply form under a hidden comment.
        assert f'name="parent_id" value="{comment.id}"' not in html
        if email:
            client.submit("/account/logout")
