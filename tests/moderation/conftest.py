"""Fixtures of the moderation tests: people with their roles, cities, posts and comments.

The builders of tests/posts/conftest.py are fixtures of that folder only, so the ones needed
here are copied (kept identical); its client class and template cache are plain Python and
are imported.
"""
from __future__ import annotations

import pytest

from civic.accounts.models import Role
from civic.comments import services as comment_services
from civic.extensions import db
from civic.moderation import services as moderation
from civic.participation import services as vote_services
from civic.posts import services
from civic.posts.services import PostData
from civic.territories.models import Theme
from tests.posts.conftest import _TEMPLATES, PostsClient


@pytest.fixture(autouse=True)
def _shared_template_cache(request):
    if "app" in request.fixturenames:
        request.getfixturevalue("app").jinja_env.bytecode_cache = _TEMPLATES


@pytest.fixture
def client(app) -> PostsClient:
    app.test_client_class = PostsClient
    return app.test_client()


@pytest.fixture
def new_client(app):
    """Another browser: `new_client("anna@example.it")` is logged in, `new_client()` is anonymous."""

    def make(email: str | None = None) -> PostsClient:
        app.test_client_class = PostsClient
        browser = app.test_client()
        if email:
            browser.login(email)
        return browser

    return make


# --- places and people ------------------------------------------------------------------------

@pytest.fixture
def themes(app) -> list[Theme]:
    rows = [
        Theme(slug="abitare", name_it="Abitare", name_en="Housing", position=1),
        Theme(slug="lavoro", name_it="Lavoro", name_en="Work", position=2),
    ]
    db.session.add_all(rows)
    db.session.commit()
    return rows


@pytest.fixture
def torino(make_city):
    return make_city("Torino", neighbourhoods=("Aurora", "Vanchiglia"))


@pytest.fixture
def bari(make_city):
    return make_city("Bari", region="Puglia", neighbourhoods=("Libertà",))


@pytest.fixture
def anna(make_user):
    return make_user(email="anna@example.it", name="Anna Rossi")


@pytest.fixture
def bruno(make_user):
    return make_user(email="bruno@example.it", name="Bruno Bianchi")


@pytest.fixture
def carla(make_user):
    return make_user(email="carla@example.it", name="Carla Verdi")


@pytest.fixture
def mod_torino(make_user, torino):
    return make_user(Role.MODERATOR, email="mod.torino@example.it", name="Marta Moderatrice", cities=[torino])


@pytest.fixture
def mod_bari(make_user, bari):
    return make_user(Role.MODERATOR, email="mod.bari@example.it", name="Nicola Moderatore", cities=[bari])


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN, email="admin@example.it", name="Giulia Admin")


# --- content (the same builders as tests/posts/conftest.py) -------------------------------------

@pytest.fixture
def new_need(themes):
    """A need posted through the service (not the page), committed."""

    def make(author, city, title="Fontanella rotta in piazza Foroni", body="La fontanella non funziona da mesi.",
             theme=None, neighbourhood=None, **fields):
        need = services.create_need(author, city, PostData(
            title=title, body=body, theme_id=(theme or themes[0]).id,
            neighbourhood_id=neighbourhood.id if neighbourhood else None, **fields))
        db.session.commit()
        return need

    return make


@pytest.fixture
def new_idea(themes):
    def make(author, city, title="Riparare le fontanelle del quartiere", body="Un piano in tre fasi.",
             theme=None, neighbourhood=None, needs=(), summary="Un piano per riparare le fontanelle rotte",
             beneficiaries="Chi abita nel quartiere", **fields):
        idea = services.create_idea(author, city, PostData(
            title=title, body=body, theme_id=(theme or themes[0]).id,
            neighbourhood_id=neighbourhood.id if neighbourhood else None, summary=summary,
            beneficiaries=beneficiaries, need_ids=tuple(n.id for n in needs), **fields))
        db.session.commit()
        return idea

    return make


@pytest.fixture
def add_vote(app):
    def add(user, post):
        vote_services.add_vote(user, post)
        db.session.commit()

    return add


@pytest.fixture
def add_comment(app):
    def add(user, post, body="Sono d'accordo.", parent=None):
        comment = comment_services.add_comment(user, post, body, parent.id if parent else None)
        db.session.commit()
        return comment

    return add


# --- moderation through the services (the pages are tested on their own) ----------------------

@pytest.fixture
def add_report(app):
    def add(user, target, reason="spam", details=""):
        entry = moderation.report(user, target, reason, details)
        db.session.commit()
        return entry

    return add


@pytest.fixture
def hide(app):
    def run(moderator, target, reason="Contenuto offensivo"):
        moderation.hide(moderator, target, reason)
        db.session.commit()

    return run
