"""The moderation queue costs the same number of queries with 2 or 20 reported items.

The page shows, for each item, its title, its city, for a comment the post it belongs to, and
each report's author; the hidden section shows the same for hidden posts and comments. Any of
those read lazily would cost one query per item: the count must not grow with the items.
"""
from __future__ import annotations

import itertools

import pytest

from civic.extensions import db
from civic.moderation import services as moderation
from tests.moderation.helpers import queued
from tests.posts.helpers import english

SMALL, LARGE = 2, 20


@pytest.fixture
def grow(make_user, make_city, themes, new_need, new_idea, add_comment, add_report):
    """`grow(n)` brings the city to n reported items (half posts, half comments, each on its own post, each reported
    by its own reporter; the first two reported twice) and n // 2 hidden items, half posts and half comments."""
    city = make_city("Torino")
    moderator = make_user("moderator", email="mod.torino@example.it", cities=[city])
    author = make_user(email="author@example.it")
    state = {"reported": 0, "hidden": 0}

    def run(count: int):
        for i in range(state["reported"], count):
            post = (new_need if i % 4 < 2 else new_idea)(author, city, title=f"Contenuto segnalato numero {i}")
            target = post if i % 2 == 0 else add_comment(author, post, f"Commento segnalato numero {i}")
            for r in range(2 if i < 2 else 1):
                add_report(make_user(email=f"reporter{i}.{r}@example.it"), target)
        for i in range(state["hidden"], count // 2):
            post = new_need(author, city, title=f"Bisogno nascosto numero {i}")
            moderation.hide(moderator, post if i % 2 == 0 else add_comment(author, post, "Commento nascosto"), "Spam")
        db.session.commit()
        state.update(reported=count, hidden=count // 2)

    return run


def _count(browser, count_queries, url: str) -> tuple[int, list[str], str]:
    with count_queries() as counter:
        response = browser.get(url)
    assert response.status_code == 200
    return counter.count, counter.statements, response.get_data(as_text=True)


def test_the_queue_costs_the_same_with_2_or_20_items(app, client, grow, admin, count_queries):
    browsers = {"moderator": app.test_client(), "admin": app.test_client()}
    browsers["moderator"].login("mod.torino@example.it")
    browsers["admin"].login("admin@example.it")
    measured = {}
    for size in (SMALL, LARGE):
        grow(size)
        for (role, browser), sort in itertools.product(browsers.items(), ("newest", "most_reported")):
            url = f"/moderation/?sort={sort}"
            browser.get(url)  # warm up
            count, statements, html = _count(browser, count_queries, url)
            assert len(queued(html)) == size, (role, size)
            hidden_section = html[html.index('id="hidden-heading"'):]
            assert hidden_section.count("/unhide") == size // 2
            measured[role, sort, size] = (count, statements)
    print("\n/moderation/: " + ", ".join(
        f"{role} sort={sort} {size} items: {count} queries" for (role, sort, size), (count, _s) in measured.items()))
    for role, sort in itertools.product(browsers, ("newest", "most_reported")):
        few, _ = measured[role, sort, SMALL]
        many, statements = measured[role, sort, LARGE]
        assert many == few, f"{role} {sort}: {many - few} more queries for {LARGE - SMALL} more items:\n" + (
            "\n".join(s[:200] for s in statements))
        assert few <= 10, (role, sort, few)


def test_hidden_content_comes_in_pages_newest_first(app, client, grow, count_queries):
    from datetime import timedelta

    from civic.comments.models import Comment
    from civic.posts.models import Post

    grow(2 * (moderation.HIDDEN_PER_PAGE + 3))  # 23 hidden: 12 posts, 11 comments
    hidden = [*db.session.scalars(db.select(Post).where(Post.hidden_at.is_not(None))),
              *db.session.scalars(db.select(Comment).where(Comment.hidden_at.is_not(None)))]
    # One minute apart, posts and comments interleaved, so the order across both is known.
    hidden.sort(key=lambda item: (item.id, isinstance(item, Comment)))
    base = hidden[0].hidden_at
    for minutes, item in enumerate(hidden):
        item.hidden_at = base + timedelta(minutes=minutes)
    db.session.commit()
    newest_first = [(("comment" if isinstance(i, Comment) else "post"), i.id) for i in reversed(hidden)]
    browser = app.test_client()
    browser.login("mod.torino@example.it")
    english(browser)

    def shown(html: str) -> list[tuple[str, int]]:
        import re

        section = html[html.index('id="hidden-heading"'):]
        return [(kind, int(target)) for kind, target in re.findall(r"/moderation/(post|comment)/(\d+)/unhide", section)]

    first_count, _s, first = _count(browser, count_queries, "/moderation/")
    assert shown(first) == newest_first[:moderation.HIDDEN_PER_PAGE]
    assert '<a href="/moderation/?hidden=2#hidden-heading">Hidden earlier</a>' in first
    assert "More recently hidden" not in first
    second_count, _s, second = _count(browser, count_queries, "/moderation/?sort=most_reported&hidden=2")
    assert shown(second) == newest_first[moderation.HIDDEN_PER_PAGE:]
    assert "hidden=3" not in second
    assert '<a href="/moderation/?sort=most_reported#hidden-heading">More recently hidden</a>' in second
    assert second_count == first_count
    assert "Nothing more is hidden." in browser.get("/moderation/?hidden=9").get_data(as_text=True)
    for bad in ("0", "x", "-2", "²", "1000000"):
        response = browser.get(f"/moderation/?hidden={bad}")
        assert response.status_code == 400, bad
        assert "The parameter hidden" in response.get_data(as_text=True)
