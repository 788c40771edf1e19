"""Pages kept for anonymous visitors: served again while nothing they show has changed, built
again after any change (a new idea, a vote, a comment, hiding), never kept for anyone logged in."""
from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import text, update

from civic.core import content_version
from civic.core.content_version import SLOTS, ContentVersion, writes_public_table
from civic.core.pagecache import CSRF_PLACEHOLDER, KeptPage, PageCache
from civic.extensions import db
from civic.posts.models import Post
from tests.posts.helpers import idea_form


@pytest.fixture
def app_config(request):
    config = {"PAGE_CACHE_SECONDS": 60}
    if "limit" in request.node.name:
        config.update(RATELIMIT_ENABLED=True, RATELIMIT_SEARCH="2 per minute", RATELIMIT_API="2 per minute")
    return config


@pytest.fixture(autouse=True)
def _version_row(app):
    content_version.create_rows()  # the migration's rows (tests build tables with create_all)
    db.session.commit()


@pytest.fixture
def visitor(app):
    """Another browser, not logged in, with its own cookies."""
    return app.test_client()


def address(idea) -> str:
    return f"/ideas/{idea.id}-{idea.slug}"


def without_token(response) -> str:
    return re.sub(r'<input[^>]*name="csrf_token"[^>]*>', "", response.get_data(as_text=True))


def kept(response) -> str | None:
    return response.headers.get("X-Page-Cache")


def test_an_anonymous_page_is_built_once_then_served_again(client, torino, anna, new_idea, count_queries):
    idea = new_idea(anna, torino)
    url = address(idea)
    first = client.get(url)
    assert first.status_code == 200 and kept(first) == "miss"
    with count_queries() as counter:
        again = client.get(url)
    assert kept(again) == "hit"
    assert counter.count == 1, counter.statements  # the content version, nothing else
    assert without_token(again) == without_token(first)
    # The headers set for every response are set on a kept page too.
    assert again.headers["Content-Security-Policy"] and again.headers["Cache-Control"] == "no-store"
    assert again.mimetype == "text/html"


def test_each_visitor_gets_their_own_csrf_token_on_a_kept_page(client, visitor, torino):
    client.get("/")
    page = visitor.get("/")
    assert kept(page) == "hit"
    html = page.get_data(as_text=True)
    assert CSRF_PLACEHOLDER.decode() not in html
    tokens = set(re.findall(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"', html))
    tokens |= set(re.findall(r'<input[^>]*value="([^"]+)"[^>]*name="csrf_token"', html))
    assert len(tokens) == 1
    # The token works for this visitor's session: the language switch is accepted.
    switched = visitor.post("/language", data={"csrf_token": tokens.pop(), "locale": "en", "next": "/"})
    assert switched.status_code == 302
    english = visitor.get("/")
    assert kept(english) == "miss" and 'lang="en"' in english.get_data(as_text=True)
    assert 'lang="it"' in client.get("/").get_data(as_text=True)


def test_a_new_idea_is_on_the_list_at_once(client, visitor, torino, anna, themes):
    listing = f"/cities/{torino.slug}/ideas"
    visitor.get(listing)
    assert kept(visitor.get(listing)) == "hit"
    client.login(anna.email)
    created = client.submit(f"/cities/{torino.slug}/ideas/new", idea_form(themes[0], title="Orti condivisi in via Aosta"))
    assert created.status_code == 302
    page = visitor.get(listing)
    assert kept(page) == "miss"
    assert "Orti condivisi in via Aosta" in page.get_data(as_text=True)


def test_a_vote_shows_on_the_kept_page(client, visitor, torino, anna, bruno, new_idea):
    idea = new_idea(anna, torino)
    visitor.get(address(idea))
    assert "0 votes" in _english_page(visitor, address(idea))
    client.login(bruno.email)
    assert client.submit(f"/posts/{idea.id}/vote").status_code == 302
    assert "1 vote" in _english_page(visitor, address(idea))


def _english_page(visitor, url: str) -> str:
    token = re.search(r'name="csrf_token" value="([^"]+)"', visitor.get("/").get_data(as_text=True)).group(1)
    visitor.post("/language", data={"csrf_token": token, "locale": "en", "next": "/"})
    return visitor.get(url).get_data(as_text=True)


def test_hidden_content_leaves_kept_pages_at_once(client, visitor, torino, anna, new_idea, make_user):
    idea = new_idea(anna, torino, title="Un'idea da nascondere")
    listing = f"/cities/{torino.slug}/ideas"
    assert "Un&#39;idea da nascondere" in visitor.get(listing).get_data(as_text=True)
    assert kept(visitor.get(address(idea))) == "miss"
    assert kept(visitor.get(address(idea))) == "hit"
    moderator = make_user("moderator", email="mod@example.it", cities=[torino])
    client.login(moderator.email)
    hidden = client.submit(f"/moderation/post/{idea.id}/hide", {"reason": "Contenuto offensivo verso i residenti"})
    assert hidden.status_code == 302
    assert "Un&#39;idea da nascondere" not in visitor.get(listing).get_data(as_text=True)
    assert visitor.get(address(idea)).status_code == 404


def test_a_comment_shows_at_once(client, visitor, torino, anna, bruno, new_idea):
    idea = new_idea(anna, torino)
    visitor.get(address(idea))
    client.login(bruno.email)
    assert client.submit(f"/posts/{idea.id}/comments", {"body": "Mi piace molto questa proposta"}).status_code == 302
    page = visitor.get(address(idea))
    assert kept(page) == "miss" and "Mi piace molto questa proposta" in page.get_data(as_text=True)


def test_logged_in_pages_are_never_kept_nor_served_from_the_cache(client, visitor, torino, anna, new_idea):
    idea = new_idea(anna, torino)
    visitor.get(address(idea))
    client.login(anna.email)
    own = client.get(address(idea))
    assert kept(own) is None
    assert anna.display_name in own.get_data(as_text=True)  # the header names who is logged in
    assert anna.display_name not in visitor.get("/").get_data(as_text=True)
    assert len(client.application.extensions["page_cache"]) == 2  # the visitor's two pages only


def test_reading_pages_changes_no_version(client, visitor, torino, anna, new_idea):
    idea = new_idea(anna, torino)
    before = content_version.current()
    visitor.get(address(idea))
    visitor.get(f"/cities/{torino.slug}/ideas")
    assert content_version.current() == before  # anonymous reads
    client.login(anna.email)  # a login writes the account (public pages name people): a new version
    after_login = content_version.current()
    assert after_login > before
    assert kept(visitor.get(address(idea))) == "miss"
    client.get(address(idea))
    client.get("/notifications/")
    client.get("/account/")
    assert content_version.current() == after_login  # reads of a logged-in person
    assert kept(visitor.get(address(idea))) == "hit"  # so the visitor's page is still served


@pytest.mark.fresh_app  # it adds a route
def test_a_page_that_changes_the_session_is_not_kept(app, client, torino):
    from flask import render_template_string, session

    def choose():  # a page that writes the visitor's session, as a login form or a drawn order would
        session["chosen"] = "per questa persona"
        return render_template_string("<p>{{ session['chosen'] }}</p>")

    app.add_url_rule("/choose", "choose", choose)
    assert kept(client.get("/choose")) is None
    assert kept(client.get("/choose")) == "miss"  # the same session: nothing changes any more


def test_each_random_order_has_an_address_whose_pages_are_kept(client, visitor, torino):
    moved = client.get(f"/cities/{torino.slug}/ideas?sort=random")
    assert moved.status_code == 302 and kept(moved) is None  # the order is drawn for this visitor
    assert kept(client.get(moved.location)) == "miss"
    assert kept(visitor.get(moved.location)) == "hit"  # anyone with the address gets the same page


def test_errors_and_flashed_messages_are_not_kept(client, visitor, torino):
    assert kept(visitor.get("/ideas/999999")) is None
    assert kept(visitor.get(f"/cities/{torino.slug}/ideas?page=zero")) is None
    client.get("/")
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Un messaggio per questa persona")]
    page = client.get("/")
    assert kept(page) is None and "Un messaggio per questa persona" in page.get_data(as_text=True)


def test_a_kept_page_expires(client, torino, monkeypatch):
    assert kept(client.get("/")) == "miss"
    assert kept(client.get("/")) == "hit"
    later = time.monotonic() + 61
    monkeypatch.setattr("civic.core.pagecache.time.monotonic", lambda: later)
    assert kept(client.get("/")) == "miss"


def test_without_the_version_row_nothing_is_kept(client, torino):
    db.session.execute(text("DELETE FROM content_version"))
    db.session.commit()
    assert kept(client.get("/")) is None
    assert kept(client.get("/")) is None


def test_every_kind_of_write_raises_the_version(app, torino, anna, new_idea):
    idea = new_idea(anna, torino)
    start = content_version.current()
    db.session.execute(update(Post).where(Post.id == idea.id).values(vote_count=Post.vote_count + 1))
    db.session.commit()
    assert content_version.current() == start + 1
    db.session.execute(text("UPDATE post SET comment_count = comment_count + 1"))
    db.session.commit()
    assert content_version.current() == start + 2
    db.session.commit()  # nothing written
    assert content_version.current() == start + 2
    db.session.execute(text("UPDATE notification SET read_at = NULL"))  # nobody else sees it
    db.session.commit()
    assert content_version.current() == start + 2
    idea.title = "Un titolo cambiato"
    db.session.commit()  # an ORM flush inside the commit
    assert content_version.current() == start + 3
    with db.session.begin_nested():
        idea.title = "Ancora un titolo"
    db.session.rollback()
    assert content_version.current() == start + 3
    with db.engine.begin() as connection:  # not through a session: a script, a console
        connection.execute(update(Post).where(Post.id == idea.id).values(hidden_at=Post.created_at))
    assert content_version.current() == start + 4


def test_kept_searches_and_api_answers_still_count_against_their_limit(client, torino):
    for url in ("/search?q=panchine", "/api/v1/needs"):
        answers = [client.get(url) for _ in range(3)]
        assert [r.status_code for r in answers] == [200, 200, 429], url
        assert kept(answers[1]) == "hit"


def test_the_health_check_is_never_kept(client):
    assert client.get("/healthz").status_code == 200
    assert kept(client.get("/healthz")) is None


@pytest.mark.parametrize(("statement", "public"), [
    ('INSERT INTO vote (post_id, user_id) VALUES (1, 2)', True),
    ('UPDATE "post" SET vote_count = 3', True),
    ('DELETE FROM comment WHERE id = 4', True),
    ("INSERT INTO notification (user_id) VALUES (1)", False),
    ("UPDATE email_message SET sent_at = now()", False),
    ("SELECT * FROM post", False),
    ("WITH ids AS (SELECT id FROM post) SELECT * FROM ids", False),
    ("WITH moved AS (UPDATE post SET status = 'x' RETURNING id) SELECT * FROM moved", True),
    ("  update post set title = 'x'", True),
])
def test_which_statements_change_public_content(statement, public):
    assert writes_public_table(statement) is public


def test_the_cache_keeps_the_most_recently_used_pages_within_its_size():
    cache = PageCache(max_bytes=8 * 100)
    page = lambda n: KeptPage(1, time.monotonic() + 60, 200, (), b"x" * n)  # noqa: E731
    for n in range(8):
        cache.put(("page", n), page(100))
    assert len(cache) == 8 and cache.size == 800
    assert cache.get(("page", 0), 1) is not None  # now the most recently used
    cache.put(("page", 8), page(100))
    assert cache.get(("page", 1), 1) is None and cache.get(("page", 0), 1) is not None
    assert cache.size <= 800
    cache.put(("big", 0), page(101))  # over an eighth of the budget: not kept
    assert cache.get(("big", 0), 1) is None
    assert cache.get(("page", 0), 2) is None  # another version: dropped
    assert cache.size == 700


def test_the_migration_writes_every_row_of_the_version(app):
    # The migration cannot import the application: its number of rows is checked here instead.
    from pathlib import Path

    migration = (Path(__file__).parents[2] / "migrations/versions/0018_content_version.py").read_text()
    assert f"range({SLOTS})" in migration
    assert db.session.query(ContentVersion).count() == SLOTS
