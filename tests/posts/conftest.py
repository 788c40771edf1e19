"""Fixtures shared by the tests of needs, ideas, votes, comments and uploads."""
from __future__ import annotations

import pytest
from jinja2 import BytecodeCache

from civic.comments import services as comment_services
from civic.extensions import db
from civic.participation import services as vote_services
from civic.posts import services
from civic.posts.services import PostData
from civic.territories.models import Theme
from tests.conftest import Client


class _MemoryBytecodeCache(BytecodeCache):
    """Compiled templates kept for the whole run: each test builds a new app (and Jinja
    environment), and compiling the templates again was half the run time. A template whose
    source changed is compiled again (the cache checks its checksum)."""

    def __init__(self):
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if (data := self.store.get(bucket.key)) is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket):
        self.store[bucket.key] = bucket.bytecode_to_string()


_TEMPLATES = _MemoryBytecodeCache()


@pytest.fixture(autouse=True)
def _shared_template_cache(request):
    if "app" in request.fixturenames:
        request.getfixturevalue("app").jinja_env.bytecode_cache = _TEMPLATES


class PostsClient(Client):
    """The suite's client, keeping its session's CSRF token instead of reading the home page
    before every form (the token stays valid until login, logout or deleting the account renews the session)."""

    _token: str | None = None

    def submit(self, url: str, data: dict | None = None, **kwargs):
        payload = dict(data or {})
        if "csrf_token" not in payload:
            if self._token is None:
                self._token = self.csrf_token()
            payload["csrf_token"] = self._token
        try:
            return self.post(url, data=payload, **kwargs)
        finally:
            if url.startswith(("/account/login", "/account/logout", "/account/delete")):
                self._token = None


@pytest.fixture
def client(app) -> PostsClient:
    app.test_client_class = PostsClient
    return app.test_client()


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
def palermo(make_city):
    return make_city("Palermo", region="Sicilia", neighbourhoods=("Danisinni",))


@pytest.fixture
def anna(make_user):
    return make_user(email="anna@example.it", name="Anna Rossi")


@pytest.fixture
def bruno(make_user):
    return make_user(email="bruno@example.it", name="Bruno Bianchi")


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
