"""Comments and replies on needs and ideas: writing, editing, deleting, counting."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from civic.comments.models import Comment
from civic.extensions import db
from civic.posts.models import Post
from tests.conftest import table_counts
from tests.posts.helpers import english, field_error, logged_in_clients, next_of, post_all_at_once


def _live_comments(post) -> tuple[int, int]:
    """(comments not deleted, the post's counter), read fresh from the database."""
    live = db.session.scalar(select(func.count()).select_from(Comment)
                             .where(Comment.post_id == post.id, Comment.deleted_at.is_(None)))
    return live, db.session.scalar(select(Post.comment_count).where(Post.id == post.id))


def test_comment_and_reply(client, anna, bruno, torino, new_need):
    need = new_need(anna, torino)
    client.login("bruno@example.it")
    response = client.submit(f"/posts/{need.id}/comments", {"body": "Succede anche *in via Cigna*."})
    assert response.status_code == 302
    comment = db.session.scalar(select(Comment))
    assert response.headers["Location"].endswith(f"/needs/{need.id}-{need.slug}#comment-{comment.id}")
    assert (comment.author_id, comment.post_id, comment.parent_id) == (bruno.id, need.id, None)
    assert comment.body_html.strip() == "<p>Succede anche <em>in via Cigna</em>.</p>"

    client.submit("/account/logout")
    client.login("anna@example.it")
    response = client.submit(f"/posts/{need.id}/comments", {"body": "Grazie, lo segnalo.", "parent_id": str(comment.id)})
    assert response.status_code == 302
    reply = db.session.scalar(select(Comment).where(Comment.parent_id == comment.id))
    assert reply.author_id == anna.id
    assert _live_comments(need) == (2, 2)

    html = client.get(f"/needs/{need.id}-{need.slug}").get_data(as_text=True)
    assert f'id="comment-{comment.id}"' in html and "<em>in via Cigna</em>" in html
    assert re.search(rf'id="comment-{reply.id}" class="comment comment-reply', html)
    assert html.index(f'id="comment-{comment.id}"') < html.index(f'id="comment-{reply.id}"')


def test_bad_replies_are_refused_and_nothing_is_stored(client, anna, bruno, torino, new_need, add_comment):
    need = new_need(anna, torino)
    other = new_need(anna, torino, title="Panchine divelte nel giardino")
    root = add_comment(anna, need, "Primo commento")
    reply = add_comment(bruno, need, "Una risposta", parent=root)
    elsewhere = add_comment(anna, other, "Commento su un altro bisogno")
    client.login("bruno@example.it")
    before = table_counts()
    for parent_id in (reply.id, elsewhere.id, 999999, "abc", "-1", "\u00b2", "9" * 30):
        response = client.submit(f"/posts/{need.id}/comments", {"body": "Risposta", "parent_id": str(parent_id)})
        assert response.status_code == 422, parent_id
        assert "Traceback" not in response.get_data(as_text=True)
    assert table_counts() == before
    assert _live_comments(need) == (2, 2)


def test_comment_on_a_post_that_does_not_exist_is_not_found(client, anna):
    client.login("anna@example.it")
    before = table_counts()
    assert client.submit("/posts/999999/comments", {"body": "Ciao"}).status_code == 404
    assert table_counts() == before


BAD_BODIES = [
    ("", "Write something before sending."),
    ("   \n\t ", "Write something before sending."),
    ("c" * 5_001, "at most 5000 characters"),
    ("Ciao\x00", "characters that are not allowed"),
]


def test_bad_comment_is_refused_with_a_clear_message(client, anna, torino, new_need):
    need = new_need(anna, torino)
    client.login("anna@example.it")
    english(client)
    before = table_counts()
    for body, message in BAD_BODIES:
        response = client.submit(f"/posts/{need.id}/comments", {"body": body})
        assert response.status_code == 422, body[:20]
        html = response.get_data(as_text=True)
        assert message in field_error(html, "body"), body[:20]
        assert 'aria-invalid="true"' in html
        assert table_counts() == before, body[:20]


def test_comment_limit_is_exact(client, anna, torino, new_need):
    need = new_need(anna, torino)
    client.login("anna@example.it")
    assert client.submit(f"/posts/{need.id}/comments", {"body": "c" * 5_000}).status_code == 302
    assert _live_comments(need) == (1, 1)


def test_anonymous_comment_goes_to_login_and_without_csrf_is_refused(client, anna, torino, new_need):
    need = new_need(anna, torino)
    before = table_counts()
    response = client.submit(f"/posts/{need.id}/comments", {"body": "Ciao"})
    assert response.status_code == 302
    assert next_of(response.headers["Location"]) == f"/needs/{need.id}-{need.slug}#comments"
    client.login("anna@example.it")
    assert client.post(f"/posts/{need.id}/comments", data={"body": "Ciao"}).status_code == 400
    assert table_counts() == before


def test_only_the_author_edits_or_deletes_a_comment(client, anna, bruno, torino, new_need, add_comment):
    need = new_need(anna, torino)
    comment = add_comment(anna, need, "Testo originale")
    client.login("bruno@example.it")
    before = table_counts()
    assert client.get(f"/comments/{comment.id}/edit").status_code == 403
    assert client.submit(f"/comments/{comment.id}/edit", {"body": "Cambiato da Bruno"}).status_code == 403
    assert client.submit(f"/comments/{comment.id}/delete").status_code == 403
    assert client.submit("/comments/999999/delete").status_code == 404
    db.session.refresh(comment)
    assert comment.body_markdown == "Testo originale" and comment.deleted_at is None and comment.edited_at is None
    assert table_counts() == before and _live_comments(need) == (1, 1)
    html = client.get(f"/needs/{need.id}-{need.slug}").get_data(as_text=True)
    assert f'action="/comments/{comment.id}/delete"' not in html


def test_author_edits_a_comment(client, anna, torino, new_need, add_comment):
    need = new_need(anna, torino)
    comment = add_comment(anna, need, "Testo originale")
    client.login("anna@example.it")
    english(client)
    page = client.get(f"/comments/{comment.id}/edit")
    assert page.status_code == 200 and "Testo originale" in page.get_data(as_text=True)
    before = table_counts()
    response = client.submit(f"/comments/{comment.id}/edit", {"body": "  "})
    assert response.status_code == 422
    field_error(response.get_data(as_text=True), "body")
    assert table_counts() == before
    response = client.submit(f"/comments/{comment.id}/edit", {"body": "Testo **corretto**"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#comment-{comment.id}")
    db.session.refresh(comment)
    assert comment.body_markdown == "Testo **corretto**" and "<strong>corretto</strong>" in comment.body_html
    assert comment.edited_at is not None
    assert "edited" in client.get(f"/needs/{need.id}-{need.slug}").get_data(as_text=True)
    assert table_counts() == before and _live_comments(need) == (1, 1)


def test_deleting_keeps_the_place_and_the_replies_and_the_count_follows(client, anna, bruno, torino, new_need,
                                                                       add_comment):
    need = new_need(anna, torino)
    root = add_comment(anna, need, "Commento che verrà eliminato")
    replies = [add_comment(bruno, need, f"Risposta numero {i}", parent=root) for i in range(2)]
    other = add_comment(bruno, need, "Un altro commento")
    assert _live_comments(need) == (4, 4)

    client.login("anna@example.it")
    english(client)
    assert client.post(f"/comments/{root.id}/delete").status_code == 400  # no CSRF token
    response = client.submit(f"/comments/{root.id}/delete")
    assert response.status_code == 302
    db.session.refresh(root)
    assert root.deleted_at is not None and root.body_markdown == "" and root.body_html == ""
    assert db.session.get(Comment, root.id) is not None
    assert _live_comments(need) == (3, 3)

    html = client.get(f"/needs/{need.id}-{need.slug}").get_data(as_text=True)
    assert "Comment deleted" in html and "Commento che verrà eliminato" not in html
    assert "Risposta numero 0" in html and "Risposta numero 1" in html and "Un altro commento" in html
    assert html.index(f'id="comment-{root.id}"') < html.index(f'id="comment-{replies[0].id}"')
    assert f'name="parent_id" value="{root.id}"' not in html  # no reply form under a deleted comment

    # Once deleted: no second deletion, no edit, no new reply; nothing changes.
    before = table_counts()
    assert client.submit(f"/comments/{root.id}/delete").status_code == 409
    assert client.get(f"/comments/{root.id}/edit").status_code == 403
    assert client.submit(f"/posts/{need.id}/comments", {"body": "Tardi", "parent_id": str(root.id)}).status_code == 422
    assert table_counts() == before and _live_comments(need) == (3, 3)

    # A reply deleted by its author: the count follows again.
    client.submit("/account/logout")
    client.login("bruno@example.it")
    assert client.submit(f"/comments/{replies[1].id}/delete").status_code == 302
    assert client.submit(f"/comments/{other.id}/delete").status_code == 302
    assert _live_comments(need) == (1, 1)
    assert "Comment deleted" in client.get(f"/needs/{need.id}-{need.slug}").get_data(as_text=True)


def test_simultaneous_deletes_of_one_comment_count_once(app, client, anna, bruno, torino, new_need, add_comment):
    need = new_need(anna, torino)
    target = add_comment(anna, need, "Commento da eliminare")
    add_comment(bruno, need, "Un altro commento")
    add_comment(bruno, need, "Un terzo commento")
    clients = logged_in_clients(app, ["anna@example.it"] * 10)
    results = post_all_at_once(app, clients, f"/comments/{target.id}/delete")
    assert _live_comments(need) == (2, 2), results
    assert sorted(results, key=str) == [302] + [409] * 9, results


# --- long conversations: pages of comments ----------------------------------------------------------

def test_a_long_conversation_comes_in_pages_with_each_thread_whole(client, anna, bruno, torino, new_idea,
                                                                   add_comment, count_queries):
    from civic.comments.services import THREADS_PER_PAGE

    idea = new_idea(anna, torino)
    roots = [add_comment(bruno, idea, f"Commento numero {n}.") for n in range(THREADS_PER_PAGE + 5)]
    first_reply = add_comment(anna, idea, "Risposta al primo.", parent=roots[0])
    late_reply = add_comment(anna, idea, "Risposta a uno della seconda pagina.", parent=roots[THREADS_PER_PAGE + 1])
    english(client)
    url = f"/ideas/{idea.id}-{idea.slug}"
    with count_queries() as first_page:
        html = client.get(url).get_data(as_text=True)
    assert html.count('class="comment ') == THREADS_PER_PAGE + 1  # the first 50 and the reply of the first
    assert f'id="comment-{first_reply.id}"' in html and f'id="comment-{late_reply.id}"' not in html
    assert "Page 1 of 2" in html and f'href="{url}?comments=2#comments">Later comments' in html
    assert f"{len(roots) + 2} comments" in html  # the heading counts them all

    with count_queries() as second_page:
        html = client.get(f"{url}?comments=2").get_data(as_text=True)
    assert html.count('class="comment ') == 5 + 1
    assert html.index(f'id="comment-{roots[-5].id}"') < html.index(f'id="comment-{late_reply.id}"')
    assert f'href="{url}#comments">Earlier comments' in html  # page 1 is the post's own address
    assert "Later comments" not in html
    assert first_page.count == second_page.count  # the same queries, whatever the page
    assert client.get(f"{url}?comments=9").get_data(as_text=True).count('class="comment ') == 6  # the last
    moved = client.get(f"/ideas/{idea.id}-an-old-title?comments=2")
    assert moved.status_code == 301 and moved.headers["Location"].endswith(f"{url}?comments=2")
    for bad in ("0", "abc", "-1", "2.5", "²"):
        response = client.get(f"{url}?comments={bad}")
        assert response.status_code == 400, bad
        assert "The parameter comments must be a whole number from 1 up." in response.get_data(as_text=True)
    for beyond in ("100001", "9999999", "9" * 5000):
        response = client.get(f"{url}?comments={beyond}")
        assert response.status_code == 400, beyond
        assert "The parameter comments can be at most 100000." in response.get_data(as_text=True)


def test_a_comment_is_reached_on_the_page_that_shows_it(client, anna, bruno, torino, new_idea, add_comment,
                                                        make_user):
    from civic.comments.services import THREADS_PER_PAGE

    idea = new_idea(anna, torino)
    roots = [add_comment(bruno, idea, f"Commento {n}.") for n in range(THREADS_PER_PAGE)]
    reply = add_comment(anna, idea, "Risposta.", parent=roots[-1])
    url = f"/ideas/{idea.id}-{idea.slug}"
    # The permanent address of a comment (notifications, emails, profiles) finds its page.
    assert client.get(f"/comments/{reply.id}").headers["Location"].endswith(f"{url}#comment-{reply.id}")
    # A new comment opens a second page: publishing it leads there.
    client.login("bruno@example.it")
    response = client.submit(f"/posts/{idea.id}/comments", {"body": "Il cinquantunesimo."})
    newest = db.session.scalar(select(Comment).order_by(Comment.id.desc()))
    assert response.headers["Location"].endswith(f"{url}?comments=2#comment-{newest.id}")
    assert client.get(f"/comments/{newest.id}").headers["Location"].endswith(f"{url}?comments=2#comment-{newest.id}")
    assert client.get("/comments/999999").status_code == 404


def test_the_address_of_a_comment_on_a_hidden_post_names_nothing(client, anna, bruno, torino, new_need, add_comment,
                                                                   make_user):
    from civic.moderation import services as moderation

    need = new_need(anna, torino)
    comment = add_comment(bruno, need, "Commento.")
    moderator = make_user("moderator", email="moderatrice@example.it", cities=[torino])
    moderation.hide(moderator, need, "Contenuto offensivo per il quartiere")
    db.session.commit()
    response = client.get(f"/comments/{comment.id}")
    assert response.status_code == 404 and need.slug not in (response.headers.get("Location") or "")
    client.login("moderatrice@example.it")
    assert client.get(f"/comments/{comment.id}").headers["Location"].endswith(f"#comment-{comment.id}")
