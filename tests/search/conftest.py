"""Fixtures of the search tests: the same tests run with Whoosh (SQLite) and with PostgreSQL
full-text search (PostgreSQL), each backend with its default engine."""
from __future__ import annotations

import pytest

from tests.calls.conftest import (  # noqa: F401 - fixtures shared with the calls tests
    ADMIN,
    MODERATOR,
    new_call,
    objectives,
    people,
    programme,
)
from tests.posts.conftest import (  # noqa: F401 - fixtures shared with the posts tests
    _shared_template_cache,
    anna,
    bruno,
    client,
    new_idea,
    new_need,
    palermo,
    themes,
    torino,
)


@pytest.fixture
def engine_name(app) -> str:
    from civic.search.engine import engine_name

    return engine_name(app)
